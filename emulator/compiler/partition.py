"""Partition: populations into core-sized blocks, and blocks packed onto cores.

1. split: each population becomes contiguous blocks of at most `size` neurons, `size`
   the largest at which every block's estimated resources fit one core: neurons, input
   axons, output axons (one per block a neuron's synapses reach, under a first cut of
   every population), synaptic memory (counted with `Target.synapse_bits`) and the core
   memory budget. The estimates are vectorised over the connections' synapse arrays (which are
   in canonical order, by pre then post, so a row -- one pre neuron's synapses into one
   block -- is a run of consecutive synapses).
2. pack: blocks smaller than a core share cores, first fit in decreasing size, while
   the sums of their estimates fit (a sum over-counts axons two blocks share, so it is
   safe).

The final cut can differ from the first one, packing merges axons, and configuration
tables depend on which blocks share a core, so `compile` measures every core exactly
afterwards (`resources.py`) and, if a core is still over a limit, shrinks the blocks of
the population that fills it most and partitions again.
"""
import math
from dataclasses import dataclass

import numpy as np

from .. import _core
from ..errors import ParameterRangeError, ResourceLimitError

#: Per-core resources the split and the packing estimate: (Target attribute, name).
ESTIMATED = (("max_neurons_per_core", "neurons"), ("max_input_axons", "input axons"),
             ("max_output_axons", "output axons"),
             ("synapse_memory_bits", "synaptic memory bits"),
             ("core_memory_bytes", "core memory bytes"))
#: At most this many rounds of cutting every population and re-estimating output axons.
OUTPUT_ROUNDS = 4
#: Delay and learning fields a synapse stores when its connection uses them. ASSUMPTION
#: for the learning fields: the tag t (9 bits) and the delay field d (8 bits).
DELAY_BITS, PLASTIC_TAG_BITS = 6, 17


@dataclass(frozen=True)
class Block:
    """Neurons [start, stop) of one population, at compartment `offset` of `core`.

    Its synaptic input lands in the core's dendritic accumulators from `acc_offset` on:
    n per input port of the model, port-major (port p of neuron i at acc_offset + p*n + i).
    """
    population: int
    start: int
    stop: int
    core: int
    offset: int = 0
    acc_offset: int = 0
    index: int = 0  # the block's position among its core's blocks

    @property
    def n(self):
        return self.stop - self.start


def weight_field_bits(conn):
    """Bits a synapse's weight takes: the formats hold 1..6 or 8 magnitude bits, plus a
    sign bit for mixed signs."""
    bits = 8 if conn.num_weight_bits == 7 else conn.num_weight_bits
    return bits + (conn.sign_mode == "mixed")


def index_bits(n_post):
    """Bits of a sparse synapse's post index in a block of n_post neurons (6 at least)."""
    return max(6, math.ceil(math.log2(max(n_post, 2))))


class RowCache(dict):
    """Per connection and block size, its rows as `_core.block_rows` counts them (rows
    per block, their bits, rows per pre neuron), and whether it has delays. One cache
    serves one partitioning."""

    def has_delays(self, conn):
        key = ("delays", conn.name)
        if key not in self:
            self[key] = bool(conn.delays.any())
        return self[key]

    def rows(self, conn, size, target):
        """(input axons per block, synaptic memory bits per block, output-axon entries
        per pre neuron) of `conn` with its post population cut into blocks of `size`."""
        key = (conn.name, size)
        if key not in self:
            cost = target.synapse_bits(
                np.arange(size + 1), weight_field_bits(conn),
                0 if conn.dense else index_bits(size),
                DELAY_BITS if self.has_delays(conn) else 0,
                PLASTIC_TAG_BITS if conn.plastic else 0).astype(np.int64)
            self[key] = _core.block_rows(conn.pre_index, conn.post_index, conn.pre.n,
                                         conn.post.n, size, cost)
        return self[key]


def output_axons(net, sizes, cache, target):
    """Per population, each neuron's output-axon entries when every population is cut
    into blocks of sizes[name]: one per block its synapses reach, per connection."""
    out = {pop.name: np.zeros(pop.n, np.int64) for pop in net.populations}
    for conn in net.connections:
        if conn.pre.name in out and conn.n_synapses:
            out[conn.pre.name] += cache.rows(conn, sizes[conn.post.name], target)[2]
    return out


