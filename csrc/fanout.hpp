// The delivery layout: how a step's spikes reach the dendritic accumulators, whatever
// the split of the network into cores.
//
// Each source's synapses sit together, one run ("segment") per kind of synapse, and add
// straight into the accumulators of the cores that hold their targets:
//
//   segments of source s (partition p) = seg_ptr[p][s] .. seg_ptr[p][s + 1]
//   Segment  {data, delays, count, base, kind, exp}
//     sparse: data -> count words, each  [weight:9 | target - base:23]  (4 bytes), or
//             where every offset fits 15 bits and no weight learns (kSegPacked)
//                                        [weight:9 | target - base:15]  (3 bytes)
//     dense:  data -> a dense group's row of count int16 weights, targets base + i
//     delays: one byte per synapse (delayed kinds only)
//
// Targets are accumulators of the input ring (ring[slot][accumulator], every core's
// accumulators side by side), or, for connections with a negative weight exponent, a
// staging area (stage[delay][staged index]) whose sums are shifted and added to the ring
// once per step (flush): the exponent's granularity of spec section 2, per group, per
// delay slot and per post compartment. A non-negative exponent is applied to each weight
// as it is added (a left shift distributes over wrapping sums: the same result).
//
// A partition whose accumulators cannot overflow 32 bits in one step's delivery (the sum
// of the magnitudes of the weights reaching each, or 256 << exp for weights learning may
// change, below 2^31) adds its binary, undelayed, unstaged segments into 32-bit sums
// instead ("narrow"), or into 16-bit sums below 2^15 (a hundred synapses of full-range
// weights): a half or a quarter of the bytes, so more of them stay in the cache while
// spikes add to them in random order; they join the ring once per step.
//
// Partitions cut the cores into contiguous ranges, one per thread: partition p's
// segments hold only the synapses whose targets are on its cores, so threads never write
// the same accumulator, and every accumulator's sum is the same whatever the partition
// (two's-complement sums do not depend on their order).
#pragma once
#include <cstdint>
#include <vector>

#include "core.hpp"
#include "huge_pages.hpp"
#include "output_axons.hpp"
#include "spikes.hpp"

namespace emu {

enum SegmentKind : uint8_t { kSegDense = 1, kSegGraded = 2, kSegDelayed = 4, kSegStaged = 8,
                             kSegNarrow = 16, kSegHalf = 32, kSegPacked = 64, kSegKinds = 128 };

struct Segment {
    const void* data;       // uint32_t words (sparse) or int16_t weights (dense)
    const uint8_t* delay;   // one per synapse (kSegDelayed), else null
    int64_t base;           // target of offset 0 (ring accumulator or staged index)
    uint32_t count;         // synapses
    uint8_t kind;           // SegmentKind bits
    int8_t exp;             // left shift of each weight (0 for staged segments)
};

class Fanout {
  public:
    // Builds the layout and moves the sparse synapses into it (SynapseGroup::moved_to,
    // release). partition: P + 1 core boundaries, 0 first, n_cores last. Throws
    // LoadError if a row of a group is reached by more than one output-axon entry.
    void build(std::vector<Core>& cores, const OutputAxons& out, const std::vector<int32_t>& partition);

    // Step t's delivery into partition p: the spikes the cores emitted and those of the
    // input channels; then flush().
    void deliver(int32_t p, int64_t t, const Spikes& emitted, const Spikes& inputs);
    // Core c's input of step t (c in partition p), ready for its update: its part of the
    // ring's row, or of p's scratch row if nothing adds into its ring, with the narrow
    // sums of the step before added in (here, where the update reads them at once, rather
    // than in a pass of its own over every accumulator after delivery).
    int64_t* core_input(int32_t p, int32_t c, int64_t t);
    void reset();

    int32_t n_partitions() const { return static_cast<int32_t>(partition_.size()) - 1; }
    // Bytes of the layout (words, delays, segments and their offsets) and of the ring.
    uint64_t memory_bytes() const;
    uint64_t ring_bytes() const;

  private:
    // The input ring's row for step t: core c's accumulators start at acc_base_[c].
    int64_t* input(int64_t t) { return ring_.data() + (t % n_slots_) * n_acc_; }
    // Marks the segments of partitions that may add in 32 bits (kSegNarrow) or 16
    // (kSegHalf too), from the most a step may add to each accumulator.
    void mark_narrow(const std::vector<uint64_t>& bound);
    // Shifts partition p's staged sums of step t's delivery into the ring.
    void flush(int32_t p, int64_t t);

    struct StagedGroup {
        int64_t stage, acc;  // its first staged index and first ring accumulator
        int32_t n_post, exp, n_slots;
    };
    std::vector<int32_t> partition_;
    std::vector<int64_t> acc_base_;        // per core, then the total
    int64_t n_acc_ = 0;
    int32_t n_slots_ = 1;                  // ring rows: the longest delay + 1
    HugeVector<int64_t> ring_;
    HugeVector<int32_t> narrow_;          // n_acc_ 32-bit sums of a step (kSegNarrow)
    HugeVector<int16_t> half_;            // n_acc_ 16-bit sums of a step (kSegHalf)
    std::vector<uint8_t> narrow_parts_;    // per partition: its narrow kind (0: none)
    std::vector<uint8_t> narrow_cores_;    // per core: its partition's
    std::vector<uint8_t> ring_cores_;      // per core: something adds into its ring row
    std::vector<std::vector<int64_t>> scratch_;  // per partition: the input of its other cores
    HugeVector<uint32_t> seg_ptr_;        // P x (n_sources + 1)
    int64_t n_sources_ = 0;
    HugeVector<Segment> segments_;
    HugeVector<uint32_t> words_;
    HugeVector<uint8_t> packed_;  // 3-byte words (kSegPacked), then a byte to spare
    HugeVector<uint8_t> delays_;
    // Staging for negative exponents.
    int64_t stage_len_ = 0;
    int32_t stage_slots_ = 0;
    std::vector<int64_t> stage_;           // stage_slots_ x stage_len_
    std::vector<std::vector<StagedGroup>> staged_;  // per partition
    std::vector<std::vector<uint8_t>> touched_;     // per partition, per delay slot
};

}  // namespace emu
