#include "synapse_rows.hpp"

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
    if (size < 1 || cost_len < size + 1) throw LoadError("block_rows: bad size or cost table");
    check_synapses(pre, post, n, n_pre, n_post);
    const int64_t n_blocks = (n_post + size - 1) / size;
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

Grouped group_synapses(const int64_t* pre, const int64_t* post, const int64_t* weight,
                       const int64_t* delay, int64_t n, int64_t n_pre,
                       const int32_t* block_of_post, int64_t n_post,
                       const int64_t* block_start, int64_t n_blocks) {
    Grouped g;
    g.block_ptr.assign(n_blocks + 1, 0);
    check_synapses(pre, post, n, n_pre, n_post);
    for (int64_t i = 0; i < n; ++i) {
        const int32_t b = block_of_post[post[i]];
        if (b < 0 || b >= n_blocks || post[i] < block_start[b] || post[i] - block_start[b] > 65535)
            throw LoadError("group_synapses: post " + std::to_string(post[i]) +
                            " is not in its block");
        if (weight[i] < -32768 || weight[i] > 32767)
            throw LoadError("group_synapses: weight out of 16 bits");
        if (delay && (delay[i] < 0 || delay[i] > 255))
            throw LoadError("group_synapses: delay out of 8 bits");
        g.block_ptr[b + 1] += 1;
    }
    for (int64_t b = 0; b < n_blocks; ++b) g.block_ptr[b + 1] += g.block_ptr[b];
    std::vector<int64_t> fill(g.block_ptr.begin(), g.block_ptr.end() - 1);
    std::vector<int64_t> last_pre(n_blocks, -1);  // the pre of each block's latest row
    std::vector<std::vector<int64_t>> rows(n_blocks);
    g.pre.resize(n);
    g.post.resize(n);
    g.weight.resize(n);
    if (delay) g.delay.resize(n);
    for (int64_t i = 0; i < n; ++i) {
        const int32_t b = block_of_post[post[i]];
        const int64_t at = fill[b]++;
        g.pre[at] = static_cast<int32_t>(pre[i]);
        g.post[at] = static_cast<uint16_t>(post[i] - block_start[b]);
        g.weight[at] = static_cast<int16_t>(weight[i]);
        if (delay) g.delay[at] = static_cast<uint8_t>(delay[i]);
        if (last_pre[b] != pre[i]) {  // canonical order: a block's rows come pre by pre
            rows[b].push_back(at);
            last_pre[b] = pre[i];
        }
    }
    g.block_row_ptr.assign(n_blocks + 1, 0);
    for (int64_t b = 0; b < n_blocks; ++b)
        g.block_row_ptr[b + 1] = g.block_row_ptr[b] + static_cast<int64_t>(rows[b].size());
    g.row_start.reserve(g.block_row_ptr[n_blocks]);
    for (auto& r : rows) {
        g.row_start.insert(g.row_start.end(), r.begin(), r.end());
        std::vector<int64_t>().swap(r);
    }
    return g;
}

}  // namespace emu
