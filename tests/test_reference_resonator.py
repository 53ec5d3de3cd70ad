"""Hand-checked small examples of spec/neurocore.md section 5 (resonate-and-fire neurons,
variants rf and iz) on the reference model, plus property tests and the model's
parameter ranges.

`steps` drives `resonator.rf_step` directly with hand-chosen integer constants; with
sin_d = 0 and cos_d = 2**decay_bits the oscillator stands still, so re and im move only
by the inputs and the spike rules can be read off alone.
"""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.errors import ParameterRangeError, ShapeError
from emulator.network import Network
from emulator.neurons import ResonateFire
from emulator.reference import ReferenceSimulator
from emulator.reference import resonator

STILL = dict(sin_d=0, cos_d=4096, decay_bits=12, state_exp=0)


def params_of(**values):
    """One neuron's params, as `ResonateFire.resolve` shapes them."""
    return {k: np.array([v], dtype=np.int64) for k, v in values.items()}


def steps(params, inputs, re=0, im=0):
    """Run rf_step for one neuron from (re, im) over inputs [(a_re, a_im), ...].

    Returns the lists of re, im and spikes after each step."""
    state = {"re": np.array([re]), "im": np.array([im])}
    out = {"re": [], "im": [], "spikes": []}
    for a_re, a_im in inputs:
        state, spikes = resonator.rf_step(params, state, np.array([[a_re], [a_im]]),
                                          limit=None)
        for var in ("re", "im"):
            out[var].append(int(state[var][0]))
        out["spikes"].append(int(spikes[0]))
    return out


def drive(model, a_re, a_im):
    """One population of `model` fed on port "real" by a_re[k] and on port "imag" by
    a_im[k] at step k + 2 (graded input, identity weights). Returns the ReferenceResult
    rows of those steps (step 1 dropped)."""
    net = Network()
    x = net.input(2, name="x", graded=True)
    h = net.population(1, model, name="h")
    net.connect(x, h, [[1, 0]], num_message_bits=24, port="real")
    net.connect(x, h, [[0, 1]], num_message_bits=24, port="imag")
    raster = np.array(list(zip(a_re, a_im)) + [(0, 0)], dtype=np.int64)
    res = ReferenceSimulator(net).run(len(raster), inputs={"x": raster})
    return {"spikes": res.spikes["h"][1:, 0].tolist(), "a_in": res.a_in["h"][1:, 0].tolist(),
            **{var: res.state["h"][var][1:, 0].tolist() for var in ("re", "im")}}


# --- Section 5: the rotation ----------------------------------------------------------------

def test_sin_cos_constants_truncate_toward_zero():
    """Section 5: sin_d = int((1 - alpha) sin(2 pi / period) 2**12), toward zero: period 8
    gives 4096 / sqrt(2) = 2896.3 -> 2896 for both; period 4 gives sin 4096 and cos 0
    (cos(pi / 2) is 6e-17 in floats); period 8/3 (135 degrees) gives cos -2896, not
    -2897; alpha = 0.5 halves them."""
    def consts(**kw):
        p = ResonateFire(**kw).resolve("h", 1)
        return int(p["sin_d"][0]), int(p["cos_d"][0])
    assert consts(period=8) == (2896, 2896)
    assert consts(period=4) == (4096, 0)
    assert consts(period=8 / 3) == (2896, -2896)
    assert consts(period=8, alpha=0.5) == (1448, 1448)


def test_each_product_is_truncated_toward_zero_separately():
    """Section 5 step 2, by hand, period 8 (sin_d = cos_d = 2896), re = 5, im = -5:
        re' = trunc0(2896 * 5, 12) - trunc0(2896 * -5, 12) = 3 - (-3) = 6
        im' = trunc0(2896 * 5, 12) + trunc0(2896 * -5, 12) = 3 + (-3) = 0
    Truncating the sum instead would give trunc0(28960, 12) = 7 for re', and flooring
    each product 3 - (-4) = 7."""
    params = ResonateFire(period=8, vth=2**20).resolve("h", 1)
    out = steps(params, [(0, 0)], re=5, im=-5)
    assert (out["re"], out["im"]) == ([6], [0])


def test_input_is_shifted_by_state_exp_after_the_rotation():
    """Section 5 steps 1-2: re_in = a_re << state_exp is added to the rotated state:
    from re = 10 with period 4 (a quarter turn: re' = -im, im' = re) and a = (1, -2),
    state_exp = 3: re' = 0 + 8, im' = 10 - 16."""
    params = ResonateFire(period=4, state_exp=3, vth=2**10).resolve("h", 1)
    out = steps(params, [(1, -2)], re=10)
    assert (out["re"], out["im"]) == ([8], [-6])


def test_state_clips_to_plus_minus_2_23_minus_1():
    """Section 5 step 3: re' and im' are clipped to [-(2**23 - 1), 2**23 - 1] (so -2**24
    becomes -(2**23 - 1), not -2**23). alpha = 1 makes sin_d = cos_d = 0: the state is
    the scaled input of the step."""
    res = drive(ResonateFire(alpha=1, state_exp=1, vth=2**20), [2**23 - 1, 5], [-2**23, -5])
    assert res["re"] == [2**23 - 1, 10]
    assert res["im"] == [-(2**23 - 1), -10]


