"""A Simulator under misuse: one call at a time from many threads; runs stopped by Ctrl-C
(a real SIGINT, with and without a progress callback), by interrupt() from another
thread and by a failing progress callback, each at a step boundary with the steps that
ran kept; and per_step=False runs whose totals equal the per-step runs'."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import emulator
from emulator.errors import RunInterrupted, SimulatorBusyError
from emulator.testing import assert_bit_exact


def busy_network(n=2000, n_in=50, seed=0, probe=True):
    """A network whose steps take tens of microseconds: long runs for few steps."""
    rng = np.random.default_rng(seed)
    net = emulator.Network()
    x = net.input(n_in, name="x")
    h = net.population(n, emulator.LIF(du=300, dv=300, vth=600), name="h")
    net.connect(x, h, rng.integers(0, 40, (n, n_in)))
    net.connect(h, h, rng.integers(-3, 4, (n, n)))
    if probe:
        net.probe(h, "v")
    return net


def raster(steps, n_in=50, seed=1):
    return {"x": (np.random.default_rng(seed).random((steps, n_in)) < 0.1).astype(np.int8)}


@pytest.fixture(scope="module")
def program():
    return emulator.compile(busy_network(), "loihi2")


def wait_until_running(sim, timeout=20.0):
    deadline = time.monotonic() + timeout
    while sim.steps_done == 0:
        assert time.monotonic() < deadline, "the run never started"
        time.sleep(0.001)


def assert_same_run(a, b):
    assert_bit_exact(dict(a.spikes), dict(b.spikes))
    assert_bit_exact(a.probes, b.probes)
    assert a.counters.total == b.counters.total


def test_a_second_call_while_a_run_is_going_is_refused_by_name_and_the_run_is_exact(program):
    inputs = raster(3000)
    sim = emulator.Simulator(program)
    outcome = {}

    def first():
        outcome["result"] = sim.run(3000, inputs)
    worker = threading.Thread(target=first)
    worker.start()
    wait_until_running(sim)
    refused = []
    for call in (lambda: sim.run(10, raster(10)), sim.reset,
                 lambda: sim.memory_bytes, lambda: sim.memory_parts, lambda: sim.link_table()):
        with pytest.raises(SimulatorBusyError, match="one call at a time") as error:
            call()
        refused.append(error.value)
    worker.join()
    assert len(refused) == 5
    assert_same_run(outcome["result"], emulator.Simulator(program).run(3000, inputs))
    # once the run returned, the simulator takes calls again
    assert sim.run(5, raster(5)).first_step == 3001


def test_two_threads_racing_one_simulator_get_one_result_and_one_refusal(program):
    inputs = raster(1500)
    sim = emulator.Simulator(program)
    start = threading.Barrier(2)
    outcomes = []

    def go():
        start.wait()
        try:
            outcomes.append(sim.run(1500, inputs))
        except SimulatorBusyError as e:
            outcomes.append(e)
    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # released together, the two overlap for the whole of a run of about a second
    results = [o for o in outcomes if isinstance(o, emulator.Result)]
    refusals = [o for o in outcomes if isinstance(o, SimulatorBusyError)]
    assert len(results) == 1 and len(refusals) == 1
    # the one that ran ran from step 1 and computed exactly a serial run
    assert results[0].first_step == 1
    assert_same_run(results[0], emulator.Simulator(program).run(1500, inputs))


def test_interrupt_from_another_thread_stops_at_a_step_boundary_with_the_steps_that_ran(program):
    steps = 200_000
    inputs = raster(steps)
    sim = emulator.Simulator(program)
    # the timer starts once the kernel runs (an interrupt before a run has nothing to stop,
    # and preparing 200,000 steps of input can take longer than the timer on a busy machine)
    timer = threading.Timer(0.3, sim.interrupt)

    def start_timer(done, total):
        if not timer.is_alive() and not timer.finished.is_set():
            timer.start()

    with pytest.raises(RunInterrupted, match="interrupt") as stopped:
        sim.run(steps, inputs, progress=start_timer)
    partial = stopped.value.result
    k = partial.steps
    assert 0 < k < steps and sim.steps_done == k
    full = emulator.Simulator(program).run(k + 50, {"x": inputs["x"][:k + 50]})
    # the partial result is the first k steps of the uninterrupted run...
    assert_bit_exact({n: full.spikes[n][:k] for n in full.spikes}, dict(partial.spikes))
    assert_bit_exact({n: v[:k] for n, v in full.probes.items()}, partial.probes)
    # ...and the next run continues from the boundary as if nothing happened
    rest = sim.run(50, {"x": inputs["x"][k:k + 50]})
    assert rest.first_step == k + 1
    assert_bit_exact({n: full.spikes[n][k:] for n in full.spikes}, dict(rest.spikes))


def test_a_failing_progress_callback_stops_the_run_at_a_step_boundary(program):
    steps = 200_000
    sim = emulator.Simulator(program)
    seen = []

    def progress(done, total):
        seen.append(done)
        if len(seen) == 2:
            raise ValueError("stop here")
    with pytest.raises(ValueError, match="stop here"):
        sim.run(steps, raster(steps), progress=progress)
    assert sim.steps_done == seen[-1] > 0
    assert sim.run(3, raster(3)).first_step == seen[-1] + 1


def test_a_progress_callback_calling_the_simulator_is_refused_and_stops_the_run(program):
    sim = emulator.Simulator(program)

    def progress(done, total):
        sim.reset()
    with pytest.raises(SimulatorBusyError):
        sim.run(200_000, raster(200_000), progress=progress)


CHILD = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    import emulator
    sys.path.insert(0, {tests!r})
    from test_simulator_calls import busy_network, raster
    program = emulator.compile(busy_network(probe=False), "loihi2")
    sim = emulator.Simulator(program)
    steps = 300_000
    inputs = raster(steps)
    progress = (lambda done, total: None) if sys.argv[1] == "progress" else None
    print("ready", flush=True)
    try:
        sim.run(steps, inputs, progress=progress)
        print(json.dumps({{"finished": True}}))
    except KeyboardInterrupt as stopped:
        at = time.monotonic()
        k = stopped.result.steps
        rest = sim.run(20, {{"x": inputs["x"][k:k + 20]}})
        full = emulator.Simulator(program).run(k + 20, {{"x": inputs["x"][:k + 20]}})
        exact = bool(np.array_equal(full.spikes["h"][:k], stopped.result.spikes["h"]) and
                     np.array_equal(full.spikes["h"][k:], rest.spikes["h"]))
        print(json.dumps({{"stopped_at": at, "type": type(stopped).__name__, "steps": k,
                           "steps_done": sim.steps_done - 20, "exact": exact}}))
""")


