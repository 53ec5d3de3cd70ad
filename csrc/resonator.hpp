// Resonate-and-fire neurons (spec/neurocore.md section 5): a damped complex oscillator
// with a real and an imaginary input. Per step, in 64 bits, db = decay_bits:
//   re' = trunc0(cos_d * re, db) - trunc0(sin_d * im, db) + (a_re << state_exp)
//   im' = trunc0(sin_d * re, db) + trunc0(cos_d * im, db) + (a_im << state_exp)
//   re', im' saturate to +-(2^23 - 1)
//   rf: spike if re' >= vth and im' >= 0 and the previous im < 0 (phase-triggered, no reset)
//   iz: spike if im' >= vth; then re = 0, im = vth - 1
// sin_d and cos_d arrive as integers (computed once in Python, so no libm difference can
// creep in); vth is already scaled by 2^state_exp. Spikes are binary.
#pragma once
#include <vector>

#include "neurons.hpp"

namespace emu {

class ResonatorBlock : public NeuronBlock {
  public:
    // Per-compartment arrays; decay_bits and iz are per population (uniform in a block).
    ResonatorBlock(const std::string& where, int32_t n, const int32_t* sin_d,
                   const int32_t* cos_d, const int32_t* vth, const int32_t* decay_bits,
                   const int32_t* state_exp, const int32_t* iz);
    int32_t n_ports() const override { return 2; }  // real, imaginary
    bool graded() const override { return false; }
    void step(const int64_t* a, int32_t* payload, const PayloadWidth&,
              Counters& counters) override {
        if (iz_)
            step_impl<true>(a, payload, counters);
        else
            step_impl<false>(a, payload, counters);
    }
    bool copy_state(const std::string& var, int32_t first, int32_t count, int64_t* out) const override;
    void reset() override;

  private:
    template <bool kIz>
    void step_impl(const int64_t* a, int32_t* payload, Counters& counters);

    int32_t decay_bits_;
    bool iz_;
    std::vector<int64_t> sin_, cos_, vth_;
    std::vector<int32_t> state_exp_;
    std::vector<int64_t> re_, im_;
};

}  // namespace emu
