"""Hand-checked small examples of every rule of spec/neurocore.md sections 1, 2, 3 and 6
that the reference model implements, quirks of the Loihi 2 reference included.

Most examples drive one LIF neuron through `drive`: a graded input whose raster value is
delivered, unchanged, as the synaptic input a of the next step.
"""
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from emulator.errors import InputError, ParameterRangeError, PayloadRangeError, UnknownNameError
from emulator.network import Network
from emulator.neurons import LIF
from emulator.reference import ReferenceSimulator, prepare_weights
from emulator.reference import fixed_point, lif

BIG_VTH = 2**17 - 1  # vth << 6 = 2**23 - 64: no spike below that


def drive(a, **lif_params):
    """State of one LIF neuron given the synaptic inputs a[0], a[1], ... at steps 2, 3, ...

    Returns the ReferenceResult of len(a) + 1 steps; row i + 1 is the step a[i] arrives.
    """
    net = Network()
    x = net.input(1, name="x", graded=True)
    h = net.population(1, LIF(**lif_params), name="h")
    net.connect(x, h, [[1]], num_message_bits=24)
    raster = np.asarray(list(a) + [0], dtype=np.int64).reshape(-1, 1)
    res = ReferenceSimulator(net).run(len(raster), inputs={"x": raster})
    assert res.a_in["h"][1:, 0].tolist() == list(a)
    return res


def a_of(weights, raster, **connect_kwargs):
    """a_in of a population fed by one connection from an input; raster rows are emitted
    at steps 1, 2, ...; run one step more than the raster has rows."""
    if not sp.issparse(weights):
        weights = np.asarray(weights)
    raster = np.asarray(raster, dtype=np.int64)
    net = Network()
    x = net.input(weights.shape[1], name="x", graded=connect_kwargs.get("num_message_bits", 0) > 0)
    h = net.population(weights.shape[0], LIF(vth=BIG_VTH), name="h")
    net.connect(x, h, weights, **connect_kwargs)
    steps = len(raster) + 1
    raster = np.vstack([raster, np.zeros((1, weights.shape[1]), dtype=np.int64)])
    return ReferenceSimulator(net).run(steps, inputs={"x": raster}).a_in["h"]


# --- Section 2: weight preparation ----------------------------------------------------

def test_mixed_sign_8_bit_weights_drop_their_lowest_bit():
    """Section 2 quirk: mixed sign mode truncates k = 8 - 8 + 1 = 1 bit (floor)."""
    assert prepare_weights([115, -115, 1, -1], "mixed", 8).tolist() == [114, -116, 0, -2]


def test_mixed_weights_clip_to_minus_256_255():
    """Section 2: mixed clips to [-256, 255], then truncates (255 -> 254)."""
    assert prepare_weights([-300, -256, 255, 300], "mixed", 8).tolist() == [-256, -256, 254, 254]


def test_inhibitory_weights_clip_and_truncate_the_magnitude():
    """Section 2: inhibitory clips to [-255, 0] and truncates |w| (toward zero), not w
    (a floor of w would give -256 and -8)."""
    assert prepare_weights([-300, -255, -7, 5], "inhibitory", 6).tolist() == [-252, -252, -4, 0]


def test_excitatory_weights_clip_to_0_255():
    """Section 2: excitatory clips to [0, 255]; 8 bits truncate nothing."""
    assert prepare_weights([-3, 0, 7, 255, 300], "excitatory", 8).tolist() == [0, 0, 7, 255, 255]


def test_excitatory_truncation_floors_to_num_weight_bits():
    """Section 2: k = 8 - num_weight_bits low bits are cleared (3 bits: multiples of 32)."""
    assert prepare_weights([31, 32, 255], "excitatory", 3).tolist() == [0, 32, 224]


def test_network_weights_are_prepared_before_use():
    """Section 2: the synaptic input uses the prepared weight (115 mixed -> 114)."""
    a = a_of([[115, -1]], [[1, 0]], sign_mode="mixed")
    assert a[1].tolist() == [114]


# --- Section 2: the synaptic input -----------------------------------------------------

def test_weight_exp_shifts_the_sum_not_each_weight():
    """Section 2: two synapses of weight 1, weight_exp -1: floor((1 + 1) / 2) = 1, where
    shifting each weight would give 0; one spike alone gives floor(1 / 2) = 0."""
    a = a_of([[1, 1]], [[1, 1], [1, 0]], weight_exp=-1)
    assert a[1:, 0].tolist() == [1, 0]


