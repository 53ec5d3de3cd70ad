"""Damaged Program and Result files, drawn by hypothesis: every one loads cleanly or
raises a named EmulatorError, and whatever loads also runs, costs, measures and
summarises without anything else escaping. Four ways to damage a file: its bytes as
they lie on disk; the bytes of one member, re-zipped with a valid checksum so the damage
reaches the .npy reader; one value of its JSON description replaced by something
hostile; one array's values, dtype or length changed.

Set EMULATOR_FUZZ_REPORT=path to have the counts of outcomes written there (JSON).
"""
import collections
import functools
import io
import json
import os
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import emulator
from emulator.compiler.program import Program
from emulator.errors import FileFormatError, ProgramFormatError
from emulator.io.npz import read_npz
from fuzzing import byte_mutations, clean_or_named, mutate

OUTCOMES = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def report_outcomes():
    yield
    path = os.environ.get("EMULATOR_FUZZ_REPORT")
    if path:
        with open(path, "w") as f:
            json.dump(dict(OUTCOMES), f, indent=1)


def rich_network():
    """Every part a file describes: binary and graded inputs, the neuron models, delays,
    a plastic connection with a probe, state probes."""
    rng = np.random.default_rng(3)
    net = emulator.Network()
    x = net.input(6, name="x")
    g = net.input(3, name="g", graded=True)
    h = net.population(12, emulator.LIF(du=200, dv=300, vth=40, bias_mant=5), name="h")
    sd = net.population(5, emulator.SigmaDelta(vth=4, act_mode="relu"), name="sd")
    rf = net.population(4, emulator.ResonateFire(period=8, alpha=0.05, vth=50), name="rf")
    net.connect(x, h, rng.integers(-30, 60, (12, 6)), delays=rng.integers(0, 4, (12, 6)))
    net.connect(g, sd, rng.integers(-20, 20, (5, 3)), num_message_bits=8)
    net.connect(x, rf, rng.integers(0, 30, (4, 6)), port="real")
    w = net.connect(h, h, rng.integers(0, 20, (12, 12)),
                    rule=emulator.LearningRule(dw="2^-2*x1*y0", x1_impulse=16, x1_tau=8))
    net.probe(h, "v")
    net.probe(sd, "sigma")
    net.probe(w, "weights")
    return net


def inputs(steps):
    rng = np.random.default_rng(4)
    return {"x": (rng.random((steps, 6)) < 0.3).astype(np.int8),
            "g": rng.integers(-100, 100, (steps, 3))}


TARGETS = {"loihi2": emulator.targets.loihi2(n_chips=2, cores_per_chip=3),
           "spinnaker2": emulator.targets.spinnaker2(n_chips=2, cores_per_chip=3)}


@functools.lru_cache(maxsize=None)
def valid_files():
    """{kind: bytes} of valid files: programs for both routings, results per step and of
    totals."""
    root = Path(tempfile.mkdtemp(prefix="emulator-fuzz-"))
    out = {}
    net = rich_network()
    for name, target in TARGETS.items():
        program = emulator.compile(net, target, max_neurons_per_core=8)
        program.save(root / f"{name}.prog")
        out[f"program {name}"] = (root / f"{name}.prog").read_bytes()
        for per_step in (True, False):
            result = emulator.Simulator(program).run(12, inputs(12), per_step=per_step)
            path = root / f"{name}-{per_step}.npz"
            result.save(path)
            out[f"result {name}{'' if per_step else ' totals'}"] = path.read_bytes()
    return out


@pytest.fixture(scope="module")
def files():
    return valid_files()


SCRATCH = Path(tempfile.mkdtemp(prefix="emulator-fuzz-damaged-"))


def use_program(path):
    program = Program.load(path)
    program.summary(file=io.StringIO())
    sim = emulator.Simulator(program)
    result = sim.run(4, inputs(4))
    emulator.energy.estimate(result).table()
    return "program"


def use_result(path):
    result = emulator.Result.load(path)
    result.metrics(steps_per_inference=4)
    report = emulator.energy.estimate(result, steps_per_inference=4)
    report.table()
    report.to_dict()
    result.traffic.table()
    for name in result.spikes:
        result.spikes[name].sum()
    return "result"


def check(kind, data, how):
    path = SCRATCH / ("damaged.prog" if kind.startswith("program") else "damaged.npz")
    path.write_bytes(data)
    with warnings.catch_warnings():
        # an overflow or invalid value on the way is a number computed wrong: a failure
        warnings.simplefilter("error", RuntimeWarning)
        status, value = clean_or_named(use_program if kind.startswith("program") else
                                       use_result, path)
    OUTCOMES[f"{how}: {kind}: {'loaded and used' if status == 'ok' else value}"] += 1


KINDS = st.sampled_from(["program loihi2", "program spinnaker2", "result loihi2",
                         "result spinnaker2", "result loihi2 totals", "result spinnaker2 totals"])
FUZZ = settings(deadline=None)


def members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(info, z.read(info)) for info in z.infolist()]


