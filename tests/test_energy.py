"""Energy and latency reports: counters x per-operation figures; breakdowns add up; the
time model of each target (lock step with a barrier, or a timer tick) holds step by step."""
import json

import numpy as np
import pytest

import emulator
from emulator.energy import CostModel
from emulator.errors import ParameterRangeError


def network(rng):
    net = emulator.Network()
    x = net.input(40, name="x")
    h = net.population(30, emulator.LIF(du=200, dv=100, vth=30), name="h")
    net.connect(x, h, weights=rng.integers(0, 120, (30, 40)))
    net.connect(h, h, weights=rng.integers(-40, 40, (30, 30)) * (rng.random((30, 30)) < 0.5))
    return net


def run(rate, steps=50, target="loihi2", **target_changes):
    rng = np.random.default_rng(1)
    net = network(rng)
    raster = (rng.random((steps, 40)) < rate).astype(np.int8)
    target = emulator.targets.get(target)
    if target_changes:
        target = target.derive(**target_changes)
    program = emulator.compile(net, target=target, max_neurons_per_core=8)
    return emulator.Simulator(program).run(steps, inputs={"x": raster})


TARGETS = ["loihi1", "loihi2", "spinnaker2"]


@pytest.mark.parametrize("target", TARGETS)
def test_breakdowns_sum_to_the_total(target):
    result = run(0.2, target=target, n_chips=2, cores_per_chip=3)
    report = emulator.energy.estimate(result, steps_per_inference=10)
    total = report.energy[1]
    assert total > 0 and report.inferences == 5
    assert sum(e["typical"] for e in report.by_operation.values()) == pytest.approx(total)
    assert report.per_step.sum() == pytest.approx(total)
    assert report.by_core.sum() + report.host + report.static[1] == pytest.approx(total)
    assert sum(report.by_chip.values()) == pytest.approx(total)
    assert len(report.chips) == 2 and set(report.chips) <= set(report.by_chip)
    assert np.all(report.energy[0] <= report.energy) and np.all(report.energy <= report.energy[2])
    assert report.energy_per_inference == pytest.approx(report.energy / 5)
    assert report.edp == pytest.approx(report.energy_per_inference * report.latency)
    assert report.inferences_per_second[1] == pytest.approx(1 / report.latency[1])
    assert ("Höppner" if target == "spinnaker2" else "Davies") in report.sources["synops"]
    assert "energy" in report.table() and "latency" in report.table()
    json.dumps(report.to_dict())


@pytest.mark.parametrize("target", TARGETS)
def test_energy_is_linear_in_each_counter(target):
    """Each operation's energy is its count (the cores' and, for network operations, the
    host's) times the target's figure: read here from the target module itself."""
    result = run(0.2, target=target)
    t = result.program.target
    report = emulator.energy.estimate(result)
    c = result.counters
    host = {"packets": "packets", "payload_bits": "payload_bits", "hops_ew": "hops_ew",
            "hops_ns": "hops_ns", "hops_chip": "hops_chip"}
    for op, fig in t.energy.items():
        count = c[op]
        # the host's packets travel the network; a PE's cycles to send one are not counted
        if op in host and op not in t.cycle_operations:
            count += c.host[host[op]]
        if op == "synops" and target == "spinnaker2":  # dense events: MAC array
            count -= c["synops_dense"]
        entry = report.by_operation[op]
        assert entry["count"] == count
        for variant in ("low", "typical", "high"):
            assert entry[variant] == pytest.approx(count * getattr(fig, variant))
    if target == "spinnaker2":
        assert c.host["packets"] > 0 and report.by_operation["packets"]["count"] == c["packets"]


def test_more_activity_costs_more():
    assert emulator.energy.estimate(run(0.5)).dynamic[1] > \
        emulator.energy.estimate(run(0.05)).dynamic[1]


