"""Reading and writing networks in other formats.

NIR, the Neuromorphic Intermediate Representation (`pip install 'emulator[nir]'`):
`from_nir(graph_or_path, dt=1e-3)` builds a float Network from a NIR graph and
`to_nir(network, path=None, dt=1e-3)` writes one (docs/nir.md). The nir package is
imported only when they are called. (`emulator.io.result` stores a run's Result.)
"""
from .nir_export import to_nir
from .nir_import import from_nir

__all__ = ["from_nir", "to_nir"]
