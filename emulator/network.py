"""The network description: inputs, populations, connections and probes.

A Network is plain data. `emulator.compile` maps it onto a target; the reference models
in `emulator.reference` simulate it directly. Neither changes it.
"""
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .errors import (ParameterRangeError, ShapeError, UnknownNameError, UnsupportedFeatureError,
                     check_bool, check_range)
from .learning import POST_TRACES, PRE_TRACES, LearningRule
from .memory import require_memory

SIGN_MODES = ("mixed", "excitatory", "inhibitory")
#: Weight range of each sign mode (spec section 2); a plastic connection's weights stay in it.
WEIGHT_RANGE = {"mixed": (-256, 255), "excitatory": (0, 255), "inhibitory": (-255, 0)}
#: What a probe on a plastic connection can record, and over which axis of neurons:
#: "synapses" gives (steps, n_post, n_pre) arrays, "pre" (steps, n_pre), "post" (steps, n_post).
CONNECTION_PROBES = {"weights": "synapses", "tags": "synapses", "delay_fields": "synapses",
                     **{t: "pre" for t in PRE_TRACES}, **{t: "post" for t in POST_TRACES}}
#: Post traces a third factor (Network.modulate) can drive.
MODULATED_TRACES = ("y2", "y3")
#: Delays the target stores (spec section 2: 0..62 on the target).
MAX_DELAY = 62
#: The most neurons or channels one population or input may have: the kernel numbers
#: its sources in 32 bits.
MAX_SIZE = 2**31 - 1
#: Bytes a population takes per neuron while it is built: up to eight per-neuron int64
#: or float64 parameter arrays and their temporaries.
NEURON_BYTES = 128
#: Bytes a connection takes per synapse while it is built: its canonical pre, post,
#: weight and delay arrays (int64) and the temporaries that order them.
SYNAPSE_BYTES = 64


@dataclass(eq=False)
class Input:
    """`n` input channels fed from a raster at run time.

    Row k of the raster given to a `run` call is emitted at step s + k + 1, s being the
    steps already run, and reaches a neuron behind a delay-0 connection one step later.

    A binary input (graded=False) sends a spike of payload 1 wherever the raster is
    nonzero; a graded input sends the raster value itself as payload.
    """
    name: str
    n: int
    graded: bool = False

    def __repr__(self):
        return f"Input({self.name!r}, n={self.n})"


@dataclass(eq=False)
class Population:
    """`n` neurons of one model."""
    name: str
    n: int
    model: object
    params: dict  # validated per-neuron int64 arrays, from model.resolve

    @property
    def graded(self):
        return self.model.graded

    def __repr__(self):
        return f"Population({self.name!r}, n={self.n}, {type(self.model).__name__})"


@dataclass(eq=False)
class Connection:
    """Synapses from `pre` (an Input or Population) to `post` (a Population).

    The synapses are kept in canonical order (by pre neuron, then post neuron) as flat
    arrays: `post_index`, `pre_index`, `weights` (as given, before the target's clipping
    and truncation) and `delays`. A dense weight matrix stores every entry (zeros too);
    a sparse one stores its stored entries. Float weights (float64, `weight_exp` None)
    wait for `emulator.quantize` to give them a mantissa and an exponent.
    """
    name: str
    pre: object
    post: Population
    pre_index: np.ndarray
    post_index: np.ndarray
    weights: np.ndarray
    delays: np.ndarray
    dense: bool
    weight_exp: int
    num_weight_bits: int
    sign_mode: str
    num_message_bits: int
    port: str = "input"  # which synaptic input of the post model (its `ports`)
    rule: object = None  # a learning.LearningRule: the connection is plastic
    modulators: dict = field(default_factory=dict)  # post trace -> Input or Population

    @property
    def plastic(self):
        return self.rule is not None

    @property
    def quantized(self):
        """True when the weights are integers (the synaptic format), False for float."""
        return self.weights.dtype.kind == "i"

    @property
    def port_index(self):
        """Position of `port` among the post model's ports (0 for single-input models)."""
        return self.post.model.ports.index(self.port)

    @property
    def graded(self):
        """True when payloads multiply the weights (num_message_bits > 0)."""
        return self.num_message_bits > 0

    @property
    def n_synapses(self):
        return len(self.weights)

    def __repr__(self):
        return f"Connection({self.name!r}, {self.pre.name} -> {self.post.name})"


