"""Cache files that cannot run code: NumPy arrays (``allow_pickle=False``) and tagged JSON.

A store folder is copied, shared and mounted, so nothing read from it may
execute: no pickle. A cache file is one ``.npz`` (a zip of ``.npy`` arrays of
plain numbers); structured values (dicts, sets, tuples) travel as one JSON
document kept in it as UTF-8 bytes, where every JSON object is a one-key tag
naming a type from a fixed list. Anything else read back is refused, and the
caller rebuilds the cache.

Versions are a hash of what defines the format (:func:`version`), so a change
of shape gives a new name instead of relying on a hand-bumped constant.
Files are written to a temporary name, fsynced, then renamed into place.
"""
import hashlib
import json
import os
import re
import tempfile
from array import array
from pathlib import Path

import numpy as np

__all__ = ["pid_alive", "version", "encode", "decode", "pack_strings", "unpack_strings", "save", "load", "write_bytes",
           "BadCache"]


class BadCache(ValueError):
    """A cache file that is not what this code writes: ignore it and rebuild."""


def version(*parts) -> str:
    """A short hash of the format definition ``parts`` (names, fields, queries)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:12]


# -- tagged JSON ------------------------------------------------------------
# every JSON object is {tag: value}: m dict (pairs), t tuple, l list, f frozenset, a array("i"), r a record
# (dataclass, by name from ``records``)

def encode(value, records: dict | None = None):
    """``value`` as plain JSON data (lists, strings, numbers, one-key tag objects)."""
    names = {cls: name for name, cls in (records or {}).items()}

    def enc(x):
        if x is None or isinstance(x, (bool, int, float, str)):
            return x
        if isinstance(x, dict):
            return {"m": [[enc(k), enc(v)] for k, v in x.items()]}
        if isinstance(x, tuple):
            return {"t": [enc(v) for v in x]}
        if isinstance(x, list):
            return {"l": [enc(v) for v in x]}
        if isinstance(x, (set, frozenset)):
            return {"f": sorted((enc(v) for v in x), key=repr)}
        if isinstance(x, array) and x.typecode == "i":
            return {"a": x.tolist()}
        if type(x) in names:
            return {"r": [names[type(x)], enc(dict(vars(x)))]}
        raise TypeError(f"cannot cache a {type(x).__name__}")
    return enc(value)


def decode(text: str, records: dict | None = None):
    """The value :func:`encode` gave, from its JSON text; :class:`BadCache` for anything else."""
    records = records or {}

    def hook(obj):
        if len(obj) != 1:
            raise BadCache("not a cache object")
        (tag, v), = obj.items()
        if not isinstance(v, list):
            raise BadCache("not a cache object")
        if tag == "m":
            return {k: x for k, x in v}
        if tag == "t":
            return tuple(v)
        if tag == "l":
            return v
        if tag == "f":
            return frozenset(v)
        if tag == "a":
            return array("i", v)
        if tag == "r" and len(v) == 2 and v[0] in records and isinstance(v[1], dict) and all(
                isinstance(k, str) for k in v[1]):
            return records[v[0]](**v[1])  # plain data only: the record's own fields (others: TypeError)
        raise BadCache("not a cache object")
    try:
        return json.loads(text, object_hook=hook)
    except BadCache:
        raise
    except (ValueError, TypeError, RecursionError) as e:
        raise BadCache(str(e)) from None


def pack_strings(items) -> tuple[np.ndarray, np.ndarray]:
    """Strings as one UTF-8 byte array and the end offset of each."""
    encoded = [s.encode("utf-8", "surrogatepass") for s in items]
    ends = np.cumsum([len(b) for b in encoded], dtype=np.int64) if encoded else np.zeros(0, np.int64)
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), ends


def unpack_strings(blob: np.ndarray, ends: np.ndarray) -> list:
    data = blob.tobytes()
    starts = [0, *ends[:-1].tolist()]
    return [data[a:b].decode("utf-8", "surrogatepass") for a, b in zip(starts, ends.tolist())]


# -- files --------------------------------------------------------------------

def write_bytes(path: Path, data: bytes) -> None:
    """Write atomically: a temporary file in the same folder, fsynced, then renamed over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:20]}-{os.getpid()}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    try:  # the rename itself survives a crash once the folder is synced
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass  # some platforms cannot open a folder


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_TMP = re.compile(r"\..*-(\d+)-[^-]*\.tmp")


def _sweep(folder: Path) -> None:
    """Remove the temporary files of writes whose process is gone (killed before its rename)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        m = _TMP.fullmatch(name)
        if m and not pid_alive(int(m.group(1))):
            try:
                os.unlink(folder / name)
            except OSError:
                pass


def save(path: Path, arrays: dict) -> None:
    """NumPy arrays of numbers (no objects) as one ``.npz``, written atomically."""
    import io
    buf = io.BytesIO()
    for name, a in arrays.items():
        if a.dtype.hasobject:
            raise TypeError(f"{name} holds objects")
    np.savez(buf, **arrays)
    write_bytes(path, buf.getvalue())


def load(path: Path, folder: Path) -> dict:
    """The arrays of a ``.npz`` inside ``folder``, read without pickle; :class:`BadCache` when it is anything
    else (outside the folder, not a zip, an array of objects). OSError when missing or unreadable."""
    path, folder = Path(path), Path(folder)
    if path.resolve().parent != folder.resolve() or path.is_symlink():
        raise BadCache("cache file outside its folder")
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except OSError:
        raise
    except Exception as e:  # BadZipFile, ValueError (objects), EOFError: a file this code did not write
        raise BadCache(str(e)) from None
