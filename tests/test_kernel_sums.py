"""A step's synaptic sums are added at the narrowest width that cannot overflow: 16 bits
when the magnitudes of the weights reaching each accumulator add up to less than 2^15, 32
bits below 2^31, else the 64-bit input ring. The width is the kernel's choice; the sums
must not show it."""
import numpy as np
import scipy.sparse as sp
from hypothesis import given, strategies as st

import emulator
from emulator.testing import assert_mapping_invariant

QUIET = dict(du=4095, dv=0, vth=2**17 - 1)  # u = a * 64: the step's input itself
RING = {16: 2, 32: 4}  # bytes per accumulator the narrow sums add to the input ring


def fed_by(weights, weight_exp=0, **connect):
    """A network of len(weights) inputs into one quiet neuron probed for u."""
    net = emulator.Network()
    x = net.input(len(weights), name="x")
    h = net.population(1, emulator.LIF(**QUIET), name="h")
    net.connect(x, h, weights=np.asarray([weights]), weight_exp=weight_exp, sign_mode="mixed", **connect)
    net.probe(h, "u")
    return net


def test_sums_at_the_edges_of_16_and_32_bits():
    # all inputs spike once: the neuron's input is the sum of its weights (even ones: 8-bit
    # mixed-sign weights keep only even mantissas)
    for weights, width in [([254] * 129, 16), ([-256] * 127 + [-254], 16), ([-256] * 128, 32),
                           ([254] * 130, 32), ([254, -256] * 200, 32)]:
        sim = emulator.Simulator(emulator.compile(fed_by(weights)))
        raster = np.vstack([np.ones(len(weights), np.int64), np.zeros(len(weights), np.int64)])
        u = sim.run(2, inputs={"x": raster}).probes["h.u"]
        expected = sum(weights) * 64
        assert u[1, 0] == expected, (width, u[1, 0], expected)
        # one accumulator: the ring's bytes show the width the sums took
        ring = sim.memory_parts["ring"]
        assert ring - 16 == RING[width], (width, ring)


@st.composite
def wide_fan_ins(draw):
    """One neuron fed by up to 300 synapses of weights often at their extremes, with an
    exponent: the most a step adds falls on either side of 2^15 (and, delayed, in the
    ring), over several steps of drawn input spikes."""
    n = draw(st.integers(1, 300))
    extreme = st.sampled_from([-256, -255, 254, 255])
    weights = draw(st.lists(st.one_of(extreme, st.integers(-256, 255)), min_size=n, max_size=n))
    exp = draw(st.sampled_from([0, 0, 1, 3]))
    delays = draw(st.sampled_from([None, [[1] * n]]))
    steps = 4
    raster = np.array(draw(st.lists(st.lists(st.sampled_from([0, 1, 1, 1]), min_size=n, max_size=n),
                                    min_size=steps, max_size=steps)))
    net = fed_by(weights, exp, **({} if delays is None else {"delays": np.asarray(delays)}))
    return net, {"x": raster}, steps


@given(wide_fan_ins())
def test_sums_of_wide_fan_ins_equal_the_reference(case):
    net, inputs, steps = case
    assert_mapping_invariant(net, inputs, steps, mappings=[("loihi2", emulator.targets.loihi2(), {})])


def test_synapses_stored_in_3_or_4_bytes_add_the_same():
    """A source's synapses whose targets lie within 2^15 of each other are stored in 3
    bytes (weight and target offset), farther apart in 4: both sides of that edge, with
    weights at the ends of their range, in 64-bit sums (delays) and narrow ones."""
    for span in (2**15 - 1, 2**15, 40_000):
        for delays in (None, 1):
            n = span + 1
            weights = np.zeros((n, 1), np.int64)
            weights[[0, span // 2, span], 0] = [-256, 254, -2]
            net = emulator.Network()
            x = net.input(1, name="x")
            h = net.population(n, emulator.LIF(**QUIET), name="h")
            connect = {} if delays is None else {"delays": np.where(weights != 0, delays, 0)}
            net.connect(x, h, weights=sp.csr_matrix(weights), sign_mode="mixed", **connect)
            net.probe(h, "u")
            u = emulator.Simulator(emulator.compile(net)).run(
                3, inputs={"x": np.array([[1], [0], [0]])}).probes["h.u"]
            arrived = u[1 + (delays or 0)] // 64
            assert arrived[[0, span // 2, span]].tolist() == [-256, 254, -2], (span, delays)
            assert np.count_nonzero(arrived) == 3
