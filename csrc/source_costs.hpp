// What each source's spike costs, as tables built once at load: the accounting path.
//
// The counters must not depend on how delivery is laid out (fanout.hpp), only on the
// mapping, which is fixed at load: which cores a source's messages reach, how many stored
// synapses each message reads there, which route its packet takes. So a spike is counted
// by reading its source's entries, one per message, in order of destination core, as
// 16-bit words (a network whose messages each carry a synapse or two needs 2 bytes per
// synapse, not 8):
//
//   entries of source s = words ptr[s] .. ptr[s + 1]  (ptr[s]: [messages:24 | word:40])
//   short entry   [step:12 | reads:4]     destination = the previous one + step, a signed
//                                         step in [-2048, 2048) (the first: from the
//                                         sender's core; the host's sources: from 0);
//                                         reads 1..15 synapses of binary, sparse groups
//   long entry    [0], core low, core high, [graded:1 | dense:1 | synapses read:14]
//                 synapses read = 0x3FFF escapes to a side table (big rows, or rows of
//                 mixed kinds), keyed by the entry's first word
//
// Each thread ("part") counts the spikes of its own cores and a share of the host's: each
// message adds to its destination core's sums of the part (messages received and
// synapses read, side by side: one cache line a message) and, on unicast networks, is
// handed to the sender's packets (Traffic::Sender: a unicast packet's path depends on its
// sender and destination cores). A sender with many spikes in a step (a small, busy
// network) has its messages tallied per destination core first, a 64-bit word each, and
// flushed to the sums and packets once per destination. end_step() adds the parts' sums
// up. Runs without
// per-core, per-step detail (no network) count each spike's total from a per-source sum
// instead and spread the run's totals over the cores once, at its end.
#pragma once
#include <cstdint>
#include <vector>

#include "core.hpp"
#include "huge_pages.hpp"
#include "output_axons.hpp"
#include "prefetch.hpp"
#include "traffic.hpp"

namespace emu {

class SourceCosts {
  public:
    // out: the output-axon table; source_base: per core its first source. n_parts: the
    // threads that count per core (0 without the network). totals: keep each source's
    // reads summed (count_total, for runs without the network).
    void build(const std::vector<Core>& cores, const OutputAxons& out,
               const std::vector<int64_t>& source_base, int32_t n_parts, bool totals);

