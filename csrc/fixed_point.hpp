// Fixed-point helpers shared by every neurocore model: the one place where widths,
// wrapping, saturation and rounding shifts are written.
//
// All state arithmetic is two's-complement 64-bit and wraps on overflow (computed through
// uint64_t, so it is defined behaviour in C++) -- the same as the numpy int64 arithmetic
// of the reference models, which is what makes them bit-identical at the extremes.
#pragma once
#include <cstdint>

namespace emu {

// Payload / state widths of the Loihi-2-like neurocore (spec/neurocore.md).
constexpr int64_t kV_MAX = (int64_t{1} << 23) - 1;   // v: 24-bit signed, saturates
constexpr int64_t kU_HALF = int64_t{1} << 23;        // u: 24-bit signed, wraps once
constexpr int64_t kU_SPAN = int64_t{1} << 24;
constexpr int kDecayBits = 12;                        // du, dv are 12-bit fractions of 4096

inline int64_t wrap_add(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t wrap_mul(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
inline int64_t wrap_neg(int64_t a) {
    return static_cast<int64_t>(uint64_t{0} - static_cast<uint64_t>(a));
}
inline int64_t wrap_sub(int64_t a, int64_t b) { return wrap_add(a, wrap_neg(b)); }
// |x| as numpy's int64 abs computes it: -2^63 stays -2^63 (so it passes no threshold).
inline int64_t wrap_abs(int64_t x) { return x < 0 ? wrap_neg(x) : x; }
// x << n for any sign (a left shift of a negative number is undefined in C++).
inline int64_t shl(int64_t x, int n) {
    return static_cast<int64_t>(static_cast<uint64_t>(x) << n);
}
// floor(x, n): arithmetic right shift, rounds toward -infinity.
inline int64_t floor_shift(int64_t x, int n) { return x >> n; }
// trunc0(x, n) = sign(x) * (|x| >> n): rounds toward zero. Without a branch (the sign of
// a neuron's state is a coin toss the predictor loses): a negative x is biased by
// 2^n - 1 before the floor shift, and -2^63 (whose |x| is itself in numpy) gives
// +2^(63 - n) as sign * (|x| >> n) does.
inline int64_t trunc0(int64_t x, int n) {
    const int64_t bias = (x >> 63) & ((int64_t{1} << n) - 1);
    const int64_t r = static_cast<int64_t>(static_cast<uint64_t>(x) + static_cast<uint64_t>(bias)) >> n;
    return x == INT64_MIN ? static_cast<int64_t>(uint64_t{1} << (63 - n)) : r;
}
// The hardware's signed exponent: x << e for e >= 0, floor(x, -e) for e < 0.
inline int64_t shift_signed(int64_t x, int e) {
    return e >= 0 ? shl(x, e) : floor_shift(x, -e);
}
inline int64_t saturate(int64_t x, int64_t lo, int64_t hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}
// Bits of x's shortest two's-complement form, sign bit included (1 -> 2, -1 -> 1,
// 255 -> 9, -256 -> 9): what a graded payload carries.
inline int32_t signed_width(int64_t x) {
    const uint64_t m = static_cast<uint64_t>(x ^ (x >> 63));  // magnitude bits of x
    return m == 0 ? 1 : 65 - __builtin_clzll(m);
}
// u's single wrap correction (a quirk kept from the reference: -2^23 becomes +2^23, and
// a value more than one span outside stays outside).
inline int64_t wrap_u24_once(int64_t u) {
    if (u > kU_HALF) u -= kU_SPAN;
    if (u <= -kU_HALF) u += kU_SPAN;
    return u;
}

}  // namespace emu
