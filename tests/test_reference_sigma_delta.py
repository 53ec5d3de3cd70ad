"""Hand-checked small examples of spec/neurocore.md section 4 (sigma-delta neurons, delta
encoders, sigma decoders) and section 6 (graded payloads) on the reference model, quirks
of the Loihi 2 reference included, plus property tests and the models' parameter ranges.

Most examples drive one neuron through `drive`: a graded input whose raster value reaches
the neuron, unchanged, as the synaptic input a of the next step.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.errors import ParameterRangeError, PayloadRangeError, ShapeError
from emulator.network import Network
from emulator.neurons import Delta, Sigma, SigmaDelta
from emulator.reference import ReferenceSimulator
from emulator.reference import sigma_delta


def drive(model, a, payload_bits=24, strict=False):
    """Run one population of `model` given its synaptic inputs a[0], a[1], ... at steps
    2, 3, ... (a scalar per step for one neuron, or a list per step for several).

    Returns (spikes, state) with the rows of the steps a arrives (step 1 dropped):
    spikes (len(a), n), state {var: (len(a), n)}.
    """
    a = np.asarray(a, dtype=np.int64).reshape(len(a), -1)
    n = a.shape[1]
    net = Network()
    x = net.input(n, name="x", graded=True)
    h = net.population(n, model, name="h")
    net.connect(x, h, np.eye(n, dtype=np.int64), num_message_bits=24)
    raster = np.vstack([a, np.zeros((1, n), dtype=np.int64)])
    res = ReferenceSimulator(net, payload_bits=payload_bits, strict=strict).run(
        len(raster), inputs={"x": raster})
    np.testing.assert_array_equal(res.a_in["h"][1:], a)
    return res.spikes["h"][1:], {var: arr[1:] for var, arr in res.state["h"].items()}


def column(arr):
    return arr[:, 0].tolist()


# --- Section 4: sigma-delta neurons ------------------------------------------------------

def test_sigma_integrates_without_saturation():
    """Section 4 step 1: sigma += a, no shift and no saturation: three inputs of
    2**23 - 1 take sigma (and act, unit mode) far beyond 24 bits."""
    big = 2**23 - 1
    spikes, state = drive(SigmaDelta(act_mode="unit"), [big, big, big])
    assert column(state["sigma"]) == [big, 2 * big, 3 * big]
    assert column(state["act"]) == [big, 2 * big, 3 * big]
    assert column(spikes) == [big, big, big]


def test_relu_clamps_act_at_zero_and_unit_does_not():
    """Section 4 step 2: act = max(sigma + bias, 0) for relu, sigma + bias for unit.
    With a = -5, 3, 4 sigma is -5, -2, 2: relu sends only the final rise to 2."""
    spikes, state = drive(SigmaDelta(act_mode="unit"), [-5, 3, 4])
    assert column(state["act"]) == [-5, -2, 2] and column(spikes) == [-5, 3, 4]
    spikes, state = drive(SigmaDelta(act_mode="relu"), [-5, 3, 4])
    assert column(state["sigma"]) == [-5, -2, 2]
    assert column(state["act"]) == [0, 0, 2] and column(spikes) == [0, 0, 2]


def test_vth_0_sends_every_change():
    """Section 4 step 4: with vth = 0 every |delta| >= 0 passes, so each change of act,
    however small, is sent (a change of 0 is a payload of 0: no spike)."""
    spikes, state = drive(SigmaDelta(act_mode="unit", vth=0), [1, 0, -1, 2])
    assert column(spikes) == [1, 0, -1, 2]
    assert column(state["residue"]) == [0, 0, 0, 0]


def test_sub_threshold_change_waits_in_the_residue():
    """Section 4 steps 3-5: |delta| < vth sends nothing and keeps delta as the residue,
    which joins the next delta: with vth = 4 and a = 1, 1, 1, 1, -3, delta is 1, 2, 3,
    then 4 (sent), then -3 (kept)."""
    spikes, state = drive(SigmaDelta(act_mode="unit", vth=4), [1, 1, 1, 1, -3])
    assert column(spikes) == [0, 0, 0, 4, 0]
    assert column(state["residue"]) == [1, 2, 3, 0, -3]
    assert column(state["act"]) == [1, 2, 3, 4, 1]


def test_floor_quirk_loses_bits_and_corrected_returns_them():
    """Section 4 step 6 quirk: payload = floor(s, state_exp) and the residue is delta - s,
    so the low bits are lost: with state_exp = 2 and a change of 5 per step, each payload
    is 1 (worth 4) and the receivers' sum 4, 8, 12, 16 falls behind act = 5, 10, 15, 20.
    The corrected variant keeps delta - (payload << 2) in the residue (1, 2, 3, 0) and
    sends 2 at step 4, so the sum of payloads << 2 is act - residue: 4, 8, 12, 20."""
    a = [5, 5, 5, 5]
    spikes, state = drive(SigmaDelta(act_mode="unit", state_exp=2), a)
    assert column(spikes) == [1, 1, 1, 1]
    assert column(state["residue"]) == [0, 0, 0, 0]
    spikes, state = drive(SigmaDelta(act_mode="unit", state_exp=2, corrected=True), a)
    assert column(spikes) == [1, 1, 1, 2]
    assert column(state["residue"]) == [1, 2, 3, 0]
    decoded = np.cumsum(spikes[:, 0]) << 2
    assert decoded.tolist() == (state["act"] - state["residue"])[:, 0].tolist() == [4, 8, 12, 20]


def test_cum_error_accumulates_sub_threshold_deltas():
    """Section 4 step 4 with cum_error: error += delta and the test is |error| >= vth.
    A lasting residue of 1 (vth = 4) is added to error every step (delta = 1 each step,
    since the residue joins delta), so it is sent at the fourth step and error returns
    to 0; without cum_error it is never sent."""
    spikes, state = drive(SigmaDelta(act_mode="unit", vth=4, cum_error=True), [1, 0, 0, 0])
    assert column(state["error"]) == [1, 2, 3, 0]
    assert column(spikes) == [0, 0, 0, 1]
    assert column(state["residue"]) == [1, 1, 1, 0]
    spikes, state = drive(SigmaDelta(act_mode="unit", vth=4), [1, 0, 0, 0])
    assert column(spikes) == [0, 0, 0, 0] and column(state["error"]) == [0, 0, 0, 0]


def test_negative_payloads_floor_toward_minus_infinity():
    """Section 4 step 6: floor(s, state_exp) is an arithmetic shift: -5 >> 2 = -2 (not
    -1), -4 >> 2 = -1; corrected keeps -5 - (-2 << 2) = 3 in the residue."""
    spikes, _ = drive(SigmaDelta(act_mode="unit", state_exp=2), [[-5, -4]])
    assert spikes[0].tolist() == [-2, -1]
    spikes, state = drive(SigmaDelta(act_mode="unit", state_exp=2, corrected=True), [[-5, -4]])
    assert spikes[0].tolist() == [-2, -1] and state["residue"][0].tolist() == [3, 0]


def test_vth_and_bias_are_scaled_by_2_to_spike_exp_plus_state_exp():
    """Section 4: vth and bias are multiplied by 2**(spike_exp + state_exp) = 8 and
    truncated toward zero (1.5 -> 12, -1.3 -> -10.4 -> -10); the bias acts from step 1
    (act = 3 * 8 = 24, payload floor(24, 2) = 6)."""
    params = SigmaDelta(vth=1.5, bias=-1.3, spike_exp=1, state_exp=2).resolve("h", 1)
    assert params["vth"].tolist() == [12] and params["bias"].tolist() == [-10]
    net = Network()
    net.population(1, SigmaDelta(bias=3, spike_exp=1, state_exp=2, act_mode="unit"), name="h")
    res = ReferenceSimulator(net).run(2)
    assert column(res.state["h"]["act"]) == [24, 24]
    assert column(res.spikes["h"]) == [6, 0]


def biased(bias, **kwargs):
    """A population of len(bias) sigma-delta neurons with no input, only their bias."""
    net = Network()
    net.population(len(bias), SigmaDelta(bias=bias, act_mode="unit", **kwargs), name="h")
    return net


def test_payload_saturates_to_the_payload_width():
    """Section 6: a neuron's payload saturates to the payload width (8 bits: 127). The
    quirk's residue (delta - s) forgets the part cut off; corrected keeps it and sends it
    over the next steps: 1000 = 7 * 127 + 111."""
    res = ReferenceSimulator(biased([1000, -1000]), payload_bits=8).run(3)
    assert res.spikes["h"].tolist() == [[127, -128], [0, 0], [0, 0]]
    res = ReferenceSimulator(biased([1000], corrected=True), payload_bits=8).run(10)
    assert column(res.spikes["h"]) == [127] * 7 + [111, 0, 0]
    assert column(res.state["h"]["residue"])[:2] == [1000 - 127, 1000 - 254]


def test_payload_out_of_range_raises_in_strict_mode():
    """Section 6: strict mode refuses a neuron's payload outside the width, naming the
    population, the neuron, the step, the value and the range."""
    sim = ReferenceSimulator(biased([0, 1000]), payload_bits=8, strict=True)
    with pytest.raises(PayloadRangeError,
                       match=r"population 'h': neuron 1 .*payload 1000 at step 1.*\[-128, 127\]"):
        sim.run(2)
    assert ReferenceSimulator(biased([0, 127]), payload_bits=8, strict=True).run(1) \
        .spikes["h"].tolist() == [[0, 127]]


def test_payload_limit_does_not_bound_the_state():
    """Section 6: only the payload is limited; sigma, act and the residue are not."""
    res = ReferenceSimulator(biased([2**22]), payload_bits=8).run(1)
    assert column(res.state["h"]["act"]) == [2**22] and column(res.spikes["h"]) == [127]


# --- Section 4: delta encoders and sigma decoders ---------------------------------------

def test_delta_encoder_shifts_its_input_and_does_not_integrate_it():
    """Section 4: the delta encoder's act_new = a << (spike_exp + state_exp) = a << 3
    (no integration: the second 3 is no change), payload floor(delta, state_exp = 2)."""
    spikes, state = drive(Delta(spike_exp=1, state_exp=2), [3, 3, 5, -1])
    assert column(state["act"]) == [24, 24, 40, -8]
    assert column(spikes) == [6, 0, 4, -12]
    assert set(state) == {"act", "residue", "error"}


def test_delta_encoder_threshold_is_scaled_too():
    """Section 4: Delta's vth is scaled like SigmaDelta's: vth = 1.5 with spike_exp 2 is
    6, so an input step of 1 (4 after the shift) waits in the residue and one of 2 (8)
    passes: act 4, 8, 16, 20 sends 0, 4 + 4, 8, 0."""
    spikes, state = drive(Delta(vth=1.5, spike_exp=2), [1, 2, 4, 5])
    assert column(spikes) == [0, 8, 8, 0]
    assert column(state["residue"]) == [4, 0, 0, 4]


def test_sigma_decoder_sends_its_running_sum_every_step():
    """Section 4: sigma += a; the payload is sigma, sent every step it is nonzero."""
    spikes, state = drive(Sigma(), [3, 0, -5, 2])
    assert column(state["sigma"]) == [3, 3, -2, 0]
    assert column(spikes) == [3, 3, -2, 0]


def test_sigma_decoder_payload_saturates_but_sigma_does_not():
    """Section 6: the decoder's payload is limited to the width, not its sigma."""
    spikes, state = drive(Sigma(), [100, 100], payload_bits=8)
    assert column(state["sigma"]) == [100, 200] and column(spikes) == [100, 127]


