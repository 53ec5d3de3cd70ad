"""The compiler: every per-core limit holds in what it builds, whatever the limits;
results never depend on the limits, the packing or the number of chips; a network that
cannot fit raises ResourceLimitError saying what, where, how much and what to change."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import emulator
from emulator.compiler import chips as chip_module
from emulator.errors import ResourceLimitError
from emulator.testing import assert_bit_exact, assert_mapping_invariant, observed
from emulator.testing.strategies import MODEL_STRATEGIES, network_cases

ALL_MODELS = tuple(MODEL_STRATEGIES)


@st.composite
def limited_targets(draw):
    """loihi2 variants with small, hypothesis-drawn per-core limits."""
    changes = {"max_neurons_per_core": draw(st.integers(1, 8))}
    if draw(st.booleans()):
        changes["max_input_axons"] = draw(st.integers(1, 24))
    if draw(st.booleans()):
        changes["max_output_axons"] = draw(st.integers(1, 40))
    if draw(st.booleans()):
        changes["synapse_memory_bits"] = draw(st.integers(64, 4096))
    if draw(st.booleans()):
        changes["core_memory_bytes"] = draw(st.integers(64, 2048))
    return emulator.targets.loihi2(**changes)


@given(case=network_cases(models=ALL_MODELS, max_n=8), target=limited_targets())
def test_every_limit_holds_and_results_do_not_change(case, target):
    net, inputs, steps = case
    try:
        program = emulator.compile(net, target)
    except ResourceLimitError as e:
        assert "population" in str(e) or "cores" in str(e)
        return
    report = program.meta["compile"]
    for resource, limit in report["limits"].items():
        assert max(report["usage"][resource]) <= limit, resource
    assert report["limits"]["neurons"] == target.max_neurons_per_core
    # the usage the compiler reports is what the program holds
    assert report["usage"]["input axons"] == \
        [program.input_axons(c)[0].size - 1 for c in range(program.n_cores)]
    free = emulator.Simulator(emulator.compile(net)).run(steps, inputs=inputs)
    limited = emulator.Simulator(program).run(steps, inputs=inputs)
    assert_bit_exact(observed(limited, net), observed(free, net))


@given(case=network_cases(models=ALL_MODELS, max_n=8), n_chips=st.sampled_from([2, 4]),
       family=st.sampled_from(["loihi2", "spinnaker2"]))
def test_results_do_not_depend_on_the_number_of_chips_or_the_target(case, n_chips, family):
    net, inputs, steps = case
    target = emulator.targets.get(family).derive(n_chips=n_chips, cores_per_chip=4)
    results = assert_mapping_invariant(net, inputs, steps, reference=False, min_mappings=1,
                                       mappings=[
        ("loihi2, 2 per core", emulator.targets.loihi2(), {"max_neurons_per_core": 2}),
        (f"{family}, {n_chips} chips", target, {"max_neurons_per_core": 2})])
    if len(results) == 2:  # (not when the cores outnumber 4 x n_chips)
        program = results[f"{family}, {n_chips} chips"].program
        chips = [core["location"][0] for core in program.meta["cores"]]
        assert chips == sorted(chips) and max(np.bincount(chips)) <= 4


def layered(n=40, seed=0):
    rng = np.random.default_rng(seed)
    net = emulator.Network()
    x = net.input(n, name="x")
    pops = [net.population(n, emulator.LIF(du=300, dv=300, vth=20), name=f"h{k}")
            for k in range(4)]
    net.connect(x, pops[0], rng.integers(0, 30, (n, n)))
    for a, b in zip(pops, pops[1:]):
        net.connect(a, b, rng.integers(0, 30, (n, n)))
    return net, {"x": (rng.random((30, n)) < 0.2).astype(np.int8)}


def test_chips_keep_the_heaviest_traffic_on_chip():
    """Four layers of 40 neurons on 8 cores, 2 chips of 4: the best cut crosses once,
    between the second and third layer; METIS finds a cut no worse than the greedy
    walk, and both respect the chips' capacity."""
    net, inputs = layered()
    target = emulator.targets.loihi2(n_chips=2, cores_per_chip=4)
    program = emulator.compile(net, target, max_neurons_per_core=20)
    report = program.meta["compile"]
    assert report["chip_assignment"] == "METIS"
    assert report["traffic"]["inter_chip"] == 40 * 40  # one layer-to-layer connection
    placed = {p["name"]: {program.meta["cores"][core]["location"][0] for core, *_ in p["blocks"]}
              for p in program.meta["populations"]}
    assert placed["h0"] == placed["h1"] and placed["h2"] == placed["h3"]
    assert placed["h0"] != placed["h2"]