# --- Section 5: the spike rules -------------------------------------------------------------

def test_rf_spikes_only_when_im_turns_non_negative_and_does_not_reset():
    """Section 5 step 4, variant rf: spike iff re' >= vth and im' >= 0 and the previous
    im < 0 (all inclusive), with no reset. vth = 10, starting at re = 20:
      (0, -1)  im = -1                   no spike (im' < 0)
      (0, 2)   im = 1, previous -1        spike; re and im are kept
      (0, 0)   im = 1, previous 1         no spike, though re' >= vth and im' >= 0
      (-15, -2) re = 5, im = -1           no spike
      (0, 1)   im = 0, previous -1        no spike: re' = 5 < vth
      (0, -1)  im = -1
      (5, 1)   re = 10, im = 0            spike: re' = vth and im' = 0 both count"""
    out = steps(params_of(**STILL, vth=10, iz=0),
                [(0, -1), (0, 2), (0, 0), (-15, -2), (0, 1), (0, -1), (5, 1)], re=20)
    assert out["spikes"] == [0, 1, 0, 0, 0, 0, 1]
    assert out["re"] == [20, 20, 20, 5, 5, 5, 10]
    assert out["im"] == [-1, 1, 1, -1, 0, -1, 0]


def test_iz_spikes_when_im_reaches_vth_and_resets_to_0_and_vth_minus_1():
    """Section 5 step 4, variant iz: spike iff im' >= vth; there re = 0 and im = vth - 1
    (vth = 5: im = 4). im = 4 stays below the threshold; one more unit spikes again."""
    out = steps(params_of(**STILL, vth=5, iz=1), [(3, 7), (0, 0), (0, 1), (2, -10)])
    assert out["spikes"] == [1, 0, 1, 0]
    assert out["re"] == [0, 0, 0, 2]
    assert out["im"] == [4, 4, 4, -6]


def test_fractional_vth_is_scaled_by_2_to_state_exp_and_truncated():
    """Section 5: vth = 124.25 with state_exp 6 is int(124.25 * 64) = 7952 (124.26 too).
    In iz with alpha = 1, an imaginary input of 124 (7936) stays below it, 125 (8000)
    spikes and leaves im = 7951."""
    assert ResonateFire(vth=124.25, state_exp=6).resolve("h", 1)["vth"].tolist() == [7952]
    assert ResonateFire(vth=124.26, state_exp=6).resolve("h", 1)["vth"].tolist() == [7952]
    res = drive(ResonateFire(alpha=1, vth=124.25, state_exp=6, variant="iz"),
                [0, 0], [124, 125])
    assert res["spikes"] == [0, 1]
    assert res["im"] == [7936, 7951]


def test_ports_route_real_and_imaginary_inputs():
    """Section 5 and section 2: a connection feeds the port it names. With a quarter turn
    per step (period 4: re' = -im, im' = re), an imaginary input of 3 moves only im
    first, then turns: (0, 3), (-3, 0), (0, -3), (3, 0); rf with vth 0 spikes when im
    turns non-negative at (3, 0). a_in records the real port only."""
    res = drive(ResonateFire(period=4, vth=0), [0, 0, 0, 0], [3, 0, 0, 0])
    assert list(zip(res["re"], res["im"])) == [(0, 3), (-3, 0), (0, -3), (3, 0)]
    assert res["spikes"] == [0, 0, 0, 1]
    assert res["a_in"] == [0, 0, 0, 0]
    res = drive(ResonateFire(period=4, vth=0), [3, 0], [0, 0])
    assert list(zip(res["re"], res["im"])) == [(3, 0), (0, 3)]
    assert res["a_in"] == [3, 0]


def test_rf_fires_once_per_turn():
    """Section 5: a kicked, undamped resonator with period 8 crosses the positive real
    axis from below once per 8 steps, so it spikes every 8 steps (first after one turn)."""
    res = drive(ResonateFire(period=8, vth=100), [1000] + [0] * 32, [0] * 33)
    assert np.flatnonzero(res["spikes"]).tolist() == [8, 16, 24, 32]


# --- Properties ---------------------------------------------------------------------------

@given(re=st.integers(-(2**23 - 1), 2**23 - 1), im=st.integers(-(2**23 - 1), 2**23 - 1),
       a_re=st.integers(-2**30, 2**30), a_im=st.integers(-2**30, 2**30),
       period=st.floats(2, 1000), state_exp=st.integers(0, 16), iz=st.booleans())
