"""Load the golden conformance vectors (tests/data/conformance, see its kinds' README in
shared/conformance) as a Network, an input raster and the expected step-by-step output.

Each case is one connection from an input into one population:

    input "x" (n_in channels) --connection "w"--> population "h" (n_out neurons)

and, for the resonate-and-fire kinds, a second connection "w_imag" from the same input
into h's "imag" port ("w" feeds the "real" port). The raster's row k is emitted at step
k + 1; run as many steps as the raster has rows. Shared by the reference model's tests
and the kernel's tests.
"""
import functools
import json
from pathlib import Path

import numpy as np

from emulator.network import Network
from emulator.neurons import LIF, ResonateFire, SigmaDelta

DATA = Path(__file__).parent / "data" / "conformance"
INPUT, POPULATION, CONNECTION, IMAG_CONNECTION = "x", "h", "w", "w_imag"
#: The kinds whose neuron and synapse models are implemented so far.
KINDS = ("lif", "lif_delay", "sigma_delta", "rf", "rf_iz")
#: The case files' "neuron" -> the emulator's model, built from the case's "params".
MODELS = {"LIF": LIF, "SigmaDelta": SigmaDelta,
          "RF": functools.partial(ResonateFire, variant="rf"),
          "RF_IZ": functools.partial(ResonateFire, variant="iz")}
#: State variables the case files name differently from the emulator's probes.
STATE_NAMES = {"real": "re", "imag": "im"}


def case_paths(kind):
    """The input files caseNNN.json of one kind, sorted."""
    return sorted(p for p in (DATA / kind).glob("case*.json") if not p.stem.endswith("_out"))


def manifest_case_ids(kind):
    """The case ids ("lif/case000", ...) MANIFEST.json lists for one kind."""
    manifest = json.loads((DATA / "MANIFEST.json").read_text())
    return sorted(c["case_id"] for c in manifest["cases"] if c["kind"] == kind)


def state_vars(net):
    """The state variables of the case's population h, which load_case probes and expects
    (LIF: u, v; SigmaDelta: sigma, act, residue, error; resonate-and-fire: re, im)."""
    return net.population_named(POPULATION).model.state_vars


def load_case(path):
    """(net, raster, expected) of the case file `path` (caseNNN.json; its _out is beside it).

    net: a Network with input "x", population "h", connection "w" (and "w_imag" for the
    resonate-and-fire kinds), and probes on h's spikes and every state variable. The input
    is graded only when the raster holds values other than 0 and 1; either way each
    connection's num_message_bits decides binary or graded, and a sign_mode of null is
    inferred per connection from its own weights.
    raster: (T, n_in) int64. expected: {"spikes", every name of state_vars(net), "a_in"},
    each (T, n_out) int64, row t being step t + 1; spikes hold the payloads of graded
    models, a_in the input of h's first port (the real one for resonate-and-fire).
    """
    path = Path(path)
    case = json.loads(path.read_text())
    out = json.loads(path.with_name(path.stem + "_out.json").read_text())

    raster = np.asarray(case["input"], dtype=np.int64)
    sign_mode = case["sign_mode"].lower() if case["sign_mode"] is not None else None
    delays = np.asarray(case["delays"], dtype=np.int64) if "delays" in case else None
    synapses = dict(weight_exp=case["weight_exp"], num_weight_bits=case["num_weight_bits"],
                    sign_mode=sign_mode, delays=delays,
                    num_message_bits=case["num_message_bits"])
    weights = np.asarray(case["weights"], dtype=np.int64)
    n_out, n_in = weights.shape

    net = Network()
    graded_input = not np.isin(raster, (0, 1)).all()
    x = net.input(n_in, name=INPUT, graded=graded_input)
    h = net.population(n_out, MODELS[case["neuron"]](**case["params"]), name=POPULATION)
    if "weights_imag" in case:
        net.connect(x, h, weights, port="real", name=CONNECTION, **synapses)
        net.connect(x, h, np.asarray(case["weights_imag"], dtype=np.int64), port="imag",
                    name=IMAG_CONNECTION, **synapses)
    else:
        net.connect(x, h, weights, name=CONNECTION, **synapses)
    names = state_vars(net)
    for var in ("spikes", *names):
        net.probe(h, var)

    expected = {"spikes": np.asarray(out["spikes"], dtype=np.int64)}
    for var, values in out["state"].items():
        expected[STATE_NAMES.get(var, var)] = np.asarray(values, dtype=np.int64)
    expected["a_in"] = np.asarray(out["a_in"], dtype=np.int64)
    assert set(expected) == {"spikes", *names, "a_in"}, (path, sorted(expected))
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
