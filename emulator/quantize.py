"""Quantization: floating-point networks to the target's integer formats.

`quantize(net, target, dt)` converts what a trained model or a NIR graph gives (float
weights, FloatLIF neurons with time constants, thresholds and biases) into the integer
formats of spec/neurocore.md, and says what was lost: per connection and per population,
the maximum and RMS relative error of every converted quantity.

The conversion of a FloatLIF population (spec sections 2 and 3):
- a scale s maps its float state to the integer one: v_int = s * v, u_int = s * u;
- thresholds: vth = round(s * threshold / 64) (the spec compares v with vth << 6). s is
  chosen so that vth is VTH_TARGET (2**15): v then has room for four thresholds before
  it saturates at 2**23 - 1. It is lowered when the largest incoming weight or bias would
  not fit its mantissa at the largest exponent, when u could wrap (its 24 bits wrap, spec
  section 3) with every binary input spiking every step, and, for a neuron that never
  spikes (threshold inf), when v could reach vth << 6 at the largest vth (`_scale`);
- decays: du = round(4096 (1 - exp(-dt / tau_syn))) - 1 (du encodes a decay of
  (du + 1) / 4096, so u always decays by at least 1/4096) and
  dv = round(4096 (1 - exp(-dt / tau_mem))), both clipped to 0..4095;
- biases: s * bias as bias_mant << bias_exp, bias_mant in 13 bits, the smallest
  bias_exp in 0..7 that fits;
- weights: an incoming weight w adds w to u, so its synaptic value is t = s * w / 64 (the
  spec adds a * 64 to u); one exponent per connection, the smallest in -8..8 that fits
  every t in the mantissa range of the sign mode, then mantissas rounded to the grid
  that num_weight_bits leaves (so the target's truncation keeps them as they are).
Float weights into an integer population are in units of its synaptic input a (s = 64).

What the figures do not cover: the floor of a per-step sum by a negative exponent and
the truncations inside the decays are rounding of the dynamics, not of parameters.
"""
import math
import numbers
from dataclasses import dataclass

import numpy as np

from .errors import ParameterRangeError, UnsupportedFeatureError
from .network import WEIGHT_RANGE, Connection, Input, Network, Population
from .neurons import LIF

#: A FloatLIF's threshold maps to this vth: v has room for four thresholds below 2**23.
VTH_TARGET = 2**15
MAX_VTH = 2**17 - 1
#: The spec adds a * 64 to u and compares v with vth << 6.
INPUT_SCALE = 64
DECAY_UNIT = 4096
WEIGHT_EXP_RANGE = (-8, 8)
BIAS_MANT_RANGE = (-4096, 4095)
MAX_BIAS_EXP = 7


def prepare_weights(weights, sign_mode, num_weight_bits):
    """Weights as the synaptic memory stores them (vectorised; int64 in, int64 out).

    1. clip by sign mode: mixed -> [-256, 255]; excitatory -> [0, 255];
       inhibitory -> [-255, 0];
    2. truncate: k = 8 - num_weight_bits + (1 if mixed else 0); w = (w >> k) << k, on the
       magnitude for inhibitory weights. Mixed 8-bit weights lose their lowest bit
       (115 -> 114, -115 -> -116): a quirk of the reference, kept on purpose.
    """
    w = np.asarray(weights, dtype=np.int64)
    lo, hi = WEIGHT_RANGE[sign_mode]
    w = np.clip(w, lo, hi)
    k = _truncated_bits(sign_mode, num_weight_bits)
    if sign_mode == "inhibitory":
        return -((-w >> k) << k)
    return (w >> k) << k


def _truncated_bits(sign_mode, num_weight_bits):
    return 8 - num_weight_bits + (1 if sign_mode == "mixed" else 0)


