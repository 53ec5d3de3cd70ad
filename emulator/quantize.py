"""Quantization to the target's integer formats.

For now: the synaptic weight format of spec/neurocore.md section 2 (clip by sign mode,
then truncate to num_weight_bits), applied once when a connection is compiled.
"""
import numpy as np


def prepare_weights(weights, sign_mode, num_weight_bits):
    """Weights as the synaptic memory stores them (vectorised; int64 in, int64 out).

    1. clip by sign mode: mixed -> [-256, 255]; excitatory -> [0, 255];
       inhibitory -> [-255, 0];
    2. truncate: k = 8 - num_weight_bits + (1 if mixed else 0); w = (w >> k) << k, on the
       magnitude for inhibitory weights. Mixed 8-bit weights lose their lowest bit
       (115 -> 114, -115 -> -116): a quirk of the reference, kept on purpose.
    """
    w = np.asarray(weights, dtype=np.int64)
    mixed = sign_mode == "mixed"
    if mixed:
        w = np.clip(w, -256, 255)
    elif sign_mode == "excitatory":
        w = np.clip(w, 0, 255)
    else:
        w = np.clip(w, -255, 0)
    k = 8 - num_weight_bits + (1 if mixed else 0)
    if sign_mode == "inhibitory":
        return -((-w >> k) << k)
    return (w >> k) << k
