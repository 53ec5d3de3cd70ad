"""Routing for Loihi-like targets: input-axon tables per core, output-axon table per source.

A spike is sent as one message per destination core (fan-out at the source). On the
destination core the message names an input axon; the axon lists the (group, row) pairs
its synapses sit in, so one source feeding several connections into a core still costs
one message.
"""
import numpy as np

from .. import _core


def build_axon_tables(groups_per_core, n_sources):
    """Per-core input-axon tables and the global output-axon table (built in C++, in time
    linear in the rows: `_core.axon_tables`).

    groups_per_core: for each core, its list of Groups (their `sources` give the sender of
    each row). Returns (axons, out): axons[c] = (axon_ptr, axon_group, axon_row), a core's
    axons numbered in the order their senders first appear in its groups, and out =
    (src_ptr, dst_core, dst_axon), each sender's entries in core order.
    """
    senders = [[np.ascontiguousarray(g.sources, np.int64) for g in groups]
               for groups in groups_per_core]
    axons, out = _core.axon_tables(senders, n_sources)
    return [tuple(a) for a in axons], tuple(out)


def table_arrays(axons, out, groups_per_core, n_cores):
    """The tables as the Program stores them: {name: array}, and per core whether its
    axons are its rows in the order of their senders. Such a core stores no input-axon
    table (axon k is row k of its groups in order: every sender reaches one row) and its
    messages name no axon (a core's k-th message in source order arrives on axon k);
    `out/dst_axon` holds the axons of the other cores' messages, core by core. At chip
    scale the tables are most of a Program: a network whose every message carries a
    synapse or two would otherwise store 24 bytes of table per synapse. Offsets are
    stored as int32 and destination cores as int16 where they fit."""
    arrays, row_axons = {}, np.zeros(n_cores, bool)
    for c, (ptr, grp, row) in enumerate(axons):
        senders = [np.asarray(g.sources) for g in groups_per_core[c]]
        senders = np.concatenate(senders) if senders else np.zeros(0, np.int64)
        # (first-seen numbering makes axon k row k when no sender repeats)
        row_axons[c] = len(grp) == len(ptr) - 1 and bool(np.all(senders[1:] > senders[:-1]))
        if not row_axons[c]:
            arrays[f"core{c}/axon_ptr"] = narrow_offsets(ptr, np.int32)
            arrays[f"core{c}/axon_group"], arrays[f"core{c}/axon_row"] = grp, row
    src_ptr, dst_core, dst_axon = out
    stored = np.flatnonzero(~row_axons[dst_core])
    arrays["out/src_ptr"] = src_ptr
    arrays["out/dst_core"] = dst_core.astype(np.int16) if n_cores <= np.iinfo(np.int16).max + 1 else dst_core
    arrays["out/dst_axon"] = dst_axon[stored[np.argsort(dst_core[stored], kind="stable")]]
    return arrays, row_axons


def narrow_offsets(offsets, dtype):
    """Offsets as `dtype` when their largest fits it (they never decrease)."""
    return offsets.astype(dtype) if offsets.size == 0 or offsets[-1] <= np.iinfo(dtype).max else offsets

