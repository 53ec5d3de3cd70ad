"""The kernel's learning engine equals the numpy reference bit for bit: spikes and neuron
state every step, and every variable of every plastic connection (weights, tags, delay
fields, all five traces) after every step, over hypothesis-drawn rules, trace
parameters, t_epoch 1..8, sign modes, dense and sparse connections, recurrent plastic
connections and reward modulation; on one core or split over many; across runs."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import emulator
from emulator.network import CONNECTION_PROBES, WEIGHT_RANGE
from emulator.reference import ReferenceSimulator
from emulator.testing import assert_bit_exact
from emulator.testing.strategies import plastic_network_cases


def kernel_observed(net, inputs, steps, per_core=None):
    program = emulator.compile(net, target="loihi2", max_neurons_per_core=per_core)
    result = emulator.Simulator(program).run(steps, inputs=inputs)
    return _observed(net, result), result


def _observed(net, result):
    out = {f"{p.name}.spikes": result.spikes[p.name] for p in net.populations}
    out.update({f"{n}.{v}": result.probes[f"{n}.{v}"] for n, v in net.probes if v != "spikes"})
    out.update({f"{n}.{v}": result.probes[f"{n}.{v}"] for n, v in net.connection_probes})
    return out


def reference_observed(net, inputs, steps):
    ref = ReferenceSimulator(net).run(steps, inputs=inputs)
    out = {f"{p.name}.spikes": ref.spikes[p.name] for p in net.populations}
    out.update({f"{n}.{v}": ref.state[n][v] for n, v in net.probes if v != "spikes"})
    out.update({f"{n}.{v}": ref.connections[n][v] for n, v in net.connection_probes})
    return out


@given(case=plastic_network_cases(), data=st.data())
def test_kernel_learns_exactly_what_the_reference_learns(case, data):
    net, inputs, steps = case
    per_core = data.draw(st.sampled_from([None, 1, 2]), label="per_core")
    actual, _ = kernel_observed(net, inputs, steps, per_core)
    assert_bit_exact(actual, reference_observed(net, inputs, steps))


@given(case=plastic_network_cases(max_steps=30))
def test_learned_weights_stay_in_their_sign_modes_range(case):
    net, inputs, steps = case
    actual, _ = kernel_observed(net, inputs, steps)
    for conn in (c for c in net.connections if c.plastic):
        lo, hi = WEIGHT_RANGE[conn.sign_mode]
        w = actual[f"{conn.name}.weights"]
        assert w.min(initial=0) >= lo and w.max(initial=0) <= hi
        assert actual[f"{conn.name}.tags"].min(initial=0) >= -257
        assert actual[f"{conn.name}.delay_fields"].min(initial=0) >= 0


@given(case=plastic_network_cases(max_n=8), data=st.data())
def test_learning_does_not_depend_on_the_mapping(case, data):
    """A plastic connection split over cores draws from one set of streams: same spikes,
    same learned values, and the same number of synaptic updates."""
    net, inputs, steps = case
    one, one_result = kernel_observed(net, inputs, steps)
    per_core = data.draw(st.integers(1, 3), label="per_core")
    many, many_result = kernel_observed(net, inputs, steps, per_core)
    assert_bit_exact(many, one)
    assert many_result.counters["synaptic_updates"] == one_result.counters["synaptic_updates"]


@given(case=plastic_network_cases(max_steps=25), data=st.data())
def test_learning_continues_across_runs_and_restarts_on_reset(case, data):
    net, inputs, steps = case
    split = data.draw(st.integers(0, steps), label="split")
    whole, _ = kernel_observed(net, inputs, steps)
    sim = emulator.Simulator(emulator.compile(net))
    first = _observed(net, sim.run(split, inputs={k: v[:split] for k, v in inputs.items()}))
    second = _observed(net, sim.run(steps - split, inputs={k: v[split:] for k, v in inputs.items()}))
    assert_bit_exact({k: np.concatenate([first[k], second[k]]) for k in whole}, whole)
    for conn in (c for c in net.connections if c.plastic):
        for var in CONNECTION_PROBES:
            assert_bit_exact(sim.connection_state(conn, var), whole[f"{conn.name}.{var}"][-1],
                             f"{conn.name}.{var}")
    sim.reset()
    assert_bit_exact(_observed(net, sim.run(steps, inputs=inputs)), whole)


def _counting_net(rule):
    """x (3 channels) -> h: neuron 0 spikes every step (bias 1000 > vth 10 * 64), neuron 1 never."""
    net = emulator.Network()
    x = net.input(3, name="x")
    h = net.population(2, emulator.LIF(du=4095, dv=4095, vth=10, bias_mant=[1000, 0]), name="h")
    net.connect(x, h, np.zeros((2, 3), np.int64), rule=rule, name="w")
    return net


RASTER = np.array([[1, 0, 0], [1, 0, 1], [0, 0, 0], [0, 0, 0]])


def test_synaptic_updates_count_the_synapses_with_an_active_dependency():
    """x0 terms touch the rows of pre neurons that spiked, y0 terms the columns of post
    neurons that spiked (each synapse once), uK terms every synapse in their epochs."""
    rule = emulator.LearningRule(dw="x0*2^-7 + y0*2^-7", t_epoch=1)
    result = emulator.Simulator(emulator.compile(_counting_net(rule), target="loihi1")).run(
        4, inputs={"x": RASTER})
    # column 0 (3 synapses) every step; plus the spiking rows' synapse to neuron 1
    assert result.counters.per_step["synaptic_updates"].tolist() == [4, 5, 3, 3]
    rule = emulator.LearningRule(dw="u1*w*2^-7", t_epoch=1)
    result = emulator.Simulator(emulator.compile(_counting_net(rule))).run(4, inputs={"x": RASTER})
    assert result.counters.per_step["synaptic_updates"].tolist() == [0, 6, 0, 6]  # epochs 2, 4
    rule = emulator.LearningRule(dw="x0*2^-7", t_epoch=2)  # counted once per epoch, at its end
    result = emulator.Simulator(emulator.compile(_counting_net(rule))).run(4, inputs={"x": RASTER})
    assert result.counters.per_step["synaptic_updates"].tolist() == [0, 4, 0, 0]


def test_energy_charges_each_synaptic_update():
    """On Loihi 1 a synaptic update costs 120 pJ (Davies et al. 2018, Table 2)."""
    rule = emulator.LearningRule(dw="x0*2^-7 + y0*2^-7", t_epoch=1)
    result = emulator.Simulator(emulator.compile(_counting_net(rule), target="loihi1")).run(
        4, inputs={"x": RASTER})
    report = emulator.energy.estimate(result)
    learning = report.by_operation["synaptic_updates"]
    assert learning["count"] == 15
    assert learning["typical"] == pytest.approx(15 * 120e-12)


def test_a_tag_at_its_floor_moves_without_any_spike():
    """The accumulator's lower clip (-2^15 - 1) moves a tag sitting at -257 in every epoch
    with a dt rule, spike or not: the kernel's touched-synapse shortcut must not skip it.
    Synapse seed 63 draws 0.99226 in epoch 1, so the first update lands on -257."""
    net = emulator.Network()
    x = net.input(1, name="x")
    h = net.population(2, emulator.LIF(du=0, dv=0, vth=10_000), name="h")
    rule = emulator.LearningRule(dt="-8*2^8*x0", dw="x0*2^-7", t_epoch=1, synapse_seed=63)
    w = net.connect(x, h, np.zeros((2, 1), np.int64), rule=rule, name="w")
    net.probe(w, "tags")
    raster = np.array([[1], [0], [0], [0]])
    result = emulator.Simulator(emulator.compile(net, max_neurons_per_core=1)).run(
        4, inputs={"x": raster})
    tags = result.probes["w.tags"][:, :, 0]
    assert tags[0].tolist() == [-257, -257] and (tags[1] == -256).all()
    assert_bit_exact(tags, ReferenceSimulator(net).run(4, inputs={"x": raster})
                     .connections["w"]["tags"][:, :, 0])
    assert result.counters.per_step["synaptic_updates"].tolist() == [2, 0, 0, 0]
