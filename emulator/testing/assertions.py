"""Assertions that say where two runs differ (population, variable, step, neuron)."""
import numpy as np


def assert_bit_exact(actual, expected, what="values"):
    """Assert two {name: (steps, n) array} mappings (or two arrays) are identical.

    On a difference, the message names the entry, the first step and neuron that differ
    (steps counted from 1) and both values.
    """
    if not isinstance(actual, dict) and not isinstance(expected, dict):
        actual, expected = {what: actual}, {what: expected}
    missing = set(expected) - set(actual)
    if missing:
        raise AssertionError(f"{what}: missing entries {sorted(missing)}")
    for name in expected:
        a, e = np.asarray(actual[name]), np.asarray(expected[name])
        if a.shape != e.shape:
            raise AssertionError(f"{what} {name!r}: shape {a.shape} != expected {e.shape}")
        diff = np.argwhere(a != e)
        if len(diff):
            idx = tuple(diff[0])
            where = f"step {idx[0] + 1}, neuron {idx[1:]}" if a.ndim >= 2 else f"index {idx}"
            raise AssertionError(f"{what} {name!r} differ at {where}: {a[idx]} != expected "
                                 f"{e[idx]} ({len(diff)} differences)")
