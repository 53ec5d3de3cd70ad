"""Programs are plain arrays that save and load; malformed ones raise ProgramFormatError,
whether Python or the kernel finds the fault, and never crash or compute silently wrong."""
import json

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings, strategies as st

import emulator
from emulator.compiler.program import Program
from emulator.errors import EmulatorError, ProgramFormatError
from emulator.testing import assert_bit_exact, observed
from emulator.testing.strategies import MODEL_STRATEGIES, network_cases


def with_tables(program):
    """The program with every table written out at full width, as version 2 stored them:
    an input-axon table for every core, the output axons, int64 offsets, int32 cores."""
    arrays, meta = dict(program.arrays), json.loads(json.dumps(program.meta))
    for c, core in enumerate(meta["cores"]):
        core.pop("axons", None)
        names = (f"core{c}/axon_ptr", f"core{c}/axon_group", f"core{c}/axon_row")
        arrays.update(zip(names, program.input_axons(c)))
        for g in range(len(core["groups"])):
            arrays[f"core{c}/group{g}/row_ptr"] = arrays[f"core{c}/group{g}/row_ptr"].astype(np.int64)
    arrays["out/src_ptr"], arrays["out/dst_core"], arrays["out/dst_axon"] = program.output_axons()
    meta["version"] = 2
    return Program(meta, arrays, program.target)


def net_and_inputs():
    rng = np.random.default_rng(3)
    net = emulator.Network()
    x = net.input(20, name="x")
    h = net.population(30, emulator.LIF(du=300, dv=200, vth=40, bias_mant=5), name="h")
    o = net.population(5, emulator.LIF(du=100, dv=100, vth=20), name="o")
    net.connect(x, h, weights=rng.integers(-50, 100, (30, 20)),
                delays=rng.integers(0, 5, (30, 20)))
    net.connect(h, o, weights=rng.integers(0, 200, (5, 30)), weight_exp=-1)
    net.probe(h, "v")
    net.probe(o, "u")
    return net, {"x": (rng.random((40, 20)) < 0.3).astype(np.int8)}


def graded_net_and_inputs():
    """Every graded model and both resonator ports, for the corruption tests."""
    rng = np.random.default_rng(4)
    net = emulator.Network()
    x = net.input(6, name="x", graded=True)
    enc = net.population(6, emulator.Delta(vth=2, state_exp=3), name="enc")
    sd = net.population(9, emulator.SigmaDelta(vth=5, bias=rng.integers(-9, 9, 9),
                                                cum_error=True), name="sd")
    rf = net.population(7, emulator.ResonateFire(period=rng.uniform(3, 20, 7), alpha=0.1,
                                                 vth=50, variant="iz"), name="rf")
    out = net.population(3, emulator.Sigma(), name="out")
    net.connect(x, enc, weights=np.eye(6, dtype=np.int64), num_message_bits=16)
    net.connect(enc, sd, weights=rng.integers(-60, 60, (9, 6)), num_message_bits=16)
    net.connect(sd, rf, weights=rng.integers(-9, 9, (7, 9)), num_message_bits=8, port="real")
    net.connect(enc, rf, weights=rng.integers(0, 9, (7, 6)), port="imag",
                delays=rng.integers(0, 3, (7, 6)))
    net.connect(sd, out, weights=rng.integers(-20, 20, (3, 9)), num_message_bits=24)
    net.probe(sd, "residue")
    net.probe(rf, "im")
    return net, {"x": rng.integers(-100, 100, (40, 6))}


def plastic_net_and_inputs():
    """Plastic dense and sparse connections, recurrent, modulated, probed."""
    rng = np.random.default_rng(5)
    net = emulator.Network()
    x = net.input(8, name="x")
    reward = net.input(1, name="reward", graded=True)
    h = net.population(10, emulator.LIF(du=500, dv=300, vth=30, bias_mant=3), name="h")
    rule = emulator.LearningRule(dw="2^-2*x1*y0 - 2^-3*y1*x0 + u0*y2*2^-4", dt="x0*y0",
                                 dd="2^-1*u0*d + x1*y0", x1_impulse=20.5, x1_tau=8,
                                 y1_impulse=10.25, y1_tau=4, t_epoch=2, seed=7)
    w = net.connect(x, h, weights=rng.integers(-100, 100, (10, 8)), rule=rule, name="w")
    sparse = sp.random(10, 10, density=0.3, format="csr", random_state=rng)
    sparse.data = np.round(sparse.data * 100)
    rec = net.connect(h, h, weights=sparse, rule=emulator.learning.stdp(t_epoch=3), name="rec")
    net.modulate(reward, w, trace="y2")
    net.probe(w, "weights")
    net.probe(rec, "y1")
    return net, {"x": (rng.random((40, 8)) < 0.4).astype(np.int8),
                 "reward": rng.integers(-50, 50, (40, 1))}


