// Errors the kernel raises on bad input. The bindings translate them into the Python
// package's named exceptions (LoadError -> ProgramFormatError, RunError -> InputError,
// ResourceError -> ResourceLimitError, BusyError -> SimulatorBusyError).
#pragma once
#include <stdexcept>
#include <string>

namespace emu {

// What was loaded (a Program's arrays) is inconsistent or out of range.
struct LoadError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// What a run was given (raster, probes) does not fit the loaded system.
struct RunError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The machine refused a resource the kernel needs besides memory (a thread).
struct ResourceError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A call found the system busy with another (csrc/run_control.hpp: OneCall).
struct BusyError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws LoadError "<what>: <name>=<value> outside [lo, hi]" unless lo <= value <= hi.
template <typename T>
inline void require_range(const std::string& what, const char* name, T value, T lo, T hi) {
    if (value < lo || value > hi) {
        throw LoadError(what + ": " + name + "=" + std::to_string(value) + " outside [" +
                        std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
}

}  // namespace emu
