#include "lif.hpp"

#include <algorithm>
#include <string>

#include "errors.hpp"
#include "fixed_point.hpp"
#include "multiversion.hpp"

namespace emu {

LifBlock::LifBlock(const std::string& where, int32_t n, const int32_t* du, const int32_t* dv,
                   const int32_t* vth, const int32_t* bias_mant, const int32_t* bias_exp)
    : NeuronBlock(where, n), bias_(n), u_(n, 0), v_(n, 0) {
    for (int32_t i = 0; i < n; ++i) {
        require_range(where, "du", du[i], 0, 4095);
        require_range(where, "dv", dv[i], 0, 4095);
        require_range(where, "vth", vth[i], 0, (1 << 17) - 1);
        require_range(where, "bias_mant", bias_mant[i], -4096, 4095);
        require_range(where, "bias_exp", bias_exp[i], -8, 7);
        if (du[i] != du[0] || dv[i] != dv[0] || vth[i] != vth[0])
            throw LoadError(where + ": du, dv and vth are one value per population; compartment " +
                            std::to_string(i) + " has du " + std::to_string(du[i]) + ", dv " +
                            std::to_string(dv[i]) + ", vth " + std::to_string(vth[i]) + ", compartment 0 " +
                            std::to_string(du[0]) + ", " + std::to_string(dv[0]) + ", " + std::to_string(vth[0]));
        bias_[i] = static_cast<int32_t>(shift_signed(bias_mant[i], bias_exp[i]));
    }
    if (n > 0) {
        u_decay_ = 4096 - (du[0] + 1);
        v_decay_ = 4096 - dv[0];
        v_th_ = shl(vth[0], 6);
    }
}

namespace {
// The update of n compartments; returns how many were active. A free function, so that
// it can be cloned for wider vectors (multiversion.hpp).
EMU_MULTIVERSION
uint64_t lif_step(int32_t n, const int64_t* a, int64_t u_decay, int64_t v_decay, int64_t v_th,
                  const int32_t* __restrict bias, int64_t* __restrict us, int32_t* __restrict vs,
                  int32_t* __restrict payload) {
    uint64_t active = 0;
    for (int32_t i = 0; i < n; ++i) {
        const int64_t u0 = us[i], v0 = vs[i];
        int64_t u = wrap_add(trunc0(wrap_mul(u0, u_decay), kDecayBits), wrap_mul(a[i], 64));
        u = wrap_u24_once(u);
        int64_t v = wrap_add(wrap_add(trunc0(v0 * v_decay, kDecayBits), u), int64_t{bias[i]});
        v = saturate(v, -kV_MAX, kV_MAX);
        const bool spike = v > v_th;
        v = spike ? 0 : v;
        payload[i] = spike;
        active += static_cast<uint64_t>(spike | (u != u0) | (v != v0));  // no branches
        us[i] = u;
        vs[i] = static_cast<int32_t>(v);
    }
    return active;
}
}  // namespace

void LifBlock::step(const int64_t* a, int32_t* payload, const PayloadWidth&, Counters& counters) {
    count_updates(counters, lif_step(n_, a, u_decay_, v_decay_, v_th_, bias_.data(), u_.data(), v_.data(), payload));
}

bool LifBlock::copy_state(const std::string& var, int32_t first, int32_t count, int64_t* out) const {
    if (var == "u") return copy_values(u_, first, count, out);
    if (var == "v") return copy_values(v_, first, count, out);
    return false;
}

void LifBlock::reset() {
    std::fill(u_.begin(), u_.end(), 0);
    std::fill(v_.begin(), v_.end(), 0);
}

}  // namespace emu
