"""The learning engine of one plastic connection, in plain numpy (spec section 7).

State: the synapses' weights w, tags t and delay fields d (flat, in the connection's
synapse order); pre traces x1, x2 and last spike step tx per pre neuron; post traces y1,
y2, y3 and ty per post neuron; five numpy PCG64 streams (x-decay s, x-impulse s+1,
y-decay s+2, y-impulse s+3, synapse stream synapse_seed), each drawn once at
construction.

Each step t, after the step's spikes are sent (`step`):

    w_t = t mod t_epoch, 0 read as t_epoch
    1. pre neurons that spike while tx > 0 add x1, x2 impulses at once (fraction rounds
       up); then tx = w_t for every pre neuron that spiked
    2. the trace streams draw (draw 2t - 1)
    3. post neurons that spike while ty > 0 add y impulses with that y-impulse draw;
       then ty = w_t; then modulated traces take their source's payload
    4. the trace streams draw again (draw 2t); at the end of an epoch, learning runs
       with these draws and the synapse stream's next draw

Learning (`_learn`): trace histories H[0..t_epoch] per side, each product read at the
history step its dependency picks (x0: tx of its pre neuron, y0: ty of its post neuron,
uK: t_epoch), the sum accumulated in 16 bits and stochastically rounded back (see
`_apply_rule`). Every synapse is evaluated every epoch: the kernel's skipping of synapses
without an active dependency must give the same numbers.
"""
import numpy as np

from ..learning import (DEP_X0, DEP_Y0, OFFSET, POST_TRACES, PRE_TRACES, SIGN,
                        TARGETS)
from ..network import WEIGHT_RANGE

#: Trace values are unsigned 7-bit.
TRACE_MAX = 127
#: The 16-bit accumulator's clip (quirk: the lower bound is -2^15 - 1).
ACC_MIN, ACC_MAX = -2**15 - 1, 2**15 - 1
#: Final clips of the delay field and the tag.
D_RANGE, T_RANGE = (0, 255), (-257, 255)
#: Impulse draws are integers in [0, IMPULSE_DRAWS).
IMPULSE_DRAWS = 128


def _decay(values, factor, r_dec):
    """One stochastic decay: floor(val) + (r_dec < frac(val)), val = factor * trace."""
    val = factor * values.astype(np.float64)
    low = np.floor(val)
    return low.astype(np.int64) + (r_dec < (val - low))


class TraceStreams:
    """The four numpy PCG64 streams of the traces and the synapse stream."""

    def __init__(self, seed, synapse_seed):
        self.x_dec, self.x_imp, self.y_dec, self.y_imp = (
            np.random.default_rng(seed + k) for k in range(4))
        self.syn = np.random.default_rng(synapse_seed)
        self.draw()  # every stream draws once at construction
        self.syn.random()

    def draw(self):
        """One advance of the trace streams: (r_dec_x, r_imp_x, r_dec_y, r_imp_y)."""
        return (self.x_dec.random(), int(self.x_imp.integers(0, IMPULSE_DRAWS)),
                self.y_dec.random(), int(self.y_imp.integers(0, IMPULSE_DRAWS)))