@pytest.mark.parametrize("failure", [ImportError("no pymetis here"),
                                     RuntimeError("METIS_ERROR_INPUT")])
def test_greedy_fallback_when_metis_is_missing_or_fails_says_why(monkeypatch, failure):
    def refuse(*args):
        raise failure
    monkeypatch.setattr(chip_module, "_metis", refuse)
    net, inputs = layered()
    target = emulator.targets.loihi2(n_chips=2, cores_per_chip=4)
    with pytest.warns(RuntimeWarning, match=str(failure)):
        program = emulator.compile(net, target, max_neurons_per_core=20)
    assert program.meta["compile"]["chip_assignment"] == f"greedy (METIS failed: {failure})"
    assert program.meta["compile"]["traffic"]["inter_chip"] == 40 * 40
    base = emulator.Simulator(emulator.compile(net)).run(30, inputs=inputs)
    assert_bit_exact(dict(emulator.Simulator(program).run(30, inputs=inputs).spikes),
                     dict(base.spikes))


def test_a_bug_in_the_chip_assignment_is_not_hidden_by_the_fallback(monkeypatch):
    """Only pymetis missing or METIS refusing the graph fall back to the greedy walk;
    any other exception is a bug and surfaces."""
    def broken(*args):
        raise IndexError("a bug")
    monkeypatch.setattr(chip_module, "_metis", broken)
    net, _ = layered()
    with pytest.raises(IndexError, match="a bug"):
        emulator.compile(net, emulator.targets.loihi2(n_chips=2, cores_per_chip=4),
                         max_neurons_per_core=20)


def test_rates_must_name_inputs_or_populations():
    net, _ = layered()
    with pytest.raises(emulator.UnknownNameError, match="rates name \\['nope'\\]"):
        emulator.compile(net, rates={"nope": 0.1})
    with pytest.raises(emulator.ParameterRangeError, match="rates\\['h0'\\]=-1"):
        emulator.compile(net, emulator.targets.loihi2(n_chips=2), max_neurons_per_core=20,
                         rates={"h0": -1})


def test_defective_cores_are_never_used():
    net, inputs = layered()
    target = emulator.targets.loihi2(n_chips=2, cores_per_chip=5, defective_cores={0, 6})
    program = emulator.compile(net, target, max_neurons_per_core=20)
    locations = [tuple(core["location"]) for core in program.meta["cores"]]
    assert (0, 0) not in locations and (1, 1) not in locations
    assert len(set(locations)) == len(locations) == 8


def test_a_network_that_cannot_fit_says_what_to_change():
    net = emulator.Network()
    x = net.input(5000, name="wide")
    h = net.population(10, emulator.LIF(du=0, dv=0, vth=10), name="h")
    net.connect(x, h, np.ones((10, 5000), np.int64))
    with pytest.raises(ResourceLimitError) as e:
        emulator.compile(net, "loihi1")
    msg = str(e.value)
    assert "population 'h'" in msg and "5000 input axons" in msg and "4096" in msg
    assert "'wide' (5000)" in msg
    net, _ = layered(n=40)
    with pytest.raises(ResourceLimitError, match=r"needs 8 cores .* 6 usable .*n_chips"):
        emulator.compile(net, emulator.targets.loihi2(cores_per_chip=6), max_neurons_per_core=20)


