"""NIR's neuron nodes as FloatLIF populations, and FloatLIF populations as NIR nodes.

NIR states its neurons in continuous time. A FloatLIF steps

    u = a_u u + x                    a_u = exp(-dt / tau_syn)
    v = a_v v + u + bias             a_v = exp(-dt / tau_mem)
    spike if v > threshold; then v = 0

with x the weighted input of the step. Each NIR equation tau dy/dt = -y + z is stepped
with its input z held over the step, as y = a y + (1 - a) z, where the decay a is
exp(-dt / tau) (discretization="exact": exact for that held input) or 1 - dt / tau
(discretization="euler": forward Euler, the step snnTorch, Norse and most trainers use;
it needs tau >= dt). The FloatLIF then gets the tau whose exp(-dt / tau) is that a. With
g = 1 - a, x the summed input reaching the node and c the constant part of it (the biases
of Affine and Conv nodes on the way):

    node      tau_syn, tau_mem   input gain            bias                     threshold
    LIF       0, tau             g r                   g (v_leak - v_reset)     v_th - v_reset
    LI        0, tau             g r                   g v_leak                 inf
    CubaLIF   tau_syn, tau_mem   g_mem r g_syn w_in    g_mem (v_leak - v_reset) v_th - v_reset
    CubaLI    tau_syn, tau_mem   g_mem r g_syn w_in    g_mem v_leak             inf
    IF        0, inf             dt r                  0                        v_th - v_reset
    I         0, inf             dt r                  0                        inf
    Threshold 0, 0               1                     0                        threshold

(v_th is v_threshold; the input gain is what one unit of the node's input adds to u, and
multiplies the rows of every weight matrix into it), so that u is the node's current
times r (scaled by g_mem), and v is NIR's v (minus v_reset). A constant input c adds
gain c / (1 - a_u) to the bias: exact where tau_syn = 0; for CubaLIF and CubaLI it is
the value the synaptic current settles to, so the first ~tau_syn after the start differ
(the emulator's u takes no constant input).

What is approximated:
- reset: NIR sets v to v_reset, a FloatLIF to 0; v is shifted by v_reset (threshold
  and leak target move with it), which is exact except that v starts at v_reset, not 0;
- thresholds that vary over a node's neurons: a FloatLIF has one per population, so each
  neuron's v is divided by its threshold (threshold 1, gain and bias divided too): the
  spikes are the same. A Threshold node (stateless) instead moves each threshold into
  the bias (threshold 1, bias 1 - threshold), which also covers thresholds <= 0;
- time constants that vary over a node's neurons are refused (split the node);
- LI, CubaLI and I never spike: their output is their v, which the emulator records as a
  probe; they may feed only Output nodes;
- Threshold keeps 1/4096 of v from one step to the next once quantized (dv is 12 bits);
- I (threshold inf, no leak) builds, but quantize refuses it: the integer v saturates
  above the largest threshold, so a perfect integrator that never spikes cannot exist.

to_nir inverts the table with gains of 1 (r = 1 / g_mem, w_in = 1 / g_syn, v_leak =
bias / g_mem); IF and I have no leak term, so their bias travels as the bias of an
Affine node on an incoming edge, and a Threshold node's bias moves into its threshold
(x + bias > threshold is x > threshold - bias). A FloatLIF with tau_syn > 0 and tau_mem = inf,
or tau_syn = inf, has no NIR node.
"""
import math
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterRangeError, ShapeError, UnsupportedFeatureError
from ..neurons import FloatLIF
from ..reference.fixed_point import shift_signed
from .nir_package import node_array

DISCRETIZATIONS = ("exact", "euler")
#: NIR neuron node types and whether they spike (the others output their v).
NEURON_TYPES = {"IF": True, "LIF": True, "CubaLIF": True, "Threshold": True,
                "LI": False, "CubaLI": False, "I": False}
#: The parameters each node must carry, the first giving the neurons' shape.
PARAMETERS = {"LIF": ("v_threshold", "tau", "r", "v_leak", "v_reset"),
              "LI": ("v_leak", "tau", "r"),
              "CubaLIF": ("v_threshold", "tau_syn", "tau_mem", "r", "v_leak", "v_reset", "w_in"),
              "CubaLI": ("v_leak", "tau_syn", "tau_mem", "r", "w_in"),
              "IF": ("v_threshold", "r", "v_reset"),
              "I": ("r",),
              "Threshold": ("threshold",)}
#: Parameters read even when infinite: a threshold that is never reached, and the time
#: constants, which _decay refuses by name.
MAY_BE_INFINITE = ("v_threshold", "threshold", "tau", "tau_syn", "tau_mem")


@dataclass(frozen=True)
class NeuronMap:
    """One NIR neuron node as a FloatLIF: `model` (bias from the node's own parameters),
    per neuron `gain` (what one unit of NIR input adds to u) and `constant_gain` (what a
    constant NIR input of one adds to the bias), `spiking`, and the NIR `shape`."""
    model: FloatLIF
    gain: np.ndarray
    constant_gain: np.ndarray
    spiking: bool
    shape: tuple

    @property
    def n(self):
        return int(np.prod(self.shape, dtype=np.int64))


