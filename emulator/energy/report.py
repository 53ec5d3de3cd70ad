"""Energy and latency of a run, per inference: `estimate(result)` gives an EnergyReport.

Energy. Dynamic energy is the sum over counters of count x the target's energy per
operation (emulator/targets/*.py, each figure with its source), the host's packets and
hops included (they travel the same network), plus the MAC array's energy where a
target has one (per step and dense group: MACs x energy per MAC + the PE cycles Yan
2021's model charges x energy per cycle). Static energy is the static power of each
chip in use x the run's time. Every figure has a low, typical and high value; the report
carries all three.

Time per step. Lock-step targets (Loihi): the slowest core's busy time + the network's
time (the longer of the longest packet latency and the busiest link's serialisation) +
the barrier across the router tiles (one chip) or the chips in use. Timer-driven targets
(SpiNNaker 2): a step takes one tick; the work of the step (slowest core + network) that
does not fit the tick makes the step late, and a late step takes its work's time.

Per inference: a run of `steps` steps holds steps / steps_per_inference inferences; the
report divides the run's energy and time by that number. EDP = energy x latency per
inference.
"""
import numpy as np

from ..errors import InputError, ParameterRangeError
from ..mesh import HOST_PORT
from .model import VARIANTS, CostModel

#: Host counters that carry the network traffic of input spikes, by the core counter
#: whose figure prices them.
HOST_TRAFFIC = {"packets": "packets", "payload_bits": "payload_bits", "hops_ew": "hops_ew",
                "hops_ns": "hops_ns", "hops_chip": "hops_chip"}


def _fmt(value, unit):
    for prefix, scale in (("", 1.0), ("m", 1e-3), ("u", 1e-6), ("n", 1e-9), ("p", 1e-12)):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {prefix}{unit}"
    return f"{value / 1e-15:.3g} f{unit}" if value else f"0 {unit}"


