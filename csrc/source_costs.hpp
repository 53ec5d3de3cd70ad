// What each source's spike costs, as tables built once at load: the accounting path.
//
// The counters must not depend on how delivery is laid out (fanout.hpp), only on the
// mapping, which is fixed at load: which cores a source's messages reach, how many stored
// synapses each message reads there, which route its packet takes. So a spike is counted
// by reading its source's entries, one per message:
//
//   entries of source s = ptr[s] .. ptr[s + 1]     (one message per destination core)
//   id[e]     4 bytes   the destination core, or the unicast route the packet takes
//   reads[e]  2 bytes   [graded:1 | dense:1 | synapses read:14]; synapses read = 0x3FFF
//                       escapes to a side table (big rows, or rows of mixed kinds)
//
// Runs without per-core, per-step detail (no network) count each spike's total from a
// per-source sum instead and spread the run's totals over the cores once, at its end.
#pragma once
#include <cstdint>
#include <vector>

#include "core.hpp"
#include "traffic.hpp"

namespace emu {

class SourceCosts {
  public:
    // src_ptr, dst_core, dst_axon: the output-axon table; entry_route: per entry its
    // unicast route (empty: ids are cores); route_core: per route its destination core.
    void build(const std::vector<Core>& cores, std::vector<int64_t> src_ptr,
               const std::vector<int32_t>& dst_core, const std::vector<int32_t>& dst_axon,
               const std::vector<int32_t>& entry_route, std::vector<int32_t> route_core);

    const std::vector<int64_t>& entry_ptr() const { return ptr_; }
    // Messages a spike of s sends (one per destination core).
    uint64_t messages(int64_t s) const { return static_cast<uint64_t>(ptr_[s + 1] - ptr_[s]); }
    // A spike of s: the synapses each message reads, to its core's counters; with
    // `unicast`, each message's packet (carrying `bits` payload bits) on its route.
    void count(int64_t s, uint32_t bits, Counters* const* cores, Traffic* unicast) const {
        for (int64_t e = ptr_[s], end = ptr_[s + 1]; e < end; ++e) {
            const uint32_t id = id_[e];
            if (unicast) unicast->send(static_cast<int32_t>(id), bits);
            add_reads(e, cores[route_core_.empty() ? id : route_core_[id]]->v);
        }
    }
    // A spike of s, its reads summed over its messages.
    void count_total(int64_t s, Counters& total) const {
        total.v[kSynOps] += total_[s];
        if (!total_dense_.empty()) total.v[kSynOpsDense] += total_dense_[s];
        if (!total_graded_.empty()) total.v[kSynOpsGraded] += total_graded_[s];
    }
    // The reads of a whole run from the spikes of each source (outputs[s]), per core.
    void count_run(const uint64_t* outputs, Counters* const* cores) const;

    uint64_t memory_bytes() const;

  private:
    static constexpr uint16_t kReadsDense = 0x4000, kReadsGraded = 0x8000, kReadsCount = 0x3FFF;
    struct Escape {
        int64_t entry;
        uint64_t reads, dense, graded;
    };
    void add_reads(int64_t e, uint64_t* v, uint64_t times = 1) const {
        const uint16_t r = reads_[e];
        const uint64_t n = r & kReadsCount;
        if (n == kReadsCount) {
            add_escape(e, v, times);
            return;
        }
        v[kSynOps] += n * times;
        if (r & kReadsDense) v[kSynOpsDense] += n * times;
        if (r & kReadsGraded) v[kSynOpsGraded] += n * times;
    }
    void add_escape(int64_t e, uint64_t* v, uint64_t times) const;

    std::vector<int64_t> ptr_;
    std::vector<uint32_t> id_;
    std::vector<uint16_t> reads_;
    std::vector<Escape> escapes_;       // by entry
    std::vector<int32_t> route_core_;   // unicast: per route, its destination core
    std::vector<uint64_t> total_, total_dense_, total_graded_;  // per source (dense, graded:
                                                               // empty if all zero)
};

}  // namespace emu
