#include "fanout.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#include "errors.hpp"
#include "fixed_point.hpp"
#include "multiversion.hpp"
#include "prefetch.hpp"

namespace emu {

namespace {

// The vector loops of dense rows (workload A's hot path).
EMU_MULTIVERSION
void add_row(int64_t* a, const int16_t* w, uint32_t n, int e) {
    for (uint32_t i = 0; i < n; ++i) a[i] = wrap_add(a[i], shl(w[i], e));
}

EMU_MULTIVERSION
void add_row_scaled(int64_t* a, const int16_t* w, uint32_t n, int e, int64_t p) {
    for (uint32_t i = 0; i < n; ++i) a[i] = wrap_add(a[i], wrap_mul(shl(w[i], e), p));
}

// A narrow sum (int32_t or int16_t) plus x, wrapping in the sum's width: exact, since the
// step's true sum fits it (mark_narrow).
template <class T> T add_narrow(T sum, uint32_t x) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(sum) + static_cast<U>(x)));
}

template <class T> void add_row_sums(T* a, const int16_t* w, uint32_t n, int e) {
    for (uint32_t i = 0; i < n; ++i) a[i] = add_narrow(a[i], static_cast<uint32_t>(w[i]) << e);
}
EMU_MULTIVERSION
void add_row_narrow(int32_t* a, const int16_t* w, uint32_t n, int e) { add_row_sums(a, w, n, e); }
EMU_MULTIVERSION
void add_row_half(int16_t* a, const int16_t* w, uint32_t n, int e) { add_row_sums(a, w, n, e); }

// Adds n narrow sums into the accumulators and clears them.
template <class T> void fold_sums(int64_t* __restrict a, T* __restrict sums, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        a[i] = wrap_add(a[i], sums[i]);
        sums[i] = 0;
    }
}
EMU_MULTIVERSION
void fold_narrow(int64_t* __restrict a, int32_t* __restrict sums, int64_t n) { fold_sums(a, sums, n); }
EMU_MULTIVERSION
void fold_half(int64_t* __restrict a, int16_t* __restrict sums, int64_t n) { fold_sums(a, sums, n); }

// Where a segment's synapses go: slot[d] for delay d (the ring's rows, or the staging
// rows), or the step's narrow sums (kSegNarrow: 32-bit, with kSegHalf 16-bit).
struct Targets {
    int64_t* const* slot;
    int32_t* narrow;
    int16_t* half;
    uint8_t* touched;  // per staging row: something was added
};

// Synapse k of a sparse segment: its target offset and weight, from a 4-byte word
// (synapses.hpp) or, kPacked, a 3-byte one: [weight 9 | target offset 15], read as 4
// bytes whose last is shifted out (the packed words end with a byte to spare).
struct Synapse {
    uint32_t target;
    int32_t weight;
};
template <bool kPacked>
inline Synapse sparse_synapse(const void* data, uint32_t k) {
    if constexpr (kPacked) {
        uint32_t x;
        std::memcpy(&x, static_cast<const uint8_t*>(data) + 3 * static_cast<size_t>(k), sizeof x);
        return {x & kPackedTargetMask, static_cast<int32_t>(x << (32 - kPackedTargetBits - kWeightBits)) >> (32 - kWeightBits)};
    } else {
        const uint32_t x = static_cast<const uint32_t*>(data)[k];
        return {word_target(x), word_weight(x)};
    }
}
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "packed synapse words are read little-endian");

