"""A run's Result as one .npz file (no pickles), with the Program it ran, so that
`Result.load(path)` gives everything `emulator.energy.estimate` and `result.metrics()`
need without the network or the simulator.

Contents: "__meta__" (JSON: format, version, steps, first step, whether per-step rows
were kept, counter names, the program's description), the program's arrays under
"program/", spikes under "spikes/<population>", probes under "probes/<name>", counters
under "counters/" (per core, per step or totals, host, per source) and the network's
traffic under "traffic/".

Loading checks everything before a Result is built: the file is read safely
(emulator.io.npz), the program is loaded into the kernel (which checks every value and
cross-reference of its arrays), and every recording, counter and traffic array must have
the shape, type and range the program and the step count imply (counts between 0 and
what the run could have produced, times finite and >= 0, the link table the one the
program's mesh has). A file that fails raises FileFormatError (ProgramFormatError for
its program) naming the array.
"""
import json

import numpy as np

from ..compiler.program import Program
from ..errors import FileFormatError
from ..network import CONNECTION_PROBES
from .npz import read_description, read_npz

FORMAT = "emulator-result"
VERSION = 2  # 2: per_step and traffic/totals (runs that keep totals only)
READS = (1, 2)
#: The largest count a result may hold in one entry (far above any run's).
MAX_COUNT = 2**48
#: The longest time one step may take, seconds (far above any step's).
MAX_STEP_SECONDS = 3600.0


class _Checker:
    """Takes the arrays of one result file, checking each against what it should be."""

    def __init__(self, path, arrays):
        self.path, self.arrays = path, arrays

    def fail(self, message):
        raise FileFormatError(f"result file {str(self.path)!r}: {message}")

    def take(self, name, shape, kind="count", hi=None, optional=False):
        """Array `name` as int64 (kind "count": integers in [0, hi], MAX_COUNT by default;
        "signed": any integers) or float64 ("time": seconds in [0, hi], MAX_STEP_SECONDS
        by default) of shape `shape` (None: any length)."""
        if hi is None:
            hi = MAX_STEP_SECONDS if kind == "time" else MAX_COUNT
        a = self.arrays.get(name)
        if a is None:
            if optional:
                return None
            self.fail(f"{name} is missing")
        if (kind == "time") != (a.dtype.kind == "f") or (kind != "time" and a.dtype.kind not in "iu"):
            self.fail(f"{name} is {a.dtype}; expected {'floats' if kind == 'time' else 'integers'}")
        if len(a.shape) != len(shape) or any(w is not None and n != w
                                             for n, w in zip(a.shape, shape)):
            self.fail(f"{name} has shape {a.shape}; expected {tuple(shape)}")
        if kind == "time":
            if a.size and not (np.all(np.isfinite(a)) and a.min() >= 0 and a.max() <= hi):
                self.fail(f"{name} holds times outside [0, {hi:g}] seconds")
            return a.astype(np.float64)
        if kind == "count" and a.size and (a.min() < 0 or a.max() > hi):
            self.fail(f"{name} holds counts outside [0, {hi}]")
        return a.astype(np.int64)


def _json_array(obj):
    return np.frombuffer(json.dumps(obj).encode(), dtype=np.uint8)


def save_result(result, path):
    from ..runtime import COUNTERS, HOST_COUNTERS
    arrays = {f"program/{k}": v for k, v in result.program.arrays.items()}
    arrays.update({f"spikes/{name}": result.spikes[name] for name in result.spikes})
    arrays.update({f"probes/{name}": v for name, v in result.probes.items()})
    arrays.update({f"counters/{k}": v for k, v in result.counters.arrays().items()})
    t = result.traffic
    if t is not None:
        arrays.update({f"traffic/{k}": v for k, v in t.arrays().items()})
    meta = {"format": FORMAT, "version": VERSION, "steps": result.steps,
            "first_step": result.first_step, "per_step": result.counters.per_step is not None,
            "counters": list(COUNTERS), "host_counters": list(HOST_COUNTERS),
            "program": result.program.meta, "traffic": t is not None,
            "routers_per_chip": t.routers_per_chip if t else 0}
    with open(path, "wb") as f:
        np.savez_compressed(f, __meta__=_json_array(meta), **arrays)