def test_int64_minimum_passes_no_threshold():
    """Documented wrap behaviour: np.abs(-2**63) is -2**63 (negative), so a delta of
    exactly -2**63 is below any threshold, vth = 0 included, and stays in the residue."""
    n = 1
    params = SigmaDelta(act_mode="unit").resolve("h", n)
    state = sigma_delta.sigma_delta_initial_state(params, n)
    new, payload = sigma_delta.sigma_delta_step(params, state, np.array([[-2**63]]),
                                                limit=lambda raw: raw)
    assert payload.tolist() == [0] and new["residue"].tolist() == [-2**63]


# --- Properties ---------------------------------------------------------------------------

def encoder_decoder(delta_model, n):
    """graded input x -> Delta e -> (identity, graded) -> Sigma d."""
    net = Network()
    x = net.input(n, name="x", graded=True)
    e = net.population(n, delta_model, name="e")
    d = net.population(n, Sigma(), name="d")
    net.connect(x, e, np.eye(n, dtype=np.int64), num_message_bits=24)
    net.connect(e, d, np.eye(n, dtype=np.int64), num_message_bits=24)
    return net


@given(raster=st.lists(st.lists(st.integers(-2**21, 2**21), min_size=3, max_size=3),
                       min_size=1, max_size=15))
def test_sigma_decoder_reconstructs_a_delta_encoder_with_vth_0(raster):
    """Section 4: with vth = 0, state_exp = 0, no cum_error, every change is sent whole,
    so the decoder behind an identity connection holds the encoder's act one step later.
    (|change| <= 2**22 keeps every payload inside the 24-bit width.)"""
    net = encoder_decoder(Delta(vth=0, state_exp=0, corrected=True), 3)
    res = ReferenceSimulator(net).run(len(raster), inputs={"x": np.asarray(raster)})
    np.testing.assert_array_equal(res.state["d"]["sigma"][1:], res.state["e"]["act"][:-1])


