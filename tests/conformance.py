"""Load the golden conformance vectors (tests/data/conformance, see its kinds' README in
shared/conformance) as a Network, an input raster and the expected step-by-step output.

Each case is one connection from an input into one population:

    input "x" (n_in channels) --connection "w"--> population "h" (n_out neurons)

The raster's row k is emitted at step k + 1; run as many steps as the raster has rows.
Shared by the reference model's tests and the kernel's tests.
"""
import json
from pathlib import Path

import numpy as np

from emulator.network import Network
from emulator.neurons import LIF

DATA = Path(__file__).parent / "data" / "conformance"
INPUT, POPULATION, CONNECTION = "x", "h", "w"
#: The kinds whose neuron and synapse models are implemented so far.
KINDS = ("lif", "lif_delay")
MODELS = {"LIF": LIF}


def case_paths(kind):
    """The input files caseNNN.json of one kind, sorted."""
    return sorted(p for p in (DATA / kind).glob("case*.json") if not p.stem.endswith("_out"))


def manifest_case_ids(kind):
    """The case ids ("lif/case000", ...) MANIFEST.json lists for one kind."""
    manifest = json.loads((DATA / "MANIFEST.json").read_text())
    return sorted(c["case_id"] for c in manifest["cases"] if c["kind"] == kind)


def load_case(path):
    """(net, raster, expected) of the case file `path` (caseNNN.json; its _out is beside it).

    net: a Network with input "x", population "h", connection "w", and probes on h's
    spikes, u and v. The input is graded only when the raster holds values other than 0
    and 1; either way the connection's num_message_bits decides binary or graded.
    raster: (T, n_in) int64. expected: {"spikes", "u", "v", "a_in"}, each (T, n_out) int64,
    row t being step t + 1.
    """
    path = Path(path)
    case = json.loads(path.read_text())
    out = json.loads(path.with_name(path.stem + "_out.json").read_text())

    raster = np.asarray(case["input"], dtype=np.int64)
    weights = np.asarray(case["weights"], dtype=np.int64)
    n_out, n_in = weights.shape
    sign_mode = case["sign_mode"].lower() if case["sign_mode"] is not None else None
    delays = np.asarray(case["delays"], dtype=np.int64) if "delays" in case else None

    net = Network()
    graded_input = not np.isin(raster, (0, 1)).all()
    x = net.input(n_in, name=INPUT, graded=graded_input)
    h = net.population(n_out, MODELS[case["neuron"]](**case["params"]), name=POPULATION)
    net.connect(x, h, weights, weight_exp=case["weight_exp"],
                num_weight_bits=case["num_weight_bits"], sign_mode=sign_mode, delays=delays,
                num_message_bits=case["num_message_bits"], name=CONNECTION)
    for var in ("spikes", "u", "v"):
        net.probe(h, var)

    expected = {"spikes": np.asarray(out["spikes"], dtype=np.int64),
                "u": np.asarray(out["state"]["u"], dtype=np.int64),
                "v": np.asarray(out["state"]["v"], dtype=np.int64),
                "a_in": np.asarray(out["a_in"], dtype=np.int64)}
    return net, raster, expected


def first_mismatch(actual, expected):
    """None if equal, else a message naming the first differing step and neurons."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.shape != expected.shape:
        return f"shape {actual.shape} != expected {expected.shape}"
    rows = np.flatnonzero((actual != expected).any(axis=1))
    if len(rows) == 0:
        return None
    t = rows[0]
    neurons = np.flatnonzero(actual[t] != expected[t])
    return (f"first differs at step {t + 1} (row {t}), neurons {neurons.tolist()}: "
            f"got {actual[t, neurons].tolist()}, expected {expected[t, neurons].tolist()}")
