"""CUBA LIF neurons of the reference model, one step at a time (spec/neurocore.md section 3).

Per step, with a the synaptic input of the step (int64 numpy, wrapping on overflow):

    b = bias_mant << bias_exp              if bias_exp >= 0
        floor(bias_mant, -bias_exp)        otherwise (on v's scale: not shifted by 6)
    u = trunc0(u * (4096 - (du + 1)), 12) + a * 64
    if u > 2**23:   u -= 2**24             one correction, not a modulo: -2**23 becomes
    if u <= -2**23: u += 2**24             +2**23, and a u beyond 2**24 stays out of range
    v = trunc0(v * (4096 - dv), 12) + u + b,   saturated to [-(2**23 - 1), 2**23 - 1]
    spike where v > vth << 6 (strict); there v = 0. u is not reset; no refractory period.

trunc0(x, n) = sign(x) * (|x| >> n) rounds toward zero. The decay of u uses du + 1 (a
quirk of the reference): du = 4095 clears u, and du = 0 still decays u by 1/4096.
"""
import numpy as np

from .fixed_point import shift_signed, trunc0

STATE_VARS = ("u", "v")
DECAY_UNITY = 4096      # du, dv are 12-bit fractions of 4096
DECAY_BITS = 12
A_SCALE = 64            # the synaptic input enters u multiplied by 2**6
VTH_SHIFT = 6           # the threshold is compared on v's scale: vth << 6
U_HALF = 2**23          # u: 24-bit signed, wraps once
U_SPAN = 2**24
V_MAX = 2**23 - 1       # v: 24-bit signed, saturates symmetrically to [-V_MAX, V_MAX]


def bias(params):
    """Per-neuron bias b on v's scale: bias_mant shifted by the signed bias_exp."""
    return shift_signed(params["bias_mant"], params["bias_exp"])


def wrap_u_once(u):
    """u's single wrap correction into (-2**23, 2**23] (not a modulo)."""
    u = np.where(u > U_HALF, u - U_SPAN, u)
    return np.where(u <= -U_HALF, u + U_SPAN, u)


def initial_state(params, n):
    """u = v = 0 for each of the n neurons."""
    return {var: np.zeros(n, dtype=np.int64) for var in STATE_VARS}


def lif_step(params, state, a, limit):
    """One step of n LIF neurons.

    params: per-neuron int64 arrays from `neurons.LIF.resolve` (du, dv, vth, bias_mant,
    bias_exp); state: {"u", "v"} int64 arrays; a: int64 array of shape (1, n), the
    synaptic input of the step on the model's one port; limit: unused, the spikes are
    binary. Returns (new state, spikes as int64 0/1). The arguments are not modified.
    """
    a = np.asarray(a, dtype=np.int64)[0]
    du, dv, vth = params["du"], params["dv"], params["vth"]
    u = trunc0(state["u"] * (DECAY_UNITY - (du + 1)), DECAY_BITS) + a * A_SCALE
    u = wrap_u_once(u)
    v = trunc0(state["v"] * (DECAY_UNITY - dv), DECAY_BITS) + u + bias(params)
    v = np.clip(v, -V_MAX, V_MAX)
    fired = v > vth * (1 << VTH_SHIFT)
    v = np.where(fired, 0, v)
    return {"u": u, "v": v}, fired.astype(np.int64)
