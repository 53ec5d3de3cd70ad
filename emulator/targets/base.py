"""What a target is: limits, formats and cost figures, as data.

Every published figure is a `Figure` that carries its low / typical / high values and its
source, so an energy report can show both the number and where it comes from.
"""
from dataclasses import dataclass, field, replace

from ..errors import ParameterRangeError


@dataclass(frozen=True)
class Figure:
    """A cost figure: typical value with a low..high range, in `unit`, and its source."""
    typical: float
    low: float
    high: float
    unit: str
    source: str

    def scaled(self, factor, source_note):
        """This figure times a (low, typical, high) factor, e.g. an assumed process scaling."""
        lo, typ, hi = factor
        return Figure(self.typical * typ, self.low * lo, self.high * hi, self.unit,
                      f"{self.source}; {source_note}")


@dataclass(frozen=True)
class Target:
    """A chip family's limits, numeric formats and per-operation costs.

    `energy` and `time` map an activity counter name (see emulator.runtime.COUNTERS) to the
    Figure of one such operation.
    """
    name: str
    description: str
    max_neurons_per_core: int
    cores_per_chip: int
    n_chips: int = 1
    payload_bits: int = 24          # graded spike payload width (signed)
    graded_spikes: bool = True
    # Neuron models the cores run (kinds of emulator.neurons.MODELS).
    neuron_models: tuple = ("lif", "sigma_delta", "delta", "sigma", "rf")
    energy: dict = field(default_factory=dict)
    time: dict = field(default_factory=dict)

    def derive(self, **changes):
        """A variant of this target, e.g. `loihi2().derive(n_chips=4)`; limits are checked."""
        variant = replace(self, **changes)
        base = replace(self)
        if variant.max_neurons_per_core > base.max_neurons_per_core or variant.max_neurons_per_core < 1:
            raise ParameterRangeError(
                f"target {self.name}: max_neurons_per_core={variant.max_neurons_per_core} is "
                f"outside [1, {base.max_neurons_per_core}] (the chip's compartments per core)")
        if variant.n_chips < 1:
            raise ParameterRangeError(f"target {self.name}: n_chips={variant.n_chips} must be >= 1")
        # A graded payload needs a sign bit and a value bit: at 1 bit every positive
        # payload would saturate to 0, i.e. vanish as "no spike".
        lo = 2 if variant.graded_spikes else 1
        if not lo <= variant.payload_bits <= 32:
            raise ParameterRangeError(
                f"target {self.name}: payload_bits={variant.payload_bits} is outside "
                f"[{lo}, 32]" + (" (graded spikes need at least 2)" if lo == 2 else ""))
        return variant

    @property
    def n_cores(self):
        return self.cores_per_chip * self.n_chips