def test_negative_weight_exp_floors_toward_minus_infinity():
    """Section 2: floor(-1, 1) = -1 (not 0), floor(-3, 1) = -2."""
    a = a_of([[-1, -2]], [[1, 0], [1, 1]], weight_exp=-1, sign_mode="inhibitory")
    assert a[1:, 0].tolist() == [-1, -2]


def test_positive_weight_exp_shifts_left_without_saturation():
    """Section 2: sum << weight_exp, no saturation of the sum (255 * 3 << 8)."""
    a = a_of([[255, 255, 255]], [[1, 1, 1]], weight_exp=8)
    assert a[1, 0] == 765 * 256


def test_two_connections_into_one_neuron_are_shifted_separately():
    """Section 2: the shift applies per connection: 0 + 0, not floor((1 + 1) / 2) = 1."""
    net = Network()
    x1, x2 = net.input(1, name="x1"), net.input(1, name="x2")
    h = net.population(1, LIF(vth=BIG_VTH), name="h")
    net.connect(x1, h, [[1]], weight_exp=-1)
    net.connect(x2, h, [[1]], weight_exp=-1)
    res = ReferenceSimulator(net).run(2, inputs={"x1": [[1], [0]], "x2": [[1], [0]]})
    assert res.a_in["h"][:, 0].tolist() == [0, 0]


def test_a_delay_slot_total_is_not_shifted():
    """Section 2: contributions of different emission steps arriving together (delay 1 from
    step 1, delay 0 from step 2, both at step 3) are shifted each on its own: 0 + 0."""
    raster = [[1, 0], [0, 1]]
    shifted = a_of([[1, 1]], raster, weight_exp=-1, delays=[[1, 0]])
    unshifted = a_of([[1, 1]], raster, weight_exp=0, delays=[[1, 0]])
    assert shifted[2, 0] == 0
    assert unshifted[2, 0] == 2


def test_delay_d_arrives_d_steps_after_a_delay_0_synapse():
    """Section 2: input row 0 (step 1) reaches delay 0 at step 2 and delay 3 at step 5."""
    a = a_of([[5], [7]], [[1], [0], [0], [0]], delays=[[0], [3]])
    assert a[:, 0].tolist() == [0, 5, 0, 0, 0]
    assert a[:, 1].tolist() == [0, 0, 0, 0, 7]


def test_sparse_and_dense_weights_give_the_same_input():
    """Section 2: a sparse connection sums over its stored synapses exactly as the dense
    matrix holding zeros elsewhere (delays given with the same sparsity)."""
    dense = np.array([[0, 9, 0], [4, 0, -3]])
    delays = np.array([[0, 2, 0], [1, 0, 1]])
    raster = [[1, 1, 1], [0, 1, 0]]
    expected = a_of(dense, raster + [[0, 0, 0]] * 2, delays=delays, weight_exp=-1)
    got = a_of(sp.csr_matrix(dense), raster + [[0, 0, 0]] * 2, delays=sp.csr_matrix(delays),
               weight_exp=-1)
    np.testing.assert_array_equal(got, expected)
    assert expected[:, 0].tolist() == [0, 0, 0, 4, 4]


def test_binary_connection_counts_any_nonzero_payload_once():
    """Section 2: num_message_bits = 0 sums the weights of the inputs that spiked, whatever
    their graded payload (negative ones too): 3 + 5, not 3 * -9 + 5 * 4."""
    net = Network()
    x = net.input(2, name="x", graded=True)
    h = net.population(1, LIF(vth=BIG_VTH), name="h")
    net.connect(x, h, [[3, 5]], num_message_bits=0)
    res = ReferenceSimulator(net).run(2, inputs={"x": [[-9, 4], [0, 0]]})
    assert res.a_in["h"][1, 0] == 8


def test_graded_connection_multiplies_weight_by_payload():
    """Section 2: num_message_bits > 0 sums weight x payload."""
    a = a_of([[3, -5]], [[-9, 4]], num_message_bits=8, sign_mode="mixed")
    # mixed 8-bit weights lose their lowest bit: 3 -> 2, -5 -> -6
    assert a[1, 0] == 2 * -9 + -6 * 4


