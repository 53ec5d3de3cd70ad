// Compile-time passes over a connection's synapses in canonical order (by pre neuron,
// then post neuron): the compiler's hot loops (emulator/compiler/partition.py and
// synapses.py). A row is one pre neuron's synapses into one block of post neurons: a run
// of consecutive synapses. Both passes validate what they read (LoadError).
#pragma once
#include <cstdint>
#include <vector>

namespace emu {

// Rows when the post population is cut into blocks of `size` neurons: per block its
// rows (input axons) and the bits they take (cost[length] per row); per pre neuron the
// rows it sends (its output-axon entries).
struct BlockRows {
    std::vector<int64_t> axons, bits, rows_per_pre;
};
BlockRows block_rows(const int64_t* pre, const int64_t* post, int64_t n, int64_t n_pre,
                     int64_t n_post, int64_t size, const int64_t* cost, int64_t cost_len);

// The synapses regrouped block by block (a stable counting sort: each block keeps
// canonical order, but for the order of its rows: pre_order, a permutation of the pre
// neurons, orders them), with local post indices, narrowed weights and delays, and where
// each block's rows start, written into arrays of n the caller allocates (out_delay may
// be null): block_ptr (n_blocks + 1) bounds each block's synapses, row_start (up to n)
// gives the first synapse of each row, block by block, and block_row_ptr (n_blocks + 1)
// each block's rows. Returns the number of rows.
int64_t group_synapses(const int64_t* pre, const int64_t* post, const int64_t* weight,
                       const int64_t* delay, int64_t n, int64_t n_pre, const int64_t* pre_order,
                       const int32_t* block_of_post, int64_t n_post,
                       const int64_t* block_start, int64_t n_blocks, int32_t* out_pre,
                       uint16_t* out_post, int16_t* out_weight, uint8_t* out_delay,
                       int64_t* block_ptr, int64_t* row_start, int64_t* block_row_ptr);

}  // namespace emu
