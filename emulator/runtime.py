"""Simulator: loads a Program into the C++ kernel and runs it; Result: what a run gives.

Python prepares the input raster once per call (one array for all steps) and reads the
outputs back once; every time step runs in C++ with the GIL released.
"""
import os
import threading
from collections.abc import Mapping

import numpy as np

from . import _core
from .compiler.program import Program
from .energy.model import CostModel
from .errors import (InputError, ParameterRangeError, PayloadRangeError, ResourceLimitError,
                     RunInterrupted, UnknownNameError, check_bool, check_range)
from .memory import format_bytes, require_memory
from .mesh import TRAFFIC_COLUMNS, Traffic, network_spec
from .network import CONNECTION_PROBES
from .signal_pipe import SignalPipe


#: Activity counters, in the kernel's column order. Units:
COUNTERS = tuple(_core.COUNTERS)
COUNTER_UNITS = {
    "synops": "synaptic operations: stored synapses read because a message arrived",
    "updates_active": "neuron updates whose state changed or that spiked",
    "updates_inactive": "neuron updates that left the state unchanged",
    "spikes": "spikes emitted by neurons (nonzero payloads)",
    "messages": "spike messages sent by cores (one per destination core per spike)",
    "graded_messages": "those messages that carry a graded payload (from graded models)",
    "payload_bits": "bits of payload the graded messages carry: per message, the payload's "
                    "shortest two's-complement width, sign bit included (1 -> 2, -1 -> 1, "
                    "255 -> 9)",
    "synaptic_updates": "synapses the learning engine updated at the end of an epoch (those "
                        "with an active dependency: their pre or post neuron spiked in the "
                        "epoch for x0 or y0 rules, every synapse in an epoch where uK is 1; "
                        "the extra sweep a tag at -257 causes is not counted)",
    "synops_dense": "those synops read from dense synapse groups",
    "packets": "packets the core sent into the network: its messages on axon-routed "
               "targets (Loihi), one multicast packet per spike of a neuron with "
               "destinations on multicast targets (SpiNNaker 2)",
    "packets_in": "packets that reached the core, from cores or the host",
    "hops_ew": "east-west links of a chip's mesh the core's packets crossed (a multicast "
               "packet crosses each link of its tree once)",
    "hops_ns": "north-south links of a chip's mesh the core's packets crossed",
    "hops_chip": "chip-to-chip links the core's packets crossed",
    "synops_graded": "those synops weighted by a graded payload (multiply-accumulates; the "
                     "others only accumulate a weight)",
}
#: Seconds between progress reports of Simulator.run(progress=...).
PROGRESS_INTERVAL = 0.2
#: The most threads a Simulator takes (the kernel's bound).
MAX_THREADS = 1024


def usable_cpus():
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, min(len(os.sched_getaffinity(0)), MAX_THREADS))
    except AttributeError:  # no affinity masks (macOS, Windows)
        return max(1, min(os.cpu_count() or 1, MAX_THREADS))
#: What the host injects, in the kernel's column order (units as COUNTER_UNITS).
HOST_COUNTERS = tuple(_core.HOST_COUNTERS)


