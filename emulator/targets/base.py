"""What a target is: limits, formats and cost figures, as data.

A Target describes one chip family: how its cores sit on routers and its routers on a
mesh, what one core holds (neurons, input and output axons, synaptic memory, a memory
budget, configuration tables), its numeric formats, how spikes are routed, and what each
operation costs. Every published figure is a `Figure` that carries its low / typical /
high values and its source, so an energy report can show both the number and where it
comes from. Users derive variants: `emulator.targets.loihi2(n_chips=4,
max_neurons_per_core=512)`; `derive` checks every limit against the chip's own.
"""
import math
import numbers
from dataclasses import dataclass, field, fields, replace

import numpy as np

from ..errors import ParameterRangeError

#: How chips connect to each other.
CHIP_TOPOLOGIES = ("mesh2d", "mesh3d", "hex")
#: How synaptic memory is counted: "loihi" packs each input axon's synapses in chunks of
#: up to 64 (see Target.synapse_bits); "word32" stores one 32-bit word per synapse plus one
#: header word per row (software synapse rows, as SpiNNaker's).
SYNAPSE_PACKINGS = ("loihi", "word32")
#: How a spike reaches its destination cores: "axon" sends one message per destination
#: core from the source (Loihi); "multicast" sends one packet that routers copy by their
#: (key, mask) tables (SpiNNaker).
ROUTING_MODELS = ("axon", "multicast")


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
class Curve:
    """A time that grows with a count (e.g. a barrier with the tiles it spans): per
    variant, (count, seconds) points, interpolated linearly in log2(count) and constant
    beyond the first and last point."""
    low: tuple
    typical: tuple
    high: tuple
    source: str

    def at(self, count):
        """(low, typical, high) at `count` (>= 1)."""
        x = math.log2(max(count, 1))
        return tuple(float(np.interp(x, [math.log2(n) for n, _ in pts], [t for _, t in pts]))
                     for pts in (self.low, self.typical, self.high))


@dataclass(frozen=True)
class DvfsLevel:
    """A performance level of a processor: supply voltage and clock, and its source."""
    volts: float
    hertz: float
    source: str


#: Kinds of network link, in the kernel's order (csrc/mesh.hpp LinkKind).
LINK_KINDS = ("ew", "ns", "chip")


