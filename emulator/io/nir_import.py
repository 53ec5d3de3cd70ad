"""from_nir: a NIR graph as a float Network (FloatLIF populations, float weights).

Node by node:
- Input: `net.input(n)`, n the size of its shape flattened in C order; binary (a nonzero
  raster entry is a spike of 1);
- IF, LIF, CubaLIF, LI, CubaLI, I, Threshold: one FloatLIF population each
  (emulator/io/nir_neurons.py has the mapping of their equations);
- Affine, Linear, Scale, Conv1d, Conv2d, SumPool2d, AvgPool2d, Flatten, Delay: composed,
  along every path from an Input or a neuron node to a neuron node, into one sparse
  matrix per (source, target, delay) (emulator/io/nir_weights.py), scaled per row by the
  target's input gain; their biases add up to a constant input, which becomes the
  target's bias; inputs from several edges sum;
- Output: a probe of the neuron node feeding it (through Flatten nodes at most):
  "spikes" for a spiking node, "v" for LI, CubaLI and I. An Output fed directly by an
  Input reads nothing the emulator computes and is skipped.

Every edge into a neuron takes one step (a spike of step t reaches the next population
at step t + 1; an input row k reaches the first population at step k + 2), and a Delay
node adds its delay / dt steps to it. Populations and inputs are named name_prefix + the
node's name ('.' and '/' become '_'); connections "pre->post" ("pre->post@d" when one
pair has several delays d).
"""
import os

import numpy as np
import scipy.sparse as sp

from ..errors import (ParameterRangeError, ShapeError, UnknownNameError,
                      UnsupportedFeatureError)
from ..network import MAX_DELAY, Network
from ..neurons import FloatLIF
from .nir_neurons import NEURON_TYPES, check_discretization, check_step, neuron_map
from .nir_package import require_nir
from .nir_weights import WEIGHT_TYPES, weight_op

SUPPORTED = ("Input", "Output", *WEIGHT_TYPES, *NEURON_TYPES)


def _declared(node, key, direction):
    """A node's declared input or output shape, or None."""
    types = getattr(node, key, None)
    shape = types.get(direction) if isinstance(types, dict) else None
    return None if shape is None else tuple(int(s) for s in np.atleast_1d(shape))


def _clean(name):
    return str(name).replace(".", "_").replace("/", "_")


