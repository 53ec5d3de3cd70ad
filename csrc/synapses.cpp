#include "synapses.hpp"

#include <algorithm>
#include <cstdint>

#include "errors.hpp"

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
        for (uint16_t p : post) require_range<int32_t>(where, "post index", p, 0, n_post - 1);
        row_ptr_.assign(row_ptr.begin(), row_ptr.end());
        post_ = std::move(post);
    }
    weight_ = std::move(weight);
    delay_ = std::move(delay);
}

void SynapseGroup::moved_to(uint32_t* words, std::vector<uint64_t> placed) {
    words_ = words;
    placed_ = std::move(placed);
    std::vector<int16_t>().swap(weight_);
    std::vector<uint8_t>().swap(delay_);
}

void SynapseGroup::release() {
    std::vector<uint32_t>().swap(row_ptr_);
    std::vector<uint16_t>().swap(post_);
    std::vector<int16_t>().swap(weight_);
    std::vector<uint8_t>().swap(delay_);
}

uint64_t SynapseGroup::memory_bytes() const {
    return row_ptr_.size() * sizeof(uint32_t) + post_.size() * sizeof(uint16_t) +
           weight_.size() * sizeof(int16_t) + delay_.size() * sizeof(uint8_t) +
           placed_.size() * sizeof(uint64_t);
}

}  // namespace emu
