#include "fanout.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <string>
#include <type_traits>
#include <utility>

#include "errors.hpp"
#include "fixed_point.hpp"
#include "multiversion.hpp"

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

EMU_MULTIVERSION
void add_row_narrow(int32_t* a, const int16_t* w, uint32_t n, int e) {
    for (uint32_t i = 0; i < n; ++i)
        a[i] = static_cast<int32_t>(static_cast<uint32_t>(a[i]) + (static_cast<uint32_t>(w[i]) << e));
}

// Adds n 32-bit sums into the accumulators and clears them.
EMU_MULTIVERSION
void fold_narrow(int64_t* __restrict a, int32_t* __restrict sums, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        a[i] = wrap_add(a[i], sums[i]);
        sums[i] = 0;
    }
}

// Where a segment's synapses go: slot[d] for delay d (the ring's rows, or the staging
// rows), or `narrow` (the step's 32-bit sums, kSegNarrow).
struct Targets {
    int64_t* const* slot;
    int32_t* narrow;
    uint8_t* touched;  // per staging row: something was added
};

// Adds one segment's synapses weighted by payload p.
// A binary connection counts any nonzero payload as 1 (spec section 2): only nonzero
// payloads are delivered, so its contribution is the weight itself.
template <int K>
void add_segment(const Segment& s, const Targets& to, int64_t p) {
    constexpr bool kDense = K & kSegDense, kGraded = K & kSegGraded;
    constexpr bool kDelayed = K & kSegDelayed, kStaged = K & kSegStaged;
    constexpr bool kNarrow = K & kSegNarrow;  // binary, no delay, not staged
    const int e = s.exp;
    const uint32_t n = s.count;
    auto value = [&](int64_t w) {
        const int64_t v = shl(w, e);
        return kGraded ? wrap_mul(v, p) : v;
    };
    int64_t* const* slot = to.slot;
    uint8_t* touched = to.touched;
    if constexpr (kNarrow) {
        int32_t* a = to.narrow + s.base;
        if constexpr (kDense) {
            add_row_narrow(a, static_cast<const int16_t*>(s.data), n, e);
        } else {
            const uint32_t* w = static_cast<const uint32_t*>(s.data);
            auto add = [&](auto shift) {  // the common exponent 0 without a shift per synapse
                for (uint32_t k = 0; k < n; ++k) {
                    const uint32_t x = w[k];
                    int32_t& t = a[word_target(x)];
                    t = static_cast<int32_t>(static_cast<uint32_t>(t) +
                                             (static_cast<uint32_t>(word_weight(x)) << shift));
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
        const uint32_t* w = static_cast<const uint32_t*>(s.data);
        if constexpr (kDelayed) {
            for (uint32_t k = 0; k < n; ++k) {
                const uint32_t x = w[k];
                const uint8_t d = s.delay[k];
                int64_t& a = slot[d][s.base + word_target(x)];
                a = wrap_add(a, value(word_weight(x)));
                if constexpr (kStaged) touched[d] = 1;
            }
        } else {
            int64_t* a = slot[0] + s.base;
            for (uint32_t k = 0; k < n; ++k) {
                const uint32_t x = w[k];
                int64_t& t = a[word_target(x)];
                t = wrap_add(t, value(word_weight(x)));
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
constexpr size_t kFetchAhead = 4;      // spikes
constexpr uint32_t kFetchBytes = 1024; // per segment (the rest streams in behind)

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
    words_.reserve(sparse_total);
    delays_.reserve(delayed_total);

    struct RowRef {
        uint32_t key;  // kind | exp << 4: rows of one key share segments
        int32_t core, group, row;
    };
    std::vector<RowRef> rows;
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
                    if (G.dense()) {
                        const int64_t base = staged ? stage_of[group_id[c] + g] : acc_base_[c] + G.post_base();
                        segments_.push_back({G.dense_weights(r), G.dense_delays(r), base,
                                             static_cast<uint32_t>(G.n_post()), kind, exp});
                    } else if (G.row_length(r) > 0) {
                        rows.push_back({static_cast<uint32_t>(kind) | static_cast<uint32_t>(exp) << 4, c, g, r});
                    }
                }
            }
            std::stable_sort(rows.begin(), rows.end(),
                             [](const RowRef& a, const RowRef& b) { return a.key < b.key; });
            Segment* open = nullptr;
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
                    if (open && open->count == 0) segments_.pop_back();
                    segments_.push_back({words_.data() + words_.size(),
                                         (kind & kSegDelayed) ? delays_.data() + delays_.size() : nullptr,
                                         lo, 0, kind, static_cast<int8_t>(ref.key >> 4)});
                    open = &segments_.back();
                }
                std::vector<uint64_t>& where = placed[group_id[ref.core] + ref.group];
                for (uint64_t k = b; k < end; ++k) {
                    const int16_t w = G.weight_at(k);
                    if (w == 0 && !G.plastic()) continue;  // adds nothing
                    if (G.plastic()) where[k] = words_.size();
                    words_.push_back(pack_word(static_cast<uint32_t>(first + G.post_of(k) - open->base), w));
                    if (kind & kSegDelayed) delays_.push_back(static_cast<uint8_t>(G.delay_of(k)));
                    ++open->count;
                }
            }
            if (open && open->count == 0) segments_.pop_back();
        }
        if (segments_.size() > UINT32_MAX) throw LoadError("fanout: 2^32 or more segments of synapses");
        ptr[n_sources_] = static_cast<uint32_t>(segments_.size());
    }
    mark_narrow();
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

void Fanout::mark_narrow() {
    constexpr uint8_t kWide = kSegGraded | kSegDelayed | kSegStaged;
    const int32_t n_parts = n_partitions();
    narrow_parts_.assign(n_parts, 0);
    std::vector<uint64_t> bound(n_acc_, 0);  // the most a step can add, per accumulator
    for (int32_t p = 0; p < n_parts; ++p) {
        const uint32_t* ptr = seg_ptr_.data() + static_cast<size_t>(p) * (n_sources_ + 1);
        bool any = false;
        for (uint64_t i = ptr[0]; i < ptr[n_sources_]; ++i) {
            const Segment& g = segments_[i];
            if (g.kind & kWide) continue;
            any = true;
            const uint64_t most = uint64_t{256} << g.exp;  // any weight learning may write
            if (g.kind & kSegDense) {
                for (uint32_t k = 0; k < g.count; ++k) bound[g.base + k] += most;
            } else {
                const uint32_t* w = static_cast<const uint32_t*>(g.data);
                for (uint32_t k = 0; k < g.count; ++k) bound[g.base + word_target(w[k])] += most;
            }
        }
        const auto first = bound.begin() + acc_base_[partition_[p]];
        const auto last = bound.begin() + acc_base_[partition_[p + 1]];
        if (!any || (first != last && *std::max_element(first, last) >= (uint64_t{1} << 31))) continue;
        narrow_parts_[p] = 1;
        for (uint64_t i = ptr[0]; i < ptr[n_sources_]; ++i)
            if (!(segments_[i].kind & kWide)) segments_[i].kind |= kSegNarrow;
    }
    if (std::find(narrow_parts_.begin(), narrow_parts_.end(), 1) != narrow_parts_.end())
        narrow_.assign(n_acc_, 0);
    narrow_cores_.assign(acc_base_.size() - 1, 0);
    for (int32_t p = 0; p < n_parts; ++p)
        std::fill(narrow_cores_.begin() + partition_[p], narrow_cores_.begin() + partition_[p + 1], narrow_parts_[p]);
}

int64_t* Fanout::core_input(int32_t c, int64_t t) {
    int64_t* row = input(t) + acc_base_[c];
    if (narrow_cores_[c]) fold_narrow(row, narrow_.data() + acc_base_[c], acc_base_[c + 1] - acc_base_[c]);
    return row;
}

void Fanout::deliver(int32_t p, int64_t t, const int32_t* src, const int32_t* payload, size_t n,
                     const int32_t* input_row, int32_t n_inputs) {
    int64_t* ring_at[kMaxSlots];
    int64_t* stage_at[kMaxSlots];
    for (int32_t d = 0; d < n_slots_; ++d) ring_at[d] = ring_.data() + ((t + 1 + d) % n_slots_) * n_acc_;
    for (int32_t d = 0; d < stage_slots_; ++d) stage_at[d] = stage_.data() + d * stage_len_;
    const Targets ring{ring_at, narrow_.data(), nullptr}, stage{stage_at, nullptr, touched_[p].data()};
    const uint32_t* ptr = seg_ptr_.data() + static_cast<size_t>(p) * (n_sources_ + 1);
    const Segment* segments = segments_.data();
    auto send = [&](int64_t s, int64_t pay) {
        for (uint64_t i = ptr[s], end = ptr[s + 1]; i < end; ++i) {
            const Segment& g = segments[i];
            kAdd[g.kind](g, (g.kind & kSegStaged) ? stage : ring, pay);
        }
    };
    // Spikes come in source order, not memory order: fetch the synapses of a spike a
    // few spikes ahead, so that their cache misses overlap the work on this one.
    auto fetch = [&](int64_t s) {
        for (uint64_t i = ptr[s], end = ptr[s + 1]; i < end; ++i) {
            const Segment& g = segments[i];
            const char* data = static_cast<const char*>(g.data);
            const uint32_t bytes = std::min<uint32_t>(g.count * ((g.kind & kSegDense) ? 2 : 4), kFetchBytes);
            for (uint32_t at = 0; at < bytes; at += 64) __builtin_prefetch(data + at);
        }
    };
    for (int32_t j = 0; j < n_inputs; ++j)
        if (input_row[j] != 0) send(j, input_row[j]);
    for (size_t k = 0; k < n; ++k) {
        if (k + kFetchAhead < n) fetch(src[k + kFetchAhead]);
        send(src[k], payload[k]);
    }
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
    for (auto& t : touched_) std::fill(t.begin(), t.end(), 0);
}

uint64_t Fanout::memory_bytes() const {
    return words_.size() * sizeof(uint32_t) + delays_.size() + segments_.size() * sizeof(Segment) +
           seg_ptr_.size() * sizeof(uint32_t);
}

uint64_t Fanout::ring_bytes() const {
    return (ring_.size() + stage_.size()) * sizeof(int64_t) + narrow_.size() * sizeof(int32_t);
}

}  // namespace emu
