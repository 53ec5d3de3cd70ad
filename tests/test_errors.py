"""Bad input raises a named EmulatorError that names the object, parameter, value, limit."""
import numpy as np
import pytest
import scipy.sparse as sp

import emulator
from emulator.errors import (EmulatorError, InputError, ParameterRangeError, PayloadRangeError,
                             ProgramFormatError, ResourceLimitError, ShapeError,
                             UnknownNameError, UnsupportedFeatureError)


def small_net(graded=False):
    net = emulator.Network()
    x = net.input(3, name="x", graded=graded)
    h = net.population(2, emulator.LIF(du=100, dv=100, vth=3), name="h")
    net.connect(x, h, weights=np.full((2, 3), 40), num_message_bits=8 if graded else 0)
    net.probe(h, "v")
    return net


@pytest.mark.parametrize("param, value, limit", [
    ("du", 4096, "[0, 4095]"), ("dv", -1, "[0, 4095]"), ("vth", 2**17, "[0, 131071]"),
    ("bias_mant", 4096, "[-4096, 4095]"), ("bias_exp", -9, "[-8, 7]"),
])
def test_lif_parameter_out_of_range_names_parameter_value_and_range(param, value, limit):
    net = emulator.Network()
    with pytest.raises(ParameterRangeError) as e:
        net.population(4, emulator.LIF(**{param: value}), name="layer1")
    msg = str(e.value)
    assert "layer1" in msg and param in msg and str(value) in msg and limit in msg


def test_per_neuron_parameter_of_wrong_length():
    with pytest.raises(ShapeError, match="bias_mant"):
        emulator.Network().population(4, emulator.LIF(bias_mant=[1, 2, 3]), name="h")


def test_population_parameter_given_per_neuron():
    with pytest.raises(ShapeError, match="du"):
        emulator.Network().population(2, emulator.LIF(du=[1, 2]), name="h")


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(weights=np.ones((3, 2), int)), ShapeError, ["weights", "(2, 3)"]),
    (dict(weights=sp.csr_matrix(np.ones((2, 4)))), ShapeError, ["weights"]),
    (dict(weights=np.ones((2, 3)), delays=np.ones((2, 2), int)), ShapeError, ["delays"]),
    (dict(weights=np.ones((2, 3)), delays=np.full((2, 3), 63)), ParameterRangeError,
     ["delays", "63", "[0, 62]"]),
    (dict(weights=np.full((2, 3), 0.5), weight_exp=1), ParameterRangeError,
     ["weight_exp", "float weights", "quantize"]),
    (dict(weights=np.ones((2, 3)), weight_exp=9), ParameterRangeError, ["weight_exp", "9", "[-8, 8]"]),
    (dict(weights=np.ones((2, 3)), num_weight_bits=0), ParameterRangeError, ["num_weight_bits"]),
    (dict(weights=np.ones((2, 3)), sign_mode="positive"), ParameterRangeError, ["sign_mode"]),
])
def test_bad_connection(kwargs, error, words):
    net = emulator.Network()
    x = net.input(3, name="x")
    h = net.population(2, emulator.LIF(), name="h")
    with pytest.raises(error) as e:
        net.connect(x, h, name="c1", **kwargs)
    for w in ["c1", *words]:
        assert w in str(e.value)


def test_sparse_delays_outside_the_weights_pattern():
    net = emulator.Network()
    x = net.input(3, name="x")
    h = net.population(2, emulator.LIF(), name="h")
    w = sp.csr_matrix(np.array([[1, 0, 0], [0, 2, 0]]))
    d = sp.csr_matrix(np.array([[1, 0, 3], [0, 2, 0]]))
    with pytest.raises(ShapeError, match="delays"):
        net.connect(x, h, weights=w, delays=d)


def test_connecting_objects_of_another_network():
    other = emulator.Network()
    h2 = other.population(2, emulator.LIF(), name="h")
    net = emulator.Network()
    x = net.input(3, name="x")
    with pytest.raises(UnknownNameError):
        net.connect(x, h2, weights=np.ones((2, 3)))


def test_duplicate_name():
    net = emulator.Network()
    net.input(3, name="x")
    with pytest.raises(ParameterRangeError, match="'x'"):
        net.population(2, emulator.LIF(), name="x")


def test_unknown_probe_variable_and_population():
    net = small_net()
    with pytest.raises(UnknownNameError, match="w"):
        net.probe(net.populations[0], "w")
    with pytest.raises(UnknownNameError, match="nope"):
        net.probe("nope", "v")


def test_unknown_target():
    with pytest.raises(UnknownNameError, match="truenorth"):
        emulator.compile(small_net(), target="truenorth")


def test_graded_spikes_on_loihi1():
    with pytest.raises(UnsupportedFeatureError, match="loihi1"):
        emulator.compile(small_net(graded=True), target="loihi1")


def test_core_size_beyond_the_target():
    with pytest.raises(ParameterRangeError, match="8192"):
        emulator.compile(small_net(), target="loihi2", max_neurons_per_core=10_000)


