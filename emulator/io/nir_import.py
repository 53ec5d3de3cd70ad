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

A file is read by emulator/io/nir_file.py (in a child process, under a time limit). What
it holds is checked as it is used: every size computed from it (an Input's shape, an
unrolled convolution, a composed matrix) is bounded before anything of that size is
allocated: at most MAX_ELEMENTS elements, and no more than the memory limit
(emulator.memory) holds (ResourceLimitError naming the node).
"""
import math
import os

import numpy as np
import scipy.sparse as sp

from ..errors import (ParameterRangeError, ResourceLimitError, ShapeError, UnknownNameError,
                      UnsupportedFeatureError)
from ..memory import format_bytes, memory_limit
from ..network import MAX_DELAY, Network
from ..neurons import FloatLIF
from .nir_file import build_graph, check_timeout, node_kinds, read_tree
from .nir_neurons import NEURON_TYPES, check_discretization, check_step, neuron_map
from .nir_package import describe, real_array, require_nir
from .nir_weights import ENTRY_BYTES, WEIGHT_TYPES, check_entries, weight_op

SUPPORTED = ("Input", "Output", *WEIGHT_TYPES, *NEURON_TYPES)
#: The most elements from_nir builds in one input, population or weight matrix.
MAX_ELEMENTS = 2**31
#: The most weight nodes in a row between two neuron nodes (each is composed recursively).
MAX_CHAIN = 100


def _check_kind(name, kind):
    if kind not in SUPPORTED:
        hint = " (nested graphs: flatten them first)" if kind == "NIRGraph" else ""
        raise UnsupportedFeatureError(
            f"NIR node {name!r} of type {kind} is not supported{hint}; from_nir reads "
            f"{', '.join(SUPPORTED)}")


def _declared(node, key, direction):
    """The shape a node declares for its input or output, as given (None: none)."""
    types = getattr(node, key, None)
    return types.get(direction) if isinstance(types, dict) else None


def _shape(value):
    """`value` as a shape (a tuple of integers >= 1), or None if it is not one."""
    arr = real_array(value)
    if arr is None or arr.ndim > 1 or not np.all(np.isfinite(arr)) or np.any(arr < 1) or \
            np.any(arr != np.round(arr)):
        return None
    return tuple(int(s) for s in np.atleast_1d(arr))


def _element_limit():
    """The most elements from_nir builds in one input, population or matrix: MAX_ELEMENTS,
    or fewer when the memory limit holds fewer weights (with their indices)."""
    return min(MAX_ELEMENTS, memory_limit()[0] // ENTRY_BYTES)


def _bounded(owner, what, n):
    """ResourceLimitError unless `what` (n elements) fits _element_limit()."""
    limit = _element_limit()
    if n > limit:
        nbytes, source = memory_limit()
        raise ResourceLimitError(f"{owner}: {what} has {n:,} elements ({ENTRY_BYTES * n:,} "
                                 f"bytes with indices), more than the {limit:,} from_nir builds "
                                 f"(at most {MAX_ELEMENTS:,}, and within the memory limit of "
                                 f"{format_bytes(nbytes)}: {source})")


def _product_size(a, b):
    """An upper bound on the nonzeros of a @ b (CSR matrices), before computing it: the
    products the multiplication forms, at most the dense size."""
    per_column = np.bincount(a.indices, minlength=a.shape[1]).astype(np.float64)
    return min(int(per_column @ np.diff(b.indptr)), a.shape[0] * b.shape[1])


def _clean(name):
    return str(name).replace(".", "_").replace("/", "_")


class _Graph:
    """The walk from the targets back to the sources, memoised per weight node."""

    def __init__(self, graph, dt):
        self.nodes = graph.nodes
        self.dt = dt
        self.kind = {name: type(node).__name__ for name, node in self.nodes.items()}
        for name, kind in self.kind.items():
            _check_kind(name, kind)
        self.pre = {name: [] for name in self.nodes}
        for edge in graph.edges:
            if not (isinstance(edge, (tuple, list)) and len(edge) == 2):
                raise ShapeError(f"NIR edge {describe(edge)}: expected a (source, target) pair")
            src, dst = edge
            for end in (src, dst):
                try:
                    known = end in self.nodes
                except TypeError:  # unhashable: no node's name
                    known = False
                if not known:
                    raise UnknownNameError(f"NIR edge ({describe(src)}, {describe(dst)}): no "
                                           f"node named {describe(end)}")
            self.pre[dst].append(src)
        self.maps = {}
        self._done, self._busy = {}, set()

    def owner(self, name):
        return f"NIR node {name!r} ({self.kind[name]})"

    def sized(self, name, what, value):
        """The shape `value` that node `name` declares as `what`, checked to be one and
        to hold at most _element_limit() elements."""
        shape = _shape(value)
        if shape is None:
            raise ShapeError(f"{self.owner(name)}: its {what} {describe(value)} is not a "
                             "shape (integer sizes >= 1)")
        _bounded(self.owner(name), f"its {what} {shape}", math.prod(shape))
        return shape

    def source_shape(self, name):
        if self.kind[name] == "Input":
            shape = _declared(self.nodes[name], "input_type", "input")
            if shape is None:
                raise ShapeError(f"{self.owner(name)}: its shape is missing")
            return self.sized(name, "shape", shape)
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
            n = math.prod(shape)
            return [(name, sp.identity(n, format="csr"), 0)], np.zeros(n), shape
        if name in self._done:
            return self._done[name]
        if name in self._busy:
            raise UnsupportedFeatureError(f"{self.owner(name)} lies on a cycle of weight nodes "
                                          "with no neuron node in it")
        if len(self._busy) >= MAX_CHAIN:
            raise UnsupportedFeatureError(
                f"{self.owner(name)}: more than {MAX_CHAIN} weight nodes in a row lead from it "
                f"to a neuron node; from_nir composes at most {MAX_CHAIN}")
        self._busy.add(name)
        terms, constant, shape = self.input(name)
        if shape is None:
            shape = _declared(self.nodes[name], "input_type", "input")
            if shape is None:
                raise ShapeError(f"{self.owner(name)} has no input edge and no declared "
                                 "input shape")
            shape = self.sized(name, "declared input shape", shape)
        op = weight_op(self.owner(name), kind, self.nodes[name], shape, self.dt,
                       _element_limit())
        out = []
        for src, matrix, delay in terms:
            check_entries(self.owner(name), f"its matrix from {src!r}",
                          _product_size(op.matrix, matrix), _element_limit())
            if op.delays is None:
                out.append((src, op.matrix @ matrix, delay))
                continue
            for d in np.unique(op.delays):
                out.append((src, sp.diags((op.delays == d).astype(np.float64)) @ matrix,
                            delay + int(d)))
        if constant is None:  # nothing feeds the node: it only adds its bias
            constant = np.zeros(op.matrix.shape[1])
        with np.errstate(over="ignore", invalid="ignore"):  # FloatLIF refuses a bias not finite
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
            if shape is not None and math.prod(s) != math.prod(shape):
                raise ShapeError(f"{self.owner(name)}: its inputs differ in size: {first!r} "
                                 f"gives shape {shape}, {pre!r} gives {s}")
            terms += t
            constant = c if constant is None else constant + c
            if shape is None:
                shape, first = s, pre
        declared = _shape(_declared(self.nodes[name], "input_type", "input"))
        if declared is not None and shape is not None:
            # A declared shape gives the dimensions of what flows in; its size is checked
            # against the node's own parameters, since nir derives the declared shapes of
            # convolutions, pools and Flatten, and gets some wrong (a grouped
            # convolution's input channels as C_in / groups, a non-square kernel's width
            # as its height, even sizes < 1, which are then no shape at all).
            spatial = math.prod(declared[1:])
            if self.kind[name] in ("Conv1d", "Conv2d") and math.prod(shape) % spatial == 0:
                shape = (math.prod(shape) // spatial, *declared[1:])
            elif math.prod(declared) == math.prod(shape):
                shape = declared
        return terms, constant, shape


def _read(nir, graph_or_path, timeout):
    if isinstance(graph_or_path, nir.NIRGraph):
        return graph_or_path
    if not isinstance(graph_or_path, (str, os.PathLike)):
        raise ParameterRangeError(f"from_nir: graph_or_path={graph_or_path!r}; expected a "
                                  "nir.NIRGraph or the path of a NIR file")
    return graph_from_tree(nir, graph_or_path, read_tree(graph_or_path, timeout))


def graph_from_tree(nir, path, tree):
    """The nir.NIRGraph of the tree read from the NIR file at `path`, once every node's
    type is one from_nir reads (UnsupportedFeatureError otherwise)."""
    for name, kind in node_kinds(path, tree).items():
        _check_kind(name, kind)
    return build_graph(nir, path, tree)


def from_nir(graph_or_path, dt=1e-3, name_prefix="", discretization="exact", timeout=None):
    """A float Network from a NIR graph (a nir.NIRGraph, or the path of a file nir.write
    wrote): compile it with emulator.compile(net, target, dt=dt), or convert it with
    emulator.quantize(net, target, dt). dt: the step length in seconds, which turns
    the graph's continuous time into steps. discretization: "exact" (exponential
    decays) or "euler" (forward Euler, as snnTorch and Norse step their models).
    timeout: the seconds a file may take to read (None: 5 s plus 1 s per MB); a file is
    read in a child process, and a damaged one raises FileFormatError (docs/nir.md).
    Each Output node becomes a probe of the population feeding it."""
    nir = require_nir()
    dt = check_step("from_nir", dt)
    check_discretization("from_nir", discretization)
    timeout = check_timeout("from_nir", timeout)
    if not isinstance(name_prefix, str):
        raise ParameterRangeError(f"from_nir: name_prefix={name_prefix!r} must be a string")
    g = _Graph(_read(nir, graph_or_path, timeout), dt)
    for name, kind in g.kind.items():
        if kind in NEURON_TYPES:
            g.maps[name] = neuron_map(g.owner(name), kind, g.nodes[name], dt, discretization)
            _bounded(g.owner(name), f"its population of shape {g.maps[name].shape}",
                     g.maps[name].n)
    net = Network()
    objects = {}
    for name, kind in g.kind.items():
        if kind == "Input":
            n = math.prod(g.source_shape(name))
            objects[name] = net.input(n, name=name_prefix + _clean(name))
    incoming = {}
    for name, m in g.maps.items():
        terms, constant, shape = g.input(name)
        if shape is not None and math.prod(shape) != m.n:
            raise ShapeError(f"{g.owner(name)} has {m.n} neurons (shape {m.shape}), but its "
                             f"input has shape {shape}")
        with np.errstate(over="ignore", invalid="ignore"):  # FloatLIF refuses a bias not finite
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
    seen = {name}
    while len(pres) == 1 and g.kind[pres[0]] == "Flatten":
        node = pres[0]
        if node in seen:
            raise UnsupportedFeatureError(f"{g.owner(node)} lies on a cycle of weight nodes "
                                          "with no neuron node in it")
        seen.add(node)
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
