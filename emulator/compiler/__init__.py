"""The compiler: Network + target -> Program.

Phases: quantize (float parts to the integer formats, when there are any), partition
(populations into core-sized blocks, packed), chips (cores onto chips), synapses (the
synapse groups of every core), routing (input- and output-axon tables), check (exact
resource use; over a limit, partition again with smaller blocks), placement (cores onto
their chip's mesh), multicast tables (SpiNNaker 2: per-chip (key, mask) tables,
compressed and checked), then everything packs into plain arrays.
"""
import contextlib
import time

import numpy as np

from ..errors import InputError, ResourceLimitError, UnknownNameError, UnsupportedFeatureError
from ..learning import TRACES
from ..memory import require_memory
from ..network import MODULATED_TRACES
from ..quantize import quantize
from ..targets import get as get_target
from .chips import assign_chips, core_traffic
from .partition import partition, place_blocks
from .multicast import build_tables, core_pairs, multicast_arrays, neuron_key_bits
from .place import place_chips, place_cores
from .resources import core_usage, limits as resource_limits, violations
from .program import FORMAT, VERSION, Program
from .route import build_axon_tables, narrow_offsets, table_arrays
from .synapses import build_groups


#: Target fields a Program records, so that `Program.target` is the variant compiled for.
SAVED_TARGET_FIELDS = ("n_chips", "cores_per_chip", "payload_bits", "max_input_axons",
                       "max_output_axons", "synapse_memory_bits", "core_memory_bytes",
                       "router_grid", "cores_per_router", "chip_topology", "routing",
                       "routing_entries_per_chip")
#: How often compile re-partitions when an exact check finds a core over a limit.
MAX_ATTEMPTS = 12
#: Bytes compile takes per synapse and per neuron beyond the network, at its peak (the
#: synapse groups, the axon tables and their temporaries; measured about 50 bytes per
#: synapse by benchmarks/bench_compile.py).
COMPILE_SYNAPSE_BYTES = 64
COMPILE_NEURON_BYTES = 256


def _check_features(net, target):
    missing = {p.model.kind for p in net.populations} - set(target.neuron_models)
    if missing:
        pops = [p.name for p in net.populations if p.model.kind in missing]
        raise UnsupportedFeatureError(
            f"target {target.name} has no neuron model {sorted(missing)} (populations "
            f"{pops}); it supports {list(target.neuron_models)}")
    plastic = [c.name for c in net.connections if c.plastic]
    if plastic and not target.learning:
        raise UnsupportedFeatureError(f"target {target.name} has no on-chip learning, but "
                                      f"connections {plastic} are plastic")
    for c in net.connections:
        if c.num_weight_bits > target.weight_bits:
            raise UnsupportedFeatureError(
                f"connection {c.name!r}: num_weight_bits={c.num_weight_bits}, but target "
                f"{target.name} stores at most {target.weight_bits}-bit weights")
        if c.n_synapses and c.delays.max() > target.max_delay:
            raise UnsupportedFeatureError(
                f"connection {c.name!r}: delay {int(c.delays.max())}, but target "
                f"{target.name} delays by at most {target.max_delay} steps")
    if target.graded_spikes:
        return
    graded = [i.name for i in net.inputs if i.graded] + \
             [p.name for p in net.populations if p.graded] + \
             [c.name for c in net.connections if c.graded]
    if graded:
        raise UnsupportedFeatureError(
            f"target {target.name} has binary spikes only, but {graded} use graded spikes "
            "(graded inputs, graded neuron models or num_message_bits > 0); compile for "
            "loihi2 or make them binary")


def _plastic_arrays(prefix, conn, sources):
    """The arrays of one plastic connection's learning engine (csrc/learning.hpp)."""
    rule = conn.rule
    traces = [rule.trace(name, modulated=name in conn.modulators) for name in TRACES]
    out = {f"{prefix}{name}": (rule.rules[name].microcode() if name in rule.rules
                               else np.zeros(0, np.int32)) for name in ("dw", "dd", "dt")}
    out[f"{prefix}impulse_int"] = np.array([t.impulse_int for t in traces], np.int32)
    out[f"{prefix}impulse_frac"] = np.array([t.impulse_frac for t in traces], np.int32)
    out[f"{prefix}decay"] = np.array([t.decay for t in traces], np.float64)
    out[f"{prefix}streams"] = rule.stream_states().ravel()
    out[f"{prefix}pre_source"] = sources[conn.pre.name].astype(np.int32)
    out[f"{prefix}post_source"] = sources[conn.post.name].astype(np.int32)
    for trace in MODULATED_TRACES:
        src = conn.modulators.get(trace)
        out[f"{prefix}modulator_{trace}"] = (
            np.broadcast_to(sources[src.name], (conn.post.n,)).astype(np.int32)
            if src is not None else np.zeros(0, np.int32))
    return out