class PlasticConnection:
    """Learning state and rules of one plastic `network.Connection`.

    weights: its prepared initial weights (flat, synapse order), which `learn` updates.
    """

    def __init__(self, conn, weights):
        self.conn, self.rule = conn, conn.rule
        self.w = np.array(weights, dtype=np.int64)
        self.d = np.zeros_like(self.w)
        self.t = np.zeros_like(self.w)
        n_pre, n_post = conn.pre.n, conn.post.n
        self.trace = {name: self.rule.trace(name, modulated=name in conn.modulators)
                      for name in PRE_TRACES + POST_TRACES}
        self.x = {name: np.zeros(n_pre, np.int64) for name in PRE_TRACES}
        self.y = {name: np.zeros(n_post, np.int64) for name in POST_TRACES}
        self.tx = np.zeros(n_pre, np.int64)
        self.ty = np.zeros(n_post, np.int64)
        self.streams = TraceStreams(self.rule.seed, self.rule.synapse_seed)

    def step(self, t, pre_payload, post_payload, modulation):
        """Spike phase of step t (and the learning phase at an epoch's end).

        pre_payload, post_payload: what the pre and post sides emitted at step t (0 = no
        spike); modulation: {trace: value per post neuron} of the modulated traces.
        """
        period = self.rule.t_epoch
        w_t = t % period or period
        pre, post = pre_payload != 0, post_payload != 0
        for name in PRE_TRACES:
            tr = self.trace[name]
            repeat = pre & (self.tx > 0)
            self.x[name][repeat] = np.minimum(
                self.x[name][repeat] + tr.impulse_int + (tr.impulse_frac > 0), TRACE_MAX)
        self.tx[pre] = w_t
        _, _, _, r_imp_y = self.streams.draw()
        for name in POST_TRACES:
            tr = self.trace[name]
            repeat = post & (self.ty > 0)
            self.y[name][repeat] = np.clip(
                self.y[name][repeat] + tr.impulse_int + (r_imp_y < tr.impulse_frac), 0, TRACE_MAX)
        self.ty[post] = w_t
        for name, values in modulation.items():
            self.y[name] = np.asarray(values, dtype=np.int64).copy()
        draws = self.streams.draw()
        if t % period == 0:
            self._learn(t, draws, self.streams.syn.random())

    def _history(self, traces, spiked_at, r_dec, r_imp):
        """H[0..t_epoch] of each trace: H[0] the stored value; H[k] its decay, plus the
        impulse where the neuron's last spike of the epoch was at step k."""
        period = self.rule.t_epoch
        out = {}
        for name, stored in traces.items():
            tr = self.trace[name]
            h = np.zeros((period + 1, len(stored)), np.int64)
            h[0] = stored
            for k in range(1, period + 1):
                h[k] = _decay(h[k - 1], tr.decay, r_dec)
                at = spiked_at == k
                h[k, at] = np.clip(h[k, at] + tr.impulse_int + (r_imp < tr.impulse_frac),
                                   0, TRACE_MAX)
            out[name] = h
        return out

    def _learn(self, t, draws, r_syn):
        r_dec_x, r_imp_x, r_dec_y, r_imp_y = draws
        hx = self._history(self.x, self.tx, r_dec_x, r_imp_x)
        hy = self._history(self.y, self.ty, r_dec_y, r_imp_y)
        pre, post = self.conn.pre_index, self.conn.post_index
        x0 = (self.tx > 0)[pre].astype(np.int64)
        y0 = (self.ty > 0)[post].astype(np.int64)
        snapshot = {"w": self.w.copy(), "d": self.d.copy(), "t": self.t.copy()}
        epoch = t // self.rule.t_epoch
        for name, rule in self.rule.rules.items():
            target = TARGETS[name]
            acc = snapshot[target] * 128
            for p in rule.products:
                if p.dep == DEP_X0:
                    dep, step = x0, self.tx[pre]
                elif p.dep == DEP_Y0:
                    dep, step = y0, self.ty[post]
                else:
                    dep = np.full(len(acc), int(epoch % 2**p.k == 0), np.int64)
                    step = np.full(len(acc), self.rule.t_epoch, np.int64)
                values = {"x0": x0, "y0": y0, **snapshot,
                          **{n: h[step, pre] for n, h in hx.items()},
                          **{n: h[step, post] for n, h in hy.items()}}
                mac = dep * p.m
                for f in p.factors:
                    v = values[f.var]
                    if f.kind == OFFSET:
                        v = v + f.const
                    elif f.kind == SIGN:
                        v = np.sign(v + f.const)
                    mac = mac * np.clip(v, -2**f.width, 2**f.width - 1)
                mac = (mac >> p.shift) << (p.e + 7)
                mac = np.clip(mac, ACC_MIN, ACC_MAX)
                acc = np.clip(acc + mac, ACC_MIN, ACC_MAX)
            setattr(self, target, self._apply_rule(target, acc, r_syn))
        for name, h in hx.items():
            self.x[name] = h[-1]
        for name, h in hy.items():
            self.y[name] = h[-1]
        self.tx[:] = 0
        self.ty[:] = 0

    def _apply_rule(self, target, acc, r_syn):
        """Sign saturation, stochastic rounding of acc / 128 and the final clip."""
        if target == "w":
            mode = self.conn.sign_mode
            if mode == "excitatory":
                acc = np.maximum(acc, 0)
            elif mode == "inhibitory":
                acc = np.minimum(acc, 0)
            lo, hi = WEIGHT_RANGE[mode]
        elif target == "d":
            acc = np.maximum(acc, 0)
            lo, hi = D_RANGE
        else:
            lo, hi = T_RANGE
        value = (acc >> 7) + (r_syn < (acc & 127) / 128.0)
        return np.clip(value, lo, hi)

    def dense(self, var):
        """A synaptic variable ("weights", "tags", "delay_fields") as (n_post, n_pre)."""
        values = {"weights": self.w, "tags": self.t, "delay_fields": self.d}[var]
        out = np.zeros((self.conn.post.n, self.conn.pre.n), np.int64)
        out[self.conn.post_index, self.conn.pre_index] = values
        return out

    def probe(self, var):
        """The current value of a connection probe variable (network.CONNECTION_PROBES)."""
        if var in self.x:
            return self.x[var].copy()
        if var in self.y:
            return self.y[var].copy()
        return self.dense(var)
