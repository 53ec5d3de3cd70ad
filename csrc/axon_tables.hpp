// The routing tables of Loihi-like targets (emulator/compiler/route.py): per core an
// input-axon table (each sender's (group, row) pairs on that core) and the global
// output-axon table (each sender's (destination core, axon) pairs). Built in time linear
// in the rows, without sorting (a core's axons are numbered in first-seen order), into
// arrays the caller allocates: fresh memory costs more to touch than the work itself.
#pragma once
#include <cstdint>
#include <vector>

namespace emu {

// What input_axons reuses from core to core.
struct AxonScratch {
    explicit AxonScratch(int64_t n_sources) : seen(n_sources, -1), axon_of(n_sources, 0) {}
    std::vector<int64_t> seen;     // the last core that saw each sender
    std::vector<int32_t> axon_of;  // its axon on that core
    std::vector<int64_t> fill;
};

// One core's input axons. sources[g]: the sender of each of the n_rows[g] rows of its
// groups g = 0, 1, ...; ptr (entries + 1), group, row (entries) and sender (up to
// entries) are filled; returns the number of axons. `core` must differ from call to call.
int64_t input_axons(const std::vector<const int64_t*>& sources,
                    const std::vector<int64_t>& n_rows, int64_t core, AxonScratch& scratch,
                    int64_t* ptr, int32_t* group, int32_t* row, int64_t* sender);

// The output-axon table from every core's senders (senders[c], n_axons[c] of them):
// src_ptr (n_sources + 1), dst_core and dst_axon (sum of n_axons).
void output_axons(const std::vector<const int64_t*>& senders,
                  const std::vector<int64_t>& n_axons, int64_t n_sources, int64_t* src_ptr,
                  int32_t* dst_core, int32_t* dst_axon);

}  // namespace emu
