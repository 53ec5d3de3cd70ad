"""The counters' definition, message by message: what every spike costs each core when
its messages are walked one at a time through the Program's tables (output axons, then
input axons, then synapse rows). The kernel counts from per-source tables built at load;
tests/test_source_costs.py holds it to this."""
import numpy as np


def source_spikes(program, result, inputs):
    """(steps, n_sources) payloads of every source (0 = none), inputs first, then each
    core's compartments in core order."""
    cols = [np.asarray(inputs[i["name"]]).reshape(result.steps, i["n"])
            for i in program.meta["inputs"]]
    for core in program.meta["cores"]:
        for block in core["blocks"]:
            cols.append(result.spikes[block["population"]][:, block["start"]:block["stop"]])
    return np.concatenate(cols, axis=1) if cols else np.zeros((result.steps, 0))


def message_counts(program, spikes):
    """Per step and core, from spikes (steps, n_sources): synapses read, those read
    from dense groups, those weighted by a graded payload, messages received, and
    messages sent (by the core's neurons); and per step the messages the host sent."""
    arr, cores = program.arrays, program.meta["cores"]
    src_ptr, dst_core, dst_axon = program.output_axons()
    axons = [program.input_axons(c) for c in range(len(cores))]
    n_in = sum(i["n"] for i in program.meta["inputs"])
    core_of = np.concatenate([[-1] * n_in] + [
        [c] * sum(b["stop"] - b["start"] for b in core["blocks"]) for c, core in enumerate(cores)])

    def row_length(c, g, r):
        group = cores[c]["groups"][g]
        if group["dense"]:
            return group["n_post"]
        row_ptr = arr[f"core{c}/group{g}/row_ptr"]
        return int(row_ptr[r + 1] - row_ptr[r])

    steps = spikes.shape[0]
    keys = ("synops", "synops_dense", "synops_graded", "messages_in", "messages")
    out = {k: np.zeros((steps, len(cores)), np.int64) for k in keys}
    host = np.zeros(steps, np.int64)
    for t in range(steps):
        for s in np.flatnonzero(spikes[t]):
            fanout = int(src_ptr[s + 1] - src_ptr[s])
            if core_of[s] < 0:
                host[t] += fanout
            else:
                out["messages"][t, core_of[s]] += fanout
            for e in range(src_ptr[s], src_ptr[s + 1]):
                c, a = int(dst_core[e]), int(dst_axon[e])
                out["messages_in"][t, c] += 1
                axon_ptr, axon_group, axon_row = axons[c]
                for k in range(axon_ptr[a], axon_ptr[a + 1]):
                    g, r = int(axon_group[k]), int(axon_row[k])
                    n = row_length(c, g, r)
                    out["synops"][t, c] += n
                    out["synops_dense"][t, c] += n * cores[c]["groups"][g]["dense"]
                    out["synops_graded"][t, c] += n * cores[c]["groups"][g]["graded"]
    return out, host