@given(raster=st.lists(st.lists(st.integers(-2**10, 2**10), min_size=2, max_size=2),
                       min_size=1, max_size=15),
       vth=st.integers(0, 40), state_exp=st.integers(0, 6), spike_exp=st.integers(0, 3),
       cum_error=st.booleans(), payload_bits=st.integers(4, 24))
def test_corrected_decoded_sum_is_act_minus_residue(raster, vth, state_exp, spike_exp,
                                                    cum_error, payload_bits):
    """Section 4, corrected variant: everything not sent stays in the residue, so the
    sum of the payloads sent, << state_exp, equals act - residue exactly, whatever the
    threshold, cum_error, or the saturation of payloads to a narrow width; the decoder
    holds that sum one step later."""
    model = Delta(vth=vth, state_exp=state_exp, spike_exp=spike_exp, cum_error=cum_error,
                  corrected=True)
    res = ReferenceSimulator(encoder_decoder(model, 2), payload_bits=payload_bits).run(
        len(raster), inputs={"x": np.asarray(raster)})
    sent_sum = np.cumsum(res.spikes["e"], axis=0)
    e = res.state["e"]
    np.testing.assert_array_equal(sent_sum << state_exp, e["act"] - e["residue"])
    np.testing.assert_array_equal(res.state["d"]["sigma"][1:], sent_sum[:-1])


