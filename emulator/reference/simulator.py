"""ReferenceSimulator: a Network stepped in plain numpy, the oracle of the property tests.

Written to be read, not to be fast: one Python loop over time steps, each step in the
order of spec/neurocore.md section 1.

    for t = 1, 2, ...:
      1. every population takes a(t): per input port of its model, the sum of the
         shifted per-connection sums that were scheduled for step t on that port
         (synapses.connection_input; a connection feeds the port `conn.port`)
      2. every population updates its neurons (MODELS[kind] step) and emits its payloads
      3. every input emits raster row t - 1 (0-based, counted over the simulator's life)
      4. every connection turns what its pre side emitted at step t into contributions
         arriving at step t + 1 + delay (with its weights as they stand in step t)
      5. every plastic connection runs its spike phase, and at the end of an epoch its
         learning phase (learning.PlasticConnection)

So a raster row k reaches a neuron behind a delay-0 connection at step k + 2, a spike of
step t reaches the next population at step t + 1, and a delay d adds d steps. `run` goes
on from where the previous call ended (state, step count and pending deliveries), as one
longer run; `reset` starts over at step 1.

Payloads (section 6): a binary input emits 1 where its raster is nonzero; a graded input
emits the raster value, and a graded neuron (sigma-delta, delta, sigma) its raw payload,
each saturated to the signed payload width (default 24 bits) or, in strict mode, refused
with PayloadRangeError. One rule, `_saturate`, serves both. A refused input raster stops
`run` before anything is simulated; a refused neuron payload stops it in the middle of a
step, and the simulator must then be reset.

Every model step has the signature step(params, state, a, limit) -> (state, payload):
params the per-neuron int64 arrays of `model.resolve`, a the (n_ports, n) input of the
step, limit the payload rule above (binary models ignore it).
"""
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import (InputError, ParameterRangeError, PayloadRangeError,
                      UnknownNameError, UnsupportedFeatureError)
from ..network import CONNECTION_PROBES
from . import lif, resonator, sigma_delta
from .learning import PlasticConnection
from .synapses import connection_input, prepare_weights

#: Neuron models the reference implements: model kind -> (initial_state, step).
MODELS = {"lif": (lif.initial_state, lif.lif_step),
          "sigma_delta": (sigma_delta.sigma_delta_initial_state, sigma_delta.sigma_delta_step),
          "delta": (sigma_delta.delta_initial_state, sigma_delta.delta_step),
          "sigma": (sigma_delta.sigma_initial_state, sigma_delta.sigma_step),
          "rf": (resonator.initial_state, resonator.rf_step)}
#: A spike is an int32 message (section 6): the payload width can be at most 32 bits.
MAX_PAYLOAD_BITS = 32


@dataclass
class ReferenceResult:
    """What one `run` call recorded, one row per step of that call.

    spikes[pop]: (steps, n) int64, 0/1 for binary populations (the payload sent for
    graded ones); state[pop][var]: (steps, n) int64, the value after each step;
    a_in[pop]: (steps, n) int64, the synaptic input the population received at each step
    on its model's first port (ResonateFire: the real input).
    connections[conn][var]: every probe variable of every plastic connection after each
    step: weights, tags, delay_fields as (steps, n_post, n_pre), x1, x2 as (steps,
    n_pre), y1, y2, y3 as (steps, n_post).
    """
    spikes: dict
    state: dict
    a_in: dict
    connections: dict


