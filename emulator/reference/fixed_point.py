"""The integer operations every reference model shares (spec/neurocore.md, notation).

    trunc0(x, n)        = sign(x) * (|x| >> n)          rounds toward zero
    floor(x, n)         = x >> n, arithmetic            rounds toward -inf (numpy's >> on
                                                        int64 is already this)
    shift_signed(x, e)  = x << e where e >= 0, floor(x, -e) where e < 0

All of them work on int64 numpy arrays and wrap on overflow (two's complement), as the C++
kernel's fixed_point.hpp does; shift counts may be per neuron (they broadcast).
"""
import numpy as np


def trunc0(x, n):
    """sign(x) * (|x| >> n): a right shift that rounds toward zero (int64)."""
    x = np.asarray(x, dtype=np.int64)
    return np.where(x >= 0, x >> n, -((-x) >> n))


def shift_signed(x, e):
    """The hardware's signed exponent: x << e where e >= 0, floor(x, -e) where e < 0.

    `x` and `e` broadcast against each other (e may be per neuron). int64, wrapping.
    """
    x = np.asarray(x, dtype=np.int64)
    e = np.asarray(e, dtype=np.int64)
    # Both branches are evaluated by np.where: keep each shift count non-negative.
    return np.where(e >= 0, x << np.maximum(e, 0), x >> np.maximum(-e, 0))
