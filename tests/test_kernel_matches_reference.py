"""The C++ kernel equals the numpy reference model bit for bit, step by step, for every
state variable, over hypothesis-drawn networks that mix every neuron model; and results
never depend on the mapping."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import emulator
from emulator.errors import PayloadRangeError
from emulator.reference import ReferenceSimulator
from emulator.testing import assert_bit_exact, assert_mapping_invariant, observed
from emulator.testing.strategies import MODEL_STRATEGIES, network_cases

ALL_MODELS = tuple(MODEL_STRATEGIES)


def kernel_run(net, inputs, steps, max_neurons_per_core=None, strict=False):
    program = emulator.compile(net, target="loihi2", max_neurons_per_core=max_neurons_per_core)
    return emulator.Simulator(program, strict=strict).run(steps, inputs=inputs)


def assert_kernel_matches_reference(case, data):
    net, inputs, steps = case
    per_core = data.draw(st.integers(1, max(p.n for p in net.populations)), label="per_core")
    result = kernel_run(net, inputs, steps, per_core)
    ref = ReferenceSimulator(net).run(steps, inputs=inputs)
    assert_bit_exact(observed(result, net), observed(ref, net))


@given(case=network_cases(), data=st.data())
def test_kernel_matches_reference_for_any_lif_network(case, data):
    assert_kernel_matches_reference(case, data)


@pytest.mark.parametrize("model", ALL_MODELS[1:])
@given(data=st.data())
def test_kernel_matches_reference_for_each_model(model, data):
    """Networks of one model (fed by inputs and by each other, recurrent too)."""
    assert_kernel_matches_reference(data.draw(network_cases(models=(model,)), label="case"), data)


@given(case=network_cases(models=ALL_MODELS, max_layers=4), data=st.data())
def test_kernel_matches_reference_for_networks_mixing_every_model(case, data):
    assert_kernel_matches_reference(case, data)


@given(case=network_cases(models=("sigma_delta", "delta", "sigma"), max_steps=20))
def test_strict_mode_refuses_the_same_payloads_as_the_reference(case):
    """Strict mode: both stop on the same payload, or both run and agree."""
    net, inputs, steps = case
    try:
        ref = ReferenceSimulator(net, strict=True).run(steps, inputs=inputs)
    except PayloadRangeError:
        with pytest.raises(PayloadRangeError):
            kernel_run(net, inputs, steps, strict=True)
        return
    assert_bit_exact(observed(kernel_run(net, inputs, steps, strict=True), net),
                     observed(ref, net))


@given(case=network_cases(max_n=8, models=ALL_MODELS), data=st.data())
def test_results_do_not_depend_on_the_mapping(case, data):
    """One core per population or per_core neurons per core: the same spikes, states and
    synapses read (the same synapses are read wherever they are stored)."""
    net, inputs, steps = case
    per_core = data.draw(st.integers(1, 3), label="per_core")
    target = emulator.targets.loihi2()
    assert_mapping_invariant(net, inputs, steps, reference=False, mappings=[
        ("one core per population", target, {}),
        (f"{per_core} per core", target, {"max_neurons_per_core": per_core})])


@given(case=network_cases(max_steps=20, models=ALL_MODELS), data=st.data())
def test_run_continues_where_the_last_run_ended(case, data):
    net, inputs, steps = case
    split = data.draw(st.integers(0, steps), label="split")
    whole = kernel_run(net, inputs, steps)
    sim = emulator.Simulator(emulator.compile(net))
    first = sim.run(split, inputs={k: v[:split] for k, v in inputs.items()})
    second = sim.run(steps - split, inputs={k: v[split:] for k, v in inputs.items()})
    joined = {k: np.concatenate([observed(first, net)[k], observed(second, net)[k]])
              for k in observed(whole, net)}
    assert_bit_exact(joined, observed(whole, net))
    assert second.first_step == split + 1
    sim.reset()
    assert_bit_exact(observed(sim.run(steps, inputs=inputs), net), observed(whole, net))
