"""The optional `nir` package, imported only when a NIR graph is read or written, so that
`emulator.io` imports without it."""
from ..errors import UnsupportedFeatureError


def require_nir():
    """The `nir` module, or UnsupportedFeatureError saying how to install it."""
    try:
        import nir
    except ImportError as e:
        raise UnsupportedFeatureError(
            "reading or writing NIR graphs needs the nir package, which is not installed: "
            "pip install 'emulator[nir]'") from e
    return nir