// Adds one segment's synapses weighted by payload p.
// A binary connection counts any nonzero payload as 1 (spec section 2): only nonzero
// payloads are delivered, so its contribution is the weight itself.
template <int K>
void add_segment(const Segment& s, const Targets& to, int64_t p) {
    constexpr bool kDense = K & kSegDense, kGraded = K & kSegGraded;
    constexpr bool kDelayed = K & kSegDelayed, kStaged = K & kSegStaged;
    constexpr bool kNarrow = K & kSegNarrow;  // binary, no delay, not staged
    constexpr bool kHalf = kNarrow && (K & kSegHalf);
    constexpr bool kPacked = !kDense && (K & kSegPacked);
    const int e = s.exp;
    const uint32_t n = s.count;
    auto value = [&](int64_t w) {
        const int64_t v = shl(w, e);
        return kGraded ? wrap_mul(v, p) : v;
    };
    int64_t* const* slot = to.slot;
    uint8_t* touched = to.touched;
    if constexpr (kNarrow) {
        auto* const a = [&] {
            if constexpr (kHalf) return to.half + s.base;
            else return to.narrow + s.base;
        }();
        if constexpr (kDense) {
            if constexpr (kHalf) add_row_half(a, static_cast<const int16_t*>(s.data), n, e);
            else add_row_narrow(a, static_cast<const int16_t*>(s.data), n, e);
        } else {
            auto add = [&](auto shift) {  // the common exponent 0 without a shift per synapse
                for (uint32_t k = 0; k < n; ++k) {
                    const Synapse x = sparse_synapse<kPacked>(s.data, k);
                    auto& t = a[x.target];
                    t = add_narrow(t, static_cast<uint32_t>(x.weight) << shift);
                }
            };
            if (e == 0) add(std::integral_constant<int, 0>{});
            else add(e);
        }
    } else if constexpr (kDense) {
        const int16_t* w = static_cast<const int16_t*>(s.data);
        if constexpr (kDelayed) {
            for (uint32_t i = 0; i < n; ++i) {
                const uint8_t d = s.delay[i];
                int64_t& a = slot[d][s.base + i];
                a = wrap_add(a, value(w[i]));
                if constexpr (kStaged) touched[d] = 1;
            }
        } else {
            if constexpr (kGraded) add_row_scaled(slot[0] + s.base, w, n, e, p);
            else add_row(slot[0] + s.base, w, n, e);
            if constexpr (kStaged) touched[0] = 1;
        }
    } else {
        if constexpr (kDelayed) {
            for (uint32_t k = 0; k < n; ++k) {
                const Synapse x = sparse_synapse<kPacked>(s.data, k);
                const uint8_t d = s.delay[k];
                int64_t& a = slot[d][s.base + x.target];
                a = wrap_add(a, value(x.weight));
                if constexpr (kStaged) touched[d] = 1;
            }
        } else {
            int64_t* a = slot[0] + s.base;
            for (uint32_t k = 0; k < n; ++k) {
                const Synapse x = sparse_synapse<kPacked>(s.data, k);
                int64_t& t = a[x.target];
                t = wrap_add(t, value(x.weight));
            }
            if constexpr (kStaged) touched[0] = 1;
        }
    }
}

using AddFn = void (*)(const Segment&, const Targets&, int64_t);
template <int... K>
constexpr std::array<AddFn, sizeof...(K)> add_table(std::integer_sequence<int, K...>) {
    return {&add_segment<K>...};
}
constexpr auto kAdd = add_table(std::make_integer_sequence<int, kSegKinds>{});

constexpr int32_t kMaxSlots = 63;  // delays 0..62
// Segments that add into the ring (or the staging rows) whatever their partition.
constexpr uint8_t kWide = kSegGraded | kSegDelayed | kSegStaged;
constexpr uint32_t kFetchBytes = 1024;  // per segment (the rest streams in behind)

}  // namespace

