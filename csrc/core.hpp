// One neurocore: its compartments (neuron blocks), its synaptic memory (groups), its
// input-axon table and its counters.
//
// Synaptic input lands in dendritic accumulators: one per compartment and input port
// (a resonator has two ports, real and imaginary). Blocks own consecutive accumulators,
// port-major within a block; a synapse group's post_base indexes accumulators. The
// accumulators themselves live in the System's input ring (fanout.hpp), which delivery
// fills; update() reads the core's part of the ring row of its step.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "counters.hpp"
#include "neurons.hpp"
#include "synapses.hpp"

namespace emu {

class Core {
  public:
    Core(int32_t index, PayloadWidth width) : index_(index), width_(width) {}

    void add_block(std::unique_ptr<NeuronBlock> block);
    void add_group(std::unique_ptr<SynapseGroup> group);
    // Input axon a maps to (group, row) pairs entries [axon_ptr[a], axon_ptr[a + 1]).
    void set_axons(std::vector<int64_t> axon_ptr, std::vector<int32_t> axon_group,
                   std::vector<int32_t> axon_row);
    // Or, with no table: axon a is the a-th row of the groups, one group after the other
    // (a core whose every sender reaches one row, which chip-scale networks' cores are;
    // a table would cost 16 bytes per row).
    void set_row_axons();
    bool row_axons() const { return row_axons_; }
    // Checks the tables against each other; called once after loading.
    void finalize();
    // Input axon a's (group, row) pairs: k in [axon_begin(a), axon_end(a)).
    int64_t axon_begin(int32_t a) const { return row_axons_ ? a : axon_ptr_[a]; }
    int64_t axon_end(int32_t a) const { return row_axons_ ? a + 1 : axon_ptr_[a + 1]; }
    int32_t axon_group(int64_t k) const { return row_axons_ ? group_of_row(k) : axon_group_[k]; }
    int32_t axon_row(int64_t k) const {
        return row_axons_ ? static_cast<int32_t>(k - row_base_[group_of_row(k)]) : axon_row_[k];
    }
    // Lets go of the input-axon table once the delivery layout and costs are built.
    void release_axons();

    // Updates every compartment of step t on its accumulators `input` (n_accumulators
    // values, zeroed afterwards); payload() then holds the outputs.
    void update(int64_t t, int64_t* input);
    void reset();

    int32_t index() const { return index_; }
    int32_t n_compartments() const { return n_compartments_; }
    int32_t n_accumulators() const { return n_accumulators_; }
    int32_t n_axons() const { return n_axons_; }
    const int32_t* payload() const { return payload_.data(); }
    const std::vector<std::unique_ptr<NeuronBlock>>& blocks() const { return blocks_; }
    const std::vector<std::unique_ptr<SynapseGroup>>& groups() const { return groups_; }
    Counters& counters() { return counters_; }
    uint64_t memory_bytes() const;

  private:
    std::string where() const { return "core " + std::to_string(index_); }

    int32_t index_;
    PayloadWidth width_;
    int32_t n_compartments_ = 0;
    int32_t n_accumulators_ = 0;
    std::vector<std::unique_ptr<NeuronBlock>> blocks_;
    std::vector<std::unique_ptr<SynapseGroup>> groups_;
    std::vector<int64_t> axon_ptr_{0};
    std::vector<int32_t> axon_group_, axon_row_;
    bool row_axons_ = false;
    std::vector<int64_t> row_base_;  // row axons: each group's first, then the total
    int32_t group_of_row(int64_t k) const {
        return static_cast<int32_t>(std::upper_bound(row_base_.begin(), row_base_.end(), k) - row_base_.begin()) - 1;
    }
    int32_t n_axons_ = 0;
    std::vector<int32_t> payload_;    // outputs of the last update
    Counters counters_;
};

}  // namespace emu
