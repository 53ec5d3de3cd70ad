"""Neuron models: small dataclasses whose docstrings state their integer equations.

A model holds population-wide and per-neuron parameters; `resolve(owner, n)` validates
them against the hardware's bit widths and returns per-neuron int64 arrays, the form the
compiler and the reference models consume. Parameter names follow Lava's.
"""
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .errors import ParameterRangeError, ShapeError, check_range


def per_neuron(owner, name, value, n):
    """Broadcast a scalar or length-n integer parameter to an int64 array of length n."""
    arr = np.asarray(value)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or (np.issubdtype(arr.dtype, np.floating)
                                     and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)))):
        raise ParameterRangeError(
            f"{owner}: parameter {name} must be integer-valued, got {value!r} (dtype {arr.dtype})")
    if arr.ndim == 0:
        return np.full(n, int(arr), dtype=np.int64)
    if arr.shape != (n,):
        raise ShapeError(f"{owner}: parameter {name} has shape {arr.shape}; "
                         f"expected a scalar or shape ({n},)")
    return arr.astype(np.int64)


def scalar(owner, name, value):
    """A population-wide integer parameter."""
    arr = np.asarray(value)
    if arr.ndim != 0:
        raise ShapeError(f"{owner}: parameter {name} is per population and must be a "
                         f"scalar, got shape {arr.shape}")
    return per_neuron(owner, name, arr, 1)


@dataclass(frozen=True)
class LIF:
    """CUBA leaky integrate-and-fire compartment (spec/neurocore.md section 3).

    Per step, with a the synaptic input of the step (all arithmetic in 64 bits):

        b = bias_mant << bias_exp            (bias_exp >= 0; else floor(bias_mant, -bias_exp))
        u = trunc0(u * (4096 - (du + 1)), 12) + a * 64
        if u > 2**23: u -= 2**24             (one correction, not a modulo;
        if u <= -2**23: u += 2**24            -2**23 becomes +2**23)
        v = trunc0(v * (4096 - dv), 12) + u + b,  saturated to [-(2**23 - 1), 2**23 - 1]
        spike if v > vth << 6; then v = 0    (u is not reset; no refractory period)

    trunc0 rounds toward zero. du, dv are 12-bit (0..4095) per population; vth is 17-bit
    unsigned (0..2**17 - 1); bias_mant is signed 13-bit (-4096..4095) and bias_exp -8..7,
    both scalar or per neuron.
    """

    du: int = 0
    dv: int = 0
    vth: int = 10
    bias_mant: object = 0
    bias_exp: object = 0

    kind: ClassVar[str] = "lif"
    state_vars: ClassVar[tuple] = ("u", "v")
    graded: ClassVar[bool] = False

    def resolve(self, owner, n):
        """Validated per-neuron parameters {name: int64 array of length n}."""
        du = scalar(owner, "du", self.du)
        dv = scalar(owner, "dv", self.dv)
        vth = scalar(owner, "vth", self.vth)
        check_range(owner, "du", du, 0, 4095)
        check_range(owner, "dv", dv, 0, 4095)
        check_range(owner, "vth", vth, 0, 2**17 - 1)
        bias_mant = per_neuron(owner, "bias_mant", self.bias_mant, n)
        bias_exp = per_neuron(owner, "bias_exp", self.bias_exp, n)
        check_range(owner, "bias_mant", bias_mant, -4096, 4095)
        check_range(owner, "bias_exp", bias_exp, -8, 7)
        return {"du": np.repeat(du, n), "dv": np.repeat(dv, n), "vth": np.repeat(vth, n),
                "bias_mant": bias_mant, "bias_exp": bias_exp}


MODELS = {LIF.kind: LIF}
