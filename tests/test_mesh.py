"""The mesh network on chip: routes, counters and times worked out by hand, mapping
invariance, inter-chip counts that follow from the placement, and multicast trees."""
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import emulator
from emulator.compiler.multicast import deliver, neuron_key_bits
from emulator.errors import ProgramFormatError

LIF = dict(du=4095, dv=0, vth=10)


def chain(n_a=1, n_b=1):
    """x (1 channel) -> a (n_a) -> b (n_b): every input spike makes each a spike, and
    each a spike reaches b; one neuron per core, so a and b sit on cores of their own."""
    net = emulator.Network()
    x = net.input(1, name="x")
    a = net.population(n_a, emulator.LIF(**LIF), name="a")
    b = net.population(n_b, emulator.LIF(**LIF), name="b")
    net.connect(x, a, np.full((n_a, 1), 100))
    net.connect(a, b, np.full((n_b, n_a), 1))
    return net


def placed(net, target, where):
    """Compile with one neuron per core, then put the core of each population named in
    `where` at where[population] = (chip, slot); returns the program and those cores."""
    program = emulator.compile(net, target, max_neurons_per_core=1)
    cores = {}
    for c, core in enumerate(program.meta["cores"]):
        (pop,) = {b["population"] for b in core["blocks"]}
        if pop in where:
            core["location"] = list(where[pop])
            cores[pop] = c
    return program, cores


def pulses(steps, every=2):
    raster = np.zeros((steps, 1), np.int8)
    raster[::every] = 1
    return {"x": raster}


def lit_links(traffic):
    """{(chip, router, output, kind): packets} of the links that carried packets."""
    return {tuple(int(v) for v in traffic.links[k]): int(traffic.link_packets[k])
            for k in np.flatnonzero(traffic.link_packets)}


def test_two_hops_east_and_one_north_count_three_hops_at_their_energies():
    # a on router 0 = (0, 0); b on router 10 = (2, 1) of the 8 x 4 grid (4 cores a router)
    program, cores = placed(chain(), emulator.targets.loihi1(), {"a": (0, 0), "b": (0, 10 * 4)})
    a, b = cores["a"], cores["b"]
    result = emulator.Simulator(program).run(10, pulses(10))
    n = int(result.spikes["a"].sum())
    assert n == 5
    c = result.counters
    assert c.per_core["packets"][a] == n and c.per_core["packets"][b] == 0
    assert c.per_core["hops_ew"][a] == 2 * n and c.per_core["hops_ns"][a] == n
    assert c.per_core["hops_chip"][a] == 0
    assert c.per_core["packets_in"][b] == n and c.per_core["packets_in"][a] == c.host["messages"]
    # the host enters at router 0, where a sits: its packets cross no link
    assert c.host["hops_ew"] == c.host["hops_ns"] == 0
    # X first: router 0 -> E, router 1 -> E, then router 2 -> N (kinds: 0 ew, 1 ns)
    assert lit_links(result.traffic) == {(0, 0, 0, 0): n, (0, 1, 0, 0): n, (0, 2, 1, 1): n}
    routers = {int(r): int(p) for r, p in enumerate(result.traffic.router_packets) if p}
    assert routers == {0: n + c.host["messages"], 1: n, 2: n, 10: n}
    assert result.traffic.hop_histogram.tolist() == [c.host["messages"], 0, 0, n]
    t = result.traffic.total
    assert (t["hops_ew"], t["hops_ns"], t["hops_chip"]) == (2 * n, n, 0)
    assert t["intra_chip"] == t["deliveries"] == n + c.host["messages"]
    assert t["inter_chip"] == t["intra_core"] == 0
    report = emulator.energy.estimate(result)
    assert report.by_operation["hops_ew"]["typical"] == pytest.approx(2 * n * 3.0e-12)
    assert report.by_operation["hops_ns"]["typical"] == pytest.approx(n * 4.0e-12)
    # latency of a step in which a's spike travels: 2.1 ns + 2 x 4.1 + 6.5 ns (Davies 2018)
    spiking = result.spikes["a"][:, 0] > 0
    assert result.traffic.latency[spiking, 1] == pytest.approx(2.1e-9 + 2 * 4.1e-9 + 6.5e-9)
    assert result.traffic.per_step["longest_hops"][spiking].tolist() == [3] * n


