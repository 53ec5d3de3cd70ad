"""NIR files that are damaged or hostile: every one loads cleanly or raises a named
EmulatorError, in bounded time, and libhdf5 never reads their data (the child process
reads and checks it); valid files read exactly as nir's own reader reads them."""
import copy
import io
import stat
import subprocess
import sys
import time
import warnings
import zlib
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import emulator
from emulator.cli import EXIT_CODES
from emulator.errors import (FileFormatError, ParameterRangeError, ResourceLimitError,
                             UnsupportedFeatureError)
from emulator.io import from_nir, nir_file, nir_import
from fuzzing import byte_mutations, clean_or_named, mutate

nir = pytest.importorskip("nir")
h5py = pytest.importorskip("h5py")

HOSTILE = Path(__file__).parent / "data" / "hostile"
#: Examples per fuzz test: a third of the profile's (each costs a child process).
FUZZ_EXAMPLES = max(20, settings().max_examples // 3)
#: A smaller bound on what from_nir builds while fuzzing, so that no mutated size
#: allowed by the real bound exhausts the test machine's memory.
FUZZ_ELEMENTS = 10**6


def base_graph():
    """Input -> Conv2d -> Flatten -> Affine -> LIF -> Linear -> Delay -> CubaLIF -> Output."""
    rng = np.random.default_rng(1)
    nodes = {
        "in": nir.Input(input_type=np.array([1, 4, 4])),
        "conv": nir.Conv2d(input_shape=(4, 4), weight=rng.normal(size=(2, 1, 3, 3)), stride=1,
                           padding=1, dilation=1, groups=1, bias=np.zeros(2)),
        "flat": nir.Flatten(input_type=np.array([2, 4, 4]), start_dim=0),
        "fc": nir.Affine(weight=rng.uniform(0, 1, (8, 32)), bias=np.full(8, 0.1)),
        "lif": nir.LIF(tau=np.full(8, 0.01), r=np.ones(8), v_leak=np.zeros(8),
                       v_threshold=np.ones(8)),
        "lin": nir.Linear(weight=rng.uniform(0, 1, (4, 8))),
        "delay": nir.Delay(delay=np.full(4, 2e-3)),
        "cuba": nir.CubaLIF(tau_syn=np.full(4, 5e-3), tau_mem=np.full(4, 0.01), r=np.ones(4),
                            v_leak=np.zeros(4), v_threshold=np.ones(4), w_in=np.ones(4)),
        "out": nir.Output(output_type=np.array([4])),
    }
    names = list(nodes)
    return nir.NIRGraph(nodes=nodes, edges=list(zip(names, names[1:])))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("nir_files")


@pytest.fixture(scope="module")
def base_file(workdir):
    path = workdir / "base.nir"
    nir.write(path, base_graph())
    return path


def checked_load(path):
    """from_nir(path), failing the test if the child reader itself failed (a bug, not a
    refusal) or a number overflowed on the way (a value computed wrong)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            return from_nir(path)
    except FileFormatError as error:
        assert "its reader exited" not in str(error), error
        raise


def load_compile_run(path):
    """from_nir, then (when it loads) compile and a few steps: each a clean outcome or a
    named error."""
    with mock.patch.object(nir_import, "MAX_ELEMENTS", FUZZ_ELEMENTS):
        loaded, net = clean_or_named(checked_load, path)
    if loaded == "ok":
        compiled, program = clean_or_named(lambda: emulator.compile(net, "loihi2", dt=1e-3))
        if compiled == "ok":
            raster = {i.name: np.ones((4, i.n), np.int8) for i in net.inputs}
            clean_or_named(lambda: emulator.Simulator(program).run(4, raster))


# -- the hostile files ------------------------------------------------------------------

@pytest.mark.parametrize("name, dataset", [
    ("hdf5_heap_overflow.nir", "node/nodes/lif1/v_reset"),  # an unfiltered 12-byte chunk for 96
    ("hdf5_heap_overflow2.nir", "node/nodes/cuba/v_reset"),  # deflate masked off: 11 for 32
    ("hdf5_infinite_loop.nir", "node/edges"),  # its strings' global heap is damaged
])
def test_a_hostile_file_is_a_named_error_in_bounded_time(name, dataset):
    start = time.monotonic()
    with pytest.raises(FileFormatError, match=rf"{name}.*{dataset}"):
        from_nir(HOSTILE / name)
    assert time.monotonic() - start < 10


def test_neuroemu_compile_refuses_a_hostile_file_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "emulator.cli", "compile",
                           str(HOSTILE / "hdf5_heap_overflow.nir"), "--target", "loihi2", "-o",
                           str(tmp_path / "out.prog"), "--quiet"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_CODES["input"], done.stderr
    assert done.stderr.startswith("neuroemu compile: FileFormatError: ")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "out.prog").exists()


# -- the checks of the HDF5 structure, one rule at a time --------------------------------

def nir_like(path, fill):
    """An HDF5 file with the group "node" that fill(group) fills."""
    with h5py.File(path, "w") as f:
        fill(f.create_group("node"))
    return path


def refused(path, match):
    with pytest.raises(FileFormatError, match=match):
        nir_file.read_tree(path)


def test_an_unfiltered_chunk_must_store_what_its_shape_needs(tmp_path):
    def fill(g):
        d = g.create_dataset("x", data=np.arange(12.0), chunks=(12,))
        d.id.write_direct_chunk((0,), np.arange(3.0).tobytes())
    refused(nir_like(tmp_path / "f.h5", fill), r"node/x: its chunk at element \(0,\) stores 24 "
                                               r"bytes.*needs 96")


def test_a_deflated_chunk_must_inflate_to_what_its_shape_needs(tmp_path):
    def fill(g):
        d = g.create_dataset("x", data=np.arange(12.0), chunks=(12,), compression="gzip")
        d.id.write_direct_chunk((0,), zlib.compress(np.arange(1.0).tobytes()))
    refused(nir_like(tmp_path / "f.h5", fill), r"node/x: its chunk.*decodes to 8 bytes, not "
                                               r"the 96")


def test_a_chunk_claiming_more_than_deflate_can_give_is_refused(tmp_path):
    def fill(g):
        d = g.create_dataset("x", shape=(10**6,), dtype="f8", chunks=(10**6,),
                             compression="gzip")
        d.id.write_direct_chunk((0,), zlib.compress(b"\0" * 1000))
    refused(nir_like(tmp_path / "f.h5", fill), r"node/x: .*stores \d+ compressed bytes for "
                                               r"8000000 bytes.*1100 to 1")


def test_deflated_zeros_at_deflates_best_ratio_still_read(tmp_path):
    path = nir_like(tmp_path / "f.h5", lambda g: g.create_dataset(
        "x", data=np.zeros(10**6), chunks=(10**6,), compression="gzip", compression_opts=9))
    assert not nir_file.read_tree(path)["x"].any()


def test_a_damaged_deflate_stream_or_checksum_is_refused(tmp_path):
    path = nir_like(tmp_path / "f.h5", lambda g: (
        g.create_dataset("a", data=np.arange(100.0), chunks=(100,), compression="gzip"),
        g.create_dataset("b", data=np.arange(100.0), chunks=(100,), fletcher32=True)))
    with h5py.File(path, "r") as f:
        offsets = [f[f"node/{k}"].id.get_chunk_info(0).byte_offset for k in "ab"]
    data = bytearray(path.read_bytes())
    for offset in offsets:
        data[offset + 20] ^= 0xFF
    path.write_bytes(bytes(data))
    refused(path, r"node/a: its chunk.*damaged deflate data")
    with h5py.File(path, "r+") as f:
        del f["node/a"]
    refused(path, r"node/b: its chunk.*fails its fletcher32 checksum")


def patched(path, old, new):
    """Replace the one occurrence of bytes `old` in the file at `path` by `new`."""
    data = path.read_bytes()
    assert data.count(old) == 1
    path.write_bytes(data.replace(old, new))


def test_a_truncated_file_and_data_beyond_the_end_of_the_file_are_refused(tmp_path):
    path = nir_like(tmp_path / "t.h5", lambda g: g.create_dataset("x", data=np.arange(1000.0)))
    path.write_bytes(path.read_bytes()[:-100])
    refused(path, r"the file: the HDF5 library cannot read it .*truncated file")
    path = nir_like(tmp_path / "c.h5", lambda g: (
        g.create_dataset("a", data=np.random.default_rng(0).random(100), chunks=(100,),
                         compression="gzip"),  # ~800 bytes: room for b's ~180
        g.create_dataset("b", data=np.arange(100.0), chunks=(100,), compression="gzip")))
    with h5py.File(path, "r") as f:
        a, b = (f[f"node/{k}"].id.get_chunk_info(0).byte_offset for k in "ab")
    size = path.stat().st_size
    patched(path, b.to_bytes(8, "little"), (size - 10).to_bytes(8, "little"))
    refused(path, rf"node/b: its data at bytes {size - 10}\.\.\d+ lies beyond the end of the "
                  rf"file \({size} bytes\)")
    patched(path, (size - 10).to_bytes(8, "little"), a.to_bytes(8, "little"))
    refused(path, rf"node/[ab]: its data at byte {a} overlaps data of node/[ab]")


def test_a_compound_or_reference_type_is_refused(tmp_path):
    compound = np.zeros(3, [("a", "f8"), ("b", "i4")])
    refused(nir_like(tmp_path / "c.h5", lambda g: g.create_dataset("x", data=compound)),
            r"node/x: its elements are of the HDF5 compound type")

    def reference(g):
        g.create_dataset("target", data=1.0)
        g.create_dataset("x", data=g["target"].ref, dtype=h5py.ref_dtype)
    refused(nir_like(tmp_path / "r.h5", reference), r"node/x: .*reference type")


def test_a_filter_other_than_deflate_shuffle_fletcher32_is_named(tmp_path):
    refused(nir_like(tmp_path / "f.h5", lambda g: g.create_dataset(
        "x", data=np.arange(100.0), compression="lzf")),
        r"node/x: it is compressed with filter 32000 \(lzf\)")


def test_a_huge_declared_shape_without_data_is_refused(tmp_path):
    def chunked(g):
        d = g.create_dataset("x", data=np.arange(10.0), chunks=(10,), maxshape=(None,))
        d.resize((10**12,))
    refused(nir_like(tmp_path / "c.h5", chunked),
            r"node/x: it stores 1 chunks; shape \(1000000000000,\) in chunks of \(10,\) needs "
            r"100000000000")
    refused(nir_like(tmp_path / "u.h5", lambda g: g.create_dataset("x", shape=(2**40,),
                                                                   dtype="f8")),
            r"node/x: no data was ever stored for it")


def test_a_string_must_have_the_length_of_its_heap_object(tmp_path):
    path = nir_like(tmp_path / "f.h5", lambda g: g.create_dataset(
        "type", data="LIF", dtype=h5py.string_dtype()))
    with h5py.File(path, "r") as f:
        offset = f["node/type"].id.get_offset()
    data = bytearray(path.read_bytes())
    data[offset:offset + 4] = (200).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    refused(path, r"node/type: a string of 200 bytes refers to a global heap object of 3 bytes")


def test_links_other_than_hard_links_and_objects_linked_twice_are_refused(tmp_path):
    def soft(g):
        g.create_dataset("x", data=1.0)
        g["y"] = h5py.SoftLink("/node/x")
    refused(nir_like(tmp_path / "s.h5", soft), r"node/y: its link is a SoftLink \(to '/node/x'\)")
    refused(nir_like(tmp_path / "e.h5", lambda g: g.__setitem__(
        "x", h5py.ExternalLink("/etc/hostname", "/"))), r"node/x: its link is a ExternalLink")

    def twice(g):
        g.create_dataset("x", data=np.arange(3.0))
        g["y"] = g["x"]
    refused(nir_like(tmp_path / "t.h5", twice), r"node/y: the same object as node/x")

    def cycle(g):
        g.create_group("sub")["up"] = g
    refused(nir_like(tmp_path / "c.h5", cycle), r"node/sub/up: the same object as node\b")


def test_a_string_that_is_not_utf8_is_refused(tmp_path):
    refused(nir_like(tmp_path / "f.h5", lambda g: g.create_dataset(
        "type", data=np.bytes_(b"LI\xff"))), r"node/type: it holds a string that is not UTF-8")


def test_not_hdf5_or_not_a_nir_file_is_refused(tmp_path):
    (tmp_path / "text.nir").write_text("hello")
    refused(tmp_path / "text.nir", r"text.nir': the file: the HDF5 library cannot read it")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f.create_dataset("data", data=1)
    refused(tmp_path / "other.h5", r"has no group 'node': it is not a NIR graph")
    with pytest.raises(FileNotFoundError):
        from_nir(tmp_path / "missing.nir")
    with pytest.raises(FileFormatError, match="cannot be opened"):
        from_nir(tmp_path)


def test_valid_files_read_as_nirs_own_reader_reads_them(tmp_path, base_file):
    """Every layout, filter and type the checks allow gives what hdf2dict gives
    (fixed-length byte strings as str, as for scalars)."""
    strings = np.array(["x" * (i % 40) + "é" for i in range(2000)], dtype=object)

    def fill(g):
        g.create_dataset("big_endian", data=np.arange(7, dtype=">f8"))
        g.create_dataset("filtered", data=np.arange(70, dtype=">i4").reshape(7, 10),
                         chunks=(3, 4), compression="gzip", shuffle=True, fletcher32=True)
        g.create_dataset("odd_checksum", data=np.arange(5, dtype="u1"), chunks=(5,),
                         fletcher32=True)
        g.create_dataset("bools", data=np.array([True, False, True]))
        g.create_dataset("fixed", data=np.array([b"ab", b"c"], dtype="S3"))
        g.create_dataset("fixed_scalar", data=np.bytes_("hello"))
        g.create_dataset("empty", data=[])
        g.create_dataset("half", data=np.arange(4, dtype="<f2"))
        g.create_dataset("strings", data=strings, dtype=h5py.string_dtype())
        g.create_dataset("chunked_strings", data=strings[:500].reshape(50, 10),
                         dtype=h5py.string_dtype(), chunks=(7, 3), compression="gzip")
        g.create_dataset("empty_string", data="", dtype=h5py.string_dtype())
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        h5py.h5d.create(g.id, b"compact", h5py.h5t.NATIVE_DOUBLE, h5py.h5s.create_simple((3,)),
                        dcpl=dcpl)
        g["compact"][...] = np.arange(3.0)
        g.create_group("sub/deeper").create_dataset("x", data=np.arange(3))
        g.create_group("empty_group")
    from nir.serialization import hdf2dict

    def same(want, got, where):
        if isinstance(want, dict):
            assert want.keys() == got.keys(), where
            for key in want:
                same(want[key], got[key], f"{where}/{key}")
        elif isinstance(want, np.ndarray) and want.dtype.kind in "OS":
            assert got.dtype == object and got.shape == want.shape, where
            assert [w.decode() if isinstance(w, bytes) else w for w in want.ravel()] == \
                list(got.ravel()), where
        elif isinstance(want, np.ndarray):
            assert got.dtype == want.dtype.newbyteorder("="), where
            np.testing.assert_array_equal(got, want, err_msg=where)
        else:
            assert type(got) is type(want) and got == want, where

    for path in (nir_like(tmp_path / "all.h5", fill), base_file):
        with h5py.File(path, "r") as f:
            same(hdf2dict(f["node"]), nir_file.read_tree(path), str(path))


# -- the child process: time limit, crash, refusal ----------------------------------------

def test_a_child_that_takes_too_long_is_stopped(monkeypatch):
    monkeypatch.setattr(nir_file, "TIMEOUT_BASE", 0.05)
    monkeypatch.setattr(nir_file, "TIMEOUT_PER_MB", 0.0)
    start = time.monotonic()
    with pytest.raises(FileFormatError, match=r"hdf5_infinite_loop.nir': reading it did not "
                                              r"finish within 0\.05 s"):
        from_nir(HOSTILE / "hdf5_infinite_loop.nir")
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("script, match", [
    ("exec sleep 60", r"reading it did not finish within 0\.5 s"),
    # (outside a sanitizer's preloaded runtime, which would catch the signal itself)
    ("exec env -u LD_PRELOAD /bin/sh -c 'kill -SEGV $$'",
     r"the HDF5 library crashed \(SIGSEGV\) reading it"),
    ("echo 'cannot import h5py' >&2; exit 4", r"its reader exited with code 4 \(cannot import "
                                              r"h5py\)"),
])
def test_a_child_that_hangs_crashes_or_fails_is_a_named_error(tmp_path, monkeypatch, base_file,
                                                              script, match):
    child = tmp_path / "child.sh"
    child.write_text(f"#!/bin/sh\n{script}\n")
    child.chmod(child.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(sys, "executable", str(child))
    start = time.monotonic()
    with pytest.raises(FileFormatError, match=rf"base.nir': {match}"):
        from_nir(base_file, timeout=0.5)
    assert time.monotonic() - start < 10


def test_the_timeout_is_a_positive_number_of_seconds(base_file):
    for bad in (0, -1.0, float("nan"), "5", True):
        with pytest.raises(ParameterRangeError, match="timeout="):
            from_nir(base_file, timeout=bad)
    assert from_nir(base_file, timeout=60).populations


# -- the graph's values: bounded and named ------------------------------------------------

def test_sizes_a_graph_declares_are_bounded_before_anything_is_allocated(tmp_path):
    path = tmp_path / "huge.nir"
    nir.write(path, nir.NIRGraph(nodes={
        "x": nir.Input(input_type=np.array([2**20, 2**20])),
        "flat": nir.Flatten(input_type=np.array([2**20, 2**20]), start_dim=0),
        "y": nir.Output(output_type=np.array([2**40]))},
        edges=[("x", "flat"), ("flat", "y")]))
    with pytest.raises(ResourceLimitError, match=r"'x' \(Input\): its shape \(1048576, "
                                                 r"1048576\) has 1,099,511,627,776 elements "
                                                 r"\(17,592,186,044,416 bytes"):
        from_nir(path)
    padded = nir.NIRGraph(nodes={
        "x": nir.Input(input_type=np.array([1, 4, 4])),
        "conv": nir.Conv2d(input_shape=None, weight=np.ones((4, 1, 3, 3)), stride=1,
                           padding=10**5, dilation=1, groups=1, bias=np.zeros(4)),
        "th": nir.Threshold(threshold=np.ones(1))},
        edges=[("x", "conv"), ("conv", "th")], type_check=False)
    with pytest.raises(ResourceLimitError, match=r"'conv' \(Conv2d\): its unrolled matrix "
                                                 r"would hold up to [\d,]+ weights \([\d,]+ "
                                                 r"bytes\)"):
        from_nir(padded)
    # each matrix holds 1000 weights, their product a million
    narrow = [nir.Linear(weight=np.ones((1, 1000))), nir.Linear(weight=np.ones((1000, 1)))]
    with mock.patch.object(nir_import, "MAX_ELEMENTS", 10**5), \
            pytest.raises(ResourceLimitError, match=r"'linear_1' \(Linear\): its matrix from "
                                                    r"'input' would hold up to 1,000,000"):
        from_nir(nir.NIRGraph.from_list(*narrow, nir.Threshold(threshold=np.ones(1000)),
                                        type_check=False))


def test_long_chains_and_cycles_of_weight_nodes_are_refused():
    chain = nir.NIRGraph.from_list(*[nir.Scale(scale=np.ones(2)) for _ in range(150)],
                                   nir.IF(r=np.ones(2), v_threshold=np.ones(2)),
                                   type_check=False)
    with pytest.raises(UnsupportedFeatureError, match=r"more than 100 weight nodes in a row"):
        from_nir(chain)
    loop = nir.NIRGraph(nodes={
        "x": nir.Input(input_type=np.array([2])),
        "a": nir.Flatten(input_type=np.array([2])), "b": nir.Flatten(input_type=np.array([2])),
        "y": nir.Output(output_type=np.array([2]))},
        edges=[("a", "b"), ("b", "a"), ("a", "y")], type_check=False)
    with pytest.raises(UnsupportedFeatureError, match=r"cycle of weight nodes"):
        from_nir(loop)


# -- fuzzing: the bytes of a valid file, and the values of its tree -----------------------

def test_the_files_the_fuzzers_damage_load_compile_and_run(workdir, base_file):
    path = workdir / "rewritten.nir"
    write_tree(path, BASE_TREE)
    for source in (base_file, path):
        net = from_nir(source)
        assert sorted(p.name for p in net.populations) == ["cuba", "lif"]
        result = emulator.Simulator(emulator.compile(net, "loihi2", dt=1e-3)).run(
            20, {"in": np.ones((20, 16), np.int8)})
        assert result.spikes["cuba"].shape == (20, 4)


@settings(max_examples=FUZZ_EXAMPLES)
@given(edits=byte_mutations())
def test_a_file_with_damaged_bytes_loads_or_raises_a_named_error(workdir, base_file, edits):
    path = workdir / "mutated.nir"
    path.write_bytes(mutate(base_file.read_bytes(), edits))
    load_compile_run(path)


def base_tree():
    """The tree of base_graph() as a NIR file holds it (strings as str)."""
    from nir.serialization import hdf2dict
    buffer = io.BytesIO()
    nir.write(buffer, base_graph())
    with h5py.File(buffer, "r") as f:
        tree = hdf2dict(f["node"])
    tree["edges"] = tree["edges"].astype(str).astype(object)
    return tree


def write_tree(path, tree):
    """A NIR file holding `tree` under "node", written as nir.write writes a graph."""
    def fill(group, items):
        for key, value in items.items():
            if isinstance(value, dict):
                fill(group.create_group(key), value)
            elif isinstance(value, str) or getattr(value, "dtype", None) == object:
                group.create_dataset(key, data=value, dtype=h5py.string_dtype())
            else:
                group.create_dataset(key, data=value)
    with h5py.File(path, "w") as f:
        fill(f.create_group("node"), tree)


BASE_TREE = base_tree()
BASE_KEYS = sorted((node, key) for node, items in BASE_TREE["nodes"].items() for key in items)
_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
                max_size=8)
VALUES = st.one_of(
    _TEXT,
    st.builds(np.bytes_, st.binary(min_size=1, max_size=8)),
    st.sampled_from([np.nan, np.inf, -np.inf, -1.0, 0.0, 1e300, 5e-324, 2.5]).map(
        lambda v: np.full(4, v)),
    st.sampled_from([2**63 - 1, -2**63, -1, 0, 2**31]).map(lambda v: np.array([v], np.int64)),
    st.just(np.array([2**64 - 1], np.uint64)),
    st.sampled_from([(), (0,), (1,), (3, 0), (2, 3, 4), (1000,), (1, 1, 1, 1, 1)]).map(np.ones),
    st.just(np.array([True, False])),
    st.sampled_from([np.float64(np.nan), np.int64(-5), np.int64(0), np.float64(1e30)]),
    st.lists(_TEXT, min_size=1, max_size=3).map(lambda x: np.array(x, dtype=object)),
)
EDGES = st.sampled_from([
    np.array([["in", "missing"]], dtype=object), np.array(["in", "conv", "flat"], dtype=object),
    np.array([["in", "conv", "flat"]], dtype=object), np.arange(6).reshape(3, 2),
    np.array([], dtype=object), np.array([["in", "conv"], ["in", "conv"]], dtype=object),
    np.array([["lif", "lif"], ["in", "lif"]], dtype=object),
    np.array([["out", "in"], ["in", "out"]], dtype=object)])
NODE_TYPES = st.sampled_from([*nir_import.SUPPORTED, "NIRGraph", "Hyperdrive", ""])


EDITS = ("value", "value", "delete", "type", "node", "edges", "add", "graph")


@st.composite
def tree_edits(draw, kinds=EDITS):
    """Edits of the base tree: (path, value) sets a node's parameter, type, the node
    itself, the edges or a graph entry; value None deletes it."""
    edits = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(kinds))
        node, key = draw(st.sampled_from(BASE_KEYS))
        if kind == "value":
            edits.append((("nodes", node, key), draw(VALUES)))
        elif kind == "delete":
            edits.append((("nodes", node, key), None))
        elif kind == "type":
            edits.append((("nodes", node, "type"), draw(NODE_TYPES)))
        elif kind == "node":
            edits.append((("nodes", node), draw(VALUES)))
        elif kind == "edges":
            edits.append((("edges",), draw(EDGES)))
        elif kind == "add":
            edits.append((("nodes", node, draw(st.sampled_from(("extra", "metadata")))),
                          draw(VALUES)))
        else:
            edits.append((draw(st.sampled_from((("type",), ("nodes",), ("type_check",)))),
                          draw(st.one_of(st.none(), VALUES))))
    return edits


def edited(edits):
    tree = copy.deepcopy(BASE_TREE)
    for path, value in edits:
        parent = tree
        for part in path[:-1]:
            parent = parent.get(part)
            if not isinstance(parent, dict):  # an earlier edit replaced the group
                break
        else:
            if value is None:
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = value
    return tree


@settings(max_examples=FUZZ_EXAMPLES)
@given(edits=tree_edits())
def test_a_graph_with_wrong_values_loads_or_raises_a_named_error(workdir, edits):
    path = workdir / "edited.nir"
    write_tree(path, edited(edits))
    load_compile_run(path)


@given(edits=tree_edits(kinds=("value", "value", "value", "edges")))
def test_a_graph_nir_builds_unchecked_from_wrong_values_loads_or_raises_a_named_error(edits):
    """Wrong values and edges, built by nir without its type check (which refuses most of
    them in a file), reach from_nir's own checks of every value."""
    try:
        with warnings.catch_warnings():  # nir's own arithmetic on the values
            warnings.simplefilter("ignore", RuntimeWarning)
            graph = nir.dict2NIRNode({**edited(edits), "type_check": False})
    except Exception:  # noqa: BLE001 -- what nir itself cannot build never reaches from_nir
        return
    load_compile_run(graph)


def test_the_memory_limit_bounds_what_a_nir_file_may_decode_and_build(tmp_path):
    """The child decodes within the caller's memory limit, and the graph walk builds no
    matrix beyond it."""
    from emulator.errors import ResourceLimitError
    from emulator.memory import set_memory_limit
    path = tmp_path / "wide.nir"
    nodes = {"in": nir.Input(input_type=np.array([300])),
             "fc": nir.Linear(weight=np.ones((300, 300))),
             "lif": nir.LIF(tau=np.full(300, 0.02), r=np.ones(300), v_leak=np.zeros(300),
                            v_threshold=np.ones(300)),
             "out": nir.Output(output_type=np.array([300]))}
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=[("in", "fc"), ("fc", "lif"),
                                                     ("lif", "out")]))
    try:
        set_memory_limit(100_000)  # less than the 720 KB of weights
        with pytest.raises(FileFormatError, match="memory limit"):
            from_nir(path)
        set_memory_limit(2_000_000)  # the file fits, its 90,000-weight matrix does not
        with pytest.raises(ResourceLimitError, match="memory limit"):
            from_nir(path)
    finally:
        set_memory_limit(None)
    assert from_nir(path).connections[0].n_synapses == 90_000
