// The output-axon table: each source's messages, one per destination core, naming the
// input axon they arrive on (emulator/compiler/route.py builds it). The kernel reads it
// only while it loads: the delivery layout (fanout.hpp), the cost tables
// (source_costs.hpp) and the network's paths are built from it, and then it is let go.
//
// A chip-scale table has one entry per synapse or so, and is borrowed from the Program
// (borrowed.hpp): destination cores as 16-bit values when the cores fit, and the axons
// left out when every core numbers its axons in the order of their senders (what the
// compiler does when each sender reaches one row of a core), since they then follow from
// the cores: the k-th entry for core c in source order arrives on c's axon k.
#pragma once
#include <cstdint>
#include <vector>

#include "borrowed.hpp"

namespace emu {

class OutputAxons {
  public:
    OutputAxons() = default;
    // src_ptr: n_sources + 1 offsets; destination cores as core16 or core32 (the other
    // empty); axons: one per entry (stored_axons), or none for axons numbered in source
    // order.
    OutputAxons(Borrowed<int64_t> src_ptr, Borrowed<int16_t> core16, Borrowed<int32_t> core32,
                bool stored_axons, Borrowed<int32_t> axons);

    // Checks the table against the system: n_sources sources, n_axons[c] axons on core c
    // (LoadError naming what is wrong).
    void validate(int64_t n_sources, const std::vector<int32_t>& n_axons) const;

    int64_t n_entries() const { return static_cast<int64_t>(core16_.size() + core32_.size()); }
    // Source s's entries: [begin(s), end(s)).
    int64_t begin(int64_t s) const { return src_ptr_[s]; }
    int64_t end(int64_t s) const { return src_ptr_[s + 1]; }
    const Borrowed<int64_t>& src_ptr() const { return src_ptr_; }
    int32_t core(int64_t e) const { return core32_.empty() ? core16_[e] : core32_[e]; }

    // Entry axons for a walk over the entries in increasing order (each entry of a core
    // visited once, in order, whatever other entries are skipped).
    class Axons {
      public:
        Axons(const OutputAxons& table, int32_t n_cores)
            : table_(table), next_(table.stored_axons_ ? 0 : n_cores, 0) {}
        int32_t operator()(int64_t e) {
            return table_.stored_axons_ ? table_.axons_[e] : next_[table_.core(e)]++;
        }

      private:
        const OutputAxons& table_;
        std::vector<int32_t> next_;  // per core, the axon of its next entry
    };

    void release() { *this = OutputAxons(); }

  private:
    Borrowed<int64_t> src_ptr_;
    Borrowed<int16_t> core16_;
    Borrowed<int32_t> core32_;
    bool stored_axons_ = false;
    Borrowed<int32_t> axons_;
};

}  // namespace emu
