"""Energy and latency accounting: a run's counters x the target's per-operation figures.

estimate(result, steps_per_inference=...) -> EnergyReport (table(), to_dict(), plot());
compare(net, targets=[...], inputs=..., steps=...) runs one network on several targets
and prints them side by side. The figures and their sources live in emulator/targets/.
"""
from .compare import Comparison, compare
from .model import CostModel
from .report import EnergyReport, estimate

__all__ = ["Comparison", "CostModel", "EnergyReport", "compare", "estimate"]
