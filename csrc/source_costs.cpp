#include "source_costs.hpp"

#include <algorithm>
#include <string>

#include "errors.hpp"

namespace emu {

void SourceCosts::build(const std::vector<Core>& cores, std::vector<int64_t> src_ptr,
                        const std::vector<int32_t>& dst_core, const std::vector<int32_t>& dst_axon,
                        int32_t n_parts, bool totals) {
    ptr_ = std::move(src_ptr);
    const int64_t n_sources = static_cast<int64_t>(ptr_.size()) - 1;
    const size_t n_entries = dst_core.size();
    entries_.resize(n_entries);
    std::vector<uint64_t> total(totals ? n_sources : 0, 0), dense(total.size(), 0),
        graded(total.size(), 0);
    bool any_dense = false, any_graded = false;
    for (int64_t s = 0; s < n_sources; ++s) {
        for (int64_t e = ptr_[s]; e < ptr_[s + 1]; ++e) {
            const Core& core = cores[dst_core[e]];
            uint64_t n = 0, n_dense = 0, n_graded = 0;
            for (int64_t k = core.axon_begin(dst_axon[e]); k < core.axon_end(dst_axon[e]); ++k) {
                const SynapseGroup& g = *core.groups()[core.axon_group(k)];
                const uint64_t len = g.row_length(core.axon_row(k));
                n += len;
                n_dense += g.dense() ? len : 0;
                n_graded += g.graded() ? len : 0;
            }
            entries_[e].id = static_cast<uint32_t>(dst_core[e]);
            const bool plain = n < kReadsCount && (n_dense == 0 || n_dense == n) &&
                               (n_graded == 0 || n_graded == n);
            if (plain) {
                entries_[e].reads = static_cast<uint16_t>(n | (n_dense ? kReadsDense : 0) |
                                                  (n_graded ? kReadsGraded : 0));
            } else {
                entries_[e].reads = kReadsCount;
                escapes_.push_back({e, {n, n_dense, n_graded}});
            }
            if (totals) {
                total[s] += n;
                dense[s] += n_dense;
                graded[s] += n_graded;
            }
            any_dense |= n_dense > 0;
            any_graded |= n_graded > 0;
        }
    }
    total_ = std::move(total);
    if (any_dense) total_dense_ = std::move(dense);
    if (any_graded) total_graded_ = std::move(graded);
    uint32_t n_ids = 0;
    for (const Entry& x : entries_) n_ids = std::max(n_ids, x.id + 1);
    std::vector<uint32_t> per_id(n_ids, 0);
    for (const Entry& x : entries_)
        if (++per_id[x.id] >= (1u << 24))
            throw LoadError("output axons: core " + std::to_string(x.id) + " is the destination of 2^24 or more messages "
                            "per step; the accounting counts fewer");
    parts_.assign(n_parts, Part{std::vector<uint64_t>(n_ids, 0), std::vector<Extra>(n_ids), {},
                                std::vector<Reads>(cores.size(), Reads{})});
}

SourceCosts::Reads SourceCosts::reads_of(int64_t e) const {
    const uint16_t r = entries_[e].reads;
    const uint64_t n = r & kReadsCount;
    if (n == kReadsCount)
        return std::lower_bound(escapes_.begin(), escapes_.end(), e,
                                [](const Escape& x, int64_t entry) { return x.entry < entry; })->reads;
    return {n, (r & kReadsDense) ? n : 0, (r & kReadsGraded) ? n : 0};
}

void SourceCosts::count_rare(int64_t e, uint32_t bits, Part& part) const {
    Extra& x = part.extra[entries_[e].id];
    const Reads r = reads_of(e);
    x.bits += bits;
    x.reads += r.reads;
    x.dense += r.dense;
    x.graded += r.graded;
}

void SourceCosts::flush(int32_t p, int32_t sender, Traffic* unicast) {
    Part& part = parts_[p];
    for (uint32_t id : part.touched) {
        const uint64_t t = part.tally[id];
        Extra& x = part.extra[id];
        const int32_t c = static_cast<int32_t>(id);
        if (unicast) unicast->unicast(p, sender, c, t >> 40, x.bits);
        const uint64_t reads = (t & kTallyReads) + x.reads;  // (dense, graded: among them)
        if (reads) {
            Reads& to = part.reads[c];
            if (!to.reads) part.read_cores.push_back(c);
            to.reads += reads;
            to.dense += x.dense;
            to.graded += x.graded;
        }
        part.tally[id] = 0;
        x = Extra{};
    }
    part.touched.clear();
    if (unicast) unicast->end_sender(p);
}

void SourceCosts::end_step(Counters* const* cores) {
    for (Part& part : parts_) {
        for (int32_t c : part.read_cores) {
            Reads& r = part.reads[c];
            uint64_t* v = cores[c]->v;
            v[kSynOps] += r.reads;
            v[kSynOpsDense] += r.dense;
            v[kSynOpsGraded] += r.graded;
            r = Reads{};
        }
        part.read_cores.clear();
    }
}

void SourceCosts::discard_step() {
    for (Part& part : parts_) {
        for (uint32_t id : part.touched) {
            part.tally[id] = 0;
            part.extra[id] = Extra{};
        }
        part.touched.clear();
        std::fill(part.reads.begin(), part.reads.end(), Reads{});
        part.read_cores.clear();
    }
}

void SourceCosts::count_run(const uint64_t* outputs, Counters* const* cores) const {
    const int64_t n_sources = static_cast<int64_t>(ptr_.size()) - 1;
    for (int64_t s = 0; s < n_sources; ++s) {
        const uint64_t m = outputs[s];
        if (!m) continue;
        for (int64_t e = ptr_[s]; e < ptr_[s + 1]; ++e) {
            uint64_t* v = cores[entries_[e].id]->v;
            const Reads r = reads_of(e);
            v[kSynOps] += r.reads * m;
            v[kSynOpsDense] += r.dense * m;
            v[kSynOpsGraded] += r.graded * m;
        }
    }
}

uint64_t SourceCosts::memory_bytes() const {
    return ptr_.size() * sizeof(int64_t) + entries_.size() * sizeof(Entry) + escapes_.size() * sizeof(Escape) +
           (parts_.empty() ? 0 : parts_.size() * (parts_[0].tally.size() * (sizeof(uint64_t) + sizeof(Extra)) +
                                                parts_[0].reads.size() * sizeof(Reads))) +
           (total_.size() + total_dense_.size() + total_graded_.size()) * sizeof(uint64_t);
}

}  // namespace emu
