"""Named exceptions. Every error the emulator raises on bad input is an EmulatorError.

Messages name the object (population, connection, core, file), the parameter, the value
and the allowed range, so that a user can fix the input without reading the source.
"""


class EmulatorError(Exception):
    """Base class of every error raised by the emulator on bad input."""


class ParameterRangeError(EmulatorError, ValueError):
    """A parameter lies outside the bit width or range the hardware allows."""


class ShapeError(EmulatorError, ValueError):
    """An array (weights, delays, raster, per-neuron parameter) has the wrong shape."""


class InputError(EmulatorError, ValueError):
    """Run-time input is missing, unknown, or of the wrong dtype."""


class UnknownNameError(EmulatorError, KeyError):
    """A name (target, probe variable, population, input) is not known."""

    def __str__(self):  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ResourceLimitError(EmulatorError):
    """A network does not fit a target's per-core or per-chip resources."""


class UnsupportedFeatureError(EmulatorError):
    """A target lacks a feature the network uses (graded spikes on Loihi 1, ...)."""


class FileFormatError(EmulatorError, ValueError):
    """A file cannot be read, is damaged, or is not what it should be: a Program, a
    Result or a NIR graph whose bytes or structure are wrong, or whose reading did not
    finish in its time limit."""


class ProgramFormatError(FileFormatError):
    """A Program (its file, its description or its arrays) is malformed or inconsistent."""


class SimulatorBusyError(EmulatorError, RuntimeError):
    """A Simulator was called while another call on it (from another thread, or from a
    progress callback) has not returned: one call at a time."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (or Simulator.interrupt()) stopped a run between two steps. `result` holds
    the steps that ran (a Result); the simulator stands at that step boundary, and the
    next run() continues from it. A KeyboardInterrupt, so that it stops a script as
    Ctrl-C should; not an EmulatorError, so that `except EmulatorError` does not swallow
    it."""

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result


class PayloadRangeError(EmulatorError, OverflowError):
    """A graded payload exceeds the target's payload width (strict mode only)."""


class RuleSyntaxError(EmulatorError, ValueError):
    """A learning rule string does not parse, names an unknown symbol, lacks a dependency
    or folds to a constant outside the hardware's m * 2^e range."""


def check_bool(obj, name, value):
    """`value` as a bool, or ParameterRangeError unless it is True or False (a string
    such as "no" is not False)."""
    import numpy as np

    if not isinstance(value, (bool, np.bool_)):
        raise ParameterRangeError(f"{obj}: parameter {name}={value!r} must be True or False")
    return bool(value)


def check_range(obj, name, value, lo, hi):
    """Raise ParameterRangeError unless every element of `value` is in [lo, hi]."""
    import numpy as np

    arr = np.asarray(value)
    if arr.size == 0:
        return
    vmin, vmax = arr.min(), arr.max()
    if vmin < lo or vmax > hi:
        bad = (vmin if vmin < lo else vmax).item()  # a Python number prints plainly
        raise ParameterRangeError(
            f"{obj}: parameter {name}={bad!r} is outside the allowed range [{lo}, {hi}]"
        )
