"""Public testing helpers: hypothesis strategies and assertions for quantized networks.

    from hypothesis import given
    from emulator.testing import assert_mapping_invariant, strategies

    @given(strategies.network_cases(target=emulator.targets.loihi1()))
    def test_my_network_maps_the_same_everywhere(case):
        net, inputs, steps = case
        assert_mapping_invariant(net, inputs, steps)

docs/testing.md walks through testing your own quantized network.
"""
from . import strategies
from .assertions import (assert_bit_exact, assert_mapping_invariant, assert_quantization_within,
                         default_mappings, observed)

__all__ = ["assert_bit_exact", "assert_mapping_invariant", "assert_quantization_within",
           "default_mappings", "observed", "strategies"]