# --- Section 3: CUBA LIF ---------------------------------------------------------------

def test_u_at_exactly_minus_2_23_becomes_plus_2_23():
    """Section 3 quirk: the wrap test is u <= -2**23, so -2**23 becomes +2**23."""
    res = drive([-2**17], du=0, vth=BIG_VTH)
    assert res.state["h"]["u"][1, 0] == 2**23


def test_u_above_2_23_wraps_once():
    """Section 3: u = 2**23 + 64 > 2**23 wraps to 64 - 2**23."""
    res = drive([2**17 + 1], du=4095, vth=BIG_VTH)
    assert res.state["h"]["u"][1, 0] == 64 - 2**23


def test_u_wraps_only_once():
    """Section 3 quirk: one correction, not a modulo: u = 2**25 becomes 2**24 (still out of
    24 bits), u = -2**25 becomes -2**24."""
    res = drive([2**19, -2**19], du=4095, vth=BIG_VTH)
    assert res.state["h"]["u"][1:, 0].tolist() == [2**24, -2**24]


def test_v_saturates_to_minus_2_23_plus_1():
    """Section 3: v saturates to [-(2**23 - 1), 2**23 - 1]; the low end is -(2**23 - 1).

    (Saturation at the high end cannot be seen in v: vth << 6 <= 2**23 - 64, so a neuron
    whose v saturates high always spikes and resets.)"""
    res = drive([-2**16] * 3, du=4095, dv=0, vth=BIG_VTH)
    assert res.state["h"]["v"][1:, 0].tolist() == [-2**22, -(2**23 - 1), -(2**23 - 1)]


def test_lif_step_saturates_high_v_before_the_threshold():
    """Section 3: v = 2**23 - 1 + u is saturated, then compared with vth << 6 and reset."""
    params = {k: np.array([val]) for k, val in
              dict(du=4095, dv=0, vth=BIG_VTH, bias_mant=0, bias_exp=0).items()}
    state = {"u": np.array([0]), "v": np.array([2**23 - 1])}
    new, spikes = lif.lif_step(params, state, np.array([[2**16]]), limit=None)
    assert spikes.tolist() == [1] and new["v"].tolist() == [0] and new["u"].tolist() == [2**22]


def test_du_4095_clears_u():
    """Section 3 quirk: the decay uses du + 1, so du = 4095 keeps only this step's a * 64."""
    res = drive([5, 0, -3], du=4095, vth=BIG_VTH)
    assert res.state["h"]["u"][1:, 0].tolist() == [320, 0, -192]


def test_du_0_still_decays_u():
    """Section 3 quirk: with du = 0, u decays by 4095/4096: 4096 -> 4095, -4096 -> -4095
    (trunc0 rounds toward zero)."""
    res = drive([64, 0], du=0, vth=BIG_VTH)
    assert res.state["h"]["u"][1:, 0].tolist() == [4096, 4095]
    res = drive([-64, 0], du=0, vth=BIG_VTH)
    assert res.state["h"]["u"][1:, 0].tolist() == [-4096, -4095]


def test_dv_0_is_a_perfect_integrator():
    """Section 3: dv = 0 keeps v and adds u: with u = 64 per step, v = 64, 128, 192."""
    res = drive([1, 1, 1], du=4095, dv=0, vth=BIG_VTH)
    assert res.state["h"]["v"][1:, 0].tolist() == [64, 128, 192]


def test_v_decay_rounds_toward_zero():
    """Section 3: v decays by trunc0, toward zero. With dv = 2048 and b = -3:
    v = -3, trunc0(-3 * 2048, 12) - 3 = -1 - 3 = -4, then -2 - 3 = -5, then
    trunc0(-5 * 2048, 12) - 3 = -2 - 3 = -5 (a floor would give -5, -6, -6)."""
    res = drive([0, 0, 0], du=0, dv=2048, bias_mant=-3, vth=BIG_VTH)
    assert res.state["h"]["v"][:, 0].tolist() == [-3, -4, -5, -5]


