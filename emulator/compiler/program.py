"""The Program: what the compiler hands the kernel. Plain numpy arrays plus a small JSON
description, saved to and loaded from one .npz file.

Arrays are named by where they live: `core3/block0/du`, `core3/group1/weight`,
`core3/axon_ptr`, `out/src_ptr`. The description (`meta`) says what each core holds and
how populations and inputs map onto sources, cores and blocks.
"""
import json

import numpy as np

from ..errors import EmulatorError, ProgramFormatError
from ..network import CONNECTION_PROBES, SIGN_MODES
from ..neurons import MODELS
from .program_schema import check_description

FORMAT = "emulator-program"
# 2: plastic connections and their probes; 3: tables left out where they follow from the
# rest (cores whose axons are their rows in source order: no input-axon table, and
# out/dst_axon holds only the other cores' axons, core by core), offsets as int32 and
# destination cores as int16 where they fit. Version 2 files still load.
VERSION = 3
READS = (2, 3)

# dtype of every array, by the last part of its name (the kernel takes exactly these;
# NARROW lists the smaller ones it also takes).
DTYPES = {**{name: np.int32 for name in (
              "du", "dv", "vth", "bias_mant", "bias_exp",               # LIF
              "bias", "relu", "cum_error", "corrected", "state_exp",    # sigma-delta
              "input_exp",                                              # delta encoder
              "sin_d", "cos_d", "decay_bits", "iz")},                   # resonator
          **{name: np.int32 for name in (                                # learning
              "dw", "dd", "dt", "impulse_int", "impulse_frac", "pre_source", "post_source",
              "modulator_y2", "modulator_y3", "row_pre")},
          "decay": np.float64, "streams": np.uint64,
          "row_ptr": np.int64, "post": np.uint16, "weight": np.int16,
          "delay": np.uint8, "axon_ptr": np.int64, "axon_group": np.int32,
          "axon_row": np.int32, "src_ptr": np.int64, "dst_core": np.int32,
          "dst_axon": np.int32,
          # multicast tables (SpiNNaker 2), per chip
          "value": np.int64, "mask": np.int64, "links": np.uint8, "core_ptr": np.int64,
          "core_slot": np.int16}
NARROW = {"row_ptr": np.int32, "axon_ptr": np.int32, "dst_core": np.int16}