def _header(path, meta):
    """(steps, first step, per_step) from a checked description."""
    from ..runtime import COUNTERS, HOST_COUNTERS
    c = _Checker(path, {})
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("version") not in READS:
        c.fail(f"not an {FORMAT} file of version {' or '.join(map(str, READS))}")
    if meta.get("counters") != list(COUNTERS) or meta.get("host_counters") != list(HOST_COUNTERS):
        c.fail(f"it holds the counters {str(meta.get('counters'))[:200]}; this emulator counts "
               f"{list(COUNTERS)}")
    for key, lo in (("steps", 0), ("first_step", 1), ("routers_per_chip", 0)):
        value = meta.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value < 2**40:
            c.fail(f"{key}={str(value)[:50]} is not an integer in [{lo}, 2^40)")
    per_step = meta.get("per_step", True)
    for key, value in (("per_step", per_step), ("traffic", meta.get("traffic"))):
        if not isinstance(value, bool):
            c.fail(f"{key}={str(value)[:50]} is not true or false")
    if not isinstance(meta.get("program"), dict):
        c.fail("it holds no program description")
    return meta["steps"], meta["first_step"], per_step


def _recordings(c, program, steps):
    """Spikes of every population and the probes the program records, checked."""
    meta = program.meta
    sizes = {p["name"]: p["n"] for p in meta["populations"]}
    spikes = {k[len("spikes/"):]: k for k in c.arrays if k.startswith("spikes/")}
    if set(spikes) != set(sizes):
        c.fail(f"it has spikes of {sorted(spikes)[:20]}; the program's populations are "
               f"{sorted(sizes)[:20]}")
    spikes = {name: c.take(key, (steps, sizes[name]), "signed") for name, key in spikes.items()}
    shapes = {f"{name}.{var}": (steps, sizes[name]) for name, var in meta["probes"]}
    plastic = {p["connection"]: p for p in meta["plastic"]}
    for name, var in meta["connection_probes"]:
        p = plastic[name]
        shapes[f"{name}.{var}"] = {"synapses": (steps, p["n_post"], p["n_pre"]),
                                   "pre": (steps, p["n_pre"]),
                                   "post": (steps, p["n_post"])}[CONNECTION_PROBES[var]]
    probes = {k[len("probes/"):]: k for k in c.arrays if k.startswith("probes/")}
    if set(probes) != set(shapes):
        c.fail(f"it has probes {sorted(probes)[:20]}; the program records {sorted(shapes)[:20]}")
    return spikes, {name: c.take(key, shapes[name], "signed") for name, key in probes.items()}


def _counters(c, program, steps, per_step):
    from ..runtime import COUNTERS, HOST_COUNTERS, Counters
    rows = steps if per_step else 1
    n_sources = sum(i["n"] for i in program.meta["inputs"]) + sum(
        b["stop"] - b["start"] for core in program.meta["cores"] for b in core["blocks"])
    core = c.take("counters/core", (program.n_cores, len(COUNTERS)))
    step = c.take("counters/step", (rows, len(COUNTERS)))
    host = c.take("counters/host", (rows, len(HOST_COUNTERS)))
    source = c.take("counters/source", (n_sources,), hi=steps, optional=True)
    for name, a in (("core", core), ("step", step), ("host", host)):
        if a.size and a.sum(axis=0, dtype=np.float64).max() >= 2**62:
            c.fail(f"counters/{name} adds up beyond 2^62")
    return Counters(core, step, host, source, per_step)