void Fanout::build(std::vector<Core>& cores, const OutputAxons& out, const std::vector<int32_t>& partition) {
    const int32_t n_cores = static_cast<int32_t>(cores.size());
    if (partition.size() < 2 || partition.front() != 0 || partition.back() != n_cores ||
        !std::is_sorted(partition.begin(), partition.end()))
        throw LoadError("fanout: the partition of cores is not 0 <= ... <= n_cores");
    partition_ = partition;
    const int32_t n_parts = n_partitions();
    n_sources_ = static_cast<int64_t>(out.src_ptr().size()) - 1;

    // Accumulators, ring rows, staged groups, and a flat index of every group.
    acc_base_.assign(n_cores + 1, 0);
    std::vector<int64_t> group_id(n_cores + 1, 0);
    int32_t max_delay = 0, staged_delay = -1;
    for (int32_t c = 0; c < n_cores; ++c) {
        acc_base_[c + 1] = acc_base_[c] + cores[c].n_accumulators();
        group_id[c + 1] = group_id[c] + static_cast<int64_t>(cores[c].groups().size());
    }
    n_acc_ = acc_base_[n_cores];
    const int64_t n_groups = group_id[n_cores];
    std::vector<int64_t> stage_of(n_groups, -1);
    staged_.assign(n_parts, {});
    uint64_t sparse_total = 0, delayed_total = 0;
    for (int32_t p = 0; p < n_parts; ++p)
        for (int32_t c = partition_[p]; c < partition_[p + 1]; ++c)
            for (size_t g = 0; g < cores[c].groups().size(); ++g) {
                const SynapseGroup& G = *cores[c].groups()[g];
                max_delay = std::max(max_delay, G.max_delay());
                if (!G.dense()) {
                    sparse_total += G.n_synapses();
                    if (G.max_delay() > 0) delayed_total += G.n_synapses();
                }
                if (G.weight_exp() >= 0) continue;
                stage_of[group_id[c] + g] = stage_len_;
                staged_[p].push_back({stage_len_, acc_base_[c] + G.post_base(), G.n_post(),
                                      G.weight_exp(), G.max_delay() + 1});
                stage_len_ += G.n_post();
                staged_delay = std::max(staged_delay, G.max_delay());
            }
    n_slots_ = max_delay + 1;
    stage_slots_ = staged_delay + 1;
    ring_.assign(static_cast<size_t>(n_slots_) * n_acc_, 0);
    stage_.assign(static_cast<size_t>(stage_slots_) * stage_len_, 0);
    touched_.assign(n_parts, std::vector<uint8_t>(stage_slots_, 0));

    // Every row is reached at most once: the layout holds one copy of each synapse.
    std::vector<std::vector<uint8_t>> reached(n_groups);
    std::vector<std::vector<uint64_t>> placed(n_groups);
    for (int32_t c = 0; c < n_cores; ++c)
        for (size_t g = 0; g < cores[c].groups().size(); ++g) {
            const SynapseGroup& G = *cores[c].groups()[g];
            reached[group_id[c] + g].assign(G.n_rows(), 0);
            if (!G.dense() && G.plastic()) placed[group_id[c] + g].assign(G.n_synapses(), 0);
        }
    // Capacity for every sparse synapse: the words never move while segments point at them.
    // Packed words may: their segments learn where they are once all are written.
    words_.reserve(sparse_total);
    struct PackedAt {
        size_t segment, first;
    };
    std::vector<PackedAt> packed_at;
    delays_.reserve(delayed_total);

    struct RowRef {
        uint32_t key;  // kind | exp << 4: rows of one key share segments
        int32_t core, group, row;
    };
    std::vector<RowRef> rows;
    // The most a step's delivery can add to each accumulator through segments that may
    // add in narrow sums (mark_narrow): each weight's magnitude, or any weight learning
    // may write (256 << exp) for plastic groups.
    std::vector<uint64_t> bound(n_acc_, 0);
    // Per core: a segment reaches it that adds into the ring itself (wide), or any does.
    std::vector<uint8_t> wide(n_cores, 0), fed(n_cores, 0);
    auto most = [](const SynapseGroup& G, int32_t w) {
        return static_cast<uint64_t>(G.plastic() ? 256 : std::abs(w)) << std::max(G.weight_exp(), 0);
    };
    seg_ptr_.assign(static_cast<size_t>(n_parts) * (n_sources_ + 1), 0);
    OutputAxons::Axons axon_of(out);  // (a core's entries are all read in its partition's pass)
    for (int32_t p = 0; p < n_parts; ++p) {
        uint32_t* ptr = seg_ptr_.data() + static_cast<size_t>(p) * (n_sources_ + 1);
        for (int64_t s = 0; s < n_sources_; ++s) {
            if (segments_.size() > UINT32_MAX) throw LoadError("fanout: 2^32 or more segments of synapses");
            ptr[s] = static_cast<uint32_t>(segments_.size());
            rows.clear();
            for (int64_t e = out.begin(s); e < out.end(s); ++e) {
                const int32_t c = out.core(e);
                if (c < partition_[p] || c >= partition_[p + 1]) continue;
                const Core& core = cores[c];
                const int32_t a = axon_of(e);
                for (int64_t k = core.axon_begin(a); k < core.axon_end(a); ++k) {
                    const int32_t g = core.axon_group(k), r = core.axon_row(k);
                    uint8_t& seen = reached[group_id[c] + g][r];
                    if (seen)
                        throw LoadError("core " + std::to_string(c) + ": row " + std::to_string(r) +
                                        " of synapse group " + std::to_string(g) +
                                        " is reached by more than one output axon");
                    seen = 1;
                    const SynapseGroup& G = *core.groups()[g];
                    const bool staged = G.weight_exp() < 0;
                    const uint8_t kind = (G.dense() ? kSegDense : 0) | (G.graded() ? kSegGraded : 0) |
                                         (G.max_delay() > 0 ? kSegDelayed : 0) | (staged ? kSegStaged : 0);
                    const int8_t exp = static_cast<int8_t>(staged ? 0 : G.weight_exp());
                    fed[c] = 1;
                    wide[c] |= (kind & kWide) != 0;
                    if (G.dense()) {
                        const int64_t base = staged ? stage_of[group_id[c] + g] : acc_base_[c] + G.post_base();
                        segments_.push_back({G.dense_weights(r), G.dense_delays(r), base,
                                             static_cast<uint32_t>(G.n_post()), kind, exp});
                        if (!(kind & kWide))
                            for (int32_t i = 0; i < G.n_post(); ++i) bound[base + i] += most(G, G.dense_weights(r)[i]);
                    } else if (G.row_length(r) > 0) {
                        rows.push_back({static_cast<uint32_t>(kind) | static_cast<uint32_t>(exp) << 4, c, g, r});
                    }
                }
            }
            std::stable_sort(rows.begin(), rows.end(),
                             [](const RowRef& a, const RowRef& b) { return a.key < b.key; });
            Segment* open = nullptr;
            size_t open_first = 0;       // its first word
            bool open_packable = false;  // no plastic rows (learning rewrites 4-byte words)
            int64_t open_span = 0;       // its largest target offset
            // Moves a finished segment's words to 3 bytes each where they fit.
            auto close = [&] {
                if (!open || open->count == 0 || !open_packable || open_span > kPackedTargetMask) return;
                packed_at.push_back({segments_.size() - 1, packed_.size()});
                for (size_t k = open_first; k < words_.size(); ++k) {
                    const uint32_t x = words_[k];
                    const uint32_t y = word_target(x) | (x >> kTargetBits) << kPackedTargetBits;
                    packed_.push_back(static_cast<uint8_t>(y));
                    packed_.push_back(static_cast<uint8_t>(y >> 8));
                    packed_.push_back(static_cast<uint8_t>(y >> 16));
                }
                words_.resize(open_first);
                open->kind |= kSegPacked;
            };
            for (size_t i = 0; i < rows.size(); ++i) {
                const RowRef& ref = rows[i];
                SynapseGroup& G = *cores[ref.core].groups()[ref.group];
                const bool staged = G.weight_exp() < 0;
                const int64_t first = staged ? stage_of[group_id[ref.core] + ref.group]
                                             : acc_base_[ref.core] + G.post_base();
                const uint64_t b = G.row_begin(ref.row), end = G.row_end(ref.row);
                int64_t lo = INT64_MAX, hi = INT64_MIN;
                for (uint64_t k = b; k < end; ++k) {
                    lo = std::min<int64_t>(lo, first + G.post_of(k));
                    hi = std::max<int64_t>(hi, first + G.post_of(k));
                }
                const uint8_t kind = static_cast<uint8_t>(ref.key & 0xF);
                if (!open || (i > 0 && rows[i - 1].key != ref.key) || lo < open->base ||
                    hi - open->base > kTargetMask || open->count > UINT32_MAX - (end - b)) {
                    close();
                    if (open && open->count == 0) segments_.pop_back();
                    segments_.push_back({words_.data() + words_.size(),
                                         (kind & kSegDelayed) ? delays_.data() + delays_.size() : nullptr,
                                         lo, 0, kind, static_cast<int8_t>(ref.key >> 4)});
                    open = &segments_.back();
                    open_first = words_.size();
                    open_packable = true;
                    open_span = 0;
                }
                open_packable &= !G.plastic();
                if (end > b) open_span = std::max(open_span, hi - open->base);
                std::vector<uint64_t>& where = placed[group_id[ref.core] + ref.group];
                for (uint64_t k = b; k < end; ++k) {
                    const int16_t w = G.weight_at(k);
                    if (w == 0 && !G.plastic()) continue;  // adds nothing
                    if (G.plastic()) where[k] = words_.size();
                    words_.push_back(pack_word(static_cast<uint32_t>(first + G.post_of(k) - open->base), w));
                    if (!(kind & kWide)) bound[first + G.post_of(k)] += most(G, w);
                    if (kind & kSegDelayed) delays_.push_back(static_cast<uint8_t>(G.delay_of(k)));
                    ++open->count;
                }
            }
            close();
            if (open && open->count == 0) segments_.pop_back();
        }
        if (segments_.size() > UINT32_MAX) throw LoadError("fanout: 2^32 or more segments of synapses");
        ptr[n_sources_] = static_cast<uint32_t>(segments_.size());
    }
    packed_.push_back(0);  // (the last word's 4-byte load reads a byte past it)
    packed_.shrink_to_fit();
    for (const PackedAt& at : packed_at) segments_[at.segment].data = packed_.data() + at.first;
    mark_narrow(bound);
    // A core nothing adds into the ring for reads its input from its partition's scratch
    // row instead (core_input): its part of the ring is never touched.
    ring_cores_.assign(n_cores, 0);
    scratch_.assign(n_parts, {});
    for (int32_t p = 0; p < n_parts; ++p)
        for (int32_t c = partition_[p]; c < partition_[p + 1]; ++c) {
            ring_cores_[c] = wide[c] || (fed[c] && !narrow_parts_[p]);
            if (!ring_cores_[c] && scratch_[p].size() < static_cast<size_t>(cores[c].n_accumulators()))
                scratch_[p].assign(cores[c].n_accumulators(), 0);
        }
    // Rows no sender reaches keep their place for a learning engine (never delivered).
    for (int32_t c = 0; c < n_cores; ++c)
        for (size_t g = 0; g < cores[c].groups().size(); ++g) {
            SynapseGroup& G = *cores[c].groups()[g];
            if (G.dense()) continue;
            const int64_t id = group_id[c] + g;
            if (G.plastic()) {
                for (int32_t r = 0; r < G.n_rows(); ++r) {
                    if (reached[id][r]) continue;
                    for (uint64_t k = G.row_begin(r); k < G.row_end(r); ++k) {
                        placed[id][k] = words_.size();
                        words_.push_back(pack_word(0, G.weight_at(k)));
                    }
                }
                G.moved_to(words_.data(), std::move(placed[id]));
            } else {
                G.release();
            }
        }
}

