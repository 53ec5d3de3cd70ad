"""Metrics as NeuroBench defines them (Yik et al. 2025, Nature Communications 16:1545;
the neurobench package's docs), computed from a run's activity and its Program.

- Synaptic operations per inference (one "model execution"), from each source's nonzero
  outputs in the run x its fan-out: `effective_acs` for binary spikes (an accumulate
  each) and `effective_macs` for graded payloads (a multiply-accumulate each), counting
  only synapses whose weight, as the chip stores it, is not zero (NeuroBench
  disregards zero activations and zero connections); `dense`, what hardware without
  sparsity would do: every output, zero or not, through every stored synapse, every
  step. The hardware's own count, zero weights of dense matrices included, is the
  `synops` counter.
- Activation sparsity: the share of neuron outputs that are zero, over all neurons and
  steps (0: every neuron sends every step; 1: none ever does).
- Connection sparsity: the share of zero weights in the connections' full n_pre x n_post
  matrices, as the chip stores them (after the weight format's rounding, which can turn
  a small weight into 0; weights a sparse matrix does not store count as zero).
  `weight_sparsity`: the share of zeros among the stored weights alone, which is what
  NeuroBench reports for a convolution's kernel when the network came unrolled from NIR
  (an unrolled convolution stores only the positions its kernel reaches, and `dense`
  counts those).
- Footprint: bytes the mapped model takes on the target: synaptic memory as the target
  packs it, neuron state and routing-table entries at the target's bytes per neuron and
  per entry (0 where the target states none).

Plastic connections count with their compiled (initial) weights.
"""
import numpy as np

from .errors import InputError, ParameterRangeError


def metrics(result, steps_per_inference=None):
    """NeuroBench-style metrics of a Result: {"synaptic_operations": {"effective_acs",
    "effective_macs", "dense"} per inference, "activation_sparsity",
    "connection_sparsity", "weight_sparsity", "footprint_bytes": {"synapses",
    "neurons", "routing", "total"}, "steps_per_inference", "inferences"}."""
    steps = result.steps
    spi = steps if steps_per_inference is None else steps_per_inference
    if not steps:
        raise InputError("metrics: the result has no steps")
    if isinstance(spi, bool) or not isinstance(spi, (int, np.integer)) or spi < 1:
        raise ParameterRangeError(f"metrics: steps_per_inference={steps_per_inference!r} must "
                                  "be a positive integer")
    if result.counters.per_source is None:
        raise InputError("metrics: this result does not record each source's activity")
    inferences = steps / spi
    program, meta = result.program, result.program.meta
    fanout = _fanout(program)
    active = result.counters.per_source
    # a graded connection multiplies its weights by the payload; a binary one adds them
    acs = float(active @ fanout["binary"])
    macs = float(active @ fanout["graded"])
    stored = int(fanout["stored"].sum())
    possible = sum(_size(meta, c["pre"]) * _size(meta, c["post"]) for c in meta["connections"])
    nonzero = int(fanout["binary"].sum() + fanout["graded"].sum())
    n_neurons = sum(p["n"] for p in meta["populations"])
    return {
        "synaptic_operations": {"effective_acs": acs / inferences,
                                "effective_macs": macs / inferences,
                                "dense": float(stored * spi)},
        "activation_sparsity": 1.0 - result.counters["spikes"] / (n_neurons * steps)
        if n_neurons else 0.0,
        "connection_sparsity": 1.0 - nonzero / possible if possible else 0.0,
        "weight_sparsity": 1.0 - nonzero / stored if stored else 0.0,
        "footprint_bytes": footprint(program),
        "steps_per_inference": int(spi),
        "inferences": inferences,
    }


def _size(meta, name):
    sizes = {i["name"]: i["n"] for i in meta["inputs"]}
    sizes.update({p["name"]: p["n"] for p in meta["populations"]})
    return sizes[name]


def _fanout(program):
    """Per source: {"stored": synapses it reaches, "binary" / "graded": those with a
    nonzero weight in binary / graded connections}, following the output-axon table to
    each core's input axons, their synapse rows and the rows' weights."""
    a, meta = program.arrays, program.meta
    src_ptr, dst_core, dst_axon = program.output_axons()
    keys = ("stored", "binary", "graded")
    per_entry = {k: np.zeros(len(dst_core), np.int64) for k in keys}
    for c, core in enumerate(meta["cores"]):
        rows = {k: [] for k in keys}
        for g, group in enumerate(core["groups"]):
            w = a[f"core{c}/group{g}/weight"]
            n_rows = int(group["n_rows"])
            if group["dense"]:
                w = w.reshape(n_rows, int(group["n_post"]))
                stored, nonzero = np.full(n_rows, w.shape[1], np.int64), np.count_nonzero(w, axis=1)
            else:
                ptr = a[f"core{c}/group{g}/row_ptr"].astype(np.int64)
                stored, nonzero = np.diff(ptr), _row_sums(w != 0, ptr)
            rows["stored"].append(stored)
            rows["graded" if group["graded"] else "binary"].append(nonzero)
            rows["binary" if group["graded"] else "graded"].append(np.zeros(n_rows, np.int64))
        if not core["groups"]:
            continue
        axon_ptr, group, row = program.input_axons(c)
        offsets = np.concatenate(([0], np.cumsum([len(r) for r in rows["stored"]])))
        on_core = dst_core == c
        for key in keys:
            per_link = np.concatenate(rows[key])[offsets[group] + row]
            per_entry[key][on_core] = _row_sums(per_link, axon_ptr)[dst_axon[on_core]]
    sender = np.repeat(np.arange(len(src_ptr) - 1), np.diff(src_ptr))
    return {k: np.bincount(sender, weights=v, minlength=len(src_ptr) - 1).astype(np.int64)
            for k, v in per_entry.items()}


def _row_sums(values, ptr):
    """Sums of `values` over the CSR rows [ptr[i], ptr[i + 1])."""
    cumulative = np.concatenate(([0], np.cumsum(values, dtype=np.int64)))
    return cumulative[ptr[1:]] - cumulative[ptr[:-1]]


def footprint(program):
    """{"synapses", "neurons", "routing", "total"} bytes the program takes on its target."""
    target = program.target
    usage = (program.meta.get("compile") or {}).get("usage", {})
    synapses = int(np.sum(usage.get("synaptic memory bits", 0))) // 8
    neurons = sum(p["n"] for p in program.meta["populations"]) * target.neuron_state_bytes
    entries = int(np.sum(usage.get("input axons", 0))) + int(np.sum(usage.get("output axons", 0)))
    routing = entries * target.axon_entry_bytes
    return {"synapses": synapses, "neurons": neurons, "routing": routing,
            "total": synapses + neurons + routing}
