// Sigma-delta neurons with graded spikes (spec/neurocore.md section 4).
//
// SigmaDeltaBlock runs both the SigmaDelta neuron and the Delta encoder; they differ only
// in the activation each step starts from:
//   sigma-delta:  sigma += a;  act_new = sigma + bias (unit) or max(sigma + bias, 0) (relu)
//   delta:        act_new = a << input_exp           (input_exp = spike_exp + state_exp)
// then, shared:
//   delta = act_new - act + residue
//   s = delta where |delta| >= vth, else 0; with cum_error: error += delta, the test is on
//       |error|, and error = 0 where s != 0
//   payload = floor(s, state_exp), bounded by the payload width
//   residue = delta - s  (quirk: the bits the floor drops are lost), or with `corrected`
//             residue = delta - (payload << state_exp) (only what was sent is tracked)
//   act = act_new
// SigmaBlock is the decoder: sigma += a; payload = sigma.
// All arithmetic is 64-bit two's complement and wraps, as in the reference.
#pragma once
#include <vector>

#include "neurons.hpp"

namespace emu {

class SigmaDeltaBlock : public NeuronBlock {
  public:
    // delta_encoder: false for SigmaDelta (bias and relu used, input_exp null), true for
    // Delta (input_exp used, bias and relu null). Flags (relu, cum_error, corrected) are
    // per population: every value of a block must be equal.
    SigmaDeltaBlock(const std::string& where, int32_t n, bool delta_encoder,
                    const int32_t* vth, const int32_t* bias, const int32_t* relu,
                    const int32_t* cum_error, const int32_t* corrected,
                    const int32_t* state_exp, const int32_t* input_exp);
    bool graded() const override { return true; }
    void step(const int64_t* a, int32_t* payload, const PayloadWidth& width,
              Counters& counters) override {
        (this->*step_)(a, payload, width, counters);
    }
    bool copy_state(const std::string& var, int32_t first, int32_t count, int64_t* out) const override;
    void reset() override;

  private:
    template <bool kDelta, bool kRelu, bool kCumError, bool kCorrected>
    void step_impl(const int64_t* a, int32_t* payload, const PayloadWidth& width,
                   Counters& counters);

    bool delta_encoder_;
    std::vector<int64_t> vth_, bias_;
    std::vector<int32_t> state_exp_, input_exp_;
    std::vector<int64_t> sigma_, act_, residue_, error_;
    void (SigmaDeltaBlock::*step_)(const int64_t*, int32_t*, const PayloadWidth&, Counters&);
};

class SigmaBlock : public NeuronBlock {
  public:
    SigmaBlock(const std::string& where, int32_t n);
    bool graded() const override { return true; }
    void step(const int64_t* a, int32_t* payload, const PayloadWidth& width,
              Counters& counters) override;
    bool copy_state(const std::string& var, int32_t first, int32_t count, int64_t* out) const override;
    void reset() override;

  private:
    std::vector<int64_t> sigma_;
};

}  // namespace emu