def scalar_sigma_delta(state, a, vth, bias, relu, cum_error, corrected, state_exp, lo, hi):
    """Section 4 written with Python integers, one neuron, for the property test below."""
    sigma, act, residue, error = state
    sigma += a
    act_new = max(sigma + bias, 0) if relu else sigma + bias
    delta = act_new - act + residue
    if cum_error:
        error += delta
        s = delta if abs(error) >= vth else 0
        if s != 0:
            error = 0
    else:
        s = delta if abs(delta) >= vth else 0
    sent = min(max(s >> state_exp, lo), hi)
    residue = delta - (sent << state_exp) if corrected else delta - s
    return (sigma, act_new, residue, error), sent


@given(state=st.tuples(*[st.integers(-2**40, 2**40)] * 4), a=st.integers(-2**40, 2**40),
       vth=st.integers(0, 2**23 - 1), bias=st.integers(-(2**23 - 1), 2**23 - 1),
       relu=st.booleans(), cum_error=st.booleans(), corrected=st.booleans(),
       state_exp=st.integers(0, 16))
def test_sigma_delta_step_matches_the_scalar_equations(state, a, vth, bias, relu, cum_error,
                                                       corrected, state_exp):
    """Section 4: the vectorised int64 step equals the equations in exact integers when
    nothing overflows 64 bits, with a limit saturating to 24 bits."""
    params = {k: np.array([int(v)]) for k, v in dict(
        vth=vth, bias=bias, relu=relu, cum_error=cum_error, corrected=corrected,
        state_exp=state_exp).items()}
    names = sigma_delta.SIGMA_DELTA_VARS
    new, sent = sigma_delta.sigma_delta_step(
        params, {var: np.array([v]) for var, v in zip(names, state)}, np.array([[a]]),
        limit=lambda raw: np.clip(raw, -2**23, 2**23 - 1))
    expected_state, expected_sent = scalar_sigma_delta(
        state, a, vth, bias, relu, cum_error, corrected, state_exp, -2**23, 2**23 - 1)
    assert tuple(int(new[var][0]) for var in names) == expected_state
    assert int(sent[0]) == expected_sent


