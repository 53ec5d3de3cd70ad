"""NIR graphs in and out: a graph written by the nir package's own API compiles and runs
like a float simulation of NIR's equations; convolutions, pools and flattening unroll
into the matrices a direct convolution computes; Delay nodes delay; round trips keep
the network; unsupported nodes and bad graphs raise named errors."""
import math
import sys

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import emulator
from emulator.errors import (ParameterRangeError, ShapeError, UnsupportedFeatureError)
from emulator.io import from_nir, to_nir

nir = pytest.importorskip("nir")

DT = 1e-3


def dense_weights(conn):
    """A connection's (n_post, n_pre) weights as a dense array."""
    w = np.zeros((conn.post.n, conn.pre.n))
    np.add.at(w, (conn.post_index, conn.pre_index), conn.weights)
    return w


def two_layer_graph(n_in=12, n_h=8, n_o=4, seed=0):
    """Input -> Affine -> CubaLIF -> Affine -> LIF -> Output, in the nir package's API."""
    rng = np.random.default_rng(seed)
    w1 = rng.uniform(0.0, 3.0, (n_h, n_in))
    w2 = rng.uniform(0.0, 2.0, (n_o, n_h))
    ones = np.ones
    nodes = {
        "in": nir.Input(input_type=np.array([n_in])),
        "fc1": nir.Affine(weight=w1, bias=np.zeros(n_h)),
        "cuba": nir.CubaLIF(tau_syn=np.full(n_h, 5e-3), tau_mem=np.full(n_h, 10e-3),
                            r=np.full(n_h, 1.5), v_leak=rng.uniform(0, 0.2, n_h),
                            v_threshold=ones(n_h), w_in=np.full(n_h, 2.0)),
        "fc2": nir.Affine(weight=w2, bias=np.full(n_o, 0.05)),
        "lif": nir.LIF(tau=np.full(n_o, 20e-3), r=np.full(n_o, 4.0), v_leak=np.zeros(n_o),
                       v_threshold=np.full(n_o, 0.8)),
        "out": nir.Output(output_type=np.array([n_o])),
    }
    edges = [("in", "fc1"), ("fc1", "cuba"), ("cuba", "fc2"), ("fc2", "lif"), ("lif", "out")]
    return nir.NIRGraph(nodes=nodes, edges=edges)


def simulate_nir(g, raster, dt):
    """NIR's equations of two_layer_graph, each tau dy/dt = -y + z stepped as
    y = a y + (1 - a) z with a = exp(-dt / tau), in the emulator's timing (an input row k
    reaches the first layer at step k + 2, a spike the next layer one step later)."""
    n = g.nodes
    c, lif = n["cuba"], n["lif"]
    a_s, a_m = np.exp(-dt / c.tau_syn), np.exp(-dt / c.tau_mem)
    a_l = np.exp(-dt / lif.tau)
    i_h = np.zeros(len(a_s))
    v_h, v_o = np.zeros(len(a_s)), np.zeros(len(a_l))
    s_h_prev = np.zeros(len(a_s))
    spikes_h, spikes_o = [], []
    for t in range(len(raster)):
        x1 = n["fc1"].weight @ raster[t - 1] + n["fc1"].bias if t >= 1 else n["fc1"].bias
        i_h = a_s * i_h + (1 - a_s) * c.w_in * x1
        v_h = a_m * v_h + (1 - a_m) * (c.v_leak + c.r * i_h)
        s_h = v_h > c.v_threshold
        v_h = np.where(s_h, c.v_reset, v_h)
        x2 = n["fc2"].weight @ s_h_prev + n["fc2"].bias
        v_o = a_l * v_o + (1 - a_l) * (lif.v_leak + lif.r * x2)
        s_o = v_o > lif.v_threshold
        v_o = np.where(s_o, lif.v_reset, v_o)
        s_h_prev = s_h.astype(float)
        spikes_h.append(s_h)
        spikes_o.append(s_o)
    return np.array(spikes_h), np.array(spikes_o)


