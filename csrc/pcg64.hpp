// A numpy-compatible PCG64 stream (the bit generator behind numpy.random.default_rng):
// a 128-bit LCG with the XSL-RR output function. Python seeds it through numpy's own
// SeedSequence and hands over the full state, so the kernel never re-implements the
// seeding; from there the kernel draws exactly the numbers numpy would:
//   random()        (next64 >> 11) * 2^-53                      Generator.random()
//   below128()      (next32 * 128) >> 32                        Generator.integers(0, 128)
// where next32 returns the low half of a 64-bit output and keeps the high half for the
// next 32-bit draw, as numpy's PCG64 does.
#pragma once
#include <cstdint>

namespace emu {

class Pcg64 {
  public:
    Pcg64() = default;
    // The six words numpy's PCG64.state holds: state (high, low), inc (high, low),
    // has_uint32 (0 or 1), uinteger.
    explicit Pcg64(const uint64_t* words)
        : state_((static_cast<__uint128_t>(words[0]) << 64) | words[1]),
          inc_((static_cast<__uint128_t>(words[2]) << 64) | words[3]),
          has_uint32_(words[4] != 0), uinteger_(static_cast<uint32_t>(words[5])) {}

    uint64_t next64() {
        state_ = state_ * kMultiplier + inc_;
        const uint64_t hi = static_cast<uint64_t>(state_ >> 64);
        const uint64_t lo = static_cast<uint64_t>(state_);
        const unsigned rot = static_cast<unsigned>(hi >> 58);
        const uint64_t x = hi ^ lo;
        return (x >> rot) | (x << ((64u - rot) & 63u));
    }
    uint32_t next32() {
        if (has_uint32_) {
            has_uint32_ = false;
            return uinteger_;
        }
        const uint64_t v = next64();
        has_uint32_ = true;
        uinteger_ = static_cast<uint32_t>(v >> 32);
        return static_cast<uint32_t>(v);
    }
    double random() { return static_cast<double>(next64() >> 11) * (1.0 / 9007199254740992.0); }
    int32_t below128() {
        return static_cast<int32_t>((static_cast<uint64_t>(next32()) * 128u) >> 32);
    }

  private:
    static constexpr __uint128_t kMultiplier =
        (static_cast<__uint128_t>(0x2360ED051FC65DA4ULL) << 64) | 0x4385DF649FCCF645ULL;
    __uint128_t state_ = 0, inc_ = 0;
    bool has_uint32_ = false;
    uint32_t uinteger_ = 0;
};

}  // namespace emu