def compile(net, target="loihi2", max_neurons_per_core=None, rates=None, dt=None,
            progress=None):
    """Map `net` onto `target` (a name or an emulator.targets.Target); returns a Program.

    A network with float parts (float weights, FloatLIF populations) is first converted
    by emulator.quantize(net, target, dt) (dt: the step length in seconds, for time
    constants); the summary then shows what quantization lost.

    max_neurons_per_core: a smaller core size than the target's. rates: expected spike
    rate per population or input name (default 1), weighting the traffic that the
    assignment of cores to chips keeps on chip. progress: None, or a callable(phase
    name) told as each compile phase starts. Raises ResourceLimitError, naming the
    population, the resource, the amount needed, the limit and what to change, when the
    network does not fit.
    """
    from ..network import Network
    if not isinstance(net, Network):
        raise InputError(f"compile: expected an emulator.Network, got {type(net).__name__}")
    clock = _Clock(progress)
    target = get_target(target)
    quantization = None
    if not net.quantized:
        with clock("quantize"):
            quantization = quantize(net, target, dt)
        net = quantization.network
    _check_features(net, target)
    n_synapses = sum(c.n_synapses for c in net.connections)
    n_neurons = sum(p.n for p in net.populations) + sum(i.n for i in net.inputs)
    require_memory(f"compile of {n_synapses} synapses and {n_neurons} neurons",
                   n_synapses * COMPILE_SYNAPSE_BYTES + n_neurons * COMPILE_NEURON_BYTES)
    known = {o.name for o in (*net.inputs, *net.populations)}
    unknown = sorted(set(rates or {}) - known)
    if unknown:
        raise UnknownNameError(f"compile: rates name {unknown}, which are no input or "
                               f"population of this network ({sorted(known)})")
    limit = max_neurons_per_core or target.max_neurons_per_core
    per_core_limits = resource_limits(target, limit)
    capacity = [target.cores_per_chip - sum(1 for c in target.defective_cores
                                            if c // target.cores_per_chip == chip)
                for chip in range(target.n_chips)]
    caps = {}
    for _ in range(MAX_ATTEMPTS):
        with clock("partition"):
            blocks, n_cores = partition(net, target, max_neurons_per_core, caps)
        with clock("chips"):
            traffic = core_traffic(net, blocks, n_cores, rates)
            chips, chip_method = assign_chips(n_cores, traffic, capacity)
            chips, chip_placement = place_chips(chips, traffic, target, capacity)
            order = np.argsort(chips, kind="stable")  # cores numbered chip by chip
            new_index = np.empty(n_cores, np.int64)
            new_index[order] = np.arange(n_cores)
            chips = chips[order]
            traffic = (new_index[traffic[0]], new_index[traffic[1]], traffic[2])
            blocks = place_blocks(blocks, net, new_index)
        with clock("synapses"):
            built = _build(net, blocks, n_cores)
        with clock("routing"):
            axons, out = build_axon_tables(built["groups_per_core"], built["n_sources"])
        with clock("check"):
            usage = core_usage(net, target, blocks, built["groups_per_core"], axons, out[0],
                               built["n_inputs"])
            bad = violations(usage, per_core_limits)
        if not bad:
            break
        caps = _tighten(caps, bad, blocks, net, target)
    else:
        core, resource, need, lim = bad[0]
        names = sorted({p.name for p, pb in zip(net.populations, blocks)
                        for b in pb if b.core == core})
        raise ResourceLimitError(f"compile for {target.name}: core {core} (populations "
                                 f"{names}) still needs {need} {resource}, the limit is {lim}, "
                                 f"after {MAX_ATTEMPTS} attempts. "
                                 + _ADVICE.get(resource, "Use a target with larger cores."))
    arrays, cores, sources = built["arrays"], built["cores"], built["sources"]
    plastic_groups, input_base, placed = built["plastic_groups"], built["input_base"], built["placed"]
    tables, row_axons = table_arrays(axons, out, built["groups_per_core"], n_cores)
    arrays.update(tables)
    for c, rows in enumerate(row_axons):
        if rows:
            cores[c]["axons"] = "rows"
    with clock("placement"):
        slots, placement = place_cores(chips, traffic, target)
    for c in range(n_cores):
        cores[c]["location"] = [int(chips[c]), int(slots[c])]
    multicast = None
    if target.routing == "multicast":
        with clock("multicast tables"):
            tables, sizes = build_tables(core_pairs(out, built["core_base"], built["n_inputs"]),
                                         chips, slots, target)
        arrays.update(multicast_arrays(tables))
        multicast = {"chips": sorted(tables), "entries": {str(k): list(v) for k, v in sizes.items()},
                     "limit": target.routing_entries_per_chip,
                     "key_shift": neuron_key_bits(target)}

    plastic = []
    for conn in (c for c in net.connections if c.plastic):
        k = len(plastic)
        plastic.append({"connection": conn.name, "n_pre": conn.pre.n, "n_post": conn.post.n,
                        "t_epoch": conn.rule.t_epoch, "sign_mode": conn.sign_mode,
                        "n_synapses": conn.n_synapses,
                        "groups": [[c, g, grp.post_start]
                                   for c, g, grp in plastic_groups.get(conn.name, [])]})
        arrays.update(_plastic_arrays(f"plastic{k}/", conn, sources))
        for i, (_, _, grp) in enumerate(plastic_groups.get(conn.name, [])):
            arrays[f"plastic{k}/group{i}/row_pre"] = grp.rows

    meta = {
        "format": FORMAT, "version": VERSION,
        "target": {"name": target.name, "max_neurons_per_core": int(limit),
                   "defective_cores": sorted(target.defective_cores),
                   **{key: getattr(target, key) for key in SAVED_TARGET_FIELDS}},
        "inputs": [{"name": i.name, "n": i.n, "graded": i.graded, "source_base": input_base[i.name]}
                   for i in net.inputs],
        "populations": [{"name": p.name, "n": p.n, "kind": p.model.kind, "graded": p.graded,
                         "state_vars": list(p.model.state_vars),
                         "blocks": placed[p.name]} for p in net.populations],
        "connections": [{"name": c.name, "pre": c.pre.name, "post": c.post.name,
                         "n_synapses": c.n_synapses, "dense": c.dense} for c in net.connections],
        "probes": [list(p) for p in net.probes],
        "plastic": plastic,
        "connection_probes": [list(p) for p in net.connection_probes],
        "cores": cores,
        "compile": {"phases": clock.seconds, "chip_assignment": chip_method,
                    "usage": {name: values.tolist() for name, values in usage.items()},
                    "limits": {name: int(v) for name, v in per_core_limits.items()},
                    "traffic": _traffic_summary(traffic, chips),
                    "placement": {**placement, "chips": chip_placement},
                    "multicast": multicast,
                    "quantization": quantization.to_dict() if quantization else None},
    }
    return Program(meta, arrays, target)


def _build(net, blocks, n_cores):
    """Sources, per-core blocks and synapse groups, and their arrays, for placed blocks."""
    # Sources: inputs first, then every core's compartments in core order.
    input_base, n_inputs = {}, 0
    for inp in net.inputs:
        input_base[inp.name] = n_inputs
        n_inputs += inp.n
    core_n = np.zeros(n_cores, np.int64)
    for pb in blocks:
        for b in pb:
            core_n[b.core] += b.n
    core_base = n_inputs + np.concatenate(([0], np.cumsum(core_n)[:-1]))
    sources = {inp.name: input_base[inp.name] + np.arange(inp.n) for inp in net.inputs}
    for pop, pb in zip(net.populations, blocks):
        ids = np.empty(pop.n, np.int64)
        for b in pb:
            ids[b.start:b.stop] = core_base[b.core] + b.offset + np.arange(b.n)
        sources[pop.name] = ids
    n_sources = n_inputs + int(core_n.sum())

    cores = [{"blocks": [], "groups": []} for _ in range(n_cores)]
    arrays = {}
    placed = {p.name: [] for p in net.populations}  # [core, block index, start, stop]
    for pop, pb in zip(net.populations, blocks):
        for b in pb:
            k = len(cores[b.core]["blocks"])
            if k != b.index:  # a compiler bug, never the user's: also under python -O
                raise RuntimeError(f"internal error: block {b.index} of population "
                                   f"{pop.name!r} lands at place {k} of core {b.core}; "
                                   "please report it")
            placed[pop.name].append([b.core, k, b.start, b.stop])
            cores[b.core]["blocks"].append({"kind": pop.model.kind, "population": pop.name,
                                            "start": b.start, "stop": b.stop,
                                            "params": sorted(pop.params)})
            for name, values in pop.params.items():
                arrays[f"core{b.core}/block{k}/{name}"] = values[b.start:b.stop].astype(np.int32)

    groups_per_core = [[] for _ in range(n_cores)]
    pop_index = {p.name: i for i, p in enumerate(net.populations)}
    plastic_groups = {}  # plastic connection -> [(core, group index, group)]
    for conn in net.connections:
        for g in build_groups(conn, blocks[pop_index[conn.post.name]], sources[conn.pre.name]):
            if conn.plastic:
                plastic_groups.setdefault(conn.name, []).append(
                    (g.core, len(groups_per_core[g.core]), g))
            groups_per_core[g.core].append(g)
    for c, groups in enumerate(groups_per_core):
        for k, g in enumerate(groups):
            cores[c]["groups"].append({"connection": g.connection, "post_base": g.post_base,
                                       "n_post": g.n_post, "n_rows": len(g.sources),
                                       "dense": g.dense, "weight_exp": g.weight_exp,
                                       "graded": g.graded})
            for name in ("post", "weight", "delay"):
                arrays[f"core{c}/group{k}/{name}"] = getattr(g, name)
            # (a group's offsets fit 32 bits: a core holds far fewer synapses)
            arrays[f"core{c}/group{k}/row_ptr"] = narrow_offsets(g.row_ptr, np.int32)
    return {"arrays": arrays, "cores": cores, "groups_per_core": groups_per_core,
            "sources": sources, "n_sources": n_sources, "n_inputs": n_inputs,
            "input_base": input_base, "plastic_groups": plastic_groups, "placed": placed,
            "core_base": core_base}


def _tighten(caps, bad, blocks, net, target):
    """New caps after an exact check found cores over a limit. The population holding
    the most neurons on an over-full core gets blocks smaller by the factor the core is
    over (at least one neuron smaller); if the core packs several blocks, so does the
    number of neurons a core may pack (caps[None]). ResourceLimitError when nothing can
    shrink: one neuron alone on a core is still over."""
    caps = dict(caps)
    shrink = {}  # population name (or None for packing) -> (current size, worst ratio)
    for core, resource, need, lim in bad:
        on_core = [b for pb in blocks for b in pb if b.core == core]
        if len(on_core) == 1 and on_core[0].n == 1:
            name = net.populations[on_core[0].population].name
            raise ResourceLimitError(
                f"population {name!r} does not fit a core of {target.name}: a core with "
                f"one of its neurons needs {need} {resource}, the limit is {lim}. "
                + _ADVICE.get(resource, "Use a target with larger cores."))
        ratio = need / lim
        biggest = max(on_core, key=lambda b: b.n)
        keys = [(net.populations[biggest.population].name, biggest.n)] if biggest.n > 1 else []
        if len(on_core) > 1:
            keys.append((None, sum(b.n for b in on_core)))
        for key, size in keys:
            old = shrink.get(key, (size, 1.0))
            shrink[key] = (max(old[0], size), max(old[1], ratio))
    for key, (size, ratio) in shrink.items():
        size = min(caps.get(key) or size, size)
        caps[key] = max(1, min(size - 1, int(size / ratio * 0.98)))
    return caps


#: What to change when a core is over a limit the split cannot estimate.
_ADVICE = {
    "output axons": "Its neurons send to more cores than one core's output-axon table "
                    "holds: give the populations they feed larger cores (fewer blocks) or "
                    "use a target with more output axons.",
    "input axons": "Split the populations that feed it, or make those connections sparser.",
    "compartment profiles": "Give its neurons fewer distinct parameter sets per core.",
    "synapse formats": "Use fewer distinct weight formats (num_weight_bits, sign_mode, "
                       "delays) into one population.",
    "learning profiles": "Use fewer distinct learning rules into one population.",
}


def _traffic_summary(traffic, chips):
    """Estimated traffic (synapses x rate) between cores on one chip and across chips."""
    src, dst, weight = traffic
    if len(src) == 0:
        return {"intra_chip": 0.0, "inter_chip": 0.0}
    cross = chips[src] != chips[dst]
    return {"intra_chip": float(weight[~cross].sum()), "inter_chip": float(weight[cross].sum())}


class _Clock:
    """Seconds spent in each compile phase (summed over attempts); tells `progress`
    (a callable(phase name), if any) as each phase starts."""

    def __init__(self, progress=None):
        self.seconds = {}
        self.progress = progress

    def __call__(self, phase):
        @contextlib.contextmanager
        def timed():
            if self.progress is not None:
                self.progress(phase)
            t0 = time.perf_counter()
            yield
            self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - t0
        return timed()
