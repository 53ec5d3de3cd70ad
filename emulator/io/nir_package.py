"""The optional `nir` package, imported only when a NIR graph is read or written, so that
`emulator.io` imports without it; and reading its nodes' parameters, which a file may
give as anything (strings, object arrays, NaN, numbers beyond float64)."""
import reprlib

import numpy as np

from ..errors import ParameterRangeError, UnsupportedFeatureError

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60


def require_nir():
    """The `nir` module, or UnsupportedFeatureError saying how to install it."""
    try:
        import nir
    except ImportError as e:
        raise UnsupportedFeatureError(
            "reading or writing NIR graphs needs the nir package, which is not installed: "
            "pip install 'emulator[nir]'") from e
    return nir


def describe(value):
    """A short description of a parameter's value for a message: an array by its shape
    and dtype when it is long, anything else by a repr cut to a line."""
    if isinstance(value, np.ndarray) and value.size > 8:
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, np.ndarray):
        return _REPR.repr(value.tolist()) + f" (dtype {value.dtype})"
    return _REPR.repr(value)


def real_array(raw):
    """`raw` as a float64 array, or None unless it is an array (or number) of booleans,
    integers or floats."""
    try:
        arr = np.asarray(raw)
        if arr.dtype.kind not in "biuf":
            return None
        return arr.astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        return None


def node_array(owner, node, key, finite=True):
    """Parameter `key` of a NIR node as a float64 array, or a named error when it is
    missing, not real, NaN, or (finite=True) infinite."""
    raw = getattr(node, key, None)
    if raw is None:
        raise ParameterRangeError(f"{owner}: parameter {key} is missing")
    arr = real_array(raw)
    if arr is None:
        raise ParameterRangeError(f"{owner}: parameter {key}={describe(raw)} is not an array "
                                  "of real numbers")
    if np.isnan(arr).any() or (finite and not np.all(np.isfinite(arr))):
        raise ParameterRangeError(f"{owner}: parameter {key} holds NaN"
                                  + (" or infinite values" if finite else ""))
    return arr
