#include "synapses.hpp"

#include <algorithm>
#include <cstdint>

#include "errors.hpp"
#include "fixed_point.hpp"

namespace emu {

constexpr int32_t kMaxDelay = 62;  // spec section 2: delays 0..62 on the target

SynapseGroup::SynapseGroup(const std::string& where, int32_t post_base, int32_t n_post,
                           int32_t n_rows, bool dense, std::vector<int64_t> row_ptr,
                           std::vector<uint16_t> post, std::vector<int16_t> weight,
                           std::vector<uint8_t> delay, int32_t weight_exp, bool graded)
    : post_base_(post_base), n_post_(n_post), n_rows_(n_rows), dense_(dense), graded_(graded),
      n_synapses_(weight.size()), weight_exp_(weight_exp) {
    require_range(where, "n_post", n_post, 1, 65536);
    require_range(where, "n_rows", n_rows, 0, 1 << 30);
    require_range(where, "weight_exp", weight_exp, -8, 8);
    for (int16_t w : weight) require_range<int32_t>(where, "weight", w, -256, 255);
    if (!delay.empty() && delay.size() != weight.size())
        throw LoadError(where + ": " + std::to_string(delay.size()) + " delays for " +
                        std::to_string(weight.size()) + " synapses");
    int32_t max_delay = 0;
    for (uint8_t d : delay) {
        require_range<int32_t>(where, "delay", d, 0, kMaxDelay);
        max_delay = std::max<int32_t>(max_delay, d);
    }
    if (max_delay == 0) delay.clear();  // all zero: the no-delay path is the same thing
    n_slots_ = max_delay + 1;

    if (dense_) {
        if (!row_ptr.empty() || !post.empty())
            throw LoadError(where + ": a dense group stores no row pointers or indices");
        if (weight.size() != static_cast<size_t>(n_rows) * n_post)
            throw LoadError(where + ": dense weights hold " + std::to_string(weight.size()) +
                            " values; expected n_rows * n_post = " +
                            std::to_string(static_cast<int64_t>(n_rows) * n_post));
        weight_ = std::move(weight);
        delay_ = std::move(delay);
    } else {
        if (row_ptr.size() != static_cast<size_t>(n_rows) + 1 || row_ptr.front() != 0 ||
            row_ptr.back() != static_cast<int64_t>(weight.size()) || post.size() != weight.size())
            throw LoadError(where + ": sparse rows are inconsistent (row_ptr of " +
                            std::to_string(row_ptr.size()) + " entries for " +
                            std::to_string(n_rows) + " rows, " + std::to_string(weight.size()) +
                            " weights, " + std::to_string(post.size()) + " indices)");
        if (weight.size() > UINT32_MAX)
            throw LoadError(where + ": more than 2^32 - 1 synapses in one group");
        for (int32_t r = 0; r < n_rows; ++r)
            if (row_ptr[r] > row_ptr[r + 1])
                throw LoadError(where + ": row_ptr decreases at row " + std::to_string(r));
        row_ptr_.assign(row_ptr.begin(), row_ptr.end());
        synapse_.resize(weight.size());
        for (size_t k = 0; k < weight.size(); ++k) {
            require_range<int32_t>(where, "post index", post[k], 0, n_post - 1);
            synapse_[k] = pack_synapse(post[k], weight[k], delay.empty() ? 0 : delay[k]);
        }
    }
    stage_.assign(static_cast<size_t>(n_slots_) * n_post_, 0);
    touched_.assign(n_slots_, 0);

    const bool has_delay = n_slots_ > 1;
    using Fn = uint64_t (SynapseGroup::*)(int32_t, int32_t);
    static const Fn table[8] = {
        &SynapseGroup::accumulate_sparse<false, false>,
        &SynapseGroup::accumulate_sparse<false, true>,
        &SynapseGroup::accumulate_sparse<true, false>,
        &SynapseGroup::accumulate_sparse<true, true>,
        &SynapseGroup::accumulate_dense<false, false>,
        &SynapseGroup::accumulate_dense<false, true>,
        &SynapseGroup::accumulate_dense<true, false>,
        &SynapseGroup::accumulate_dense<true, true>,
    };
    accumulate_ = table[(dense_ ? 4 : 0) + (has_delay ? 2 : 0) + (graded ? 1 : 0)];
}

// A binary connection counts any nonzero payload as 1 (spec section 2); the caller only
// delivers nonzero payloads, so the binary contribution is the weight itself.
template <bool kDelay, bool kGraded>
uint64_t SynapseGroup::accumulate_dense(int32_t row, int32_t payload) {
    const int64_t p = payload;
    int64_t* stage = stage_.data();
    const size_t base = static_cast<size_t>(row) * n_post_;
    const int16_t* w = weight_.data() + base;
    if constexpr (kDelay) {
        const uint8_t* d = delay_.data() + base;
        for (int32_t i = 0; i < n_post_; ++i) {
            int64_t& s = stage[static_cast<size_t>(d[i]) * n_post_ + i];
            s = wrap_add(s, kGraded ? wrap_mul(w[i], p) : w[i]);
            touched_[d[i]] = 1;
        }
    } else {
        for (int32_t i = 0; i < n_post_; ++i)
            stage[i] = wrap_add(stage[i], kGraded ? wrap_mul(w[i], p) : w[i]);
        touched_[0] = 1;
    }
    return static_cast<uint64_t>(n_post_);
}

template <bool kDelay, bool kGraded>
uint64_t SynapseGroup::accumulate_sparse(int32_t row, int32_t payload) {
    const int64_t p = payload;
    int64_t* stage = stage_.data();
    const uint32_t lo = row_ptr_[row], hi = row_ptr_[row + 1];
    for (uint32_t k = lo; k < hi; ++k) {
        const uint32_t syn = synapse_[k];
        const int64_t w = synapse_weight(syn);
        size_t slot = 0;
        if constexpr (kDelay) {
            slot = synapse_delay(syn);
            touched_[slot] = 1;
        }
        int64_t& s = stage[slot * n_post_ + synapse_post(syn)];
        s = wrap_add(s, kGraded ? wrap_mul(w, p) : w);
    }
    if constexpr (!kDelay) touched_[0] |= (hi > lo);
    return hi - lo;
}

void SynapseGroup::flush(int64_t* ring, int32_t n_ring_slots, int32_t n_core, int64_t t) {
    for (int32_t d = 0; d < n_slots_; ++d) {
        if (!touched_[d]) continue;
        touched_[d] = 0;
        int64_t* dst = ring + ((t + d) % n_ring_slots) * n_core + post_base_;
        int64_t* src = stage_.data() + static_cast<size_t>(d) * n_post_;
        for (int32_t i = 0; i < n_post_; ++i) {
            dst[i] = wrap_add(dst[i], shift_signed(src[i], weight_exp_));
            src[i] = 0;
        }
    }
}

void SynapseGroup::reset() {
    std::fill(stage_.begin(), stage_.end(), 0);
    std::fill(touched_.begin(), touched_.end(), 0);
}

uint64_t SynapseGroup::memory_bytes() const {
    return row_ptr_.size() * sizeof(uint32_t) + synapse_.size() * sizeof(uint32_t) +
           weight_.size() * sizeof(int16_t) + delay_.size() * sizeof(uint8_t);
}

}  // namespace emu
