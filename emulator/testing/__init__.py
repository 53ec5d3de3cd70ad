"""Public testing helpers: hypothesis strategies and assertions for quantized networks.

    from emulator.testing import strategies as st_emu
    @given(st_emu.network_cases())
    def test_my_property(case): ...
"""
from .assertions import assert_bit_exact
from . import strategies

__all__ = ["assert_bit_exact", "strategies"]
