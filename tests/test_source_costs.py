"""The kernel counts a spike's messages from per-source tables built at load, apart from
delivering its synapses; its counters must equal the definition, message by message
(tests/message_counts.py), per step and per core, on drawn networks and mappings."""
import numpy as np
from hypothesis import given, strategies as st

import emulator
from emulator.testing.strategies import MODEL_STRATEGIES, network_cases

from message_counts import message_counts, source_spikes

TARGETS = {
    "loihi2": lambda: emulator.targets.loihi2(),
    "loihi1": lambda: emulator.targets.loihi1(),
    "spinnaker2 on 3 chips": lambda: emulator.targets.spinnaker2(n_chips=3, cores_per_chip=12),
}


@given(data=st.data())
def test_counters_equal_the_message_by_message_definition(data):
    name = data.draw(st.sampled_from(sorted(TARGETS)), label="target")
    target = TARGETS[name]()
    models = tuple(m for m in MODEL_STRATEGIES if m in target.neuron_models)
    net, inputs, steps = data.draw(network_cases(max_n=8, max_steps=12, models=models,
                                                 target=target), label="case")
    per_core = data.draw(st.integers(1, 4), label="per_core")
    network = data.draw(st.booleans(), label="network")
    program = emulator.compile(net, target, max_neurons_per_core=per_core)
    sim = emulator.Simulator(program, network=network)
    # One step per run: a run's per-core counters are then that step's.
    per_step = [sim.run(1, {k: v[t:t + 1] for k, v in inputs.items()}) for t in range(steps)]
    whole = emulator.Simulator(program, network=network).run(steps, inputs)
    spikes = source_spikes(program, whole, inputs)
    expected, host = message_counts(program, spikes)
    for t, result in enumerate(per_step):
        for key in ("synops", "synops_dense", "synops_graded", "messages"):
            assert np.array_equal(result.counters.per_core[key], expected[key][t]), (key, t)
        if network and target.routing == "axon":  # a packet per message
            assert np.array_equal(result.counters.per_core["packets_in"],
                                  expected["messages_in"][t]), t
    for key in ("synops", "synops_dense", "synops_graded", "messages"):
        assert np.array_equal(whole.counters.per_core[key], expected[key].sum(axis=0)), key
        assert np.array_equal(whole.counters.per_step[key], expected[key].sum(axis=1)), key
    assert np.array_equal(whole.counters.host_per_step["messages"], host)
