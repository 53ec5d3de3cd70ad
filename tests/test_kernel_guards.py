"""The kernel's own guards, called directly: no setter changes a finalized system, sizes
near 2^31 are reported without wrapping, one call at a time holds for the raw System
too, and a stop request only stops the run in progress. (.ci/sanitize runs these under
AddressSanitizer and UndefinedBehaviorSanitizer, where a wrap or a stray read fails.)"""
import numpy as np
import pytest

import emulator
from emulator import _core
from emulator.errors import ProgramFormatError, SimulatorBusyError


def empty_system(n_inputs=2):
    """A finalized system of one core without neurons: inputs routed nowhere."""
    s = _core.System(n_inputs, 1, 24, False)
    s.set_axons(0, np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32))
    s.set_output_axons(np.zeros(n_inputs + 1, np.int64), np.zeros(0, np.int32),
                       np.zeros(0, np.int32))
    return s


def test_no_setter_changes_a_finalized_system():
    s = empty_system()
    s.finalize()
    with pytest.raises(ProgramFormatError, match="output axons cannot change after finalize"):
        s.set_output_axons(np.zeros(3, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32))
    with pytest.raises(ProgramFormatError, match="after finalize"):
        s.set_graded_inputs(np.zeros(2, np.uint8))
    with pytest.raises(ProgramFormatError, match="after finalize"):
        s.add_block(0, "sigma", "late block", 1, {})
    with pytest.raises(ProgramFormatError, match="twice"):
        s.finalize()


def test_a_synapse_group_reaching_past_2_to_the_31_is_reported_exactly():
    """post_base + n_post is formed in 64 bits: the message names the true end."""
    s = _core.System(1, 1, 24, False)
    s.add_block(0, "sigma", "core 0 block 0", 1, {})
    s.add_group(0, "core 0 group 0", 2**31 - 1, 10, 1, True, np.zeros(0, np.int64),
                np.zeros(0, np.uint16), np.zeros(10, np.int16), np.zeros(0, np.uint8), 0, False)
    s.set_axons(0, np.array([0, 1], np.int64), np.zeros(1, np.int32), np.zeros(1, np.int32))
    s.set_output_axons(np.array([0, 1, 1], np.int64), np.zeros(1, np.int32),
                       np.zeros(1, np.int32))
    with pytest.raises(ProgramFormatError, match=r"\[2147483647, 2147483657\)"):
        s.finalize()


def test_the_raw_system_takes_one_call_at_a_time():
    """A progress callback that calls reset() while run() holds the system gets a
    SimulatorBusyError; the run stops there and hands that error back."""
    s = empty_system(n_inputs=0)
    s.finalize()
    steps = 5_000_000  # steps of nothing: tens of milliseconds, so the watcher is polled
    raster = np.zeros((steps, 0), np.int32)
    calls = []

    def progress(done, total):
        calls.append(done)
        s.reset()
    # signals off, the progress callback called at every poll
    out = s.run(steps, raster, [], [], False, progress, 0.0, False, -1, 0)
    assert out["stop"] == "watch" and isinstance(out["error"], SimulatorBusyError)
    assert "reset" in str(out["error"]) and out["steps_run"] == calls[0] < steps
    s.reset()  # free again once run() returned
    assert s.steps_done == 0


def test_a_stop_request_stops_only_the_run_in_progress():
    program = emulator.compile(_small_net(), "loihi2")
    sim = emulator.Simulator(program)
    sim.interrupt()  # nothing runs: nothing to stop
    result = sim.run(50, {"x": np.ones((50, 2), int)})
    assert result.steps == 50


def _small_net():
    net = emulator.Network()
    x = net.input(2, name="x")
    h = net.population(3, emulator.LIF(du=10, dv=10, vth=5), name="h")
    net.connect(x, h, np.full((3, 2), 20))
    return net


def test_a_lif_block_takes_one_du_dv_and_vth():
    """The update reads a population's decays and threshold once per block: a block whose
    compartments disagree on them is refused, naming the compartment and both values."""
    s = _core.System(0, 1, 24, False)
    params = {"du": np.array([10, 10, 11], np.int32), "dv": np.zeros(3, np.int32),
              "vth": np.full(3, 5, np.int32), "bias_mant": np.arange(3, dtype=np.int32),
              "bias_exp": np.zeros(3, np.int32)}
    with pytest.raises(ProgramFormatError, match="compartment 2 has du 11, dv 0, vth 5, compartment 0 10, 0, 5"):
        s.add_block(0, "lif", "core 0 block 0", 3, params)
    s.add_block(0, "lif", "core 0 block 0", 3, dict(params, du=np.full(3, 10, np.int32)))
