"""emulator.testing: the strategies stay within a target's limits, and the assertions
catch what they promise to catch, with messages that say where."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import emulator
from emulator.testing import (assert_bit_exact, assert_mapping_invariant,
                              assert_quantization_within, strategies)

TARGETS = ["loihi1", "loihi2", "spinnaker2"]


@settings(deadline=None, max_examples=20)
@given(data=st.data(), name=st.sampled_from(TARGETS))
def test_network_cases_for_a_target_compile_for_it(data, name):
    target = emulator.targets.get(name)
    net, inputs, steps = data.draw(strategies.network_cases(target=target, max_n=4, max_steps=8))
    for pop in net.populations:
        assert pop.model.kind in target.neuron_models
    for conn in net.connections:
        assert conn.num_weight_bits <= target.weight_bits
        assert int(conn.delays.max(initial=0)) <= target.max_delay
        assert target.graded_spikes or conn.num_message_bits == 0
    lo, hi = -2 ** (target.payload_bits - 1), 2 ** (target.payload_bits - 1) - 1
    for inp in net.inputs:
        raster = inputs[inp.name]
        if inp.graded:
            assert target.graded_spikes
            assert raster.min(initial=0) >= lo and raster.max(initial=0) <= hi
        else:
            assert set(np.unique(raster)) <= {0, 1}
    emulator.Simulator(emulator.compile(net, target)).run(steps, inputs)


def test_assert_bit_exact_names_the_first_difference():
    a = np.zeros((4, 3), np.int64)
    b = a.copy()
    b[2, 1] = 7
    with pytest.raises(AssertionError, match=r"'h.v' differ at step 3, neuron \(np.int64\(1\),\)|"
                                             r"'h.v' differ at step 3, neuron \(1,\)"):
        assert_bit_exact({"h.v": a}, {"h.v": b})


def test_assert_mapping_invariant_catches_a_mapping_that_computes_otherwise():
    """Two 'mappings' whose targets differ in payload width: large graded payloads
    saturate on one and not the other, and the assertion says so."""
    net = emulator.Network()
    x = net.input(2, name="x", graded=True)
    h = net.population(3, emulator.SigmaDelta(vth=1), name="h")
    net.connect(x, h, np.ones((3, 2), np.int64), num_message_bits=24)
    inputs = {"x": np.full((4, 2), 100_000, np.int64)}
    results = assert_mapping_invariant(net, inputs, 4)  # the default mappings agree
    assert len(results) == 4
    narrow = emulator.targets.loihi2(payload_bits=12)
    with pytest.raises(AssertionError, match="mapping 'narrow' vs 'wide'"):
        assert_mapping_invariant(net, inputs, 4, reference=False, mappings=[
            ("wide", emulator.targets.loihi2(), {}), ("narrow", narrow, {})])


def test_assert_quantization_within_refuses_a_network_that_is_not_the_quantized_one():
    net = emulator.Network()
    x = net.input(3, name="x")
    h = net.population(2, emulator.FloatLIF(tau_syn=0.005, tau_mem=0.02, threshold=1.0), name="h")
    net.connect(x, h, np.array([[0.3, 0.7, 0.11], [0.5, 0.25, 0.9]]))
    q = assert_quantization_within(net, emulator.quantize(net, "loihi2", 1e-3).network, 0.05,
                                   dt=1e-3)
    other = emulator.quantize(net, "spinnaker2", 2e-3).network
    if not all(np.array_equal(a.params[k], b.params[k]) for a, b in
               zip(other.populations, q.network.populations) for k in a.params):
        with pytest.raises(AssertionError, match="parameter"):
            assert_quantization_within(net, other, 0.05, dt=1e-3)
    with pytest.raises(AssertionError, match="tolerance"):
        assert_quantization_within(net, q, 1e-9)


@settings(deadline=None, max_examples=25)
@given(data=st.data())
def test_network_cases_keep_a_derived_targets_short_delays(data):
    target = emulator.targets.loihi2().derive(max_delay=3, weight_bits=4)
    net, inputs, steps = data.draw(strategies.network_cases(target=target, max_n=3, max_steps=5))
    for conn in net.connections:
        assert int(conn.delays.max(initial=0)) <= 3 and conn.num_weight_bits <= 4
    emulator.compile(net, target)


def test_the_assertions_refuse_what_proves_nothing():
    net = emulator.Network()
    x = net.input(2, name="x")
    h = net.population(40, emulator.LIF(du=4095, dv=0, vth=5), name="h")
    net.connect(x, h, np.full((40, 2), 30))
    inputs = {"x": np.ones((3, 2), np.int8)}
    tiny = emulator.targets.loihi2(cores_per_chip=2)
    with pytest.raises(AssertionError, match="at least 2 must run"):  # explicit: all must run
        assert_mapping_invariant(net, inputs, 3, mappings=[
            ("whole", emulator.targets.loihi2(), {}),
            ("too small", tiny, {"max_neurons_per_core": 1})])
    with pytest.raises(AssertionError, match="not expected"):
        assert_bit_exact({"a": np.zeros(2), "b": np.zeros(2)}, {"a": np.zeros(2)})
    floats = emulator.Network()
    xf = floats.input(2, name="x")
    hf = floats.population(3, emulator.FloatLIF(tau_mem=0.02, threshold=1.0), name="h")
    floats.connect(xf, hf, np.array([[0.5, 0.25], [0.1, 0.9], [0.3, 0.3]]))
    other = emulator.Network()
    other.population(5, emulator.FloatLIF(tau_mem=0.02, threshold=1.0), name="h")
    with pytest.raises(AssertionError, match="populations and connections"):
        assert_quantization_within(floats, emulator.quantize(other, "loihi2", 1e-3), 0.5)
    with pytest.raises(emulator.ParameterRangeError, match="tol"):
        assert_quantization_within(floats, emulator.quantize(floats, "loihi2", 1e-3), float("nan"))
