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
