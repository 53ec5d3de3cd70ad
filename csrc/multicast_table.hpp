// One chip's multicast routing table (SpiNNaker 2): ordered (value, mask) entries on the
// 32-bit packet key; the first entry with key & mask == value gives the packet's outputs:
// chip-to-chip link directions (bits of `links`) and core slots on this chip.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "errors.hpp"

namespace emu {

struct MulticastTable {
    std::vector<int64_t> value, mask;
    std::vector<uint8_t> links;         // bit d: leave by chip direction d
    std::vector<int64_t> core_ptr;      // entry k delivers to slots [core_ptr[k], core_ptr[k+1])
    std::vector<int16_t> core_slot;

    // Index of the first entry matching `key`, or -1.
    int64_t lookup(int64_t key) const {
        for (size_t k = 0; k < value.size(); ++k)
            if ((key & mask[k]) == value[k]) return static_cast<int64_t>(k);
        return -1;
    }

    void validate(const std::string& where, int32_t cores_per_chip) const {
        const size_t n = value.size();
        if (mask.size() != n || links.size() != n || core_ptr.size() != n + 1 || core_ptr[0] != 0 ||
            core_ptr[n] != static_cast<int64_t>(core_slot.size()))
            throw LoadError(where + ": table arrays disagree in length");
        for (size_t k = 0; k < n; ++k) {
            if (core_ptr[k] > core_ptr[k + 1]) throw LoadError(where + ": core_ptr decreases");
            if (value[k] < 0 || value[k] >= (int64_t{1} << 32) || mask[k] < 0 ||
                mask[k] >= (int64_t{1} << 32) || (value[k] & ~mask[k]))
                throw LoadError(where + ": entry " + std::to_string(k) +
                                " is not a (value, mask) pair on 32-bit keys");
            if (links[k] >> 6) throw LoadError(where + ": entry " + std::to_string(k) +
                                               " names a link beyond the six directions");
        }
        std::vector<int64_t> seen(cores_per_chip, -1);  // per slot: the entry that named it
        for (size_t k = 0; k < n; ++k)
            for (int64_t i = core_ptr[k]; i < core_ptr[k + 1]; ++i) {
                const int32_t s = core_slot[i];
                require_range(where, "core slot", s, 0, cores_per_chip - 1);
                if (seen[s] == static_cast<int64_t>(k))
                    throw LoadError(where + ": entry " + std::to_string(k) + " names core slot " +
                                    std::to_string(s) + " twice");
                seen[s] = static_cast<int64_t>(k);
            }
    }
};

}  // namespace emu
