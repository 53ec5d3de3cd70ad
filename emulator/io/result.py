"""A run's Result as one .npz file (no pickles), with the Program it ran, so that
`Result.load(path)` gives everything `emulator.energy.estimate` and `result.metrics()`
need without the network or the simulator.

Contents: "__meta__" (JSON: format, version, steps, first step, counter names, the
program's description), the program's arrays under "program/", spikes under
"spikes/<population>", probes under "probes/<name>", counters under "counters/" (per
core, per step, host per step, columns named in the meta) and the network's traffic
under "traffic/".
"""
import json

import numpy as np

from ..compiler.program import Program
from ..errors import ProgramFormatError
from .npz import read_npz

FORMAT = "emulator-result"
VERSION = 1


def _check_recordings(path, meta, steps, spikes, probes):
    """Spikes of every population and the probes the program records, each (steps, n)."""
    sizes = {p["name"]: p["n"] for p in meta["populations"]}
    if set(spikes) != set(sizes):
        raise ProgramFormatError(f"result file {path!r} has spikes of {sorted(spikes)}; the "
                                 f"program's populations are {sorted(sizes)}")
    expected = {f"{name}.{var}": sizes[name] for name, var in meta["probes"]}
    unknown = set(probes) - set(expected) - {f"{c}.{v}" for c, v in meta["connection_probes"]}
    if unknown:
        raise ProgramFormatError(f"result file {path!r} has probes {sorted(unknown)} the "
                                 "program does not record")
    for name, a in [*((f"spikes/{k}", v) for k, v in spikes.items()),
                    *((f"probes/{k}", v) for k, v in probes.items())]:
        n = sizes[name.split("/", 1)[1]] if name.startswith("spikes/") else \
            expected.get(name.split("/", 1)[1])
        if a.dtype.kind not in "iu" or len(a) != steps or (n is not None and a.shape != (steps, n)):
            raise ProgramFormatError(f"result file {path!r}: {name} is {a.dtype} {a.shape}; "
                                     f"expected integers of {steps} steps")


def _json_array(obj):
    return np.frombuffer(json.dumps(obj).encode(), dtype=np.uint8)


def save_result(result, path):
    from ..mesh import TRAFFIC_COLUMNS
    from ..runtime import COUNTERS, HOST_COUNTERS
    c = result.counters
    arrays = {f"program/{k}": v for k, v in result.program.arrays.items()}
    arrays.update({f"spikes/{name}": result.spikes[name] for name in result.spikes})
    arrays.update({f"probes/{name}": v for name, v in result.probes.items()})
    arrays["counters/core"] = np.stack([c.per_core[n] for n in COUNTERS], axis=1)
    arrays["counters/step"] = np.stack([c.per_step[n] for n in COUNTERS], axis=1)
    arrays["counters/host"] = np.stack([c.host_per_step[n] for n in HOST_COUNTERS], axis=1)
    if c.per_source is not None:
        arrays["counters/source"] = c.per_source
    t = result.traffic
    if t is not None:
        arrays["traffic/steps"] = np.stack([t.per_step[n] for n in TRAFFIC_COLUMNS], axis=1)
        arrays["traffic/time"] = np.concatenate([t.core_time, t.latency, t.serialisation], axis=1)
        for name in ("links", "link_packets", "link_bits", "router_packets", "hop_histogram"):
            arrays[f"traffic/{name}"] = getattr(t, name)
    meta = {"format": FORMAT, "version": VERSION, "steps": result.steps,
            "first_step": result.first_step, "counters": list(COUNTERS),
            "host_counters": list(HOST_COUNTERS), "program": result.program.meta,
            "traffic": t is not None, "routers_per_chip": t.routers_per_chip if t else 0}
    with open(path, "wb") as f:
        np.savez_compressed(f, __meta__=_json_array(meta), **arrays)


def load_result(path):
    from ..mesh import Traffic
    from ..runtime import COUNTERS, HOST_COUNTERS, Counters, Result
    arrays = read_npz(path, "result")
    try:
        meta = json.loads(arrays.pop("__meta__").tobytes().decode())
    except (KeyError, ValueError, UnicodeDecodeError, AttributeError) as e:
        raise ProgramFormatError(f"result file {path!r} has no readable description") from e
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise ProgramFormatError(f"result file {path!r}: not an {FORMAT} version {VERSION} file")
    if meta.get("counters") != list(COUNTERS) or meta.get("host_counters") != list(HOST_COUNTERS):
        raise ProgramFormatError(f"result file {path!r} holds the counters "
                                 f"{meta.get('counters')}; this emulator counts {list(COUNTERS)}")
    try:
        steps, first_step = int(meta["steps"]), int(meta["first_step"])
        if steps < 0 or first_step < 1:
            raise ProgramFormatError(f"result file {path!r}: steps={steps}, first step "
                                     f"{first_step}")
        program = Program(meta["program"], {k[len("program/"):]: v for k, v in arrays.items()
                                            if k.startswith("program/")})
        spikes = {k[len("spikes/"):]: v for k, v in arrays.items() if k.startswith("spikes/")}
        probes = {k[len("probes/"):]: v for k, v in arrays.items() if k.startswith("probes/")}
        _check_recordings(path, program.meta, steps, spikes, probes)
        core, step, host = (arrays[f"counters/{k}"] for k in ("core", "step", "host"))
        if core.shape != (program.n_cores, len(COUNTERS)) or step.shape != (steps, len(COUNTERS)) \
                or host.shape != (steps, len(HOST_COUNTERS)):
            raise ProgramFormatError(f"result file {path!r}: counter arrays do not fit "
                                     f"{program.n_cores} cores and {steps} steps")
        source = arrays.get("counters/source")
        n_sources = sum(i["n"] for i in program.meta["inputs"]) + sum(
            b["stop"] - b["start"] for core in program.meta["cores"] for b in core["blocks"])
        for name, a in (("core", core), ("step", step), ("host", host), ("source", source)):
            if a is not None and a.dtype.kind not in "iu":
                raise ProgramFormatError(f"result file {path!r}: counters/{name} is {a.dtype}; "
                                         "expected integers")
        if source is not None and source.shape != (n_sources,):
            raise ProgramFormatError(f"result file {path!r}: counters/source has shape "
                                     f"{source.shape}; the program has {n_sources} sources")
        counters = Counters(core, step, host, source)
        traffic = None
        if meta["traffic"]:
            time = arrays["traffic/time"]
            out = {"traffic_steps": arrays["traffic/steps"], "time_steps": time,
                   **{k: arrays[f"traffic/{k}"] for k in
                      ("link_packets", "link_bits", "router_packets", "hop_histogram")}}
            if time.shape != (steps, 9) or out["traffic_steps"].shape[0] != steps:
                raise ProgramFormatError(f"result file {path!r}: traffic arrays do not fit "
                                         f"{steps} steps")
            links = arrays["traffic/links"]
            n_links = len(links)
            if links.shape != (n_links, 4) or any(
                    out[k].shape != (n_links,) for k in ("link_packets", "link_bits")) or \
                    out["traffic_steps"].ndim != 2 or out["router_packets"].ndim != 1:
                raise ProgramFormatError(f"result file {path!r}: the traffic arrays disagree "
                                         "in shape")
            traffic = Traffic(out, links, int(meta["routers_per_chip"]))
    except ProgramFormatError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise ProgramFormatError(f"result file {path!r} is malformed ({e!r})") from e
    return Result(program, steps, first_step, spikes, probes, counters, traffic)
