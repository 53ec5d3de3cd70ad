"""Reading a NIR file without trusting it.

A NIR file is HDF5, and libhdf5 reads damaged HDF5 badly: it can copy past the end of a
buffer, loop forever or crash. So the file's tree is read in a child process
(`python -m emulator.io.hdf5_child`), which checks every dataset's storage against the
file before it reads any of it (emulator/io/hdf5_storage.py), under a time limit; a
refusal, a crash or a hang of the child is a FileFormatError naming the file and what
went wrong, and this process never runs libhdf5 on the file. The child sends the tree
back as an .npz of plain arrays, loaded without pickle. The graph is then built from it
as nir.read builds it (nir.dict2NIRNode, with type checking; the child has done so
within its time limit first), once every node's type is known to be one from_nir reads
(emulator/io/nir_import.py); whatever nir raises on the values becomes a
FileFormatError.
"""
import json
import math
import os
import signal
import subprocess
import sys
import tempfile

import numpy as np

from ..errors import FileFormatError, ParameterRangeError
from ..memory import ENVIRONMENT, memory_limit

#: The child's default time limit: TIMEOUT_BASE seconds (to start Python and import
#: h5py) plus TIMEOUT_PER_MB per megabyte of file.
TIMEOUT_BASE = 5.0
TIMEOUT_PER_MB = 1.0
#: Longest part of a message from nir quoted in an error.
QUOTE = 300
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def check_timeout(owner, timeout):
    """timeout as a float of seconds > 0, or None (the size-scaled default)."""
    if timeout is None:
        return None
    if isinstance(timeout, (bool, np.bool_)) or \
            not isinstance(timeout, (int, float, np.integer, np.floating)) or \
            not math.isfinite(timeout) or timeout <= 0:
        raise ParameterRangeError(f"{owner}: timeout={timeout!r} must be a number of seconds "
                                  "> 0, or None for the default")
    return float(timeout)


def _short(text):
    text = str(text)
    return text if len(text) <= QUOTE else text[:QUOTE] + "..."


def read_tree(path, timeout=None):
    """The HDF5 tree under the group "node" of the NIR file at `path`, as nested dicts of
    numpy arrays, numpy scalars and str (what nir's hdf2dict gives), read in a child
    process; FileFormatError if the file is damaged, not a NIR file, or takes longer than
    `timeout` seconds (None: TIMEOUT_BASE + TIMEOUT_PER_MB per MB). A missing file
    raises FileNotFoundError."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            size = os.fstat(f.fileno()).st_size
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as e:
        raise FileFormatError(f"NIR file {name!r} cannot be opened ({type(e).__name__}: "
                              f"{e})") from e
    limit = timeout if timeout is not None else TIMEOUT_BASE + TIMEOUT_PER_MB * size / 2**20
    env = dict(os.environ)
    # the child imports this very package, wherever it was imported from
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH"))
                                        if p)
    # the child decodes within this process's memory limit, whatever set it
    env[ENVIRONMENT] = str(memory_limit()[0])
    with tempfile.TemporaryDirectory(prefix="emulator-nir-") as tmp:
        out = os.path.join(tmp, "tree.npz")
        try:
            done = subprocess.run(
                [sys.executable, "-m", "emulator.io.hdf5_child", os.path.abspath(name), out],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=limit, env=env,
                cwd=tmp)  # an empty directory: nothing there shadows a module
        except subprocess.TimeoutExpired:
            raise FileFormatError(
                f"NIR file {name!r}: reading it did not finish within {limit:.3g} s (a "
                "damaged file can make the HDF5 library loop forever); if the file is sound "
                "but large, pass a longer timeout= to from_nir") from None
        if done.returncode == 0:
            return _load(out)
    raise FileFormatError(f"NIR file {name!r}: {_failure(done)}")


def _failure(done):
    """What went wrong in a child that did not exit 0."""
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    if done.returncode == 1 and lines:
        try:
            return json.loads(lines[-1])["refused"]
        except (ValueError, KeyError, TypeError):
            pass
    if done.returncode < 0:
        try:
            what = signal.Signals(-done.returncode).name
        except ValueError:
            what = f"signal {-done.returncode}"
        return f"the HDF5 library crashed ({what}) reading it: the file is damaged"
    err = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return (f"its reader exited with code {done.returncode}"
            + (f" ({_short(err[-1])})" if err else ""))


def _load(out):
    with np.load(out, allow_pickle=False) as npz:
        manifest = json.loads(npz["manifest"].tobytes())
        strings = set(manifest["strings"])

        def value(i):
            if i not in strings:
                arr = npz[f"d{i}"]
                return arr[()] if arr.ndim == 0 else arr
            lengths = npz[f"d{i}"]
            blob = npz[f"b{i}"].tobytes()
            ends = np.cumsum(lengths.ravel())
            texts = [blob[a:b].decode("utf-8") for a, b in zip(ends - lengths.ravel(), ends)]
            if lengths.ndim == 0:
                return texts[0]
            arr = np.empty(len(texts), object)
            arr[:] = texts
            return arr.reshape(lengths.shape)

        def build(tree):
            return {k: build(v) if isinstance(v, dict) else value(v) for k, v in tree.items()}

        return build(manifest["tree"])


def node_kinds(path, tree):
    """{node name: type} of the graph a NIR file's tree holds, or FileFormatError when
    the tree is not a graph of typed nodes."""
    name = os.fspath(path)
    kind = tree.get("type")
    if not isinstance(kind, str) or kind != "NIRGraph":
        raise FileFormatError(f"NIR file {name!r}: node/type is {_short(repr(kind))}; a NIR "
                              "file holds a graph ('NIRGraph')")
    nodes = tree.get("nodes")
    if not isinstance(nodes, dict):
        raise FileFormatError(f"NIR file {name!r}: it has no group node/nodes (the graph's "
                              "nodes)")
    kinds = {}
    for node, content in nodes.items():
        kind = content.get("type") if isinstance(content, dict) else None
        if not isinstance(kind, str):
            raise FileFormatError(f"NIR file {name!r}: node/nodes/{node} is not a group with a "
                                  "string dataset 'type'")
        kinds[node] = kind
    return kinds


def build_graph(nir, path, tree):
    """The nir.NIRGraph of a NIR file's tree (whose node types node_kinds checked), built
    and type-checked by nir as nir.read does; FileFormatError if nir refuses it."""
    name = os.fspath(path)
    edges = tree.get("edges")
    if not isinstance(edges, np.ndarray) or edges.size and \
            (edges.dtype != object or edges.ndim != 2 or edges.shape[1] != 2):
        what = f"shape {edges.shape} and dtype {edges.dtype}" \
            if isinstance(edges, np.ndarray) else _short(repr(edges))
        raise FileFormatError(f"NIR file {name!r}: node/edges holds {what}; expected an "
                              "(n, 2) array of node names")
    if "type_check" in tree:
        raise FileFormatError(f"NIR file {name!r}: its graph has an entry 'type_check', which "
                              "nir reserves")
    try:
        return nir.dict2NIRNode({**tree, "type_check": True})
    except Exception as e:  # noqa: BLE001 -- nir's constructors raise anything on bad values
        raise FileFormatError(f"NIR file {name!r}: nir {nir.__version__} cannot build the "
                              f"graph it holds ({type(e).__name__}: {_short(e)})") from e
