"""Metrics as NeuroBench defines them (Yik et al. 2025, Nature Communications 16:1545;
the neurobench package's docs), computed from a run's counters and its Program.

- Synaptic operations per inference (one "model execution"): `effective_acs`, the
  synapses read for binary spikes (an accumulate each); `effective_macs`, those read for
  graded payloads (a multiply-accumulate each); a dense matrix's stored zeros count, as
  in NeuroBench's count for a dense layer; `dense`, what hardware without sparsity
  would do: every connection's full n_pre x n_post matrix every step, zero weights and
  silent neurons included.
- Activation sparsity: the share of neuron outputs that are zero, over all neurons and
  steps (0: every neuron sends every step; 1: none ever does).
- Connection sparsity: the share of zero weights in the connections' full n_pre x n_post
  matrices, as the chip stores them (after the weight format's rounding, which can turn
  a small weight into 0; weights absent from a sparse matrix count as zero).
- Footprint: bytes the mapped model takes on the target: synaptic memory as the target
  packs it, neuron state and routing-table entries at the target's bytes per neuron and
  per entry (0 where the target states none).
"""
import numpy as np

from .errors import ParameterRangeError


def metrics(result, steps_per_inference=None):
    """NeuroBench-style metrics of a Result: {"synaptic_operations": {"effective_acs",
    "effective_macs", "dense"} per inference, "activation_sparsity",
    "connection_sparsity", "footprint_bytes": {"synapses", "neurons", "routing",
    "total"}, "steps_per_inference", "inferences"}."""
    steps = result.steps
    spi = steps if steps_per_inference is None else steps_per_inference
    if isinstance(spi, bool) or not isinstance(spi, (int, np.integer)) or spi < 1:
        raise ParameterRangeError(f"metrics: steps_per_inference={steps_per_inference!r} must "
                                  "be a positive integer")
    inferences = steps / spi if steps else 0.0
    c = result.counters
    meta = result.program.meta
    per_inference = (lambda n: n / inferences) if inferences else (lambda n: 0.0)
    graded = c["synops_graded"]
    possible = sum(_pre_size(meta, conn["pre"]) * _size(meta, conn["post"])
                   for conn in meta["connections"])
    n_neurons = sum(p["n"] for p in meta["populations"])
    outputs = n_neurons * steps
    return {
        "synaptic_operations": {"effective_acs": per_inference(c["synops"] - graded),
                                "effective_macs": per_inference(graded),
                                "dense": float(possible * spi) if steps else 0.0},
        "activation_sparsity": 1.0 - c["spikes"] / outputs if outputs else 0.0,
        "connection_sparsity": 1.0 - _nonzero_weights(result.program) / possible if possible else 0.0,
        "footprint_bytes": footprint(result.program),
        "steps_per_inference": int(spi),
        "inferences": inferences,
    }


def _size(meta, name):
    return next(p["n"] for p in meta["populations"] if p["name"] == name)


def _pre_size(meta, name):
    sizes = {i["name"]: i["n"] for i in meta["inputs"]}
    return sizes[name] if name in sizes else _size(meta, name)


def _nonzero_weights(program):
    return int(sum(np.count_nonzero(a) for name, a in program.arrays.items()
                   if name.startswith("core") and name.endswith("/weight")))


def footprint(program):
    """{"synapses", "neurons", "routing", "total"} bytes the program takes on its target."""
    target = program.target
    usage = program.meta.get("compile", {}).get("usage", {})
    synapses = int(np.sum(usage.get("synaptic memory bits", 0))) // 8
    neurons = sum(p["n"] for p in program.meta["populations"]) * target.neuron_state_bytes
    entries = int(np.sum(usage.get("input axons", 0))) + int(np.sum(usage.get("output axons", 0)))
    routing = entries * target.axon_entry_bytes
    return {"synapses": synapses, "neurons": neurons, "routing": routing,
            "total": synapses + neurons + routing}
