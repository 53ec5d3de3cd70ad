"""The child process that reads a NIR file's HDF5 tree for emulator.io.nir_file:

    python -m emulator.io.hdf5_child FILE OUT

It walks the group "node" as nir's reader does (groups become dicts, datasets arrays,
strings str), following hard links only, each object once. It checks every dataset's
storage before it reads any dataset's bytes (emulator/io/hdf5_storage.py), and writes
the tree to OUT, an .npz file of plain arrays: "manifest" (JSON: the tree, each dataset
as the number i of its array "d<i>", and which of them are strings) and per dataset
"d<i>" (its values; for strings, each string's length in UTF-8 bytes) and, for strings,
"b<i>" (their bytes, one after the other). Then it builds the graph from the tree as
the parent will, so that nir's work on the file's values (its type inference takes time
quadratic in the edges) happens under the time limit too. It exits 0 when it wrote OUT,
and 1 after printing on stdout a JSON line {"refused": why} naming the object at fault.
A crash or a hang is the parent's to report.
"""
import itertools
import json
import os
import sys

import h5py
import numpy as np

from ..errors import EmulatorError
from ..memory import memory_limit
from .hdf5_storage import MAX_RATIO, FileBytes, Refused, check_extents, libhdf5, plan
from .nir_import import graph_from_tree
from .nir_package import require_nir

#: The group nir writes the graph to.
ROOT = "node"
#: Groups nested deeper than this are refused (a NIR graph nests a few levels per graph).
MAX_DEPTH = 32


def _walk(group, path, depth, seen, found):
    """The tree under `group`: {name: subtree, or the number of a dataset in `found`},
    appending each dataset's (path, DatasetID) to `found`."""
    if depth > MAX_DEPTH:
        raise Refused(f"{path}: groups are nested more than {MAX_DEPTH} deep")
    tree = {}
    with libhdf5(path):
        names = list(group)
    for name in names:
        where = f"{path}/{name}"
        if not isinstance(name, str) or name in ("", ".", "..") or "/" in name:
            raise Refused(f"{path}: it holds a link named {name!r}, which is not a valid "
                          "UTF-8 name")
        with libhdf5(where):
            link = group.get(name, getlink=True)
            if not isinstance(link, h5py.HardLink):
                what = "cannot be found" if link is None else \
                    f"is a {type(link).__name__} (to {getattr(link, 'path', '?')!r})"
                raise Refused(f"{where}: its link {what}; a NIR file links its groups and "
                              "datasets by hard links")
            item = group[name]
            address = h5py.h5o.get_info(item.id).addr
        if address in seen:
            raise Refused(f"{where}: the same object as {seen[address]}; a NIR file links "
                          "each object once")
        seen[address] = where
        if isinstance(item, h5py.Group):
            tree[name] = _walk(item, where, depth + 1, seen, found)
        elif isinstance(item, h5py.Dataset):
            tree[name] = len(found)
            found.append((where, item.id))
        # a named datatype holds no value: nir's reader skips it too
    return tree


def read(path):
    """The tree under "node" of the NIR file at `path` as nir's hdf2dict gives it (dicts
    of numpy arrays, numpy scalars and str; arrays of strings as object arrays of str),
    or Refused."""
    with open(path, "rb") as raw:
        file_size = os.fstat(raw.fileno()).st_size
        with libhdf5("the file"):
            f = h5py.File(path, "r")
        with f:
            with libhdf5("the file"):
                fcpl = f.id.get_create_plist()
                sizeof_addr, sizeof_size = fcpl.get_sizes()
                base = fcpl.get_userblock()
                link = f.get(ROOT, getlink=True)
                root = f[ROOT] if isinstance(link, h5py.HardLink) else None
                if not isinstance(root, h5py.Group):
                    raise Refused(f"the file has no group {ROOT!r}: it is not a NIR graph")
                seen = {h5py.h5o.get_info(root.id).addr: ROOT}
            found = []
            tree = _walk(root, ROOT, 1, seen, found)
            storages = []
            for where, dsid in found:
                with libhdf5(where):
                    storages.append(plan(where, dsid, sizeof_addr))
            check_extents(storages, file_size)
            limit = memory_limit()[0]
            declared = sum(s.nbytes for s in storages)
            if declared > limit:
                raise Refused(f"its datasets declare {declared:,} bytes, more than the memory "
                              f"limit of {limit:,} bytes")
            reader = FileBytes(raw, file_size, base, sizeof_size,
                               min(MAX_RATIO * file_size, limit))
            values = []
            for storage, (_, dsid) in zip(storages, found):
                value = reader.read(storage, dsid)
                values.append(value[()] if value.ndim == 0 else value)
    return _filled(tree, values)


def _filled(tree, values):
    return {name: _filled(item, values) if isinstance(item, dict) else values[item]
            for name, item in tree.items()}


def encode(tree):
    """{array name: array} of a tree for np.savez: "manifest" and a "d<i>" (and for
    strings a "b<i>") per dataset, as the module's docstring describes."""
    arrays, strings, numbers = {}, [], itertools.count()

    def skeleton(node):
        out = {}
        for name, value in node.items():
            if isinstance(value, dict):
                out[name] = skeleton(value)
                continue
            i = out[name] = next(numbers)
            if isinstance(value, str) or getattr(value, "dtype", None) == object:
                texts = np.asarray(value, dtype=object)
                encoded = [t.encode("utf-8") for t in texts.ravel()]
                arrays[f"d{i}"] = np.array([len(b) for b in encoded],
                                           np.int64).reshape(texts.shape)
                arrays[f"b{i}"] = np.frombuffer(b"".join(encoded), np.uint8)
                strings.append(i)
            else:
                arrays[f"d{i}"] = np.asarray(value)
        return out

    manifest = json.dumps({"tree": skeleton(tree), "strings": strings}).encode("utf-8")
    return {"manifest": np.frombuffer(manifest, np.uint8), **arrays}


def main(argv):
    path, out = argv
    try:
        tree = read(path)
    except Refused as e:
        print(json.dumps({"refused": str(e)}), flush=True)
        return 1
    np.savez(out, **encode(tree))
    try:
        graph_from_tree(require_nir(), path, tree)
    except EmulatorError:
        pass  # only the time it takes matters here: the parent raises it again
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
