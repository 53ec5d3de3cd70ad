"""Synaptic memory: one group per (connection, destination core), rows by input axon.

A dense connection keeps dense rows (every post neuron of the block, no index); a sparse
one keeps CSR rows with a 16-bit local post index, and only pre neurons that have a
synapse into the block get a row (and so an axon).
"""
from dataclasses import dataclass

import numpy as np

from ..quantize import prepare_weights


@dataclass
class Group:
    """The synapses of one connection into one block of its post population."""
    connection: str
    core: int
    post_base: int           # first dendritic accumulator of the block's port it feeds
    n_post: int
    post_start: int          # the post neuron of local post 0
    sources: np.ndarray      # global source id of each row (its input axon's sender)
    rows: np.ndarray         # the pre neuron of each row
    dense: bool
    row_ptr: np.ndarray      # int64 (sparse) or empty
    post: np.ndarray         # uint16 local post index (sparse) or empty
    weight: np.ndarray       # int16 prepared weights
    delay: np.ndarray        # uint8, empty when every delay is 0
    weight_exp: int
    graded: bool


def build_groups(conn, post_blocks, pre_sources):
    """Groups of `conn` for each block of its post population.

    pre_sources: global source id of every pre neuron (array of length pre.n).
    """
    weights = prepare_weights(conn.weights, conn.sign_mode, conn.num_weight_bits)
    groups = []
    n_pre, n_post = conn.pre.n, conn.post.n
    if not conn.dense:
        # one stable sort by block keeps each block's synapses in canonical order (by pre,
        # then post) and makes every block a slice
        starts = np.array([b.start for b in post_blocks], np.int64)
        order_blocks = np.argsort(starts, kind="stable")
        block_of = np.searchsorted(starts[order_blocks], conn.post_index, side="right") - 1
        if len(post_blocks) < 2**15:  # numpy sorts 16-bit keys stably by radix: O(n)
            block_of = block_of.astype(np.int16)
        order = np.argsort(block_of, kind="stable")
        bounds = np.searchsorted(block_of[order], np.arange(len(post_blocks) + 1))
        slot = {int(k): i for i, k in enumerate(order_blocks)}
    for k, b in enumerate(post_blocks):
        if conn.dense:
            w = weights.reshape(n_pre, n_post)[:, b.start:b.stop]
            d = conn.delays.reshape(n_pre, n_post)[:, b.start:b.stop]
            rows = np.arange(n_pre)
            row_ptr = np.zeros(0, np.int64)
            post = np.zeros(0, np.uint16)
        else:
            i = slot[k]
            keep = order[bounds[i]:bounds[i + 1]]
            if len(keep) == 0:
                continue
            pre = conn.pre_index[keep]
            w, d = weights[keep], conn.delays[keep]
            post = (conn.post_index[keep] - b.start).astype(np.uint16)
            # a block's synapses stay sorted by pre neuron: its rows are the runs of one pre
            first = np.flatnonzero(np.concatenate(([True], pre[1:] != pre[:-1])))
            rows = pre[first]
            row_ptr = np.append(first, len(pre)).astype(np.int64)
        d = d.ravel()
        groups.append(Group(
            connection=conn.name, core=b.core, post_base=b.acc_offset + conn.port_index * b.n,
            n_post=b.n, post_start=b.start, sources=pre_sources[rows], rows=rows.astype(np.int32),
            dense=conn.dense, row_ptr=row_ptr, post=post,
            weight=w.ravel().astype(np.int16),
            delay=d.astype(np.uint8) if d.any() else np.zeros(0, np.uint8),
            weight_exp=conn.weight_exp, graded=conn.graded))
    return groups