def test_save_load_roundtrip_runs_identically(tmp_path):
    net, inputs = net_and_inputs()
    program = emulator.compile(net, max_neurons_per_core=7)
    path = tmp_path / "net.prog"
    program.save(path)
    loaded = emulator.Program.load(path)
    a = emulator.Simulator(program).run(40, inputs=inputs)
    b = emulator.Simulator(loaded).run(40, inputs=inputs)
    assert_bit_exact(dict(b.probes), dict(a.probes))
    assert_bit_exact(dict(b.spikes), dict(a.spikes))


def test_summary_lists_cores_and_utilisation(capsys):
    net, _ = net_and_inputs()
    text = emulator.compile(net, max_neurons_per_core=16).summary()
    assert "3 cores used" in text and "h[16:30]" in text and "14 (88%)" in text
    assert "compile: partition" in text and "highest use of a limit" in text
    assert "placement on the mesh" in text and "more cores" not in text
    short = emulator.compile(net, max_neurons_per_core=16).summary(max_cores=1)
    assert "h[16:30]" not in short and "... 2 more cores" in short
    net, _ = plastic_net_and_inputs()
    text = emulator.compile(net, max_neurons_per_core=4).summary()
    assert "plastic 'w': 80 synapses on cores [0, 1, 2], rules dw, dd, dt, t_epoch 2" in text


@pytest.mark.parametrize("content", [b"", b"not a zip file at all", b"PK\x03\x04garbage"])
def test_garbage_file(tmp_path, content):
    path = tmp_path / "bad.prog"
    path.write_bytes(content)
    with pytest.raises(ProgramFormatError):
        emulator.Program.load(path)


def test_truncated_file(tmp_path):
    net, _ = net_and_inputs()
    path = tmp_path / "net.prog"
    emulator.compile(net).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ProgramFormatError):
        emulator.Program.load(path)


def test_wrong_dtype_and_missing_array():
    net, _ = net_and_inputs()
    p = emulator.compile(net)
    arrays = dict(p.arrays)
    arrays["core0/group0/weight"] = arrays["core0/group0/weight"].astype(np.int64)
    with pytest.raises(ProgramFormatError, match="weight"):
        Program(p.meta, arrays)
    arrays = dict(p.arrays)
    del arrays["out/src_ptr"]
    with pytest.raises(ProgramFormatError, match="src_ptr"):
        Program(p.meta, arrays)


@pytest.mark.parametrize("name, index, value, words", [
    ("core0/group0/weight", 0, 300, ["weight", "300", "[-256, 255]"]),
    ("core2/group1/post", 0, 60000, ["post index", "60000"]),
    ("core0/axon_group", 0, 7, ["axon group", "7"]),
    ("out/dst_core", 0, 99, ["destination core", "99"]),
    ("out/dst_axon", 0, 10_000, ["destination axon"]),
    ("core0/block0/du", 0, 5000, ["du", "5000", "[0, 4095]"]),
    ("core0/group0/delay", 0, 63, ["delay", "63", "[0, 62]"]),
])
def test_kernel_rejects_out_of_range_values(name, index, value, words):
    net, _ = net_and_inputs()
    rng = np.random.default_rng(0)
    w = sp.random(5, 30, density=0.2, format="csr", random_state=rng)
    w.data = np.round(w.data * 100)
    net.connect(net.populations[0], net.populations[1], name="sparse", weights=w)
    p = with_tables(emulator.compile(net, max_neurons_per_core=16))
    arrays = {k: v.copy() for k, v in p.arrays.items()}
    arrays[name][index] = value
    with pytest.raises(ProgramFormatError) as e:
        emulator.Simulator(Program(p.meta, arrays))
    for w in words:
        assert w in str(e.value)


@settings(max_examples=40)
@given(data=st.data(), build=st.sampled_from([net_and_inputs, graded_net_and_inputs,
                                             plastic_net_and_inputs]))
def test_mutated_programs_raise_or_run_never_crash(data, build):
    """Random corruption of any array: the kernel either rejects it with a named error or
    runs (the values were still valid) -- it never reads or writes out of bounds."""
    net, inputs = build()
    p = emulator.compile(net, max_neurons_per_core=data.draw(st.integers(3, 40)))
    arrays = {k: v.copy() for k, v in p.arrays.items()}
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from(sorted(k for k, v in arrays.items() if v.size)))
        a = arrays[name]
        i = data.draw(st.integers(0, a.size - 1))
        if a.dtype.kind == "f":
            a[i] = data.draw(st.floats(allow_nan=True, allow_infinity=True))
        else:
            info = np.iinfo(a.dtype)
            a[i] = data.draw(st.integers(int(info.min), int(info.max)))
    try:
        sim = emulator.Simulator(Program(p.meta, arrays))
    except EmulatorError:
        return
    sim.run(40, inputs=inputs)


def _corrupt(meta, path, value):
    node = meta
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