@pytest.mark.parametrize("mode", ["plain", "progress"])
def test_ctrl_c_stops_a_run_within_half_a_second_at_a_step_boundary(tmp_path, mode):
    """A real SIGINT to a process in the middle of a long run(), with and without a
    progress callback: RunInterrupted (a KeyboardInterrupt) within 0.5 s, its result the
    steps that ran, the simulator at that boundary, and the next run continuing exactly."""
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(tests=os.path.dirname(__file__)))
    child = subprocess.Popen([sys.executable, str(script), mode], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    report = json.loads(out.strip().splitlines()[-1])
    assert "finished" not in report, "the run ended before the signal"
    assert report["type"] == "RunInterrupted", err
    assert report["stopped_at"] - sent < 0.5
    assert report["steps"] == report["steps_done"] > 0
    assert report["exact"]


def test_other_signals_reach_their_handlers_and_the_wakeup_fd_they_displaced(program):
    """A signal whose handler does not raise is handled during the run (which goes on),
    and a wakeup fd set before the run (an event loop's) still gets its byte."""
    handled = []
    previous = signal.signal(signal.SIGUSR1, lambda number, frame: handled.append(number))
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    displaced = signal.set_wakeup_fd(write_end)
    try:
        sim = emulator.Simulator(program)
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGUSR1)).start()
        result = sim.run(3000, raster(3000))
        assert handled == [signal.SIGUSR1]
        assert result.steps == 3000
        assert signal.set_wakeup_fd(displaced) == write_end  # restored after the run
        assert os.read(read_end, 16) == bytes([signal.SIGUSR1])
    finally:
        signal.set_wakeup_fd(displaced)
        signal.signal(signal.SIGUSR1, previous)
        os.close(read_end)
        os.close(write_end)


def test_a_run_of_totals_counts_what_the_per_step_run_counts(program):
    inputs = raster(300)
    per_step = emulator.Simulator(program).run(300, inputs)
    totals = emulator.Simulator(program).run(300, inputs, per_step=False)
    assert totals.counters.per_step is None and totals.traffic.per_step is None
    assert totals.counters.total == per_step.counters.total
    assert totals.counters.host == per_step.counters.host
    assert totals.traffic.total == per_step.traffic.total
    np.testing.assert_array_equal(totals.counters.per_source, per_step.counters.per_source)
    assert_bit_exact(dict(totals.spikes), dict(per_step.spikes))
    t = per_step.traffic
    np.testing.assert_allclose(totals.traffic.core_time_total, t.core_time.sum(axis=0))
    np.testing.assert_allclose(totals.traffic.network_total,
                               np.maximum(t.latency, t.serialisation).sum(axis=0))
    a = emulator.energy.estimate(per_step, steps_per_inference=30)
    b = emulator.energy.estimate(totals, steps_per_inference=30)
    np.testing.assert_allclose(b.energy_per_inference, a.energy_per_inference, rtol=1e-12)
    np.testing.assert_allclose(b.latency, a.latency, rtol=1e-12)
    assert b.per_step is None and a.per_step.shape == (300,)


def test_a_run_of_totals_on_a_tick_target_is_timed_when_every_step_fits_the_tick():
    net = busy_network(n=200, n_in=20)
    program = emulator.compile(net, "spinnaker2")
    inputs = raster(200, n_in=20)
    a = emulator.energy.estimate(emulator.Simulator(program).run(200, inputs))
    b = emulator.energy.estimate(emulator.Simulator(program).run(200, inputs, per_step=False))
    assert a.late_steps == 0
    np.testing.assert_allclose(b.latency, a.latency)
    np.testing.assert_allclose(b.energy_per_inference, a.energy_per_inference, rtol=1e-12)


def test_a_saved_run_of_totals_loads_as_it_was(program, tmp_path):
    result = emulator.Simulator(program).run(100, raster(100), per_step=False)
    result.save(tmp_path / "r.npz")
    back = emulator.Result.load(tmp_path / "r.npz")
    assert back.counters.per_step is None and back.counters.total == result.counters.total
    np.testing.assert_allclose(emulator.energy.estimate(back).latency,
                               emulator.energy.estimate(result).latency)
