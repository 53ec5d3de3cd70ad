"""Assertions for your own test suites: they say where two runs differ (population,
variable, step, neuron), that a network computes the same on every mapping, and that
quantization stayed within a tolerance."""
import numpy as np

from ..errors import ParameterRangeError, ResourceLimitError


def assert_bit_exact(actual, expected, what="values"):
    """Assert two {name: (steps, n) array} mappings (or two arrays) are identical.

    On a difference, the message names the entry, the first step and neuron that differ
    (steps counted from 1) and both values.
    """
    if not isinstance(actual, dict) and not isinstance(expected, dict):
        actual, expected = {what: actual}, {what: expected}
    missing, extra = set(expected) - set(actual), set(actual) - set(expected)
    if missing or extra:
        raise AssertionError(f"{what}: entries {sorted(missing)} missing, {sorted(extra)} "
                             "not expected")
    for name in expected:
        a, e = np.asarray(actual[name]), np.asarray(expected[name])
        if a.shape != e.shape:
            raise AssertionError(f"{what} {name!r}: shape {a.shape} != expected {e.shape}")
        diff = np.argwhere(a != e)
        if len(diff):
            idx = tuple(int(i) for i in diff[0])
            where = f"step {idx[0] + 1}, neuron {idx[1:]}" if a.ndim >= 2 else f"index {idx}"
            raise AssertionError(f"{what} {name!r} differ at {where}: {a[idx]} != expected "
                                 f"{e[idx]} ({len(diff)} differences)")


def observed(result, net):
    """{"pop.spikes": ..., "pop.var": ...}: the spikes of every population and every
    probed state variable of a Result (or a ReferenceSimulator's result), by name."""
    out = {f"{p.name}.spikes": result.spikes[p.name] for p in net.populations}
    for name, var in net.probes:
        if var == "spikes":
            continue
        out[f"{name}.{var}"] = result.state[name][var] if hasattr(result, "state") \
            else result.probes[f"{name}.{var}"]
    return out


