"""A target's cost figures, ready to multiply a run's counters.

Every figure comes as (low, typical, high). Energies multiply counters; times come in two
parts: what keeps a core busy (the kernel sums it per core and step and keeps the
slowest core) and what the network adds (a packet's latency over its hops, a link's
serialisation of the bits it carries). The kernel gets the times at the target's
nominal clock (`kernel_timing`); a DVFS level chosen at estimate time scales a
cycle-based core's time by nominal clock / level clock and its energy per cycle by
(level volts / nominal volts)^2 (an ASSUMPTION: dynamic CV^2 scaling; the range reaches
to V / V_nominal, since the published MAC figures fall less than CV^2 predicts).

SpiNNaker 2's MAC array: every dense synapse group on a core runs as a matrix-vector
product each step (Yan 2021's cycle model, `Target.mac_array`), so its synaptic events
cost no per-event cycles: the counter of dense synaptic events takes the negative of
the per-event figure, cancelling their share of `synops`.
"""
import numpy as np

from .. import _core
from ..errors import ParameterRangeError
from ..targets.base import LINK_KINDS, DvfsLevel

COUNTERS = tuple(_core.COUNTERS)
VARIANTS = ("low", "typical", "high")


def _triple(figure, scale=1.0):
    return np.array([figure.low, figure.typical, figure.high]) * scale if figure else np.zeros(3)


class CostModel:
    """Figures of `target` at DVFS level `dvfs` (a name of target.dvfs, a DvfsLevel, or
    (volts, hertz); None: the target's default)."""

    def __init__(self, target, dvfs=None):
        self.target = target
        self.level = self._level(target, dvfs)
        nominal = target.dvfs.get(target.dvfs_default) if target.dvfs else None
        if nominal and self.level:
            # typical: dynamic CV^2 scaling; the other bound scales with V alone (the
            # published MAC figures fall only 0.74x from 0.8 V to 0.5 V, not 0.39x)
            ratio = self.level.volts / nominal.volts
            self.energy_scale = np.array([min(ratio, ratio ** 2), ratio ** 2, max(ratio, ratio ** 2)])
            self.time_scale = target.clock_hz / self.level.hertz
        else:
            self.energy_scale, self.time_scale = np.ones(3), 1.0

    @staticmethod
    def _level(target, dvfs):
        if not target.dvfs:
            if dvfs is not None:
                raise ParameterRangeError(f"target {target.name} has no DVFS levels; "
                                          f"dvfs={dvfs!r} cannot apply")
            return None
        if dvfs is None:
            return target.dvfs[target.dvfs_default]
        if isinstance(dvfs, DvfsLevel):
            return dvfs
        if isinstance(dvfs, str):
            if dvfs not in target.dvfs:
                raise ParameterRangeError(f"target {target.name}: no DVFS level {dvfs!r}; "
                                          f"levels: {sorted(target.dvfs)} or (volts, hertz)")
            return target.dvfs[dvfs]
        try:
            volts, hertz = (float(v) for v in dvfs)
        except (TypeError, ValueError):
            raise ParameterRangeError(f"target {target.name}: dvfs={dvfs!r} is neither a level "
                                      f"name {sorted(target.dvfs)} nor (volts, hertz)") from None
        if not (0 < volts <= 2 and 0 < hertz <= 10e9):
            raise ParameterRangeError(f"target {target.name}: dvfs=({volts}, {hertz}) is outside "
                                      "(0, 2] V and (0, 10] GHz")
        return DvfsLevel(volts, hertz, "user-given level; energy scaled as (V / 0.8 V)^2")

    # -- energy ------------------------------------------------------------------------
    def energy(self, op):
        """(low, typical, high) joules of one `op` (a counter name)."""
        fig = self.target.energy.get(op)
        scale = self.energy_scale if op in self.target.cycle_operations else 1.0
        return _triple(fig) * scale

    def energy_figures(self):
        """{op: (low, typical, high)} for every counter the target costs, the dense
        synaptic events' cancelling figure included when a MAC array takes them."""
        figures = {op: self.energy(op) for op in self.target.energy}
        if self.target.mac_array and "synops" in figures:
            figures["synops_dense"] = -figures["synops"]
        return figures

    def energy_per_cycle(self):
        """(low, typical, high) joules of one PE cycle while the MAC array works, at the
        chosen level."""
        return _triple(self.target.mac_array["energy_per_cycle"]) * self.energy_scale

    def mac_energy(self):
        """(low, typical, high) joules of one MAC at the chosen level."""
        table = self.target.mac_array["energy_per_mac"]
        name = next((k for k, v in self.target.dvfs.items()
                     if (v.volts, v.hertz) == (self.level.volts, self.level.hertz)), None)
        if name in table:  # a published point
            return _triple(table[name])
        return _triple(table[self.target.dvfs_default]) * self.energy_scale

    def static_power(self):
        return _triple(self.target.static_power)

    # -- time --------------------------------------------------------------------------
    def mac_work(self, program):
        """Per core: (cycles, MACs) the MAC array spends per step on the core's dense
        synapse groups (zeros without a MAC array)."""
        n = len(program.meta["cores"])
        cycles, macs = np.zeros(n), np.zeros(n)
        mac = self.target.mac_array
        if not mac:
            return cycles, macs
        k = mac["cycles"]
        for c, core in enumerate(program.meta["cores"]):
            for g in core["groups"]:
                if g["dense"]:
                    rows, posts = int(g["n_rows"]), int(g["n_post"])
                    cycles[c] += k["per_synapse"] * rows * posts + k["per_input"] * rows + k["per_layer"]
                    macs[c] += rows * posts
        return cycles, macs

    def kernel_timing(self, program):
        """Arguments of the kernel's System.set_timing, at the nominal clock."""
        t = self.target
        core = np.zeros((3, len(COUNTERS)))
        for k, op in enumerate(COUNTERS):
            if op in t.time:
                core[:, k] = _triple(t.time[op])
        if t.mac_array and "synops" in t.time:
            core[:, COUNTERS.index("synops_dense")] = -core[:, COUNTERS.index("synops")]
        cycles, _ = self.mac_work(program)
        fixed = np.repeat((cycles / t.clock_hz)[:, None], 3, axis=1) if cycles.any() else np.zeros((0, 3))
        hop = np.stack([_triple(t.latency.get(f"hops_{kind}")) for kind in LINK_KINDS], axis=1)
        # the low time comes with the high bandwidth
        bit = np.stack([1.0 / _triple(t.bandwidth[kind])[::-1] if kind in t.bandwidth
                        else np.zeros(3) for kind in LINK_KINDS], axis=1)
        return dict(core=core, core_fixed=np.ascontiguousarray(fixed),
                    packet=_triple(t.latency.get("packet")), hop=np.ascontiguousarray(hop),
                    bit=np.ascontiguousarray(bit), packet_bits=int(t.packet_bits))

    def barrier(self, tiles, chips):
        """(low, typical, high) seconds of a step's barrier on `tiles` router tiles of one
        chip, or across `chips` chips."""
        t = self.target
        if chips > 1 and t.barrier_chips:
            return np.array(t.barrier_chips.at(chips))
        if t.barrier_tiles:
            return np.array(t.barrier_tiles.at(tiles))
        return np.zeros(3)