def test_step_does_not_modify_its_arguments():
    """The reference API: step(params, state, a, limit) returns a new state."""
    params = SigmaDelta(vth=1, act_mode="unit").resolve("h", 2)
    state = {var: np.array([3, -4]) for var in sigma_delta.SIGMA_DELTA_VARS}
    a = np.array([[5, 6]])
    copies = [{k: v.copy() for k, v in d.items()} for d in (params, state)] + [a.copy()]
    sigma_delta.sigma_delta_step(params, state, a, limit=lambda raw: raw)
    for before, after in zip(copies, (params, state)):
        assert all(np.array_equal(before[k], after[k]) for k in before)
    np.testing.assert_array_equal(a, copies[2])


# --- Parameter ranges (neurons.SigmaDelta / Delta.resolve) -------------------------------

@pytest.mark.parametrize("model, n, error, message", [
    (SigmaDelta(vth=2**20, state_exp=4), 1, ParameterRangeError,
     r"population 'h'.*vth=1048576 scaled by 2\*\*4 is 16777216.*8388607"),
    (SigmaDelta(bias=-2**20, spike_exp=3), 1, ParameterRangeError,
     r"population 'h'.*bias=-1048576 scaled by 2\*\*3"),
    (SigmaDelta(vth=-1), 1, ParameterRangeError, r"population 'h'.*vth.*-1.*\[0, 8388607\]"),
    (SigmaDelta(state_exp=17), 1, ParameterRangeError,
     r"population 'h'.*state_exp.*17.*\[0, 16\]"),
    (Delta(spike_exp=17), 1, ParameterRangeError, r"population 'h'.*spike_exp.*17.*\[0, 16\]"),
    (SigmaDelta(act_mode="tanh"), 1, ParameterRangeError,
     r"population 'h'.*act_mode='tanh'.*'relu', 'unit'"),
    (SigmaDelta(cum_error=1), 1, ParameterRangeError, r"population 'h'.*cum_error=1"),
    (SigmaDelta(bias=[1, 2]), 3, ShapeError, r"population 'h'.*bias.*\(2,\).*\(3,\)"),
])
def test_out_of_range_parameters_are_refused(model, n, error, message):
    """Section 4 parameter ranges: scaled vth and bias within +-(2**23 - 1), vth >= 0,
    exponents 0..16, act_mode relu | unit, boolean flags, per-neuron shapes."""
    with pytest.raises(error, match=message):
        Network().population(n, model, name="h")
