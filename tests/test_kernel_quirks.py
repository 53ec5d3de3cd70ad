"""Hand-checked quirks of spec/neurocore.md, on the kernel itself (the reference model has
its own in test_reference_quirks.py). With du = 4095 the current decays to zero each step,
so u = a * 64 shows the synaptic input a of the step directly."""
import numpy as np
import scipy.sparse as sp

import emulator

QUIET = dict(du=4095, dv=0, vth=2**17 - 1)


def input_of(weights, raster, steps=None, **connect):
    """Synaptic input a of a population fed by one connection, step by step (kernel)."""
    weights = weights if sp.issparse(weights) else np.asarray(weights)
    raster = np.asarray(raster, np.int64)
    steps = steps or len(raster) + 1
    raster = np.vstack([raster, np.zeros((steps - len(raster), raster.shape[1]), np.int64)])
    net = emulator.Network()
    x = net.input(weights.shape[1], name="x", graded=connect.get("num_message_bits", 0) > 0)
    h = net.population(weights.shape[0], emulator.LIF(**QUIET), name="h")
    net.connect(x, h, weights=weights, **connect)
    net.probe(h, "u")
    u = emulator.Simulator(emulator.compile(net)).run(steps, inputs={"x": raster}).probes["h.u"]
    return u // 64


def test_mixed_8_bit_weight_115_becomes_114():
    a = input_of([[115, -115, 1]], [[1, 0, 0]], sign_mode="mixed")
    assert a[1, 0] == 114
    assert input_of([[115, -115]], [[0, 1]])[1, 0] == -116  # inferred mixed
    assert input_of([[1, -1]], [[1, 0]])[1, 0] == 0


def test_weight_exp_shifts_each_connections_sum_not_each_weight():
    # two synapses of weight 1 at weight_exp -1: floor(2 / 2) = 1, not 0 + 0
    assert input_of([[1, 1]], [[1, 1]], weight_exp=-1)[1, 0] == 1
    # floor rounds toward -infinity: -3 >> 1 = -2
    assert input_of([[-3]], [[1]], weight_exp=-1)[1, 0] == -2


def test_two_connections_into_one_neuron_are_shifted_separately():
    net = emulator.Network()
    x1, x2 = net.input(1, name="x1"), net.input(1, name="x2")
    h = net.population(1, emulator.LIF(**QUIET), name="h")
    net.connect(x1, h, weights=[[1]], weight_exp=-1)
    net.connect(x2, h, weights=[[1]], weight_exp=-1)
    net.probe(h, "u")
    r = emulator.Simulator(emulator.compile(net)).run(2, inputs={"x1": [[1], [0]], "x2": [[1], [0]]})
    assert r.probes["h.u"][1, 0] == 0  # floor(1/2) + floor(1/2), not floor(2/2)


def test_delay_slots_of_one_connection_are_shifted_separately():
    # two synapses of weight 1 with delays 0 and 1, spikes one step apart: both arrive
    # together but come from different (emission step, delay) sums: 0 + 0, not 1
    a = input_of([[1, 1]], [[0, 1], [1, 0]], delays=[[0, 1]], weight_exp=-1)
    assert a[2, 0] == 0


def test_delay_d_arrives_d_steps_after_a_delay_0_synapse():
    a = input_of([[5, 7]], [[1, 1]], steps=8, delays=[[0, 4]])
    assert a[:, 0].tolist() == [0, 5, 0, 0, 0, 7, 0, 0]


def test_u_at_minus_2_23_becomes_plus_2_23():
    # a * 64 = -2**23 exactly: u wraps to +2**23
    a = input_of([[1]], [[-(2**17)]], num_message_bits=24)
    assert a[1, 0] * 64 == 2**23


def test_u_wraps_only_once():
    # a * 64 = 2**23 + 2**24 + 64: one correction leaves it above 2**23
    payload = (2**23 + 2**24 + 64) // 64
    u = input_of([[1]], [[payload]], num_message_bits=24)[1, 0] * 64
    assert u == 2**23 + 64


def test_graded_payload_into_binary_connection_counts_as_one():
    net = emulator.Network()
    x = net.input(2, name="x", graded=True)
    h = net.population(1, emulator.LIF(**QUIET), name="h")
    net.connect(x, h, weights=[[3, 4]], num_message_bits=0)
    net.probe(h, "u")
    r = emulator.Simulator(emulator.compile(net)).run(2, inputs={"x": [[-9, 1000], [0, 0]]})
    assert r.probes["h.u"][1, 0] == 7 * 64


def test_spike_strictly_above_vth_times_64_resets_v_but_not_u():
    # vth = 1: threshold 64. Neuron 0 (bias 64): v = 64 (no spike), then 128 (spike).
    # Neuron 1 (bias 65) spikes every step; the input it gets at step 2 stays in u.
    net = emulator.Network()
    x = net.input(1, name="x")
    h = net.population(2, emulator.LIF(du=0, dv=0, vth=1, bias_mant=[64, 65]), name="h")
    net.connect(x, h, weights=[[0], [1]])
    net.probe(h, "v")
    net.probe(h, "u")
    r = emulator.Simulator(emulator.compile(net)).run(2, inputs={"x": [[1], [0]]})
    assert r.spikes["h"].tolist() == [[0, 1], [1, 1]]
    assert r.probes["h.v"].tolist() == [[64, 0], [0, 0]]
    assert r.probes["h.u"][:, 1].tolist() == [0, 64]