class EnergyReport:
    """Energy and latency of one run on its program's target.

    Run totals, each an array (low, typical, high): `dynamic`, `static` and `energy`
    (joules), `time` (seconds). Per inference (typical unless a dict of all three):
    `energy_per_inference`, `dynamic_per_inference`, `latency`, `edp`,
    `inferences_per_second`.

    Breakdowns: `by_operation[op]` = {"count", "low", "typical", "high", "source"} over
    the run, with "mac_array" and "static" among the operations; `by_core` (n_cores,)
    typical dynamic joules of each core's own operations and packets; `host` the typical
    joules of the host's packets; `by_chip` {chip: typical joules, static included} (the
    host's packets count on the chip they enter); `time_parts` {"compute", "network",
    "barrier", "idle"} seconds of the run per variant (idle: what a tick leaves after
    its work). `per_step` (steps,) typical joules,
    `work` (steps, 3) seconds of each step's work (slowest core + network) and
    `step_time` (steps, 3) seconds (all three None for a result of run totals only). Timer-driven targets: `tick` and `late_steps` (the
    steps whose work exceeded the tick).
    `sources` name every figure used; `notes` the target's assumptions.
    """

    def __init__(self, result, steps_per_inference=None, dvfs=None):
        from ..runtime import Result
        if not isinstance(result, Result):
            raise InputError(f"estimate: expected an emulator.Result, got {type(result).__name__}")
        if result.traffic is None:
            raise InputError("estimate: this result has no network counters; run it on a "
                             "Simulator(program, network=True) (the default)")
        if not result.steps:
            raise InputError("estimate: the result has no steps to cost")
        program = result.program
        target = program.target
        model = CostModel(target, dvfs)
        steps = result.steps
        spi = steps if steps_per_inference is None else steps_per_inference
        if isinstance(spi, bool) or not isinstance(spi, (int, np.integer)) or spi < 1:
            raise ParameterRangeError(f"estimate: steps_per_inference={steps_per_inference!r} "
                                      "must be a positive integer")
        self.target = target.name
        self.steps = steps
        self.steps_per_inference = int(spi)
        self.dvfs = model.level
        self.tick = target.tick
        self.notes = target.notes
        self.traffic = result.traffic
        self._target = target
        self._locations = np.array([c.get("location", [0, k]) for k, c in
                                    enumerate(program.meta["cores"])], np.int64).reshape(-1, 2)
        self._energy(result, model, program)
        self._time(result, model)
        self._static(model)

    # -- building ----------------------------------------------------------------------
    def _energy(self, result, model, program):
        c = result.counters
        n_cores = len(self._locations)
        mac = bool(self._target.mac_array)
        self.by_operation, self.sources = {}, {}
        by_core = np.zeros(n_cores)
        host = 0.0
        # rows of counts: one per step, or one row of run totals (run(per_step=False))
        if c.per_step is not None:
            step_counts, host_counts, repeat = c.per_step, c.host_per_step, 1
        else:
            step_counts = {k: np.array([v]) for k, v in c.total.items()}
            host_counts = {k: np.array([v]) for k, v in c.host.items()}
            repeat = self.steps
        per_step = np.zeros((3, len(next(iter(step_counts.values())))))
        for op, fig in self._target.energy.items():
            e = model.energy(op)
            core_step, core_per = step_counts[op], c.per_core[op]
            if op == "synops" and mac:  # dense events run on the MAC array instead
                core_step = core_step - step_counts["synops_dense"]
                core_per = core_per - c.per_core["synops_dense"]
            # the host's packets cross the network; a PE's cycles for sending one are
            # the host's own work, which is not counted
            host_step = host_counts[HOST_TRAFFIC[op]] \
                if op in HOST_TRAFFIC and op not in self._target.cycle_operations else 0
            count = int(core_per.sum()) + int(np.sum(host_step))
            self.by_operation[op] = {"count": count, **dict(zip(VARIANTS, count * e)),
                                     "source": fig.source}
            self.sources[op] = fig.source
            per_step += np.outer(e, core_step + host_step)
            by_core += core_per * e[1]
            host += float(np.sum(host_step)) * e[1]
        if mac:
            cycles, macs = model.mac_work(program)
            e_mac, e_cycle = model.mac_energy(), model.energy_per_cycle()
            per_core_step = macs * e_mac[1] + cycles * e_cycle[1]
            step_energy = macs.sum() * e_mac + cycles.sum() * e_cycle
            count = int(round(macs.sum())) * self.steps
            source = (f"{self._target.mac_array['source']}; "
                      f"{self._target.mac_array['energy_per_mac'][self._target.dvfs_default].source}")
            self.by_operation["mac_array"] = {"count": count,
                                              **dict(zip(VARIANTS, step_energy * self.steps)),
                                              "source": source}
            self.sources["mac_array"] = source
            per_step += step_energy[:, None] * repeat
            by_core += per_core_step * self.steps
        self.by_core = by_core
        self.host = host
        self.dynamic = per_step.sum(axis=1)
        self._dynamic_step = per_step

    def _time(self, result, model):
        tr = result.traffic
        if tr.per_step is None:
            return self._time_totals(tr, model)
        compute = tr.core_time * model.time_scale
        network = np.maximum(tr.latency, tr.serialisation)
        work = compute + network
        self.work = work
        if self.tick:
            self.step_time = np.maximum(work, self.tick)
            self.late_steps = int(np.count_nonzero(work[:, 1] > self.tick))
            barrier = np.zeros_like(work)
        else:
            barrier = np.broadcast_to(self._barrier(model), work.shape)
            self.step_time = work + barrier
            self.late_steps = 0
        self.time = self.step_time.sum(axis=0)
        # idle: what is left of a tick after its work (none on lock-step targets)
        idle = self.step_time - work if self.tick else np.zeros_like(work)
        self.time_parts = {"compute": compute.sum(axis=0), "network": network.sum(axis=0),
                           "barrier": barrier.sum(axis=0), "idle": idle.sum(axis=0)}

    def _barrier(self, model):
        """(low, typical, high) seconds of one step's barrier: across the router tiles of
        the one chip in use, or across the chips in use."""
        chips = np.unique(self._locations[:, 0])
        tiles = len(np.unique(self._locations[:, 1] // self._target.cores_per_router)) \
            if len(chips) == 1 else 0
        return model.barrier(tiles, len(chips))

    def _time_totals(self, tr, model):
        """The run's time from its totals (a run with per_step=False): exact on
        lock-step targets, whose step time is a sum; on a timer-driven target exact when
        no step can have outgrown the tick (the longest core time plus the longest
        network time of any step fit in it), and refused otherwise."""
        self.work = self.step_time = None
        compute = tr.core_time_total * model.time_scale
        network = tr.network_total
        zero = np.zeros(3)
        if self.tick:
            longest = tr.max_core_time * model.time_scale + tr.max_network_time
            if np.any(longest > self.tick):
                raise InputError(
                    f"estimate: this result keeps run totals only (run(per_step=False)); on "
                    f"{self.target}, with its {self.tick:g} s timer tick, some steps may have "
                    f"outgrown the tick (up to {longest[2]:.3g} s of work), which only "
                    "per-step times can tell: run with per_step=True")
            self.time = np.full(3, self.steps * self.tick)
            self.late_steps = 0
            self.time_parts = {"compute": compute, "network": network, "barrier": zero,
                               "idle": self.time - compute - network}
        else:
            barrier = self._barrier(model) * self.steps
            self.time = compute + network + barrier
            self.late_steps = 0
            self.time_parts = {"compute": compute, "network": network, "barrier": barrier,
                               "idle": zero}

    def _static(self, model):
        chips = np.array(self.chips)
        power = model.static_power() * len(chips)
        self.static = power * self.time
        if self._target.static_power:
            # counted in chip-steps: chips in use x steps
            self.by_operation["static"] = {"count": len(chips) * self.steps,
                                           **dict(zip(VARIANTS, self.static)),
                                           "source": self._target.static_power.source}
            self.sources["static"] = self._target.static_power.source
        self.energy = self.dynamic + self.static
        self.per_step = None if self.step_time is None else \
            self._dynamic_step[1] + power[1] * self.step_time[:, 1]
        self.by_chip = {}
        per_chip_static = self.static[1] / len(chips) if len(chips) else 0.0
        for chip in chips:
            self.by_chip[int(chip)] = float(self.by_core[self._locations[:, 0] == chip].sum()) \
                + per_chip_static
        self.by_chip[HOST_PORT[0]] = self.by_chip.get(HOST_PORT[0], 0.0) + self.host

    @property
    def chips(self):
        """The chips in use, in order: those with cores of the program, and those whose
        routers pass packets (the host's chip, chips a route crosses); each draws its
        static power."""
        routers = np.flatnonzero(self.traffic.router_packets)
        relays = set((routers // int(np.prod(self._target.router_grid))).tolist())
        return sorted(set(self._locations[:, 0].tolist()) | relays)

    # -- per inference -----------------------------------------------------------------
    @property
    def inferences(self):
        """Inferences in the run (steps / steps_per_inference, may be fractional)."""
        return self.steps / self.steps_per_inference

    def _per_inference(self, run_values):
        return run_values / self.inferences if self.steps else np.zeros(3)

    @property
    def energy_per_inference(self):
        """Joules (low, typical, high), dynamic and static."""
        return self._per_inference(self.energy)

    @property
    def dynamic_per_inference(self):
        return self._per_inference(self.dynamic)

    @property
    def latency(self):
        """Seconds per inference (low, typical, high)."""
        return self._per_inference(self.time)

    @property
    def edp(self):
        """Energy-delay product per inference, joule-seconds (low, typical, high)."""
        return self.energy_per_inference * self.latency

    @property
    def inferences_per_second(self):
        """(slowest, typical, fastest): from the high, typical and low latency."""
        lat = self.latency
        return np.where(lat > 0, 1.0 / np.where(lat > 0, lat, 1.0), np.inf)[::-1]

    # old names: the run's typical, low and high energy
    @property
    def total(self):
        return float(self.energy[1])

    @property
    def low(self):
        return float(self.energy[0])

    @property
    def high(self):
        return float(self.energy[2])

    # -- output ------------------------------------------------------------------------
    def to_dict(self):
        """Plain numbers for scripts (JSON-able)."""
        trip = lambda a: dict(zip(VARIANTS, (float(v) for v in a)))  # noqa: E731
        return {
            "target": self.target, "steps": self.steps,
            "steps_per_inference": self.steps_per_inference,
            "dvfs": None if self.dvfs is None else {"volts": self.dvfs.volts,
                                                    "hertz": self.dvfs.hertz},
            "energy_per_inference": trip(self.energy_per_inference),
            "dynamic_per_inference": trip(self.dynamic_per_inference),
            "static_per_inference": trip(self._per_inference(self.static)),
            "latency": trip(self.latency), "edp": trip(self.edp),
            "inferences_per_second": trip(self.inferences_per_second),
            "by_operation": {op: {k: (v if k in ("source",) else
                                      int(v) if k == "count" else float(v))
                                  for k, v in e.items()} for op, e in self.by_operation.items()},
            "by_core": [float(v) for v in self.by_core], "host": float(self.host),
            "by_chip": {str(k): float(v) for k, v in self.by_chip.items()},
            "time_parts": {k: trip(v) for k, v in self.time_parts.items()},
            "late_steps": self.late_steps, "tick": self.tick,
            "traffic": dict(self.traffic.total),
            "notes": list(self.notes),
        }

    def table(self):
        """The report as printable lines."""
        n = self.inferences
        head = (f"{self.target}: {self.steps} steps, {self.steps_per_inference} per inference"
                + (f", DVFS {self.dvfs.volts:g} V / {self.dvfs.hertz / 1e6:g} MHz"
                   if self.dvfs else ""))
        lines = [head, f"{'per inference':<22}{'low':>12}{'typical':>12}{'high':>12}"]
        rows = (("energy", self.energy_per_inference, "J"),
                ("  dynamic", self.dynamic_per_inference, "J"),
                ("  static", self._per_inference(self.static), "J"),
                ("latency", self.latency, "s"), ("EDP", self.edp, "Js"))
        for name, v, unit in rows:
            lines.append(f"{name:<22}" + "".join(f"{_fmt(x, unit):>12}" for x in v))
        ips = self.inferences_per_second
        lines.append(f"{'inferences/s':<22}" + "".join(f"{x:>12.4g}" for x in ips))
        lines.append(f"{'by operation':<22}{'count/inf.':>12}{'typical':>12}{'share':>12}")
        total = self.energy[1] or 1.0
        for op, e in self.by_operation.items():
            lines.append(f"{op:<22}{e['count'] / n:>12.4g}{_fmt(e['typical'] / n, 'J'):>12}"
                         f"{e['typical'] / total:>12.1%}")
        parts = ", ".join(f"{k} {_fmt(v[1] / n, 's')}" for k, v in self.time_parts.items())
        lines.append(f"time per inference: {parts}")
        if self.tick:
            lines.append(f"timer tick {_fmt(self.tick, 's')}: {self.late_steps} of {self.steps} "
                         "steps late (their work did not fit the tick)")
        chips = sorted(self.by_chip.items(), key=lambda kv: -kv[1])[:8]
        lines.append("by chip: " + ", ".join(f"{c}: {_fmt(v / n, 'J')}" for c, v in chips))
        busiest = int(np.argmax(self.by_core)) if len(self.by_core) else None
        if busiest is not None:
            lines.append(f"costliest core: {busiest} ({_fmt(self.by_core[busiest] / n, 'J')}); "
                         f"host packets {_fmt(self.host / n, 'J')}")
        return "\n".join(lines)

    def __str__(self):
        return self.table()

    def plot(self, path):
        """Write a PNG: the energy breakdown per inference and a heat map of the packets
        each router passed, over the mesh of every chip in use (needs matplotlib: the
        `plot` extra)."""
        from .plot import plot_report
        return plot_report(self, path)


def estimate(result, steps_per_inference=None, dvfs=None):
    """EnergyReport of a Result on its program's target. steps_per_inference: steps of one
    inference (None: the whole run is one). dvfs: a level of the target (e.g. "0.5V" on
    spinnaker2), a (volts, hertz) pair, or None for the target's default."""
    return EnergyReport(result, steps_per_inference, dvfs)
