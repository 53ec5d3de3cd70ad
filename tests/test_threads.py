"""A Simulator's threads split the cores between them (each thread updates its cores and
adds the synapses that target them); nothing a run gives may depend on how many there
are: spikes, probes, every counter, the network's traffic and times, learned weights and
traces."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import emulator
from emulator.testing import assert_bit_exact
from emulator.testing.strategies import MODEL_STRATEGIES, network_cases, plastic_network_cases


def everything(result):
    """Every array a Result holds, by name."""
    out = {f"spikes.{k}": v for k, v in result.spikes.items()}
    out.update({f"probe.{k}": v for k, v in result.probes.items()})
    c = result.counters
    out.update({f"per_core.{k}": v for k, v in c.per_core.items()})
    out.update({f"per_step.{k}": v for k, v in (c.per_step or {}).items()})
    out.update({f"host.{k}": np.asarray(v) for k, v in (c.host_per_step or {}).items()})
    out["per_source"] = c.per_source
    if result.traffic is not None:
        for name, value in vars(result.traffic).items():
            if isinstance(value, np.ndarray):
                out[f"traffic.{name}"] = value
    return out


def run(program, inputs, steps, threads, network=True):
    sim = emulator.Simulator(program, network=network, threads=threads)
    return sim, sim.run(steps, inputs)


TARGETS = {"loihi2": lambda: emulator.targets.loihi2(),
           "spinnaker2": lambda: emulator.targets.spinnaker2(n_chips=4, cores_per_chip=12)}


@given(data=st.data())
def test_any_thread_count_gives_the_same_run(data):
    target = TARGETS[data.draw(st.sampled_from(sorted(TARGETS)), label="target")]()
    models = tuple(m for m in MODEL_STRATEGIES if m in target.neuron_models)
    net, inputs, steps = data.draw(network_cases(max_n=8, max_layers=4, models=models,
                                                 target=target), label="case")
    per_core = data.draw(st.integers(1, 3), label="per_core")
    threads = data.draw(st.integers(2, 4), label="threads")
    network = data.draw(st.booleans(), label="network")
    program = emulator.compile(net, target, max_neurons_per_core=per_core)
    _, one = run(program, inputs, steps, 1, network)
    sim, many = run(program, inputs, steps, threads, network)
    assert sim.threads == min(threads, program.n_cores)
    assert_bit_exact(everything(many), everything(one), what=f"{sim.threads} threads vs 1:")


@given(case=plastic_network_cases(max_n=8), data=st.data())
def test_learning_does_not_depend_on_the_thread_count(case, data):
    net, inputs, steps = case
    program = emulator.compile(net, "loihi2", max_neurons_per_core=data.draw(st.integers(1, 3)))
    _, one = run(program, inputs, steps, 1)
    _, many = run(program, inputs, steps, data.draw(st.integers(2, 4), label="threads"))
    assert_bit_exact(everything(many), everything(one))


def layered(n=60, per_core=10):
    rng = np.random.default_rng(5)
    net = emulator.Network()
    x = net.input(20, name="x")
    h = net.population(n, emulator.LIF(du=400, dv=300, vth=80), name="h")
    net.connect(x, h, rng.integers(-10, 90, (n, 20)))
    net.connect(h, h, rng.integers(-40, 40, (n, n)) * (rng.random((n, n)) < 0.2))
    net.probe(h, "v")
    program = emulator.compile(net, max_neurons_per_core=per_core)
    return program, {"x": rng.random((40, 20)) < 0.3}


def test_threads_are_counted_as_asked_and_at_most_one_per_core():
    program, _ = layered()
    assert emulator.Simulator(program, threads=3).threads == 3
    assert emulator.Simulator(program, threads=64).threads == program.n_cores
    # by default: the CPUs this process may use, fewer for a small program
    assert 1 <= emulator.Simulator(program).threads <= emulator.runtime.usable_cpus()
    assert emulator.Simulator(program).threads == 1  # 60 neurons: not worth a barrier


@pytest.mark.parametrize("threads", [0, -1, 1025, True, 2.0, "2"])
def test_a_thread_count_that_is_not_a_count_is_refused(threads):
    program, _ = layered()
    with pytest.raises(emulator.ParameterRangeError, match="threads"):
        emulator.Simulator(program, threads=threads)


def test_runs_continue_and_reset_the_same_on_many_threads():
    program, inputs = layered()
    one = emulator.Simulator(program, threads=1)
    many = emulator.Simulator(program, threads=4)
    for sim in (one, many):
        sim.run(15, {"x": inputs["x"][:15]})
    a, b = one.run(25, {"x": inputs["x"][15:]}), many.run(25, {"x": inputs["x"][15:]})
    assert_bit_exact(everything(b), everything(a))
    many.reset()
    assert_bit_exact(everything(many.run(40, inputs)),
                     everything(emulator.Simulator(program, threads=1).run(40, inputs)))


def test_a_strict_payload_error_on_a_worker_thread_stops_the_run_as_on_one():
    """The error, the refusal to go on without a reset, and after the reset a run with
    nothing left over from the broken step (spikes other threads had emitted)."""
    net = emulator.Network()
    x = net.input(1, name="x", graded=True)
    for k in range(4):  # the last core's neurons send a payload beyond 24 bits
        h = net.population(2, emulator.SigmaDelta(vth=1, bias=0), name=f"h{k}")
        net.connect(x, h, np.full((2, 1), 255 if k == 3 else 1), num_message_bits=24)
    program = emulator.compile(net, max_neurons_per_core=2)
    loud, quiet = {"x": np.full((3, 1), 1 << 22)}, {"x": np.zeros((3, 1), np.int64)}
    messages, after = [], []
    for threads in (1, 4):
        sim = emulator.Simulator(program, strict=True, threads=threads)
        with pytest.raises(emulator.PayloadRangeError) as error:
            sim.run(3, loud)
        messages.append(str(error.value))
        with pytest.raises(emulator.InputError, match="reset"):
            sim.run(1, {"x": loud["x"][:1]})
        sim.reset()
        after.append(everything(sim.run(3, quiet)))
    assert messages[0] == messages[1]
    assert_bit_exact(after[1], after[0])
    assert not any(after[0][f"spikes.h{k}"].any() for k in range(4))
