"""One network on several targets, side by side: `compare(net, targets, inputs, steps)`.

Each target compiles the network (quantizing a float network at `dt`), runs it on the
same inputs and gets an EnergyReport. A target that cannot take the network (a missing
feature, or too few resources) gets its reason in the table instead of numbers. The
spikes are the same on every target that runs the network (the integer semantics are
the target's only in resources, routing and cost), so the comparison is one of costs.
"""
import sys

from ..errors import InputError, ResourceLimitError, UnsupportedFeatureError
from ..targets import get
from .report import _fmt, estimate


class Comparison:
    """reports {target name: EnergyReport}; results {target name: Result} (the runs the
    reports come from: spikes, probes, counters, traffic); failures {target name: reason}."""

    def __init__(self, reports, results, failures, order):
        self.reports = reports
        self.results = results
        self.failures = failures
        self.order = order

    ROWS = (("energy / inference", lambda r: r.energy_per_inference, "J"),
            ("  dynamic", lambda r: r.dynamic_per_inference, "J"),
            ("latency / inference", lambda r: r.latency, "s"),
            ("EDP", lambda r: r.edp, "Js"),
            ("inferences / s", lambda r: r.inferences_per_second, ""),
            ("cores", lambda r: (len(r.by_core),) * 3, ""),
            ("chips", lambda r: (len(r.chips),) * 3, ""),
            ("packets / inference", lambda r: (r.traffic.total["packets"] / r.inferences,) * 3, ""),
            ("inter-chip / inference", lambda r: (r.traffic.total["inter_chip"] / r.inferences,) * 3, ""))

    def table(self):
        """Typical values side by side (low..high below energy and latency)."""
        width = 24

        def row(label, cell):
            return f"{label:<24}" + "".join(
                f"{'-' if name in self.failures else cell(self.reports[name]):>{width}}"
                for name in self.order)

        lines = [f"{'':<24}" + "".join(f"{name:>{width}}" for name in self.order)]
        for label, get_value, unit in self.ROWS:
            lines.append(row(label, lambda r: _fmt(get_value(r)[1], unit) if unit
                             else f"{get_value(r)[1]:.4g}"))
            if unit in ("J", "s"):
                lines.append(row("", lambda r: f"({_fmt(get_value(r)[0], unit)}.."
                                               f"{_fmt(get_value(r)[2], unit)})"))
        for name, reason in self.failures.items():
            lines.append(f"{name}: cannot run this network: {reason}")
        return "\n".join(lines)

    def __str__(self):
        return self.table()

    def to_dict(self):
        return {"reports": {k: r.to_dict() for k, r in self.reports.items()},
                "failures": dict(self.failures)}


def compare(net, targets=("loihi1", "loihi2", "spinnaker2"), inputs=None, steps=None,
            steps_per_inference=None, dt=None, file=None, quiet=False, **compile_options):
    """Compile and run `net` on each of `targets` (names or Targets) for `steps` steps on
    `inputs` ({input name: (steps, n) raster}); print the reports side by side to `file`
    (default sys.stdout; quiet=True prints nothing) and return a Comparison.
    compile_options go to emulator.compile (e.g. max_neurons_per_core)."""
    from ..compiler import compile as compile_network
    from ..runtime import Simulator
    if steps is None:
        raise InputError("compare: give steps, the number of steps to run")
    reports, results, failures, order = {}, {}, {}, []
    for target in targets:
        target = get(target)
        name = target.name if target.name not in order else f"{target.name}#{len(order)}"
        order.append(name)
        try:
            program = compile_network(net, target, dt=dt, **compile_options)
        except (UnsupportedFeatureError, ResourceLimitError) as error:
            failures[name] = str(error)
            continue
        results[name] = Simulator(program).run(steps, inputs)
        reports[name] = estimate(results[name], steps_per_inference)
    comparison = Comparison(reports, results, failures, order)
    if not quiet:
        print(comparison.table(), file=file or sys.stdout)
    return comparison
