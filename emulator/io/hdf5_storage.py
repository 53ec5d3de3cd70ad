"""An HDF5 dataset's storage, checked against the file before any byte of it is read, and
its bytes read and decoded here rather than by libhdf5.

libhdf5 trusts the sizes a file states: a chunk that stores fewer bytes than its shape
needs, a deflate stream that inflates to fewer, or a string whose global-heap object is
shorter than the length it states make it copy past the end of a buffer, and a damaged
heap collection makes it loop. So libhdf5 (through h5py) is asked only for metadata:
each dataset's type, shape and layout, and where its chunks lie. `plan` checks that
metadata (types: integers, IEEE floats, h5py's booleans, fixed and variable-length
strings; layouts: contiguous, compact, chunked with deflate, shuffle and Fletcher-32 at
most; sizes: what the shape and type call for, compressed at most MAX_RATIO to 1);
`check_extents` that every stored range lies inside the file and overlaps no other; then
`FileBytes.read` reads the ranges from the file itself and decodes them, checking every
length, and looks strings up in global heap collections it parses with the same care.
"""
import math
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from h5py import h5d, h5s, h5t

#: Deflate cannot expand data more than 1032 to 1; a chunk claiming more is damaged.
MAX_RATIO = 1100
DEFLATE, SHUFFLE, FLETCHER32 = 1, 2, 3
FILTER_NAMES = {DEFLATE: "deflate", SHUFFLE: "shuffle", FLETCHER32: "fletcher32"}
#: Float layouts that numpy reads: (size, (sign, exponent, exponent bits, mantissa,
#: mantissa bits) bit positions, exponent bias).
IEEE = {2: ((15, 10, 5, 0, 10), 15), 4: ((31, 23, 8, 0, 23), 127),
        8: ((63, 52, 11, 0, 52), 1023)}
TYPE_CLASSES = {h5t.TIME: "time", h5t.BITFIELD: "bitfield", h5t.OPAQUE: "opaque",
                h5t.COMPOUND: "compound", h5t.REFERENCE: "reference",
                h5t.ENUM: "enumeration", h5t.VLEN: "variable-length sequence",
                h5t.ARRAY: "array"}
#: libhdf5 allocates global heap collections of at least this many bytes.
MIN_COLLECTION = 4096
#: A chunk's decoded size must fit libhdf5's 32-bit chunk sizes.
MAX_CHUNK_BYTES = 2**32 - 1


class Refused(Exception):
    """The file is damaged or holds what a NIR file does not; the message names where."""


@contextmanager
def libhdf5(where):
    """Any failure of h5py or libhdf5 on the damaged metadata of `where` as Refused."""
    try:
        yield
    except Refused:
        raise
    except Exception as e:  # noqa: BLE001 -- libhdf5 on untrusted bytes raises anything
        raise Refused(f"{where}: the HDF5 library cannot read it ({type(e).__name__}: "
                      f"{e})") from e


@dataclass(frozen=True)
class Piece:
    """A stored range: a chunk (its first element's index) or contiguous data (index
    None), at byte `offset` of the file, `size` bytes, decoded by `filters` (the
    pipeline's (id, parameters) that apply to it, in the order they were applied)."""
    index: object
    offset: int
    size: int
    filters: tuple


@dataclass(frozen=True)
class Storage:
    """What `plan` found of a dataset. kind: "number", "bool", "string" (fixed length)
    or "vlen" (variable-length string); dtype: its elements as stored (numpy); pieces:
    its stored ranges, or None when libhdf5 keeps the data in the object header
    (compact)."""
    path: str
    kind: str
    dtype: np.dtype
    shape: tuple
    chunk: tuple
    pieces: object

    @property
    def nbytes(self):
        return math.prod(self.shape) * self.dtype.itemsize


