"""Reference models: the integer semantics of spec/neurocore.md in plain numpy.

Slow and obvious on purpose: they are the oracle of the property tests and the place to
read what a neurocore computes. `fixed_point` holds the shared integer operations,
`synapses` prepares weights and forms the synaptic input, `lif`, `sigma_delta` and
`resonator` step the neuron models, `simulator` runs a whole Network step by step.
"""
from .simulator import MODELS, ReferenceResult, ReferenceSimulator
from .synapses import prepare_weights

__all__ = ["MODELS", "ReferenceSimulator", "ReferenceResult", "prepare_weights"]
