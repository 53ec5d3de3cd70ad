"""Graded spikes and the new neuron models in the kernel: what the property tests against
the reference do not show -- counters worked out by hand, the payload width (saturation
and strict mode), input ports, target support and what the kernel refuses to load."""
import numpy as np
import pytest

import emulator
from emulator.errors import (InputError, PayloadRangeError, ProgramFormatError,
                             UnknownNameError, UnsupportedFeatureError)


def encoder_decoder(raster_values):
    """x (graded, 1 channel) -> Delta(vth=0) "enc" -> Sigma "out" (2 neurons)."""
    net = emulator.Network()
    x = net.input(1, name="x", graded=True)
    enc = net.population(1, emulator.Delta(vth=0), name="enc")
    out = net.population(2, emulator.Sigma(), name="out")
    net.connect(x, enc, weights=[[1]], num_message_bits=16)
    net.connect(enc, out, weights=[[1], [2]], num_message_bits=16)
    net.probe(out, "sigma")
    raster = np.asarray(raster_values, np.int64).reshape(-1, 1)
    return net, raster


def test_graded_counters_worked_out_by_hand():
    """The input sends 3, 3, -1 (rows 0-2); the encoder sends the changes 3, -4, +1 at
    steps 2, 4, 5; the decoder accumulates them (x1 and x2) and sends its sum each step."""
    net, raster = encoder_decoder([3, 3, -1, 0, 0, 0])
    result = emulator.Simulator(emulator.compile(net)).run(6, inputs={"x": raster})
    assert result.spikes["enc"][:, 0].tolist() == [0, 3, 0, -4, 1, 0]
    assert result.probes["out.sigma"].tolist() == [[0, 0], [0, 0], [3, 6], [3, 6], [-1, -2],
                                                   [0, 0]]
    assert result.spikes["out"].tolist() == result.probes["out.sigma"].tolist()
    c = result.counters
    # host: three nonzero payloads, one message each (one destination core); widths of
    # 3, 3, -1 in two's complement: 3 + 3 + 1 bits; the one core sits on the router the
    # host's packets enter by, so they cross no link
    assert c.host == {"spikes": 3, "messages": 3, "graded_messages": 3, "payload_bits": 7,
                      "packets": 3, "hops_ew": 0, "hops_ns": 0, "hops_chip": 0}
    # cores: enc sends 3, -4, 1 (3 + 3 + 2 bits) to one core; both out neurons spike at
    # steps 3, 4, 5 (sigma != 0) with no one to send to
    assert c["spikes"] == 3 + 2 * 3
    assert c["messages"] == c["graded_messages"] == 3
    assert c["payload_bits"] == 8
    # one synapse read per input message and two per encoder message
    assert c["synops"] == 3 + 3 * 2


def test_binary_models_send_binary_messages():
    net = emulator.Network()
    x = net.input(2, name="x")
    h = net.population(2, emulator.LIF(vth=0), name="h")
    o = net.population(1, emulator.LIF(vth=1000), name="o")
    net.connect(x, h, weights=[[100, 0], [0, 100]])
    net.connect(h, o, weights=[[1, 1]])
    r = emulator.Simulator(emulator.compile(net)).run(5, inputs={"x": np.ones((5, 2), np.int8)})
    assert r.counters["messages"] > 0
    assert r.counters["graded_messages"] == r.counters["payload_bits"] == 0
    assert r.counters.host["graded_messages"] == 0


def saturating_net():
    """A Sigma decoder fed 2**22 per step: its sum leaves the 24-bit payload range at
    step 4 (2**22 * 2 = 2**23 > 2**23 - 1)."""
    net = emulator.Network()
    x = net.input(1, name="x", graded=True)
    out = net.population(1, emulator.Sigma(), name="acc")
    net.connect(x, out, weights=[[1]], num_message_bits=24)
    net.probe(out, "sigma")
    return net, {"x": np.full((6, 1), 2**22, np.int64)}


def test_payloads_saturate_to_the_target_width_by_default():
    net, inputs = saturating_net()
    r = emulator.Simulator(emulator.compile(net)).run(6, inputs=inputs)
    assert r.probes["acc.sigma"][:, 0].tolist() == [0, 2**22, 2**23, 3 * 2**22, 2**24, 5 * 2**22]
    assert r.spikes["acc"][:, 0].tolist() == [0, 2**22] + [2**23 - 1] * 4


def test_the_payload_width_is_the_targets():
    net, inputs = saturating_net()
    program = emulator.compile(net, target=emulator.targets.loihi2(payload_bits=32))
    r = emulator.Simulator(program).run(6, inputs=inputs)
    assert r.spikes["acc"][:, 0].tolist() == [0, 2**22, 2**23, 3 * 2**22, 2**24, 5 * 2**22]


def test_strict_mode_stops_at_the_first_payload_beyond_the_width():
    net, inputs = saturating_net()
    sim = emulator.Simulator(emulator.compile(net), strict=True)
    with pytest.raises(PayloadRangeError) as e:
        sim.run(6, inputs=inputs)
    msg = str(e.value)
    assert "'acc'" in msg and "step 3" in msg and str(2**23) in msg and "24-bit" in msg
    assert f"[{-2**23}, {2**23 - 1}]" in msg
    # the run stopped in the middle of a step: the simulator refuses to go on ...
    with pytest.raises(InputError, match="reset"):
        sim.run(1, inputs={"x": np.zeros((1, 1), np.int64)})
    # ... until it is reset, and then it runs as a fresh one
    sim.reset()
    r = sim.run(2, inputs={"x": inputs["x"][:2]})
    assert r.spikes["acc"][:, 0].tolist() == [0, 2**22]


