"""The reference model reproduces the golden vectors of Lava 0.10.0's fixed-point models,
step by step: spikes (payloads for sigma-delta), every state variable and the synaptic
input a, for dense and delayed connections into CUBA LIF neurons, sigma-delta neurons and
both resonate-and-fire variants (shared/conformance/README.md)."""
import pytest

from conformance import (KINDS, case_paths, first_mismatch, load_case, manifest_case_ids,
                         state_vars)
from emulator.reference import ReferenceSimulator

CASES = [p for kind in KINDS for p in case_paths(kind)]


@pytest.mark.parametrize("kind", KINDS)
def test_every_manifest_case_is_present(kind):
    """The test data holds every case MANIFEST.json lists (8 per kind), so that a missing
    file cannot make the conformance tests pass vacuously."""
    present = [f"{kind}/{p.stem}" for p in case_paths(kind)]
    assert present == manifest_case_ids(kind)
    assert len(present) == 8


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_reference_matches_golden_vector(path):
    """Spec sections 1-7 as Lava computes them: every recorded value agrees (for the
    learning cases also the weights after every step and the final traces and tags)."""
    net, raster, expected = load_case(path)
    res = ReferenceSimulator(net).run(len(raster), inputs={"x": raster})
    actual = {"spikes": res.spikes["h"], "a_in": res.a_in["h"],
              **{var: res.state["h"][var] for var in state_vars(net)}}
    final = expected.pop("final", {})
    if final:
        actual["weights"] = res.connections["w"]["weights"]
    for var, values in final.items():
        expected[f"final {var}"] = values[None]
        actual[f"final {var}"] = res.connections["w"][var][-1:]
    assert set(actual) == set(expected)
    problems = {name: first_mismatch(actual[name], expected[name]) for name in expected}
    problems = {name: msg for name, msg in problems.items() if msg is not None}
    assert not problems, problems
