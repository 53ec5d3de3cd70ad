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
import zipfile

import numpy as np

from ..compiler.program import Program
from ..errors import ProgramFormatError

FORMAT = "emulator-result"
VERSION = 1


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
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise ProgramFormatError(f"result file {path!r} is not a readable result: {e}") from e
    try:
        meta = json.loads(arrays.pop("__meta__").tobytes().decode())
    except (KeyError, ValueError, UnicodeDecodeError) as e:
        raise ProgramFormatError(f"result file {path!r} has no readable description") from e
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise ProgramFormatError(f"result file {path!r}: not an {FORMAT} version {VERSION} file")
    if meta.get("counters") != list(COUNTERS) or meta.get("host_counters") != list(HOST_COUNTERS):
        raise ProgramFormatError(f"result file {path!r} holds the counters "
                                 f"{meta.get('counters')}; this emulator counts {list(COUNTERS)}")
    try:
        steps = int(meta["steps"])
        program = Program(meta["program"], {k[len("program/"):]: v for k, v in arrays.items()
                                            if k.startswith("program/")})
        spikes = {k[len("spikes/"):]: v for k, v in arrays.items() if k.startswith("spikes/")}
        probes = {k[len("probes/"):]: v for k, v in arrays.items() if k.startswith("probes/")}
        core, step, host = (arrays[f"counters/{k}"] for k in ("core", "step", "host"))
        if core.shape != (program.n_cores, len(COUNTERS)) or step.shape != (steps, len(COUNTERS)) \
                or host.shape != (steps, len(HOST_COUNTERS)):
            raise ProgramFormatError(f"result file {path!r}: counter arrays do not fit "
                                     f"{program.n_cores} cores and {steps} steps")
        counters = Counters(core, step, host)
        traffic = None
        if meta["traffic"]:
            time = arrays["traffic/time"]
            out = {"traffic_steps": arrays["traffic/steps"], "time_steps": time,
                   **{k: arrays[f"traffic/{k}"] for k in
                      ("link_packets", "link_bits", "router_packets", "hop_histogram")}}
            if time.shape != (steps, 9) or out["traffic_steps"].shape[0] != steps:
                raise ProgramFormatError(f"result file {path!r}: traffic arrays do not fit "
                                         f"{steps} steps")
            traffic = Traffic(out, arrays["traffic/links"], int(meta["routers_per_chip"]))
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise ProgramFormatError(f"result file {path!r} is malformed ({e!r})") from e
    return Result(program, steps, int(meta["first_step"]), spikes, probes, counters, traffic)
