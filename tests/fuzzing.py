"""Mutations of files, drawn by hypothesis, for the loaders' fuzz tests: every damaged
file must load cleanly or raise a named EmulatorError, never anything else.

`byte_mutations()` draws a list of byte-level edits (flip a bit, set a byte or a 1-, 2-,
4- or 8-byte word to a boundary value, cut the file, delete, duplicate or insert a
range); `mutate(data, edits)` applies them. Offsets are drawn as fractions of the
file's length, so one strategy serves files of any size.
"""
import struct
import traceback

from hypothesis import strategies as st

from emulator.errors import EmulatorError

#: Boundary values a word is set to: where sizes, counts and offsets wrap or overflow.
WORDS = (0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000,
         0xFFFFFFFF, 2**32, 2**40, 2**62, 2**63 - 1, 2**64 - 1)


def _place(fraction, length):
    return min(int(fraction * length), max(length - 1, 0))


@st.composite
def _edit(draw):
    kind = draw(st.sampled_from(("flip", "word", "cut", "delete", "duplicate", "insert")))
    at = draw(st.floats(0.0, 1.0))
    if kind == "flip":
        return kind, at, draw(st.integers(0, 7))
    if kind == "word":
        return kind, at, (draw(st.sampled_from((1, 2, 4, 8))), draw(st.sampled_from(WORDS)))
    if kind == "insert":
        return kind, at, draw(st.binary(min_size=1, max_size=16))
    return kind, at, draw(st.integers(1, 64))


def byte_mutations(max_edits=4):
    """Lists of 1..max_edits edits for `mutate`."""
    return st.lists(_edit(), min_size=1, max_size=max_edits)


def mutate(data, edits):
    """`data` (bytes) with `edits` applied in order."""
    b = bytearray(data)
    for kind, at, arg in edits:
        i = _place(at, len(b))
        if kind == "flip" and b:
            b[i] ^= 1 << arg
        elif kind == "word":
            size, value = arg
            word = struct.pack("<Q", value % 2**64)[:size]
            b[i:i + size] = word
        elif kind == "cut":
            del b[max(len(b) - arg * max(len(b) // 64, 1), 0):]
        elif kind == "delete":
            del b[i:i + arg]
        elif kind == "duplicate":
            b[i:i] = b[i:i + arg]
        elif kind == "insert":
            b[i:i] = arg
    return bytes(b)


def clean_or_named(action, *args):
    """Run action(*args): returns ("ok", value) or ("error", the EmulatorError's class
    name); any other exception fails the test with its traceback."""
    try:
        return "ok", action(*args)
    except EmulatorError as error:
        return "error", type(error).__name__
    except Exception as error:  # noqa: BLE001 -- what the fuzz tests exist to catch
        raise AssertionError(f"{type(error).__name__} escaped (not an EmulatorError): "
                             f"{error}\n{traceback.format_exc()}") from error