def test_counters_per_core_and_per_step_agree():
    result = run(0.3)
    c = result.counters
    for name in c.total:
        assert c.per_core[name].sum() == c.per_step[name].sum() == c.total[name]
    assert c.total["updates_active"] + c.total["updates_inactive"] == 30 * result.steps
    assert c.host["spikes"] == c.host_per_step["spikes"].sum() > 0
    assert c["packets"] == c["messages"]  # axon routing: a packet per message
    assert c["packets_in"] == c["messages"] + c.host["messages"]


@pytest.mark.parametrize("target", ["loihi1", "loihi2"])
def test_lock_step_time_is_slowest_core_plus_network_plus_barrier(target):
    result = run(0.3, target=target)
    t, report = result.traffic, emulator.energy.estimate(result)
    model = CostModel(result.program.target)
    tiles = len({c["location"][1] // 4 for c in result.program.meta["cores"]})
    barrier = model.barrier(tiles, 1)
    expected = t.core_time + np.maximum(t.latency, t.serialisation) + barrier
    assert report.step_time == pytest.approx(expected)
    assert report.time == pytest.approx(expected.sum(axis=0))
    assert report.latency == pytest.approx(expected.sum(axis=0))  # one inference
    assert report.time_parts["barrier"] == pytest.approx(barrier * result.steps)


def test_core_time_of_a_step_is_the_slowest_cores_operations():
    """Step by step (one-step runs give per-core counts of that step): the kernel's core
    time is the largest over cores of sum(count x time per operation)."""
    rng = np.random.default_rng(5)
    program = emulator.compile(network(rng), "loihi1", max_neurons_per_core=8)
    sim = emulator.Simulator(program)
    target = program.target
    for _ in range(12):
        r = sim.run(1, {"x": (rng.random((1, 40)) < 0.3).astype(np.int8)})
        busy = np.zeros((3, program.n_cores))
        for op, fig in target.time.items():
            busy += np.outer([fig.low, fig.typical, fig.high], r.counters.per_core[op])
        assert r.traffic.core_time[0] == pytest.approx(busy.max(axis=1))
        assert r.traffic.per_step["slowest_core"][0] == np.argmax(busy[1])


def test_spinnaker2_ticks_late_steps_and_dvfs():
    result = run(0.3, target="spinnaker2")
    nominal = emulator.energy.estimate(result)
    assert nominal.tick == 1e-3 and nominal.late_steps == 0
    assert np.all(nominal.step_time == 1e-3)
    assert nominal.time_parts["barrier"][1] == 0
    # at 0.5 V the energy per cycle falls by (0.5 / 0.8)^2, the time per cycle doubles
    slow = emulator.energy.estimate(result, dvfs="0.5V")
    for op in ("updates_active", "packets", "synops"):
        assert slow.by_operation[op]["typical"] == pytest.approx(
            nominal.by_operation[op]["typical"] * (0.5 / 0.8) ** 2)
    assert slow.time_parts["compute"] == pytest.approx(2 * nominal.time_parts["compute"])
    assert slow.by_operation["hops_ew"]["typical"] == nominal.by_operation["hops_ew"]["typical"]
    # the MAC array at 0.5 V: 2 ops / 2.77 TOPS/W per MAC (published), not V^2 scaled
    macs = slow.by_operation["mac_array"]["count"]
    cycles = CostModel(result.program.target).mac_work(result.program)[0].sum() * result.steps
    per_cycle = emulator.targets.spinnaker2().mac_array["energy_per_cycle"].typical * (0.5 / 0.8) ** 2
    assert slow.by_operation["mac_array"]["typical"] == pytest.approx(
        macs * 2 / 2.77e12 + cycles * per_cycle)
    # a 1 MHz level: the work no longer fits a 1 ms tick
    crawl = emulator.energy.estimate(result, dvfs=(0.5, 1e6))
    work = result.traffic.core_time * 300 + np.maximum(result.traffic.latency,
                                                       result.traffic.serialisation)
    assert crawl.late_steps == int(np.count_nonzero(work[:, 1] > 1e-3)) > 0
    assert crawl.step_time == pytest.approx(np.maximum(work, 1e-3))


def test_mac_array_takes_the_dense_synaptic_events():
    result = run(0.3, target="spinnaker2")
    c = result.counters
    assert 0 < c["synops_dense"] <= c["synops"]
    report = emulator.energy.estimate(result)
    assert report.by_operation["synops"]["count"] == c["synops"] - c["synops_dense"]
    dense = [(g["n_rows"], g["n_post"]) for core in result.program.meta["cores"]
             for g in core["groups"] if g["dense"]]
    assert report.by_operation["mac_array"]["count"] == \
        result.steps * sum(rows * posts for rows, posts in dense)


def test_static_energy_is_power_times_time_per_chip():
    result = run(0.2, target="loihi1", n_chips=2, cores_per_chip=3)
    report = emulator.energy.estimate(result)
    power = emulator.targets.loihi1().static_power
    # per variant: the low power over the low time, and so on
    for k, p in enumerate((power.low, power.typical, power.high)):
        assert report.static[k] == pytest.approx(p * len(report.chips) * report.time[k])


def test_report_errors_name_the_parameter():
    result = run(0.1)
    with pytest.raises(ParameterRangeError, match="steps_per_inference"):
        emulator.energy.estimate(result, steps_per_inference=0)
    with pytest.raises(ParameterRangeError, match="DVFS"):
        emulator.energy.estimate(result, dvfs="0.5V")
    s2 = run(0.1, target="spinnaker2")
    with pytest.raises(ParameterRangeError, match="level"):
        emulator.energy.estimate(s2, dvfs="turbo")
    with pytest.raises(ParameterRangeError, match="outside"):
        emulator.energy.estimate(s2, dvfs=(5.0, 1e6))


def test_plot_writes_a_png(tmp_path):
    report = emulator.energy.estimate(run(0.2, target="spinnaker2", n_chips=2, cores_per_chip=3))
    path = report.plot(tmp_path / "energy.png")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_compare_runs_every_target_and_names_what_one_cannot_run(capsys):
    rng = np.random.default_rng(2)
    net = network(rng)
    raster = (rng.random((20, 40)) < 0.2).astype(np.int8)
    cmp = emulator.energy.compare(net, inputs={"x": raster}, steps=20, steps_per_inference=10)
    out = capsys.readouterr().out
    for name in TARGETS:
        assert name in out and name in cmp.reports
    assert not cmp.failures
    # the same spikes everywhere: same updates and spikes, different costs
    counts = {n: r.by_operation["updates_active"]["count"] for n, r in cmp.reports.items()}
    assert len(set(counts.values())) == 1
    graded = emulator.Network()
    g = graded.input(3, name="x", graded=True)
    p = graded.population(2, emulator.SigmaDelta(vth=10), name="p")
    graded.connect(g, p, np.ones((2, 3), np.int64))
    cmp = emulator.energy.compare(graded, inputs={"x": np.ones((5, 3), np.int32) * 40},
                                  steps=5, quiet=True)
    assert "loihi1" in cmp.failures and "sigma_delta" in cmp.failures["loihi1"]
    assert "cannot run" in cmp.table()


def test_a_derived_targets_figures_reach_the_report():
    """Cost figures are data: a target derived with other figures prices the same run
    differently, and the program keeps the target it was compiled for."""
    base = emulator.targets.loihi1()
    dearer = base.derive(energy={**base.energy, "synops": base.energy["synops"].scaled(
        (2, 2, 2), "test: doubled")})
    rng = np.random.default_rng(4)
    net = network(rng)
    raster = {"x": (rng.random((10, 40)) < 0.3).astype(np.int8)}
    a = emulator.energy.estimate(emulator.Simulator(emulator.compile(net, base)).run(10, raster))
    b = emulator.energy.estimate(emulator.Simulator(emulator.compile(net, dearer)).run(10, raster))
    assert b.by_operation["synops"]["typical"] == pytest.approx(2 * a.by_operation["synops"]["typical"])
    assert "doubled" in b.sources["synops"]
