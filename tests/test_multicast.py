"""SpiNNaker 2 multicast tables: the (key, mask) tables deliver exactly the intended
(source core, destination core) pairs before and after compression, a packet never
crosses a link twice, paths stay on the chip grid, and the compression check catches a
broken table."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import emulator
from emulator.compiler import multicast
from emulator.compiler.multicast import (build_tables, check_table, chip_path, compress, deliver,
                                         neuron_key_bits, routes, straight_on)
from emulator.errors import ResourceLimitError


@given(n_chips=st.integers(1, 12), hexagonal=st.booleans(), data=st.data())
def test_chip_paths_stay_on_the_grid_and_are_shortest(n_chips, hexagonal, data):
    target = emulator.targets.spinnaker2(n_chips=n_chips)
    a, b = data.draw(st.integers(0, n_chips - 1)), data.draw(st.integers(0, n_chips - 1))
    pos = target.chip_position(a)
    goal = target.chip_position(b)
    path = chip_path(pos, goal, hexagonal)
    for k in path:
        assert hexagonal or k not in (1, 4)  # a mesh has no diagonal links
        pos = (pos[0] + multicast.STEPS[k][0], pos[1] + multicast.STEPS[k][1])
        assert target.chip_at(pos) is not None
    assert target.chip_at(pos) == b
    dx, dy = goal[0] - target.chip_position(a)[0], goal[1] - target.chip_position(a)[1]
    shortest = max(abs(dx), abs(dy)) if hexagonal and dx * dy > 0 else abs(dx) + abs(dy)
    assert len(path) == shortest


@st.composite
def routed_networks(draw):
    """Random (source, destination) core pairs on cores spread over 1..7 chips."""
    n_chips = draw(st.integers(1, 7))
    target = emulator.targets.spinnaker2(
        n_chips=n_chips, chip_topology=draw(st.sampled_from(["hex", "mesh2d"])),
        max_neurons_per_core=draw(st.sampled_from([1, 2, 1000, 1024])))
    n_cores = draw(st.integers(1, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    chips = np.sort(rng.integers(0, n_chips, n_cores))
    slots = np.empty(n_cores, np.int64)
    for chip in range(n_chips):
        mine = chips == chip
        slots[mine] = rng.choice(152, mine.sum(), replace=False)
    k = draw(st.integers(0, 4 * n_cores))
    src, dst = rng.integers(0, n_cores, k), rng.integers(0, n_cores, k)
    pair = np.unique(src * n_cores + dst)
    return target, chips, slots, (pair // n_cores, pair % n_cores)


def _uncompressed(pairs, chips, slots, target):
    tables = {}
    for chip, table in routes(pairs, chips, slots, target).items():
        shift = neuron_key_bits(target)
        tables[chip] = [(src << shift, -1 << shift, route)
                        for src, (route, arrival) in sorted(table.items())
                        if route != straight_on(arrival)]
    return tables


@given(case=routed_networks())
def test_tables_deliver_exactly_the_intended_pairs(case):
    target, chips, slots, pairs = case
    compressed, sizes = build_tables(pairs, chips, slots, target)
    full = _uncompressed(pairs, chips, slots, target)
    for tables in (full, compressed):
        for source in np.unique(pairs[0]):  # cores without destinations send nothing
            reached, crossed = deliver(tables, int(source), chips, target)
            want = {(int(chips[d]), int(slots[d])) for s, d in zip(*pairs) if s == source}
            assert sorted(reached) == sorted(want)
            assert len(crossed) == len(set(crossed)), "a link carried one spike twice"
    for chip, (before, after) in sizes.items():
        assert after <= before or before == 0


@given(data=st.data())
def test_compression_keeps_every_route(data):
    key_bits = data.draw(st.integers(1, 8))
    keys = sorted(data.draw(st.sets(st.integers(0, 2**key_bits - 1), min_size=1, max_size=60)))
    routes_ = [data.draw(st.sampled_from([1, 2, 4, 64, 65, 128 | 2])) for _ in keys]
    default = [data.draw(st.sampled_from([0, 1, 2, 4])) for _ in keys]
    entries = compress(np.array(keys), routes_, default, key_bits)
    check_table(entries, np.array(keys), routes_, default)
    needed = sum(r != d for r, d in zip(routes_, default))
    assert len(entries) <= needed


def test_compression_merges_and_the_check_catches_a_broken_table():
    keys = np.arange(16)
    route = [64] * 15 + [128]
    default = [0] * 16
    entries = compress(keys, route, default, 4)
    assert len(entries) == 2  # the exception first, then one entry for the rest
    check_table(entries, keys, route, default)
    with pytest.raises(RuntimeError, match="wrong way"):
        check_table(entries[::-1], keys, route, default)


def test_a_table_over_the_limit_is_a_resource_error():
    rng = np.random.default_rng(0)
    net = emulator.Network()
    x = net.input(10, name="x")
    prev = x
    for i in range(3):
        h = net.population(40, emulator.LIF(vth=5), name=f"h{i}")
        net.connect(prev, h, (rng.random((40, prev.n)) < 0.5).astype(int))
        prev = h
    target = emulator.targets.spinnaker2(n_chips=2, routing_entries_per_chip=1)
    with pytest.raises(ResourceLimitError, match="routing table of chip .* the limit is 1"):
        emulator.compile(net, target, max_neurons_per_core=4)
    program = emulator.compile(net, emulator.targets.spinnaker2(n_chips=2),
                               max_neurons_per_core=4)
    assert "multicast tables" in program.summary(file=open("/dev/null", "w"))


def test_keys_must_fit_32_bits():
    target = emulator.targets.spinnaker2().derive(max_neurons_per_core=1024)
    chips = np.zeros(2**23, np.int64)  # 2**23 cores need 23 bits, neurons 10: 33 > 32
    with pytest.raises(ResourceLimitError, match="32-bit key"):
        build_tables((np.zeros(0, np.int64), np.zeros(0, np.int64)), chips, chips, target)
