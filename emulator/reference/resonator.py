"""Resonate-and-fire neurons of the reference model (spec/neurocore.md section 5).

A damped complex oscillator z = re + i im, rotated each step by the angle 2 pi / period
and scaled by (1 - alpha), with two synaptic inputs (ports "real" and "imag"). Per step,
with a_re, a_im the inputs of the step (int64 numpy, wrapping on overflow; db =
decay_bits):

    re_in = a_re << state_exp,  im_in = a_im << state_exp
    re' = trunc0(cos_d * re, db) - trunc0(sin_d * im, db) + re_in
    im' = trunc0(sin_d * re, db) + trunc0(cos_d * im, db) + im_in
    re', im' clipped to [-(2**23 - 1), 2**23 - 1]
    rf (iz = 0): spike where re' >= vth and im' >= 0 and the previous im < 0; no reset
    iz (iz = 1): spike where im' >= vth; there re' = 0 and im' = vth - 1

Each of the four products is truncated toward zero on its own: trunc0 of the sum would
round differently (trunc0(a, n) + trunc0(b, n) != trunc0(a + b, n) in general). sin_d,
cos_d (integers at decay_bits, truncated toward zero) and vth (scaled by 2**state_exp)
arrive computed by `neurons.ResonateFire.resolve`, once, in numpy. The spikes are binary.

"rf" fires once per turn, at the phase where z crosses the positive real axis from below
with enough amplitude; "iz" fires when im reaches the threshold and restarts just below it.
"""
import numpy as np

from .fixed_point import trunc0

STATE_VARS = ("re", "im")
STATE_MAX = 2**23 - 1   # re and im: 24-bit signed, saturate symmetrically


def initial_state(params, n):
    """re = im = 0 for each of the n neurons."""
    return {var: np.zeros(n, dtype=np.int64) for var in STATE_VARS}


def rf_step(params, state, a, limit):
    """One step of n resonate-and-fire neurons, both variants (params["iz"]).

    params: per-neuron int64 arrays from `neurons.ResonateFire.resolve` (sin_d, cos_d,
    vth, decay_bits, state_exp, iz); state: {"re", "im"}; a: int64 array of shape (2, n),
    the inputs of the step on the ports "real" (row 0) and "imag" (row 1); limit: unused,
    the spikes are binary. Returns (new state, spikes as int64 0/1). The arguments are not
    modified.
    """
    a = np.asarray(a, dtype=np.int64)
    sin_d, cos_d, db = params["sin_d"], params["cos_d"], params["decay_bits"]
    vth, iz = params["vth"], params["iz"] != 0
    re, im = state["re"], state["im"]
    re_in = a[0] << params["state_exp"]
    im_in = a[1] << params["state_exp"]
    re_new = trunc0(cos_d * re, db) - trunc0(sin_d * im, db) + re_in
    im_new = trunc0(sin_d * re, db) + trunc0(cos_d * im, db) + im_in
    re_new = np.clip(re_new, -STATE_MAX, STATE_MAX)
    im_new = np.clip(im_new, -STATE_MAX, STATE_MAX)
    fired = np.where(iz, im_new >= vth, (re_new >= vth) & (im_new >= 0) & (im < 0))
    reset = iz & fired
    re_new = np.where(reset, 0, re_new)
    im_new = np.where(reset, vth - 1, im_new)
    return {"re": re_new, "im": im_new}, fired.astype(np.int64)