def test_alpha_1_leaves_only_the_scaled_input(re, im, a_re, a_im, period, state_exp, iz):
    """Section 5: alpha = 1 gives sin_d = cos_d = 0, so the new state is the input of the
    step << state_exp, clipped (before any iz reset), whatever the old state."""
    params = ResonateFire(alpha=1, period=period, state_exp=state_exp, vth=100,
                          variant="iz" if iz else "rf").resolve("h", 1)
    assert params["sin_d"].tolist() == params["cos_d"].tolist() == [0]
    new, spikes = resonator.rf_step(params, {"re": np.array([re]), "im": np.array([im])},
                                    np.array([[a_re], [a_im]]), limit=None)
    clip = lambda x: min(max(x << state_exp, -(2**23 - 1)), 2**23 - 1)  # noqa: E731
    if spikes[0] and iz:
        assert (new["re"][0], new["im"][0]) == (0, params["vth"][0] - 1)
    else:
        assert (new["re"][0], new["im"][0]) == (clip(a_re), clip(a_im))


def scalar_rf(re, im, a_re, a_im, sin_d, cos_d, db, vth, state_exp, iz):
    """Section 5 written with Python integers, one neuron, for the property test below."""
    def trunc0(x, n):
        return x >> n if x >= 0 else -((-x) >> n)

    def clip(x):
        return min(max(x, -(2**23 - 1)), 2**23 - 1)
    re_new = clip(trunc0(cos_d * re, db) - trunc0(sin_d * im, db) + (a_re << state_exp))
    im_new = clip(trunc0(sin_d * re, db) + trunc0(cos_d * im, db) + (a_im << state_exp))
    if iz:
        spike = im_new >= vth
        if spike:
            re_new, im_new = 0, vth - 1
    else:
        spike = re_new >= vth and im_new >= 0 and im < 0
    return re_new, im_new, int(spike)


@given(re=st.integers(-(2**23 - 1), 2**23 - 1), im=st.integers(-(2**23 - 1), 2**23 - 1),
       a_re=st.integers(-2**30, 2**30), a_im=st.integers(-2**30, 2**30),
       period=st.floats(2, 1000), alpha=st.floats(0, 1), vth=st.floats(0, 127),
       decay_bits=st.integers(1, 30), state_exp=st.integers(0, 16), iz=st.booleans())
def test_rf_step_matches_the_scalar_equations(re, im, a_re, a_im, period, alpha, vth,
                                              decay_bits, state_exp, iz):
    """Section 5: the vectorised int64 step equals the equations in exact integers, with
    the constants of `ResonateFire.resolve` (nothing overflows 64 bits here)."""
    params = ResonateFire(period=period, alpha=alpha, vth=vth, decay_bits=decay_bits,
                          state_exp=state_exp, variant="iz" if iz else "rf").resolve("h", 1)
    new, spikes = resonator.rf_step(params, {"re": np.array([re]), "im": np.array([im])},
                                    np.array([[a_re], [a_im]]), limit=None)
    c = {k: int(v[0]) for k, v in params.items()}
    assert (int(new["re"][0]), int(new["im"][0]), int(spikes[0])) == scalar_rf(
        re, im, a_re, a_im, c["sin_d"], c["cos_d"], c["decay_bits"], c["vth"], state_exp, iz)


# --- Parameter ranges (neurons.ResonateFire.resolve) -------------------------------------

@pytest.mark.parametrize("model, n, error, message", [
    (ResonateFire(alpha=1.5), 1, ParameterRangeError, r"population 'h'.*alpha.*1\.5.*\[0, 1\]"),
    (ResonateFire(alpha=-0.1), 1, ParameterRangeError, r"population 'h'.*alpha.*-0\.1"),
    (ResonateFire(period=1.9), 1, ParameterRangeError, r"population 'h'.*period.*1\.9.*\[2, "),
    (ResonateFire(period=math.nan), 1, ParameterRangeError, r"population 'h'.*period.*finite"),
    (ResonateFire(state_exp=17), 1, ParameterRangeError,
     r"population 'h'.*state_exp.*17.*\[0, 16\]"),
    (ResonateFire(decay_bits=0), 1, ParameterRangeError, r"population 'h'.*decay_bits.*\[1, 30\]"),
    (ResonateFire(vth=2**17, state_exp=6), 1, ParameterRangeError,
     r"population 'h'.*vth=131072 scaled by 2\*\*6 is 8388608.*8388607"),
    (ResonateFire(vth=-1), 1, ParameterRangeError, r"population 'h'.*vth.*-1.*\[0, 8388607\]"),
    (ResonateFire(variant="lif"), 1, ParameterRangeError,
     r"population 'h'.*variant='lif'.*'rf', 'iz'"),
    (ResonateFire(period=[4, 5]), 3, ShapeError, r"population 'h'.*period.*\(2,\).*\(3,\)"),
])
def test_out_of_range_parameters_are_refused(model, n, error, message):
    """Section 5 parameter ranges: period >= 2, alpha in [0, 1], state_exp 0..16,
    decay_bits 1..30, scaled vth in [0, 2**23 - 1], variant rf | iz, per-neuron shapes."""
    with pytest.raises(error, match=message):
        Network().population(n, model, name="h")