    // Messages a spike of s sends (one per destination core).
    uint64_t messages(int64_t s) const { return ptr_[s] >> kMessagesShift; }
    // A spike of s (a source of core `sender`, -1: the host's) whose messages carry
    // `bits` payload bits each, counted by part p: its messages and the synapses they
    // read, into the part's sums per destination core; with kUnicast, each message also
    // to the sender's packets.
    template <bool kUnicast>
    void count(int64_t s, int32_t sender, uint32_t bits, int32_t p, Traffic::Sender& packets) {
        // locals (the stores into the sums must not make the compiler reload them), and no
        // branch on whether a destination is new: the list has room for every core
        Part& part = parts_[p];
        Received* const received = part.received.data();
        int32_t* const read_cores = part.read_cores.data();
        size_t n_read = part.n_read;
        walk(s, sender, bits, [&](uint32_t id, uint32_t reads) {
            Received& in = received[id];
            read_cores[n_read] = static_cast<int32_t>(id);
            n_read += in.messages == 0;
            in.messages += 1;
            in.reads += reads;
            if (kUnicast) packets.unicast(static_cast<int32_t>(id), 1, 0);
        }, [&](const Entry& e) {
            part.n_read = n_read;
            count_entry(e, part);
            n_read = part.n_read;
            if (kUnicast) packets.unicast(static_cast<int32_t>(e.id), 1, bits);
        });
        part.n_read = n_read;
    }
    // A spike of s as count() has it, tallied per destination core until flush().
    void tally(int64_t s, int32_t sender, uint32_t bits, int32_t p) {
        Part& part = parts_[p];
        uint64_t* const tally = part.tally.data();
        uint32_t* const touched = part.touched.data();
        size_t n_touched = part.n_touched;
        walk(s, sender, bits, [&](uint32_t id, uint32_t reads) {
            const uint64_t t = tally[id];
            touched[n_touched] = id;
            n_touched += t == 0;
            tally[id] = t + (kOneMessage | reads);
        }, [&](const Entry& e) {
            part.n_touched = n_touched;
            tally_entry(e, bits, part);
            n_touched = part.n_touched;
        });
        part.n_touched = n_touched;
    }
    // Part p's tallies into its sums and, with kUnicast, the sender's packets.
    template <bool kUnicast>
    void flush(int32_t p, Traffic::Sender& packets);
    // Asks the cache for the offsets of s, then (a stage later: prefetch.hpp) its entries.
    void fetch_offsets(int64_t s) const { __builtin_prefetch(ptr_.data() + s); }
    void fetch(int64_t s) const {
        const int64_t e = first_word(s);
        prefetch_range(words_.data() + e, static_cast<size_t>(first_word(s + 1) - e) * sizeof(uint16_t));
    }
    // The parts' per-core sums of the step, into the cores' counters; with
    // `unicast_packets`, the messages each core received as its packets in (on a unicast
    // network a message is one packet to its destination core).
    void end_step(Counters* const* cores, bool unicast_packets);
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
    static constexpr uint16_t kShortReads = 0xF, kReadsDense = 0x4000, kReadsGraded = 0x8000,
                              kReadsCount = 0x3FFF;
    static constexpr int kMessagesShift = 40;
    static constexpr uint64_t kWordMask = (uint64_t{1} << kMessagesShift) - 1;
    int64_t first_word(int64_t s) const { return static_cast<int64_t>(ptr_[s] & kWordMask); }
    // A short entry's signed step (an arithmetic shift of the word as a signed one).
    static uint32_t short_step(uint32_t x) {
        return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(x)) >> 4);
    }
    static constexpr int kLongWords = 4;
    // Synapses read: all of them, those in dense groups, those weighted by a payload
    // (per entry, or a core's in a step as one part counts them).
    struct Reads {
        uint64_t reads, dense, graded;
    };
    struct Escape {
        int64_t word;  // the long entry's first word
        Reads reads;
    };
    struct Received {
        uint64_t messages, reads;
    };
    // A tally per destination core: [messages:24 | extra:1 | reads:39] (a sender's
    // messages in a step to one core are fewer than the entries that name it, which
    // build() holds below 2^24, and each reads fewer than 2^14 synapses), and, flagged by
    // the extra bit, what rarer entries add besides (so that the common flush reads one
    // word per core).
    static constexpr uint64_t kOneMessage = uint64_t{1} << 40;
    static constexpr uint64_t kTallyExtra = uint64_t{1} << 39;
    static constexpr uint64_t kTallyReads = kTallyExtra - 1;
    struct Extra {
        uint64_t bits, reads, dense, graded;
    };
    struct Part {
        // per core, this step: messages received and synapses read, and of the reads
        // dense and graded ones (apart: rare)
        std::vector<Received> received;
        std::vector<Reads> rare_reads;    // (reads unused)
        std::vector<int32_t> read_cores;  // cores with messages: the first n_read
        size_t n_read = 0;
        // the sender's tallies, per destination core
        std::vector<uint64_t> tally;
        std::vector<Extra> extra;       // where the tally says
        std::vector<uint32_t> touched;  // destinations tallied: the first n_touched
        size_t n_touched = 0;
    };
    // The reads of the long entry at w, from its last word or, for an escape, the side table.
    Reads long_reads(const uint16_t* w) const;
    // The entry at w (of any kind; the previous destination was id): its destination,
    // its reads and the next entry.
    struct Entry {
        const uint16_t* next;
        uint32_t id;
        Reads reads;
    };
    Entry decode(const uint16_t* w, uint32_t id) const;
    // Walks the entries of s (a source of core `sender`) whose messages carry `bits`
    // payload bits: on_short(destination, reads) for the common entry (one message of a
    // few binary reads), on_other(entry) for the rest.
    template <class Short, class Other>
    void walk(int64_t s, int32_t sender, uint32_t bits, Short on_short, Other on_other) const {
        const uint16_t* w = words_.data() + first_word(s);
        const uint16_t* const end = words_.data() + first_word(s + 1);
        uint32_t id = sender < 0 ? 0 : static_cast<uint32_t>(sender);
        while (w < end) {
            const uint32_t x = *w;
            if (__builtin_expect((x & kShortReads) && !bits, 1)) {
                id += short_step(x);
                on_short(id, x & kShortReads);
                ++w;
                continue;
            }
            const Entry e = decode(w, id);
            on_other(e);
            w = e.next;
            id = e.id;
        }
    }
    // Counts entry e (of any kind) into part's sums, or tallies it.
    static void count_entry(const Entry& e, Part& part);
    static void tally_entry(const Entry& e, uint32_t bits, Part& part);

    HugeVector<uint64_t> ptr_;         // per source, its messages and first word
    HugeVector<uint16_t> words_;
    std::vector<Escape> escapes_;      // by word
    std::vector<int64_t> source_base_;  // per core, its first source
    // per source, with totals (dense, graded: empty if all zero)
    HugeVector<uint64_t> total_, total_dense_, total_graded_;
    std::vector<Part> parts_;
};

}  // namespace emu
