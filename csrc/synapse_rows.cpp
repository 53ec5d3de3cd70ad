#include "synapse_rows.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "errors.hpp"

namespace emu {

namespace {
// Throws LoadError unless every synapse is in range and in canonical order. Branch-free
// over the synapses (the loop vectorises); only a failure looks for the first culprit.
void check_synapses(const int64_t* pre, const int64_t* post, int64_t n, int64_t n_pre,
                    int64_t n_post) {
    bool bad = false;
    for (int64_t i = 0; i < n; ++i)
        bad |= static_cast<uint64_t>(pre[i]) >= static_cast<uint64_t>(n_pre) ||
               static_cast<uint64_t>(post[i]) >= static_cast<uint64_t>(n_post);
    for (int64_t i = 1; i < n; ++i)
        bad |= (pre[i] < pre[i - 1]) | ((pre[i] == pre[i - 1]) & (post[i] <= post[i - 1]));
    if (!bad) return;
    for (int64_t i = 0; i < n; ++i) {
        if (pre[i] < 0 || pre[i] >= n_pre || post[i] < 0 || post[i] >= n_post)
            throw LoadError("synapse " + std::to_string(i) + ": pre " + std::to_string(pre[i]) +
                            " or post " + std::to_string(post[i]) + " out of range");
        if (i > 0 && (pre[i] < pre[i - 1] || (pre[i] == pre[i - 1] && post[i] <= post[i - 1])))
            throw LoadError("synapse " + std::to_string(i) + ": not in canonical order");
    }
}
}  // namespace

BlockRows block_rows(const int64_t* pre, const int64_t* post, int64_t n, int64_t n_pre,
                     int64_t n_post, int64_t size, const int64_t* cost, int64_t cost_len) {
    require_range<int64_t>("block_rows", "n_pre", n_pre, 0, INT32_MAX);
    require_range<int64_t>("block_rows", "n_post", n_post, 0, INT32_MAX);
    // a row of one block holds at most `size` synapses: cost[size] must exist
    require_range<int64_t>("block_rows", "size", size, 1, cost_len - 1);
    check_synapses(pre, post, n, n_pre, n_post);
    const int64_t n_blocks = n_post / size + (n_post % size != 0);
    BlockRows out{std::vector<int64_t>(n_blocks), std::vector<int64_t>(n_blocks),
                  std::vector<int64_t>(n_pre)};
    // block of each post neuron, by table: a 64-bit division per row would dominate
    std::vector<int32_t> block_of(n_post);
    for (int64_t j = 0; j < n_post; ++j) block_of[j] = static_cast<int32_t>(j / size);
    int64_t start = 0, block = 0, block_end = -1;  // the current row's block and its end
    for (int64_t i = 0; i <= n; ++i) {
        // a row ends where the pre neuron changes or the post index leaves the block
        // (posts ascend within a pre neuron: no division per synapse)
        if (i > 0 && (i == n || pre[i] != pre[i - 1] || post[i] >= block_end)) {
            out.axons[block] += 1;
            out.bits[block] += cost[i - start];
            out.rows_per_pre[pre[i - 1]] += 1;
        }
        if (i < n && (i == 0 || pre[i] != pre[i - 1] || post[i] >= block_end)) {
            start = i;
            block = block_of[post[i]];
            block_end = (block + 1) * size;
        }
    }
    return out;
}

int64_t group_synapses(const int64_t* pre, const int64_t* post, const int64_t* weight,
                       const int64_t* delay, int64_t n, int64_t n_pre, const int64_t* pre_order,
                       const int32_t* block_of_post, int64_t n_post,
                       const int64_t* block_start, int64_t n_blocks, int32_t* out_pre,
                       uint16_t* out_post, int16_t* out_weight, uint8_t* out_delay,
                       int64_t* block_ptr, int64_t* row_start, int64_t* block_row_ptr) {
    require_range<int64_t>("group_synapses", "n_pre", n_pre, 0, INT32_MAX);
    require_range<int64_t>("group_synapses", "n_post", n_post, 0, INT32_MAX);
    check_synapses(pre, post, n, n_pre, n_post);
    std::fill(block_ptr, block_ptr + n_blocks + 1, 0);
    const std::string where = "group_synapses: synapse ";
    for (int64_t i = 0; i < n; ++i) {
        const int32_t b = block_of_post[post[i]];
        if (b < 0 || b >= n_blocks || post[i] < block_start[b])
            throw LoadError(where + std::to_string(i) + ": post " + std::to_string(post[i]) +
                            " is in no block (block " + std::to_string(b) + " of " +
                            std::to_string(n_blocks) + ")");
        // the message is built only on failure: this loop runs once per synapse
        if (post[i] - block_start[b] > 65535 || weight[i] < -32768 || weight[i] > 32767 ||
            (delay && (delay[i] < 0 || delay[i] > 255))) {
            const std::string at = where + std::to_string(i);
            require_range<int64_t>(at, "local post index", post[i] - block_start[b], 0, 65535);
            require_range<int64_t>(at, "weight", weight[i], -32768, 32767);
            require_range<int64_t>(at, "delay", delay[i], 0, 255);
        }
        block_ptr[b + 1] += 1;
    }
    for (int64_t b = 0; b < n_blocks; ++b) block_ptr[b + 1] += block_ptr[b];
    std::vector<int64_t> fill(block_ptr, block_ptr + n_blocks);
    // each pre neuron's synapses, [pre_ptr[j], pre_ptr[j + 1]) in canonical order
    std::vector<int64_t> pre_ptr(n_pre + 1, 0);
    for (int64_t i = 0; i < n; ++i) pre_ptr[pre[i] + 1] += 1;
    for (int64_t j = 0; j < n_pre; ++j) pre_ptr[j + 1] += pre_ptr[j];
    std::vector<uint8_t> listed(n_pre, 0);
    for (int64_t k = 0; k < n_pre; ++k) {
        const int64_t j = pre_order[k];
        if (j < 0 || j >= n_pre || listed[j])
            throw LoadError("group_synapses: pre_order is not a permutation of the " +
                            std::to_string(n_pre) + " pre neurons (at " + std::to_string(k) + ")");
        listed[j] = 1;
        for (int64_t i = pre_ptr[j]; i < pre_ptr[j + 1]; ++i) {
            const int32_t b = block_of_post[post[i]];
            const int64_t at = fill[b]++;
            out_pre[at] = static_cast<int32_t>(pre[i]);
            out_post[at] = static_cast<uint16_t>(post[i] - block_start[b]);
            out_weight[at] = static_cast<int16_t>(weight[i]);
            if (delay) out_delay[at] = static_cast<uint8_t>(delay[i]);
        }
    }
    // rows: within a block, each run of one pre neuron
    int64_t n_rows = 0;
    block_row_ptr[0] = 0;
    for (int64_t b = 0; b < n_blocks; ++b) {
        for (int64_t i = block_ptr[b]; i < block_ptr[b + 1]; ++i)
            if (i == block_ptr[b] || out_pre[i] != out_pre[i - 1]) row_start[n_rows++] = i;
        block_row_ptr[b + 1] = n_rows;
    }
    return n_rows;
}

}  // namespace emu