def default_mappings(net=None):
    """(label, target, compile options) of the mappings assert_mapping_invariant tries:
    the default compile (small populations share a core), a few neurons per core, and
    cores over four small chips of Loihi 2 and of SpiNNaker 2 (multicast routing). With
    `net`, the neurons per core of the chip mappings grow so that it fits 12 of their 16
    cores."""
    from .. import targets
    per_core = 2
    if net is not None:
        while sum(-(-p.n // per_core) for p in net.populations) > 12:
            per_core += 1
    return [("loihi2", targets.loihi2(), {}),
            (f"loihi2, {per_core} neurons per core", targets.loihi2(),
             {"max_neurons_per_core": per_core}),
            ("loihi2, 4 chips of 4 cores", targets.loihi2(n_chips=4, cores_per_chip=4),
             {"max_neurons_per_core": per_core}),
            ("spinnaker2, 4 chips of 4 cores", targets.spinnaker2(n_chips=4, cores_per_chip=4),
             {"max_neurons_per_core": per_core})]


def assert_mapping_invariant(net, inputs, steps, mappings=None, reference=True, dt=None,
                             min_mappings=None):
    """Compile and run `net` on every mapping and assert that all give the same spikes
    and probed states, bit for bit, and read the same synapses (synops); with
    `reference`, also that they equal the plain-numpy reference model. mappings: a list
    of (label, target, compile options), default `default_mappings(net)`; a mapping the
    network does not fit (ResourceLimitError) is skipped (the returned dict shows which
    ran), but at least `min_mappings` must run: by default every mapping you give, and
    two of the default ones.
    dt: the step length for a float network (quantized for each target; the reference
    runs the first mapping's quantized network). Returns {label: Result}."""
    from ..compiler import compile as compile_network
    from ..quantize import quantize
    from ..reference import ReferenceSimulator
    from ..runtime import Simulator
    if min_mappings is None:
        min_mappings = len(mappings) if mappings else 2
    mappings = mappings or default_mappings(net)
    results, first = {}, None
    for label, target, options in mappings:
        try:
            program = compile_network(net, target, dt=dt, **options)
        except ResourceLimitError:
            continue
        result = results[label] = Simulator(program).run(steps, inputs=inputs)
        if first is None:
            first = label
            continue
        assert_bit_exact(observed(result, net), observed(results[first], net),
                         what=f"mapping {label!r} vs {first!r}:")
        if result.counters["synops"] != results[first].counters["synops"]:
            raise AssertionError(f"mapping {label!r} read {result.counters['synops']} synapses, "
                                 f"{first!r} {results[first].counters['synops']}")
    if len(results) < max(min_mappings, 1):
        raise AssertionError(f"assert_mapping_invariant: the network fits {len(results)} of "
                             f"the mappings {[m[0] for m in mappings]} ({sorted(results)}); "
                             f"at least {max(min_mappings, 1)} must run")
    if reference:
        plain = quantize(net, next(t for lbl, t, _ in mappings if lbl == first),
                         dt).network if not net.quantized else net
        ref = ReferenceSimulator(plain).run(steps, inputs=inputs)
        assert_bit_exact(observed(results[first], net), observed(ref, plain),
                         what=f"mapping {first!r} vs the reference model:")
    return results


#: The ErrorFigures measures assert_quantization_within can hold to a tolerance.
MEASURES = ("max_relative", "rms_relative", "full_scale")


def assert_quantization_within(net_float, net_int, tol, target="loihi2", dt=None,
                               measure="max_relative"):
    """Assert that `net_int` is `net_float` quantized for `target` (at step length dt),
    and that no quantized quantity (weights, thresholds, biases, decays) has an error
    above `tol` by `measure`: "max_relative" (the worst value's relative error; a small
    weight rounded to 0 counts 1.0), "rms_relative", or "full_scale" (the largest
    absolute error over the quantity's largest magnitude: what matters for weights
    centred on 0). The message names the worst quantity. net_int: the integer Network,
    or the Quantization emulator.quantize returned. Returns the Quantization."""
    from ..quantize import Quantization, quantize
    if measure not in MEASURES:
        raise ParameterRangeError(f"assert_quantization_within: measure={measure!r}; one of "
                                  f"{MEASURES}")
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)) \
            or not np.isfinite(tol) or tol < 0:
        raise ParameterRangeError(f"assert_quantization_within: tol={tol!r} must be a finite "
                                  "number >= 0")
    q = net_int if isinstance(net_int, Quantization) else quantize(net_float, target, dt)
    if isinstance(net_int, Quantization):
        _assert_same_structure(net_float, q.network)
    else:
        _assert_same_integers(net_int, q.network)
    worst = None
    for kind, entries in (("connection", q.connections), ("population", q.populations)):
        for name, entry in entries.items():
            for quantity, fig in entry.items():
                err = getattr(fig, measure, None)
                if err is not None and (worst is None or err > worst[0]):
                    worst = (err, f"{kind} {name!r} {quantity}")
    if worst is not None and worst[0] > tol:
        raise AssertionError(f"quantization error ({measure}) {worst[0]:.3g} of {worst[1]} "
                             f"exceeds the tolerance {tol:g}\n{q.table()}")
    return q


def _assert_same_structure(given, expected):
    if [(p.name, p.n) for p in given.populations] != [(p.name, p.n) for p in expected.populations] \
            or [c.name for c in given.connections] != [c.name for c in expected.connections]:
        raise AssertionError("net_int does not have the float network's populations and "
                             "connections: pass the quantized network (emulator.quantize)")


def _assert_same_integers(given, expected):
    """The given integer network is the quantized one: same populations, parameters and
    weights."""
    _assert_same_structure(given, expected)
    for a, b in zip(given.populations, expected.populations):
        for key, value in b.params.items():
            if not np.array_equal(a.params.get(key), value):
                raise AssertionError(f"net_int population {a.name!r} parameter {key} differs "
                                     f"from quantize's: {a.params.get(key)} vs {value}")
    for a, b in zip(given.connections, expected.connections):
        same = all(np.array_equal(getattr(a, k), getattr(b, k))
                   for k in ("pre_index", "post_index", "weights", "delays"))
        if not same or a.weight_exp != b.weight_exp:
            raise AssertionError(f"net_int connection {a.name!r} synapses differ from quantize's")
