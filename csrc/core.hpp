// One neurocore: its compartments (neuron blocks), its synaptic memory (groups), its
// input-axon table, the ring of synaptic input per future step, and its counters.
//
// Synaptic input lands in dendritic accumulators: one per compartment and input port
// (a resonator has two ports, real and imaginary). Blocks own consecutive accumulators,
// port-major within a block; a synapse group's post_base indexes accumulators.
//
// A time step on a core has three phases, run in lock step with every other core by the
// System: update() the compartments on this step's input, then receive() the messages
// the step's spikes cause and flush() their staged synaptic sums into the input ring
// for the steps they arrive in.
#pragma once
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
    // Checks the tables against each other and sizes the ring; called once after loading.
    void finalize();

    void receive(int32_t axon, int32_t payload) {
        for (int64_t k = axon_ptr_[axon], e = axon_ptr_[axon + 1]; k < e; ++k) {
            SynapseGroup& g = *groups_[axon_group_[k]];
            const uint64_t read = g.accumulate(axon_row_[k], payload);
            counters_.v[kSynOps] += read;
            counters_.v[kSynOpsDense] += g.dense() ? read : 0;
            counters_.v[kSynOpsGraded] += g.graded() ? read : 0;
        }
    }
    void flush(int64_t t);
    // Updates every compartment on the input of step t; payload() then holds the outputs.
    void update(int64_t t);
    void reset();

    int32_t index() const { return index_; }
    int32_t n_compartments() const { return n_compartments_; }
    int32_t n_accumulators() const { return n_accumulators_; }
    int32_t n_axons() const { return static_cast<int32_t>(axon_ptr_.size()) - 1; }
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
    int32_t n_ring_slots_ = 1;        // max delay on this core + 1
    std::vector<int64_t> ring_;       // n_ring_slots_ x n_accumulators_ synaptic input
    std::vector<int32_t> payload_;    // outputs of the last update
    Counters counters_;
};

}  // namespace emu
