#include "axon_tables.hpp"

#include <algorithm>
#include <string>

#include "errors.hpp"

namespace emu {

int64_t input_axons(const std::vector<const int64_t*>& sources,
                    const std::vector<int64_t>& n_rows, int64_t core, AxonScratch& scratch,
                    int64_t* ptr, int32_t* group, int32_t* row, int64_t* sender) {
    const int64_t n_sources = static_cast<int64_t>(scratch.seen.size());
    int64_t n_axons = 0;
    ptr[0] = 0;
    for (size_t g = 0; g < sources.size(); ++g) {  // number the axons, count their pairs
        for (int64_t r = 0; r < n_rows[g]; ++r) {
            const int64_t s = sources[g][r];
            if (s < 0 || s >= n_sources)
                throw LoadError("axon tables: core " + std::to_string(core) + " group " +
                                std::to_string(g) + " row " + std::to_string(r) + ": sender " +
                                std::to_string(s) + " outside [0, " +
                                std::to_string(n_sources - 1) + "]");
            if (scratch.seen[s] != core) {
                scratch.seen[s] = core;
                scratch.axon_of[s] = static_cast<int32_t>(n_axons);
                sender[n_axons] = s;
                ptr[++n_axons] = 0;
            }
            ptr[scratch.axon_of[s] + 1] += 1;
        }
    }
    for (int64_t a = 0; a < n_axons; ++a) ptr[a + 1] += ptr[a];
    scratch.fill.assign(ptr, ptr + n_axons);
    for (size_t g = 0; g < sources.size(); ++g) {
        for (int64_t r = 0; r < n_rows[g]; ++r) {
            const int64_t at = scratch.fill[scratch.axon_of[sources[g][r]]]++;
            group[at] = static_cast<int32_t>(g);
            row[at] = static_cast<int32_t>(r);
        }
    }
    return n_axons;
}

void output_axons(const std::vector<const int64_t*>& senders,
                  const std::vector<int64_t>& n_axons, int64_t n_sources, int64_t* src_ptr,
                  int32_t* dst_core, int32_t* dst_axon) {
    std::fill(src_ptr, src_ptr + n_sources + 1, 0);
    for (size_t c = 0; c < senders.size(); ++c)
        for (int64_t a = 0; a < n_axons[c]; ++a) src_ptr[senders[c][a] + 1] += 1;
    for (int64_t s = 0; s < n_sources; ++s) src_ptr[s + 1] += src_ptr[s];
    std::vector<int64_t> fill(src_ptr, src_ptr + n_sources);
    for (size_t c = 0; c < senders.size(); ++c) {  // each sender's entries in core order
        for (int64_t a = 0; a < n_axons[c]; ++a) {
            const int64_t at = fill[senders[c][a]]++;
            dst_core[at] = static_cast<int32_t>(c);
            dst_axon[at] = static_cast<int32_t>(a);
        }
    }
}

}  // namespace emu
