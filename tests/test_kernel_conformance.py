"""The kernel reproduces the golden vectors computed by Lava's fixed-point models
(tests/data/conformance: LIF, delayed LIF, sigma-delta, both resonators, learning), on one
core and split over several cores (a plastic connection then spans several cores)."""
import pytest

import emulator
from conformance import KINDS, case_paths, load_case, state_vars
from emulator.testing import assert_bit_exact

CASES = [p for kind in KINDS for p in case_paths(kind)]


@pytest.mark.parametrize("per_core", [None, 3])
@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_kernel_matches_golden_vector(path, per_core):
    net, raster, expected = load_case(path)
    program = emulator.compile(net, target="loihi2", max_neurons_per_core=per_core)
    result = emulator.Simulator(program).run(len(raster), inputs={"x": raster})
    variables = state_vars(net)
    actual = {"spikes": result.spikes["h"], **{v: result.probes[f"h.{v}"] for v in variables}}
    wanted = {k: expected[k] for k in ("spikes", *variables)}
    if "final" in expected:  # learning: the weights every step, the final traces and tags
        actual["weights"] = result.probes["w.weights"]
        wanted["weights"] = expected["weights"]
        for var, values in expected["final"].items():
            actual[f"final {var}"] = result.probes[f"w.{var}"][-1]
            wanted[f"final {var}"] = values
    assert_bit_exact(actual, wanted)
