"""Sigma-delta neurons of the reference model: graded spikes (spec/neurocore.md section 4).

Three models share one encoder: sigma-delta neurons (hidden layers), delta encoders (the
input layer) and sigma decoders (the output layer). Per step, with a the synaptic input
of the step (int64 numpy, wrapping on overflow, no saturation of any state):

    sigma-delta:  sigma += a
                  act_new = sigma + bias                 act_mode "unit"  (relu = 0)
                            max(sigma + bias, 0)         act_mode "relu"  (relu = 1)
                  then the encoder below
    delta:        act_new = a << input_exp               (input_exp = spike_exp + state_exp)
                  then the encoder below
    sigma:        sigma += a;  raw payload = sigma

    encoder:      delta = act_new - act + residue
                  without cum_error: s = delta where |delta| >= vth, else 0
                  with cum_error:    error += delta; s = delta where |error| >= vth, else 0;
                                     error = 0 where s != 0
                  raw payload = floor(s, state_exp)
                  sent = limit(raw payload)
                  residue = delta - s                       (corrected = 0: the quirk)
                            delta - (sent << state_exp)     (corrected = 1)
                  act = act_new

vth and bias arrive already scaled by 2**(spike_exp + state_exp) (`neurons.SigmaDelta
.resolve`). `limit` maps raw payloads to the payloads actually sent: the simulator
saturates them to the target's payload width, or raises PayloadRangeError in strict mode.

Summing the residue update over the steps gives act - residue = sum of what the residue
update subtracted. **Quirk** (kept from the reference): without `corrected` that is the
sum of s, not of what was sent: the low state_exp bits that floor(s, state_exp) drops are
lost, so a receiver's running sum of payloads << state_exp drifts away from act.
`corrected` keeps in the residue everything that was not sent (the dropped bits and, if
the payload saturated, the part cut off): act - residue is then exactly the sum of the
payloads sent, << state_exp.

|x| is numpy's np.abs on int64, which leaves -2**63 negative: a delta (or error) of
exactly -2**63 therefore passes no threshold, as in the kernel (fixed_point.hpp
wrap_abs). Such values need wrapped arithmetic to arise at all.
"""
import numpy as np

SIGMA_DELTA_VARS = ("sigma", "act", "residue", "error")
DELTA_VARS = ("act", "residue", "error")
SIGMA_VARS = ("sigma",)


def _zeros(names, n):
    return {var: np.zeros(n, dtype=np.int64) for var in names}


def encode(params, state, act_new, limit):
    """The encoder shared by sigma-delta neurons and delta encoders.

    params: vth, cum_error, corrected, state_exp (per-neuron int64); state: act, residue,
    error; act_new: the new activation. Returns ({"act", "residue", "error"}, payload).
    """
    vth, state_exp = params["vth"], params["state_exp"]
    cum_error = params["cum_error"] != 0
    delta = act_new - state["act"] + state["residue"]
    # error accumulates only with cum_error; without it, it stays 0 from the start
    error = np.where(cum_error, state["error"] + delta, state["error"])
    tested = np.where(cum_error, error, delta)
    s = np.where(np.abs(tested) >= vth, delta, 0)
    error = np.where(cum_error & (s != 0), 0, error)
    payload = limit(s >> state_exp)
    residue = np.where(params["corrected"] != 0, delta - (payload << state_exp), delta - s)
    return {"act": act_new, "residue": residue, "error": error}, payload


def sigma_delta_initial_state(params, n):
    """sigma = act = residue = error = 0 for each of the n neurons."""
    return _zeros(SIGMA_DELTA_VARS, n)


def sigma_delta_step(params, state, a, limit):
    """One step of n sigma-delta neurons.

    params: per-neuron int64 arrays from `neurons.SigmaDelta.resolve` (vth, bias, relu,
    cum_error, corrected, state_exp); state: {"sigma", "act", "residue", "error"}; a: int64
    array of shape (1, n), the synaptic input of the step; limit: raw payloads -> payloads
    sent. Returns (new state, payloads sent, int64; 0 = no spike). The arguments are not
    modified.
    """
    sigma = state["sigma"] + np.asarray(a, dtype=np.int64)[0]
    act_new = sigma + params["bias"]
    act_new = np.where(params["relu"] != 0, np.maximum(act_new, 0), act_new)
    encoded, payload = encode(params, state, act_new, limit)
    return {"sigma": sigma, **encoded}, payload


def delta_initial_state(params, n):
    """act = residue = error = 0 for each of the n neurons."""
    return _zeros(DELTA_VARS, n)


def delta_step(params, state, a, limit):
    """One step of n delta encoders: the input scaled by 2**input_exp becomes act_new.

    params: per-neuron int64 arrays from `neurons.Delta.resolve` (vth, cum_error,
    corrected, state_exp, input_exp); state: {"act", "residue", "error"}; a, limit and the
    result as in `sigma_delta_step`.
    """
    act_new = np.asarray(a, dtype=np.int64)[0] << params["input_exp"]
    return encode(params, state, act_new, limit)


def sigma_initial_state(params, n):
    """sigma = 0 for each of the n neurons."""
    return _zeros(SIGMA_VARS, n)


def sigma_step(params, state, a, limit):
    """One step of n sigma decoders: the running sum of the input is the payload.

    params: none (`neurons.Sigma.resolve` returns {}); state: {"sigma"}; a, limit and the
    result as in `sigma_delta_step`.
    """
    sigma = state["sigma"] + np.asarray(a, dtype=np.int64)[0]
    return {"sigma": sigma}, limit(sigma)