def rezip(parts):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info, body in parts:
            z.writestr(info, body)
    return out.getvalue()


@FUZZ
@given(kind=KINDS, edits=byte_mutations())
def test_files_damaged_on_disk_load_or_fail_by_name(kind, edits):
    check(kind, mutate(valid_files()[kind], edits), "bytes")


@FUZZ
@given(kind=KINDS, which=st.floats(0, 1), edits=byte_mutations())
def test_members_damaged_under_a_valid_checksum_load_or_fail_by_name(kind, which, edits):
    parts = members(valid_files()[kind])
    k = min(int(which * len(parts)), len(parts) - 1)
    parts[k] = (parts[k][0], mutate(parts[k][1], edits))
    check(kind, rezip(parts), "member")


HOSTILE = st.one_of(st.sampled_from([None, -1, 0, 2**31, 2**63, -2**63, 1.5, float("nan"),
                                     True, "", "x", [], {}, [[0, 0, 0, 0]] * 3, "lif",
                                     [-1, -1]]),
                    st.integers(), st.text(max_size=5))


def paths(node, prefix=()):
    """Every (path, value) of a JSON tree."""
    yield prefix, node
    items = node.items() if isinstance(node, dict) else \
        enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield from paths(value, prefix + (key,))


def meta_of(data):
    arrays = dict((info.filename, body) for info, body in members(data))
    header_end = arrays["__meta__.npy"].index(b"\n") + 1
    return json.loads(arrays["__meta__.npy"][header_end:].decode())


def with_meta(data, meta):
    raw = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    buf = io.BytesIO()
    np.save(buf, raw)
    return rezip([(info, buf.getvalue() if info.filename == "__meta__.npy" else body)
                  for info, body in members(data)])


@FUZZ
@given(kind=KINDS, which=st.floats(0, 1), value=HOSTILE, delete=st.booleans())
def test_descriptions_with_a_hostile_value_load_or_fail_by_name(kind, which, value, delete):
    meta = meta_of(valid_files()[kind])
    spots = [p for p, _ in paths(meta) if p]
    path = spots[min(int(which * len(spots)), len(spots) - 1)]
    node = meta
    for key in path[:-1]:
        node = node[key]
    if delete and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = value
    check(kind, with_meta(valid_files()[kind], meta), "description")


@FUZZ
@given(kind=KINDS, which=st.floats(0, 1), change=st.sampled_from(
    ["boundary", "negate", "dtype", "shorter", "longer", "2-d", "empty"]),
       where=st.floats(0, 1), boundary=st.sampled_from(["min", "max", -1, 0, 1, 2**15]))