def check_step(owner, dt):
    """dt as a float: a finite step length in seconds > 0, else a named error."""
    if isinstance(dt, (bool, np.bool_)) or not isinstance(dt, (int, float, np.integer,
                                                               np.floating)) \
            or not math.isfinite(dt) or dt <= 0:
        raise ParameterRangeError(f"{owner}: dt={dt!r} must be a step length in seconds > 0")
    return float(dt)


def check_discretization(owner, discretization):
    if discretization not in DISCRETIZATIONS:
        raise ParameterRangeError(f"{owner}: discretization={discretization!r}; expected one "
                                  f"of {DISCRETIZATIONS}")


def _parameters(owner, kind, node):
    """{name: float64 array of the node's shape}, or a named error for a missing,
    non-real, NaN, infinite (but MAY_BE_INFINITE) or wrongly shaped parameter."""
    values, shape = {}, None
    for key in PARAMETERS[kind]:
        arr = node_array(owner, node, key, finite=key not in MAY_BE_INFINITE)
        if shape is None:
            shape = arr.shape
        elif arr.shape != shape:
            if arr.ndim:
                raise ShapeError(f"{owner}: parameter {key} has shape {arr.shape}; expected "
                                 f"{shape} (the shape of {PARAMETERS[kind][0]})")
            arr = np.full(shape, float(arr))
        values[key] = arr.ravel()
    return values, tuple(int(s) for s in shape)


def _uniform(owner, key, arr):
    if arr.size and np.any(arr != arr[0]):
        raise ParameterRangeError(
            f"{owner}: parameter {key} varies over the node's neurons ({arr.min():.4g} to "
            f"{arr.max():.4g}); a FloatLIF population takes one {key}: split the node into "
            "nodes of equal time constants")
    return float(arr[0]) if arr.size else 1.0


def _decay(owner, key, tau, dt, discretization):
    """(a, FloatLIF tau): the per-step decay of tau dy/dt = -y + z and the tau giving it."""
    t = _uniform(owner, key, tau)
    if not math.isfinite(t) or t < 0:
        raise ParameterRangeError(f"{owner}: parameter {key}={t!r} must be finite and >= 0")
    if discretization == "exact":
        a = math.exp(-dt / t) if t > 0 else 0.0
        return a, (t if a > 0 else 0.0)  # a tau so short that nothing is left of y is 0
    if t < dt:
        raise ParameterRangeError(
            f"{owner}: parameter {key}={t!r} is shorter than dt={dt!r}: the forward-Euler "
            "decay 1 - dt/tau would be negative; use discretization='exact' or a smaller dt")
    a = 1.0 - dt / t
    if a == 1.0:  # dt / tau is below float64's resolution: no decay within a step
        return a, math.inf
    return a, (-dt / math.log(a) if a > 0 else 0.0)


def neuron_map(owner, kind, node, dt, discretization):
    """The NeuronMap of NIR neuron node `node` of type `kind` (see the module's table)."""
    p, shape = _parameters(owner, kind, node)
    n = math.prod(shape)
    if n == 0:
        raise ShapeError(f"{owner}: it has no neurons (parameter {PARAMETERS[kind][0]} has "
                         f"shape {shape})")
    tau_syn, a_u, a_v, tau_mem = 0.0, 0.0, 1.0, math.inf
    if kind in ("LIF", "LI"):
        a_v, tau_mem = _decay(owner, "tau", p["tau"], dt, discretization)
    elif kind in ("CubaLIF", "CubaLI"):
        a_u, tau_syn = _decay(owner, "tau_syn", p["tau_syn"], dt, discretization)
        a_v, tau_mem = _decay(owner, "tau_mem", p["tau_mem"], dt, discretization)
    elif kind == "Threshold":
        a_v, tau_mem = 0.0, 0.0
    # steady: what a constant input of one adds to the bias (the synaptic current settled)
    if kind in ("IF", "I"):
        steady = dt * p["r"]
    elif kind == "Threshold":
        steady = np.ones(n)
    else:
        steady = (1 - a_v) * p["r"] * p.get("w_in", 1.0)
    reset = p.get("v_reset", np.zeros(n))
    with np.errstate(over="ignore"):  # what overflows is refused by name below
        gain = (1 - a_u) * steady
        bias = (1 - a_v) * (p["v_leak"] - reset) if "v_leak" in p else np.zeros(n)
        if not NEURON_TYPES[kind]:
            threshold = math.inf
        elif kind == "Threshold":
            theta = p["threshold"]
            if theta[0] > 0 and np.all(theta == theta[0]):
                threshold = float(theta[0])
            else:  # stateless, so v > theta is v + (1 - theta) > 1
                threshold, bias = 1.0, bias + 1.0 - theta
        else:
            theta = p["v_threshold"] - reset
            if np.any(np.isinf(theta) & np.isfinite(p["v_threshold"])):
                raise ParameterRangeError(f"{owner}: v_threshold - v_reset overflows float64")
            if np.any(theta <= 0):
                raise ParameterRangeError(
                    f"{owner}: v_threshold - v_reset = {theta.min():.4g} must be > 0 (the "
                    "neuron would spike again right after its reset)")
            if np.all(theta == theta[0]):
                threshold = float(theta[0])
            elif np.all(np.isfinite(theta)):
                threshold = 1.0
                gain, steady, bias = gain / theta, steady / theta, bias / theta
            else:
                raise ParameterRangeError(f"{owner}: v_threshold is infinite for some neurons "
                                          "and finite for others; split the node")
    for name, arr in (("input gain", gain), ("bias", bias), ("input gain", steady)):
        if not np.all(np.isfinite(arr)):
            raise ParameterRangeError(f"{owner}: its parameters give an infinite {name} "
                                      f"at dt={dt!r}")
    model = FloatLIF(tau_syn=tau_syn, tau_mem=tau_mem, threshold=threshold, bias=bias)
    return NeuronMap(model, gain, steady, NEURON_TYPES[kind], shape)


