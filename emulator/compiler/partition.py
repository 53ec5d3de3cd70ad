"""Partition: split populations into core-sized blocks and give each block a core.

This first partitioner gives every block its own core, in population order, and checks
the target's core count. (Packing small blocks together and assigning cores to chips by
traffic come with the full compiler.)
"""
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterRangeError, ResourceLimitError


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


def partition(net, target, max_neurons_per_core=None):
    """Blocks of every population (list per population) and the number of cores used."""
    limit = target.max_neurons_per_core
    if max_neurons_per_core is not None:
        if isinstance(max_neurons_per_core, bool) or not isinstance(max_neurons_per_core, (int, np.integer)) \
                or not 1 <= max_neurons_per_core <= limit:
            raise ParameterRangeError(
                f"compile for {target.name}: max_neurons_per_core={max_neurons_per_core!r} is "
                f"outside [1, {limit}] (the target's neurons per core)")
        limit = int(max_neurons_per_core)
    blocks, core = [], 0
    for p, pop in enumerate(net.populations):
        mine = []
        for start in range(0, pop.n, limit):
            mine.append(Block(p, start, min(start + limit, pop.n), core))
            core += 1
        blocks.append(mine)
    if core > target.n_cores:
        need = {pop.name: len(b) for pop, b in zip(net.populations, blocks)}
        raise ResourceLimitError(
            f"compile for {target.name}: the network needs {core} cores ({need} at "
            f"{limit} neurons per core) but the target has {target.n_cores} "
            f"({target.cores_per_chip} per chip x {target.n_chips} chips); use more chips "
            "(e.g. emulator.targets.loihi2(n_chips=...)) or larger cores")
    return blocks, core