def _element(path, tid, sizeof_addr):
    """(kind, numpy dtype) of a dataset's stored elements, or Refused."""
    cls = tid.get_class()
    if cls in (h5t.INTEGER, h5t.FLOAT):
        size = tid.get_size()
        order = tid.get_order()
        plain = tid.get_precision() == 8 * size and tid.get_offset() == 0 and \
            order in (h5t.ORDER_LE, h5t.ORDER_BE)
        if cls == h5t.INTEGER:
            plain = plain and size in (1, 2, 4, 8)
        else:
            plain = plain and (tid.get_fields(), tid.get_ebias()) == IEEE.get(size) and \
                tid.get_norm() == h5t.NORM_IMPLIED
        if not plain:
            raise Refused(f"{path}: a {size}-byte {'integer' if cls == h5t.INTEGER else 'float'}"
                          " type of an unusual bit layout; a NIR file holds standard integers"
                          " and IEEE floats")
        letter = "f" if cls == h5t.FLOAT else "i" if tid.get_sign() else "u"
        return "number", np.dtype(f"{'<' if order == h5t.ORDER_LE else '>'}{letter}{size}")
    if cls == h5t.ENUM:
        base = tid.get_super()
        members = {tid.get_member_name(i): tid.get_member_value(i)
                   for i in range(tid.get_nmembers())}
        if base.get_class() == h5t.INTEGER and base.get_size() == 1 and \
                members == {b"FALSE": 0, b"TRUE": 1}:  # how h5py stores numpy's bool
            return "bool", np.dtype("u1")
    if cls == h5t.STRING:
        if tid.is_variable_str():
            if sizeof_addr not in (2, 4, 8):
                raise Refused(f"{path}: the file's addresses are {sizeof_addr} bytes long; "
                              "expected 2, 4 or 8")
            # the stored form: length, global heap collection address, object index
            return "vlen", np.dtype([("length", "<u4"), ("address", f"<u{sizeof_addr}"),
                                     ("index", "<u4")])
        return "string", np.dtype(f"S{tid.get_size()}")
    raise Refused(f"{path}: its elements are of the HDF5 {TYPE_CLASSES.get(cls, f'class {cls}')}"
                  " type; a NIR file holds numbers, booleans and strings")


def plan(path, dsid, sizeof_addr):
    """The Storage of dataset `dsid` (an h5py DatasetID) named `path`, from its metadata
    alone, or Refused saying what does not fit the file."""
    kind, dtype = _element(path, dsid.get_type(), sizeof_addr)
    space = dsid.get_space()
    if space.get_simple_extent_type() not in (h5s.SCALAR, h5s.SIMPLE):
        raise Refused(f"{path}: its dataspace is empty (null); a NIR file's datasets hold "
                      "values")
    shape = tuple(int(s) for s in space.shape)
    dcpl = dsid.get_create_plist()
    layout = dcpl.get_layout()
    if dcpl.get_external_count():
        raise Refused(f"{path}: its data is stored in other files; a NIR file holds its own")
    pipeline = [dcpl.get_filter(i) for i in range(dcpl.get_nfilters())]
    for code, _, _, name in pipeline:
        if code not in FILTER_NAMES:
            raise Refused(f"{path}: it is compressed with filter {code} "
                          f"({name.decode('utf-8', 'replace')}); from_nir reads deflate (gzip), "
                          "shuffle and fletcher32 only")
    if pipeline and layout != h5d.CHUNKED:
        raise Refused(f"{path}: it lists filters but is not chunked")
    storage = Storage(path, kind, dtype, shape, (), None)
    nbytes = storage.nbytes
    if layout == h5d.COMPACT:
        if kind == "vlen":
            raise Refused(f"{path}: variable-length strings stored in the object header "
                          "(compact layout) cannot be checked before they are read")
        if dsid.get_storage_size() != nbytes:
            raise Refused(f"{path}: it stores {dsid.get_storage_size()} bytes in its header "
                          f"for shape {shape} of {dtype.itemsize}-byte elements "
                          f"({nbytes} bytes)")
        return storage
    if layout == h5d.CONTIGUOUS:
        offset = dsid.get_offset()
        if nbytes and offset is None:
            raise Refused(f"{path}: no data was ever stored for it (shape {shape})")
        stored = dsid.get_storage_size()
        if stored != nbytes:
            raise Refused(f"{path}: it stores {stored} bytes for shape {shape} of "
                          f"{dtype.itemsize}-byte elements ({nbytes} bytes)")
        pieces = (Piece(None, offset, nbytes, ()),) if nbytes else ()
        return Storage(path, kind, dtype, shape, shape, pieces)
    if layout != h5d.CHUNKED:
        raise Refused(f"{path}: its layout is virtual (data from other datasets or files); "
                      "a NIR file stores its own")
    return _chunked(storage, dsid, dcpl, pipeline)


