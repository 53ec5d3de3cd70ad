"""Reading the project's .npz and .npy files (programs, results, input rasters) safely.

An .npz file is a zip archive of .npy arrays. `read_npz` reads it member by member and
trusts nothing the file says about itself before checking it against what the file
really holds: only stored or deflated members whose declared size the archive can
really hold (deflate expands at most about 1032 times), .npy headers that parse as plain
literals, plain numeric dtypes (no pickled objects, no records), shapes whose bytes are
exactly the member's size, and the sum of all arrays within the memory limit -- all
before an array is allocated. Whatever is wrong raises FileFormatError naming the file
and the member; the operating system's own errors (a missing file, no permission) pass
as they are. `read_npy` reads a single .npy file under the same checks.
"""
import json
import os
import struct
import tokenize
import zipfile
import zlib

import numpy as np

from ..errors import FileFormatError, ParameterRangeError
from ..memory import require_memory

#: Deflate's largest expansion (a run of zeros): about 1032 bytes out per byte in.
DEFLATE_RATIO = 1032
#: dtype kinds an array of ours may have: booleans, integers, floats.
KINDS = "biuf"
#: Errors a damaged archive, member or header can raise while it is read.
DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, TypeError, SyntaxError,
          NotImplementedError, MemoryError, RecursionError, OverflowError, KeyError,
          UnicodeDecodeError, IndexError, struct.error, tokenize.TokenError)


def check_path(path, what):
    """ParameterRangeError unless `path` is a file system path (str, bytes, PathLike)."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise ParameterRangeError(f"{what} file: path={path!r} is not a file system path")


def _header(f, where, error):
    """(shape, fortran order, dtype) of the .npy data open as `f`, checked."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise error(f"{where}: .npy format version {version} is not one numpy writes for "
                    "plain arrays (1.0 or 2.0)")
    if dtype.kind not in KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise error(f"{where}: dtype {dtype} is not a plain boolean, integer or float")
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise error(f"{where}: shape {shape!r} is not a tuple of sizes")
    return shape, fortran, dtype


def _array(f, size, where, error):
    """The .npy array open as `f`, of `size` bytes in all: its header must promise
    exactly the bytes that follow it, so that nothing larger is ever allocated."""
    shape, fortran, dtype = _header(f, where, error)
    count = int(np.prod(shape, dtype=object)) if shape else 1
    nbytes = count * dtype.itemsize
    if nbytes != size - f.tell():
        raise error(f"{where}: header promises {shape} x {dtype} ({nbytes} bytes), the "
                    f"data holds {size - f.tell()}")
    flat = np.empty(count, dtype)
    if _read_into(f, memoryview(flat).cast("B")) != nbytes or f.read(1):
        raise error(f"{where}: the data is not {nbytes} bytes long")
    array = flat.reshape(shape, order="F" if fortran else "C")
    return array if dtype.isnative else array.astype(dtype.newbyteorder("="))


#: Bytes read at a time: a zip member's readinto() reads a whole request into a
#: temporary first, which for a chip-scale program's largest arrays would be hundreds
#: of megabytes more at the peak of a load.
CHUNK = 1 << 24


def _read_into(f, buffer):
    """Fills `buffer` from `f` a chunk at a time; returns the bytes read."""
    done = 0
    while done < len(buffer):
        n = f.readinto(buffer[done:done + CHUNK])
        if not n:
            break
        done += n
    return done


def _member(z, info, where, error):
    """One member's array, read into memory the member's checked size."""
    if info.compress_type == zipfile.ZIP_STORED:
        bound = info.compress_size
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        bound = DEFLATE_RATIO * info.compress_size + 64
    else:
        raise error(f"{where}: compression method {info.compress_type} is not one numpy "
                    "writes (stored or deflated)")
    if info.file_size > bound:
        raise error(f"{where}: declares {info.file_size} bytes, more than its "
                    f"{info.compress_size} stored bytes can hold")
    with z.open(info) as f:
        return _array(f, info.file_size, where, error)


def read_npy(path, what, error=FileFormatError):
    """The array of the .npy file at `path`, read as safely as read_npz reads members."""
    check_path(path, what)
    where = f"{what} file {str(path)!r}"
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        require_memory(f"reading {where}", size)
        try:
            return _array(f, size, where, error)
        except FileFormatError:
            raise
        except (*DAMAGE, OSError) as e:
            raise error(f"{where} is not a readable .npy array ({type(e).__name__}: {e})") from e


def is_npz(path):
    """True when the file at `path` is a zip archive (an .npz), False for anything else
    (an .npy, a damaged file); the system's errors opening it pass."""
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def read_npz(path, what, error=FileFormatError):
    """{name: array} of the .npz file at `path` (a `what` file: "program", "result");
    damage raises `error` (FileFormatError or a subclass)."""
    check_path(path, what)
    # the system's own errors (no such file, no permission) pass as they are; once the
    # file is open, every error reading it is damage, seeks to absurd offsets included
    with open(path, "rb") as handle:
        return _archive(handle, path, what, error)


def _archive(handle, path, what, error):
    try:
        z = zipfile.ZipFile(handle)
    except zipfile.BadZipFile as e:
        raise error(f"{what} file {str(path)!r} is not an .npz archive ({e})") from e
    except (*DAMAGE, OSError) as e:
        raise error(f"{what} file {str(path)!r} is not readable ({type(e).__name__}: {e})") from e
    with z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise error(f"{what} file {str(path)!r} names a member twice")
        require_memory(f"reading {what} file {str(path)!r}", sum(i.file_size for i in infos))
        arrays = {}
        for info in infos:
            where = f"{what} file {str(path)!r}, member {info.filename!r}"
            if not info.filename.endswith(".npy"):
                raise error(f"{where}: not an .npy array")
            try:
                arrays[info.filename[:-len(".npy")]] = _member(z, info, where, error)
            except FileFormatError:
                raise
            except (*DAMAGE, OSError) as e:
                raise error(f"{where} is damaged ({type(e).__name__}: {e})") from e
    return arrays


def read_description(arrays, path, what, error=FileFormatError):
    """The JSON description a file keeps as its "__meta__" array of UTF-8 bytes."""
    raw = arrays.pop("__meta__", None)
    if raw is None:
        raise error(f"{what} file {str(path)!r} has no description (__meta__)")
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise error(f"{what} file {str(path)!r}: its description is {raw.dtype} "
                              f"{raw.shape}, not a string of bytes")
    try:
        return json.loads(raw.tobytes().decode())
    except (ValueError, RecursionError) as e:  # bad UTF-8 or JSON, absurd nesting or digits
        raise error(f"{what} file {str(path)!r}: its description is not JSON "
                              f"({type(e).__name__}: {str(e)[:200]})") from e