def block_usage(net, pop, size, target, outputs=None, cache=None):
    """Estimated resources of each block of `pop` split into blocks of `size` neurons:
    {resource name: array per block}. outputs: each neuron's output-axon entries (see
    output_axons), if known."""
    n_blocks = -(-pop.n // size)
    neurons = np.full(n_blocks, size, np.int64)
    neurons[-1] = pop.n - size * (n_blocks - 1)
    axons = np.zeros(n_blocks, np.int64)
    bits = np.zeros(n_blocks, np.int64)
    out = np.zeros(n_blocks, np.int64) if outputs is None else \
        np.bincount(np.arange(pop.n) // size, weights=outputs, minlength=n_blocks).astype(np.int64)
    cache = RowCache() if cache is None else cache
    for conn in net.connections:
        if conn.post is not pop or conn.n_synapses == 0:
            continue
        conn_axons, conn_bits, _ = cache.rows(conn, size, target)
        axons += conn_axons
        bits += conn_bits
    memory = target.neuron_state_bytes * neurons + bits // 8 + \
        target.axon_entry_bytes * (axons + out)
    return {"neurons": neurons, "input axons": axons, "output axons": out,
            "synaptic memory bits": bits, "core memory bytes": memory}


def _limits(target, max_neurons):
    limits = {name: getattr(target, attr) for attr, name in ESTIMATED}
    limits["neurons"] = max_neurons
    return {name: value for name, value in limits.items() if value}


def _worst(usage, limits):
    """(ratio, resource, block, need) of the block most over (or nearest) a limit."""
    worst = (0.0, None, 0, 0)
    for name, limit in limits.items():
        k = int(np.argmax(usage[name]))
        ratio = usage[name][k] / limit
        if ratio > worst[0]:
            worst = (ratio, name, k, int(usage[name][k]))
    return worst


def split(net, pop, target, max_neurons, cap=None, outputs=None, cache=None):
    """The block size of `pop` and its blocks' usage: the largest size (at most `cap`,
    within 1/64) whose blocks all fit; ResourceLimitError if even one neuron per block
    does not."""
    limits = _limits(target, max_neurons)
    size = min(pop.n, max_neurons, cap or pop.n)
    too_big = None  # the smallest size known not to fit
    while True:
        usage = block_usage(net, pop, size, target, outputs, cache)
        ratio, name, k, need = _worst(usage, limits)
        if ratio <= 1:
            break
        if size == 1:
            raise ResourceLimitError(
                f"population {pop.name!r} does not fit a core of {target.name}: one neuron "
                f"needs {need} {name}, the limit is {limits[name]}. "
                + _advice(name, pop, net))
        too_big = size
        size = max(1, min(size - 1, int(size / ratio)))
    # usage grows about in proportion to the size, so the largest size that fits is near
    # the one found: gallop up by 1/8 while it fits, then bisect (to within 1/64: each try
    # reads every synapse)
    while too_big is not None and too_big - size > max(1, size // 8):
        step = size + max(1, size // 8)
        trial = block_usage(net, pop, step, target, outputs, cache)
        if _worst(trial, limits)[0] > 1:
            too_big = step
            break
        size, usage = step, trial
    while too_big is not None and too_big - size > max(1, size // 64):
        mid = (size + too_big) // 2
        trial = block_usage(net, pop, mid, target, outputs, cache)
        if _worst(trial, limits)[0] <= 1:
            size, usage = mid, trial
        else:
            too_big = mid
    return size, usage


def _advice(resource, pop, net):
    if resource in ("input axons",):
        pres = [f"{c.pre.name!r} ({c.pre.n})" for c in net.connections if c.post is pop]
        return (f"Its inputs come from {', '.join(pres)}: split those populations, or make "
                "the connections sparser.")
    if resource in ("synaptic memory bits", "core memory bytes"):
        return "Use fewer weight bits (num_weight_bits), sparser connections, or no delays."
    return "Split the population or use a target with larger cores."


def partition(net, target, max_neurons_per_core=None, caps=None):
    """Blocks of every population (a list per population) on packed cores, and the number
    of cores used. caps: {population name: largest block size} imposed by the caller, and
    caps[None]: the most neurons blocks packed together may have."""
    limit = target.max_neurons_per_core
    if max_neurons_per_core is not None:
        if isinstance(max_neurons_per_core, bool) or not isinstance(max_neurons_per_core, (int, np.integer)) \
                or not 1 <= max_neurons_per_core <= limit:
            raise ParameterRangeError(
                f"compile for {target.name}: max_neurons_per_core={max_neurons_per_core!r} is "
                f"outside [1, {limit}] (the target's neurons per core)")
        limit = int(max_neurons_per_core)
    caps = caps or {}
    limits = _limits(target, limit)
    # Output axons depend on how the populations downstream are cut: split without them,
    # then again with each neuron's output axons under the previous cut, until the cut
    # settles (a smaller cut downstream means more output axons upstream).
    outputs = {pop.name: None for pop in net.populations}
    sizes, cache = None, RowCache()
    for _ in range(OUTPUT_ROUNDS):
        # a round's cut is at most the last one (more output axons only shrink blocks)
        cut = {pop.name: split(net, pop, target, limit,
                               min(caps.get(pop.name) or pop.n, sizes[pop.name] if sizes else pop.n),
                               outputs[pop.name], cache)
               for pop in net.populations}
        if sizes == {name: size for name, (size, _) in cut.items()}:
            break
        sizes = {name: size for name, (size, _) in cut.items()}
        outputs = output_axons(net, sizes, cache, target)
    pieces = []  # (population index, start, stop, usage of the block)
    for p, pop in enumerate(net.populations):
        size, usage = cut[pop.name]
        for k, start in enumerate(range(0, pop.n, size)):
            pieces.append((p, start, min(start + size, pop.n),
                           {name: int(values[k]) for name, values in usage.items()}))
    pack_limits = dict(limits, neurons=min(limit, caps.get(None) or limit))
    core_of, used = _pack(pieces, pack_limits)
    n_cores = len(used)
    if n_cores > len(target.usable_cores):
        need = {pop.name: sum(1 for pc in pieces if pc[0] == p)
                for p, pop in enumerate(net.populations)}
        raise ResourceLimitError(
            f"compile for {target.name}: the network needs {n_cores} cores (blocks per "
            f"population: {need}, at most {limit} neurons per core) but the target has "
            f"{len(target.usable_cores)} usable ({target.cores_per_chip} per chip x "
            f"{target.n_chips} chips, {len(target.defective_cores)} defective); use more "
            f"chips (e.g. emulator.targets.{target.name}(n_chips=...))")
    blocks = [[] for _ in net.populations]
    for (p, start, stop, _), core in zip(pieces, core_of):
        blocks[p].append(Block(p, start, stop, core))
    return blocks, n_cores


def _pack(pieces, limits):
    """First fit in decreasing size: the core of each piece, and each core's summed usage.
    A core stops taking pieces once the smallest piece left could not fit it, so full
    cores are not searched again."""
    order = sorted(range(len(pieces)), key=lambda i: -pieces[i][3]["neurons"])
    smallest = {name: min(p[3][name] for p in pieces) for name in limits} if pieces else {}
    core_of = [0] * len(pieces)
    used, open_cores = [], []
    for i in order:
        need = pieces[i][3]
        for c in open_cores:
            have = used[c]
            if all(have[name] + need[name] <= lim for name, lim in limits.items()):
                break
        else:
            c = len(used)
            used.append({name: 0 for name in need})
            open_cores.append(c)
        for name in need:
            used[c][name] += need[name]
        core_of[i] = c
        if any(used[c][name] + smallest[name] > lim for name, lim in limits.items()):
            open_cores.remove(c)
    return core_of, used


def place_blocks(blocks, net, core_order):
    """Blocks renumbered onto their final cores (core_order[old] = new index) with their
    offsets: on each core, blocks in population order, then start order, consecutive
    compartments; accumulators likewise, n per input port of the block's model."""
    offset, acc = {}, {}
    placed = [[] for _ in blocks]
    count = {}
    for p, pb in enumerate(blocks):
        ports = len(net.populations[p].model.ports)
        for b in pb:
            core = int(core_order[b.core])
            index = count.get(core, 0)
            placed[p].append(Block(p, b.start, b.stop, core, offset.get(core, 0),
                                   acc.get(core, 0), index))
            count[core] = index + 1
            offset[core] = offset.get(core, 0) + b.n
            acc[core] = acc.get(core, 0) + b.n * ports
    return placed
