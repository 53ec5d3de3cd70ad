// Graded spike payloads (spec/neurocore.md section 6): the target bounds a payload to a
// signed width (this emulator's Loihi 2 default: 24 bits). Out of range, the default mode
// saturates; strict mode stops the run with an error. The reference models do the same.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace emu {

// A payload outside the width in strict mode. Thrown from inside a neuron block's step
// (which knows the compartment); the core adds where and when before it reaches Python.
struct PayloadError : std::runtime_error {
    PayloadError(const std::string& what, int32_t compartment, int64_t value)
        : std::runtime_error(what), compartment(compartment), value(value) {}
    int32_t compartment;
    int64_t value;
};

class PayloadWidth {
  public:
    PayloadWidth(int32_t bits, bool strict)
        : bits_(bits), lo_(-(int64_t{1} << (bits - 1))), hi_((int64_t{1} << (bits - 1)) - 1),
          strict_(strict) {}

    // The payload compartment i actually sends for the raw value (nonzero).
    int32_t send(int64_t raw, int32_t i) const {
        if (raw >= lo_ && raw <= hi_) return static_cast<int32_t>(raw);
        if (strict_) throw PayloadError(describe(), i, raw);
        return static_cast<int32_t>(raw < lo_ ? lo_ : hi_);
    }
    std::string describe() const {
        return std::to_string(bits_) + "-bit payload range [" + std::to_string(lo_) + ", " +
               std::to_string(hi_) + "]";
    }
    int32_t bits() const { return bits_; }

  private:
    int32_t bits_;
    int64_t lo_, hi_;
    bool strict_;
};

}  // namespace emu
