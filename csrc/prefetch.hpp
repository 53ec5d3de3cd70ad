// Fetching a spike's tables into the cache before they are read. A step's spikes come in
// source order, far apart in memory, and each spike's tables are reached through others
// (its offsets, then the records they point at, then their contents): each stage is
// fetched some spikes ahead of the next, so that its misses overlap the work on the
// spikes in between rather than stall it.
#pragma once
#include <cstddef>
#include <cstdint>

namespace emu {

// Spikes between the stages of a fetch.
constexpr size_t kFetchStage = 8;

// Asks for the cache lines of bytes [p, p + bytes), the last partial one included.
inline void prefetch_range(const void* p, size_t bytes) {
    constexpr uintptr_t kLine = 64;
    const uintptr_t end = reinterpret_cast<uintptr_t>(p) + bytes;
    for (uintptr_t a = reinterpret_cast<uintptr_t>(p) & ~(kLine - 1); a < end; a += kLine)
        __builtin_prefetch(reinterpret_cast<const void*>(a));
}

}  // namespace emu