def test_synaptic_memory_limits_split_populations():
    """A dense 100 x 100 connection of 8-bit mixed weights: a block of b neurons holds 100
    rows of b 9-bit synapses, ceil((9 b + 10) / 64) words each; with 200 words per core a
    row may take 2 words, so 9 b + 10 <= 128: blocks of 13 neurons."""
    rng = np.random.default_rng(1)
    net = emulator.Network()
    x = net.input(100, name="x")
    h = net.population(100, emulator.LIF(du=0, dv=0, vth=10), name="h")
    net.connect(x, h, rng.integers(-100, 100, (100, 100)))
    target = emulator.targets.loihi1(synapse_memory_bits=100 * 64 * 2)
    program = emulator.compile(net, target)
    usage = program.meta["compile"]["usage"]
    assert max(usage["synaptic memory bits"]) <= 100 * 64 * 2
    assert max(usage["neurons"]) == 13


def test_features_a_target_lacks_are_named_errors():
    net = emulator.Network()
    x = net.input(2, name="x")
    h = net.population(2, emulator.LIF(), name="h")
    net.connect(x, h, np.ones((2, 2), int), rule=emulator.learning.stdp(), name="plastic")
    with pytest.raises(emulator.UnsupportedFeatureError, match="learning.*'plastic'"):
        emulator.compile(net, emulator.targets.loihi2(learning=False))
    net = emulator.Network()
    x = net.input(2, name="x")
    h = net.population(2, emulator.LIF(), name="h")
    net.connect(x, h, np.ones((2, 2), int), delays=np.full((2, 2), 9), name="late")
    with pytest.raises(emulator.UnsupportedFeatureError, match="'late'.*delay 9.*at most 4"):
        emulator.compile(net, emulator.targets.loihi2(max_delay=4))
    s = emulator.Network()
    x = s.input(2, name="x", graded=True)
    sd = s.population(2, emulator.SigmaDelta(vth=1), name="sd")
    s.connect(x, sd, np.ones((2, 2), int), num_message_bits=8)
    with pytest.raises(emulator.UnsupportedFeatureError, match="loihi1"):
        emulator.compile(s, "loihi1")


def test_a_network_that_fits_one_chip_stays_on_one():
    net, _ = layered()
    program = emulator.compile(net, emulator.targets.spinnaker2(n_chips=4), max_neurons_per_core=8)
    assert {core["location"][0] for core in program.meta["cores"]} == {0}
    assert program.meta["compile"]["traffic"]["inter_chip"] == 0
    target = emulator.targets.loihi2(n_chips=4, cores_per_chip=8)
    program = emulator.compile(net, target, max_neurons_per_core=8)  # 20 cores: 3 chips
    assert len({core["location"][0] for core in program.meta["cores"]}) == 3


@given(data=st.data())
def test_repair_moves_cores_off_full_chips_only(data):
    n_chips = data.draw(st.integers(2, 5))
    capacity = [data.draw(st.integers(1, 6)) for _ in range(n_chips)]
    n_cores = data.draw(st.integers(1, sum(capacity)))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    chips = rng.integers(0, n_chips, n_cores)
    k = 3 * n_cores
    src, dst = rng.integers(0, n_cores, k), rng.integers(0, n_cores, k)
    keep = src != dst
    repaired = chip_module._repair(chips, src[keep], dst[keep], rng.uniform(0, 1, keep.sum()),
                                   capacity)
    assert np.all(np.bincount(repaired, minlength=n_chips) <= capacity)
    full = np.bincount(chips, minlength=n_chips) > np.asarray(capacity)
    stayed = ~full[chips]
    assert np.array_equal(repaired[stayed], chips[stayed])  # only overfull chips give cores
