#include "resonator.hpp"

#include <algorithm>

#include "errors.hpp"
#include "fixed_point.hpp"

namespace emu {

ResonatorBlock::ResonatorBlock(const std::string& where, int32_t n, const int32_t* sin_d,
                               const int32_t* cos_d, const int32_t* vth,
                               const int32_t* decay_bits, const int32_t* state_exp,
                               const int32_t* iz)
    : NeuronBlock(where, n), decay_bits_(decay_bits[0]), iz_(iz[0] != 0), sin_(n), cos_(n),
      vth_(n), state_exp_(n), re_(n, 0), im_(n, 0) {
    require_range(where, "decay_bits", decay_bits_, 1, 30);
    const int32_t unit = int32_t{1} << decay_bits_;
    for (int32_t i = 0; i < n; ++i) {
        if (decay_bits[i] != decay_bits_ || iz[i] != iz[0])
            throw LoadError(where + ": decay_bits and iz are per population; they differ "
                                    "within the block");
        require_range(where, "iz", iz[i], 0, 1);
        // |(1 - alpha) * sin| <= 1, so the constants fit in [-2^db, 2^db].
        require_range(where, "sin_d", sin_d[i], -unit, unit);
        require_range(where, "cos_d", cos_d[i], -unit, unit);
        require_range(where, "vth", vth[i], 0, static_cast<int32_t>(kV_MAX));
        require_range(where, "state_exp", state_exp[i], 0, 16);
        sin_[i] = sin_d[i];
        cos_[i] = cos_d[i];
        vth_[i] = vth[i];
        state_exp_[i] = state_exp[i];
    }
}

template <bool kIz>
void ResonatorBlock::step_impl(const int64_t* a, int32_t* payload, Counters& counters) {
    const int64_t* a_re = a;
    const int64_t* a_im = a + n_;
    const int db = decay_bits_;
    uint64_t active = 0;
    for (int32_t i = 0; i < n_; ++i) {
        // re, im stay within +-(2^23 - 1) and the constants within 2^30: the products fit.
        const int64_t re0 = re_[i], im0 = im_[i];
        int64_t re = trunc0(cos_[i] * re0, db) - trunc0(sin_[i] * im0, db);
        int64_t im = trunc0(sin_[i] * re0, db) + trunc0(cos_[i] * im0, db);
        re = saturate(wrap_add(re, shl(a_re[i], state_exp_[i])), -kV_MAX, kV_MAX);
        im = saturate(wrap_add(im, shl(a_im[i], state_exp_[i])), -kV_MAX, kV_MAX);
        bool spike;
        if constexpr (kIz) {
            spike = im >= vth_[i];
            if (spike) {
                re = 0;
                im = vth_[i] - 1;
            }
        } else {
            spike = re >= vth_[i] && im >= 0 && im0 < 0;
        }
        payload[i] = spike ? 1 : 0;
        active += (spike || re != re0 || im != im0) ? 1 : 0;
        re_[i] = re;
        im_[i] = im;
    }
    count_updates(counters, active);
}

bool ResonatorBlock::copy_state(const std::string& var, int32_t first, int32_t count, int64_t* out) const {
    if (var == "re") return copy_values(re_, first, count, out);
    if (var == "im") return copy_values(im_, first, count, out);
    return false;
}

void ResonatorBlock::reset() {
    std::fill(re_.begin(), re_.end(), 0);
    std::fill(im_.begin(), im_.end(), 0);
}

}  // namespace emu
