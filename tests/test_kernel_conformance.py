"""The kernel reproduces the golden vectors computed by Lava's fixed-point models
(tests/data/conformance), on one core and split over several cores."""
import pytest

import emulator
from conformance import KINDS, case_paths, load_case
from emulator.testing import assert_bit_exact

CASES = [p for kind in KINDS for p in case_paths(kind)]


@pytest.mark.parametrize("per_core", [None, 3])
@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_kernel_matches_golden_vector(path, per_core):
    net, raster, expected = load_case(path)
    program = emulator.compile(net, target="loihi2", max_neurons_per_core=per_core)
    result = emulator.Simulator(program).run(len(raster), inputs={"x": raster})
    assert_bit_exact({"spikes": result.spikes["h"], "u": result.probes["h.u"],
                      "v": result.probes["h.v"]},
                     {k: expected[k] for k in ("spikes", "u", "v")})
