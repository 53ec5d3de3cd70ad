"""Energy estimates are counters x per-operation figures: they add up and scale."""
import numpy as np
import pytest

import emulator


def run(rate, steps=50, target="loihi2"):
    rng = np.random.default_rng(1)
    net = emulator.Network()
    x = net.input(40, name="x")
    h = net.population(30, emulator.LIF(du=200, dv=100, vth=30), name="h")
    net.connect(x, h, weights=rng.integers(0, 120, (30, 40)))
    net.connect(h, h, weights=rng.integers(-40, 40, (30, 30)))
    raster = (rng.random((steps, 40)) < rate).astype(np.int8)
    return emulator.Simulator(emulator.compile(net, target=target, max_neurons_per_core=8)).run(
        steps, inputs={"x": raster})


@pytest.mark.parametrize("target", ["loihi1", "loihi2", "spinnaker2"])
def test_breakdowns_sum_to_the_total(target):
    result = run(0.2, target=target)
    report = emulator.energy.estimate(result)
    assert report.total > 0
    assert sum(e["typical"] for e in report.by_operation.values()) == pytest.approx(report.total)
    assert report.per_step.sum() == pytest.approx(report.total)
    assert report.low <= report.total <= report.high
    assert report.by_operation["messages"]["count"] == \
        result.counters["messages"] + result.counters.host["messages"]
    assert ("Höppner" if target == "spinnaker2" else "Davies") in report.sources["synops"]
    assert "total" in report.table()


def test_energy_is_linear_in_each_counter():
    result = run(0.2)
    target = result.program.target
    report = emulator.energy.estimate(result)
    for op, fig in target.energy.items():
        assert report.by_operation[op]["typical"] == pytest.approx(
            report.by_operation[op]["count"] * fig.typical)


def test_more_activity_costs_more():
    assert emulator.energy.estimate(run(0.5)).total > emulator.energy.estimate(run(0.05)).total


def test_counters_per_core_and_per_step_agree():
    result = run(0.3)
    c = result.counters
    for name in c.total:
        assert c.per_core[name].sum() == c.per_step[name].sum() == c.total[name]
    assert c.total["updates_active"] + c.total["updates_inactive"] == 30 * result.steps
    assert c.host["spikes"] == c.host_per_step["spikes"].sum() > 0
