#include "core.hpp"

#include <algorithm>
#include <climits>

#include "errors.hpp"

namespace emu {

void Core::add_block(std::unique_ptr<NeuronBlock> block) {
    n_compartments_ += block->size();
    n_accumulators_ += block->size() * block->n_ports();
    blocks_.push_back(std::move(block));
}

void Core::add_group(std::unique_ptr<SynapseGroup> group) { groups_.push_back(std::move(group)); }

void Core::set_axons(std::vector<int64_t> axon_ptr, std::vector<int32_t> axon_group,
                     std::vector<int32_t> axon_row) {
    axon_ptr_ = std::move(axon_ptr);
    axon_group_ = std::move(axon_group);
    axon_row_ = std::move(axon_row);
}

void Core::set_row_axons() { row_axons_ = true; }

void Core::finalize() {
    const std::string w = where();
    if (row_axons_) {
        row_base_.assign(1, 0);
        for (const auto& g : groups_) row_base_.push_back(row_base_.back() + g->n_rows());
        if (row_base_.back() > INT32_MAX)
            throw LoadError(w + ": " + std::to_string(row_base_.back()) + " rows as axons; at most 2^31 - 1");
    } else if (axon_ptr_.empty() || axon_ptr_.front() != 0 ||
        axon_ptr_.back() != static_cast<int64_t>(axon_group_.size()) ||
        axon_group_.size() != axon_row_.size())
        throw LoadError(w + ": input-axon table is inconsistent");
    for (size_t a = 0; a + 1 < axon_ptr_.size(); ++a)
        if (axon_ptr_[a] > axon_ptr_[a + 1])
            throw LoadError(w + ": input-axon table decreases at axon " + std::to_string(a));
    const int32_t n_groups = static_cast<int32_t>(groups_.size());
    for (const auto& g : groups_) {
        if (g->post_base() < 0 || static_cast<int64_t>(g->post_base()) + g->n_post() > n_accumulators_)
            throw LoadError(w + ": a synapse group targets accumulators [" +
                            std::to_string(g->post_base()) + ", " +
                            std::to_string(int64_t{g->post_base()} + g->n_post()) +
                            ") beyond the core's " +
                            std::to_string(n_accumulators_));
    }
    for (size_t k = 0; k < axon_group_.size(); ++k) {
        require_range(w, "axon group", axon_group_[k], 0, n_groups - 1);
        require_range(w, "axon row", axon_row_[k], 0, groups_[axon_group_[k]]->n_rows() - 1);
    }
    n_axons_ = row_axons_ ? static_cast<int32_t>(row_base_.back()) : static_cast<int32_t>(axon_ptr_.size()) - 1;
    payload_.assign(n_compartments_, 0);
}

void Core::release_axons() {
    std::vector<int64_t>().swap(axon_ptr_);
    std::vector<int32_t>().swap(axon_group_);
    std::vector<int32_t>().swap(axon_row_);
}

void Core::update(int64_t t, int64_t* a) {
    int32_t offset = 0, acc = 0;
    for (auto& b : blocks_) {
        try {
            b->step(a + acc, payload_.data() + offset, width_, counters_);
        } catch (const PayloadError& e) {
            throw PayloadError(b->where() + ": neuron " + std::to_string(e.compartment) +
                                   " of the block sends payload " + std::to_string(e.value) +
                                   " at step " + std::to_string(t) + ", outside the " +
                                   e.what() + " (strict mode)",
                               e.compartment, e.value);
        }
        offset += b->size();
        acc += b->size() * b->n_ports();
    }
    std::fill(a, a + n_accumulators_, 0);
}

void Core::reset() {
    for (auto& b : blocks_) b->reset();
    std::fill(payload_.begin(), payload_.end(), 0);
    counters_.clear();
}

uint64_t Core::memory_bytes() const {
    uint64_t bytes = axon_ptr_.size() * sizeof(int64_t) +
                     (axon_group_.size() + axon_row_.size()) * sizeof(int32_t) +
                     payload_.size() * sizeof(int32_t);
    for (const auto& g : groups_) bytes += g->memory_bytes();
    return bytes;
}

}  // namespace emu
