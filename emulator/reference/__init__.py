"""Reference models: the integer semantics of spec/neurocore.md in plain numpy.

Slow and obvious on purpose: they are the oracle of the property tests and the place to
read what a neurocore computes. `synapses` prepares weights and forms the synaptic input,
`lif` steps CUBA LIF neurons, `simulator` runs a whole Network step by step.
"""
from .simulator import ReferenceResult, ReferenceSimulator
from .synapses import prepare_weights

__all__ = ["ReferenceSimulator", "ReferenceResult", "prepare_weights"]
