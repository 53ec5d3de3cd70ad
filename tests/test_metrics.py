"""NeuroBench-style metrics from the counters, against values worked out from the network."""
import numpy as np
import scipy.sparse as sp
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
    # effective operations: each nonzero output through each nonzero weight; dense: each
    # output, zero or not, through each stored synapse (a dense matrix stores its zeros)
    macs = int(np.count_nonzero(w_in, axis=0) @ np.count_nonzero(raster, axis=0))
    acs = int(np.count_nonzero(w_out, axis=0) @ np.count_nonzero(result.spikes["h"], axis=0))
    assert m["synaptic_operations"]["effective_macs"] == macs / 2
    assert m["synaptic_operations"]["effective_acs"] == acs / 2
    stored = {c["name"]: c["n_synapses"] for c in result.program.meta["connections"]}
    assert m["synaptic_operations"]["dense"] == (stored["x->h"] + stored["h->o"]) * 10
    # the hardware's count reads every stored synapse, zeros of dense matrices too
    assert result.counters["synops"] >= (macs + acs)
    spikes = np.count_nonzero(result.spikes["h"]) + np.count_nonzero(result.spikes["o"])
    assert m["activation_sparsity"] == pytest.approx(1 - spikes / (15 * 20))
    zeros = (w_in == 0).sum() + (w_out == 0).sum()
    assert m["connection_sparsity"] == pytest.approx(zeros / (40 + 50))
    nonzero = np.count_nonzero(w_in) + np.count_nonzero(w_out)
    assert m["weight_sparsity"] == pytest.approx(1 - nonzero / sum(stored.values()))
    fp = m["footprint_bytes"]
    assert fp["total"] == fp["synapses"] + fp["neurons"] + fp["routing"] > 0
    assert fp["neurons"] == 15 * emulator.targets.loihi2().neuron_state_bytes
    with pytest.raises(ParameterRangeError, match="steps_per_inference"):
        result.metrics(steps_per_inference=0)


def test_an_unrolled_convolution_counts_its_kernel_positions_and_a_saved_result_the_same(
        tmp_path):
    """A sparse (conv-like) connection: dense operations are its stored synapses per step;
    zero weights in a dense matrix are no effective operations."""
    net = emulator.Network()
    x = net.input(6, name="x")
    h = net.population(4, emulator.LIF(du=4095, dv=0, vth=1), name="h")
    band = sp.diags([2, 4, 2], [0, 1, 2], shape=(4, 6), format="csr")  # a 1-d kernel of 3
    net.connect(x, h, band, name="conv")
    o = net.population(3, emulator.LIF(du=4095, dv=0, vth=1), name="o")
    w = np.zeros((3, 4), np.int64)
    w[0, 0] = 8
    net.connect(h, o, w, name="fc")                           # dense, one nonzero weight
    raster = np.ones((5, 6), np.int8)
    result = emulator.Simulator(emulator.compile(net, "loihi2")).run(5, {"x": raster})
    m = result.metrics()
    assert m["synaptic_operations"]["dense"] == (12 + 12) * 5  # one inference of 5 steps
    fires = np.count_nonzero(result.spikes["h"][:, 0])
    assert m["synaptic_operations"]["effective_acs"] == 5 * 12 + fires
    assert m["weight_sparsity"] == pytest.approx(1 - 13 / 24)
    assert m["connection_sparsity"] == pytest.approx(1 - 13 / 36)
    path = tmp_path / "result.npz"
    result.save(path)
    assert emulator.Result.load(path).metrics() == m