@pytest.mark.parametrize("path, value", [
    (("populations", 0, "blocks", 0, 3), 10**6),      # block stop beyond the population
    (("populations", 0, "blocks", 0, 2), -1),         # negative start
    (("populations", 0, "blocks", 0, 0), 99),         # no such core
    (("populations", 0, "n"), 10**6),                 # size disagrees with the placement
    (("inputs", 0, "graded"), "yes"),
    (("inputs", 0, "n"), 0),
    (("cores", 0, "blocks", 0, "population"), "o"),   # a block claimed by another population
    (("probes", 0), ["h", "w"]),                      # no such state variable
    (("plastic", 0, "connection"), "rec"),            # listed twice
    (("plastic", 0, "n_pre"), 9),                     # disagrees with the connection
    (("plastic", 0, "sign_mode"), "both"),
    (("plastic", 0, "t_epoch"), "2"),
    (("plastic", 1, "groups", 0, 1), 0),              # claims the other connection's group
    (("plastic", 1, "groups"), []),                   # leaves its groups unclaimed
    (("plastic", 0, "groups", 0, 2), 0.5),            # post_start not an integer
    (("connection_probes", 0), ["w", "t"]),           # no such variable
    (("connection_probes", 0), ["h", "weights"]),     # not a plastic connection
])
def test_corrupt_description_is_rejected(path, value):
    """The description (not only the arrays) is checked: placements, inputs, probes and
    plastic connections must agree, or the runtime's maps of sources, spikes and
    synapses would be built wrong."""
    import copy
    net, _ = plastic_net_and_inputs() if path[0] in ("plastic", "connection_probes") \
        else net_and_inputs()
    p = emulator.compile(net, max_neurons_per_core=16)
    meta = copy.deepcopy(p.meta)
    _corrupt(meta, path, value)
    with pytest.raises(ProgramFormatError):
        Program(meta, p.arrays)


def test_event_scatter_checks_every_offset_before_reading():
    """_core.scatter_events never reads past its arrays, whatever it is given."""
    from emulator import _core
    with pytest.raises(emulator.InputError, match="decreases"):
        _core.scatter_events(np.array([0, 1_000_000, 5], np.int64), np.zeros(5, np.int32),
                             np.ones(5, np.int32), np.zeros(1, np.int32),
                             np.zeros(1, np.int32), 0, 1)


def test_a_chip_scale_layer_stores_no_table_that_follows_from_the_rest():
    """Each sender reaching one row of a core, in order: no input-axon tables, no output
    axons, 32-bit offsets and 16-bit destination cores."""
    rng = np.random.default_rng(5)
    net = emulator.Network()
    x = net.input(300, name="x")
    h = net.population(400, emulator.LIF(du=4095, dv=0, vth=10), name="h")
    net.connect(x, h, weights=sp.random(400, 300, density=0.05, format="csr", random_state=rng,
                                         data_rvs=lambda n: rng.integers(-8, 9, n)))
    p = emulator.compile(net, max_neurons_per_core=50)
    assert p.meta["version"] == 3
    assert all(core["axons"] == "rows" for core in p.meta["cores"])
    assert not any("axon" in name and name.startswith("core") for name in p.arrays)
    assert p.arrays["out/dst_axon"].size == 0 and p.arrays["out/dst_core"].dtype == np.int16
    assert all(p.arrays[f"core{c}/group0/row_ptr"].dtype == np.int32 for c in range(p.n_cores))


@given(case=network_cases(models=tuple(MODEL_STRATEGIES), max_n=8),
       limit=st.integers(1, 8), target=st.sampled_from(["loihi2", "spinnaker2"]),
       chips=st.sampled_from([1, 9]))
def test_tables_left_out_run_as_the_tables_written_out(case, limit, target, chips):
    """Whatever a program leaves out of its tables (axons that are rows, axons in source
    order, narrow offsets) runs exactly as the same tables written out in full, and a
    saved and loaded program the same again: spikes, states and every counter."""
    net, inputs, steps = case
    small = emulator.targets.get(target).derive(n_chips=chips, cores_per_chip=4) if chips > 1 else None
    p = emulator.compile(net, small or emulator.targets.get(target), max_neurons_per_core=limit)
    full = with_tables(p)
    for c in range(p.n_cores):
        for a, b in zip(p.input_axons(c), full.input_axons(c)):
            assert_bit_exact(a, b)
    for a, b in zip(p.output_axons(), full.output_axons()):
        assert_bit_exact(a, b)
    r1 = emulator.Simulator(p).run(steps, inputs=inputs)
    r2 = emulator.Simulator(full).run(steps, inputs=inputs)
    assert_bit_exact(observed(r1, net), observed(r2, net))
    assert_bit_exact(r1.counters.arrays(), r2.counters.arrays())
    if r1.traffic is not None:
        assert_bit_exact(r1.traffic.arrays(), r2.traffic.arrays())