class Counters:
    """Activity counters of one run.

    per_core[name]: (n_cores,) counts per core; per_step[name]: (steps,) counts summed
    over cores (None for a run with per_step=False, which keeps totals only);
    total[name]: the run's total; per_source: (n_sources,) nonzero outputs of every
    source in the run (the input channels first, then each core's neurons). host[name]
    ("spikes", "messages", "graded_messages", "payload_bits", "packets", "hops_ew",
    "hops_ns", "hops_chip"): what the host injected and sent for it, in total, and
    host_per_step[name] per step (None without per-step records). Units are in
    COUNTER_UNITS.
    """

    def __init__(self, core_counters, step_counters, host_steps, per_source=None,
                 per_step=True):
        self.per_core = {n: core_counters[:, k].astype(np.int64) for k, n in enumerate(COUNTERS)}
        self.total = {n: int(v.sum()) for n, v in self.per_core.items()}
        host = np.asarray(host_steps, np.int64).reshape(-1, len(HOST_COUNTERS))
        self.host = {n: int(host[:, k].sum()) for k, n in enumerate(HOST_COUNTERS)}
        self.per_step = self.host_per_step = None
        if per_step:
            self.per_step = {n: step_counters[:, k].astype(np.int64) for k, n in enumerate(COUNTERS)}
            self.host_per_step = {n: host[:, k] for k, n in enumerate(HOST_COUNTERS)}
        # nonzero outputs of every source over the run (NeuroBench's effective operations)
        self.per_source = None if per_source is None else np.asarray(per_source, np.int64)
        self._rows = (np.asarray(step_counters, np.int64), host)

    def arrays(self):
        """The counters as the arrays they were made from (what a result file keeps):
        "core" (n_cores, counters), "step" and "host" (a row per step, or one row of
        totals), "source"."""
        out = {"core": np.stack([self.per_core[n] for n in COUNTERS], axis=1),
               "step": self._rows[0], "host": self._rows[1]}
        if self.per_source is not None:
            out["source"] = self.per_source
        return out

    def __getitem__(self, name):
        return self.total[name]

    def __repr__(self):
        return f"Counters({self.total}, host={self.host})"


class _Spikes(Mapping):
    """Dense (steps, n) spike arrays per population, built from the kernel's event list
    (sources and payloads, grouped by step) when first asked for."""

    def __init__(self, sizes, pop_of, neuron_of, step_ptr, source, payload):
        self._sizes = sizes  # name -> (population index, n)
        self._pop_of, self._neuron_of = pop_of, neuron_of
        self._step_ptr, self._source, self._payload = step_ptr, source, payload
        self._cache = {}

    def __getitem__(self, name):
        if name not in self._cache:
            if name not in self._sizes:
                raise UnknownNameError(f"no population named {name!r}; populations: "
                                       f"{list(self._sizes)}")
            index, n = self._sizes[name]
            self._cache[name] = _core.scatter_events(self._step_ptr, self._source, self._payload,
                                                     self._pop_of, self._neuron_of, index, n)
        return self._cache[name]

    def __iter__(self):
        return iter(self._sizes)

    def __len__(self):
        return len(self._sizes)


class Result:
    """What one `Simulator.run` call produced.

    spikes[pop]: (steps, n) int32, 1 per spike (the payload for graded models), for every
    population. probes["pop.var"]: (steps, n) values after each step, for each probe of the
    network; probes["conn.var"] likewise for each probe on a plastic connection
    ((steps, n_post, n_pre) for weights, tags and delay fields). counters: a Counters.
    traffic: an emulator.mesh.Traffic (what the packets did on the network, and each
    step's times; None from a Simulator with network=False). steps: steps run; first_step: number of the first one.
    """

    def __init__(self, program, steps, first_step, spikes, probes, counters, traffic):
        self.program = program
        self.steps = steps
        self.first_step = first_step
        self.spikes = spikes
        self.probes = probes
        self.counters = counters
        self.traffic = traffic

    def save(self, path):
        """Write the result, with its program, to one .npz file (emulator.io.result)."""
        from .io.result import save_result
        save_result(self, path)

    @classmethod
    def load(cls, path):
        """Read a result written by save(). A damaged or inconsistent file raises
        FileFormatError (ProgramFormatError for its program) naming what is wrong."""
        from .io.result import load_result
        return load_result(path)

    def metrics(self, steps_per_inference=None):
        """NeuroBench-style metrics: synaptic operations per inference (effective ACs and
        MACs, dense), activation and connection sparsity, footprint (emulator.metrics)."""
        from .metrics import metrics
        return metrics(self, steps_per_inference)

    def __repr__(self):
        return (f"Result(steps {self.first_step}..{self.first_step + self.steps - 1}, "
                f"{self.counters.total['spikes']} spikes, probes {sorted(self.probes)})")