def test_spike_needs_v_strictly_above_vth_shifted_by_6_and_resets_v_not_u():
    """Section 3: spike iff v > vth << 6 (64 with vth = 1): v = 64 does not spike, v = 128
    does; then v = 0 and u keeps its value."""
    res = drive([1, 0, 1, 0], du=4095, dv=0, vth=1)
    assert res.spikes["h"][1:, 0].tolist() == [0, 0, 1, 0]
    assert res.state["h"]["v"][1:, 0].tolist() == [64, 64, 0, 0]
    assert res.state["h"]["u"][1:, 0].tolist() == [64, 0, 64, 0]


def test_vth_0_spikes_on_any_positive_v():
    """Section 3: vth = 0 means spike iff v > 0; no refractory period."""
    res = drive([1, 1, 0], du=4095, dv=0, vth=0)
    assert res.spikes["h"][1:, 0].tolist() == [1, 1, 0]


@pytest.mark.parametrize("mant, exp, b", [(-5, -1, -3), (5, -1, 2), (-1, -8, -1),
                                          (3, 2, 12), (-4096, 7, -4096 * 128)])
def test_bias_exponent_floors_when_negative(mant, exp, b):
    """Section 3: b = bias_mant << bias_exp, or floor(bias_mant, -bias_exp) when negative
    (-5 with exp -1 is -3); b is on v's scale, not shifted by 6. dv = 4095 keeps v = b."""
    res = drive([0], du=0, dv=4095, vth=BIG_VTH, bias_mant=mant, bias_exp=exp)
    assert res.state["h"]["v"][0, 0] == max(b, -(2**23 - 1))


def test_bias_is_per_neuron():
    """Section 3: bias_mant and bias_exp may be given per neuron."""
    net = Network()
    net.population(3, LIF(dv=4095, vth=BIG_VTH, bias_mant=[-5, 5, 1], bias_exp=[-1, 0, 3]),
                   name="h")
    res = ReferenceSimulator(net).run(1)
    assert res.state["h"]["v"][0].tolist() == [-3, 5, 8]


def scalar_lif(u, v, a, du, dv, vth, bias_mant, bias_exp):
    """Section 3 written with Python integers, one neuron, for the property test below."""
    def trunc0(x, n):
        return x >> n if x >= 0 else -((-x) >> n)
    b = bias_mant << bias_exp if bias_exp >= 0 else bias_mant >> -bias_exp
    u = trunc0(u * (4096 - (du + 1)), 12) + a * 64
    if u > 2**23:
        u -= 2**24
    if u <= -2**23:
        u += 2**24
    v = min(max(trunc0(v * (4096 - dv), 12) + u + b, -(2**23 - 1)), 2**23 - 1)
    spike = v > vth << 6
    return u, (0 if spike else v), int(spike)


@given(u=st.integers(-2**24, 2**24), v=st.integers(-(2**23 - 1), 2**23 - 1),
       a=st.integers(-2**25 + 1, 2**25 - 1), du=st.integers(0, 4095), dv=st.integers(0, 4095),
       vth=st.integers(0, 2**17 - 1), bias_mant=st.integers(-4096, 4095),
       bias_exp=st.integers(-8, 7))
def test_lif_step_matches_the_scalar_equations(u, v, a, du, dv, vth, bias_mant, bias_exp):
    """Section 3: the vectorised int64 step equals the equations in exact integers whenever
    nothing overflows 64 bits (|a| < 2**25, |u| <= 2**24)."""
    params = {k: np.array([val], dtype=np.int64) for k, val in
              dict(du=du, dv=dv, vth=vth, bias_mant=bias_mant, bias_exp=bias_exp).items()}
    new, spikes = lif.lif_step(params, {"u": np.array([u]), "v": np.array([v])},
                              np.array([[a]]), limit=None)
    assert (new["u"][0], new["v"][0], spikes[0]) == scalar_lif(u, v, a, du, dv, vth,
                                                               bias_mant, bias_exp)


def test_int64_arithmetic_wraps_like_the_kernel():
    """Section 3 / fixed_point.hpp: beyond 64 bits the arithmetic wraps (two's complement),
    trunc0 of -2**63 included, with no error."""
    x = np.array([-2**63, 2**63 - 1, -7], dtype=np.int64)
    # -x wraps to -2**63, the shift keeps it negative and negating again gives a positive
    # result: the C++ trunc0 (through uint64_t) computes the same.
    assert fixed_point.trunc0(x, 1).tolist() == [2**62, 2**62 - 1, -3]
    assert fixed_point.trunc0(np.array([-2**63], dtype=np.int64), 12).tolist() == [2**51]