@dataclass(frozen=True)
class Target:
    """A chip family's limits, numeric formats and per-operation costs.

    Chips and mesh: `cores_per_chip` cores, `cores_per_router` per router, routers on a
    `router_grid` = (x, y) mesh per chip; `n_chips` chips joined as `chip_topology`;
    spikes routed by `routing` (with `routing_entries_per_chip` table entries for
    multicast); `defective_cores`: global core indices (chip * cores_per_chip + core)
    never used.

    Per core (0 = no such limit): `max_neurons_per_core`; `max_input_axons` and
    `max_output_axons` (axon table entries); `synapse_memory_bits` (synaptic memory,
    counted with `synapse_bits()`); `core_memory_bytes`, a budget shared by
    `neuron_state_bytes` per neuron, the synapses and `axon_entry_bytes` per axon table
    entry; `profiles`: configuration tables {name: entries} (e.g. distinct compartment
    parameter sets).

    Formats: `weight_bits` (magnitude bits), `max_delay`, `payload_bits` (signed graded
    payload width), `graded_spikes`, `neuron_models` (kinds of emulator.neurons.MODELS),
    `learning` (plastic connections).

    Costs: `energy` and `time` map an activity counter name (emulator.runtime.COUNTERS)
    to the Figure of one such operation; `time` holds what keeps a core busy. The
    network: `latency` ("packet": a packet's base latency; "hops_ew", "hops_ns",
    "hops_chip": per link crossed), `bandwidth` (bit/s per link of each LINK_KINDS kind),
    `packet_bits` (a packet's bits besides its payload). Lock-step targets synchronise
    each step with a barrier: `barrier_tiles` (by router tiles in use, one chip) and
    `barrier_chips` (by chips in use); timer-driven targets run one step per `tick`
    seconds instead. `static_power`: per chip in use. Cycle-based targets (SpiNNaker 2)
    give times at `clock_hz` and energies at `dvfs[dvfs_default]` (a DvfsLevel each);
    `cycle_operations` name the counters whose figures are PE cycles (they scale with
    the level); `mac_array`: the figures of a dense-layer accelerator, or None.
    `notes`: sources and assumptions.
    """
    name: str
    description: str
    max_neurons_per_core: int
    cores_per_chip: int
    cores_per_router: int
    router_grid: tuple
    n_chips: int = 1
    chip_topology: str = "mesh2d"
    routing: str = "axon"
    routing_entries_per_chip: int = 0
    defective_cores: frozenset = frozenset()
    max_input_axons: int = 0
    max_output_axons: int = 0
    synapse_memory_bits: int = 0
    synapse_packing: str = "loihi"
    core_memory_bytes: int = 0
    neuron_state_bytes: int = 0
    axon_entry_bytes: int = 0
    profiles: dict = field(default_factory=dict)
    weight_bits: int = 8
    max_delay: int = 62
    payload_bits: int = 24          # graded spike payload width (signed)
    graded_spikes: bool = True
    neuron_models: tuple = ("lif", "sigma_delta", "delta", "sigma", "rf")
    learning: bool = True
    energy: dict = field(default_factory=dict)
    time: dict = field(default_factory=dict)
    latency: dict = field(default_factory=dict)
    bandwidth: dict = field(default_factory=dict)
    packet_bits: int = 32
    barrier_tiles: Curve = None
    barrier_chips: Curve = None
    tick: float = 0.0
    static_power: Figure = None
    clock_hz: float = 0.0
    dvfs: dict = field(default_factory=dict)
    dvfs_default: str = ""
    cycle_operations: tuple = ()
    mac_array: dict = None
    notes: tuple = ()

    def derive(self, **changes):
        """A variant of this target, e.g. `loihi2().derive(n_chips=4)`.

        Per-core limits may shrink, not grow past the chip's; counts must be positive;
        every defective core must exist and at least one core must remain.
        """
        names = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ParameterRangeError(f"target {self.name}: unknown parameter(s) {unknown}; "
                                      f"a target has {sorted(names)}")
        if "defective_cores" in changes:
            changes["defective_cores"] = frozenset(int(c) for c in changes["defective_cores"])
        variant = replace(self, **changes)
        for key in ("max_neurons_per_core", "cores_per_chip", "max_input_axons",
                    "max_output_axons", "synapse_memory_bits", "core_memory_bytes",
                    "routing_entries_per_chip"):
            mine, chip = getattr(variant, key), getattr(self, key)
            _integer(self.name, key, mine,
                     1 if key in ("max_neurons_per_core", "cores_per_chip") else 0,
                     chip if chip else 2**62)
            if chip and not mine:
                raise ParameterRangeError(f"target {self.name}: {key}=0 would lift the chip's "
                                          f"limit of {chip}; give a value in [1, {chip}]")
        _integer(self.name, "n_chips", variant.n_chips, 1, 2**20)
        grid = variant.router_grid
        if not (isinstance(grid, tuple) and len(grid) == 2):
            raise ParameterRangeError(f"target {self.name}: router_grid={grid!r}; expected "
                                      "an (x, y) tuple of router counts")
        for axis, n in zip("xy", grid):
            _integer(self.name, f"router_grid {axis}", n, 1, 4096)
        _integer(self.name, "cores_per_router", variant.cores_per_router, 1, 4096)
        if grid[0] * grid[1] * variant.cores_per_router < variant.cores_per_chip:
            raise ParameterRangeError(
                f"target {self.name}: {grid[0]} x {grid[1]} routers of "
                f"{variant.cores_per_router} cores hold fewer than cores_per_chip="
                f"{variant.cores_per_chip}")
        for core in variant.defective_cores:
            _integer(self.name, "defective core", core, 0, variant.n_cores - 1)
        if len(variant.defective_cores) >= variant.n_cores:
            raise ParameterRangeError(f"target {self.name}: all {variant.n_cores} cores are "
                                      "marked defective")
        # A graded payload needs a sign bit and a value bit: at 1 bit every positive
        # payload would saturate to 0, i.e. vanish as "no spike".
        lo = 2 if variant.graded_spikes else 1
        if not lo <= variant.payload_bits <= 32:
            raise ParameterRangeError(
                f"target {self.name}: payload_bits={variant.payload_bits} is outside "
                f"[{lo}, 32]" + (" (graded spikes need at least 2)" if lo == 2 else ""))
        for key, allowed in (("chip_topology", CHIP_TOPOLOGIES), ("routing", ROUTING_MODELS),
                             ("synapse_packing", SYNAPSE_PACKINGS)):
            if getattr(variant, key) not in allowed:
                raise ParameterRangeError(f"target {self.name}: {key}="
                                          f"{getattr(variant, key)!r}; expected one of {allowed}")
        return variant

    @property
    def n_cores(self):
        """Cores on all chips, defective ones included."""
        return self.cores_per_chip * self.n_chips

    @property
    def usable_cores(self):
        """Global indices of the cores the compiler may use, in order."""
        return [c for c in range(self.n_cores) if c not in self.defective_cores]

    def chip_position(self, chip):
        """(x, y) of a chip on the chip grid: chips fill a grid ceil(sqrt(n_chips)) wide
        row by row (the top row may be partly filled)."""
        width = math.isqrt(self.n_chips - 1) + 1
        return chip % width, chip // width

    def chip_at(self, position):
        """The chip at grid position (x, y), or None off the grid."""
        width = math.isqrt(self.n_chips - 1) + 1
        x, y = position
        chip = y * width + x
        return chip if 0 <= x < width and 0 <= y and chip < self.n_chips else None

    def port_router(self, direction):
        """The router (index on the chip) that the chip-to-chip link of `direction`
        (0..5: E, NE, N, W, SW, S) attaches to. ASSUMPTION (no floor plan is in our
        sources): links leave from the middle of their edge, diagonals from the corners."""
        gx, gy = self.router_grid
        x, y = ((gx - 1, gy // 2), (gx - 1, gy - 1), (gx // 2, gy - 1),
                (0, gy // 2), (0, 0), (gx // 2, 0))[direction]
        return y * gx + x

    def synapse_bits(self, n_synapses, weight_bits, index_bits=0, delay_bits=0, tag_bits=0):
        """Bits of synaptic memory the rows of `n_synapses` synapses take (vectorised over
        an array of row lengths; 0 for an empty row).

        "loihi" packing, as the NengoLoihi compiler counts it (spec/targets.md): a row's
        synapses go in chunks of up to 64; a chunk of n costs n * (weight + delay + tag +
        index bits) + 10 bits, rounded up to whole 64-bit words. "word32": a 32-bit
        header word per row plus a 32-bit word per synapse (weight, delay and index in
        one word, tags in a second one)."""
        n = np.asarray(n_synapses, dtype=np.int64)
        if self.synapse_packing == "word32":
            words = n * (1 + (tag_bits > 0)) + 1
            return np.where(n > 0, words * 32, 0)
        per = weight_bits + index_bits + delay_bits + tag_bits
        full, rest = n // 64, n % 64
        words_full = -(-(64 * per + 10) // 64)
        words_rest = np.where(rest > 0, -(-(rest * per + 10) // 64), 0)
        return (full * words_full + words_rest) * 64

    def describe(self):
        """Limits and formats as printable lines (what `neuroemu targets` shows)."""
        grid = "x".join(str(v) for v in self.router_grid)
        lines = [f"{self.name}: {self.description}",
                 f"  {self.n_chips} chip(s) x {self.cores_per_chip} cores ({self.cores_per_router} "
                 f"per router, {grid} routers per chip; chips as {self.chip_topology}; "
                 f"{self.routing} routing)",
                 f"  per core: {self.max_neurons_per_core} neurons"]
        for key, unit in (("max_input_axons", "input axons"), ("max_output_axons", "output axons"),
                          ("synapse_memory_bits", "bits of synaptic memory"),
                          ("core_memory_bytes", "bytes of core memory")):
            if getattr(self, key):
                lines[-1] += f", {getattr(self, key)} {unit}"
        lines.append(f"  formats: {self.weight_bits}-bit weights, delays up to {self.max_delay}, "
                     + (f"{self.payload_bits}-bit graded payloads" if self.graded_spikes
                        else "binary spikes")
                     + f"; models {', '.join(self.neuron_models)}")
        return "\n".join(lines)


    def figures(self):
        """Every cost figure as markdown table rows: what, low, typical, high, source
        (what docs/targets.md shows; the energy report uses the same figures)."""
        def fmt(v, unit):
            for prefix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3), ("", 1.0), ("m", 1e-3),
                                  ("u", 1e-6), ("n", 1e-9), ("p", 1e-12), ("f", 1e-15)):
                if abs(v) >= scale:
                    return f"{v / scale:.4g} {prefix}{unit}"
            return f"0 {unit}"

        rows = ["| figure | low | typical | high | source |", "|---|---|---|---|---|"]

        def add(what, fig):
            rows.append(f"| {what} | {fmt(fig.low, fig.unit)} | {fmt(fig.typical, fig.unit)} | "
                        f"{fmt(fig.high, fig.unit)} | {fig.source} |")

        for op, fig in self.energy.items():
            add(f"energy per {op}", fig)
        for op, fig in self.time.items():
            add(f"core time per {op}", fig)
        for op, fig in self.latency.items():
            add(f"latency per {op}", fig)
        for kind, fig in self.bandwidth.items():
            add(f"link bandwidth ({kind})", fig)
        if self.static_power:
            add("static power per chip", self.static_power)
        for name, curve in (("barrier by tiles", self.barrier_tiles),
                            ("barrier by chips", self.barrier_chips)):
            if curve:
                points = "; ".join(f"{lbl} " + ", ".join(f"{n}: {fmt(t, 's')}" for n, t in pts)
                                   for lbl, pts in (("low", curve.low), ("typical", curve.typical),
                                                    ("high", curve.high)))
                rows.append(f"| {name} | {points} | | | {curve.source} |")
        for name, level in self.dvfs.items():
            rows.append(f"| DVFS level {name} | | {level.volts:g} V, {fmt(level.hertz, 'Hz')} | | "
                        f"{level.source} |")
        if self.mac_array:
            for name, fig in self.mac_array["energy_per_mac"].items():
                add(f"MAC array energy per MAC at {name}", fig)
            k = self.mac_array["cycles"]
            rows.append(f"| MAC array cycles per dense layer and step | | {k['per_synapse']} N D + "
                        f"{k['per_input']} D + {k['per_layer']} | | {self.mac_array['source']} |")
        if self.tick:
            rows.append(f"| timer tick | | {fmt(self.tick, 's')} | | see notes |")
        return "\n".join(rows)


def _integer(target, name, value, lo, hi):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not lo <= value <= hi:
        raise ParameterRangeError(f"target {target}: {name}={value!r} is outside the allowed "
                                  f"range [{lo}, {hi}]")
