"""Requests beyond the memory limit are refused up front with ResourceLimitError naming
the bytes needed, before anything is allocated: populations, connections, compiles,
loaded programs and runs (whose spike record is bounded while it grows)."""
import time

import numpy as np
import pytest
import scipy.sparse as sp

import emulator
from emulator.errors import ParameterRangeError, ResourceLimitError
from emulator.memory import memory_limit, require_memory, set_memory_limit


@pytest.fixture
def limit():
    """Sets a memory limit for one test and restores the default after it."""
    yield set_memory_limit
    set_memory_limit(None)


def small_program():
    net = emulator.Network()
    x = net.input(4, name="x")
    h = net.population(3, emulator.LIF(du=100, dv=100, vth=1), name="h")
    net.connect(x, h, np.full((3, 4), 60))
    return emulator.compile(net, "loihi2")


def test_a_billion_neurons_is_refused_at_once_with_the_bytes_it_needs():
    start = time.monotonic()
    with pytest.raises(ResourceLimitError, match=r"population 'big' of 1000000000 neurons "
                                                 r"needs .* \(128000000000 bytes\)"):
        emulator.Network().population(10**9, emulator.LIF(), name="big")
    assert time.monotonic() - start < 5  # refused, not attempted (it took 53 s before)


def test_a_population_beyond_the_kernels_32_bit_numbering_is_refused():
    with pytest.raises(ParameterRangeError, match=r"\[1, 2147483647\]"):
        emulator.Network().population(2**31, emulator.LIF())


def test_a_dense_connection_too_large_is_refused_before_numpy_allocates(limit):
    net = emulator.Network()
    x = net.input(40000, name="x")
    h = net.population(40000, emulator.LIF(), name="h")
    # a 40000 x 40000 array of zeros that takes no memory (a broadcast view)
    huge = np.broadcast_to(np.zeros(1, np.int8), (40000, 40000))
    limit("8G")
    with pytest.raises(ResourceLimitError, match="1600000000 synapses .* scipy.sparse"):
        net.connect(x, h, huge)
    few = sp.coo_matrix((np.ones(5), ([1, 2, 3, 4, 5], [9, 8, 7, 6, 5])), shape=(40000, 40000))
    net.connect(x, h, few)  # a sparse connection takes memory per stored synapse: fits


def test_compile_and_load_are_bounded(limit):
    net = emulator.Network()
    x = net.input(300, name="x")
    h = net.population(300, emulator.LIF(), name="h")
    net.connect(x, h, np.ones((300, 300), int))
    program = emulator.compile(net, "loihi2")
    limit(90_000 * 8)
    with pytest.raises(ResourceLimitError, match="compile of 90000 synapses"):
        emulator.compile(net, "loihi2")
    limit(emulator.Simulator._load_bytes(program) - 1)
    with pytest.raises(ResourceLimitError, match="loading a program of 1 core on"):
        emulator.Simulator(program)


def test_a_run_says_what_it_needs_and_is_refused_beyond_the_limit(limit):
    sim = emulator.Simulator(small_program())
    per_step = sim.record_bytes(1000) / 1000
    assert sim.record_bytes(0) == 0
    assert sim.record_bytes(10**6, per_step=False) < sim.record_bytes(10**6)
    limit(int(per_step * 10**5))
    with pytest.raises(ResourceLimitError, match=r"run\(200000000\) .* per_step=False"):
        sim.run(2 * 10**8, inputs={"x": np.broadcast_to(np.zeros(1, np.int8), (2 * 10**8, 4))})
    assert sim.run(10, {"x": np.ones((10, 4), int)}).steps == 10  # nothing happened before


def test_a_run_whose_spikes_outgrow_the_limit_stops_between_steps_with_its_steps(limit):
    """Every neuron spikes every step: the spike record grows until the limit stops the
    run at a step boundary; the steps that ran come with the error, and equal the first
    steps of an unbounded run."""
    net = emulator.Network()
    x = net.input(10, name="x")
    h = net.population(5000, emulator.LIF(vth=0, bias_mant=100), name="h")
    net.connect(x, h, np.zeros((5000, 10), int))
    program = emulator.compile(net, "loihi2")
    sim = emulator.Simulator(program)
    inputs = {"x": np.zeros((4000, 10), int)}
    limit(sim.record_bytes(4000) + 3 * 8 * 5000 * 300)
    with pytest.raises(ResourceLimitError, match="spike record") as stopped:
        sim.run(4000, inputs)
    partial = stopped.value.result
    assert 250 < partial.steps < 400 and sim.steps_done == partial.steps
    set_memory_limit(None)
    full = emulator.Simulator(program).run(partial.steps, {"x": inputs["x"][:partial.steps]})
    np.testing.assert_array_equal(full.spikes["h"], partial.spikes["h"])


@pytest.mark.parametrize("text, value", [("1024", 1024), ("8G", 8 * 2**30), ("1.5M", 3 * 2**19),
                                         ("2 GiB", 2 * 2**30), ("3k", 3072)])
def test_the_limit_comes_from_the_environment_when_not_set(monkeypatch, text, value):
    monkeypatch.setenv("EMULATOR_MEMORY_LIMIT", text)
    assert memory_limit() == (value, "from EMULATOR_MEMORY_LIMIT")


def test_the_default_limit_is_the_available_memory(monkeypatch):
    monkeypatch.delenv("EMULATOR_MEMORY_LIMIT", raising=False)
    nbytes, source = memory_limit()
    assert nbytes > 0 and "available" in source


@pytest.mark.parametrize("bad", [0, -5, "lots", True, 1.5, "8X"])
def test_a_bad_limit_is_refused_by_name(bad):
    with pytest.raises(ParameterRangeError, match="set_memory_limit"):
        set_memory_limit(bad)


def test_require_memory_names_what_the_bytes_and_the_limit(limit):
    limit(1000)
    with pytest.raises(ResourceLimitError, match=r"the thing needs 1\.95 KiB \(2000 bytes\), "
                                                 r"more than the memory limit of 1000 bytes"):
        require_memory("the thing", 2000)
    assert require_memory("the thing", 999) == 1000