def _traffic(c, program, steps, per_step, meta, links):
    from ..mesh import TRAFFIC_COLUMNS, Traffic
    rows = steps if per_step else 1
    routers = int(np.prod(program.target.router_grid))
    if meta["routers_per_chip"] != routers:
        c.fail(f"routers_per_chip={meta['routers_per_chip']}; the program's target has {routers}")
    longest = MAX_STEP_SECONDS * (1 if per_step else max(steps, 1))
    out = {"traffic_steps": c.take("traffic/steps", (rows, len(TRAFFIC_COLUMNS)), "signed"),
           "time_steps": c.take("traffic/time", (rows, 9), "time", hi=longest)}
    n_links = len(links)
    saved = c.take("traffic/links", (n_links, 4), "signed")
    if not np.array_equal(saved, links):
        c.fail("traffic/links is not the link table of the program's mesh")
    for name, shape in (("link_packets", (n_links,)), ("link_bits", (n_links,)),
                        ("router_packets", (program.target.n_chips * routers,)),
                        ("hop_histogram", (None,))):
        out[name] = c.take(f"traffic/{name}", shape)
    counts = np.delete(out["traffic_steps"], [TRAFFIC_COLUMNS.index("busiest_link"),
                                              TRAFFIC_COLUMNS.index("slowest_core")], axis=1)
    if counts.size and (counts.min() < 0 or counts.max() > MAX_COUNT):
        c.fail(f"traffic/steps holds counts outside [0, {MAX_COUNT}]")
    for column, n in (("busiest_link", n_links), ("slowest_core", program.n_cores)):
        v = out["traffic_steps"][:, TRAFFIC_COLUMNS.index(column)]
        if v.size and (v.min() < -1 or v.max() >= n):
            c.fail(f"traffic/steps column {column} names no link or core of the program")
    totals = c.take("traffic/totals", (9,), "time", hi=MAX_STEP_SECONDS * max(steps, 1),
                    optional=True)
    if totals is not None:
        time = out["time_steps"]
        core_total = time[:, 0:3].sum(axis=0)
        network_most = (time[:, 3:6] + time[:, 6:9]).sum(axis=0)
        slack = 1e-9 * (1 + core_total + network_most)
        if np.any(totals[3:6] > core_total + slack) or np.any(totals[0:3] > network_most + slack) \
                or np.any(totals[6:9] > totals[0:3] + slack):
            c.fail("traffic/totals disagree with traffic/time (a step's longest time beyond "
                   "the run's sum)")
    else:  # version 1 kept every step, and no totals
        if not per_step:
            c.fail("traffic/totals is missing")
        time = out["time_steps"]
        network = np.maximum(time[:, 3:6], time[:, 6:9])
        zero = np.zeros(3)
        totals = np.concatenate([network.sum(axis=0), time[:, 0:3].max(axis=0, initial=0) + zero,
                                 network.max(axis=0, initial=0) + zero])
    out["time_totals"] = totals
    return Traffic(out, links, routers, steps, per_step)


def load_result(path):
    from ..runtime import Result, Simulator
    arrays = read_npz(path, "result")
    meta = read_description(arrays, path, "result")
    steps, first_step, per_step = _header(path, meta)
    program = Program(meta["program"], {k[len("program/"):]: v for k, v in arrays.items()
                                        if k.startswith("program/")})
    # the kernel checks every value and cross-reference of the program's arrays (the
    # metrics and the cost models index them), and gives the mesh's link table
    simulator = Simulator(program, network=meta["traffic"])
    c = _Checker(path, {k: v for k, v in arrays.items() if not k.startswith("program/")})
    known = ("spikes/", "probes/", "counters/", "traffic/")
    unknown = [k for k in c.arrays if not k.startswith(known)]
    if unknown:
        c.fail(f"unexpected arrays {unknown[:5]}")
    spikes, probes = _recordings(c, program, steps)
    counters = _counters(c, program, steps, per_step)
    traffic = _traffic(c, program, steps, per_step, meta, simulator.link_table()) \
        if meta["traffic"] else None
    return Result(program, steps, first_step, spikes, probes, counters, traffic)