def float_parameters(pop, dt):
    """(tau_syn, tau_mem, threshold, bias, input scale) of a population as a FloatLIF: a
    FloatLIF as itself, an integer LIF as its float equivalent at scale 1 (u and v in
    integer units; the spec adds a synaptic input a as a * 64 to u, hence an input scale
    of 64). Other models raise."""
    owner = f"population {pop.name!r}"
    p = pop.params
    if getattr(pop.model, "kind", None) == "float_lif":
        return (float(p["tau_syn"][0]), float(p["tau_mem"][0]), float(p["threshold"][0]),
                p["bias"].astype(np.float64), 1.0)
    if getattr(pop.model, "kind", None) != "lif":
        raise UnsupportedFeatureError(f"{owner}: model {type(pop.model).__name__} has no NIR "
                                      "node; to_nir writes FloatLIF and LIF populations")
    a_u = (4096 - (int(p["du"][0]) + 1)) / 4096  # spec 3: u decays by (du + 1) / 4096
    a_v = (4096 - int(p["dv"][0])) / 4096
    vth = int(p["vth"][0])
    if vth == 0:
        raise UnsupportedFeatureError(f"{owner}: vth=0 (spike whenever v > 0) has no FloatLIF "
                                      "threshold > 0, so no NIR node")
    return (-dt / math.log(a_u) if a_u > 0 else 0.0,
            -dt / math.log(a_v) if a_v < 1 else math.inf,
            float(vth * 64),  # the spec compares v with vth << 6
            # the bias the chip adds each step: bias_mant shifted by bias_exp, the bits a
            # right shift drops lost (spec 3), not bias_mant * 2**bias_exp
            shift_signed(p["bias_mant"], p["bias_exp"]).astype(np.float64), 64.0)


def _nir_tau(a, tau, dt, discretization):
    """The NIR time constant whose decay (by `discretization`) is a = exp(-dt / tau)."""
    return tau if discretization == "exact" else dt / (1 - a)


def nir_node(nir, owner, tau_syn, tau_mem, threshold, bias, dt, discretization):
    """(NIR node, constant input) for FloatLIF parameters, with every input gain 1. The
    constant input (per neuron) must reach the node as an Affine bias; None if the node
    carries its bias itself."""
    n = len(bias)
    full = np.full(n, threshold)
    zeros = np.zeros(n)
    if tau_syn == 0 and tau_mem == 0:  # stateless: v > theta is x > theta - bias
        return nir.Threshold(threshold=full - bias), None
    if tau_syn == 0 and tau_mem == math.inf:
        r = np.full(n, 1 / dt)
        node = nir.I(r=r) if threshold == math.inf else \
            nir.IF(r=r, v_threshold=full, v_reset=zeros)
        return node, (bias if np.any(bias) else None)
    if math.isinf(tau_syn) or math.isinf(tau_mem):
        raise UnsupportedFeatureError(
            f"{owner}: tau_syn={tau_syn!r}, tau_mem={tau_mem!r}: a synaptic current that "
            "never decays, or one integrated without leak, has no NIR node")
    a_v = math.exp(-dt / tau_mem) if tau_mem > 0 else 0.0
    g_v = 1 - a_v
    mem = np.full(n, _nir_tau(a_v, tau_mem, dt, discretization))
    r, v_leak = np.full(n, 1 / g_v), bias / g_v
    if tau_syn == 0:
        if threshold == math.inf:
            return nir.LI(tau=mem, r=r, v_leak=v_leak), None
        return nir.LIF(tau=mem, r=r, v_leak=v_leak, v_threshold=full, v_reset=zeros), None
    a_u = math.exp(-dt / tau_syn)
    syn = np.full(n, _nir_tau(a_u, tau_syn, dt, discretization))
    w_in = np.full(n, 1 / (1 - a_u))
    if threshold == math.inf:
        return nir.CubaLI(tau_syn=syn, tau_mem=mem, r=r, v_leak=v_leak, w_in=w_in), None
    return nir.CubaLIF(tau_syn=syn, tau_mem=mem, r=r, v_leak=v_leak, v_threshold=full,
                       v_reset=zeros, w_in=w_in), None