# --- Section 1: the time step --------------------------------------------------------

def chain():
    """x -> h -> g: a spike of h at step t reaches g at step t + 1."""
    net = Network()
    x = net.input(1, name="x")
    h = net.population(1, LIF(du=4095, dv=4095, vth=0), name="h")
    g = net.population(1, LIF(du=4095, dv=4095, vth=BIG_VTH), name="g")
    net.connect(x, h, [[1]])
    net.connect(h, g, [[7]])
    return net


def test_row_k_reaches_the_first_population_at_step_k_plus_2_and_the_next_one_later():
    """Section 1: input row 0 is emitted at step 1, reaches h at step 2 (h spikes at 2),
    and h's spike reaches g at step 3."""
    res = ReferenceSimulator(chain()).run(4, inputs={"x": [[1], [0], [0], [0]]})
    assert res.a_in["h"][:, 0].tolist() == [0, 1, 0, 0]
    assert res.spikes["h"][:, 0].tolist() == [0, 1, 0, 0]
    assert res.a_in["g"][:, 0].tolist() == [0, 0, 7, 0]


def recurrent_net():
    """A small net with delays up to 9, a graded input and a recurrent connection, so that
    continuing a run depends on state and on deliveries still pending."""
    rng = np.random.default_rng(5)
    net = Network()
    x = net.input(4, name="x", graded=True)
    h = net.population(6, LIF(du=300, dv=100, vth=30, bias_mant=[3, -2, 0, 1, 5, -7]), name="h")
    g = net.population(3, LIF(du=0, dv=0, vth=200), name="g")
    net.connect(x, h, rng.integers(-200, 200, (6, 4)), num_message_bits=8,
                delays=rng.integers(0, 10, (6, 4)), weight_exp=-2)
    net.connect(h, h, rng.integers(-100, 100, (6, 6)), delays=rng.integers(0, 5, (6, 6)))
    net.connect(h, g, rng.integers(0, 255, (3, 6)), weight_exp=3)
    raster = rng.integers(-3, 40, (20, 4))
    return net, raster


def assert_same_results(parts, whole):
    for field in ("spikes", "a_in"):
        for name, arr in getattr(whole, field).items():
            joined = np.concatenate([getattr(p, field)[name] for p in parts])
            np.testing.assert_array_equal(joined, arr, err_msg=f"{field}[{name}]")
    for name, vars_ in whole.state.items():
        for var, arr in vars_.items():
            joined = np.concatenate([p.state[name][var] for p in parts])
            np.testing.assert_array_equal(joined, arr, err_msg=f"state[{name}][{var}]")


def test_run_5_then_run_5_equals_run_10():
    """Section 1: a run continues from the state, the step count and the pending delayed
    inputs of the previous call, as one longer run."""
    net, raster = recurrent_net()
    whole = ReferenceSimulator(net).run(10, inputs={"x": raster[:10]})
    assert whole.spikes["h"].any() and whole.spikes["g"].any()
    sim = ReferenceSimulator(net)
    first = sim.run(5, inputs={"x": raster[:5]})
    second = sim.run(5, inputs={"x": raster[5:10]})
    assert_same_results([first, second], whole)


def test_runs_of_any_lengths_concatenate():
    """Section 1: 0 + 3 + 1 + 16 steps are the same as 20 steps."""
    net, raster = recurrent_net()
    whole = ReferenceSimulator(net).run(20, inputs={"x": raster})
    sim = ReferenceSimulator(net)
    parts = [sim.run(b - a, inputs={"x": raster[a:b]}) for a, b in [(0, 0), (0, 3), (3, 4),
                                                                    (4, 20)]]
    assert_same_results(parts, whole)


def test_reset_starts_over_at_step_1():
    """Section 1: after reset, the same inputs give the same results as a fresh simulator."""
    net, raster = recurrent_net()
    sim = ReferenceSimulator(net)
    first = sim.run(10, inputs={"x": raster[:10]})
    sim.run(7, inputs={"x": raster[10:17]})
    sim.reset()
    again = sim.run(10, inputs={"x": raster[:10]})
    assert_same_results([again], first)


# --- Section 6: payloads and run-time inputs ---------------------------------------------