void Fanout::mark_narrow(const std::vector<uint64_t>& bound) {
    const int32_t n_parts = n_partitions();
    narrow_parts_.assign(n_parts, 0);
    for (int32_t p = 0; p < n_parts; ++p) {
        const uint32_t* ptr = seg_ptr_.data() + static_cast<size_t>(p) * (n_sources_ + 1);
        bool any = false;
        for (uint64_t i = ptr[0]; i < ptr[n_sources_]; ++i) any |= !(segments_[i].kind & kWide);
        const auto first = bound.begin() + acc_base_[partition_[p]];
        const auto last = bound.begin() + acc_base_[partition_[p + 1]];
        const uint64_t top = first == last ? 0 : *std::max_element(first, last);
        if (!any || top >= (uint64_t{1} << 31)) continue;
        const uint8_t kind = top < (uint64_t{1} << 15) ? kSegNarrow | kSegHalf : kSegNarrow;
        narrow_parts_[p] = kind;
        for (uint64_t i = ptr[0]; i < ptr[n_sources_]; ++i)
            if (!(segments_[i].kind & kWide)) segments_[i].kind |= kind;
    }
    auto used = [&](uint8_t kind) {
        return std::find(narrow_parts_.begin(), narrow_parts_.end(), kind) != narrow_parts_.end();
    };
    if (used(kSegNarrow)) narrow_.assign(n_acc_, 0);
    if (used(kSegNarrow | kSegHalf)) half_.assign(n_acc_, 0);
    narrow_cores_.assign(acc_base_.size() - 1, 0);
    for (int32_t p = 0; p < n_parts; ++p)
        std::fill(narrow_cores_.begin() + partition_[p], narrow_cores_.begin() + partition_[p + 1], narrow_parts_[p]);
}

