"""Energy accounting: activity counters x per-operation energy of the target.

A first version: dynamic energy of synaptic operations, neuron updates and messages,
per step and per run, with the low / typical / high range the target's figures carry.
(Hops on the mesh, static power, latency and per-chip breakdowns come with the mesh
model.)
"""
from dataclasses import dataclass

import numpy as np


@dataclass
class EnergyReport:
    """Dynamic energy of one run, in joules.

    by_operation[op]: {"typical", "low", "high"} energy of all `op` counts of the run;
    per_step: (steps,) typical energy of each step; total/low/high: the run's energy;
    sources[op]: where the per-operation figure comes from.
    """
    target: str
    steps: int
    by_operation: dict
    per_step: np.ndarray
    total: float
    low: float
    high: float
    sources: dict

    @property
    def per_step_mean(self):
        return self.total / self.steps if self.steps else 0.0

    def table(self):
        """The report as a printable table."""
        lines = [f"Energy on {self.target} over {self.steps} steps (dynamic)",
                 f"{'operation':<18}{'count':>12}{'typical':>12}{'low':>12}{'high':>12}"]
        for op, e in self.by_operation.items():
            lines.append(f"{op:<18}{e['count']:>12d}{_fmt(e['typical']):>12}"
                         f"{_fmt(e['low']):>12}{_fmt(e['high']):>12}")
        lines.append(f"{'total':<18}{'':>12}{_fmt(self.total):>12}{_fmt(self.low):>12}"
                     f"{_fmt(self.high):>12}")
        lines.append(f"per step (mean): {_fmt(self.per_step_mean)}")
        return "\n".join(lines)

    def __str__(self):
        return self.table()


def _fmt(joules):
    for unit, scale in (("J", 1.0), ("mJ", 1e-3), ("uJ", 1e-6), ("nJ", 1e-9), ("pJ", 1e-12)):
        if abs(joules) >= scale:
            return f"{joules / scale:.3g} {unit}"
    return f"{joules / 1e-12:.3g} pJ"


#: Counters the host's input channels add to: the traffic its messages cause on the chip.
_HOST_TRAFFIC = ("messages", "graded_messages", "payload_bits")


def estimate(result, target=None):
    """Energy of a Result on its program's target (or another `target`)."""
    from .targets import get
    target = get(target) if target is not None else result.program.target
    counters = result.counters
    by_op, per_step = {}, np.zeros(result.steps)
    total = low = high = 0.0
    for op, fig in target.energy.items():
        n_step = counters.per_step[op]
        if op in _HOST_TRAFFIC:  # the host's input messages travel the same network
            n_step = n_step + counters.host_per_step[op]
        n = int(n_step.sum())
        by_op[op] = {"count": n, "typical": n * fig.typical, "low": n * fig.low,
                     "high": n * fig.high}
        per_step += n_step * fig.typical
        total += n * fig.typical
        low += n * fig.low
        high += n * fig.high
    return EnergyReport(target.name, result.steps, by_op, per_step, total, low, high,
                        {op: f.source for op, f in target.energy.items()})
