"""NeuroBench-style metrics from the counters, against values worked out from the network."""
import numpy as np
import pytest

import emulator
from emulator.errors import ParameterRangeError


def test_metrics_match_the_network_and_its_spikes():
    rng = np.random.default_rng(7)
    # even weights: mixed-sign 8-bit weights keep 7 magnitude bits (spec section 2), so an
    # odd weight loses its last bit, and a weight of +-1 becomes 0 on the chip
    w_in = 2 * rng.integers(-5, 6, (10, 4)) * (rng.random((10, 4)) < 0.7)
    w_out = 2 * rng.integers(0, 4, (5, 10)) * (rng.random((5, 10)) < 0.5)
    net = emulator.Network()
    x = net.input(4, name="x", graded=True)
    h = net.population(10, emulator.SigmaDelta(vth=10), name="h")
    o = net.population(5, emulator.LIF(du=4095, dv=0, vth=3), name="o")
    net.connect(x, h, w_in, num_message_bits=16, name="x->h")  # graded: multiplies
    net.connect(h, o, w_out, name="h->o")                      # binary: accumulates
    raster = rng.integers(-60, 60, (20, 4)) * (rng.random((20, 4)) < 0.6)
    result = emulator.Simulator(emulator.compile(net, "loihi2")).run(20, {"x": raster})
    m = result.metrics(steps_per_inference=10)
    assert m["inferences"] == 2
    # every nonzero output reads its stored synapses: a dense matrix stores its zeros too
    # (as NeuroBench counts a dense layer's MACs), a sparse one only the nonzero weights
    dense = {c["name"]: c["dense"] for c in result.program.meta["connections"]}
    fanout = [np.full(w.shape[1], w.shape[0]) if dense[name] else np.count_nonzero(w, axis=0)
              for w, name in ((w_in, "x->h"), (w_out, "h->o"))]
    macs = int(fanout[0] @ np.count_nonzero(raster, axis=0))
    acs = int(fanout[1] @ np.count_nonzero(result.spikes["h"], axis=0))
    assert m["synaptic_operations"]["effective_macs"] == macs / 2
    assert m["synaptic_operations"]["effective_acs"] == acs / 2
    assert m["synaptic_operations"]["dense"] == (4 * 10 + 10 * 5) * 10
    spikes = np.count_nonzero(result.spikes["h"]) + np.count_nonzero(result.spikes["o"])
    assert m["activation_sparsity"] == pytest.approx(1 - spikes / (15 * 20))
    zeros = (w_in == 0).sum() + (w_out == 0).sum()
    assert m["connection_sparsity"] == pytest.approx(zeros / (40 + 50))
    fp = m["footprint_bytes"]
    assert fp["total"] == fp["synapses"] + fp["neurons"] + fp["routing"] > 0
    assert fp["neurons"] == 15 * emulator.targets.loihi2().neuron_state_bytes
    with pytest.raises(ParameterRangeError, match="steps_per_inference"):
        result.metrics(steps_per_inference=0)
