"""Neuron models: small dataclasses whose docstrings state their integer equations.

A model holds population-wide and per-neuron parameters; `resolve(owner, n)` validates
them against the hardware's bit widths and returns per-neuron int64 arrays, the form the
compiler and the reference models consume. Parameter names follow Lava's.

Every model class declares:
  kind        the name of its integer model in the Program, the kernel and the reference
  state_vars  the state variables a probe can record
  graded      True if its spikes carry payloads (graded spikes, spec section 6)
  ports       its synaptic inputs, in order; `Network.connect(..., port=...)` picks one
              (the first is the default)
"""
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .errors import ParameterRangeError, ShapeError, check_range


def per_neuron(owner, name, value, n):
    """Broadcast a scalar or length-n integer parameter to an int64 array of length n."""
    arr = np.asarray(value)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or (np.issubdtype(arr.dtype, np.floating)
                                     and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)))):
        raise ParameterRangeError(
            f"{owner}: parameter {name} must be integer-valued, got {value!r} (dtype {arr.dtype})")
    if arr.ndim == 0:
        return np.full(n, int(arr), dtype=np.int64)
    if arr.shape != (n,):
        raise ShapeError(f"{owner}: parameter {name} has shape {arr.shape}; "
                         f"expected a scalar or shape ({n},)")
    return arr.astype(np.int64)


def per_neuron_real(owner, name, value, n):
    """Broadcast a scalar or length-n real parameter to a float64 array of length n."""
    arr = np.asarray(value)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
        raise ParameterRangeError(f"{owner}: parameter {name} must be a real number, got "
                                  f"{value!r} (dtype {arr.dtype})")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ParameterRangeError(f"{owner}: parameter {name}={value!r} must be finite")
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ShapeError(f"{owner}: parameter {name} has shape {arr.shape}; "
                         f"expected a scalar or shape ({n},)")
    return arr


def choice(owner, name, value, allowed):
    """A population-wide option given as a string (any case) among `allowed`."""
    if not isinstance(value, str) or value.lower() not in allowed:
        raise ParameterRangeError(f"{owner}: parameter {name}={value!r}; expected one of "
                                  f"{allowed} (any case)")
    return value.lower()


def flag(owner, name, value):
    """A population-wide boolean option."""
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterRangeError(f"{owner}: parameter {name}={value!r} must be True or False")
    return int(bool(value))


def scalar(owner, name, value):
    """A population-wide integer parameter."""
    arr = np.asarray(value)
    if arr.ndim != 0:
        raise ShapeError(f"{owner}: parameter {name} is per population and must be a "
                         f"scalar, got shape {arr.shape}")
    return per_neuron(owner, name, arr, 1)


@dataclass(frozen=True)
class LIF:
    """CUBA leaky integrate-and-fire compartment (spec/neurocore.md section 3).

    Per step, with a the synaptic input of the step (all arithmetic in 64 bits):

        b = bias_mant << bias_exp            (bias_exp >= 0; else floor(bias_mant, -bias_exp))
        u = trunc0(u * (4096 - (du + 1)), 12) + a * 64
        if u > 2**23: u -= 2**24             (one correction, not a modulo;
        if u <= -2**23: u += 2**24            -2**23 becomes +2**23)
        v = trunc0(v * (4096 - dv), 12) + u + b,  saturated to [-(2**23 - 1), 2**23 - 1]
        spike if v > vth << 6; then v = 0    (u is not reset; no refractory period)

    trunc0 rounds toward zero. du, dv are 12-bit (0..4095) per population; vth is 17-bit
    unsigned (0..2**17 - 1); bias_mant is signed 13-bit (-4096..4095) and bias_exp -8..7,
    both scalar or per neuron.
    """

    du: int = 0
    dv: int = 0
    vth: int = 10
    bias_mant: object = 0
    bias_exp: object = 0

    kind: ClassVar[str] = "lif"
    state_vars: ClassVar[tuple] = ("u", "v")
    graded: ClassVar[bool] = False
    ports: ClassVar[tuple] = ("input",)

    def resolve(self, owner, n):
        """Validated per-neuron parameters {name: int64 array of length n}."""
        du = scalar(owner, "du", self.du)
        dv = scalar(owner, "dv", self.dv)
        vth = scalar(owner, "vth", self.vth)
        check_range(owner, "du", du, 0, 4095)
        check_range(owner, "dv", dv, 0, 4095)
        check_range(owner, "vth", vth, 0, 2**17 - 1)
        bias_mant = per_neuron(owner, "bias_mant", self.bias_mant, n)
        bias_exp = per_neuron(owner, "bias_exp", self.bias_exp, n)
        check_range(owner, "bias_mant", bias_mant, -4096, 4095)
        check_range(owner, "bias_exp", bias_exp, -8, 7)
        return {"du": np.repeat(du, n), "dv": np.repeat(dv, n), "vth": np.repeat(vth, n),
                "bias_mant": bias_mant, "bias_exp": bias_exp}


