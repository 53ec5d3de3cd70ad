"""Targets are data: limits, formats and costs per chip family, each figure with its
source; variants derive from them with every limit checked; one network computes the
same values on every target that supports it."""
import numpy as np
import pytest

import emulator
from emulator.errors import ParameterRangeError, UnknownNameError
from emulator.targets import available, get, loihi1, loihi2, spinnaker2


def test_the_three_targets_are_available():
    assert available() == ["loihi1", "loihi2", "spinnaker2"]
    for name in available():
        target = get(name)
        assert target.name == name and name in target.describe()
        for figure in (*target.energy.values(), *target.time.values()):
            assert figure.source and figure.low <= figure.typical <= figure.high
    with pytest.raises(UnknownNameError, match="available targets"):
        get("truenorth")


def test_published_limits():
    t = loihi1()
    assert (t.cores_per_chip, t.max_neurons_per_core, t.max_input_axons, t.max_output_axons,
            t.synapse_memory_bits) == (128, 1024, 4096, 4096, 16384 * 64)
    assert t.profiles == {"compartment": 32, "threshold": 16, "synapse_format": 16, "learning": 3}
    assert t.cores_per_router * t.router_grid[0] * t.router_grid[1] == t.cores_per_chip
    t = loihi2()
    assert (t.max_neurons_per_core, t.core_memory_bytes, t.synapse_memory_bits) == \
        (8192, 192 * 1024, 128 * 1024 * 8)
    t = spinnaker2()
    assert (t.cores_per_chip, t.routing, t.routing_entries_per_chip, t.core_memory_bytes,
            t.chip_topology) == (152, "multicast", 16384, 128 * 1024, "hex")


def test_variants_derive_with_every_limit_checked():
    t = loihi2(n_chips=4, max_neurons_per_core=512, defective_cores={3, 200})
    assert (t.n_cores, t.max_neurons_per_core, len(t.usable_cores)) == (512, 512, 510)
    assert 3 not in t.usable_cores
    for bad, match in (({"max_neurons_per_core": 9000}, r"\[1, 8192\]"),
                       ({"n_chips": 0}, "n_chips=0"),
                       ({"synapse_memory_bits": 0}, "would lift"),
                       ({"defective_cores": {128}}, r"defective core=128"),
                       ({"defective_cores": range(128)}, "all 128 cores"),
                       ({"payload_bits": 1}, "at least 2"),
                       ({"routing": "wormhole"}, "routing='wormhole'"),
                       ({"colour": "blue"}, r"unknown parameter\(s\) \['colour'\]")):
        with pytest.raises(ParameterRangeError, match=match):
            loihi2(**bad)


def test_synaptic_memory_is_counted_as_the_nengoloihi_compiler_does():
    t = loihi1()
    # one synapse: 8 + 10 bits -> 1 word; 64: 64 * 8 + 10 = 522 bits -> 9 words;
    # 65: a full chunk and a chunk of one; a dense row of 1000 with 6 delay bits:
    # 15 chunks of 64 * 14 + 10 bits (15 words each) and one of 40 * 14 + 10 (9 words)
    assert t.synapse_bits([0, 1, 64, 65], 8).tolist() == [0, 64, 576, 640]
    assert int(t.synapse_bits(1000, 8, delay_bits=6)) == (15 * 15 + 9) * 64
    # index bits count per synapse
    assert int(t.synapse_bits(10, 4, index_bits=10)) == 3 * 64  # 10 * 14 + 10 = 150 bits
    # software rows: a header word plus a word per synapse (two with tags)
    s = spinnaker2()
    assert s.synapse_bits([0, 1, 10], 8).tolist() == [0, 64, 352]
    assert int(s.synapse_bits(10, 8, tag_bits=9)) == 21 * 32


@pytest.mark.parametrize("target", ["loihi2", "spinnaker2"])
def test_a_network_computes_the_same_on_every_target(target):
    rng = np.random.default_rng(0)
    net = emulator.Network()
    x = net.input(20, name="x", graded=True)
    h = net.population(30, emulator.SigmaDelta(vth=10, bias=2), name="h")
    o = net.population(5, emulator.LIF(du=400, dv=300, vth=30), name="o")
    net.connect(x, h, rng.integers(-50, 50, (30, 20)), num_message_bits=16)
    net.connect(h, o, rng.integers(-20, 60, (5, 30)), num_message_bits=8)
    inputs = {"x": rng.integers(-100, 100, (40, 20))}
    ref = emulator.Simulator(emulator.compile(net, "loihi2")).run(40, inputs=inputs)
    got = emulator.Simulator(emulator.compile(net, target, max_neurons_per_core=7)).run(
        40, inputs=inputs)
    for pop in ("h", "o"):
        assert (got.spikes[pop] == ref.spikes[pop]).all()


def test_docs_targets_md_shows_the_figures_in_the_code():
    """docs/targets.md holds each target's describe() and figures() as generated; a figure
    changed in the code without the docs fails here."""
    from pathlib import Path
    text = (Path(__file__).parent.parent / "docs" / "targets.md").read_text()
    for name in available():
        target = get(name)
        assert target.describe() in text, f"docs/targets.md: {name}'s limits are stale"
        assert target.figures() in text, f"docs/targets.md: {name}'s figures are stale"
