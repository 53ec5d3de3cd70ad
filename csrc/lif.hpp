// CUBA leaky integrate-and-fire (spec/neurocore.md section 3). Per step, in 64 bits:
//   u = trunc0(u * (4096 - (du + 1)), 12) + a * 64;  u wraps once into (-2^23, 2^23]
//   v = trunc0(v * (4096 - dv), 12) + u + b;          v saturates to +-(2^23 - 1)
//   spike if v > vth << 6; then v = 0 (u is kept)
// with b = bias_mant << bias_exp (floor shift for bias_exp < 0).
#pragma once
#include <vector>

#include "neurons.hpp"

namespace emu {

class LifBlock : public NeuronBlock {
  public:
    // Arrays of n values each, du, dv and vth alike in all (a population's); validated
    // here (the kernel never trusts its caller).
    LifBlock(const std::string& where, int32_t n, const int32_t* du, const int32_t* dv,
             const int32_t* vth, const int32_t* bias_mant, const int32_t* bias_exp);
    bool graded() const override { return false; }
    void step(const int64_t* a, int32_t* payload, const PayloadWidth& width,
              Counters& counters) override;
    bool copy_state(const std::string& var, int32_t first, int32_t count, int64_t* out) const override;
    void reset() override;

  private:
    // Parameters: the population's decays and threshold (one each: the update reads them
    // once), the bias per compartment at the width its range needs (streamed every step).
    int64_t u_decay_ = 0;            // 4096 - (du + 1): the quirk is in the constant
    int64_t v_decay_ = 0;            // 4096 - dv
    int64_t v_th_ = 0;               // vth << 6, below 2^23
    std::vector<int32_t> bias_;      // bias_mant << bias_exp on v's scale, at most 2^19 in size
    std::vector<int64_t> u_;         // u may leave 24 bits (it wraps only once)
    std::vector<int32_t> v_;         // v saturates to 24 bits
};

}  // namespace emu