@dataclass(frozen=True)
class FloatLIF:
    """A CUBA LIF neuron in floating point, as a trained model or a NIR graph gives it; it
    does not run as is: `emulator.quantize` (which compile runs when needed) turns it
    into an integer LIF. Per step of length dt (seconds), with x the weighted input:

        u = exp(-dt / tau_syn) * u + x
        v = exp(-dt / tau_mem) * v + u + bias
        spike if v > threshold; then v = 0

    tau_syn, tau_mem (seconds, >= 0, inf allowed; 0 passes the input straight through)
    and threshold (> 0, inf for a neuron that never spikes) are per population; bias
    (per step, on v's scale) is a scalar or per neuron. Weights into it are on the same
    scale: a weight w adds w to u.
    """

    tau_syn: float = 0.0
    tau_mem: float = math.inf
    threshold: float = 1.0
    bias: object = 0.0

    kind: ClassVar[str] = "float_lif"
    state_vars: ClassVar[tuple] = ("u", "v")
    graded: ClassVar[bool] = False
    ports: ClassVar[tuple] = ("input",)
    #: Marks a model that quantize must convert before anything can run it.
    floating: ClassVar[bool] = True

    def resolve(self, owner, n):
        """Validated per-neuron float64 parameters: tau_syn, tau_mem, threshold, bias."""
        params = {}
        for name in ("tau_syn", "tau_mem", "threshold"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
                    or math.isnan(v) or v < 0 or (name == "threshold" and v == 0):
                low = "> 0" if name == "threshold" else ">= 0"
                raise ParameterRangeError(f"{owner}: parameter {name}={v!r} must be one real "
                                          f"number {low} per population (inf allowed)")
            params[name] = np.full(n, float(v))
        params["bias"] = per_neuron_real(owner, "bias", self.bias, n)
        return params


#: Width of the neuron state registers: scaled thresholds and biases must fit +-(2**23 - 1).
STATE_MAX = 2**23 - 1
#: Range of the exponents that scale sigma-delta and resonator state (spec 4 and 5).
MAX_STATE_EXP = 16


def _scaled(owner, name, value, n, exp):
    """int(value * 2**exp) per neuron, truncated toward zero (as the reference does), and
    checked against the state width; value is given unscaled and may be fractional."""
    unscaled = per_neuron_real(owner, name, value, n)
    with np.errstate(over="ignore"):  # a huge value scales to inf, reported as such
        scaled = np.trunc(unscaled * 2.0**exp)
    if scaled.size and np.abs(scaled).max() > STATE_MAX:
        k = np.abs(scaled).argmax()
        bad = unscaled[k].item()
        bad = int(bad) if bad.is_integer() and abs(bad) < 2**63 else bad  # as the user wrote it
        raise ParameterRangeError(
            f"{owner}: parameter {name}={bad!r} scaled by 2**{exp} is {abs(scaled[k]):.0f}, "
            f"outside the state width [-{STATE_MAX}, {STATE_MAX}]; lower {name} or the "
            "exponents")
    return scaled.astype(np.int64)


def _exponent(owner, name, value):
    e = scalar(owner, name, value)
    check_range(owner, name, e, 0, MAX_STATE_EXP)
    return int(e[0])


def _delta_params(owner, n, model, exp):
    """The encoder half shared by Delta and SigmaDelta: threshold and spiking options."""
    vth = _scaled(owner, "vth", model.vth, n, exp)
    check_range(owner, "vth", vth, 0, STATE_MAX)
    state_exp = _exponent(owner, "state_exp", model.state_exp)
    return {"vth": vth,
            "cum_error": np.full(n, flag(owner, "cum_error", model.cum_error), np.int64),
            "corrected": np.full(n, flag(owner, "corrected", model.corrected), np.int64),
            "state_exp": np.full(n, state_exp, np.int64)}


@dataclass(frozen=True)
class SigmaDelta:
    """Sigma-delta neuron: integrates its input, spikes the change of its activation as a
    graded payload (spec/neurocore.md section 4). State sigma, act, residue, error (all 0
    at start); per step with synaptic input a:

        sigma += a                                  (no shift, no saturation)
        act_new = sigma + bias  (act_mode "unit")  or  max(sigma + bias, 0)  ("relu")
        delta = act_new - act + residue
        without cum_error: s = delta where |delta| >= vth, else 0
        with cum_error:    error += delta; s = delta where |error| >= vth, else 0;
                           error = 0 where s != 0
        residue = delta - s;  act = act_new
        payload = floor(s, state_exp)

    vth (>= 0) and bias (scalar or per neuron) are given unscaled and may be fractional:
    they are multiplied by 2**(spike_exp + state_exp) and truncated toward zero, and must
    then fit +-(2**23 - 1). spike_exp and state_exp are 0..16.

    Quirk of the reference (kept): the low state_exp bits of s that the payload drops are
    lost, not returned to the residue. corrected=True returns them (residue = delta -
    (payload << state_exp)), so that the receivers' sum tracks act exactly; off by default.
    The payload is saturated to the target's payload width (or refused in strict mode).
    """

    vth: object = 0
    bias: object = 0
    act_mode: str = "relu"
    cum_error: bool = False
    spike_exp: int = 0
    state_exp: int = 0
    corrected: bool = False

    kind: ClassVar[str] = "sigma_delta"
    state_vars: ClassVar[tuple] = ("sigma", "act", "residue", "error")
    graded: ClassVar[bool] = True
    ports: ClassVar[tuple] = ("input",)

    def resolve(self, owner, n):
        """Validated per-neuron parameters {name: int64 array of length n}: vth and bias
        scaled; relu, cum_error, corrected as 0/1; state_exp."""
        exp = _exponent(owner, "spike_exp", self.spike_exp) + \
            _exponent(owner, "state_exp", self.state_exp)
        params = _delta_params(owner, n, self, exp)
        mode = choice(owner, "act_mode", self.act_mode, ("relu", "unit"))
        params["bias"] = _scaled(owner, "bias", self.bias, n, exp)
        params["relu"] = np.full(n, int(mode == "relu"), np.int64)
        return params


@dataclass(frozen=True)
class Delta:
    """Delta encoder: the input layer of a sigma-delta network, fed through a connection
    from an input (spec section 4). It sends the change of its scaled input as a graded
    payload. State act, residue, error; per step with synaptic input a:

        act_new = a << (spike_exp + state_exp)
        then as SigmaDelta from delta = act_new - act + residue on (threshold, cum_error,
        residue, payload = floor(s, state_exp), corrected).

    vth is given unscaled (scaled like SigmaDelta's); spike_exp, state_exp are 0..16.
    """

    vth: object = 0
    cum_error: bool = False
    spike_exp: int = 0
    state_exp: int = 0
    corrected: bool = False

    kind: ClassVar[str] = "delta"
    state_vars: ClassVar[tuple] = ("act", "residue", "error")
    graded: ClassVar[bool] = True
    ports: ClassVar[tuple] = ("input",)

    def resolve(self, owner, n):
        """Validated per-neuron parameters: vth (scaled), cum_error, corrected, state_exp
        and input_exp = spike_exp + state_exp (the shift applied to the input)."""
        spike_exp = _exponent(owner, "spike_exp", self.spike_exp)
        params = _delta_params(owner, n, self, spike_exp + _exponent(owner, "state_exp",
                                                                     self.state_exp))
        params["input_exp"] = np.full(n, spike_exp, np.int64) + params["state_exp"]
        return params


@dataclass(frozen=True)
class Sigma:
    """Sigma decoder: the output layer of a sigma-delta network (spec section 4).

        sigma += a;  payload = sigma

    so each neuron sends its running sum every step it is nonzero (graded, saturated to
    the target's payload width). State sigma.
    """

    kind: ClassVar[str] = "sigma"
    state_vars: ClassVar[tuple] = ("sigma",)
    graded: ClassVar[bool] = True
    ports: ClassVar[tuple] = ("input",)

    def resolve(self, owner, n):
        """No parameters."""
        return {}


@dataclass(frozen=True)
class ResonateFire:
    """Resonate-and-fire neuron: a damped complex oscillator with a real and an imaginary
    input (spec/neurocore.md section 5). Reach the inputs with
    `net.connect(pre, rf, weights=..., port="real" | "imag")`. State re, im (Lava: real,
    imag); binary spikes. Per step with inputs a_re, a_im (64-bit, each product truncated
    toward zero separately):

        re' = trunc0(cos_d * re, decay_bits) - trunc0(sin_d * im, decay_bits) + (a_re << state_exp)
        im' = trunc0(sin_d * re, decay_bits) + trunc0(cos_d * im, decay_bits) + (a_im << state_exp)
        re', im' clipped to +-(2**23 - 1)
        variant "rf": spike if re' >= vth and im' >= 0 and the previous im < 0 (no reset)
        variant "iz": spike if im' >= vth; there re = 0 and im = vth - 1

    with sin_d = int((1 - alpha) * sin(2 pi / period) * 2**decay_bits) and cos_d likewise,
    truncated toward zero (computed once here in numpy), and vth scaled to
    int(vth * 2**state_exp). period (>= 2, real), alpha (decay per step, in [0, 1]) and vth
    (>= 0, real) are scalars or per neuron; decay_bits is 1..30 (12 on the chip),
    state_exp 0..16.
    """

    period: object = 10.0
    alpha: object = 0.0
    vth: object = 1.0
    decay_bits: int = 12
    state_exp: int = 0
    variant: str = "rf"

    kind: ClassVar[str] = "rf"
    state_vars: ClassVar[tuple] = ("re", "im")
    graded: ClassVar[bool] = False
    ports: ClassVar[tuple] = ("real", "imag")

    def resolve(self, owner, n):
        """Validated per-neuron parameters: sin_d, cos_d (integers at decay_bits), vth
        (scaled), decay_bits, state_exp, iz (1 for the "iz" variant)."""
        period = per_neuron_real(owner, "period", self.period, n)
        alpha = per_neuron_real(owner, "alpha", self.alpha, n)
        check_range(owner, "period", period, 2, math.inf)
        check_range(owner, "alpha", alpha, 0, 1)
        decay_bits = scalar(owner, "decay_bits", self.decay_bits)
        check_range(owner, "decay_bits", decay_bits, 1, 30)
        state_exp = _exponent(owner, "state_exp", self.state_exp)
        vth = _scaled(owner, "vth", self.vth, n, state_exp)
        check_range(owner, "vth", vth, 0, STATE_MAX)
        variant = choice(owner, "variant", self.variant, ("rf", "iz"))
        unit = float(2 ** int(decay_bits[0]))
        angle = 2 * np.pi / period
        return {"sin_d": np.trunc((1 - alpha) * np.sin(angle) * unit).astype(np.int64),
                "cos_d": np.trunc((1 - alpha) * np.cos(angle) * unit).astype(np.int64),
                "vth": vth,
                "decay_bits": np.repeat(decay_bits, n),
                "state_exp": np.full(n, state_exp, np.int64),
                "iz": np.full(n, int(variant == "iz"), np.int64)}


MODELS = {m.kind: m for m in (LIF, SigmaDelta, Delta, Sigma, ResonateFire)}
