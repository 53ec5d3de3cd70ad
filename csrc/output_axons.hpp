// The output-axon table: each source's messages, one per destination core, naming the
// input axon they arrive on (emulator/compiler/route.py builds it). The kernel reads it
// only while it loads: the delivery layout (fanout.hpp), the cost tables
// (source_costs.hpp) and the network's paths are built from it, and then it is let go.
//
// A chip-scale table has one entry per synapse or so, and is borrowed from the Program
// (borrowed.hpp): destination cores as 16-bit values when the cores fit, and no axons for
// the entries of cores that number their axons in the order of their senders (what the
// compiler does when each sender reaches one row of a core), since they follow from the
// cores: the k-th entry for such a core c, in source order, arrives on c's axon k. The
// axons of the other cores' entries are stored core by core (each core's in source
// order), or, as older Programs have them, one per entry in entry order.
#pragma once
#include <cstdint>
#include <vector>

#include "borrowed.hpp"

namespace emu {

class OutputAxons {
  public:
    OutputAxons() = default;
    // src_ptr: n_sources + 1 offsets; destination cores as core16 or core32 (the other
    // empty); axons: one per entry in entry order (by_core false), or core by core for
    // the entries of the cores whose in_order flag is 0 (by_core true).
    OutputAxons(Borrowed<int64_t> src_ptr, Borrowed<int16_t> core16, Borrowed<int32_t> core32,
                Borrowed<int32_t> axons, bool by_core);

    // Checks the table against the system: n_sources sources, n_axons[c] axons on core c,
    // in_order[c] whether core c's axons are numbered in source order (LoadError naming
    // what is wrong), and readies the walks.
    void validate(int64_t n_sources, const std::vector<int32_t>& n_axons,
                  const std::vector<uint8_t>& in_order);

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
        explicit Axons(const OutputAxons& table) : table_(table), next_(table.first_.size(), 0) {}
        int32_t operator()(int64_t e) {
            if (!table_.by_core_) return table_.axons_[e];
            const int32_t c = table_.core(e), k = next_[c]++;
            return table_.first_[c] < 0 ? k : table_.axons_[table_.first_[c] + k];
        }

      private:
        const OutputAxons& table_;
        std::vector<int32_t> next_;  // per core, its entries walked so far
    };

    void release() { *this = OutputAxons(); }

  private:
    Borrowed<int64_t> src_ptr_;
    Borrowed<int16_t> core16_;
    Borrowed<int32_t> core32_;
    Borrowed<int32_t> axons_;
    bool by_core_ = false;
    // by core: per core, where its entries' axons start in axons_ (-1: in source order)
    std::vector<int64_t> first_;
};

}  // namespace emu
