// Synaptic memory of one connection on one core: a SynapseGroup.
//
// Rows are indexed by the group's input axon (one per pre neuron that reaches this core
// through this connection). A row is either dense (one 16-bit weight for each of the
// group's n_post compartments, no index; optional delays add a byte per synapse) or
// sparse (CSR with 32-bit row offsets; each synapse one 32-bit word packing its local
// post index, 9-bit weight and 6-bit delay -- 4 bytes per synapse, delays included).
//
// Granularity of the weight exponent (spec section 2): within one delivery phase, every
// message's weighted row is summed into a staging area per (delay slot, post compartment)
// of this group; flush() then shifts each of those sums by weight_exp and adds it to the
// core's input ring at the arrival step. Shifting per group and per delay slot -- never
// per weight, per source core or per total -- keeps results independent of the mapping.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace emu {

// A sparse synapse in one word: bits 0-15 local post index, 16-24 weight (9-bit two's
// complement, [-256, 255]), 25-30 delay (0..62).
inline uint32_t pack_synapse(uint16_t post, int16_t weight, uint8_t delay) {
    return uint32_t{post} | ((static_cast<uint32_t>(weight) & 0x1FFu) << 16) |
           (uint32_t{delay} << 25);
}
inline uint32_t synapse_post(uint32_t s) { return s & 0xFFFFu; }
inline int64_t synapse_weight(uint32_t s) {
    return static_cast<int32_t>(s << 7) >> 23;  // sign-extend bits 16-24
}
inline uint32_t synapse_delay(uint32_t s) { return s >> 25; }

class SynapseGroup {
  public:
    // Arrays are copied and validated. row_ptr: n_rows + 1 offsets (sparse only, else
    // empty); post: local post index per synapse (sparse only); weight: prepared weights
    // in [-256, 255]; delay: empty (all 0) or one value in [0, 62] per synapse.
    SynapseGroup(const std::string& where, int32_t post_base, int32_t n_post, int32_t n_rows,
                 bool dense, std::vector<int64_t> row_ptr, std::vector<uint16_t> post,
                 std::vector<int16_t> weight, std::vector<uint8_t> delay, int32_t weight_exp,
                 bool graded);

    // Adds row `row` weighted by `payload` into the staging area; returns the synapses read.
    uint64_t accumulate(int32_t row, int32_t payload) { return (this->*accumulate_)(row, payload); }
    // Shifts the staged sums and adds them into ring slot (t + d) % n_ring_slots for every
    // delay d; ring holds n_ring_slots rows of n_core compartments.
    void flush(int64_t* ring, int32_t n_ring_slots, int32_t n_core, int64_t t);
    void reset();

    // Synapse k in storage order (the learning engine's access): rows one after the other;
    // row r holds synapses [row_begin(r), row_end(r)); post_of(k) is the local post index.
    bool dense() const { return dense_; }
    // Its rows are weighted by the messages' payloads (a graded connection).
    bool graded() const { return graded_; }
    uint64_t row_begin(int32_t r) const {
        return dense_ ? static_cast<uint64_t>(r) * n_post_ : row_ptr_[r];
    }
    uint64_t row_end(int32_t r) const {
        return dense_ ? static_cast<uint64_t>(r + 1) * n_post_ : row_ptr_[r + 1];
    }
    int32_t post_of(uint64_t k) const {
        return dense_ ? static_cast<int32_t>(k % n_post_) : static_cast<int32_t>(synapse_post(synapse_[k]));
    }
    int16_t weight_at(uint64_t k) const {
        return dense_ ? weight_[k] : static_cast<int16_t>(synapse_weight(synapse_[k]));
    }
    // w in [-256, 255] (the learning engine clips before it writes).
    void set_weight_at(uint64_t k, int16_t w) {
        if (dense_) weight_[k] = w;
        else synapse_[k] = (synapse_[k] & ~(0x1FFu << 16)) | ((static_cast<uint32_t>(w) & 0x1FFu) << 16);
    }

    int32_t post_base() const { return post_base_; }
    int32_t n_post() const { return n_post_; }
    int32_t n_rows() const { return n_rows_; }
    int32_t max_delay() const { return n_slots_ - 1; }
    uint64_t n_synapses() const { return n_synapses_; }
    uint64_t memory_bytes() const;

  private:
    template <bool kDelay, bool kGraded>
    uint64_t accumulate_dense(int32_t row, int32_t payload);
    template <bool kDelay, bool kGraded>
    uint64_t accumulate_sparse(int32_t row, int32_t payload);

    int32_t post_base_, n_post_, n_rows_;
    bool dense_, graded_;
    uint64_t n_synapses_;
    std::vector<uint32_t> row_ptr_;   // sparse: n_rows + 1 offsets into synapse_
    std::vector<uint32_t> synapse_;   // sparse: packed words, see pack_synapse()
    std::vector<int16_t> weight_;     // dense: n_rows x n_post
    std::vector<uint8_t> delay_;      // dense: n_rows x n_post, or empty if all 0
    int32_t weight_exp_;
    int32_t n_slots_;                 // max delay + 1
    std::vector<int64_t> stage_;      // n_slots_ x n_post_ raw (unshifted) sums
    std::vector<uint8_t> touched_;    // per slot: anything staged since the last flush
    uint64_t (SynapseGroup::*accumulate_)(int32_t, int32_t);
};

}  // namespace emu
