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
    uniform_ = true;
    for (int32_t i = 1; i < n; ++i)
        uniform_ &= u_decay_[i] == u_decay_[0] && v_decay_[i] == v_decay_[0] && v_th_[i] == v_th_[0] &&
                    bias_[i] == bias_[0];
    if (uniform_ && n > 0) {  // one of each is all the update reads
        u_decay_.resize(1);
        v_decay_.resize(1);
        v_th_.resize(1);
        bias_.resize(1);
    }
}

namespace {
// The update of n compartments; returns how many were active. kUniform: every
// compartment has the parameters of the first (read once, not streamed per compartment).
template <bool kUniform>
inline uint64_t lif_loop(int32_t n, const int64_t* a, const int16_t* __restrict u_decay,
                         const int16_t* __restrict v_decay, const int32_t* __restrict v_th,
                         const int32_t* __restrict bias, int64_t* __restrict us, int32_t* __restrict vs,
                         int32_t* __restrict payload) {
    uint64_t active = 0;
    for (int32_t i = 0; i < n; ++i) {
        const int32_t q = kUniform ? 0 : i;
        const int64_t u0 = us[i], v0 = vs[i];
        int64_t u = wrap_add(trunc0(wrap_mul(u0, int64_t{u_decay[q]}), kDecayBits), wrap_mul(a[i], 64));
        u = wrap_u24_once(u);
        int64_t v = wrap_add(wrap_add(trunc0(v0 * int64_t{v_decay[q]}, kDecayBits), u), int64_t{bias[q]});
        v = saturate(v, -kV_MAX, kV_MAX);
        const bool spike = v > int64_t{v_th[q]};
        v = spike ? 0 : v;
        payload[i] = spike;
        active += static_cast<uint64_t>(spike | (u != u0) | (v != v0));  // no branches
        us[i] = u;
        vs[i] = static_cast<int32_t>(v);
    }
    return active;
}
// Free functions, so that they can be cloned for wider vectors (multiversion.hpp).
EMU_MULTIVERSION
uint64_t lif_step(int32_t n, const int64_t* a, const int16_t* u_decay, const int16_t* v_decay,
                  const int32_t* v_th, const int32_t* bias, int64_t* us, int32_t* vs, int32_t* payload) {
    return lif_loop<false>(n, a, u_decay, v_decay, v_th, bias, us, vs, payload);
}
EMU_MULTIVERSION
uint64_t lif_step_uniform(int32_t n, const int64_t* a, const int16_t* u_decay, const int16_t* v_decay,
                          const int32_t* v_th, const int32_t* bias, int64_t* us, int32_t* vs,
                          int32_t* payload) {
    return lif_loop<true>(n, a, u_decay, v_decay, v_th, bias, us, vs, payload);
}
}  // namespace

void LifBlock::step(const int64_t* a, int32_t* payload, const PayloadWidth&, Counters& counters) {
    auto* const update = uniform_ ? lif_step_uniform : lif_step;
    count_updates(counters, update(n_, a, u_decay_.data(), v_decay_.data(), v_th_.data(), bias_.data(),
                                   u_.data(), v_.data(), payload));
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
