// Synaptic memory of one connection on one core, as the Program describes it: a
// SynapseGroup.
//
// Rows are indexed by the group's input axon (one per pre neuron that reaches this core
// through this connection). A row is either dense (one weight for each of the group's
// n_post compartments, no index) or sparse (CSR rows of local post indices). Weights are
// prepared mantissas in [-256, 255]; optional delays are 0..62 steps.
//
// The group is where synapses are loaded and where the learning engine finds them; it is
// not how spikes reach them. At finalize the System builds the delivery layout
// (fanout.hpp) from every group: dense rows stay here and the layout points at them;
// sparse synapses move into the layout, and the group keeps only what a learning engine
// needs to reach them there (local post indices, row offsets and each synapse's place),
// or nothing at all when no engine learns on it. Either way there is one copy of each
// weight.
//
// Granularity of the weight exponent (spec section 2): every message's weighted row is
// summed per (delay slot, post compartment) of this group within one delivery phase, and
// the sum is shifted by weight_exp; never per weight, per source core or per total, so
// that results do not depend on the mapping. (A left shift distributes over wrapping
// sums, so for weight_exp >= 0 shifting each weight is the same thing.)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "borrowed.hpp"

namespace emu {

// A sparse synapse in the delivery layout: bits 0-22 its target's offset from its
// segment's base, bits 23-31 its weight (9-bit two's complement).
constexpr uint32_t kTargetBits = 23;
constexpr uint32_t kTargetMask = (1u << kTargetBits) - 1;
inline uint32_t pack_word(uint32_t offset, int32_t weight) {
    return offset | (static_cast<uint32_t>(weight) << kTargetBits);
}
inline int32_t word_weight(uint32_t word) { return static_cast<int32_t>(word) >> kTargetBits; }
inline uint32_t word_target(uint32_t word) { return word & kTargetMask; }
// The same in 3 bytes where the offset fits 15 bits (bits 0-14, the weight in 15-23).
constexpr uint32_t kPackedTargetBits = 15;
constexpr uint32_t kPackedTargetMask = (1u << kPackedTargetBits) - 1;
constexpr uint32_t kWeightBits = 32 - kTargetBits;

class SynapseGroup {
  public:
    // Arrays are validated; a sparse group reads borrowed ones until the delivery layout
    // takes its synapses, a dense group copies its own. row_ptr: n_rows + 1 offsets
    // (sparse only, else empty); post: local post index per synapse (sparse only);
    // weight: prepared weights in [-256, 255]; delay: empty (all 0) or one value in
    // [0, 62] per synapse.
    SynapseGroup(const std::string& where, int32_t post_base, int32_t n_post, int32_t n_rows,
                 bool dense, Borrowed<uint32_t> row_ptr, Borrowed<uint16_t> post,
                 Borrowed<int16_t> weight, Borrowed<uint8_t> delay, int32_t weight_exp,
                 bool graded);

    // Synapse k in storage order: rows one after the other; row r holds synapses
    // [row_begin(r), row_end(r)); post_of(k) is the local post index.
    bool dense() const { return dense_; }
    // Its rows are weighted by the messages' payloads (a graded connection).
    bool graded() const { return graded_; }
    uint64_t row_begin(int32_t r) const {
        return dense_ ? static_cast<uint64_t>(r) * n_post_ : row_ptr_[r];
    }
    uint64_t row_end(int32_t r) const {
        return dense_ ? static_cast<uint64_t>(r + 1) * n_post_ : row_ptr_[r + 1];
    }
    uint64_t row_length(int32_t r) const { return row_end(r) - row_begin(r); }
    int32_t post_of(uint64_t k) const {
        return dense_ ? static_cast<int32_t>(k % n_post_) : post_[k];
    }
    int32_t delay_of(uint64_t k) const { return delay_.empty() ? 0 : delay_[k]; }
    int16_t weight_at(uint64_t k) const {
        return words_ ? static_cast<int16_t>(word_weight(words_[placed_[k]])) : weight_[k];
    }
    // w in [-256, 255] (the learning engine clips before it writes).
    void set_weight_at(uint64_t k, int16_t w) {
        if (!words_) {  // (dense: its own weights)
            weight_.own()[k] = w;
            return;
        }
        uint32_t& word = words_[placed_[k]];
        word = pack_word(word_target(word), w);
    }
    // Dense rows, for the delivery layout: row r's weights and delays (null: none).
    const int16_t* dense_weights(int32_t r) const { return weight_.data() + row_begin(r); }
    const uint8_t* dense_delays(int32_t r) const {
        return delay_.empty() ? nullptr : delay_.data() + row_begin(r);
    }

    // Sparse groups, once the delivery layout holds their synapses: synapse k now lives
    // in words[placed[k]] (a group a learning engine uses), or the group lets go of its
    // synapses (a group nothing reads again).
    void moved_to(uint32_t* words, std::vector<uint64_t> placed);
    void release();
    bool plastic() const { return plastic_; }
    void set_plastic() { plastic_ = true; }

    int32_t post_base() const { return post_base_; }
    int32_t n_post() const { return n_post_; }
    int32_t n_rows() const { return n_rows_; }
    int32_t weight_exp() const { return weight_exp_; }
    int32_t max_delay() const { return max_delay_; }
    uint64_t n_synapses() const { return n_synapses_; }
    // Bytes this group still holds (the moved sparse synapses count in the layout's).
    uint64_t memory_bytes() const;

  private:
    int32_t post_base_, n_post_, n_rows_;
    bool dense_, graded_, plastic_ = false;
    uint64_t n_synapses_;
    int32_t weight_exp_;
    int32_t max_delay_ = 0;
    Borrowed<uint32_t> row_ptr_;      // sparse: n_rows + 1 offsets
    Borrowed<uint16_t> post_;         // sparse: local post index per synapse
    Borrowed<int16_t> weight_;        // dense: n_rows x n_post (its own); sparse: until moved
    Borrowed<uint8_t> delay_;         // one per synapse, or empty if all 0
    uint32_t* words_ = nullptr;       // sparse, moved: the layout's words
    std::vector<uint64_t> placed_;    // sparse, moved: each synapse's word
};

}  // namespace emu
