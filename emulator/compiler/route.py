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
    axons, out_src, out_core, out_axon = [], [], [], []
    for c, groups in enumerate(groups_per_core):
        src = np.concatenate([g.sources for g in groups]) if groups else np.zeros(0, np.int64)
        grp = np.concatenate([np.full(len(g.sources), i, np.int32) for i, g in enumerate(groups)]) \
            if groups else np.zeros(0, np.int32)
        row = np.concatenate([np.arange(len(g.sources), dtype=np.int32) for g in groups]) \
            if groups else np.zeros(0, np.int32)
        order = np.argsort(src, kind="stable")
        src, grp, row = src[order], grp[order], row[order]
        senders, first = np.unique(src, return_index=True)
        axon_ptr = np.append(first, len(src)).astype(np.int64)
        axons.append((axon_ptr, grp.astype(np.int32), row.astype(np.int32)))
        out_src.append(senders)
        out_core.append(np.full(len(senders), c, np.int32))
        out_axon.append(np.arange(len(senders), dtype=np.int32))
    src = np.concatenate(out_src) if out_src else np.zeros(0, np.int64)
    core = np.concatenate(out_core) if out_core else np.zeros(0, np.int32)
    axon = np.concatenate(out_axon) if out_axon else np.zeros(0, np.int32)
    order = np.argsort(src, kind="stable")
    src_ptr = np.zeros(n_sources + 1, np.int64)
    np.cumsum(np.bincount(src, minlength=n_sources), out=src_ptr[1:])
    return axons, (src_ptr, core[order].astype(np.int32), axon[order].astype(np.int32))
