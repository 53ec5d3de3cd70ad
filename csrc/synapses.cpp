#include "synapses.hpp"

#include <algorithm>
#include <cstdint>

#include "errors.hpp"

namespace emu {

constexpr int32_t kMaxDelay = 62;  // spec section 2: delays 0..62 on the target

SynapseGroup::SynapseGroup(const std::string& where, int32_t post_base, int32_t n_post,
                           int32_t n_rows, bool dense, Borrowed<uint32_t> row_ptr,
                           Borrowed<uint16_t> post, Borrowed<int16_t> weight,
                           Borrowed<uint8_t> delay, int32_t weight_exp, bool graded)
    : post_base_(post_base), n_post_(n_post), n_rows_(n_rows), dense_(dense), graded_(graded),
      n_synapses_(weight.size()), weight_exp_(weight_exp) {
    require_range(where, "n_post", n_post, 1, 65536);
    require_range(where, "n_rows", n_rows, 0, 1 << 30);
    require_range(where, "weight_exp", weight_exp, -8, 8);
    for (int16_t w : weight) require_range<int32_t>(where, "weight", w, -256, 255);
    if (!delay.empty() && delay.size() != weight.size())
        throw LoadError(where + ": " + std::to_string(delay.size()) + " delays for " +
                        std::to_string(weight.size()) + " synapses");
    for (uint8_t d : delay) {
        require_range<int32_t>(where, "delay", d, 0, kMaxDelay);
        max_delay_ = std::max<int32_t>(max_delay_, d);
    }
    if (max_delay_ == 0) delay.clear();  // all zero: the no-delay path is the same thing

    if (dense_) {
        if (!row_ptr.empty() || !post.empty())
            throw LoadError(where + ": a dense group stores no row pointers or indices");
        if (weight.size() != static_cast<size_t>(n_rows) * n_post)
            throw LoadError(where + ": dense weights hold " + std::to_string(weight.size()) +
                            " values; expected n_rows * n_post = " +
                            std::to_string(static_cast<int64_t>(n_rows) * n_post));
    } else {
        if (row_ptr.size() != static_cast<size_t>(n_rows) + 1 || row_ptr[0] != 0 ||
            row_ptr[n_rows] != weight.size() || post.size() != weight.size())
            throw LoadError(where + ": sparse rows are inconsistent (row_ptr of " +
                            std::to_string(row_ptr.size()) + " entries for " +
                            std::to_string(n_rows) + " rows, " + std::to_string(weight.size()) +
                            " weights, " + std::to_string(post.size()) + " indices)");
        for (int32_t r = 0; r < n_rows; ++r)
            if (row_ptr[r] > row_ptr[r + 1])
                throw LoadError(where + ": row_ptr decreases at row " + std::to_string(r));
        for (uint16_t p : post) require_range<int32_t>(where, "post index", p, 0, n_post - 1);
        // (front 0, never decreasing, back the synapse count: every offset is in range)
        row_ptr_ = std::move(row_ptr);
        post_ = std::move(post);
    }
    weight_ = std::move(weight);
    delay_ = std::move(delay);
    if (dense_) {  // the delivery layout points at these for good, and learning writes them
        weight_.own();
        delay_.own();
    }
}

void SynapseGroup::moved_to(uint32_t* words, std::vector<uint64_t> placed) {
    words_ = words;
    placed_ = std::move(placed);
    row_ptr_.own();  // what learning reads after the load
    post_.own();
    weight_.clear();
    delay_.clear();
}

void SynapseGroup::release() {
    row_ptr_.clear();
    post_.clear();
    weight_.clear();
    delay_.clear();
}

uint64_t SynapseGroup::memory_bytes() const {
    return row_ptr_.owned_bytes() + post_.owned_bytes() + weight_.owned_bytes() +
           delay_.owned_bytes() + placed_.size() * sizeof(uint64_t);
}

}  // namespace emu
