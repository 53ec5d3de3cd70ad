"""The reference model reproduces the golden vectors of Lava 0.10.0's fixed-point models,
step by step: spikes, u, v and the synaptic input a, for dense and delayed connections
into CUBA LIF neurons (shared/conformance/README.md)."""
import pytest

from conformance import KINDS, case_paths, first_mismatch, load_case, manifest_case_ids
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
    """Spec sections 1-3 and 6 as Lava computes them: every recorded value agrees."""
    net, raster, expected = load_case(path)
    res = ReferenceSimulator(net).run(len(raster), inputs={"x": raster})
    actual = {"spikes": res.spikes["h"], "u": res.state["h"]["u"],
              "v": res.state["h"]["v"], "a_in": res.a_in["h"]}
    problems = {name: first_mismatch(actual[name], expected[name]) for name in expected}
    problems = {name: msg for name, msg in problems.items() if msg is not None}
    assert not problems, problems