def test_chip_to_chip_route_follows_the_ports():
    """a on chip 0 router (0, 0), b on chip 1 router (0, 0); chip 1 lies east of chip 0.
    Chip 0: 7 hops east to the E port at router (7, 2) after 2 north (X first: east 7,
    then north 2); the chip link; chip 1: from its W port at (0, 2) 2 hops south."""
    target = emulator.targets.loihi1(n_chips=2)
    program, cores = placed(chain(), target, {"a": (0, 0), "b": (1, 0)})
    a = cores["a"]
    result = emulator.Simulator(program).run(6, pulses(6))
    n = int(result.spikes["a"].sum())
    c = result.counters
    assert (c.per_core["hops_ew"][a], c.per_core["hops_ns"][a], c.per_core["hops_chip"][a]) == \
        (7 * n, 4 * n, n)
    assert result.traffic.total["inter_chip"] == n
    assert result.traffic.per_step["longest_hops"].max() == 12
    chip_links = {k: v for k, v in lit_links(result.traffic).items() if k[3] == 2}
    assert chip_links == {(0, target.port_router(0), 0, 2): n}
    report = emulator.energy.estimate(result)
    assert report.by_operation["hops_chip"]["typical"] == pytest.approx(
        n * target.energy["hops_chip"].typical)
    # two chips in use: the barrier is the multi-chip one
    assert report.time_parts["barrier"][1] == pytest.approx(
        result.steps * target.barrier_chips.at(2)[1])


def test_network_counting_changes_no_spike_or_state():
    rng = np.random.default_rng(3)
    net = emulator.Network()
    x = net.input(12, name="x")
    h = net.population(40, emulator.LIF(du=300, dv=200, vth=60), name="h")
    net.connect(x, h, rng.integers(-20, 60, (40, 12)))
    net.connect(h, h, rng.integers(-30, 30, (40, 40)))
    net.probe(h, "v")
    raster = {"x": rng.random((30, 12)) < 0.3}
    program = emulator.compile(net, emulator.targets.spinnaker2(n_chips=4, cores_per_chip=3),
                               max_neurons_per_core=4)
    on = emulator.Simulator(program).run(30, raster)
    off = emulator.Simulator(program, network=False).run(30, raster)
    assert off.traffic is None
    assert np.array_equal(on.spikes["h"], off.spikes["h"])
    assert np.array_equal(on.probes["h.v"], off.probes["h.v"])
    for name in ("synops", "updates_active", "spikes", "messages"):
        assert on.counters[name] == off.counters[name]
    assert off.counters["packets"] == off.counters["hops_ew"] == 0
    with pytest.raises(emulator.InputError, match="network"):
        emulator.energy.estimate(off)


def source_spikes(program, result, raster):
    """Spike count of every source (inputs first, then each core's neurons in order)."""
    counts = [np.count_nonzero(raster[i["name"]], axis=0) for i in program.meta["inputs"]]
    for core in program.meta["cores"]:
        for block in core["blocks"]:
            s = result.spikes[block["population"]][:, block["start"]:block["stop"]]
            counts.append(np.count_nonzero(s, axis=0))
    return np.concatenate(counts)


@settings(deadline=None)
@given(seed=st.integers(0, 2**16), n_chips=st.sampled_from([1, 2, 4]),
       target_name=st.sampled_from(["loihi1", "loihi2"]))