class _Graph:
    """The walk from the targets back to the sources, memoised per weight node."""

    def __init__(self, graph, dt):
        self.nodes = graph.nodes
        self.dt = dt
        self.kind = {name: type(node).__name__ for name, node in self.nodes.items()}
        for name, kind in self.kind.items():
            if kind not in SUPPORTED:
                hint = " (nested graphs: flatten them first)" if kind == "NIRGraph" else ""
                raise UnsupportedFeatureError(
                    f"NIR node {name!r} of type {kind} is not supported{hint}; from_nir reads "
                    f"{', '.join(SUPPORTED)}")
        self.pre = {name: [] for name in self.nodes}
        for edge in graph.edges:
            if not (isinstance(edge, (tuple, list)) and len(edge) == 2):
                raise ShapeError(f"NIR edge {edge!r}: expected a (source, target) pair")
            src, dst = edge
            for end in (src, dst):
                if end not in self.nodes:
                    raise UnknownNameError(f"NIR edge ({src!r}, {dst!r}): no node named {end!r}")
            self.pre[dst].append(src)
        self.maps = {}
        self._done, self._busy = {}, set()

    def owner(self, name):
        return f"NIR node {name!r} ({self.kind[name]})"

    def source_shape(self, name):
        if self.kind[name] == "Input":
            shape = _declared(self.nodes[name], "input_type", "input")
            if shape is None:
                raise ShapeError(f"{self.owner(name)}: its shape is missing")
            return shape
        return self.maps[name].shape

    def output(self, name, reader):
        """(terms, constant, shape): node `name`'s output as sum over terms (source,
        matrix, delay) of matrix @ source's output `delay` steps ago, plus constant."""
        kind = self.kind[name]
        if kind == "Output":
            raise UnsupportedFeatureError(f"{self.owner(name)} feeds {reader!r}: an Output "
                                          "node ends the graph")
        if kind in NEURON_TYPES and not NEURON_TYPES[kind]:
            raise UnsupportedFeatureError(
                f"{self.owner(name)} feeds {reader!r}: its output is its membrane potential, "
                "a real value, which a spiking population cannot send; it may feed only "
                "Output nodes")
        if kind == "Input" or kind in NEURON_TYPES:
            shape = self.source_shape(name)
            n = int(np.prod(shape, dtype=np.int64))
            return [(name, sp.identity(n, format="csr"), 0)], np.zeros(n), shape
        if name in self._done:
            return self._done[name]
        if name in self._busy:
            raise UnsupportedFeatureError(f"{self.owner(name)} lies on a cycle of weight nodes "
                                          "with no neuron node in it")
        self._busy.add(name)
        terms, constant, shape = self.input(name)
        if shape is None:
            shape = _declared(self.nodes[name], "input_type", "input")
            if shape is None:
                raise ShapeError(f"{self.owner(name)} has no input edge and no declared "
                                 "input shape")
        op = weight_op(self.owner(name), kind, self.nodes[name], shape, self.dt)
        out = []
        for src, matrix, delay in terms:
            if op.delays is None:
                out.append((src, op.matrix @ matrix, delay))
                continue
            for d in np.unique(op.delays):
                out.append((src, sp.diags((op.delays == d).astype(np.float64)) @ matrix,
                            delay + int(d)))
        if constant is None:  # nothing feeds the node: it only adds its bias
            constant = np.zeros(op.matrix.shape[1])
        result = out, op.matrix @ constant + op.bias, op.out_shape
        self._busy.discard(name)
        self._done[name] = result
        return result

    def input(self, name):
        """(terms, constant, shape) of the sum of what reaches node `name` (shape None
        when nothing does), in the node's declared input shape when it has one."""
        terms, constant, shape, first = [], None, None, None
        for pre in self.pre[name]:
            t, c, s = self.output(pre, name)
            if shape is not None and np.prod(s) != np.prod(shape):
                raise ShapeError(f"{self.owner(name)}: its inputs differ in size: {first!r} "
                                 f"gives shape {shape}, {pre!r} gives {s}")
            terms += t
            constant = c if constant is None else constant + c
            if shape is None:
                shape, first = s, pre
        declared = _declared(self.nodes[name], "input_type", "input")
        if declared is not None and shape is not None:
            # A declared shape gives the dimensions of what flows in; its size is checked
            # against the node's own parameters, since nir derives the declared shapes of
            # convolutions, pools and Flatten, and gets some wrong (a grouped
            # convolution's input channels as C_in / groups, a non-square kernel's width
            # as its height).
            spatial = int(np.prod(declared[1:]))
            if self.kind[name] in ("Conv1d", "Conv2d") and spatial and \
                    np.prod(shape) % spatial == 0:
                shape = (int(np.prod(shape)) // spatial, *declared[1:])
            elif np.prod(declared) == np.prod(shape):
                shape = declared
        return terms, constant, shape


def _read(nir, graph_or_path):
    if isinstance(graph_or_path, nir.NIRGraph):
        return graph_or_path
    if not isinstance(graph_or_path, (str, os.PathLike)):
        raise ParameterRangeError(f"from_nir: graph_or_path={graph_or_path!r}; expected a "
                                  "nir.NIRGraph or the path of a NIR file")
    try:
        return nir.read(graph_or_path)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, AssertionError, TypeError) as e:
        unknown = _unknown_node_types(graph_or_path, nir)
        what = f"nodes of types nir does not know: {unknown}" if unknown else \
            f"{type(e).__name__}: {e}"
        raise ParameterRangeError(f"from_nir: {os.fspath(graph_or_path)!r} is not a NIR graph "
                                  f"nir {nir.__version__} can read ({what})") from e


def _unknown_node_types(path, nir):
    """{node name: type} of the nodes in a NIR file whose type nir has no class for (what
    makes nir.read fail without a message); {} if the file cannot say."""
    try:
        import h5py
        with h5py.File(path, "r") as f:
            nodes = f["node"]["nodes"]
            types = {name: nodes[name]["type"][()] for name in nodes if "type" in nodes[name]}
    except Exception:  # noqa: BLE001 -- not HDF5 or not laid out as nir writes: no names
        return {}
    types = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in types.items()}
    return {k: v for k, v in types.items() if not hasattr(nir, v)}


