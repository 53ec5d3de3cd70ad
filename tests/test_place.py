"""Placement of cores on the mesh: every core gets its own usable slot (never a defective
one), the reported hop-weighted traffic is what the slots imply, and it never exceeds
the cost of filling the slots in order."""
import numpy as np
from hypothesis import given, strategies as st

import emulator
from emulator.compiler.place import chip_hops, place_chips, place_cores, slot_hops


def _cost(chips, slots, traffic, hops):
    src, dst, w = traffic
    same = chips[src] == chips[dst]
    return float((w[same] * hops[slots[src[same]], slots[dst[same]]]).sum())


@st.composite
def placements(draw):
    n_chips = draw(st.integers(1, 3))
    per_router = draw(st.sampled_from([1, 2, 4]))
    grid = (draw(st.integers(1, 5)), draw(st.integers(1, 4)))
    per_chip = per_router * grid[0] * grid[1]
    defective = draw(st.sets(st.integers(0, n_chips * per_chip - 1),
                             max_size=max(0, n_chips * per_chip // 3)))
    target = emulator.targets.loihi2().derive(
        n_chips=n_chips, cores_per_chip=per_chip, cores_per_router=per_router,
        router_grid=grid, defective_cores=defective)
    usable = [sum(1 for s in range(per_chip) if chip * per_chip + s not in defective)
              for chip in range(n_chips)]
    counts = [draw(st.integers(0, u)) for u in usable]
    chips = np.repeat(np.arange(n_chips), counts)
    n = len(chips)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    k = draw(st.integers(0, 4 * n))
    src, dst = rng.integers(0, max(n, 1), k), rng.integers(0, max(n, 1), k)
    keep = src != dst
    return target, chips, (src[keep], dst[keep], rng.uniform(0, 10, keep.sum()))


@given(case=placements())
def test_placement_is_valid_and_no_worse_than_in_order(case):
    target, chips, traffic = case
    slots, stats = place_cores(chips, traffic, target)
    hops = slot_hops(target)
    for chip in np.unique(chips):
        mine = slots[chips == chip]
        assert len(set(mine.tolist())) == len(mine)
        assert all(0 <= s < target.cores_per_chip for s in mine)
        assert not {chip * target.cores_per_chip + int(s) for s in mine} & target.defective_cores
    assert np.isclose(stats["hop_traffic"], _cost(chips, slots, traffic, hops))
    assert stats["hop_traffic"] <= stats["in_order"] * (1 + 1e-9) + 1e-9


def test_heavy_pairs_share_a_router():
    """Two pairs of cores that only talk within the pair end up on one router each."""
    target = emulator.targets.loihi2().derive(cores_per_chip=16, cores_per_router=2,
                                               router_grid=(4, 2))
    chips = np.zeros(4, np.int64)
    traffic = (np.array([0, 2]), np.array([3, 1]), np.array([5.0, 7.0]))
    slots, stats = place_cores(chips, traffic, target)
    assert slots[0] // 2 == slots[3] // 2 and slots[2] // 2 == slots[1] // 2
    assert stats["hop_traffic"] == 0


def test_compile_never_uses_a_defective_core():
    rng = np.random.default_rng(3)
    net = emulator.Network()
    x = net.input(30, name="x")
    a = net.population(40, emulator.LIF(vth=5), name="a")
    b = net.population(40, emulator.LIF(vth=5), name="b")
    net.connect(x, a, (rng.random((40, 30)) < 0.3).astype(int) * 4)
    net.connect(a, b, (rng.random((40, 40)) < 0.3).astype(int) * 4)
    bad = {0, 1, 2, 3, 9, 130, 131}
    target = emulator.targets.loihi2(n_chips=2, defective_cores=bad)
    program = emulator.compile(net, target, max_neurons_per_core=5)
    used = [chip * target.cores_per_chip + slot for chip, slot in
            (core["location"] for core in program.meta["cores"])]
    assert len(set(used)) == len(used) == program.n_cores
    assert not set(used) & bad
    place = program.meta["compile"]["placement"]
    assert place["hop_traffic"] <= place["in_order"]


@given(n_chips=st.integers(1, 9), topology=st.sampled_from(["hex", "mesh2d"]), data=st.data())
def test_chip_placement_keeps_capacity_and_lowers_chip_hops(n_chips, topology, data):
    target = emulator.targets.loihi2().derive(n_chips=n_chips, cores_per_chip=6,
                                               chip_topology=topology)
    capacity = [data.draw(st.integers(1, 6)) for _ in range(n_chips)]
    chips = np.repeat(np.arange(n_chips), [data.draw(st.integers(0, c)) for c in capacity])
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    k = 3 * len(chips)
    src, dst = rng.integers(0, max(1, len(chips)), k), rng.integers(0, max(1, len(chips)), k)
    keep = src != dst
    traffic = (src[keep], dst[keep], rng.uniform(0, 5, keep.sum()))
    moved, stats = place_chips(chips, traffic, target, capacity)
    # the same groups of cores, each on a chip with room for it
    assert len(set(zip(chips.tolist(), moved.tolist()))) == len(set(chips.tolist()))
    assert np.all(np.bincount(moved, minlength=n_chips) <= capacity)
    hops = chip_hops(target)
    s, d, w = traffic
    assert np.isclose(stats["chip_hop_traffic"], (w * hops[moved[s], moved[d]]).sum())
    assert np.isclose(stats["in_order"], (w * hops[chips[s], chips[d]]).sum())
    assert stats["chip_hop_traffic"] <= stats["in_order"] + 1e-9


def test_hex_chip_hops():
    target = emulator.targets.spinnaker2(n_chips=9)  # a 3 x 3 grid
    hops = chip_hops(target)
    assert hops[0, 8] == 2  # (0, 0) -> (2, 2): two diagonal steps
    assert hops[2, 6] == 4  # (2, 0) -> (0, 2): no diagonal helps


@given(n=st.integers(2, 7), data=st.data())
def test_local_improvement_ends_where_no_swap_helps(n, data):
    """The optimiser itself, by brute force: after _improve, no swap of two places lowers
    the cost (and the swap gains it uses match the costs recomputed)."""
    from emulator.compiler.place import _cost, _improve

    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    w = np.triu(rng.integers(0, 5, (n, n)), 1).astype(float)
    w = w + w.T
    xy = rng.integers(0, 4, (n, 2))
    d = np.abs(xy[:, None] - xy[None, :]).sum(-1).astype(float)
    position = np.arange(n)
    for _ in range(20):  # the swap budget may stop a pass early: passes reach the optimum
        position, last = _improve(w, d, position), position
        if (position == last).all():
            break
    assert sorted(position) == list(range(n))
    best = _cost(w, d, position)
    for a in range(n):
        for b in range(a + 1, n):
            swapped = position.copy()
            swapped[[a, b]] = swapped[[b, a]]
            assert _cost(w, d, swapped) >= best - 1e-9