def test_arrays_with_hostile_values_load_or_fail_by_name(kind, which, change, where, boundary):
    parts = members(valid_files()[kind])
    names = [i for i, (info, _) in enumerate(parts) if info.filename != "__meta__.npy"]
    k = names[min(int(which * len(names)), len(names) - 1)]
    a = np.load(io.BytesIO(parts[k][1]))
    if change == "boundary" and a.size:
        info = np.iinfo(a.dtype) if a.dtype.kind in "iu" else np.finfo(a.dtype)
        value = {"min": info.min, "max": info.max}.get(boundary, boundary)
        a = a.copy()
        a.flat[min(int(where * a.size), a.size - 1)] = np.array(value).astype(a.dtype)
    elif change == "negate":
        a = -a
    elif change == "dtype":
        a = a.astype(np.float64 if a.dtype.kind in "iu" else np.int64)
    elif change == "shorter":
        a = a.reshape(-1)[:a.size // 2]
    elif change == "longer":
        a = np.concatenate([a.reshape(-1), a.reshape(-1)[:3]])
    elif change == "2-d":
        a = a.reshape(1, -1)
    else:
        a = a.reshape(-1)[:0]
    buf = io.BytesIO()
    np.save(buf, a)
    parts[k] = (parts[k][0], buf.getvalue())
    check(kind, rezip(parts), "array")


# -- the reader's own guards, each on a file made to break one of them ------------------

def npz_with(tmp_path, members_, compress=zipfile.ZIP_STORED):
    path = tmp_path / "made.npz"
    with zipfile.ZipFile(path, "w", compression=compress) as z:
        for name, body in members_.items():
            z.writestr(name, body)
    return path


def npy_header(shape, descr="<i8", fortran=False):
    header = repr({"descr": descr, "fortran_order": fortran, "shape": shape}).encode()
    header += b" " * (63 - len(header) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header


def test_a_header_claiming_a_trillion_elements_allocates_nothing(tmp_path):
    path = npz_with(tmp_path, {"a.npy": npy_header((2**40,)) + b"\0" * 64})
    with pytest.raises(FileFormatError, match=r"header promises .* \(8796093022208 bytes\)"):
        read_npz(path, "program")


def test_a_member_declaring_more_than_deflate_can_expand_is_refused(tmp_path):
    path = npz_with(tmp_path, {"a.npy": npy_header((100,)) + bytes(800)}, zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    # the central directory's uncompressed size of the only member: 2^31
    at = data.rindex(b"PK\x01\x02") + 24
    data[at:at + 4] = (2**31).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match="declares 2147483648 bytes"):
        read_npz(path, "result")


def test_damaged_deflate_data_is_a_named_error(tmp_path):
    path = npz_with(tmp_path, {"a.npy": npy_header((1000,)) + np.arange(1000).tobytes()},
                    zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    for k in range(60, 90):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match="damaged"):
        read_npz(path, "result")


def test_an_unknown_compression_method_is_refused(tmp_path):
    path = npz_with(tmp_path, {"a.npy": npy_header((2,)) + bytes(16)})
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.index(sig) + offset
        data[at:at + 2] = (99).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match="compression method 99"):
        read_npz(path, "program")


@pytest.mark.parametrize("header, match", [
    (b"\x93NUMPY\x01\x00\x10\x00{'descr': '<i8',\n", "damaged"),          # unbalanced
    (b"\x93NUMPY\x01\x00\x08\x00'\\xff'\"\"\n", "damaged"),                 # not a dict
    (npy_header((2,), "|O"), "not a plain"),                              # pickled objects
    (npy_header((2,), [("a", "<i4")]), "damaged|not a plain"),            # a record
    (npy_header((2,), "<U3"), "not a plain"),                             # text
    (b"\x93NUMPY\x09\x00", "damaged|version"),                            # unknown version
    (b"\x93NUMPX", "damaged"),                                            # not .npy at all
])
def test_headers_that_do_not_parse_or_hold_no_plain_array_are_refused(tmp_path, header, match):
    path = npz_with(tmp_path, {"a.npy": header + bytes(48)})
    with pytest.raises(FileFormatError, match=match):
        read_npz(path, "program")


def test_other_files_and_members_are_refused_by_name(tmp_path):
    np.save(tmp_path / "one.npy", np.arange(3))
    with pytest.raises(ProgramFormatError, match="not an .npz archive"):
        Program.load(tmp_path / "one.npy")
    with pytest.raises(FileFormatError, match="not an .npy array"):
        read_npz(npz_with(tmp_path, {"notes.txt": b"hello"}), "result")
    with pytest.raises(FileNotFoundError):
        Program.load(tmp_path / "missing.prog")


def test_big_endian_and_fortran_arrays_read_as_what_they_hold(tmp_path):
    a = np.arange(12, dtype=">i4").reshape(3, 4)
    buf = io.BytesIO()
    np.save(buf, np.asfortranarray(a))
    arrays = read_npz(npz_with(tmp_path, {"a.npy": buf.getvalue()}), "result")
    np.testing.assert_array_equal(arrays["a"], a)
    assert arrays["a"].dtype == np.int32 and arrays["a"].dtype.isnative


def test_a_program_with_fields_of_the_wrong_kind_is_refused_before_the_simulator(files,
                                                                              tmp_path):
    """Group fields that are None, missing or beyond 32 bits used to reach the
    Simulator as TypeError, KeyError or OverflowError."""
    meta = meta_of(files["program loihi2"])
    for value in (None, 2**31, "3"):
        bad = json.loads(json.dumps(meta))
        bad["cores"][0]["groups"][0]["n_post"] = value
        path = tmp_path / "bad.prog"
        path.write_bytes(with_meta(files["program loihi2"], bad))
        with pytest.raises(ProgramFormatError, match=r"\['cores'\]\[0\]\['groups'\]\[0\]"):
            Program.load(path)
    bad = json.loads(json.dumps(meta))
    del bad["cores"][0]["groups"][0]["post_base"]
    path.write_bytes(with_meta(files["program loihi2"], bad))
    with pytest.raises(ProgramFormatError, match="post_base"):
        Program.load(path)


def test_a_result_whose_program_arrays_are_inconsistent_is_refused_on_load(files, tmp_path):
    """metrics() and energy.estimate() read a result's program arrays; a result whose
    program the kernel would refuse is refused by Result.load, not later by an
    IndexError."""
    parts = members(files["result loihi2"])
    for k, (info, body) in enumerate(parts):
        if info.filename == "program/out/dst_core.npy":
            cores = np.load(io.BytesIO(body)).copy()
            cores[0] = 30_000
            buf = io.BytesIO()
            np.save(buf, cores)
            parts[k] = (info, buf.getvalue())
    path = tmp_path / "bad.npz"
    path.write_bytes(rezip(parts))
    with pytest.raises(ProgramFormatError, match="destination core"):
        emulator.Result.load(path)


def test_a_compile_report_that_summary_cannot_read_is_refused_on_load(files, tmp_path):
    meta = meta_of(files["program loihi2"])
    meta["compile"]["usage"]["neurons"] = [1]  # fewer values than cores
    path = tmp_path / "bad.prog"
    path.write_bytes(with_meta(files["program loihi2"], meta))
    with pytest.raises(ProgramFormatError, match="usage"):
        Program.load(path)
