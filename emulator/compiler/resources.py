"""Exact per-core resource usage of a compiled network, and the check against the target.

Measured from what the compiler built (blocks, synapse groups, axon tables), so it
counts what the estimates of `partition.py` can only bound: input axons shared by several
connections, output axons (one per destination core of each neuron), and the
configuration tables (distinct compartment parameter sets, synapse formats and learning
rules on a core).
"""
import numpy as np

from .partition import DELAY_BITS, PLASTIC_TAG_BITS, index_bits, weight_field_bits

#: Neuron parameters stored per compartment rather than in a shared profile.
PER_COMPARTMENT = ("bias_mant", "bias")


def core_usage(net, target, blocks, groups_per_core, axons, src_ptr, n_inputs):
    """{resource: int64 array per core}; the resources of RESOURCES."""
    n_cores = len(groups_per_core)
    conns = {c.name: c for c in net.connections}
    neurons = np.zeros(n_cores, np.int64)
    profiles = [set() for _ in range(n_cores)]
    for p, pb in enumerate(blocks):
        pop = net.populations[p]
        shared = [name for name in sorted(pop.params) if name not in PER_COMPARTMENT]
        table = np.stack([pop.params[name] for name in shared], axis=1) if shared else None
        for b in pb:
            neurons[b.core] += b.n
            rows = {tuple(r) for r in table[b.start:b.stop].tolist()} if table is not None else {()}
            profiles[b.core] |= {(pop.model.kind, r) for r in rows}
    input_axons = np.array([len(ptr) - 1 for ptr, _, _ in axons], np.int64)
    fanout = np.diff(src_ptr)[n_inputs:]
    core_n = np.append(0, np.cumsum(neurons))
    output_axons = np.array([fanout[core_n[c]:core_n[c + 1]].sum() for c in range(n_cores)],
                            np.int64)
    bits = np.zeros(n_cores, np.int64)
    formats = [set() for _ in range(n_cores)]
    rules = [set() for _ in range(n_cores)]
    for c, groups in enumerate(groups_per_core):
        for g in groups:
            conn = conns[g.connection]
            lengths = np.full(len(g.sources), g.n_post) if g.dense else np.diff(g.row_ptr)
            bits[c] += int(target.synapse_bits(
                lengths, weight_field_bits(conn), 0 if g.dense else index_bits(g.n_post),
                DELAY_BITS if g.delay.size else 0,
                PLASTIC_TAG_BITS if conn.plastic else 0).sum())
            formats[c].add((conn.num_weight_bits, conn.sign_mode, g.dense, bool(g.delay.size),
                            g.graded))
            if conn.plastic:
                rules[c].add(conn.rule)
    memory = target.neuron_state_bytes * neurons + bits // 8 + \
        target.axon_entry_bytes * (input_axons + output_axons)
    return {"neurons": neurons, "input axons": input_axons, "output axons": output_axons,
            "synaptic memory bits": bits, "core memory bytes": memory,
            "compartment profiles": np.array([len(s) for s in profiles], np.int64),
            "synapse formats": np.array([len(s) for s in formats], np.int64),
            "learning profiles": np.array([len(s) for s in rules], np.int64)}


def limits(target, max_neurons):
    """{resource: per-core limit} of the target (resources it does not limit left out)."""
    out = {"neurons": max_neurons, "input axons": target.max_input_axons,
           "output axons": target.max_output_axons,
           "synaptic memory bits": target.synapse_memory_bits,
           "core memory bytes": target.core_memory_bytes,
           "compartment profiles": target.profiles.get("compartment", 0),
           "synapse formats": target.profiles.get("synapse_format", 0),
           "learning profiles": target.profiles.get("learning", 0)}
    return {name: value for name, value in out.items() if value}


def violations(usage, limit):
    """[(core, resource, need, limit)] for every resource a core exceeds."""
    out = []
    for name, lim in limit.items():
        for core in np.flatnonzero(usage[name] > lim):
            out.append((int(core), name, int(usage[name][core]), lim))
    return out
