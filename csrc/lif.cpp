#include "lif.hpp"

#include <algorithm>

#include "errors.hpp"
#include "fixed_point.hpp"
#include "multiversion.hpp"

namespace emu {

LifBlock::LifBlock(const std::string& where, int32_t n, const int32_t* du, const int32_t* dv,
                   const int32_t* vth, const int32_t* bias_mant, const int32_t* bias_exp)
    : NeuronBlock(where, n), u_decay_(n), v_decay_(n), v_th_(n), bias_(n), u_(n, 0), v_(n, 0) {
    for (int32_t i = 0; i < n; ++i) {
        require_range(where, "du", du[i], 0, 4095);
        require_range(where, "dv", dv[i], 0, 4095);
        require_range(where, "vth", vth[i], 0, (1 << 17) - 1);
        require_range(where, "bias_mant", bias_mant[i], -4096, 4095);
        require_range(where, "bias_exp", bias_exp[i], -8, 7);
        u_decay_[i] = static_cast<int16_t>(4096 - (du[i] + 1));
        v_decay_[i] = static_cast<int16_t>(4096 - dv[i]);
        v_th_[i] = static_cast<int32_t>(shl(vth[i], 6));
        bias_[i] = static_cast<int32_t>(shift_signed(bias_mant[i], bias_exp[i]));
    }
}

namespace {
// The update of n compartments; returns how many were active. A free function, so that
// it can be cloned for wider vectors (multiversion.hpp).
EMU_MULTIVERSION
uint64_t lif_step(int32_t n, const int64_t* a, const int16_t* __restrict u_decay,
                  const int16_t* __restrict v_decay, const int32_t* __restrict v_th,
                  const int32_t* __restrict bias, int64_t* __restrict us, int64_t* __restrict vs,
                  int32_t* __restrict payload) {
    uint64_t active = 0;
    for (int32_t i = 0; i < n; ++i) {
        const int64_t u0 = us[i], v0 = vs[i];
        int64_t u = wrap_add(trunc0(wrap_mul(u0, int64_t{u_decay[i]}), kDecayBits), wrap_mul(a[i], 64));
        u = wrap_u24_once(u);
        int64_t v = wrap_add(wrap_add(trunc0(v0 * int64_t{v_decay[i]}, kDecayBits), u), int64_t{bias[i]});
        v = saturate(v, -kV_MAX, kV_MAX);
        const bool spike = v > int64_t{v_th[i]};
        v = spike ? 0 : v;
        payload[i] = spike;
        active += static_cast<uint64_t>(spike | (u != u0) | (v != v0));  // no branches
        us[i] = u;
        vs[i] = v;
    }
    return active;
}
}  // namespace

void LifBlock::step(const int64_t* a, int32_t* payload, const PayloadWidth&, Counters& counters) {
    count_updates(counters, lif_step(n_, a, u_decay_.data(), v_decay_.data(), v_th_.data(),
                                     bias_.data(), u_.data(), v_.data(), payload));
}

const int64_t* LifBlock::state(const std::string& var) const {
    if (var == "u") return u_.data();
    if (var == "v") return v_.data();
    return nullptr;
}

void LifBlock::reset() {
    std::fill(u_.begin(), u_.end(), 0);
    std::fill(v_.begin(), v_.end(), 0);
}

}  // namespace emu