def test_inter_chip_deliveries_are_what_the_placement_implies(seed, n_chips, target_name):
    rng = np.random.default_rng(seed)
    net = emulator.Network()
    x = net.input(6, name="x")
    h = net.population(24, emulator.LIF(du=500, dv=300, vth=40), name="h")
    o = net.population(8, emulator.LIF(du=500, dv=300, vth=40), name="o")
    net.connect(x, h, rng.integers(0, 60, (24, 6)) * (rng.random((24, 6)) < 0.5))
    net.connect(h, o, rng.integers(-10, 40, (8, 24)) * (rng.random((8, 24)) < 0.4))
    net.connect(o, h, rng.integers(-10, 20, (24, 8)) * (rng.random((24, 8)) < 0.3))
    # 8 cores: on 1 chip, or spread over 2 or 4 chips that each hold only a share
    target = emulator.targets.get(target_name).derive(n_chips=n_chips,
                                                      cores_per_chip=8 // n_chips + 1)
    program = emulator.compile(net, target, max_neurons_per_core=4)
    raster = {"x": rng.random((25, 6)) < 0.4}
    result = emulator.Simulator(program).run(25, raster)
    chip = np.array([c["location"][0] for c in program.meta["cores"]])
    spikes = source_spikes(program, result, raster)
    src_ptr, dst_core = program.arrays["out/src_ptr"], program.arrays["out/dst_core"]
    n_inputs = 6
    core_base = n_inputs + np.concatenate(([0], np.cumsum(
        [sum(b["stop"] - b["start"] for b in c["blocks"]) for c in program.meta["cores"]])))
    sender = np.repeat(np.arange(len(src_ptr) - 1), np.diff(src_ptr))
    src_core = np.searchsorted(core_base, sender, side="right") - 1
    src_chip = np.where(sender < n_inputs, 0, chip[np.maximum(src_core, 0)])  # host: chip 0
    across = src_chip != chip[dst_core]
    t = result.traffic.total
    assert t["inter_chip"] == int(spikes[sender][across].sum())
    assert t["deliveries"] == int(spikes[sender].sum())
    if len(set(chip.tolist())) == 1 and chip[0] == 0:
        assert t["inter_chip"] == 0 and t["hops_chip"] == 0
    # spikes do not depend on the mapping
    single = emulator.Simulator(emulator.compile(net, target_name)).run(25, raster)
    for pop in ("h", "o"):
        assert np.array_equal(single.spikes[pop], result.spikes[pop])


def xy_links(target, chip, start, goal):
    """(chip, router, output, kind) of the X-then-Y path between two routers of a chip,
    outputs E, N, W, S = 0..3 and kinds east-west 0, north-south 1."""
    gx = target.router_grid[0]
    x, y, links = start % gx, start // gx, []
    while x != goal % gx:
        out = 0 if goal % gx > x else 2
        links.append((chip, y * gx + x, out, 0))
        x += 1 if out == 0 else -1
    while y != goal // gx:
        out = 1 if goal // gx > y else 3
        links.append((chip, y * gx + x, out, 1))
        y += 1 if out == 1 else -1
    return links


def expected_tree(target, src_chip, src_slot, reached, crossed):
    """The links one packet's tree should light, worked out apart from the kernel: on
    every chip it visits, the XY paths from where it enters to each core it reaches and
    to each chip link it leaves by, plus those chip links."""
    from emulator.compiler.multicast import STEPS
    entry = {int(src_chip): int(src_slot) // target.cores_per_router}
    for chip, k in crossed:
        pos = target.chip_position(chip)
        entry[target.chip_at((pos[0] + STEPS[k][0], pos[1] + STEPS[k][1]))] = \
            target.port_router((k + 3) % 6)
    links = set()
    for chip, slot in reached:
        links |= set(xy_links(target, chip, entry[chip], slot // target.cores_per_router))
    for chip, k in crossed:
        links |= set(xy_links(target, chip, entry[chip], target.port_router(k)))
        links.add((chip, target.port_router(k), k, 2))
    return links


def source_of(program, population, neuron):
    """(core, source index) of a neuron: inputs first, then each core's neurons in order."""
    source = sum(i["n"] for i in program.meta["inputs"])
    for c, core in enumerate(program.meta["cores"]):
        for block in core["blocks"]:
            if block["population"] == population and block["start"] <= neuron < block["stop"]:
                return c, source + neuron - block["start"]
            source += block["stop"] - block["start"]
    raise KeyError(neuron)


@settings(deadline=None, max_examples=15)
@given(seed=st.integers(0, 2**16))
def test_multicast_sends_a_spike_down_each_link_at_most_once(seed):
    """One spike of one neuron on SpiNNaker 2 (4 chips, 3 PEs each): its packet's tree
    crosses every link at most once, reaches exactly the cores and chip links the
    compiled tables give, and a superset of the cores its synapses sit on."""
    rng = np.random.default_rng(seed)
    n = 12
    target = emulator.targets.spinnaker2(n_chips=4, cores_per_chip=3)
    for neuron in rng.choice(n, 3, replace=False):
        net = emulator.Network()
        net.input(1, name="x")
        bias = np.zeros(n, np.int64)
        bias[neuron] = 4000  # above the threshold 10 << 6 at once
        h = net.population(n, emulator.LIF(du=4095, dv=0, vth=10, bias_mant=bias), name="h")
        o = net.population(n, emulator.LIF(du=4095, dv=0, vth=10), name="o")
        net.connect(h, o, rng.integers(1, 5, (n, n)) * (rng.random((n, n)) < 0.3))
        program = emulator.compile(net, target, max_neurons_per_core=2)
        result = emulator.Simulator(program).run(1, {"x": np.zeros((1, 1), np.int8)})
        assert int(result.spikes["h"].sum()) == 1
        traffic = result.traffic
        assert traffic.link_packets.max(initial=0) <= 1
        src, source = source_of(program, "h", int(neuron))
        c = result.counters
        assert c["packets"] == c.per_core["packets"][src] == (1 if traffic.total["deliveries"] else 0)
        assert c["hops_ew"] + c["hops_ns"] + c["hops_chip"] == traffic.link_packets.sum()
        # what the compiled tables say, followed in Python (emulator.compiler.multicast)
        chips = np.array([core["location"][0] for core in program.meta["cores"]])
        slots = np.array([core["location"][1] for core in program.meta["cores"]])
        tables = {}
        for chip in range(target.n_chips):
            prefix = f"multicast/chip{chip}/"
            if prefix + "value" in program.arrays:
                a = program.arrays
                ptr = a[prefix + "core_ptr"]
                tables[chip] = [(int(v), int(m), int(l) | sum(
                    1 << (6 + int(s)) for s in a[prefix + "core_slot"][ptr[k]:ptr[k + 1]]))
                    for k, (v, m, l) in enumerate(zip(a[prefix + "value"], a[prefix + "mask"],
                                                      a[prefix + "links"]))]
        reached, crossed = deliver(tables, src, chips, target)
        assert set(lit_links(traffic)) == expected_tree(target, chips[src], slots[src],
                                                        reached, crossed)
        reached_cores = {int(np.flatnonzero((chips == ch) & (slots == sl))[0]) for ch, sl in reached}
        assert c["packets_in"] == len(reached_cores) == traffic.total["deliveries"]
        lo, hi = program.arrays["out/src_ptr"][[source, source + 1]]
        assert set(program.arrays["out/dst_core"][lo:hi].tolist()) <= reached_cores
        assert neuron_key_bits(target) == program.meta["compile"]["multicast"]["key_shift"]


def multicast_program():
    net = emulator.Network()
    x = net.input(4, name="x")
    h = net.population(8, emulator.LIF(**LIF), name="h")
    o = net.population(8, emulator.LIF(**LIF), name="o")
    net.connect(x, h, np.full((8, 4), 30))
    net.connect(h, o, np.full((8, 8), 3))
    return emulator.compile(net, emulator.targets.spinnaker2(n_chips=4, cores_per_chip=2),
                            max_neurons_per_core=2)


def test_malformed_multicast_tables_are_refused():
    program = multicast_program()
    chips = program.meta["compile"]["multicast"]["chips"]
    # an entry removed: some core's packets no longer reach a core its synapses are on
    broken = emulator.Program(dict(program.meta), dict(program.arrays))
    k = chips[0]
    for key in ("value", "mask", "links"):
        broken.arrays[f"multicast/chip{k}/{key}"] = program.arrays[f"multicast/chip{k}/{key}"][1:]
    ptr = program.arrays[f"multicast/chip{k}/core_ptr"]
    broken.arrays[f"multicast/chip{k}/core_ptr"] = ptr[1:] - ptr[1]
    broken.arrays[f"multicast/chip{k}/core_slot"] = program.arrays[f"multicast/chip{k}/core_slot"][ptr[1]:]
    with pytest.raises(ProgramFormatError, match="multicast"):
        emulator.Simulator(broken)
    # a slot beyond the chip
    bad = emulator.Program(dict(program.meta), dict(program.arrays))
    slots = program.arrays[f"multicast/chip{k}/core_slot"].copy()
    slots[0] = 9999
    bad.arrays[f"multicast/chip{k}/core_slot"] = slots
    with pytest.raises(ProgramFormatError, match="slot"):
        emulator.Simulator(bad)
    # a loop: every entry also sends east and west, so packets come back
    loop = emulator.Program(dict(program.meta), dict(program.arrays))
    for chip in chips:
        loop.arrays[f"multicast/chip{chip}/links"] = program.arrays[f"multicast/chip{chip}/links"] | 0b1001
    with pytest.raises(ProgramFormatError, match="twice|leave the chip grid"):
        emulator.Simulator(loop)


@given(a=st.tuples(st.integers(0, 9), st.integers(0, 9)),
       b=st.tuples(st.integers(0, 9), st.integers(0, 9)), hexagonal=st.booleans())
def test_chip_path_follows_the_stated_rule(a, b, hexagonal):
    """The kernel's chip path (which the compiler's tables use too) against the rule
    written out here: diagonals first on the hexagonal grid, then south, sideways, north;
    it ends at b and is shortest (chip_hops, the placement's distance)."""
    from emulator.compiler.multicast import STEPS, chip_path
    dx, dy, want = b[0] - a[0], b[1] - a[1], []
    if hexagonal:
        diagonal = min(abs(dx), abs(dy)) if dx * dy > 0 else 0
        want += [1 if dx > 0 else 4] * diagonal
        dx, dy = dx - np.sign(dx) * diagonal, dy - np.sign(dy) * diagonal
    want += [5] * max(-dy, 0) + [0 if dx > 0 else 3] * abs(dx) + [2] * max(dy, 0)
    path = chip_path(a, b, hexagonal)
    assert path == want
    assert tuple(np.array(a) + np.sum([STEPS[k] for k in path] or [(0, 0)], axis=0)) == b


def test_host_packets_on_multicast_targets_are_one_tree_per_spike():
    """An input channel that reaches 8 cores on two routers: on spinnaker2 each input
    spike is one packet delivered 8 times, crossing the link between the routers once;
    on loihi2, 8 packets."""
    net = emulator.Network()
    x = net.input(1, name="x")
    h = net.population(8, emulator.LIF(**LIF), name="h")
    net.connect(x, h, np.full((8, 1), 1))
    raster = pulses(6)
    spikes = int(raster["x"].sum())
    for name, packets in (("spinnaker2", spikes), ("loihi2", 8 * spikes)):
        result = emulator.Simulator(emulator.compile(net, name, max_neurons_per_core=1)).run(6, raster)
        assert result.counters.host["packets"] == packets
        assert result.counters.host["messages"] == 8 * spikes
        assert result.traffic.total["deliveries"] == result.counters["packets_in"] == 8 * spikes
        if name == "spinnaker2":  # each link once per spike
            assert result.traffic.link_packets.max() == spikes
            assert result.traffic.total["hops_ew"] + result.traffic.total["hops_ns"] == \
                spikes * np.count_nonzero(result.traffic.link_packets)


@pytest.mark.parametrize("where, message", [({"a": (0, 128)}, "slot"), ({"a": (3, 0)}, "chip"),
                                            ({"a": (0, 5), "b": (0, 5)}, "hold core"),
                                            ({"a": (0, -1)}, "slot")])
def test_bad_placements_are_refused_by_the_kernel(where, message):
    program, _ = placed(chain(), emulator.targets.loihi1(n_chips=2), where)
    with pytest.raises(ProgramFormatError, match=message):
        emulator.Simulator(program)


def test_a_slot_named_twice_in_an_entry_is_refused_and_old_programs_find_their_keys():
    program = multicast_program()
    k = program.meta["compile"]["multicast"]["chips"][0]
    ptr = program.arrays[f"multicast/chip{k}/core_ptr"]
    slots = program.arrays[f"multicast/chip{k}/core_slot"]
    first = slots[ptr[0]:ptr[1]]
    twice = emulator.Program(dict(program.meta), dict(program.arrays))
    twice.arrays[f"multicast/chip{k}/core_slot"] = np.concatenate([first[:1], slots]).astype(np.int16)
    twice.arrays[f"multicast/chip{k}/core_ptr"] = np.concatenate([[0], ptr[1:] + 1])
    with pytest.raises(ProgramFormatError, match="twice"):
        emulator.Simulator(twice)
    # a program saved before the key layout was recorded: keys of the named target
    meta = json.loads(json.dumps(program.meta))
    del meta["compile"]["multicast"]["key_shift"]
    emulator.Simulator(emulator.Program(meta, dict(program.arrays)))


@pytest.mark.parametrize("location", [[2**32 + 1, 0], [0.9, 3], [0, 1, 2], "ab", [0, 2], [4, 0]])
def test_locations_outside_the_target_are_refused_on_load(location):
    program = multicast_program()
    meta = json.loads(json.dumps(program.meta))
    meta["cores"][0]["location"] = location
    with pytest.raises(ProgramFormatError):
        emulator.Program(meta, dict(program.arrays))


def unicast_path(target, src, dst, chip, slot):
    """The links (chip, router, output, kind) of one unicast packet from core src (-1: the
    host, which enters at chip 0, router 0) to core dst, worked out apart from the kernel:
    X-then-Y on each chip, chip_path between chips, entering and leaving by the ports."""
    from emulator.compiler.multicast import STEPS, chip_path
    per_router = target.cores_per_router
    at_chip, at_router = (0, 0) if src < 0 else (int(chip[src]), int(slot[src]) // per_router)
    links = []
    for k in chip_path(target.chip_position(at_chip), target.chip_position(int(chip[dst])),
                       hexagonal=False):
        links += xy_links(target, at_chip, at_router, target.port_router(k))
        links.append((at_chip, target.port_router(k), k, 2))
        pos = target.chip_position(at_chip)
        at_chip = target.chip_at((pos[0] + STEPS[k][0], pos[1] + STEPS[k][1]))
        at_router = target.port_router((k + 3) % 6)
    return links + xy_links(target, at_chip, at_router, int(slot[dst]) // per_router)


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**16), n_chips=st.sampled_from([2, 3, 5, 9]),
       target_name=st.sampled_from(["loihi1", "loihi2"]), grid=st.sampled_from([(8, 4), (3, 2), (1, 3)]))
def test_unicast_links_routers_and_hops_follow_each_packets_path(seed, n_chips, target_name, grid):
    """Every message of every spike walked along its own path: per step the busiest link
    and the longest delivery, over the run each link's packets, each router's, the hop
    histogram and each core's hops by kind."""
    rng = np.random.default_rng(seed)
    net = emulator.Network()
    x = net.input(5, name="x")
    h = net.population(20, emulator.LIF(du=500, dv=300, vth=40), name="h")
    net.connect(x, h, rng.integers(0, 60, (20, 5)) * (rng.random((20, 5)) < 0.6))
    net.connect(h, h, rng.integers(-10, 40, (20, 20)) * (rng.random((20, 20)) < 0.4))
    target = emulator.targets.get(target_name).derive(
        n_chips=n_chips, router_grid=grid, cores_per_router=2, cores_per_chip=grid[0] * grid[1] * 2)
    program = emulator.compile(net, target, max_neurons_per_core=2)
    # scatter the cores over the chips and slots
    places = rng.permutation(target.n_cores)[:program.n_cores]
    for c, core in enumerate(program.meta["cores"]):
        core["location"] = [int(places[c] // target.cores_per_chip), int(places[c] % target.cores_per_chip)]
    chip = np.array([c["location"][0] for c in program.meta["cores"]])
    slot = np.array([c["location"][1] for c in program.meta["cores"]])
    steps = 20
    raster = {"x": rng.random((steps, 5)) < 0.4}
    result = emulator.Simulator(program).run(steps, raster)
    traffic = result.traffic
    link_index = {tuple(int(v) for v in row): k for k, row in enumerate(traffic.links)}
    routers_per_chip = grid[0] * grid[1]
    src_ptr, dst_core = program.arrays["out/src_ptr"], program.arrays["out/dst_core"]
    core_base = 5 + np.concatenate(([0], np.cumsum(
        [sum(b["stop"] - b["start"] for b in c["blocks"]) for c in program.meta["cores"]])))
    spiking = np.concatenate([raster["x"], result.spikes["h"]], axis=1)  # one population
    order = np.concatenate([np.arange(5)] + [
        5 + np.arange(b["start"], b["stop"]) for core in program.meta["cores"] for b in core["blocks"]])
    links_run = np.zeros(len(traffic.links), np.int64)
    routers = np.zeros(len(traffic.router_packets), np.int64)
    histogram, hops = {}, np.zeros((program.n_cores, 3), np.int64)
    for t in range(steps):
        load, longest = np.zeros(len(traffic.links), np.int64), 0
        for s in range(len(src_ptr) - 1):
            if not spiking[t, order[s]]:
                continue
            src = -1 if s < 5 else int(np.searchsorted(core_base, s, side="right") - 1)
            for e in range(src_ptr[s], src_ptr[s + 1]):
                path = unicast_path(target, src, int(dst_core[e]), chip, slot)
                first = (0, 0) if src < 0 else (chip[src], slot[src] // 2)
                routers[first[0] * routers_per_chip + first[1]] += 1
                for link in path:
                    load[link_index[link]] += 1
                    c, r, out, kind = link
                    if kind == 2:
                        pos = target.chip_position(c)
                        step = emulator.compiler.multicast.STEPS[out]
                        c, r = target.chip_at((pos[0] + step[0], pos[1] + step[1])), target.port_router((out + 3) % 6)
                    else:
                        r += (1, grid[0], -1, -grid[0])[out]
                    routers[c * routers_per_chip + r] += 1
                    if src >= 0:
                        hops[src, kind] += 1
                histogram[len(path)] = histogram.get(len(path), 0) + 1
                longest = max(longest, len(path))
        links_run += load
        busiest = int(np.argmax(load)) if load.any() else -1
        assert traffic.per_step["busiest_link"][t] == busiest
        assert traffic.per_step["longest_hops"][t] == longest
    assert np.array_equal(traffic.link_packets, links_run)
    assert np.array_equal(traffic.router_packets, routers)
    used = {h: n for h, n in enumerate(traffic.hop_histogram.tolist()) if n}
    assert used == histogram
    for k, name in enumerate(("hops_ew", "hops_ns", "hops_chip")):
        assert np.array_equal(result.counters.per_core[name], hops[:, k])