def _chunked(storage, dsid, dcpl, pipeline):
    path, shape, itemsize = storage.path, storage.shape, storage.dtype.itemsize
    chunk = tuple(int(c) for c in dcpl.get_chunk())
    if len(chunk) != len(shape) or min(chunk, default=0) < 1:
        raise Refused(f"{path}: chunk shape {chunk} does not fit its shape {shape}")
    chunk_bytes = math.prod(chunk) * itemsize
    if chunk_bytes > MAX_CHUNK_BYTES:
        raise Refused(f"{path}: chunk shape {chunk} holds {chunk_bytes} bytes, more than "
                      f"HDF5's {MAX_CHUNK_BYTES}")
    expected = math.prod(-(-s // c) for s, c in zip(shape, chunk))
    count = dsid.get_num_chunks()
    if count != expected:
        raise Refused(f"{path}: it stores {count} chunks; shape {shape} in chunks of "
                      f"{chunk} needs {expected}")
    infos = []
    if hasattr(dsid, "chunk_iter"):  # h5py >= 3.8: one pass over the chunk index
        dsid.chunk_iter(infos.append)
    else:
        infos = [dsid.get_chunk_info(i) for i in range(count)]
    if len(infos) != expected:
        raise Refused(f"{path}: its chunk index lists {len(infos)} chunks, not {expected}")
    pieces, seen = [], set()
    for info in infos:
        index = tuple(int(i) for i in info.chunk_offset)
        if len(index) != len(shape) or index in seen or any(
                i % c or not 0 <= i < s for i, c, s in zip(index, chunk, shape)):
            raise Refused(f"{path}: a chunk at element {index} does not start a chunk of "
                          f"shape {chunk} inside shape {shape}")
        seen.add(index)
        active = tuple((code, tuple(cd)) for i, (code, _, cd, _) in enumerate(pipeline)
                       if not info.filter_mask >> i & 1)
        codes = [code for code, _ in active]
        size = int(info.size)
        if DEFLATE in codes:
            if chunk_bytes > MAX_RATIO * size:
                raise Refused(f"{path}: its chunk at element {index} stores {size} compressed "
                              f"bytes for {chunk_bytes} bytes of data, more than deflate's "
                              f"ratio of {MAX_RATIO} to 1 can give")
        else:
            want = chunk_bytes + 4 * codes.count(FLETCHER32)
            if size != want:
                raise Refused(
                    f"{path}: its chunk at element {index} stores {size} bytes with "
                    f"filters {[FILTER_NAMES[c] for c in codes] or 'none'} applied; chunk "
                    f"shape {chunk} of {itemsize}-byte elements needs {want}")
        pieces.append(Piece(index, int(info.byte_offset), size, active))
    return Storage(path, storage.kind, storage.dtype, shape, chunk, tuple(pieces))


def check_extents(storages, file_size):
    """Refused unless every stored range lies inside the file and no two overlap (a
    range shared by two chunks would let a small file decode to an unbounded size)."""
    ranges = sorted((p.offset, p.size, s.path) for s in storages for p in s.pieces or ())
    end, owner = 0, None
    for offset, size, path in ranges:
        if offset < 0 or offset + size > file_size:
            raise Refused(f"{path}: its data at bytes {offset}..{offset + size} lies beyond "
                          f"the end of the file ({file_size} bytes)")
        if offset < end:
            raise Refused(f"{path}: its data at byte {offset} overlaps data of {owner} "
                          f"(which ends at byte {end})")
        end, owner = offset + size, path


def fletcher32(data):
    """HDF5's Fletcher-32 checksum of `data` (big-endian 16-bit words, sums folded every
    360 words as libhdf5 folds them)."""
    words = np.frombuffer(data, ">u2", len(data) // 2).astype(np.int64)
    sum1 = sum2 = 0
    for start in range(0, len(words), 360):
        block = words[start:start + 360]
        sum2 = (sum2 + len(block) * sum1 + int(block @ np.arange(len(block), 0, -1))) \
            & 0xFFFFFFFF
        sum1 = (sum1 + int(block.sum())) & 0xFFFFFFFF
        sum1, sum2 = (sum1 & 0xFFFF) + (sum1 >> 16), (sum2 & 0xFFFF) + (sum2 >> 16)
    if len(data) % 2:
        sum1 += data[-1] << 8
        sum2 += sum1
        sum1, sum2 = (sum1 & 0xFFFF) + (sum1 >> 16), (sum2 & 0xFFFF) + (sum2 >> 16)
    sum1, sum2 = (sum1 & 0xFFFF) + (sum1 >> 16), (sum2 & 0xFFFF) + (sum2 >> 16)
    return (sum2 << 16) | sum1


class FileBytes:
    """The file's bytes, read directly: datasets by their checked Storage, strings from
    global heap collections. `budget`: how many decoded string bytes may still be made
    (many strings can name one heap object, so their total is bounded apart)."""

    def __init__(self, raw, file_size, base, sizeof_size, budget):
        self.raw, self.file_size, self.base = raw, file_size, base
        self.sizeof_size, self.budget = sizeof_size, budget
        self.collections = {}

    def _bytes(self, where, offset, size):
        self.raw.seek(offset)
        data = self.raw.read(size)
        if len(data) != size:  # the file shrank since its size was taken
            raise Refused(f"{where}: bytes {offset}..{offset + size} of the file could not be "
                          "read")
        return data

    def read(self, storage, dsid):
        """The dataset's values: a numpy array (0-d for a scalar), of str objects for
        strings."""
        stored = np.empty(storage.shape, storage.dtype)
        if storage.pieces is None:  # compact: libhdf5 copies it from the header, size checked
            with libhdf5(storage.path):
                dsid.read(h5s.ALL, h5s.ALL, stored, mtype=dsid.get_type())
        for piece in storage.pieces or ():
            self._place(storage, piece, stored)
        if storage.kind == "number":
            return stored.astype(stored.dtype.newbyteorder("="))
        if storage.kind == "bool":
            if stored.size and stored.max() > 1:
                raise Refused(f"{storage.path}: a boolean holds the value {stored.max()}")
            return stored.astype(bool)
        raw = [self._string(storage.path, d) for d in stored.ravel()] \
            if storage.kind == "vlen" else list(stored.ravel())
        return _decoded(storage.path, raw, storage.shape)

    def _place(self, storage, piece, out):
        where = f"{storage.path}: its " + ("data" if piece.index is None else
                                           f"chunk at element {piece.index}")
        data = self._bytes(where, piece.offset, piece.size)
        want = math.prod(storage.chunk) * storage.dtype.itemsize
        for code, params in reversed(piece.filters):
            data = _unfilter(where, code, params, data, want)
        if len(data) != want:
            raise Refused(f"{where} decodes to {len(data)} bytes, not the {want} its shape "
                          "needs")
        block = np.frombuffer(data, storage.dtype).reshape(storage.chunk)
        start = piece.index or (0,) * len(storage.shape)
        region = tuple(slice(i, min(i + c, s)) for i, c, s in
                       zip(start, storage.chunk, storage.shape))
        out[region] = block[tuple(slice(0, r.stop - r.start) for r in region)]

    def _string(self, path, descriptor):
        length, address, index = (int(descriptor[k]) for k in ("length", "address", "index"))
        if length == 0:
            return b""
        objects, data = self._collection(path, address)
        if index not in objects:
            raise Refused(f"{path}: a string refers to object {index} of the global heap "
                          f"collection at address {address}, which holds no such object")
        start, size = objects[index]
        if size != length:
            raise Refused(f"{path}: a string of {length} bytes refers to a global heap object "
                          f"of {size} bytes")
        self.budget -= length
        if self.budget < 0:
            raise Refused(f"{path}: its strings decode to more bytes than {MAX_RATIO} times "
                          "the file's size")
        return data[start:start + size]

    def _collection(self, path, address):
        """({object index: (start, size)}, bytes) of the global heap collection at
        `address`, parsed as libhdf5 parses it, but refusing what would make it loop or
        read outside the collection."""
        if address in self.collections:
            return self.collections[address]
        where = f"{path}: the global heap collection at address {address}"
        offset, n = self.base + address, self.sizeof_size
        head = 8 + n
        if offset + head > self.file_size:
            raise Refused(f"{where} lies beyond the end of the file ({self.file_size} bytes)")
        header = self._bytes(where, offset, head)
        size = int.from_bytes(header[8:], "little")
        if header[:5] != b"GCOL\x01" or size < MIN_COLLECTION or \
                offset + size > self.file_size:
            raise Refused(f"{where} is damaged (header {header.hex()}, size {size}; the file "
                          f"has {self.file_size} bytes)")
        data = self._bytes(where, offset, size)
        objects = {}
        at = -(-head // 8) * 8
        object_head = 8 + n
        while at + object_head <= size:
            index = int.from_bytes(data[at:at + 2], "little")
            length = int.from_bytes(data[at + 8:at + object_head], "little")
            if index == 0:  # free space: what remains of the collection, header included
                if length != size - at:
                    raise Refused(f"{where} is damaged: its free space at byte {at} claims "
                                  f"{length} bytes where {size - at} remain")
                break
            need = object_head + -(-length // 8) * 8
            if index in objects or need > size - at:
                raise Refused(f"{where} is damaged: object {index} at byte {at} "
                              f"({length} bytes) " + ("repeats an index" if index in objects
                                                      else "runs past its end"))
            objects[index] = (at + object_head, length)
            at += need
        self.collections[address] = objects, data
        return objects, data


def _unfilter(where, code, params, data, want):
    """`data` with filter `code` undone, or Refused."""
    if code == FLETCHER32:
        if len(data) < 4:
            raise Refused(f"{where} is too short for its fletcher32 checksum")
        data, stored = data[:-4], int.from_bytes(data[-4:], "little")
        checksum = fletcher32(data)
        # libhdf5 before 1.6.3 stored the checksum with the bytes of each half swapped
        swapped = ((checksum & 0x00FF00FF) << 8) | ((checksum >> 8) & 0x00FF00FF)
        if stored not in (checksum, swapped):
            raise Refused(f"{where} fails its fletcher32 checksum (stored {stored:#010x}, "
                          f"computed {checksum:#010x})")
        return data
    if code == DEFLATE:
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(data, want + 5)  # room for a checksum, and one more
        except zlib.error as e:
            raise Refused(f"{where} holds damaged deflate data ({e})") from None
        if not inflater.eof:
            raise Refused(f"{where} holds deflate data that does not end where its chunk "
                          f"does (inflated {len(out)} bytes, expected {want})")
        return out
    size = params[0] if len(params) == 1 else 0
    if size < 1:
        raise Refused(f"{where}: its shuffle filter has parameters {params}, not one "
                      "element size")
    whole = len(data) // size * size
    plain = np.frombuffer(data, np.uint8, whole).reshape(size, -1).T.tobytes()
    return plain + data[whole:]


def _decoded(path, raw, shape):
    """Strings (bytes) as str, in an object array of `shape`, or Refused if one is not
    UTF-8."""
    out = np.empty(len(raw), object)
    for i, b in enumerate(raw):
        try:
            out[i] = bytes(b).decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(f"{path}: it holds a string that is not UTF-8: {bytes(b)[:40]!r}") \
                from None
    return out.reshape(shape)