class Simulator:
    """Runs a Program in the C++ kernel.

    strict=False (default) saturates graded payloads -- of inputs and of graded neurons --
    to the target's payload width (spec section 6); strict=True raises PayloadRangeError
    instead: for an input before anything runs, for a neuron in the middle of the step
    it sends it (the simulator must then be reset). run() continues from where the
    previous run ended; reset() starts over at step 1.

    network=True (default) routes every packet over the target's mesh and counts it
    (Result.traffic, and the network counters the energy report needs); network=False
    leaves the network out (faster; spikes and states are the same either way).
    """

    def __init__(self, program, strict=False, network=True, threads=None):
        if not isinstance(program, Program):
            raise InputError(f"Simulator needs an emulator.Program, got {type(program).__name__}")
        self.program = program
        self.strict = check_bool("Simulator", "strict", strict)
        self.network = check_bool("Simulator", "network", network)
        self._threads_asked = self._check_threads(threads)
        meta = program.meta
        self._what = (f"a program of {program.n_cores} core{'' if program.n_cores == 1 else 's'} "
                      f"on {meta['target']['name']}")
        self._inputs = meta["inputs"]
        self._n_inputs = sum(i["n"] for i in self._inputs)
        self._payload_bits = meta["target"]["payload_bits"]
        require_memory(f"loading {self._what} into the kernel",
                       self._load_bytes(program, self._threads_asked, self.network))
        self._system = self._load(program)
        self._links = None
        self._sizes, self._pop_of, self._neuron_of = self._source_map(meta)
        self._probes, self._probe_cols = self._probe_specs(meta)
        self._plastic = {p["connection"]: k for k, p in enumerate(meta["plastic"])}
        self._synapse_maps = {p["connection"]: self._synapse_map(k, p)
                              for k, p in enumerate(meta["plastic"])}

    @staticmethod
    def _check_threads(threads):
        if threads is None:
            return None
        if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)):
            raise ParameterRangeError(f"Simulator: parameter threads={threads!r} must be None or "
                                      "a whole number of threads")
        check_range("Simulator", "threads", threads, 1, MAX_THREADS)
        return int(threads)

    @property
    def threads(self):
        """Threads a run uses: as asked (at most one per core), or by default the CPUs
        this process may use, fewer for a small program."""
        return self._system.threads

    @staticmethod
    def _load_bytes(program, threads=None, network=True):
        """About what the kernel holds for `program` at its peak, while it builds: a copy
        of the arrays it does not borrow (the synapse groups and the output-axon table it
        reads in place); per core its compartments' state and input ring (one slot per
        step of delay); the delivery layout (a word and a delay byte per synapse, and per
        thread an index per source); the cost tables (2 to 8 bytes per output-axon entry,
        and per thread and core its tallies, with the network its traffic sums)."""
        lent = ("/post", "/weight", "/delay", "/row_ptr")
        arrays = sum(a.nbytes for name, a in program.arrays.items()
                     if not (name.startswith("out/") or name.endswith(lent)))
        state, n_sources = 0, sum(i["n"] for i in program.meta["inputs"])
        for c, core in enumerate(program.meta["cores"]):
            n = sum(b["stop"] - b["start"] for b in core["blocks"])
            n_sources += n
            delays = [program.arrays[f"core{c}/group{g}/delay"] for g in range(len(core["groups"]))]
            slots = 1 + max((int(d.max()) for d in delays if d.size), default=0)
            state += n * (128 + 2 * 8 * slots)  # state and parameters; ring of two ports
        synapses = sum(a.size for name, a in program.arrays.items() if name.endswith("/weight"))
        entries = program.arrays["out/dst_core"].size
        threads = min(threads or usable_cpus(), max(program.n_cores, 1))
        layout = 5 * synapses + 40 * threads * n_sources
        costs = 16 * n_sources + 3 * entries + threads * program.n_cores * (80 + (96 if network else 0))
        return arrays + state + layout + costs

    def _load(self, program):
        meta, arr = program.meta, program.arrays
        system = _core.System(self._n_inputs, len(meta["cores"]), self._payload_bits, self.strict)
        system.set_graded_inputs(np.concatenate(
            [np.full(i["n"], i["graded"], np.uint8) for i in self._inputs] or [np.zeros(0, np.uint8)]))
        for c, core in enumerate(meta["cores"]):
            for b, block in enumerate(core["blocks"]):
                where = (f"core {c} block {b} (population {block['population']!r} neurons "
                         f"[{block['start']}, {block['stop']}))")
                p = {name: arr[f"core{c}/block{b}/{name}"] for name in block["params"]}
                system.add_block(c, block["kind"], where, block["stop"] - block["start"], p)
            for g, group in enumerate(core["groups"]):
                pre = f"core{c}/group{g}/"
                system.add_group(c, f"core {c} group {g} (connection {group['connection']!r})",
                                 int(group["post_base"]), int(group["n_post"]), int(group["n_rows"]),
                                 bool(group["dense"]), arr[pre + "row_ptr"], arr[pre + "post"],
                                 arr[pre + "weight"], arr[pre + "delay"], int(group["weight_exp"]),
                                 bool(group["graded"]))
            if core.get("axons") == "rows":
                system.set_row_axons(c)
            else:
                system.set_axons(c, arr[f"core{c}/axon_ptr"], arr[f"core{c}/axon_group"],
                                 arr[f"core{c}/axon_row"])
        signs = {"mixed": 0, "excitatory": 1, "inhibitory": 2}
        for k, p in enumerate(meta["plastic"]):
            pre = f"plastic{k}/"
            index = system.add_plastic(
                f"plastic connection {p['connection']!r}", int(p["n_pre"]), int(p["n_post"]),
                int(p["t_epoch"]), signs.get(p["sign_mode"], -1), arr[pre + "dw"], arr[pre + "dd"],
                arr[pre + "dt"], arr[pre + "impulse_int"], arr[pre + "impulse_frac"],
                arr[pre + "decay"], arr[pre + "streams"], arr[pre + "pre_source"],
                arr[pre + "post_source"], arr[pre + "modulator_y2"], arr[pre + "modulator_y3"],
                int(p["n_synapses"]))
            for g, (core, group, post_start) in enumerate(p["groups"]):
                system.add_plastic_group(index, int(core), int(group),
                                         arr[f"{pre}group{g}/row_pre"], int(post_start))
        system.set_output_axons(arr["out/src_ptr"], arr["out/dst_core"], arr["out/dst_axon"],
                                program.axons_by_core)
        asked = self._threads_asked
        system.set_threads(asked or usable_cpus(), exact=asked is not None)
        if self.network:
            system.set_network(**network_spec(program))
            system.set_timing(**CostModel(program.target).kernel_timing(program))
        system.finalize()
        return system

    def _source_map(self, meta):
        """Per source: the population index it belongs to (-1 for inputs) and its neuron."""
        core_n = [sum(b["stop"] - b["start"] for b in c["blocks"]) for c in meta["cores"]]
        core_base = self._n_inputs + np.concatenate(([0], np.cumsum(core_n))).astype(np.int64)
        pop_of = np.full(int(core_base[-1]), -1, np.int32)
        neuron_of = np.full(int(core_base[-1]), -1, np.int32)
        for k, p in enumerate(meta["populations"]):
            for core, block, start, stop in p["blocks"]:
                offset = sum(b["stop"] - b["start"] for b in meta["cores"][core]["blocks"][:block])
                lo = int(core_base[core]) + offset
                pop_of[lo:lo + stop - start] = k
                neuron_of[lo:lo + stop - start] = np.arange(start, stop, dtype=np.int32)
        sizes = {p["name"]: (k, p["n"]) for k, p in enumerate(meta["populations"])}
        return sizes, pop_of, neuron_of

    def _probe_specs(self, meta):
        """Kernel probe specs and, per probe name, its columns' (slice, neuron order)."""
        specs, cols, col = [], {}, 0
        pops = {p["name"]: p for p in meta["populations"]}
        for name, var in meta["probes"]:
            if var == "spikes":
                continue
            p = pops[name]
            parts = []
            for core, block, start, stop in p["blocks"]:
                specs.append((core, block, var, 0, stop - start))
                parts.append((col, start, stop))
                col += stop - start
            cols[f"{name}.{var}"] = (p["n"], parts)
        return specs, cols

    def _synapse_map(self, k, plastic):
        """(post, pre) neuron of each synapse in the kernel's order of plastic connection k
        (its groups in order, each in storage order), for dense views of its variables."""
        arr, cores = self.program.arrays, self.program.meta["cores"]
        posts, pres = [], []
        for g, (core, group, post_start) in enumerate(plastic["groups"]):
            spec = cores[core]["groups"][group]
            row_pre = arr[f"plastic{k}/group{g}/row_pre"].astype(np.int64)
            if spec["dense"]:
                local = np.tile(np.arange(spec["n_post"]), len(row_pre))
                pre = np.repeat(row_pre, spec["n_post"])
            else:
                local = arr[f"core{core}/group{group}/post"].astype(np.int64)
                pre = np.repeat(row_pre, np.diff(arr[f"core{core}/group{group}/row_ptr"]))
            posts.append(post_start + local)
            pres.append(pre)
        cat = lambda parts: np.concatenate(parts) if parts else np.zeros(0, np.int64)  # noqa: E731
        return cat(posts), cat(pres), (plastic["n_post"], plastic["n_pre"])

    def _dense(self, connection, values):
        """Per-synapse values (..., n_synapses) in kernel order -> (..., n_post, n_pre),
        int16 (weights, tags and delay fields lie in [-257, 255])."""
        post, pre, shape = self._synapse_maps[connection]
        out = np.zeros(values.shape[:-1] + shape, np.int16)
        out[..., post, pre] = values
        return out

    def connection_state(self, connection, var):
        """The current value of `var` of a plastic connection (a Connection or its name):
        "weights", "tags", "delay_fields" as (n_post, n_pre) int16 (0 where a sparse
        connection has no synapse); x1, x2 as (n_pre,), y1, y2, y3 as (n_post,) int32."""
        name = getattr(connection, "name", connection)
        if not isinstance(name, str) or name not in self._plastic:
            raise UnknownNameError(f"connection_state: {name!r} is not a plastic connection "
                                   f"of this program; plastic: {sorted(self._plastic)}")
        if not isinstance(var, str) or var not in CONNECTION_PROBES:
            raise UnknownNameError(f"connection_state: unknown variable {var!r}; allowed: "
                                   f"{tuple(CONNECTION_PROBES)}")
        values = self._system.plastic_state(self._plastic[name], var)
        return self._dense(name, values) if CONNECTION_PROBES[var] == "synapses" else values

    def _raster(self, steps, inputs):
        if inputs is not None and not isinstance(inputs, Mapping):
            raise InputError(f"run: inputs must be a dict of input name to (steps, n) raster, "
                             f"got {type(inputs).__name__}")
        inputs = dict(inputs or {})
        raster = np.zeros((steps, self._n_inputs), np.int32)
        known = {i["name"] for i in self._inputs}
        unknown = set(inputs) - known
        if unknown:
            raise UnknownNameError(f"run: unknown input(s) {sorted(unknown)}; the network's "
                                   f"inputs are {sorted(known)}")
        lo, hi = -2 ** (self._payload_bits - 1), 2 ** (self._payload_bits - 1) - 1
        for i in self._inputs:
            name, n = i["name"], i["n"]
            if name not in inputs:
                raise InputError(f"run: input {name!r} is missing; give a ({steps}, {n}) "
                                 "integer raster for it")
            x = np.asarray(inputs[name])
            if x.shape != (steps, n):
                raise InputError(f"run: raster of input {name!r} has shape {x.shape}; "
                                 f"expected (steps, n) = ({steps}, {n})")
            if not (x.dtype == bool or np.issubdtype(x.dtype, np.integer)):
                raise InputError(f"run: raster of input {name!r} has dtype {x.dtype}; "
                                 "expected an integer or bool dtype")
            sl = slice(i["source_base"], i["source_base"] + n)
            if not i["graded"]:
                raster[:, sl] = x != 0
                continue
            if x.size and (x.min() < lo or x.max() > hi):
                if self.strict:
                    bad = x.min() if x.min() < lo else x.max()
                    raise PayloadRangeError(
                        f"run: graded input {name!r} has payload {bad} outside the "
                        f"{self._payload_bits}-bit range [{lo}, {hi}] of target "
                        f"{self.program.meta['target']['name']} (strict mode)")
                x = np.clip(x, lo, hi)
            raster[:, sl] = x
        return raster

    def record_bytes(self, steps, per_step=True):
        """Bytes a run of `steps` steps needs besides its spikes: the input raster, the
        per-step rows (counters, host, traffic, times; one row with per_step=False), the
        probes, and the copies the Result makes of them. run() refuses a run whose
        records exceed the memory limit (emulator.memory) before it starts, and bounds
        its spike record by what the limit leaves."""
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise InputError(f"record_bytes: steps={steps!r} must be a non-negative integer")
        steps = int(steps)
        rows = steps if per_step else 1
        # each kernel row is copied once into int64 arrays of the Result
        row = 2 * 8 * (len(COUNTERS) + len(HOST_COUNTERS))
        if self.network:
            row += 2 * 8 * len(TRAFFIC_COLUMNS) + 8 * 9
        probe_cols = sum(count for *_, count in self._probes)
        plastic = 0
        for name, var in self.program.meta["connection_probes"]:
            p = self.program.meta["plastic"][self._plastic[name]]
            kind = CONNECTION_PROBES[var]
            n = {"synapses": p["n_synapses"], "pre": p["n_pre"], "post": p["n_post"]}[kind]
            plastic += 4 * n + (2 * p["n_post"] * p["n_pre"] if kind == "synapses" else 0)
        # raster: the int32 array the kernel reads and a temporary per input
        return (steps * (2 * 4 * self._n_inputs + 2 * 8 * probe_cols + plastic + 2 * 8)
                + rows * row)

    def run(self, steps, inputs=None, progress=None, per_step=True):
        """Run `steps` steps; inputs = {input name: (steps, n) integer raster}.

        progress: None, or a callable(steps done, steps) called a few times a second
        while the kernel runs (and once at the end), e.g. to drive a progress bar.
        per_step: keep every step's counters, host columns, traffic and times (the
        default); False keeps run totals only (Counters.per_step and Traffic.per_step
        are None), for long runs.

        One call at a time: a second call on this simulator while a run is going (from
        another thread, or from the progress callback) raises SimulatorBusyError.
        Stopping: Ctrl-C (on the main thread) or interrupt() (from any thread) stops the
        run between two steps within a few milliseconds and raises RunInterrupted, a
        KeyboardInterrupt whose `result` holds the steps that ran; the simulator stands
        at that step boundary, and the next run() continues from it. An exception from
        the progress callback stops the run the same way and is raised as it is.
        Memory: a run whose records (record_bytes) exceed the memory limit is refused
        with ResourceLimitError before it starts; one whose spikes outgrow what is left
        stops between two steps with ResourceLimitError (its `result` holds the steps
        that ran).
        """
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise InputError(f"run: steps={steps!r} must be a non-negative integer")
        steps = int(steps)
        per_step = check_bool("run", "per_step", per_step)
        if progress is not None and not callable(progress):
            raise InputError(f"run: progress={progress!r} must be None or a callable(done, "
                             "steps)")
        need = self.record_bytes(steps, per_step)
        limit = require_memory(
            f"run({steps}) of {self._what}", need,
            "run fewer steps per call (each run continues where the last one stopped)"
            + (", or pass per_step=False to keep run totals only" if per_step else ""))
        raster = self._raster(steps, inputs)
        first = self._system.steps_done + 1
        plastic_probes = [(self._plastic[name], var)
                          for name, var in self.program.meta["connection_probes"]]
        # spike events cost 8 bytes in the kernel, again in the Result, and up to as much
        # again while a growing record is reallocated
        budget = max((limit - need) // 3, 1)
        # only the main thread runs Python's signal handlers
        signals = threading.current_thread() is threading.main_thread()
        with SignalPipe(signals) as pipe:
            out = self._system.run(steps, raster, self._probes, plastic_probes, per_step,
                                   progress, PROGRESS_INTERVAL, signals, pipe.fd, budget)
            pipe.received(out["signal_bytes"])
        ran = out["steps_run"]
        result = self._result(out, ran, first, per_step)
        stop = out["stop"]
        if stop is None:
            if progress is not None:
                progress(steps, steps)
            return result
        where = (f"after {ran} of {steps} steps; the simulator stands at step "
                 f"{first + ran - 1} (the next run continues from there; reset() starts over)")
        if stop == "record budget":
            error = ResourceLimitError(
                f"run({steps}) of {self._what}: the spike record reached "
                f"{format_bytes(2 * 4 * len(out['spike_source']))} {where}, more than the "
                f"memory limit of {format_bytes(limit)} leaves beside the other records; run "
                "fewer steps per call (error.result holds the steps that ran)")
            error.result = result
            raise error
        error = out["error"]
        if stop == "requested" or isinstance(error, KeyboardInterrupt):
            how = "Simulator.interrupt()" if stop == "requested" else "Ctrl-C"
            raise RunInterrupted(f"run({steps}): stopped by {how} {where}", result) from None
        if hasattr(error, "add_note"):
            error.add_note(f"run({steps}) stopped {where}")
        raise error

    def _result(self, out, steps, first, per_step):
        """The Result of the `steps` steps a kernel run returned."""
        spikes = _Spikes(self._sizes, self._pop_of, self._neuron_of, out["step_ptr"],
                         out["spike_source"], out["spike_payload"])
        probes = {}
        for name, (n, parts) in self._probe_cols.items():
            a = np.empty((steps, n), np.int64)
            for col, start, stop in parts:
                a[:, start:stop] = out["probes"][:, col:col + stop - start]
            probes[name] = a
        for name, var in self.program.meta["probes"]:
            if var == "spikes":
                probes[f"{name}.spikes"] = spikes[name]
        col = 0
        for name, var in self.program.meta["connection_probes"]:
            p = self.program.meta["plastic"][self._plastic[name]]
            n = {"synapses": p["n_synapses"], "pre": p["n_pre"], "post": p["n_post"]}[
                CONNECTION_PROBES[var]]
            block = out["plastic_probes"][:, col:col + n]
            col += n
            probes[f"{name}.{var}"] = self._dense(name, block) \
                if CONNECTION_PROBES[var] == "synapses" else block
        counters = Counters(out["core_counters"], out["step_counters"], out["host_steps"],
                            out["source_outputs"], per_step)
        traffic = None
        if self.network:
            traffic = Traffic(out, self.link_table(), int(np.prod(self.program.target.router_grid)),
                              steps, per_step)
        return Result(self.program, steps, first, spikes, probes, counters, traffic)

    def link_table(self):
        """The mesh's links as Traffic.links describes them ((n_links, 4) int32)."""
        if self._links is None:
            self._links = self._system.link_table()
        return self._links

    def interrupt(self):
        """Stop the run in progress, if any, after its current step (from any thread):
        that run raises RunInterrupted with the steps that ran."""
        self._system.request_stop()

    @property
    def steps_done(self):
        """Steps run since the last reset; readable from any thread, even during a run."""
        return self._system.steps_done

    def reset(self):
        """Start over at step 1 with every state, delay line and counter at zero."""
        self._system.reset()

    @property
    def memory_bytes(self):
        """Bytes the kernel holds for the loaded program (the sum of memory_parts)."""
        return self._system.memory_bytes

    @property
    def memory_parts(self):
        """Those bytes by part: "synapses" (the delivery layout: weights, targets and
        delays; dense rows; learning engines' maps), "accounting" (what each spike costs
        its destination cores), "ring" (synaptic input per step of delay), "network"
        (routes and traffic counts), "cores" (neuron state, spike outputs)."""
        return self._system.memory_parts

    @property
    def synapse_memory_bytes(self):
        """Bytes of the synapses alone (memory_parts["synapses"])."""
        return self._system.synapse_memory_bytes

    @property
    def n_synapses(self):
        return self._system.n_synapses
