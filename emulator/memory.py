"""The memory bound: how many bytes one request (a population, a connection, a compile, a
loaded program, a run's records) may take, and the check that refuses a request beyond
it with a ResourceLimitError before anything is allocated -- rather than a MemoryError,
a killed process or a swapping machine half an hour later.

The bound is, in this order: what `set_memory_limit(n)` set, the environment variable
EMULATOR_MEMORY_LIMIT (bytes, or a number with K, M, G or T: "8G"), or the memory the
machine has available at the moment of the check (psutil).
"""
import os
import re

import psutil

from .errors import ParameterRangeError, ResourceLimitError

ENVIRONMENT = "EMULATOR_MEMORY_LIMIT"
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
_set = None


def _parse(text, where):
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*([KMGT]?)i?B?\s*", str(text), re.IGNORECASE)
    if not m:
        raise ParameterRangeError(f"{where}={text!r}: expected bytes, or a number with K, M, "
                                  "G or T (e.g. 8G)")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def set_memory_limit(nbytes):
    """Bound every later request to `nbytes` bytes (an int, or a string such as "8G");
    None goes back to the default (EMULATOR_MEMORY_LIMIT, else the available memory)."""
    global _set
    if nbytes is None:
        _set = None
        return
    if isinstance(nbytes, bool):
        raise ParameterRangeError(f"set_memory_limit: nbytes={nbytes!r} must be a number of bytes")
    value = _parse(nbytes, "set_memory_limit: nbytes") if isinstance(nbytes, str) else nbytes
    if not isinstance(value, int) or value < 1:
        raise ParameterRangeError(f"set_memory_limit: nbytes={nbytes!r} must be a positive "
                                  "number of bytes")
    _set = value


def memory_limit():
    """(bytes, where the bound comes from) for a request made now."""
    if _set is not None:
        return _set, "set by emulator.set_memory_limit"
    if os.environ.get(ENVIRONMENT):
        return _parse(os.environ[ENVIRONMENT], ENVIRONMENT), f"from {ENVIRONMENT}"
    return int(psutil.virtual_memory().available), "the memory available on this machine"


def format_bytes(n):
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{int(n)} bytes"


def require_memory(what, nbytes, hint=""):
    """Raise ResourceLimitError unless `what` may take `nbytes` bytes; `hint` says what
    to change."""
    limit, source = memory_limit()
    if nbytes > limit:
        raise ResourceLimitError(
            f"{what} needs {format_bytes(nbytes)} ({int(nbytes)} bytes), more than the memory "
            f"limit of {format_bytes(limit)} ({source})" + (f"; {hint}" if hint else "")
            + "; emulator.set_memory_limit(n) sets another limit")
    return limit