class Program:
    """A compiled network: `meta` (JSON-able dict) and `arrays` ({name: ndarray})."""

    def __init__(self, meta, arrays, target=None):
        self.meta = meta
        self.arrays = arrays
        self._target = target
        self._check()

    # -- what is in it -------------------------------------------------------------
    @property
    def n_cores(self):
        return len(self.meta["cores"])

    @property
    def target(self):
        """The Target compiled for: the very object given to compile (its cost figures
        included), or, for a loaded program, the named target with the saved limits (cost
        figures are the target module's)."""
        limit = self.meta["target"]["max_neurons_per_core"]
        if self._target is not None:
            if self._target.max_neurons_per_core != limit:
                self._target = self._target.derive(max_neurons_per_core=limit)
            return self._target
        from ..targets import get
        t = dict(self.meta["target"])
        if "router_grid" in t:  # JSON keeps tuples as lists
            t["router_grid"] = tuple(t["router_grid"])
        return get(t.pop("name")).derive(**t)

    def summary(self, file=None, max_cores=64):
        """Print (and return) the mapping: cores and chips used, every core's use of every
        resource (with the share of its limit), the estimated traffic on and between
        chips, the plastic connections, what quantization lost and the time of each
        compile phase. max_cores: how many cores get a line of their own (None: all);
        the highest use of each limit is always over all cores."""
        t, report = self.meta["target"], self.meta.get("compile") or {}
        usage, limits = report.get("usage", {}), report.get("limits", {})
        chips = [core.get("location", [0, c])[0] for c, core in enumerate(self.meta["cores"])]
        per_chip = {chip: chips.count(chip) for chip in sorted(set(chips))}
        lines = [f"Program for {t['name']}: {self.n_cores} cores used of {self.target.n_cores} "
                 f"on {t['n_chips']} chip(s) (cores per chip used: {per_chip}); at most "
                 f"{t['max_neurons_per_core']} neurons per core"]
        if report:
            phases = ", ".join(f"{k} {v:.3f} s" for k, v in report["phases"].items())
            lines.append(f"compile: {phases} (total {sum(report['phases'].values()):.3f} s); "
                         f"chips assigned by {report['chip_assignment']}")
            traffic = report["traffic"]
            total = traffic["intra_chip"] + traffic["inter_chip"]
            share = traffic["inter_chip"] / total if total else 0.0
            lines.append(f"traffic between cores (synapses x rate): {traffic['intra_chip']:.6g} "
                         f"on chip, {traffic['inter_chip']:.6g} across chips ({share:.1%})")
            if report.get("multicast"):
                entries = report["multicast"]["entries"]
                worst = max(entries.items(), key=lambda kv: kv[1][1], default=(None, [0, 0]))
                lines.append(
                    f"multicast tables: {sum(v[1] for v in entries.values())} entries on "
                    f"{len(entries)} chip(s) after compression ({sum(v[0] for v in entries.values())} "
                    f"before); fullest chip {worst[0]}: {worst[1][1]} entries"
                    + (f" of {report['multicast']['limit']} "
                       f"({worst[1][1] / report['multicast']['limit']:.1%})"
                       if report["multicast"]["limit"] else ""))
            if "placement" in report:
                place = report["placement"]
                lines.append(f"placement on the mesh: hop-weighted on-chip traffic "
                             f"{place['hop_traffic']:.6g} (filling slots in order: "
                             f"{place['in_order']:.6g})")
                if "chips" in place and report["traffic"]["inter_chip"]:
                    lines.append(f"chips on the chip grid: hop-weighted inter-chip traffic "
                                 f"{place['chips']['chip_hop_traffic']:.6g} (chips in "
                                 f"METIS's order: {place['chips']['in_order']:.6g})")
        names = list(usage)
        short = {"neurons": "neurons", "input axons": "in-axons", "output axons": "out-axons",
                 "synaptic memory bits": "syn-bits", "core memory bytes": "mem-bytes",
                 "compartment profiles": "profiles", "synapse formats": "formats",
                 "learning profiles": "learning"}
        lines.append(f"{'core':>5} {'chip:slot':>9} " +
                     " ".join(f"{short.get(n, n):>14}" for n in names) + "  populations")
        shown = self.meta["cores"] if max_cores is None else self.meta["cores"][:max_cores]
        for c, core in enumerate(shown):
            chip, slot = core.get("location", [0, c])
            cells = []
            for n in names:
                used = usage[n][c]
                cells.append(f"{used} ({used / limits[n]:.0%})" if n in limits else str(used))
            pops = ", ".join(f"{b['population']}[{b['start']}:{b['stop']}]" for b in core["blocks"])
            lines.append(f"{c:>5} {f'{chip}:{slot}':>9} " + " ".join(f"{x:>14}" for x in cells)
                         + f"  {pops}")
        if len(shown) < self.n_cores:
            lines.append(f"... {self.n_cores - len(shown)} more cores "
                         "(summary(max_cores=None) lists every core)")
        if usage:
            worst = ", ".join(f"{n} {max(usage[n]) / limits[n]:.0%}" for n in names
                              if n in limits and usage[n])
            lines.append(f"highest use of a limit on any core: {worst}")
        for k, p in enumerate(self.meta["plastic"]):
            rules = [r for r in ("dw", "dd", "dt") if self.arrays[f"plastic{k}/{r}"].size]
            cores = sorted({core for core, _, _ in p["groups"]})
            lines.append(f"plastic {p['connection']!r}: {p['n_synapses']} synapses on cores "
                         f"{cores}, rules {', '.join(rules)}, t_epoch {p['t_epoch']}")
        if report.get("quantization"):
            from ..quantize import format_table
            lines.append(f"quantization (dt {report['quantization']['dt']}):")
            lines += ["  " + row for row in format_table(report["quantization"]).splitlines()]
        text = "\n".join(lines)
        print(text, file=file)
        return text

    # -- the routing tables ----------------------------------------------------------
    def input_axons(self, c):
        """Core c's input-axon table (axon_ptr int64, axon_group int32, axon_row int32):
        axon a reaches the (group, row) pairs [axon_ptr[a], axon_ptr[a + 1]). Built here
        for a core that stores none (its axons are its rows, in group order)."""
        core = self.meta["cores"][c]
        if core.get("axons") == "rows":
            n_rows = [int(g["n_rows"]) for g in core["groups"]]
            group = np.repeat(np.arange(len(n_rows), dtype=np.int32), n_rows)
            row = np.concatenate([np.arange(n, dtype=np.int32) for n in n_rows] or [np.zeros(0, np.int32)])
            return np.arange(len(row) + 1, dtype=np.int64), group, row
        a = self.arrays
        return a[f"core{c}/axon_ptr"].astype(np.int64), a[f"core{c}/axon_group"], a[f"core{c}/axon_row"]

    @property
    def axons_by_core(self):
        """Whether out/dst_axon holds only the axons of cores without row axons, core by
        core (version 3), rather than one per message (version 2)."""
        return self.meta["version"] >= 3

    def output_axons(self):
        """The output-axon table (src_ptr int64, dst_core int32, dst_axon int32): source s
        sends a message to core dst_core[e] on its axon dst_axon[e] for e in
        [src_ptr[s], src_ptr[s + 1]). Numbered here where the file leaves the axons out
        (a core with row axons numbers them by sender: its k-th message, in source
        order, arrives on axon k)."""
        a = self.arrays
        src_ptr, dst_core, stored = a["out/src_ptr"], a["out/dst_core"].astype(np.int32), a["out/dst_axon"]
        if not self.axons_by_core:
            return src_ptr, dst_core, stored
        order = np.argsort(dst_core, kind="stable")  # messages core by core, in source order
        first = np.concatenate(([0], np.cumsum(np.bincount(dst_core, minlength=self.n_cores))))
        dst_axon = np.empty(len(dst_core), np.int32)
        dst_axon[order] = np.arange(len(dst_core)) - first[dst_core[order]]
        rows = np.array([core.get("axons") == "rows" for core in self.meta["cores"]], bool)
        table = order[~rows[dst_core[order]]]
        if len(table) != len(stored):
            raise ProgramFormatError(f"program: out/dst_axon has {len(stored)} axons; the "
                                     f"cores without row axons receive {len(table)} messages")
        dst_axon[table] = stored
        return src_ptr, dst_core, dst_axon

    # -- files ---------------------------------------------------------------------
    def save(self, path):
        """Write the program to one .npz file (no pickles)."""
        meta = np.frombuffer(json.dumps(self.meta).encode(), dtype=np.uint8)
        with open(path, "wb") as f:
            np.savez(f, __meta__=meta, **self.arrays)

    @classmethod
    def load(cls, path):
        """Read a program written by save(). A damaged or malformed file raises
        ProgramFormatError naming what is wrong (emulator.io.npz reads it safely); the
        kernel checks the arrays' values when a Simulator loads it (or validate())."""
        from ..io.npz import read_description, read_npz
        arrays = read_npz(path, "program", ProgramFormatError)
        meta = read_description(arrays, path, "program", ProgramFormatError)
        return cls(meta, arrays)

    # -- validation ----------------------------------------------------------------
    def _check_placement(self):
        """Inputs, populations, their blocks on the cores and the probes agree with each
        other, so that the runtime's source and spike maps cannot be built wrong."""
        m, where = self.meta, "program"

        def count(value, what, lo=0):
            if isinstance(value, bool) or not isinstance(value, int) or value < lo:
                raise ProgramFormatError(f"{where}: {what}={value!r} must be an integer >= {lo}")
            return value

        t = m["target"]
        for c, core in enumerate(m["cores"]):
            if "location" in core:  # [chip, slot] of the target's chips
                loc = core["location"]
                if not isinstance(loc, list) or len(loc) != 2:
                    raise ProgramFormatError(f"{where}: core {c} location={loc!r}; expected "
                                             "[chip, slot]")
                if count(loc[0], f"core {c} chip") >= t["n_chips"] or \
                        count(loc[1], f"core {c} slot") >= t["cores_per_chip"]:
                    raise ProgramFormatError(
                        f"{where}: core {c} location={loc!r} is outside {t['n_chips']} chips of "
                        f"{t['cores_per_chip']} cores")
        multicast = (m.get("compile") or {}).get("multicast") or {}
        if "key_shift" in multicast and not 0 <= count(multicast["key_shift"], "key_shift") <= 31:
            raise ProgramFormatError(f"{where}: key_shift={multicast['key_shift']!r} is outside "
                                     "[0, 31]")
        base = 0
        for i in m["inputs"]:
            count(i["n"], f"input {i['name']!r} n", 1)
            if not isinstance(i["graded"], bool) or i["source_base"] != base:
                raise ProgramFormatError(f"{where}: input {i['name']!r} has graded="
                                         f"{i['graded']!r}, source_base={i['source_base']!r}; "
                                         f"expected a bool and {base}")
            base += i["n"]
        pops = {}
        for p in m["populations"]:
            count(p["n"], f"population {p['name']!r} n", 1)
            if p["name"] in pops or p["kind"] not in MODELS:
                raise ProgramFormatError(f"{where}: population {p['name']!r} is listed twice "
                                         f"or has unknown model {p['kind']!r}")
            pops[p["name"]] = p
            covered = 0
            for core, block, start, stop in sorted(p["blocks"], key=lambda b: b[2]):
                if core >= len(m["cores"]) or block >= len(m["cores"][core]["blocks"]):
                    raise ProgramFormatError(f"{where}: population {p['name']!r} places neurons "
                                             f"on core {core} block {block}, which does not exist")
                b = m["cores"][core]["blocks"][block]
                if (b["population"], b["start"], b["stop"], b["kind"]) != \
                        (p["name"], start, stop, p["kind"]) or start != covered or stop <= start:
                    raise ProgramFormatError(
                        f"{where}: population {p['name']!r} places neurons [{start}, {stop}) "
                        f"on core {core} block {block}, which holds {b['population']!r} "
                        f"[{b['start']}, {b['stop']}) ({b['kind']}), or leaves a gap")
                covered = stop
            if covered != p["n"]:
                raise ProgramFormatError(f"{where}: population {p['name']!r} places "
                                         f"{covered} of its {p['n']} neurons")
        for c, core in enumerate(m["cores"]):
            for b, block in enumerate(core["blocks"]):
                p = pops.get(block["population"])
                if p is None or [c, b, block["start"], block["stop"]] not in \
                        [list(x) for x in p["blocks"]]:
                    raise ProgramFormatError(f"{where}: core {c} block {b} belongs to no "
                                             f"population's placement")
        for name, var in m["probes"]:
            if name not in pops or (var != "spikes" and
                                    var not in MODELS[pops[name]["kind"]].state_vars):
                raise ProgramFormatError(f"{where}: probe {name}.{var} names no population "
                                         "variable")
        self._check_connections(pops)
        plastic = self._check_plastic(pops, count)
        for name, var in m["connection_probes"]:
            if name not in plastic or var not in CONNECTION_PROBES:
                raise ProgramFormatError(f"{where}: probe {name}.{var} names no plastic "
                                         "connection variable")


    def _check_connections(self, pops):
        """Names are unique; connections join an input or population to a population;
        every synapse group belongs to a connection (the metrics read all three)."""
        m, where = self.meta, "program"
        sources = [i["name"] for i in m["inputs"]] + list(pops)
        if len(set(sources)) != len(sources):
            raise ProgramFormatError(f"{where}: inputs and populations {sources[:20]} repeat a "
                                     "name")
        connections = set()
        for c in m["connections"]:
            if c["name"] in connections or c["name"] in sources or c["pre"] not in sources \
                    or c["post"] not in pops:
                raise ProgramFormatError(
                    f"{where}: connection {c['name']!r} from {c['pre']!r} to {c['post']!r} "
                    "repeats a name or joins no input or population to a population")
            connections.add(c["name"])
        for k, core in enumerate(m["cores"]):
            for g, group in enumerate(core["groups"]):
                if group["connection"] not in connections:
                    raise ProgramFormatError(f"{where}: core {k} group {g} belongs to "
                                             f"connection {group['connection']!r}, which the "
                                             "program does not have")

    def _check_plastic(self, pops, count):
        """Each plastic connection names a connection of the program, with its sizes, and
        claims exactly the synapse groups that hold that connection. Returns their names."""
        m, where = self.meta, "program"
        sizes = {**{i["name"]: i["n"] for i in m["inputs"]},
                 **{name: p["n"] for name, p in pops.items()}}
        connections = {c["name"]: c for c in m["connections"]}
        names = set()
        for p in m["plastic"]:
            name = p["connection"]
            c = connections.get(name)
            if c is None or name in names:
                raise ProgramFormatError(f"{where}: plastic connection {name!r} is listed twice "
                                         "or names no connection")
            names.add(name)
            for key in ("n_pre", "n_post", "t_epoch"):
                count(p[key], f"plastic connection {name!r} {key}", 1)
            count(p["n_synapses"], f"plastic connection {name!r} n_synapses")
            if (p["n_pre"], p["n_post"], p["n_synapses"]) != \
                    (sizes.get(c["pre"]), sizes.get(c["post"]), c["n_synapses"]) \
                    or p["sign_mode"] not in SIGN_MODES:
                raise ProgramFormatError(
                    f"{where}: plastic connection {name!r} has n_pre={p['n_pre']!r}, "
                    f"n_post={p['n_post']!r}, n_synapses={p['n_synapses']!r}, sign_mode="
                    f"{p['sign_mode']!r}, which disagree with the connection")
            held = {(ci, gi) for ci, core in enumerate(m["cores"])
                    for gi, g in enumerate(core["groups"]) if g["connection"] == name}
            claimed = [(count(ci, "core"), count(gi, "group"))
                       for ci, gi, start in p["groups"] if count(start, "post_start") >= 0]
            if sorted(claimed) != sorted(held):
                raise ProgramFormatError(f"{where}: plastic connection {name!r} claims synapse "
                                         f"groups {claimed}; the cores hold {sorted(held)}")
        return names

    def _check(self):
        """Structure and dtypes; the kernel checks values and cross-references on load
        (validate() runs it)."""
        m = self.meta
        where = "program"
        if not isinstance(m, dict) or m.get("format") != FORMAT:
            raise ProgramFormatError(f"{where}: not an {FORMAT} description")
        if m.get("version") not in READS:
            raise ProgramFormatError(f"{where}: format version {m.get('version')!r}; this "
                                     f"emulator reads versions {', '.join(map(str, READS))}")
        check_description(m, where)
        if not isinstance(self.arrays, dict) or not all(
                isinstance(k, str) and isinstance(v, np.ndarray) for k, v in self.arrays.items()):
            raise ProgramFormatError(f"{where}: arrays must be a dict of names to numpy arrays")
        self._check_target()
        self._check_report()
        needed = {"out/src_ptr", "out/dst_core", "out/dst_axon"}
        for c, core in enumerate(m["cores"]):
            if core.get("axons") != "rows":
                needed |= {f"core{c}/axon_ptr", f"core{c}/axon_group", f"core{c}/axon_row"}
            for b, block in enumerate(core["blocks"]):
                if block["kind"] not in MODELS:
                    raise ProgramFormatError(f"{where}: core {c} block {b} has unknown "
                                             f"neuron model {block['kind']!r}")
                needed |= {f"core{c}/block{b}/{p}" for p in block["params"]}
            for g in range(len(core["groups"])):
                needed |= {f"core{c}/group{g}/{p}" for p in ("row_ptr", "post", "weight", "delay")}
        for k, p in enumerate(m["plastic"]):
            needed |= {f"plastic{k}/{name}" for name in (
                "dw", "dd", "dt", "impulse_int", "impulse_frac", "decay", "streams",
                "pre_source", "post_source", "modulator_y2", "modulator_y3")}
            needed |= {f"plastic{k}/group{g}/row_pre" for g in range(len(p["groups"]))}
        for chip in ((m.get("compile") or {}).get("multicast") or {}).get("chips", []):
            needed |= {f"multicast/chip{chip}/{name}" for name in (
                "value", "mask", "links", "core_ptr", "core_slot")}
        self._check_placement()
        missing = needed - set(self.arrays)
        if missing:
            raise ProgramFormatError(f"{where}: missing arrays {sorted(missing)[:5]}")
        for name, a in self.arrays.items():
            kind = name.rsplit("/", 1)[-1]
            want = DTYPES.get(kind)
            if want is None:
                raise ProgramFormatError(f"{where}: unexpected array {name!r}")
            if a.dtype not in (want, NARROW.get(kind, want)) or a.ndim != 1:
                raise ProgramFormatError(f"{where}: array {name!r} is {a.dtype} with "
                                         f"{a.ndim} dimensions; expected 1-D {np.dtype(want)}"
                                         + (f" or {np.dtype(NARROW[kind])}" if kind in NARROW else ""))

    def _check_target(self):
        """The saved target names a known target and its limits derive from it."""
        from ..targets import available
        t = self.meta["target"]
        if t["name"] not in available():
            raise ProgramFormatError(f"program: target {t['name']!r} is unknown; this emulator "
                                     f"has {list(available())}")
        try:
            self.target  # noqa: B018 -- derives the saved variant, checking its limits
        except EmulatorError as e:
            raise ProgramFormatError(f"program: the saved target does not derive from "
                                     f"{t['name']!r}: {e}") from e

    def _check_report(self):
        """The compile report's per-core lists cover every core (summary reads them)."""
        report = self.meta.get("compile") or {}
        for name, used in report.get("usage", {}).items():
            if len(used) != self.n_cores:
                raise ProgramFormatError(f"program: compile report usage[{name!r}] has "
                                         f"{len(used)} values for {self.n_cores} cores")
        unknown = set(report.get("limits", {})) - set(report.get("usage", {}))
        if unknown:
            raise ProgramFormatError(f"program: compile report limits {sorted(unknown)} have "
                                     "no usage")

    def validate(self):
        """Load the program into the kernel once, which checks every value and every
        cross-reference of its arrays (what Simulator does before a run); raises
        ProgramFormatError. Result.load runs it, since the cost models and metrics read
        the arrays of a result's program without a simulator."""
        from ..runtime import Simulator
        Simulator(self)
