// Neuron models. A NeuronBlock is a contiguous range of one core's compartments that
// share one model; the core steps its blocks in order on the synaptic input of the step.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "counters.hpp"

namespace emu {

class NeuronBlock {
  public:
    virtual ~NeuronBlock() = default;
    int32_t size() const { return n_; }
    // One time step: a[i] is compartment i's synaptic input; writes payload[i] (0 = no
    // spike, 1 for a binary spike) and counts the updates.
    virtual void step(const int64_t* a, int32_t* payload, Counters& counters) = 0;
    // The named state variable (n values), or nullptr if the model has none of that name.
    virtual const int64_t* state(const std::string& var) const = 0;
    virtual void reset() = 0;

  protected:
    explicit NeuronBlock(int32_t n) : n_(n) {}
    int32_t n_;
};

// CUBA leaky integrate-and-fire (spec/neurocore.md section 3). Per step, in 64 bits:
//   u = trunc0(u * (4096 - (du + 1)), 12) + a * 64;  u wraps once into (-2^23, 2^23]
//   v = trunc0(v * (4096 - dv), 12) + u + b;          v saturates to +-(2^23 - 1)
//   spike if v > vth << 6; then v = 0 (u is kept)
// with b = bias_mant << bias_exp (floor shift for bias_exp < 0).
class LifBlock : public NeuronBlock {
  public:
    // Arrays of n values each; validated here (the kernel never trusts its caller).
    LifBlock(const std::string& where, int32_t n, const int32_t* du, const int32_t* dv,
             const int32_t* vth, const int32_t* bias_mant, const int32_t* bias_exp);
    void step(const int64_t* a, int32_t* payload, Counters& counters) override;
    const int64_t* state(const std::string& var) const override;
    void reset() override;

  private:
    std::vector<int32_t> u_decay_;   // 4096 - (du + 1): the quirk is in the constant
    std::vector<int32_t> v_decay_;   // 4096 - dv
    std::vector<int64_t> v_th_;      // vth << 6
    std::vector<int64_t> bias_;      // 32-bit value on v's scale
    std::vector<int64_t> u_, v_;     // u may leave 24 bits (spec 3.3); v is 24-bit
};

}  // namespace emu