# Values are clipped to this magnitude before the cast to int64: far beyond any weight or
# delay range, so a huge value still clips (or is rejected) as itself instead of wrapping.
_CAST_LIMIT = 2**62


def _integer_array(owner, name, arr):
    arr = np.asarray(arr)
    if arr.dtype == bool:
        return arr.astype(np.int64)
    if np.issubdtype(arr.dtype, np.unsignedinteger):
        return np.minimum(arr, _CAST_LIMIT).astype(np.int64)
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64)
    if np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr)) \
            and np.all(arr == np.round(arr)):
        return np.clip(arr, -_CAST_LIMIT, _CAST_LIMIT).astype(np.int64)
    raise ParameterRangeError(
        f"{owner}: {name} must hold integers (dtype {arr.dtype} with non-integral values "
        "given); quantize float weights first")


def _weight_array(owner, arr, keep_float):
    """Weights as int64, or as float64 when they are for quantize to convert: into a
    floating-point model (keep_float), or real numbers that are not all integers."""
    arr = np.asarray(arr)
    if np.issubdtype(arr.dtype, np.floating) or \
            (keep_float and (arr.dtype == bool or np.issubdtype(arr.dtype, np.number))):
        values = arr.astype(np.float64)
        if not np.all(np.isfinite(values)):
            raise ParameterRangeError(f"{owner}: weights must be finite numbers")
        if keep_float or np.any(values != np.round(values)):
            return values
    return _integer_array(owner, "weights", arr)


def _synapse_arrays(owner, weights, delays, shape, keep_float=False):
    """Canonical (pre, post, weight, delay, dense) arrays of a connection."""
    n_post, n_pre = shape
    if sp.issparse(weights):
        if weights.shape != shape:
            raise ShapeError(f"{owner}: weights have shape {weights.shape}; expected "
                             f"(n_post, n_pre) = {shape}")
        coo = weights.tocsc(copy=True)
        coo.sum_duplicates()
        coo = coo.tocoo()
        order = np.lexsort((coo.row, coo.col))
        post = coo.row[order].astype(np.int64)
        pre = coo.col[order].astype(np.int64)
        w = _weight_array(owner, coo.data[order], keep_float)
        dense = False
    else:
        w2 = np.asarray(weights)
        if w2.shape != shape:
            raise ShapeError(f"{owner}: weights have shape {w2.shape}; expected "
                             f"(n_post, n_pre) = {shape}")
        w2 = _weight_array(owner, w2, keep_float)
        pre, post = np.meshgrid(np.arange(n_pre), np.arange(n_post), indexing="ij")
        pre, post = pre.ravel(), post.ravel()
        w = w2.T.ravel()
        dense = True
    if delays is None:
        d = np.zeros(len(w), dtype=np.int64)
    elif sp.issparse(delays):
        if delays.shape != shape:
            raise ShapeError(f"{owner}: delays have shape {delays.shape}; expected {shape}")
        dc = delays.tocoo()
        if dc.nnz and len(np.unique(dc.row.astype(np.int64) * n_pre + dc.col)) != dc.nnz:
            raise ShapeError(f"{owner}: delays hold two entries for one synapse")
        keys = post * n_pre + pre
        dkeys = dc.row.astype(np.int64) * n_pre + dc.col
        order = np.argsort(keys)
        pos = np.searchsorted(keys[order], dkeys)
        pos = np.minimum(pos, len(keys) - 1) if len(keys) else pos
        if len(dkeys) and (len(keys) == 0 or np.any(keys[order][pos] != dkeys)):
            raise ShapeError(f"{owner}: delays have entries where weights have no synapse")
        d = np.zeros(len(w), dtype=np.int64)
        d[order[pos]] = _integer_array(owner, "delays", dc.data)
    else:
        d2 = np.asarray(delays)
        if d2.shape != shape:
            raise ShapeError(f"{owner}: delays have shape {d2.shape}; expected "
                             f"(n_post, n_pre) = {shape}")
        d = _integer_array(owner, "delays", d2)[post, pre]
    check_range(owner, "delays", d, 0, MAX_DELAY)
    return pre, post, w, d, dense


