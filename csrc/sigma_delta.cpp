#include "sigma_delta.hpp"

#include <algorithm>

#include "errors.hpp"
#include "fixed_point.hpp"

namespace emu {

namespace {

constexpr int32_t kStateMax = (1 << 23) - 1;  // scaled vth and bias fit the state width
constexpr int32_t kMaxStateExp = 16;

// A per-population flag given per compartment: all equal, 0 or 1.
bool uniform_flag(const std::string& where, const char* name, const int32_t* v, int32_t n) {
    for (int32_t i = 0; i < n; ++i) {
        require_range(where, name, v[i], 0, 1);
        if (v[i] != v[0])
            throw LoadError(where + ": " + name + " differs within the block (it is per population)");
    }
    return v[0] != 0;
}

using Step = void (SigmaDeltaBlock::*)(const int64_t*, int32_t*, const PayloadWidth&, Counters&);

}  // namespace

SigmaDeltaBlock::SigmaDeltaBlock(const std::string& where, int32_t n, bool delta_encoder,
                                 const int32_t* vth, const int32_t* bias, const int32_t* relu,
                                 const int32_t* cum_error, const int32_t* corrected,
                                 const int32_t* state_exp, const int32_t* input_exp)
    : NeuronBlock(where, n), delta_encoder_(delta_encoder), vth_(n), bias_(n, 0),
      state_exp_(n), input_exp_(n, 0), sigma_(n, 0), act_(n, 0), residue_(n, 0), error_(n, 0) {
    for (int32_t i = 0; i < n; ++i) {
        require_range(where, "vth", vth[i], 0, kStateMax);
        require_range(where, "state_exp", state_exp[i], 0, kMaxStateExp);
        vth_[i] = vth[i];
        state_exp_[i] = state_exp[i];
        if (delta_encoder) {
            require_range(where, "input_exp", input_exp[i], 0, 2 * kMaxStateExp);
            input_exp_[i] = input_exp[i];
        } else {
            require_range(where, "bias", bias[i], -kStateMax, kStateMax);
            bias_[i] = bias[i];
        }
    }
    const bool r = !delta_encoder && uniform_flag(where, "relu", relu, n);
    const bool c = uniform_flag(where, "cum_error", cum_error, n);
    const bool k = uniform_flag(where, "corrected", corrected, n);
    // One instantiation per combination keeps the options out of the step loop.
    static const Step kSteps[2][2][2][2] = {
        {{{&SigmaDeltaBlock::step_impl<false, false, false, false>,
           &SigmaDeltaBlock::step_impl<false, false, false, true>},
          {&SigmaDeltaBlock::step_impl<false, false, true, false>,
           &SigmaDeltaBlock::step_impl<false, false, true, true>}},
         {{&SigmaDeltaBlock::step_impl<false, true, false, false>,
           &SigmaDeltaBlock::step_impl<false, true, false, true>},
          {&SigmaDeltaBlock::step_impl<false, true, true, false>,
           &SigmaDeltaBlock::step_impl<false, true, true, true>}}},
        {{{&SigmaDeltaBlock::step_impl<true, false, false, false>,
           &SigmaDeltaBlock::step_impl<true, false, false, true>},
          {&SigmaDeltaBlock::step_impl<true, false, true, false>,
           &SigmaDeltaBlock::step_impl<true, false, true, true>}},
         {{nullptr, nullptr}, {nullptr, nullptr}}}};  // a delta encoder has no relu
    step_ = kSteps[delta_encoder][r][c][k];
}

template <bool kDelta, bool kRelu, bool kCumError, bool kCorrected>
void SigmaDeltaBlock::step_impl(const int64_t* a, int32_t* payload, const PayloadWidth& width,
                                Counters& counters) {
    uint64_t active = 0;
    for (int32_t i = 0; i < n_; ++i) {
        bool changed = false;
        int64_t act_new;
        if constexpr (kDelta) {
            act_new = shl(a[i], input_exp_[i]);
        } else {
            changed = a[i] != 0;  // sigma moves
            sigma_[i] = wrap_add(sigma_[i], a[i]);
            act_new = wrap_add(sigma_[i], bias_[i]);
            if (kRelu && act_new < 0) act_new = 0;
        }
        const int64_t delta = wrap_add(wrap_sub(act_new, act_[i]), residue_[i]);
        int64_t s;
        if constexpr (kCumError) {
            int64_t error = wrap_add(error_[i], delta);
            s = wrap_abs(error) >= vth_[i] ? delta : 0;
            if (s != 0) error = 0;
            changed |= error != error_[i];
            error_[i] = error;
        } else {
            s = wrap_abs(delta) >= vth_[i] ? delta : 0;
        }
        const int64_t raw = floor_shift(s, state_exp_[i]);
        const int32_t sent = raw != 0 ? width.send(raw, i) : 0;
        const int64_t residue = kCorrected ? wrap_sub(delta, shl(sent, state_exp_[i]))
                                           : wrap_sub(delta, s);
        changed |= sent != 0 || act_new != act_[i] || residue != residue_[i];
        active += changed ? 1 : 0;
        residue_[i] = residue;
        act_[i] = act_new;
        payload[i] = sent;
    }
    count_updates(counters, active);
}

bool SigmaDeltaBlock::copy_state(const std::string& var, int32_t first, int32_t count, int64_t* out) const {
    if (var == "sigma" && !delta_encoder_) return copy_values(sigma_, first, count, out);
    if (var == "act") return copy_values(act_, first, count, out);
    if (var == "residue") return copy_values(residue_, first, count, out);
    if (var == "error") return copy_values(error_, first, count, out);
    return false;
}

void SigmaDeltaBlock::reset() {
    for (auto* v : {&sigma_, &act_, &residue_, &error_}) std::fill(v->begin(), v->end(), 0);
}

SigmaBlock::SigmaBlock(const std::string& where, int32_t n) : NeuronBlock(where, n), sigma_(n, 0) {}

void SigmaBlock::step(const int64_t* a, int32_t* payload, const PayloadWidth& width,
                      Counters& counters) {
    uint64_t active = 0;
    for (int32_t i = 0; i < n_; ++i) {
        const int64_t sigma = wrap_add(sigma_[i], a[i]);
        sigma_[i] = sigma;
        payload[i] = sigma != 0 ? width.send(sigma, i) : 0;
        active += (sigma != 0 || a[i] != 0) ? 1 : 0;
    }
    count_updates(counters, active);
}

bool SigmaBlock::copy_state(const std::string& var, int32_t first, int32_t count, int64_t* out) const {
    return var == "sigma" && copy_values(sigma_, first, count, out);
}

void SigmaBlock::reset() { std::fill(sigma_.begin(), sigma_.end(), 0); }

}  // namespace emu