def _grid(conn, target):
    """(lo, hi, step): the mantissas a float connection can get on `target`: multiples of
    step (what num_weight_bits leaves) in the sign mode's range."""
    bits = min(conn.num_weight_bits, target.weight_bits)
    step = 2 ** _truncated_bits(conn.sign_mode, bits)
    lo, hi = WEIGHT_RANGE[conn.sign_mode]
    return -((-lo) // step) * step, (hi // step) * step, step


@dataclass(frozen=True)
class ErrorFigures:
    """What quantizing one quantity lost, over its n values. relative = |q - x| / |x| over
    the values with x != 0 (max_relative, rms_relative); max_absolute over all, on the
    float scale, and full_scale = max_absolute / max |x|; zeroed counts nonzero values
    that became 0 (their relative error is 1)."""
    max_relative: float
    rms_relative: float
    max_absolute: float
    full_scale: float
    n: int
    zeroed: int = 0

    @classmethod
    def of(cls, exact, quantized):
        exact = np.asarray(exact, np.float64)
        quantized = np.asarray(quantized, np.float64)
        finite = np.isfinite(exact)
        exact, quantized = exact[finite], quantized[finite]
        err = np.abs(quantized - exact)
        nz = exact != 0
        rel = err[nz] / np.abs(exact[nz])
        return cls(max_relative=float(rel.max()) if rel.size else 0.0,
                   rms_relative=float(np.sqrt(np.mean(rel**2))) if rel.size else 0.0,
                   max_absolute=float(err.max()) if err.size else 0.0,
                   full_scale=float(err.max() / np.abs(exact).max()) if nz.any() else 0.0,
                   n=int(exact.size), zeroed=int(np.count_nonzero(nz & (quantized == 0))))

    def to_dict(self):
        return {"max_relative": self.max_relative, "rms_relative": self.rms_relative,
                "max_absolute": self.max_absolute, "full_scale": self.full_scale,
                "n": self.n, "zeroed": self.zeroed}


@dataclass
class Quantization:
    """The result of `quantize`: the integer `network`, and per connection and population
    what was chosen (scale, exponent) and lost (ErrorFigures of each quantity).

    connections[name] = {"scale": s of the post population, "weight_exp": e,
                         "weights": ErrorFigures}
    populations[name] = {"scale": s, "scale_limited_by": what set s (threshold,
                         weights, bias, u range, v range), "threshold": ..., "bias": ...,
                         "decay_u": ..., "decay_v": ...}  (FloatLIF populations; decays
                         compare the per-step factors exp(-dt / tau) with their
                         integer ones)
    Float state maps back as v_float = v_int / scale.
    """
    network: Network
    dt: float
    connections: dict
    populations: dict

    def worst(self):
        """The largest max_relative error of any quantity, or 0.0."""
        figures = [f for entry in (*self.connections.values(), *self.populations.values())
                   for f in entry.values() if isinstance(f, ErrorFigures)]
        return max((f.max_relative for f in figures), default=0.0)

    def to_dict(self):
        def plain(entry):
            return {k: v.to_dict() if isinstance(v, ErrorFigures) else v for k, v in entry.items()}
        return {"dt": self.dt,
                "connections": {k: plain(v) for k, v in self.connections.items()},
                "populations": {k: plain(v) for k, v in self.populations.items()}}

    def table(self):
        """A text table: one row per quantized quantity."""
        return format_table(self.to_dict())

    def __str__(self):
        return self.table()


def format_table(report):
    """The table of a Quantization.to_dict() (Program.summary prints it too)."""
    rows = [("object", "quantity", "scale", "max rel err", "rms rel err", "err/full scale",
             "zeroed")]
    for kind in ("populations", "connections"):
        for name, entry in report[kind].items():
            for quantity, f in entry.items():
                if isinstance(f, dict):
                    rows.append((name, quantity + (f" (exp {entry['weight_exp']})"
                                                   if quantity == "weights" else ""),
                                 f"{entry['scale']:.4g}" + (f" ({entry['scale_limited_by']})"
                                                           if "scale_limited_by" in entry else ""),
                                 f"{f['max_relative']:.2e}",
                                 f"{f['rms_relative']:.2e}", f"{f['full_scale']:.2e}",
                                 f"{f['zeroed']}/{f['n']}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def quantize(net, target="loihi2", dt=None):
    """Convert the float parts of `net` to `target`'s integer formats; returns a
    Quantization (its `.network` runs; its figures say what was lost). Integer
    populations and integer weights pass unchanged. dt: the step length in seconds,
    needed when FloatLIF populations give time constants."""
    from .targets import get as get_target

    target = get_target(target)
    floats = [p for p in net.populations if getattr(p.model, "floating", False)]
    if floats and (dt is None or isinstance(dt, (bool, np.bool_))
                   or not isinstance(dt, numbers.Real) or not math.isfinite(dt) or dt <= 0):
        raise ParameterRangeError(
            f"quantize: dt={dt!r}; populations {[p.name for p in floats]} give time "
            "constants in seconds, so pass the step length dt > 0 in seconds")
    incoming = {p.name: [c for c in net.connections if c.post is p] for p in net.populations}
    out = Network()
    new = {}
    for inp in net.inputs:
        new[inp.name] = Input(inp.name, inp.n, inp.graded)
        out.inputs.append(new[inp.name])
    populations, scales = {}, {}
    for pop in net.populations:
        if pop in floats:
            scales[pop.name], limit = _scale(pop, incoming[pop.name], target,
                                             *_decays(pop, dt)[2:])
            model, figures = _float_lif(pop, scales[pop.name], dt)
            populations[pop.name] = {"scale": scales[pop.name], "scale_limited_by": limit,
                                     **figures}
            new[pop.name] = Population(pop.name, pop.n, model,
                                       model.resolve(f"population {pop.name!r}", pop.n))
        else:
            scales[pop.name] = float(INPUT_SCALE)
            new[pop.name] = Population(pop.name, pop.n, pop.model, pop.params)
        out.populations.append(new[pop.name])
    connections = {}
    for conn in net.connections:
        if conn.quantized:
            weights, exp = conn.weights, conn.weight_exp
        else:
            scale = scales[conn.post.name]
            weights, exp = _weights(conn, conn.weights * (scale / INPUT_SCALE),
                                    _grid(conn, target))
            exact = conn.weights
            effective = weights * (2.0**exp * INPUT_SCALE / scale)
            connections[conn.name] = {"scale": scale, "weight_exp": exp,
                                      "weights": ErrorFigures.of(exact, effective)}
        out.connections.append(Connection(
            conn.name, new[conn.pre.name], new[conn.post.name], conn.pre_index,
            conn.post_index, weights, conn.delays, conn.dense, exp,
            conn.num_weight_bits if conn.quantized else min(conn.num_weight_bits, target.weight_bits),
            conn.sign_mode, conn.num_message_bits, conn.port, conn.rule,
            {trace: new[src.name] for trace, src in conn.modulators.items()}))
    out.probes = list(net.probes)
    out.connection_probes = list(net.connection_probes)
    return Quantization(out, None if dt is None else float(dt), connections, populations)


def _decays(pop, dt):
    """(a_u, a_v, du, dv): the float decay factors per step and their 12-bit codes."""
    p = pop.params
    # tau 0 (or so small that dt / tau overflows) decays at once: exp(-inf) = 0
    with np.errstate(divide="ignore", over="ignore"):
        a_u = float(np.exp(-dt / p["tau_syn"][0]))
        a_v = float(np.exp(-dt / p["tau_mem"][0]))
    du = int(np.clip(round(DECAY_UNIT * (1 - a_u)) - 1, 0, DECAY_UNIT - 1))
    dv = int(np.clip(round(DECAY_UNIT * (1 - a_v)), 0, DECAY_UNIT - 1))
    return a_u, a_v, du, dv


def _scale(pop, incoming, target, du, dv):
    """(s, what limits it): the integer units per float unit of a FloatLIF population's
    state. s aims at vth = VTH_TARGET (or, for a neuron that never spikes, at a full
    mantissa for the largest weight at exponent 0) and is lowered until every weight
    and bias fits its format, u cannot wrap (spec 3: u wraps past 2**23) even with every
    binary input spiking every step, and a neuron that never spikes cannot reach
    vth << 6 either (v saturates at 2**23 - 1, above the largest threshold)."""
    p = pop.params
    owner = f"population {pop.name!r}"
    full = []  # per connection: the float weight a full mantissa at exponent 0 stands for
    pos, neg = np.zeros(pop.n), np.zeros(pop.n)  # largest input per step, per neuron
    for c in incoming:
        if not c.n_synapses:
            continue
        lo, hi, _ = _grid(c, target)
        if hi > 0 and c.weights.max() > 0:
            full.append(hi / c.weights.max())
        if lo < 0 and c.weights.min() < 0:
            full.append(lo / c.weights.min())
        if not c.graded:  # graded payloads have no bound here
            pos += np.bincount(c.post_index, np.maximum(c.weights, 0), pop.n)
            neg += np.bincount(c.post_index, np.maximum(-c.weights, 0), pop.n)
    u_bound = max(pos.max(), neg.max()) * DECAY_UNIT / (du + 1)  # float u, steady state
    b_max = float(np.abs(p["bias"]).max())
    threshold = p["threshold"][0]
    candidates = {}
    if math.isfinite(threshold):
        candidates["threshold"] = VTH_TARGET * INPUT_SCALE / threshold
    elif full:
        candidates["threshold"] = min(full) * INPUT_SCALE
    if full:  # the largest weight fits its mantissa at the largest exponent
        candidates["weights"] = min(full) * 2.0**WEIGHT_EXP_RANGE[1] * INPUT_SCALE
    if b_max > 0:
        candidates["bias"] = BIAS_MANT_RANGE[1] * 2.0**MAX_BIAS_EXP / b_max
    # 1 % below the limits: rounding may make each weight up to half a step larger
    if u_bound > 0:
        candidates["u range"] = 0.99 * 2**23 / u_bound
    if not math.isfinite(threshold) and (u_bound > 0 or b_max > 0):
        if dv == 0:
            raise UnsupportedFeatureError(
                f"{owner}: threshold=inf with tau_mem={float(p['tau_mem'][0])!r} (dv rounds to 0 "
                "at this dt) integrates without bound, and the integer v saturates at "
                "2**23 - 1, above the largest threshold: it would spike. Give it a finite "
                "threshold or a shorter tau_mem")
        candidates["v range"] = 0.99 * (MAX_VTH * INPUT_SCALE) * dv / DECAY_UNIT / \
            (u_bound + b_max)
    if not candidates:
        return float(INPUT_SCALE), "nothing (no inputs, bias or threshold)"
    limit = min(candidates, key=candidates.get)
    return float(candidates[limit]), limit


def _float_lif(pop, scale, dt):
    """The integer LIF of a FloatLIF population at `scale`, and its ErrorFigures."""
    p = pop.params
    owner = f"population {pop.name!r}"
    a_u, a_v, du, dv = _decays(pop, dt)
    threshold = p["threshold"][0]
    vth = MAX_VTH if not math.isfinite(threshold) else \
        int(min(MAX_VTH, round(scale * threshold / INPUT_SCALE)))
    target_bias = p["bias"] * scale
    bias_exp = np.zeros(pop.n, np.int64)
    while True:  # the smallest exponent whose rounded mantissa fits 13 bits, per neuron
        mant = np.round(target_bias / 2.0**bias_exp)
        over = (mant > BIAS_MANT_RANGE[1]) | (mant < BIAS_MANT_RANGE[0])
        if not over.any() or bias_exp.max() == MAX_BIAS_EXP:
            break
        bias_exp[over] += 1
    if over.any():
        raise ParameterRangeError(f"{owner}: bias {p['bias'][over][0]!r} does not fit 13 bits "
                                  f"x 2**{MAX_BIAS_EXP} at scale {scale:.4g}")
    model = LIF(du=du, dv=dv, vth=vth, bias_mant=mant.astype(np.int64), bias_exp=bias_exp)
    figures = {
        "threshold": ErrorFigures.of([threshold], [vth * INPUT_SCALE / scale]),
        "bias": ErrorFigures.of(p["bias"], mant * 2.0**bias_exp / scale),
        "decay_u": ErrorFigures.of([a_u], [(DECAY_UNIT - (du + 1)) / DECAY_UNIT]),
        "decay_v": ErrorFigures.of([a_v], [(DECAY_UNIT - dv) / DECAY_UNIT]),
    }
    return model, figures


def _weights(conn, values, grid):
    """(int64 mantissas, exponent) of one connection's synaptic values: the smallest
    exponent that fits all of them in the sign mode's range, mantissas rounded to the
    grid (lo, hi, step) that num_weight_bits leaves."""
    lo, hi, step = grid
    need = 0.0  # the factor the largest value exceeds the mantissa range by
    if values.size:
        if hi > 0:
            need = max(need, values.max() / hi)
        if lo < 0:
            need = max(need, values.min() / lo)
    exp = WEIGHT_EXP_RANGE[0] if need <= 0 else \
        int(np.clip(math.ceil(math.log2(need)), *WEIGHT_EXP_RANGE))
    # Rounding to the grid may still leave a value half a step beyond an end: clip it.
    mant = np.clip(np.round(values / (2.0**exp * step)) * step, lo, hi)
    if need > 2.0**WEIGHT_EXP_RANGE[1] * (1 + 1e-9):
        largest = float(np.abs(values).max())
        raise ParameterRangeError(
            f"connection {conn.name!r}: a weight of {largest:.4g} synaptic units needs an "
            f"exponent above {WEIGHT_EXP_RANGE[1]} (mantissas {lo}..{hi}, at most "
            f"{max(hi, -lo) * 2**WEIGHT_EXP_RANGE[1]} units); scale the weights down")
    return mant.astype(np.int64), exp