class Network:
    """A spiking network: inputs, populations, connections and probes."""

    def __init__(self):
        self.inputs = []
        self.populations = []
        self.connections = []
        self.probes = []  # (population name, variable)
        self.connection_probes = []  # (plastic connection name, variable)

    def __repr__(self):
        """What hypothesis prints for a falsifying network: every part, briefly."""
        parts = [f"inputs {[(i.name, i.n) + (('graded',) if i.graded else ()) for i in self.inputs]}",
                 "populations " + str([(p.name, p.n, p.model) for p in self.populations]),
                 "connections " + str([(c.name, c.pre.name, c.post.name, c.n_synapses,
                                        "dense" if c.dense else "sparse") for c in self.connections])]
        if self.probes:
            parts.append(f"probes {self.probes}")
        return "Network(" + "; ".join(parts) + ")"

    def _name(self, name, prefix, taken):
        if name is None:
            k, used = len(taken), self._names()
            while f"{prefix}{k}" in used:
                k += 1
            name = f"{prefix}{k}"
        if not isinstance(name, str) or not name or "." in name or "/" in name:
            raise ParameterRangeError(
                f"name {name!r} is not allowed: use a non-empty string without '.' or '/'")
        if name in self._names():
            raise ParameterRangeError(f"name {name!r} is used twice in this network")
        return name

    def _names(self):
        return {o.name for o in (*self.inputs, *self.populations, *self.connections)}

    @staticmethod
    def _size(owner, n):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ParameterRangeError(f"{owner}: size n={n!r} must be a positive integer")
        if n > MAX_SIZE:
            raise ParameterRangeError(f"{owner}: size n={n} is outside the allowed range "
                                      f"[1, {MAX_SIZE}] (the kernel numbers neurons in 32 bits)")
        return int(n)

    def input(self, n, name=None, graded=False):
        """Add `n` input channels; returns the Input."""
        name = self._name(name, "input", self.inputs)
        inp = Input(name, self._size(f"input {name!r}", n),
                    check_bool(f"input {name!r}", "graded", graded))
        self.inputs.append(inp)
        return inp

    def population(self, n, model, name=None):
        """Add `n` neurons of `model` (e.g. emulator.LIF(...)); returns the Population."""
        name = self._name(name, "pop", self.populations)
        n = self._size(f"population {name!r}", n)
        if not hasattr(model, "resolve"):
            raise ParameterRangeError(f"population {name!r}: {model!r} is not a neuron model")
        require_memory(f"population {name!r} of {n} neurons", n * NEURON_BYTES)
        pop = Population(name, n, model, model.resolve(f"population {name!r}", n))
        self.populations.append(pop)
        return pop

    @property
    def quantized(self):
        """True when every weight and neuron model is integer, so the network can run;
        False when `emulator.quantize` must convert it first."""
        return all(c.quantized for c in self.connections) and \
            not any(getattr(p.model, "floating", False) for p in self.populations)

    def connect(self, pre, post, weights, weight_exp=None, num_weight_bits=8, sign_mode=None,
                delays=None, num_message_bits=0, port=None, rule=None, name=None):
        """Connect `pre` (Input or Population) to `post` (Population).

        weights: (n_post, n_pre) array or scipy.sparse matrix. Integers are the synaptic
        format itself, scaled by 2**weight_exp (default 0). Real numbers that are not all
        integers, and any weights into a floating-point model (FloatLIF), are float
        weights: leave weight_exp None, and `emulator.quantize` chooses the mantissas and
        the exponent for the target. delays: optional, of the same shape (dense) or
        sparsity. sign_mode: None infers it from the weights
        (all >= 0: excitatory, all <= 0: inhibitory, else mixed; all-zero: excitatory).
        num_message_bits: 0 for binary spikes (any nonzero payload counts as 1), > 0 for
        graded spikes (weight x payload). port: which input of the post neurons the
        synapses feed, for models with several (ResonateFire: "real" or "imag"); None
        picks the model's first. rule: an emulator.LearningRule makes the connection
        plastic (spec section 7); its sign_mode then defaults to "mixed" and its weights
        must lie in the sign mode's range (mixed [-256, 255], excitatory [0, 255],
        inhibitory [-255, 0]), where learning keeps them.
        """
        name = self._name(name, "conn", self.connections)
        owner = f"connection {name!r}"
        if not any(pre is o for o in (*self.inputs, *self.populations)):
            raise UnknownNameError(f"{owner}: pre {pre!r} is not an input or population "
                                   "of this network")
        if not any(post is p for p in self.populations):
            raise UnknownNameError(f"{owner}: post {post!r} is not a population of this network")
        n_synapses = weights.nnz if sp.issparse(weights) else post.n * pre.n
        require_memory(f"{owner} of {n_synapses} synapses ({post.n} x {pre.n})",
                       n_synapses * SYNAPSE_BYTES,
                       "a scipy.sparse matrix of the nonzero weights takes memory per stored "
                       "synapse only")
        pre_i, post_i, w, d, dense = _synapse_arrays(
            owner, weights, delays, (post.n, pre.n), getattr(post.model, "floating", False))
        if w.dtype.kind == "f":
            if weight_exp is not None:
                raise ParameterRangeError(
                    f"{owner}: weight_exp={weight_exp!r} given with float weights; leave it "
                    "None: emulator.quantize chooses the exponent of float weights")
            if rule is not None:
                raise UnsupportedFeatureError(
                    f"{owner}: a plastic connection needs integer weights in its sign mode's "
                    "range; quantize the weights first (emulator.quantize) and connect those")
        elif weight_exp is None:
            weight_exp = 0
        for pname, val, lo, hi in (("weight_exp", 0 if weight_exp is None else weight_exp, -8, 8),
                                   ("num_weight_bits", num_weight_bits, 1, 8),
                                   ("num_message_bits", num_message_bits, 0, 32)):
            if isinstance(val, bool) or not isinstance(val, (int, np.integer)):
                raise ParameterRangeError(f"{owner}: parameter {pname}={val!r} must be an integer")
            check_range(owner, pname, val, lo, hi)
        if rule is not None and not isinstance(rule, LearningRule):
            raise ParameterRangeError(f"{owner}: rule={rule!r} must be an emulator.LearningRule")
        if sign_mode is None and rule is not None:
            sign_mode = "mixed"
        elif sign_mode is None:
            if np.all(w >= 0):
                sign_mode = "excitatory"
            elif np.all(w <= 0):
                sign_mode = "inhibitory"
            else:
                sign_mode = "mixed"
        elif not isinstance(sign_mode, str) or sign_mode.lower() not in SIGN_MODES:
            raise ParameterRangeError(f"{owner}: sign_mode={sign_mode!r}; expected None or "
                                      f"one of {SIGN_MODES} (any case)")
        if rule is not None:
            lo, hi = WEIGHT_RANGE[sign_mode.lower()]
            check_range(f"{owner} (plastic, sign_mode {sign_mode.lower()!r})", "weights", w, lo, hi)
        ports = post.model.ports
        if port is None:
            port = ports[0]
        elif port not in ports:
            raise UnknownNameError(f"{owner}: port={port!r} is not an input of population "
                                   f"{post.name!r} ({type(post.model).__name__}); its ports "
                                   f"are {ports}")
        conn = Connection(name, pre, post, pre_i, post_i, w, d, dense,
                          None if weight_exp is None else int(weight_exp),
                          int(num_weight_bits), sign_mode.lower(), int(num_message_bits),
                          port, rule)
        self.connections.append(conn)
        return conn

    def modulate(self, source, connection, trace="y2"):
        """Drive post trace `trace` ("y2" or "y3") of the plastic `connection` from
        `source` (a graded Input, or a Population, of connection.post.n channels or of
        one channel broadcast to every post neuron): the third factor of spec section 7.

        Each step, after the post spikes' trace bookkeeping, the trace of post neuron i is
        overwritten with the payload `source` emits in that step (0 when silent); such a
        trace has impulse 0 and tau 65535. The learning phase at an epoch's end sees the
        value of the epoch's last step. Negative values pass (the factor clip bounds
        them to [-128, 127]), except at post neurons that spiked in the epoch, whose
        history clips them to [0, 127] at the spike's step.
        """
        owner = f"modulate({getattr(source, 'name', source)!r} -> {trace!r})"
        if not isinstance(connection, Connection) or not any(connection is c for c in self.connections):
            raise UnknownNameError(f"{owner}: {connection!r} is not a connection of this network")
        if not connection.plastic:
            raise UnsupportedFeatureError(f"{owner}: connection {connection.name!r} is not "
                                          "plastic; give it a rule=emulator.LearningRule(...)")
        if trace not in MODULATED_TRACES:
            raise UnknownNameError(f"{owner}: trace {trace!r} cannot be modulated; allowed: "
                                   f"{MODULATED_TRACES}")
        if not any(source is o for o in (*self.inputs, *self.populations)):
            raise UnknownNameError(f"{owner}: source {source!r} is not an input or population "
                                   "of this network")
        if source.n not in (1, connection.post.n):
            raise ShapeError(f"{owner}: source {source.name!r} has {source.n} channels; "
                             f"expected 1 or {connection.post.n} (the post neurons of "
                             f"{connection.name!r})")
        if trace in connection.modulators:
            raise ParameterRangeError(f"{owner}: trace {trace!r} of connection "
                                      f"{connection.name!r} is already modulated by "
                                      f"{connection.modulators[trace].name!r}")
        connection.modulators[trace] = source
        return connection

    def probe(self, target, var):
        """Record `var` after every step.

        On a population: "spikes" or a state variable, as (steps, n). On a plastic
        connection: "weights", "tags", "delay_fields" as (steps, n_post, n_pre) int16 (0
        where a sparse connection has no synapse), or a trace: x1, x2 as (steps, n_pre),
        y1, y2, y3 as (steps, n_post), int32. (A dense view every step is large: 2 bytes
        x steps x n_post x n_pre.)
        """
        if not isinstance(var, str):
            raise UnknownNameError(f"probe on {getattr(target, 'name', target)!r}: the variable "
                                   f"must be a name (a string), got {var!r}")
        if isinstance(target, Connection) or (isinstance(target, str) and target in
                                              {c.name for c in self.connections}):
            conn = self.connection_named(target if isinstance(target, str) else target.name)
            if isinstance(target, Connection) and conn is not target:
                raise UnknownNameError(f"probe: connection {target!r} is not a connection of "
                                       "this network")
            if not conn.plastic:
                raise UnsupportedFeatureError(f"probe on connection {conn.name!r}: only "
                                              "plastic connections (rule=...) can be probed")
            if var not in CONNECTION_PROBES:
                raise UnknownNameError(f"probe on connection {conn.name!r}: unknown variable "
                                       f"{var!r}; allowed: {tuple(CONNECTION_PROBES)}")
            if (conn.name, var) not in self.connection_probes:
                self.connection_probes.append((conn.name, var))
            return f"{conn.name}.{var}"
        if not isinstance(target, (str, Population)):
            raise UnknownNameError(f"probe: {target!r} is not a population, a plastic "
                                   "connection or the name of one")
        pop = self.population_named(target if isinstance(target, str) else target.name)
        allowed = ("spikes",) + pop.model.state_vars
        if var not in allowed:
            raise UnknownNameError(f"probe on population {pop.name!r}: unknown variable "
                                   f"{var!r}; allowed: {allowed}")
        if (pop.name, var) not in self.probes:
            self.probes.append((pop.name, var))
        return f"{pop.name}.{var}"

    def connection_named(self, name):
        for c in self.connections:
            if c.name == name:
                return c
        raise UnknownNameError(f"no connection named {name!r}; connections: "
                               f"{[c.name for c in self.connections]}")

    def population_named(self, name):
        for p in self.populations:
            if p.name == name:
                return p
        raise UnknownNameError(f"no population named {name!r}; populations: "
                               f"{[p.name for p in self.populations]}")