def test_network_that_needs_more_cores_than_the_chip_has():
    net = emulator.Network()
    net.population(200, emulator.LIF(), name="big")
    with pytest.raises(ResourceLimitError, match="200 cores"):
        emulator.compile(net, target=emulator.targets.loihi2(max_neurons_per_core=1, n_chips=1))


@pytest.mark.parametrize("inputs, error, words", [
    ({}, InputError, ["'x'", "missing"]),
    ({"x": np.zeros((5, 3), int), "y": np.zeros((5, 1), int)}, UnknownNameError, ["y"]),
    ({"x": np.zeros((5, 2), int)}, InputError, ["(5, 2)", "(5, 3)"]),
    ({"x": np.zeros((5, 3))}, InputError, ["float64"]),
])
def test_bad_raster(inputs, error, words):
    sim = emulator.Simulator(emulator.compile(small_net()))
    with pytest.raises(error) as e:
        sim.run(5, inputs=inputs)
    for w in words:
        assert w in str(e.value)


def test_graded_payload_saturates_by_default_and_raises_in_strict_mode():
    net = small_net(graded=True)
    raster = np.zeros((3, 3), np.int64)
    raster[0, 0] = 2**23  # one above the 24-bit payload range
    probe_default = emulator.Simulator(emulator.compile(net)).run(3, inputs={"x": raster})
    raster_sat = raster.copy()
    raster_sat[0, 0] = 2**23 - 1
    probe_sat = emulator.Simulator(emulator.compile(net)).run(3, inputs={"x": raster_sat})
    np.testing.assert_array_equal(probe_default.probes["h.v"], probe_sat.probes["h.v"])
    with pytest.raises(PayloadRangeError, match=r"8388608.*\[-8388608, 8388607\]"):
        emulator.Simulator(emulator.compile(net), strict=True).run(3, inputs={"x": raster})


def test_every_error_is_an_emulator_error():
    for cls in (InputError, ParameterRangeError, PayloadRangeError, ProgramFormatError,
                ResourceLimitError, ShapeError, UnknownNameError, UnsupportedFeatureError):
        assert issubclass(cls, EmulatorError)


def test_default_names_avoid_names_in_use():
    net = emulator.Network()
    net.population(1, emulator.LIF(), name="pop1")
    names = [net.population(1, emulator.LIF()).name for _ in range(2)]
    assert "pop1" not in names and len(set(names)) == 2


def test_huge_unsigned_weight_clips_as_itself():
    net = emulator.Network()
    x = net.input(2, name="x")
    h = net.population(1, emulator.LIF(), name="h")
    c = net.connect(x, h, weights=np.array([[2**63, 5]], dtype=np.uint64))
    assert c.sign_mode == "excitatory" and c.weights[0] > 0


def test_duplicate_sparse_delays():
    net = emulator.Network()
    x = net.input(2, name="x")
    h = net.population(1, emulator.LIF(), name="h")
    d = sp.coo_matrix((np.array([2, 2]), (np.array([0, 0]), np.array([1, 1]))), shape=(1, 2))
    with pytest.raises(ShapeError, match="two entries"):
        net.connect(x, h, weights=sp.csr_matrix(np.array([[0, 3]])), delays=d)


def _misuse():
    """Calls a user can get wrong, each with the named error it must raise."""
    net = small_net()
    program = emulator.compile(net, "loihi2")
    sim = emulator.Simulator(program)
    result = sim.run(5, {"x": np.ones((5, 3), int)})
    h = net.populations[0]
    return {
        "inputs not a dict": (lambda: sim.run(2, [1, 2]), InputError),
        "progress not callable": (lambda: sim.run(2, {"x": np.ones((2, 3), int)}, progress=5),
                                  InputError),
        "per_step a string": (lambda: sim.run(2, {"x": np.ones((2, 3), int)}, per_step="no"),
                              ParameterRangeError),
        "strict a string": (lambda: emulator.Simulator(program, strict="maybe"),
                            ParameterRangeError),
        "network a number": (lambda: emulator.Simulator(program, network=2), ParameterRangeError),
        "graded a string": (lambda: emulator.Network().input(3, graded="yes"),
                            ParameterRangeError),
        "estimate of no result": (lambda: emulator.energy.estimate("result"), InputError),
        "compile of no network": (lambda: emulator.compile("net", "loihi2"), InputError),
        "probe of a number": (lambda: net.probe(123, "v"), UnknownNameError),
        "probe of a foreign population": (
            lambda: emulator.Network().probe(h, "v"), UnknownNameError),
        "load of no path": (lambda: emulator.Result.load(None), ParameterRangeError),
        "program load of no path": (lambda: emulator.Program.load(3), ParameterRangeError),
        "steps beyond memory": (lambda: sim.run(10**15, {"x": np.ones((1, 3), int)}),
                                ResourceLimitError),
        "spikes of no population": (lambda: result.spikes["zzz"], UnknownNameError),
        "to_nir of no network": (lambda: emulator.io.to_nir("net"), ParameterRangeError),
    }


@pytest.mark.parametrize("case", sorted(_misuse()))
def test_misused_calls_raise_their_named_error(case):
    call, error = _misuse()[case]
    with pytest.raises(error):
        call()