int64_t* Fanout::core_input(int32_t p, int32_t c, int64_t t) {
    const int64_t first = acc_base_[c], n = acc_base_[c + 1] - first;
    // (a scratch row is all zeros here: the core's update clears its input)
    int64_t* row = ring_cores_[c] ? input(t) + first : scratch_[p].data();
    if (narrow_cores_[c] & kSegHalf) fold_half(row, half_.data() + first, n);
    else if (narrow_cores_[c]) fold_narrow(row, narrow_.data() + first, n);
    return row;
}

void Fanout::deliver(int32_t p, int64_t t, const Spikes& emitted, const Spikes& inputs) {
    int64_t* ring_at[kMaxSlots];
    int64_t* stage_at[kMaxSlots];
    for (int32_t d = 0; d < n_slots_; ++d) ring_at[d] = ring_.data() + ((t + 1 + d) % n_slots_) * n_acc_;
    for (int32_t d = 0; d < stage_slots_; ++d) stage_at[d] = stage_.data() + d * stage_len_;
    const Targets ring{ring_at, narrow_.data(), half_.data(), nullptr},
        stage{stage_at, nullptr, nullptr, touched_[p].data()};
    const uint32_t* ptr = seg_ptr_.data() + static_cast<size_t>(p) * (n_sources_ + 1);
    const Segment* segments = segments_.data();
    auto send = [&](int64_t s, int64_t pay) {
        for (uint64_t i = ptr[s], end = ptr[s + 1]; i < end; ++i) {
            const Segment& g = segments[i];
            kAdd[g.kind](g, (g.kind & kSegStaged) ? stage : ring, pay);
        }
    };
    // A spike's offsets, segments and synapses, fetched in stages (prefetch.hpp).
    auto fetch_segments = [&](int64_t s) {
        prefetch_range(segments + ptr[s], (ptr[s + 1] - ptr[s]) * sizeof(Segment));
    };
    auto fetch_synapses = [&](int64_t s) {
        for (uint64_t i = ptr[s], end = ptr[s + 1]; i < end; ++i) {
            const Segment& g = segments[i];
            const uint32_t size = (g.kind & kSegDense) ? 2 : (g.kind & kSegPacked) ? 3 : 4;
            prefetch_range(g.data, std::min<uint32_t>(g.count * size, kFetchBytes));
            if (g.delay) prefetch_range(g.delay, std::min<uint32_t>(g.count, kFetchBytes));
        }
    };
    auto send_all = [&](const int32_t* srcs, const int32_t* pays, size_t m) {
        for (size_t k = 0; k < m; ++k) {
            if (k + 3 * kFetchStage < m) __builtin_prefetch(ptr + srcs[k + 3 * kFetchStage]);
            if (k + 2 * kFetchStage < m) fetch_segments(srcs[k + 2 * kFetchStage]);
            if (k + kFetchStage < m) fetch_synapses(srcs[k + kFetchStage]);
            send(srcs[k], pays[k]);
        }
    };
    send_all(inputs.src, inputs.payload, inputs.n);
    send_all(emitted.src, emitted.payload, emitted.n);
    if (stage_slots_ > 0) flush(p, t);
    // (the step's 32-bit sums wait for the next update: core_input)
}

