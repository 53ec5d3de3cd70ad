"""Routing for Loihi-like targets: input-axon tables per core, output-axon table per source.

A spike is sent as one message per destination core (fan-out at the source). On the
destination core the message names an input axon; the axon lists the (group, row) pairs
its synapses sit in, so one source feeding several connections into a core still costs
one message.
"""
import numpy as np


def build_axon_tables(groups_per_core, n_sources):
    """Per-core input-axon tables and the global output-axon table.

    groups_per_core: for each core, its list of Groups (their `sources` give the sender of
    each row). Returns (axons, out): axons[c] = (axon_ptr, axon_group, axon_row) and out =
    (src_ptr, dst_core, dst_axon).
    """
    axons, out_src = [], []
    for c, groups in enumerate(groups_per_core):
        src = np.concatenate([g.sources for g in groups]) if groups else np.zeros(0, np.int64)
        grp = np.concatenate([np.full(len(g.sources), i, np.int32) for i, g in enumerate(groups)]) \
            if groups else np.zeros(0, np.int32)
        row = np.concatenate([np.arange(len(g.sources), dtype=np.int32) for g in groups]) \
            if groups else np.zeros(0, np.int32)
        # any order of a sender's (group, row) pairs gives the same sums: no stable sort
        order = np.argsort(src)
        src, grp, row = src[order], grp[order], row[order]
        first = np.flatnonzero(np.concatenate(([True], src[1:] != src[:-1]))) if len(src) \
            else np.zeros(0, np.int64)
        axons.append((np.append(first, len(src)).astype(np.int64), grp.astype(np.int32),
                      row.astype(np.int32)))
        out_src.append(src[first])  # this core's senders, one input axon each, in axon order
    # The output-axon table by counting (no sort over all axons): each sender's entries in
    # core order; a core lists each sender once, so one vectorised step per core.
    counts = np.zeros(n_sources, np.int64)
    for senders in out_src:
        counts[senders] += 1
    src_ptr = np.zeros(n_sources + 1, np.int64)
    np.cumsum(counts, out=src_ptr[1:])
    fill = src_ptr[:-1].copy()
    dst_core = np.empty(int(src_ptr[-1]), np.int32)
    dst_axon = np.empty(int(src_ptr[-1]), np.int32)
    for c, senders in enumerate(out_src):
        pos = fill[senders]
        dst_core[pos] = c
        dst_axon[pos] = np.arange(len(senders), dtype=np.int32)
        fill[senders] += 1
    return axons, (src_ptr, dst_core, dst_axon)
