"""Synaptic memory: one group per (connection, destination core), rows by input axon.

A dense connection keeps dense rows (every post neuron of the block, no index); a sparse
one keeps CSR rows with a 16-bit local post index, and only pre neurons that have a
synapse into the block get a row (and so an axon).
"""
from dataclasses import dataclass

import numpy as np

from .. import _core
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
    # Rows in the order of their senders' sources, so that every core numbers its axons
    # in source order and the Program need not store them (route.table_arrays).
    pre_order = np.argsort(pre_sources, kind="stable").astype(np.int64)
    if conn.dense:
        return [_dense_group(conn, b, weights, pre_sources, pre_order) for b in post_blocks]
    # One C++ pass regroups the synapses block by block (each block keeps canonical
    # order) and finds every block's rows: the runs of one pre neuron.
    block_of_post = np.empty(conn.post.n, np.int32)
    for k, b in enumerate(post_blocks):
        block_of_post[b.start:b.stop] = k
    starts = np.array([b.start for b in post_blocks], np.int64)
    has_delays = bool(conn.delays.any())
    pre, post, w, d, block_ptr, row_start, block_row_ptr = _core.group_synapses(
        conn.pre_index, conn.post_index, weights, conn.delays if has_delays else None,
        conn.pre.n, pre_order, block_of_post, starts)
    row_pre = pre[row_start]
    groups = []
    for k, b in enumerate(post_blocks):
        lo, hi = block_ptr[k], block_ptr[k + 1]
        if lo == hi:
            continue
        r0, r1 = block_row_ptr[k], block_row_ptr[k + 1]
        rows = row_pre[r0:r1]
        groups.append(_group(conn, b, pre_sources, rows, np.append(row_start[r0:r1] - lo, hi - lo),
                             post[lo:hi], w[lo:hi], d[lo:hi] if has_delays else d))
    return groups


def _dense_group(conn, b, weights, pre_sources, pre_order):
    """A dense block: every pre neuron's row holds all of the block's post neurons."""
    n_pre, n_post = conn.pre.n, conn.post.n
    w = weights.reshape(n_pre, n_post)[pre_order, b.start:b.stop].ravel().astype(np.int16)
    d = conn.delays.reshape(n_pre, n_post)[pre_order, b.start:b.stop].ravel()
    return _group(conn, b, pre_sources, pre_order.astype(np.int32), np.zeros(0, np.int64),
                  np.zeros(0, np.uint16), w,
                  d.astype(np.uint8) if d.any() else np.zeros(0, np.uint8))


def _group(conn, b, pre_sources, rows, row_ptr, post, weight, delay):
    return Group(connection=conn.name, core=b.core,
                 post_base=b.acc_offset + conn.port_index * b.n, n_post=b.n,
                 post_start=b.start, sources=pre_sources[rows], rows=rows, dense=conn.dense,
                 row_ptr=row_ptr, post=post, weight=weight,
                 delay=delay if delay.any() else np.zeros(0, np.uint8),
                 weight_exp=conn.weight_exp, graded=conn.graded)