void Fanout::flush(int32_t p, int64_t t) {
    uint8_t* touched = touched_[p].data();
    for (int32_t d = 0; d < stage_slots_; ++d) {
        if (!touched[d]) continue;
        touched[d] = 0;
        int64_t* ring_row = ring_.data() + ((t + 1 + d) % n_slots_) * n_acc_;
        int64_t* stage_row = stage_.data() + d * stage_len_;
        for (const StagedGroup& g : staged_[p]) {
            if (d >= g.n_slots) continue;
            int64_t* dst = ring_row + g.acc;
            int64_t* sum = stage_row + g.stage;
            for (int32_t i = 0; i < g.n_post; ++i) {
                dst[i] = wrap_add(dst[i], shift_signed(sum[i], g.exp));
                sum[i] = 0;
            }
        }
    }
}

void Fanout::reset() {
    std::fill(ring_.begin(), ring_.end(), 0);
    std::fill(stage_.begin(), stage_.end(), 0);
    std::fill(narrow_.begin(), narrow_.end(), 0);
    std::fill(half_.begin(), half_.end(), 0);
    for (auto& t : touched_) std::fill(t.begin(), t.end(), 0);
    for (auto& row : scratch_) std::fill(row.begin(), row.end(), 0);
}

uint64_t Fanout::memory_bytes() const {
    return words_.size() * sizeof(uint32_t) + packed_.size() + delays_.size() + segments_.size() * sizeof(Segment) +
           seg_ptr_.size() * sizeof(uint32_t);
}

uint64_t Fanout::ring_bytes() const {
    uint64_t bytes = (ring_.size() + stage_.size()) * sizeof(int64_t) + narrow_.size() * sizeof(int32_t) +
                     half_.size() * sizeof(int16_t);
    for (const auto& row : scratch_) bytes += row.size() * sizeof(int64_t);
    return bytes;
}

}  // namespace emu
