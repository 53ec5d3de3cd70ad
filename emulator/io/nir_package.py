"""The optional `nir` package, imported only when a NIR graph is read or written, so that
`emulator.io` imports without it; and reading its nodes' parameters."""
import numpy as np

from ..errors import ParameterRangeError, UnsupportedFeatureError


def require_nir():
    """The `nir` module, or UnsupportedFeatureError saying how to install it."""
    try:
        import nir
    except ImportError as e:
        raise UnsupportedFeatureError(
            "reading or writing NIR graphs needs the nir package, which is not installed: "
            "pip install 'emulator[nir]'") from e
    return nir


def node_array(owner, node, key, finite=True):
    """Parameter `key` of a NIR node as a float64 array, or a named error when it is
    missing, not real, NaN, or (finite=True) infinite."""
    raw = getattr(node, key, None)
    if raw is None:
        raise ParameterRangeError(f"{owner}: parameter {key} is missing")
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterRangeError(f"{owner}: parameter {key}={raw!r} is not an array of real "
                                  "numbers") from None
    if np.isnan(arr).any() or (finite and not np.all(np.isfinite(arr))):
        raise ParameterRangeError(f"{owner}: parameter {key} holds NaN"
                                  + (" or infinite values" if finite else ""))
    return arr