def from_nir(graph_or_path, dt=1e-3, name_prefix="", discretization="exact"):
    """A float Network from a NIR graph (a nir.NIRGraph, or the path of a file nir.write
    wrote): compile it with emulator.compile(net, target, dt=dt), or convert it with
    emulator.quantize(net, target, dt). dt: the step length in seconds, which turns
    the graph's continuous time into steps. discretization: "exact" (exponential
    decays) or "euler" (forward Euler, as snnTorch and Norse step their models).
    Each Output node becomes a probe of the population feeding it (docs/nir.md)."""
    nir = require_nir()
    dt = check_step("from_nir", dt)
    check_discretization("from_nir", discretization)
    if not isinstance(name_prefix, str):
        raise ParameterRangeError(f"from_nir: name_prefix={name_prefix!r} must be a string")
    g = _Graph(_read(nir, graph_or_path), dt)
    for name, kind in g.kind.items():
        if kind in NEURON_TYPES:
            g.maps[name] = neuron_map(g.owner(name), kind, g.nodes[name], dt, discretization)
    net = Network()
    objects = {}
    for name, kind in g.kind.items():
        if kind == "Input":
            n = int(np.prod(g.source_shape(name), dtype=np.int64))
            objects[name] = net.input(n, name=name_prefix + _clean(name))
    incoming = {}
    for name, m in g.maps.items():
        terms, constant, shape = g.input(name)
        if shape is not None and np.prod(shape) != m.n:
            raise ShapeError(f"{g.owner(name)} has {m.n} neurons (shape {m.shape}), but its "
                             f"input has shape {shape}")
        bias = m.model.bias + (0 if constant is None else m.constant_gain * constant)
        model = FloatLIF(m.model.tau_syn, m.model.tau_mem, m.model.threshold, bias)
        objects[name] = net.population(m.n, model, name=name_prefix + _clean(name))
        incoming[name] = terms
    for name, terms in incoming.items():
        _connect(net, g, objects, name, terms)
    for name, kind in g.kind.items():
        if kind == "Output":
            _probe(net, g, objects, name)
    return net


def _connect(net, g, objects, name, terms):
    """One connection per (source, delay) into population `name`."""
    groups = {}
    for src, matrix, delay in terms:
        key = (src, delay)
        groups[key] = matrix if key not in groups else groups[key] + matrix
    post = objects[name]
    gain = sp.diags(g.maps[name].gain)
    for (src, delay), matrix in groups.items():
        if delay > MAX_DELAY:
            raise ParameterRangeError(
                f"{g.owner(name)}: its input from {src!r} is delayed by {delay} steps, more "
                f"than the {MAX_DELAY} the hardware stores")
        weights = sp.csr_matrix(gain @ matrix)
        weights.eliminate_zeros()
        if not weights.nnz:
            continue
        pre = objects[src]
        several = sum(1 for s, _ in groups if s == src) > 1
        label = f"{pre.name}->{post.name}" + (f"@{delay}" if several else "")
        if 2 * weights.nnz >= weights.shape[0] * weights.shape[1]:
            weights = weights.toarray()
            delays = np.full(weights.shape, delay) if delay else None
        else:
            delays = weights.copy() if delay else None
            if delay:
                delays.data[:] = delay
        net.connect(pre, post, weights, delays=delays, name=label)


def _probe(net, g, objects, name):
    """The probe an Output node asks for."""
    pres = g.pre[name]
    node = name
    while len(pres) == 1 and g.kind[pres[0]] == "Flatten":
        node = pres[0]
        pres = g.pre[node]
    if len(pres) != 1:
        raise UnsupportedFeatureError(f"{g.owner(name)} is fed by {len(pres)} edges "
                                      f"{pres}; from_nir reads one neuron node per Output")
    src = pres[0]
    if g.kind[src] == "Input":
        return
    if g.kind[src] not in NEURON_TYPES:
        raise UnsupportedFeatureError(
            f"{g.owner(name)} is fed by {g.owner(src)}: the emulator returns the spikes or "
            "the v of a neuron node, so an Output must follow one (through Flatten nodes "
            "at most); add an LI node to read a weighted sum")
    net.probe(objects[src], "spikes" if g.maps[src].spiking else "v")