def test_resonator_ports_route_to_real_and_imaginary_inputs():
    """With alpha = 1 the resonator forgets everything each step (sin_d = cos_d = 0), so
    its state is exactly the scaled input of the step, port by port."""
    net = emulator.Network()
    x = net.input(2, name="x", graded=True)
    rf = net.population(3, emulator.ResonateFire(period=7, alpha=1.0, vth=2**20,
                                                 state_exp=2), name="rf")
    net.connect(x, rf, weights=[[1, 0], [0, 0], [0, 1]], num_message_bits=16, port="real")
    net.connect(x, rf, weights=[[0, 1], [1, 0], [0, 0]], num_message_bits=16, port="imag")
    net.probe(rf, "re")
    net.probe(rf, "im")
    raster = np.array([[5, -7], [0, 0]])
    for per_core in (None, 1):
        r = emulator.Simulator(emulator.compile(net, max_neurons_per_core=per_core)).run(
            2, inputs={"x": raster})
        assert r.probes["rf.re"][1].tolist() == [5 * 4, 0, -7 * 4]
        assert r.probes["rf.im"][1].tolist() == [-7 * 4, 5 * 4, 0]


def test_unknown_port_is_named():
    net = emulator.Network()
    x = net.input(1, name="x")
    rf = net.population(1, emulator.ResonateFire(), name="rf")
    lif = net.population(1, emulator.LIF(), name="lif")
    with pytest.raises(UnknownNameError, match=r"port='phase'.*'rf'.*\('real', 'imag'\)"):
        net.connect(x, rf, weights=[[1]], port="phase")
    with pytest.raises(UnknownNameError, match=r"port='imag'.*'lif'"):
        net.connect(x, lif, weights=[[1]], port="imag")


@pytest.mark.parametrize("model", [emulator.SigmaDelta(vth=1), emulator.Delta(vth=1),
                                   emulator.Sigma(), emulator.ResonateFire()])
def test_loihi1_has_no_sigma_delta_or_resonators(model):
    net = emulator.Network()
    x = net.input(1, name="x")
    net.population(1, model, name="p")
    net.connect(x, net.populations[0], weights=[[1]])
    with pytest.raises(UnsupportedFeatureError, match=f"loihi1.*{model.kind}.*'p'"):
        emulator.compile(net, target="loihi1")


def resonator_program():
    net = emulator.Network()
    x = net.input(1, name="x")
    rf = net.population(4, emulator.ResonateFire(period=[3, 4, 5, 6]), name="rf")
    net.connect(x, rf, weights=np.ones((4, 1)), port="imag")
    return emulator.compile(net)


def test_kernel_refuses_a_block_with_a_parameter_missing_or_unexpected():
    program = resonator_program()
    arrays = dict(program.arrays)
    del arrays["core0/block0/cos_d"]
    meta = dict(program.meta)
    with pytest.raises(ProgramFormatError, match="cos_d"):
        emulator.Simulator(emulator.Program(meta, arrays))
    program = resonator_program()
    program.meta["cores"][0]["blocks"][0]["params"].append("du")
    program.arrays["core0/block0/du"] = np.zeros(4, np.int32)
    with pytest.raises(ProgramFormatError, match="unexpected parameter du"):
        emulator.Simulator(program)


@pytest.mark.parametrize("name, value, match", [
    ("sin_d", 2**12 + 1, "sin_d"), ("vth", 2**23, "vth"), ("iz", 2, "iz"),
    ("decay_bits", 31, "decay_bits")])
def test_kernel_validates_resonator_parameters(name, value, match):
    program = resonator_program()
    program.arrays[f"core0/block0/{name}"] = np.full(4, value, np.int32)
    with pytest.raises(ProgramFormatError, match=match):
        emulator.Simulator(program)


def test_kernel_refuses_per_population_flags_that_differ_within_a_block():
    net = emulator.Network()
    x = net.input(1, name="x")
    net.population(3, emulator.SigmaDelta(vth=1, cum_error=True), name="sd")
    net.connect(x, net.populations[0], weights=np.ones((3, 1)))
    program = emulator.compile(net)
    program.arrays["core0/block0/cum_error"] = np.array([1, 0, 1], np.int32)
    with pytest.raises(ProgramFormatError, match="cum_error differs"):
        emulator.Simulator(program)


def test_energy_charges_payload_bits():
    net, raster = encoder_decoder([100, -3000, 7, 0])
    result = emulator.Simulator(emulator.compile(net)).run(4, inputs={"x": raster})
    report = emulator.energy.estimate(result)
    bits = result.counters["payload_bits"] + result.counters.host["payload_bits"]
    assert bits > 0
    assert report.by_operation["payload_bits"]["count"] == bits
    assert report.by_operation["payload_bits"]["typical"] > 0
    assert "ASSUMPTION" in report.sources["payload_bits"]


def test_graded_targets_need_two_payload_bits():
    """At 1 bit every positive payload would saturate to 0 and vanish as "no spike"."""
    with pytest.raises(emulator.ParameterRangeError, match=r"payload_bits=1.*\[2, 32\]"):
        emulator.targets.loihi2(payload_bits=1)


@pytest.mark.parametrize("model", [emulator.SigmaDelta(vth=1e308, spike_exp=16),
                                   emulator.SigmaDelta(bias=[1, -1e308, 0], state_exp=16),
                                   emulator.ResonateFire(vth=1e308, state_exp=16)])
def test_huge_unscaled_values_raise_the_range_error(model):
    with pytest.raises(emulator.ParameterRangeError, match=r"scaled by 2\*\*16 is inf"):
        emulator.Network().population(3, model, name="p")