class ReferenceSimulator:
    """Step a `network.Network` with the integer semantics of spec/neurocore.md.

    payload_bits: width of a graded payload (signed); strict: raise PayloadRangeError on a
    graded payload (of an input or a neuron) outside that width instead of saturating it.
    """

    def __init__(self, net, payload_bits=24, strict=False):
        if isinstance(payload_bits, bool) or not isinstance(payload_bits, (int, np.integer)) \
                or not 1 <= payload_bits <= MAX_PAYLOAD_BITS:
            raise ParameterRangeError(f"ReferenceSimulator: parameter payload_bits="
                                      f"{payload_bits!r} must be an integer in "
                                      f"[1, {MAX_PAYLOAD_BITS}]")
        self.net = net
        self.payload_bits = int(payload_bits)
        self.strict = bool(strict)
        if not net.quantized:
            raise UnsupportedFeatureError(
                "ReferenceSimulator: the network has float weights or FloatLIF "
                "populations; convert it with emulator.quantize(net, target, dt=...) and "
                "simulate its .network")
        for pop in net.populations:
            if pop.model.kind not in MODELS:
                raise UnsupportedFeatureError(
                    f"population {pop.name!r}: the reference model has no neuron model "
                    f"{pop.model.kind!r}; it implements {sorted(MODELS)}")
        self._weights = {conn.name: prepare_weights(conn.weights, conn.sign_mode,
                                                    conn.num_weight_bits)
                         for conn in net.connections}
        self.reset()

    @property
    def payload_range(self):
        """(lo, hi): the signed range a graded payload must lie in."""
        return -2 ** (self.payload_bits - 1), 2 ** (self.payload_bits - 1) - 1

    def reset(self):
        """Start over: zero state, no pending deliveries, the next step is step 1."""
        self.t = 0  # the last step run; 0 before the first
        self._state = {pop.name: MODELS[pop.model.kind][0](pop.params, pop.n)
                       for pop in self.net.populations}
        # per population: arrival step -> (n_ports, n) summed contributions already
        # scheduled for it, one row per input port of the model
        self._pending = {pop.name: {} for pop in self.net.populations}
        self._plastic = {conn.name: PlasticConnection(conn, self._weights[conn.name])
                         for conn in self.net.connections if conn.plastic}

    def _current_weights(self, conn):
        plastic = self._plastic.get(conn.name)
        return plastic.w if plastic is not None else self._weights[conn.name]

    def run(self, steps, inputs=None):
        """Run `steps` more steps; inputs: {input name: (steps, n) integer raster}.

        Every input of the network needs a raster; row k is emitted at step self.t + k + 1.
        Returns a ReferenceResult with one row per step of this call.
        """
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise InputError(f"run: steps={steps!r} must be a non-negative integer")
        steps = int(steps)
        emitted_by_inputs = self._input_payloads(steps, inputs)

        pops = self.net.populations
        spikes = {p.name: np.zeros((steps, p.n), dtype=np.int64) for p in pops}
        a_in = {p.name: np.zeros((steps, p.n), dtype=np.int64) for p in pops}
        state = {p.name: {var: np.zeros((steps, p.n), dtype=np.int64)
                          for var in p.model.state_vars} for p in pops}
        learned = {name: {var: [] for var in CONNECTION_PROBES} for name in self._plastic}

        for k in range(steps):
            t = self.t + 1
            emitted = {}
            for pop in pops:
                a = self._pending[pop.name].pop(
                    t, np.zeros((len(pop.model.ports), pop.n), dtype=np.int64))
                step = MODELS[pop.model.kind][1]
                self._state[pop.name], emitted[pop.name] = step(
                    pop.params, self._state[pop.name], a, self._neuron_limit(pop, t))
                a_in[pop.name][k] = a[0]
                spikes[pop.name][k] = emitted[pop.name]
                for var in pop.model.state_vars:
                    state[pop.name][var][k] = self._state[pop.name][var]
            for inp in self.net.inputs:
                emitted[inp.name] = emitted_by_inputs[inp.name][k]
            for conn in self.net.connections:
                contributions = connection_input(conn, self._current_weights(conn),
                                                 emitted[conn.pre.name])
                for delay, contribution in contributions:
                    self._schedule(conn, t + 1 + delay, contribution)
            for name, plastic in self._plastic.items():
                conn = plastic.conn
                modulation = {trace: np.broadcast_to(emitted[src.name], (conn.post.n,))
                              for trace, src in conn.modulators.items()}
                plastic.step(t, emitted[conn.pre.name], emitted[conn.post.name], modulation)
                for var, values in learned[name].items():
                    values.append(plastic.probe(var))
            self.t = t
        connections = {name: {var: np.array(v) if v else _empty(self._plastic[name], var)
                              for var, v in d.items()} for name, d in learned.items()}
        return ReferenceResult(spikes=spikes, state=state, a_in=a_in, connections=connections)

    def plastic(self, name):
        """The learning state of plastic connection `name` (a PlasticConnection)."""
        if name not in self._plastic:
            raise UnknownNameError(f"no plastic connection named {name!r}; plastic: "
                                   f"{sorted(self._plastic)}")
        return self._plastic[name]

    def _schedule(self, conn, arrival, contribution):
        """Add a contribution of `conn` into its post population's port, for `arrival`."""
        pending = self._pending[conn.post.name]
        if arrival not in pending:
            pending[arrival] = np.zeros((len(conn.post.model.ports), conn.post.n),
                                        dtype=np.int64)
        pending[arrival][conn.port_index] += contribution

    def _input_payloads(self, steps, inputs):
        """Validated payloads every input emits in this run: name -> (steps, n) int64.

        Nothing is simulated before every raster has been checked, so a bad raster leaves
        the simulator as it was.
        """
        if inputs is None:
            inputs = {}
        if not isinstance(inputs, Mapping):
            raise InputError(f"run: inputs must be a dict {{input name: raster}}, got "
                             f"{type(inputs).__name__}")
        names = [inp.name for inp in self.net.inputs]
        for name in inputs:
            if name not in names:
                raise UnknownNameError(f"run: unknown input {name!r}; the inputs of this "
                                       f"network are {names}")
        payloads = {}
        for inp in self.net.inputs:
            expected = (steps, inp.n)
            if inp.name not in inputs:
                raise InputError(f"run: input {inp.name!r} is missing; give a raster of "
                                 f"shape {expected} (integers or bool)")
            raster = np.asarray(inputs[inp.name])
            if not (raster.dtype == bool or np.issubdtype(raster.dtype, np.integer)):
                raise InputError(f"run: input {inp.name!r}: raster has dtype {raster.dtype}; "
                                 f"expected an integer or bool dtype, shape {expected}")
            if raster.shape != expected:
                raise InputError(f"run: input {inp.name!r}: raster has shape {raster.shape} "
                                 f"(dtype {raster.dtype}); expected shape {expected} "
                                 "(steps, n)")
            if inp.graded:
                payloads[inp.name] = self._limit_input(inp.name, raster)
            else:
                payloads[inp.name] = (raster != 0).astype(np.int64)
        return payloads

    def _saturate(self, values):
        """(values saturated to payload_range, as int64; mask of the values outside it).

        The one saturation rule of section 6, for inputs and neurons alike."""
        lo, hi = self.payload_range
        if values.dtype == bool:
            return values.astype(np.int64), np.zeros(values.shape, dtype=bool)
        if np.issubdtype(values.dtype, np.unsignedinteger):
            # cut in the values' own dtype first: a uint64 value may not fit int64
            return np.minimum(values, hi).astype(np.int64), values > hi
        wide = values.astype(np.int64)
        return np.clip(wide, lo, hi), (wide < lo) | (wide > hi)

    def _limit_input(self, input_name, raster):
        """A graded input's raster saturated to the payload width, or refused in strict
        mode (naming the input, the row, the step, the channel and the value)."""
        limited, outside = self._saturate(raster)
        if self.strict and outside.any():
            lo, hi = self.payload_range
            row, channel = (int(i) for i in np.argwhere(outside)[0])
            raise PayloadRangeError(
                f"input {input_name!r}: payload {raster[row, channel]} (row {row}, step "
                f"{self.t + row + 1}, channel {channel}) is outside the {self.payload_bits}-bit "
                f"payload range [{lo}, {hi}]")
        return limited

    def _neuron_limit(self, pop, t):
        """The `limit` a model step applies to its raw payloads at step t: saturate, or in
        strict mode refuse the first out-of-range payload (naming the population, the
        neuron, the step and the value)."""
        def limit(raw):
            limited, outside = self._saturate(raw)
            if self.strict and outside.any():
                lo, hi = self.payload_range
                neuron = int(np.flatnonzero(outside)[0])
                raise PayloadRangeError(
                    f"population {pop.name!r}: neuron {neuron} sends payload {raw[neuron]} "
                    f"at step {t}, outside the {self.payload_bits}-bit payload range "
                    f"[{lo}, {hi}] (strict mode)")
            return limited
        return limit


def _empty(plastic, var):
    """A zero-step recording of `var` (run(0))."""
    return np.zeros((0, *plastic.probe(var).shape), np.int64)
