"""Load the golden conformance vectors (tests/data/conformance, see its kinds' README in
shared/conformance) as a Network, an input raster and the expected step-by-step output.

Each case is one connection from an input into one population:

    input "x" (n_in channels) --connection "w"--> population "h" (n_out neurons)

and, for the resonate-and-fire kinds, a second connection "w_imag" from the same input
into h's "imag" port ("w" feeds the "real" port). The raster's row k is emitted at step
k + 1; run as many steps as the raster has rows. Shared by the reference model's tests
and the kernel's tests.

The learning kind makes "w" plastic (the case's rules, traces, t_epoch and rng_seed) and
expects, besides the population's values, the weights after every step and the final
traces, tags and delay fields (`LEARNED`).
"""
import functools
import json
from pathlib import Path

import numpy as np

from emulator.learning import LearningRule
from emulator.network import Network
from emulator.neurons import LIF, ResonateFire, SigmaDelta

DATA = Path(__file__).parent / "data" / "conformance"
INPUT, POPULATION, CONNECTION, IMAG_CONNECTION = "x", "h", "w", "w_imag"
#: The kinds whose neuron and synapse models are implemented so far.
KINDS = ("lif", "lif_delay", "sigma_delta", "rf", "rf_iz", "learning")
#: The learning cases' final values: the case file's name -> the connection probe's.
LEARNED = {"syn0_x1": "x1", "syn0_x2": "x2", "syn0_y1": "y1", "syn0_y2": "y2",
           "syn0_y3": "y3", "syn0_tag_1": "tags", "syn0_tag_2": "delay_fields",
           "syn0_weights": "weights"}
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
    Learning cases add expected["weights"] (T, n_out, n_in), the weights after each
    step, and expected["final"]: {connection probe variable: its value after the last
    step} (the names of LEARNED's values); w then probes every one of them.
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
    elif "learning" in case:
        spec = dict(case["learning"])
        seed = spec.pop("rng_seed")
        rule = LearningRule(**spec, seed=seed)
        w = net.connect(x, h, weights, name=CONNECTION, rule=rule, **synapses)
        for var in LEARNED.values():
            net.probe(w, var)
    else:
        net.connect(x, h, weights, name=CONNECTION, **synapses)
    names = state_vars(net)
    for var in ("spikes", *names):
        net.probe(h, var)

    expected = {"spikes": np.asarray(out["spikes"], dtype=np.int64)}
    for var, values in out["state"].items():
        expected[STATE_NAMES.get(var, var)] = np.asarray(values, dtype=np.int64)
    expected["a_in"] = np.asarray(out["a_in"], dtype=np.int64)
    if "learning" in case:
        expected["weights"] = np.asarray(out["weights_trace"], dtype=np.int64)
        expected["final"] = {var: np.asarray(out["final"][key], dtype=np.int64).reshape(-1)
                             for key, var in LEARNED.items()}
        for var in ("weights", "tags", "delay_fields"):
            expected["final"][var] = expected["final"][var].reshape(n_out, n_in)
    learned = {"weights", "final"} if "learning" in case else set()
    assert set(expected) == {"spikes", *names, "a_in", *learned}, (path, sorted(expected))
    return net, raster, expected


def first_mismatch(actual, expected):
    """None if equal, else a message naming the first differing step and neurons."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.shape != expected.shape:
        return f"shape {actual.shape} != expected {expected.shape}"
    actual, expected = actual.reshape(len(actual), -1), expected.reshape(len(expected), -1)
    rows = np.flatnonzero((actual != expected).any(axis=1))
    if len(rows) == 0:
        return None
    t = rows[0]
    neurons = np.flatnonzero(actual[t] != expected[t])
    return (f"first differs at step {t + 1} (row {t}), neurons {neurons.tolist()}: "
            f"got {actual[t, neurons].tolist()}, expected {expected[t, neurons].tolist()}")