def graded_net():
    net = Network()
    x = net.input(2, name="x", graded=True)
    h = net.population(2, LIF(vth=BIG_VTH), name="h")
    net.connect(x, h, [[1, 0], [0, 1]], num_message_bits=24)
    return net


def test_binary_input_emits_1_where_the_raster_is_nonzero():
    """Section 6: a binary input's spike is the message 1, even into a graded connection."""
    net = Network()
    x = net.input(3, name="x")
    h = net.population(1, LIF(vth=BIG_VTH), name="h")
    net.connect(x, h, [[10, 20, 40]], num_message_bits=8)
    res = ReferenceSimulator(net).run(2, inputs={"x": [[5, -2, 0], [0, 0, 0]]})
    assert res.a_in["h"][1, 0] == 30


def test_graded_payload_saturates_by_default():
    """Section 6: outside the 24-bit payload width a graded input saturates."""
    raster = np.array([[2**23, -2**23 - 5], [0, 0]])
    res = ReferenceSimulator(graded_net()).run(2, inputs={"x": raster})
    assert res.a_in["h"][1].tolist() == [2**23 - 1, -2**23]


def test_payload_width_is_configurable():
    """Section 6: payload_bits = 8 saturates to [-128, 127]."""
    res = ReferenceSimulator(graded_net(), payload_bits=8).run(
        2, inputs={"x": np.array([[300, -300], [0, 0]], dtype=np.int16)})
    assert res.a_in["h"][1].tolist() == [127, -128]
    res = ReferenceSimulator(graded_net(), payload_bits=8).run(
        2, inputs={"x": np.array([[2**64 - 1, 5], [0, 0]], dtype=np.uint64)})
    assert res.a_in["h"][1].tolist() == [127, 5]


def test_graded_payload_out_of_range_raises_in_strict_mode():
    """Section 6: strict mode refuses the payload, naming the input, value and range, and
    leaves the simulator unchanged."""
    sim = ReferenceSimulator(graded_net(), strict=True)
    with pytest.raises(PayloadRangeError, match=r"'x'.*8388608.*step 2.*\[-8388608, 8388607\]"):
        sim.run(2, inputs={"x": [[0, 0], [2**23, 0]]})
    assert sim.t == 0
    res = sim.run(2, inputs={"x": [[2**23 - 1, -2**23], [0, 0]]})
    assert res.a_in["h"][1].tolist() == [2**23 - 1, -2**23]


def test_missing_input_is_an_input_error():
    with pytest.raises(InputError, match=r"'x'.*missing.*\(3, 2\)"):
        ReferenceSimulator(graded_net()).run(3, inputs={})


def test_unknown_input_is_an_unknown_name_error():
    with pytest.raises(UnknownNameError, match=r"'y'.*\['x'\]"):
        ReferenceSimulator(graded_net()).run(1, inputs={"x": [[0, 0]], "y": [[1]]})


def test_wrong_raster_shape_is_an_input_error():
    with pytest.raises(InputError, match=r"'x'.*\(3, 3\).*\(3, 2\)"):
        ReferenceSimulator(graded_net()).run(3, inputs={"x": np.zeros((3, 3), dtype=int)})


def test_float_raster_is_an_input_error_and_bool_is_fine():
    with pytest.raises(InputError, match=r"'x'.*float64.*\(2, 2\)"):
        ReferenceSimulator(graded_net()).run(2, inputs={"x": np.zeros((2, 2))})
    res = ReferenceSimulator(graded_net()).run(2, inputs={"x": np.array([[True, False]] * 2)})
    assert res.a_in["h"][1].tolist() == [1, 0]


def test_bad_steps_and_payload_bits_are_refused():
    with pytest.raises(InputError, match="steps"):
        ReferenceSimulator(graded_net()).run(-1, inputs={"x": np.zeros((0, 2), dtype=int)})
    with pytest.raises(ParameterRangeError, match="payload_bits"):
        ReferenceSimulator(graded_net(), payload_bits=33)


def test_result_arrays_are_int64_with_one_row_per_step():
    net, raster = recurrent_net()
    res = ReferenceSimulator(net).run(7, inputs={"x": raster[:7]})
    for name, n in (("h", 6), ("g", 3)):
        for arr in (res.spikes[name], res.a_in[name], res.state[name]["u"],
                    res.state[name]["v"]):
            assert arr.dtype == np.int64 and arr.shape == (7, n)
