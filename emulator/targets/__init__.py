"""Targets: one module per chip family; a target is data (limits, formats, costs)."""
from ..errors import UnknownNameError
from .base import Figure, Target
from .loihi1 import loihi1
from .loihi2 import loihi2
from .spinnaker2 import spinnaker2

_FACTORIES = {"loihi1": loihi1, "loihi2": loihi2, "spinnaker2": spinnaker2}


def available():
    """Names of the targets `emulator.compile` accepts."""
    return sorted(_FACTORIES)


def get(target):
    """A Target from a name or a Target (returned as is)."""
    if isinstance(target, Target):
        return target
    if isinstance(target, str) and target.lower() in _FACTORIES:
        return _FACTORIES[target.lower()]()
    raise UnknownNameError(f"unknown target {target!r}; available targets: {available()}")


__all__ = ["Figure", "Target", "available", "get", "loihi1", "loihi2", "spinnaker2"]
