"""Energy and latency accounting: a run's counters x the target's per-operation figures."""
from .report import EnergyReport, estimate

__all__ = ["EnergyReport", "estimate"]