def test_a_graph_written_by_nir_compiles_for_loihi2_and_runs_like_its_equations(tmp_path):
    g = two_layer_graph()
    path = tmp_path / "net.nir"
    nir.write(path, g)
    net = from_nir(str(path), dt=DT)
    assert [p.name for p in net.populations] == ["cuba", "lif"]
    assert net.probes == [("lif", "spikes")]
    steps = 120
    rng = np.random.default_rng(3)
    raster = np.zeros((steps, 12), np.int8)
    raster[:60] = rng.random((60, 12)) < 0.3  # a strong input, then silence
    result = emulator.Simulator(emulator.compile(net, "loihi2", dt=DT)).run(
        steps, {"in": raster})
    ref_h, ref_o = simulate_nir(nir.read(path), raster, DT)
    got_h, got_o = result.spikes["cuba"], result.spikes["lif"]
    assert got_h[:60].sum() > 50 and got_o.sum() > 5
    assert got_h[90:].sum() == 0  # the spikes end with the input
    for got, ref in ((got_h, ref_h), (got_o, ref_o)):
        counts_q, counts_f = got.sum(0), ref.sum(0)
        assert np.all(np.abs(counts_q - counts_f) <= 1 + 0.1 * counts_f), (counts_q, counts_f)


def conv_reference(x, w, b, stride, pad, dil, groups):
    """A direct 2-d convolution with zero padding, as PyTorch defines it."""
    c_out, c_in_g, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    oh = (xp.shape[1] - dil[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (xp.shape[2] - dil[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((c_out, oh, ow))
    for co in range(c_out):
        g = co // (c_out // groups)
        for y in range(oh):
            for z in range(ow):
                patch = xp[g * c_in_g:(g + 1) * c_in_g,
                           y * stride[0]:y * stride[0] + dil[0] * (kh - 1) + 1:dil[0],
                           z * stride[1]:z * stride[1] + dil[1] * (kw - 1) + 1:dil[1]]
                out[co, y, z] = (patch * w[co]).sum() + b[co]
    return out


def pool_reference(x, k, stride, pad, average):
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    oh = (xp.shape[1] - k) // stride + 1
    ow = (xp.shape[2] - k) // stride + 1
    out = np.zeros((x.shape[0], oh, ow))
    for y in range(oh):
        for z in range(ow):
            out[:, y, z] = xp[:, y * stride:y * stride + k, z * stride:z * stride + k].sum((1, 2))
    return out / (k * k) if average else out


@st.composite
def conv_cases(draw):
    groups = draw(st.integers(1, 2))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pad = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pool_k = draw(st.integers(1, 2))
    pool = dict(kind=draw(st.sampled_from(["SumPool2d", "AvgPool2d"])), k=pool_k,
                stride=draw(st.integers(1, 2)), pad=draw(st.integers(0, pool_k // 2)))
    seed = draw(st.integers(0, 2**16))
    return c_in, c_out, groups, (h, w), kernel, stride, pad, dil, pool, seed


@given(conv_cases())
def test_conv_pool_and_flatten_unroll_to_the_direct_convolution(case):
    c_in, c_out, groups, (h, w), kernel, stride, pad, dil, pool, seed = case
    oh = (h + 2 * pad[0] - dil[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    ow = (w + 2 * pad[1] - dil[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    assume(oh >= 1 and ow >= 1)
    ph = (oh + 2 * pool["pad"] - pool["k"]) // pool["stride"] + 1
    pw = (ow + 2 * pool["pad"] - pool["k"]) // pool["stride"] + 1
    assume(ph >= 1 and pw >= 1)
    rng = np.random.default_rng(seed)
    weight = rng.normal(size=(c_out, c_in // groups, *kernel))
    bias = rng.normal(size=c_out)
    n_out = c_out * ph * pw
    pool_node = getattr(nir, pool["kind"])(kernel_size=np.array([pool["k"]] * 2),
                                           stride=np.array([pool["stride"]] * 2),
                                           padding=np.array([pool["pad"]] * 2))
    g = nir.NIRGraph(nodes={
        "x": nir.Input(input_type=np.array([c_in, h, w])),
        "conv": nir.Conv2d(input_shape=None, weight=weight, stride=stride, padding=pad,
                           dilation=dil, groups=groups, bias=bias),
        "pool": pool_node,
        "flat": nir.Flatten(input_type=None, start_dim=0),
        "th": nir.Threshold(threshold=np.ones(n_out)),
        "y": nir.Output(output_type=np.array([n_out])),
    }, edges=[("x", "conv"), ("conv", "pool"), ("pool", "flat"), ("flat", "th"), ("th", "y")],
        type_check=False)  # nir's inference takes a non-square kernel's width as its height
    net = from_nir(g, dt=DT)
    (pop,) = net.populations
    matrix = sum((dense_weights(c) for c in net.connections), np.zeros((n_out, c_in * h * w)))
    x = rng.normal(size=(c_in, h, w))
    expected = pool_reference(conv_reference(x, weight, bias, stride, pad, dil, groups),
                              pool["k"], pool["stride"], pool["pad"],
                              pool["kind"] == "AvgPool2d")
    got = matrix @ x.ravel() + pop.params["bias"]
    np.testing.assert_allclose(got, expected.ravel(), atol=1e-9)


def test_grouped_conv1d_with_same_padding_unrolls_to_the_direct_convolution():
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(4, 1, 4))  # an even kernel: "same" pads 1 before, 2 after
    # nir declares the input as (C_in / groups, 7), which its own type check then refuses
    g = nir.NIRGraph(nodes={
        "x": nir.Input(input_type=np.array([2, 7])),
        "conv": nir.Conv1d(input_shape=7, weight=weight, stride=1, padding="same",
                           dilation=1, groups=2, bias=np.zeros(4)),
        "th": nir.Threshold(threshold=np.ones((4, 7))),
    }, edges=[("x", "conv"), ("conv", "th")], type_check=False)
    (conn,) = from_nir(g, dt=DT).connections
    x = rng.normal(size=(2, 7))
    xp = np.pad(x, ((0, 0), (1, 2)))
    expected = np.array([[(xp[co // 2, i:i + 4] * weight[co, 0]).sum() for i in range(7)]
                         for co in range(4)])
    np.testing.assert_allclose(dense_weights(conn) @ x.ravel(), expected.ravel(), atol=1e-12)


def delay_graph(delays):
    return nir.NIRGraph(nodes={
        "x": nir.Input(input_type=np.array([2])),
        "w": nir.Linear(weight=np.eye(2)),
        "d": nir.Delay(delay=np.asarray(delays, float)),
        "if": nir.IF(r=np.full(2, 1 / DT), v_threshold=np.full(2, 0.5)),
        "y": nir.Output(output_type=np.array([2])),
    }, edges=[("x", "w"), ("w", "d"), ("d", "if"), ("if", "y")])


def test_delay_nodes_delay_by_whole_steps():
    net = from_nir(delay_graph([3 * DT, 5 * DT]), dt=DT)
    assert sorted((c.name, int(c.delays.max())) for c in net.connections) == \
        [("x->if@3", 3), ("x->if@5", 5)]
    raster = np.zeros((12, 2), np.int8)
    raster[0] = 1
    spikes = emulator.Simulator(emulator.compile(net, "loihi2", dt=DT)).run(
        12, {"x": raster}).spikes["if"]
    # row 0 reaches an undelayed population at step 2 (index 1); the delays add to it
    assert np.flatnonzero(spikes[:, 0]).tolist() == [1 + 3]
    assert np.flatnonzero(spikes[:, 1]).tolist() == [1 + 5]


def test_delays_must_be_whole_steps_within_the_hardware_range():
    with pytest.raises(ParameterRangeError, match=r"'d'.*delay=0\.0015.*whole number"):
        from_nir(delay_graph([1.5e-3, 1e-3]), dt=DT)
    with pytest.raises(ParameterRangeError, match=r"'if'.*70 steps.*62"):
        from_nir(delay_graph([70 * DT, 1e-3]), dt=DT)


def test_an_unsupported_node_is_named_with_its_type():
    inner = two_layer_graph()
    g = nir.NIRGraph(nodes={"x": nir.Input(input_type=np.array([12])), "sub": inner,
                            "y": nir.Output(output_type=np.array([4]))},
                     edges=[("x", "sub"), ("sub", "y")], type_check=False)
    with pytest.raises(UnsupportedFeatureError, match=r"'sub' of type NIRGraph"):
        from_nir(g)


def test_a_leaky_integrator_may_feed_only_outputs():
    g = nir.NIRGraph.from_list(
        nir.Linear(weight=np.ones((3, 2))),
        nir.LI(tau=np.full(3, 0.01), r=np.ones(3), v_leak=np.zeros(3)),
        nir.Linear(weight=np.ones((1, 3))),
        nir.LIF(tau=np.full(1, 0.01), r=np.ones(1), v_leak=np.zeros(1),
                v_threshold=np.ones(1)))
    with pytest.raises(UnsupportedFeatureError, match=r"'li' \(LI\) feeds 'linear_1'"):
        from_nir(g)


def test_non_spiking_nodes_are_probed_for_v():
    g = nir.NIRGraph.from_list(
        nir.Linear(weight=np.ones((3, 2))),
        nir.CubaLI(tau_syn=np.full(3, 5e-3), tau_mem=np.full(3, 0.01), r=np.ones(3),
                   v_leak=np.zeros(3)))
    net = from_nir(g, dt=DT)
    assert net.probes == [("cubali", "v")]
    assert net.populations[0].model.threshold == math.inf


def test_missing_parameters_and_bad_shapes_raise_named_errors():
    lif = nir.LIF(tau=np.full(3, 0.01), r=np.ones(3), v_leak=np.zeros(3),
                  v_threshold=np.ones(3))
    lif.r = None
    g = nir.NIRGraph(nodes={"x": nir.Input(input_type=np.array([3])), "lif": lif},
                     edges=[("x", "lif")], type_check=False)
    with pytest.raises(ParameterRangeError, match=r"'lif' \(LIF\): parameter r is missing"):
        from_nir(g)
    g = nir.NIRGraph(nodes={
        "x": nir.Input(input_type=np.array([4])),
        "fc": nir.Affine(weight=np.ones((3, 5)), bias=np.zeros(3)),
        "lif": nir.LIF(tau=np.full(3, 0.01), r=np.ones(3), v_leak=np.zeros(3),
                       v_threshold=np.ones(3)),
    }, edges=[("x", "fc"), ("fc", "lif")], type_check=False)
    with pytest.raises(ShapeError, match=r"'fc' \(Affine\): weight has shape \(3, 5\).*4 elements"):
        from_nir(g)
    varying = nir.NIRGraph.from_list(nir.LIF(tau=np.array([0.01, 0.02]), r=np.ones(2),
                                             v_leak=np.zeros(2), v_threshold=np.ones(2)))
    with pytest.raises(ParameterRangeError, match=r"'lif'.*tau varies"):
        from_nir(varying)
    short = nir.NIRGraph.from_list(nir.LIF(tau=np.full(2, 5e-4), r=np.ones(2),
                                           v_leak=np.zeros(2), v_threshold=np.ones(2)))
    with pytest.raises(ParameterRangeError, match=r"'lif'.*tau=0\.0005.*shorter than dt"):
        from_nir(short, dt=DT, discretization="euler")
    with pytest.raises(ParameterRangeError, match=r"graph_or_path=42"):
        from_nir(42)
    with pytest.raises(ParameterRangeError, match=r"dt=0"):
        from_nir(short, dt=0)


def test_without_nir_installed_the_functions_say_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "nir", None)  # makes `import nir` fail
    with pytest.raises(UnsupportedFeatureError, match=r"pip install 'emulator\[nir\]'"):
        from_nir("net.nir")
    with pytest.raises(UnsupportedFeatureError, match=r"pip install 'emulator\[nir\]'"):
        to_nir(emulator.Network())


def test_varying_thresholds_are_divided_out():
    theta = np.array([1.0, 2.0, 4.0])
    g = nir.NIRGraph.from_list(nir.Linear(weight=np.ones((3, 1))),
                               nir.IF(r=np.full(3, 1 / DT), v_threshold=theta,
                                      v_reset=np.full(3, 0.5)))
    net = from_nir(g, dt=DT)
    pop, conn = net.populations[0], net.connections[0]
    assert pop.model.threshold == 1.0
    np.testing.assert_allclose(dense_weights(conn).ravel(), 1 / (theta - 0.5))


def float_network():
    """One population of every NIR neuron kind, with recurrence and two delays."""
    rng = np.random.default_rng(5)
    net = emulator.Network()
    x = net.input(6, name="x")
    cuba = net.population(5, emulator.FloatLIF(5e-3, 20e-3, 1.0, rng.uniform(0, .1, 5)),
                          name="cuba")
    lif = net.population(4, emulator.FloatLIF(0.0, 10e-3, 0.5, 0.02), name="lif")
    integ = net.population(3, emulator.FloatLIF(0.0, math.inf, 2.0, 0.1), name="if")
    li = net.population(2, emulator.FloatLIF(0.0, 15e-3, math.inf), name="li")
    th = net.population(2, emulator.FloatLIF(0.0, 0.0, 1.5), name="th")
    net.connect(x, cuba, rng.normal(0.5, 0.5, (5, 6)))
    net.connect(cuba, cuba, rng.normal(0, 0.1, (5, 5)), name="rec")
    delays = rng.integers(0, 2, (4, 5)) * 3
    net.connect(cuba, lif, rng.uniform(0.1, 1, (4, 5)), delays=delays)
    net.connect(lif, integ, rng.uniform(0.1, 1, (3, 4)))
    net.connect(x, li, rng.uniform(0.1, 1, (2, 6)))
    net.connect(x, th, rng.uniform(-1, 1, (2, 6)))
    net.probe(li, "v")
    net.probe(cuba, "spikes")
    return net


def by_pair(net):
    """{(pre, post, delay): dense weights} of a network's connections."""
    out = {}
    for c in net.connections:
        for d in np.unique(c.delays):
            w = np.zeros((c.post.n, c.pre.n))
            keep = c.delays == d
            np.add.at(w, (c.post_index[keep], c.pre_index[keep]), c.weights[keep])
            key = (c.pre.name, c.post.name, int(d))
            out[key] = out.get(key, 0) + w
    return out


@pytest.mark.parametrize("discretization", ["exact", "euler"])
def test_a_network_survives_a_round_trip_through_a_nir_file(tmp_path, discretization):
    net = float_network()
    path = tmp_path / "net.nir"
    graph = to_nir(net, path, dt=DT, discretization=discretization)
    assert {k: type(v).__name__ for k, v in graph.nodes.items() if k in
            ("cuba", "lif", "if", "li", "th")} == \
        {"cuba": "CubaLIF", "lif": "LIF", "if": "IF", "li": "LI", "th": "Threshold"}
    back = from_nir(path, dt=DT, discretization=discretization)
    assert [i.name for i in back.inputs] == ["x"]
    assert sorted(p.name for p in back.populations) == sorted(p.name for p in net.populations)
    for a in net.populations:
        b = back.population_named(a.name)
        for key in ("tau_syn", "tau_mem", "threshold", "bias"):
            np.testing.assert_allclose(b.params[key], a.params[key], rtol=1e-9, atol=1e-12)
    want, got = by_pair(net), by_pair(back)
    assert want.keys() == got.keys()
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-9, atol=1e-12)
    assert sorted(back.probes) == [("cuba", "spikes"), ("if", "spikes"), ("li", "v"),
                                   ("th", "spikes")]


def test_a_nir_graph_survives_a_round_trip_through_a_network():
    """to_nir(from_nir(g)) means what g means: it reads back as the same network."""
    g = two_layer_graph()
    net = from_nir(g, dt=DT)
    again = from_nir(to_nir(net, dt=DT), dt=DT)
    for a, b in zip(net.populations, again.populations):
        for key in ("tau_syn", "tau_mem", "threshold", "bias"):
            np.testing.assert_allclose(b.params[key], a.params[key], rtol=1e-9)
    want, got = by_pair(net), by_pair(again)
    assert want.keys() == got.keys()
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-9)
    assert again.probes == net.probes


def test_an_integer_lif_network_is_written_as_its_float_equivalent():
    net = emulator.Network()
    x = net.input(3, name="x")
    h = net.population(2, emulator.LIF(du=409, dv=200, vth=100, bias_mant=3, bias_exp=2),
                       name="h")
    net.connect(x, h, np.array([[50, 0, -20], [10, 30, 0]]), weight_exp=1)
    back = from_nir(to_nir(net, dt=DT), dt=DT)
    p = back.populations[0].params
    assert p["threshold"][0] == 100 * 64
    np.testing.assert_allclose(p["bias"], 12.0)
    # mixed 8-bit weights lose their lowest bit (spec section 2), then 2**1 * 64
    np.testing.assert_allclose(dense_weights(back.connections[0]),
                               np.array([[50, 0, -20], [10, 30, 0]]) * 128)
    q = emulator.quantize(back, "loihi2", dt=DT).network.populations[0].params
    assert (q["du"][0], q["dv"][0]) == (409, 200)


def test_to_nir_refuses_what_nir_cannot_say():
    net = emulator.Network()
    x = net.input(2, name="x")
    s = net.population(2, emulator.Sigma(), name="s")
    net.connect(x, s, np.eye(2, dtype=int), num_message_bits=8)
    with pytest.raises(UnsupportedFeatureError, match=r"'s'.*Sigma"):
        to_nir(net)
    net = emulator.Network()
    x = net.input(2, name="x")
    h = net.population(2, emulator.FloatLIF(tau_syn=5e-3, tau_mem=math.inf), name="h")
    net.connect(x, h, np.eye(2))
    with pytest.raises(UnsupportedFeatureError, match=r"'h'.*tau_mem=inf"):
        to_nir(net)


def test_an_affine_node_with_no_input_is_a_constant_bias():
    """An Affine fed by nothing adds its bias to the population it feeds."""
    g = nir.NIRGraph(nodes={
        "x": nir.Input(input_type=np.array([2])),
        "fc": nir.Linear(weight=np.eye(2)),
        "bias": nir.Affine(weight=np.zeros((2, 3)), bias=np.array([0.5, 0.25])),
        "lif": nir.IF(r=np.ones(2), v_threshold=np.ones(2))},
        edges=[("x", "fc"), ("fc", "lif"), ("bias", "lif")], type_check=False)
    net = from_nir(g, dt=DT)
    # NIR's IF integrates r * I: dt * r * bias per step
    assert net.population_named("lif").params["bias"] == pytest.approx(np.array([0.5, 0.25]) * DT)


def test_a_file_with_an_unknown_node_type_names_the_node_and_its_type(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "odd.nir"
    nir.write(path, two_layer_graph())
    with h5py.File(path, "r+") as f:
        name = next(iter(f["node/nodes"]))
        del f[f"node/nodes/{name}/type"]
        f[f"node/nodes/{name}/type"] = np.bytes_("Hyperdrive")
    with pytest.raises(UnsupportedFeatureError, match=rf"{name}.*Hyperdrive"):
        from_nir(path, dt=DT)


def test_an_integer_bias_with_a_negative_exponent_is_exported_as_the_chip_adds_it():
    """bias_mant 3 with bias_exp -2 adds floor(3 / 4) = 0 each step on the chip, not 0.75:
    the exported neuron stays silent like the chip's."""
    net = emulator.Network()
    x = net.input(1, name="x")
    h = net.population(1, emulator.LIF(du=4095, dv=0, vth=1, bias_mant=3, bias_exp=-2), name="h")
    net.connect(x, h, np.zeros((1, 1), np.int64))
    back = from_nir(to_nir(net, dt=DT), dt=DT)
    assert back.population_named("h").params["bias"] == pytest.approx([0.0])
