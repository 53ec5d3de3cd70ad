// A step's spikes as the kernel passes them between its phases: sources in increasing
// order (input channels are sources 0 .. n_inputs - 1) and their nonzero payloads.
#pragma once
#include <cstddef>
#include <cstdint>

namespace emu {

struct Spikes {
    const int32_t* src;
    const int32_t* payload;
    size_t n;
    // Spikes first .. last of these.
    Spikes part(size_t first, size_t last) const { return {src + first, payload + first, last - first}; }
};

}  // namespace emu
