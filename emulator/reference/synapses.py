"""Synapses of the reference model: weight preparation and the per-step synaptic input.

Spec: spec/neurocore.md section 2 (connections) and section 6 (graded spikes).

Weight preparation, once at load time (`prepare_weights`):

    1. clip by sign mode:  mixed -> [-256, 255]; excitatory -> [0, 255];
                           inhibitory -> [-255, 0] (the magnitude is clipped to [0, 255])
    2. truncate:           k = 8 - num_weight_bits + (1 if mixed else 0)
                           w = (w >> k) << k      (arithmetic floor; for inhibitory the
                                                   magnitude is truncated: w = -((-w >> k) << k))

With mixed signs and 8 bits, k = 1, so the lowest bit is dropped (a quirk of the reference):
115 -> 114, -115 -> -116, 1 -> 0, -1 -> -2.

Synaptic input, each step (`connection_input`): for one emission step and one connection,
for every post neuron and every delay value d,

    s = sum over the connection's synapses with that post neuron and delay d of
            w                    (binary connection, num_message_bits == 0: every synapse
                                  whose pre payload is nonzero counts once)
            w * payload          (graded connection, num_message_bits > 0)
    s = s << weight_exp          if weight_exp > 0
        floor(s, -weight_exp)    otherwise (arithmetic right shift, rounds toward -inf)

and s is added, unsaturated, into the post neuron's input of step (emission step + 1 + d).
The shift applies to that sum, never to each weight, never to the total of a delay slot,
and never to the total over several connections.

All arithmetic is int64 numpy and wraps on overflow, like the C++ kernel.
"""
import numpy as np

from ..errors import ParameterRangeError
# the sign modes and their clipping ranges (before truncation), as the Network states them
from ..network import SIGN_MODES, WEIGHT_RANGE
from .fixed_point import shift_signed

#: Width of the weight mantissa before truncation (num_weight_bits counts from here).
MAX_WEIGHT_BITS = 8


def prepare_weights(weights, sign_mode, num_weight_bits):
    """Clip by sign mode, then truncate to num_weight_bits (spec section 2, load time).

    weights: integer array (any shape) as given to `Network.connect`;
    sign_mode: "mixed", "excitatory" or "inhibitory" (any case);
    num_weight_bits: 1..8. Returns an int64 array of the same shape.
    """
    mode = str(sign_mode).lower()
    if mode not in SIGN_MODES:
        raise ParameterRangeError(f"prepare_weights: sign_mode={sign_mode!r}; expected one "
                                  f"of {SIGN_MODES}")
    if not 1 <= int(num_weight_bits) <= MAX_WEIGHT_BITS:
        raise ParameterRangeError(f"prepare_weights: num_weight_bits={num_weight_bits!r} is "
                                  f"outside the allowed range [1, {MAX_WEIGHT_BITS}]")
    lo, hi = WEIGHT_RANGE[mode]
    w = np.clip(np.asarray(weights, dtype=np.int64), lo, hi)
    k = MAX_WEIGHT_BITS - int(num_weight_bits) + (1 if mode == "mixed" else 0)
    if mode == "inhibitory":
        return -(((-w) >> k) << k)
    return (w >> k) << k


def connection_input(conn, weights, payload):
    """Shifted per-delay sums that one connection sends for one emission step.

    conn: a `network.Connection` (flat pre_index, post_index, delays; weight_exp;
    num_message_bits); weights: its prepared weights (`prepare_weights`), aligned with the
    flat synapse arrays; payload: int64 array of length conn.pre.n, the payload each pre
    neuron or input channel emitted at this step (0 = no spike).

    Returns a list of (delay, int64 array of length conn.post.n): the contribution that
    arrives delay + 1 steps after the emission step.
    """
    payload = np.asarray(payload, dtype=np.int64)
    sent = payload[conn.pre_index]
    if conn.graded:
        terms = weights * sent
    else:
        terms = np.where(sent != 0, weights, 0)
    out = []
    for d in np.unique(conn.delays):
        at_d = conn.delays == d
        total = np.zeros(conn.post.n, dtype=np.int64)
        np.add.at(total, conn.post_index[at_d], terms[at_d])
        # floor(0) and 0 << e are 0: shifting the sums of silent post neurons is harmless.
        out.append((int(d), shift_signed(total, conn.weight_exp)))
    return out
