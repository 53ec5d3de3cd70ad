#include "source_costs.hpp"

#include <algorithm>
#include <string>

#include "errors.hpp"

namespace emu {

void SourceCosts::build(const std::vector<Core>& cores, const OutputAxons& out,
                        const std::vector<int64_t>& source_base, int32_t n_parts, bool totals) {
    const int64_t n_sources = static_cast<int64_t>(out.src_ptr().size()) - 1;
    const int64_t n_cores = static_cast<int64_t>(cores.size());
    source_base_ = source_base;
    std::vector<uint32_t> per_core(n_cores, 0);
    for (int64_t e = 0; e < out.n_entries(); ++e)
        if (const int32_t c = out.core(e); ++per_core[c] >= (1u << 24))
            throw LoadError("output axons: core " + std::to_string(c) + " is the destination of 2^24 "
                            "or more messages per step; the accounting counts fewer");
    HugeVector<uint64_t> total(totals ? n_sources : 0, 0), dense(total.size(), 0),
        graded(total.size(), 0);
    bool any_dense = false, any_graded = false;
    ptr_.assign(n_sources + 1, 0);
    words_.clear();
    words_.reserve(out.n_entries() + out.n_entries() / 8);
    struct Message {
        int32_t core;
        Reads reads;
    };
    std::vector<Message> messages;
    OutputAxons::Axons axon_of(out);
    for (int64_t s = 0, sender = -1; s < n_sources; ++s) {
        while (sender + 1 < n_cores && s >= source_base_[sender + 1]) ++sender;  // -1: the host's
        messages.clear();
        for (int64_t e = out.begin(s); e < out.end(s); ++e) {
            const int32_t c = out.core(e), a = axon_of(e);
            const Core& core = cores[c];
            Reads r{0, 0, 0};
            for (int64_t k = core.axon_begin(a); k < core.axon_end(a); ++k) {
                const SynapseGroup& g = *core.groups()[core.axon_group(k)];
                const uint64_t len = g.row_length(core.axon_row(k));
                r.reads += len;
                r.dense += g.dense() ? len : 0;
                r.graded += g.graded() ? len : 0;
            }
            messages.push_back({c, r});
            if (totals) {
                total[s] += r.reads;
                dense[s] += r.dense;
                graded[s] += r.graded;
            }
            any_dense |= r.dense > 0;
            any_graded |= r.graded > 0;
        }
        std::sort(messages.begin(), messages.end(),
                  [](const Message& a, const Message& b) { return a.core < b.core; });
        int64_t id = std::max<int64_t>(sender, 0);
        for (const Message& m : messages) {
            const Reads& r = m.reads;
            const int64_t step = m.core - id;
            id = m.core;
            if (step >= -2048 && step < 2048 && r.reads >= 1 && r.reads <= kShortReads && r.dense == 0 &&
                r.graded == 0) {
                words_.push_back(static_cast<uint16_t>(static_cast<uint32_t>(step) << 4 | r.reads));
                continue;
            }
            const bool plain = r.reads < kReadsCount && (r.dense == 0 || r.dense == r.reads) &&
                               (r.graded == 0 || r.graded == r.reads);
            if (!plain) escapes_.push_back({static_cast<int64_t>(words_.size()), r});
            words_.push_back(0);
            words_.push_back(static_cast<uint16_t>(m.core & 0xFFFF));
            words_.push_back(static_cast<uint16_t>(static_cast<uint32_t>(m.core) >> 16));
            words_.push_back(plain ? static_cast<uint16_t>(r.reads | (r.dense ? kReadsDense : 0) |
                                                           (r.graded ? kReadsGraded : 0))
                                   : kReadsCount);
        }
        if (messages.size() >= (uint64_t{1} << (64 - kMessagesShift)) || words_.size() > kWordMask)
            throw LoadError("output axons: source " + std::to_string(s) + " sends 2^24 or more messages, "
                            "or the sources before it 2^40 words of them; the accounting counts fewer");
        ptr_[s] |= static_cast<uint64_t>(messages.size()) << kMessagesShift;
        ptr_[s + 1] = words_.size();
    }
    words_.shrink_to_fit();
    total_ = std::move(total);
    if (any_dense) total_dense_ = std::move(dense);
    if (any_graded) total_graded_ = std::move(graded);
    parts_.assign(n_parts, Part{std::vector<Received>(n_cores, Received{}), std::vector<Reads>(n_cores, Reads{}),
                                std::vector<int32_t>(n_cores + 1, 0), 0, std::vector<uint64_t>(n_cores, 0),
                                std::vector<Extra>(n_cores), std::vector<uint32_t>(n_cores + 1, 0), 0});
}

SourceCosts::Reads SourceCosts::long_reads(const uint16_t* w) const {
    const uint16_t r = w[3];
    const uint64_t n = r & kReadsCount;
    if (n == kReadsCount) {
        const int64_t word = w - words_.data();
        return std::lower_bound(escapes_.begin(), escapes_.end(), word,
                                [](const Escape& x, int64_t at) { return x.word < at; })->reads;
    }
    return {n, (r & kReadsDense) ? n : 0, (r & kReadsGraded) ? n : 0};
}

SourceCosts::Entry SourceCosts::decode(const uint16_t* w, uint32_t id) const {
    if (*w & kShortReads) return {w + 1, id + short_step(*w), {static_cast<uint64_t>(*w & kShortReads), 0, 0}};
    return {w + kLongWords, static_cast<uint32_t>(w[1]) | static_cast<uint32_t>(w[2]) << 16, long_reads(w)};
}

void SourceCosts::count_entry(const Entry& e, Part& part) {
    Received& in = part.received[e.id];
    if (!in.messages) part.read_cores[part.n_read++] = static_cast<int32_t>(e.id);
    in.messages += 1;
    in.reads += e.reads.reads;
    Reads& rare = part.rare_reads[e.id];
    rare.dense += e.reads.dense;
    rare.graded += e.reads.graded;
}

void SourceCosts::tally_entry(const Entry& e, uint32_t bits, Part& part) {
    uint64_t& t = part.tally[e.id];
    if (!t) part.touched[part.n_touched++] = e.id;
    Extra& x = part.extra[e.id];
    if (!(t & kTallyExtra)) x = Extra{};
    t = (t + kOneMessage) | kTallyExtra;
    x.bits += bits;
    x.reads += e.reads.reads;
    x.dense += e.reads.dense;
    x.graded += e.reads.graded;
}

template <bool kUnicast>
void SourceCosts::flush(int32_t p, Traffic::Sender& packets) {
    Part& part = parts_[p];
    // locals (the stores into the sums must not make the compiler reload them)
    const uint32_t* const touched = part.touched.data();
    uint64_t* const tally = part.tally.data();
    Received* const received = part.received.data();
    int32_t* const read_cores = part.read_cores.data();
    size_t n_read = part.n_read;
    for (size_t k = 0, n = part.n_touched; k < n; ++k) {
        const uint32_t id = touched[k];
        const uint64_t t = tally[id];
        tally[id] = 0;
        Received& in = received[id];
        read_cores[n_read] = static_cast<int32_t>(id);
        n_read += in.messages == 0;
        in.messages += t >> 40;
        uint64_t bits = 0;
        if (!(t & kTallyExtra)) {
            in.reads += t & kTallyReads;
        } else {
            const Extra& x = part.extra[id];
            bits = x.bits;
            in.reads += (t & kTallyReads) + x.reads;  // (dense, graded: among them)
            Reads& rare = part.rare_reads[id];
            rare.dense += x.dense;
            rare.graded += x.graded;
        }
        if (kUnicast) packets.unicast(static_cast<int32_t>(id), t >> 40, bits);
    }
    part.n_read = n_read;
    part.n_touched = 0;
}
template void SourceCosts::flush<true>(int32_t, Traffic::Sender&);
template void SourceCosts::flush<false>(int32_t, Traffic::Sender&);

void SourceCosts::end_step(Counters* const* cores, bool unicast_packets) {
    for (Part& part : parts_) {
        for (size_t k = 0; k < part.n_read; ++k) {
            const int32_t c = part.read_cores[k];
            uint64_t* v = cores[c]->v;
            if (unicast_packets) v[kPacketsIn] += part.received[c].messages;
            v[kSynOps] += part.received[c].reads;
            v[kSynOpsDense] += part.rare_reads[c].dense;
            v[kSynOpsGraded] += part.rare_reads[c].graded;
            part.received[c] = Received{};
            part.rare_reads[c] = Reads{};
        }
        part.n_read = 0;
    }
}

void SourceCosts::discard_step() {
    for (Part& part : parts_) {
        for (size_t k = 0; k < part.n_touched; ++k) part.tally[part.touched[k]] = 0;
        part.n_touched = 0;
        std::fill(part.received.begin(), part.received.end(), Received{});
        std::fill(part.rare_reads.begin(), part.rare_reads.end(), Reads{});
        part.n_read = 0;
    }
}

void SourceCosts::count_run(const uint64_t* outputs, Counters* const* cores) const {
    const int64_t n_sources = static_cast<int64_t>(ptr_.size()) - 1;
    const int64_t n_cores = static_cast<int64_t>(source_base_.size());
    for (int64_t s = 0, sender = -1; s < n_sources; ++s) {
        while (sender + 1 < n_cores && s >= source_base_[sender + 1]) ++sender;
        const uint64_t m = outputs[s];
        if (!m) continue;
        auto add = [&](uint32_t id, const Reads& r) {
            uint64_t* v = cores[id]->v;
            v[kSynOps] += r.reads * m;
            v[kSynOpsDense] += r.dense * m;
            v[kSynOpsGraded] += r.graded * m;
        };
        walk(s, static_cast<int32_t>(sender), 0, [&](uint32_t id, uint32_t reads) { add(id, {reads, 0, 0}); },
             [&](const Entry& e) { add(e.id, e.reads); });
    }
}

uint64_t SourceCosts::memory_bytes() const {
    return ptr_.size() * sizeof(uint64_t) + words_.size() * sizeof(uint16_t) +
           escapes_.size() * sizeof(Escape) + source_base_.size() * sizeof(int64_t) +
           (parts_.empty() ? 0 : parts_.size() * parts_[0].received.size() *
                                      (sizeof(Received) + sizeof(Reads) + sizeof(int32_t) + sizeof(uint64_t) +
                                       sizeof(Extra) + sizeof(uint32_t))) +
           (total_.size() + total_dense_.size() + total_graded_.size()) * sizeof(uint64_t);
}

}  // namespace emu
