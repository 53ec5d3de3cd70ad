// Neuron models. A NeuronBlock is a contiguous range of one core's compartments that
// share one model; the core steps its blocks in order on the synaptic input of the step.
// Each model lives in its own file (lif, sigma_delta, resonator).
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "counters.hpp"
#include "payload.hpp"

namespace emu {

class NeuronBlock {
  public:
    virtual ~NeuronBlock() = default;
    int32_t size() const { return n_; }
    // Synaptic inputs per compartment (the resonator has two: real and imaginary). The
    // block's input accumulators are port-major: port p of compartment i is a[p * n + i].
    virtual int32_t n_ports() const { return 1; }
    // True if the block sends graded payloads (spec section 6), false for binary spikes.
    virtual bool graded() const = 0;
    // One time step: reads the n * n_ports() inputs a; writes payload[i] (0 = no spike, 1
    // for a binary spike, else the graded payload sent, bounded by `width`); counts the
    // updates. Throws PayloadError when a strict width refuses a payload.
    virtual void step(const int64_t* a, int32_t* payload, const PayloadWidth& width,
                      Counters& counters) = 0;
    // Copies the named state variable of compartments first .. first + count into out;
    // false if the model has no variable of that name (count 0 asks just that).
    virtual bool copy_state(const std::string& var, int32_t first, int32_t count, int64_t* out) const = 0;
    virtual void reset() = 0;
    const std::string& where() const { return where_; }

  protected:
    NeuronBlock(std::string where, int32_t n) : n_(n), where_(std::move(where)) {}
    // Counts the block's updates of one step: `active` changed state or spiked.
    void count_updates(Counters& counters, uint64_t active) const {
        counters.v[kUpdatesActive] += active;
        counters.v[kUpdatesInactive] += static_cast<uint64_t>(n_) - active;
    }
    // copy_state() from a variable stored at any integer width.
    template <class T>
    static bool copy_values(const std::vector<T>& values, int32_t first, int32_t count, int64_t* out) {
        std::copy(values.begin() + first, values.begin() + first + count, out);
        return true;
    }
    int32_t n_;
    std::string where_;
};

}  // namespace emu
