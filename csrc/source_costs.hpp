// What each source's spike costs, as tables built once at load: the accounting path.
//
// The counters must not depend on how delivery is laid out (fanout.hpp), only on the
// mapping, which is fixed at load: which cores a source's messages reach, how many stored
// synapses each message reads there, which route its packet takes. So a spike is counted
// by reading its source's entries, one per message:
//
//   entries of source s = ptr[s] .. ptr[s + 1]     (one message per destination core)
//   id      4 bytes   the destination core
//   reads   2 bytes   [graded:1 | dense:1 | synapses read:14]; synapses read = 0x3FFF
//                     escapes to a side table (big rows, or rows of mixed kinds)
//
// Each thread ("part") counts the spikes of its own cores (part 0 also the host's): a
// spike adds one to a 64-bit tally per entry's id (messages and reads together), and
// flush() moves the tallies to per-core sums of the part's own and, on unicast networks,
// sends them as packets: once per sender (a core, or the host), since a unicast packet's
// path depends on its sender and destination cores. end_step() adds the parts' sums up. Runs without per-core, per-step detail (no network) count each spike's
// total from a per-source sum instead and spread the run's totals over the cores once,
// at its end.
#pragma once
#include <cstdint>
#include <vector>

#include "core.hpp"
#include "traffic.hpp"

namespace emu {

class SourceCosts {
  public:
    // src_ptr, dst_core, dst_axon: the output-axon table. n_parts: the threads that
    // count per core (0 without the network). totals: keep each source's reads summed
    // (count_total, for runs without the network).
    void build(const std::vector<Core>& cores, std::vector<int64_t> src_ptr,
               const std::vector<int32_t>& dst_core, const std::vector<int32_t>& dst_axon,
               int32_t n_parts, bool totals);

    const std::vector<int64_t>& entry_ptr() const { return ptr_; }
    // Messages a spike of s sends (one per destination core).
    uint64_t messages(int64_t s) const { return static_cast<uint64_t>(ptr_[s + 1] - ptr_[s]); }
    // A spike of s whose messages carry `bits` payload bits each, counted by part p: its
    // messages and the synapses they read, tallied per id until flush().
    void count(int64_t s, uint32_t bits, int32_t p) {
        // locals: the stores into the tallies must not make the compiler reload the tables
        const Entry* entries = entries_.data();
        Part& part = parts_[p];
        uint64_t* words = part.tally.data();
        for (int64_t e = ptr_[s], end = ptr_[s + 1]; e < end; ++e) {
            const uint32_t id = entries[e].id;
            uint64_t& t = words[id];
            if (!t) part.touched.push_back(id);
            const uint16_t r = entries[e].reads;
            if ((r & ~kReadsCount) | bits || (r & kReadsCount) == kReadsCount) {
                t += kOneMessage;
                count_rare(e, bits, part);
                continue;
            }
            t += kOneMessage | r;  // the common entry: one message, a few binary reads
        }
    }
    // Part p's tallies: the reads to its per-core sums; with `unicast`, the messages as
    // packets from `sender` (every spike tallied since the last flush is the sender's).
    void flush(int32_t p, int32_t sender, Traffic* unicast);
    // Asks the cache for the entries of s (a spike a few spikes ahead of count()).
    void fetch(int64_t s) const {
        const int64_t e = ptr_[s], n = ptr_[s + 1] - e;
        for (int64_t k = 0; k < n; k += 10) __builtin_prefetch(entries_.data() + e + k);
    }
    // The parts' per-core sums of the step, into the cores' counters.
    void end_step(Counters* const* cores);
    // Forgets what a step that stopped half way counted.
    void discard_step();
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
    // One message: the id it counts under and the synapses it reads, side by side (a
    // spike's entries are then one stream of 6-byte records).
    struct __attribute__((packed)) Entry {
        uint32_t id;
        uint16_t reads;
    };
    // Synapses read: all of them, those in dense groups, those weighted by a payload
    // (per entry, or a core's in a step as one part counts them).
    struct Reads {
        uint64_t reads, dense, graded;
    };
    struct Escape {
        int64_t entry;
        Reads reads;
    };
    // What one id (a destination core) gathers in a step: a tally of [messages:24 |
    // reads:40] (build() checks that no id has 2^24 entries, and a step reads fewer than
    // 2^14 synapses per entry in the tally), and what rarer entries add besides.
    static constexpr uint64_t kOneMessage = uint64_t{1} << 40;
    static constexpr uint64_t kTallyReads = kOneMessage - 1;
    struct Extra {
        uint64_t bits, reads, dense, graded;
    };
    struct Part {
        std::vector<uint64_t> tally;    // per id
        std::vector<Extra> extra;       // per id
        std::vector<uint32_t> touched;  // ids with messages this step
        std::vector<Reads> reads;       // per core
        std::vector<int32_t> read_cores;  // cores with reads this step
    };
    // Entry e's reads, from its record or, for an escape, the side table.
    Reads reads_of(int64_t e) const;
    // Entry e's reads beyond the tally: graded bits, dense or graded reads, escapes.
    void count_rare(int64_t e, uint32_t bits, Part& part) const;

    std::vector<int64_t> ptr_;
    std::vector<Entry> entries_;
    std::vector<Escape> escapes_;       // by entry
    // per source, with totals (dense, graded: empty if all zero)
    std::vector<uint64_t> total_, total_dense_, total_graded_;
    std::vector<Part> parts_;
};

}  // namespace emu
