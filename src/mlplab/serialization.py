"""Saving and loading without pickle: ``mlplab.save(obj, f)`` and ``mlplab.load(f)``.

What can be saved: nested dicts (str, int, float, bool or None keys), lists and tuples of Tensors,
NumPy arrays and scalars, Python ints, floats, bools, strings, bytes, None and mlplab dtypes; that
covers ``model.state_dict()``, ``optimizer.state_dict()`` (int keys), scheduler states, generator
states and whole training checkpoints. Anything else (a function, a Module, an object array) raises
``TypeError`` naming its type and where it sits (``obj['model']['fn']``).

File format: one ``.npz`` archive (``numpy.savez``), whatever the suffix (``model.pt`` is fine)::

    __mlplab__.npy      the header: UTF-8 JSON stored as a uint8 array
    a0.npy, a1.npy ...  every tensor, array and NumPy scalar, in the order they were met

    header = {"format": "mlplab", "version": 1,
              "arrays": [[dtype, shape], ...], "structure": <tree>, "sha256": <hex>}
    sha256 = SHA-256(canonical JSON of the header without "sha256" || bytes of a0 || bytes of a1 ...)

The structure tree is plain JSON: null/true/false/numbers/strings stand for themselves, containers
and arrays are tagged objects (``{"t": "dict", "k": [...], "v": [...]}``, ``{"t": "tensor", "a": 0}``).

Safety: loading reads arrays with ``allow_pickle=False`` and builds only the types above, so it never
executes code. A truncated, altered or foreign file is refused with ``SerializationError`` (a
``ValueError``) naming the file and the problem. Writing to a path is atomic: the archive is written
to a temporary file in the same directory, flushed to disk, then renamed over the target, so a crash
leaves either the old file or the new one, never half of one.

Differences from ``torch.save``/``torch.load``: no pickle, so arbitrary Python objects cannot be
stored; tensors come back with ``requires_grad=False`` (Parameters keep theirs); ``map_location``,
``weights_only`` and the pickle options are accepted and ignored.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import io
import json
import math
import os
import tempfile
import zipfile
import zlib
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

from . import _dtype
from .tensor import Parameter, Tensor

__all__ = ["FORMAT_VERSION", "SerializationError", "load", "save"]

FORMAT_VERSION = 1
_HEADER = "__mlplab__"
_KEY_TYPES = (str, int, float, bool, type(None))

FileLike = str | os.PathLike | IO[bytes]


class SerializationError(ValueError):
    """A file that ``mlplab.load`` refuses: not an mlplab file, truncated, or altered."""


# ---------------------------------------------------------------------------------------- encoding
class _Encoder:
    """Turns an object tree into (JSON structure, list of arrays), checking every type on the way."""

    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []
        self._seen: dict[int, int] = {}  # id(tensor or array) -> array index, so shared objects stay shared
        self._open: set[int] = set()  # containers being encoded, to catch cycles

    def _add(self, key_obj: Any, arr: np.ndarray, path: str) -> int:
        if arr.dtype.hasobject:
            raise TypeError(f"{path}: cannot save an array of dtype object (it would need pickle)")
        if key_obj is not None and id(key_obj) in self._seen:
            return self._seen[id(key_obj)]
        self.arrays.append(arr)
        i = len(self.arrays) - 1
        if key_obj is not None:
            self._seen[id(key_obj)] = i
        return i

    def encode(self, obj: Any, path: str) -> Any:
        if obj is None or isinstance(obj, (bool, str)):
            return str(obj) if isinstance(obj, str) else obj
        if isinstance(obj, Tensor):
            node: dict[str, Any] = {"t": "tensor", "a": self._add(obj, obj._data, path)}
            if isinstance(obj, Parameter):
                node["param"] = True
                node["rg"] = obj.requires_grad
            return node
        if isinstance(obj, np.ndarray):
            return {"t": "ndarray", "a": self._add(obj, obj, path)}
        if isinstance(obj, np.generic):
            return {"t": "npscalar", "a": self._add(None, np.asarray(obj), path)}
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"t": "float", "v": repr(float(obj))}
        if isinstance(obj, _dtype.dtype):
            return {"t": "dtype", "v": obj.name}
        if isinstance(obj, (bytes, bytearray)):
            return {"t": "bytes", "a": self._add(None, np.frombuffer(bytes(obj), dtype=np.uint8), path)}
        if isinstance(obj, (Mapping, list, tuple)):
            if id(obj) in self._open:
                raise ValueError(f"{path}: cannot save a circular reference (the container contains itself)")
            self._open.add(id(obj))
            try:
                return self._container(obj, path)
            finally:
                self._open.discard(id(obj))
        hint = " (save its state_dict() instead)" if hasattr(obj, "state_dict") else ""
        raise TypeError(
            f"{path}: cannot save object of type {type(obj).__name__}{hint}; mlplab.save stores Tensors, "
            "NumPy arrays, numbers, strings, bytes, None and dicts/lists/tuples of them"
        )

    def _container(self, obj: Any, path: str) -> dict[str, Any]:
        if isinstance(obj, Mapping):
            keys, values = [], []
            for k, v in obj.items():
                if not isinstance(k, _KEY_TYPES) or isinstance(k, np.generic):
                    raise TypeError(
                        f"{path}: cannot save a dict key of type {type(k).__name__} ({k!r}); "
                        "keys must be str, int, float, bool or None"
                    )
                keys.append(self.encode(k, path))
                values.append(self.encode(v, f"{path}[{k!r}]"))
            node = {"t": "dict", "k": keys, "v": values}
            if isinstance(obj, collections.OrderedDict):
                node["cls"] = "OrderedDict"
            return node
        tag = "tuple" if isinstance(obj, tuple) else "list"
        return {"t": tag, "v": [self.encode(v, f"{path}[{i}]") for i, v in enumerate(obj)]}


def _canonical(meta: dict[str, Any]) -> bytes:
    text = json.dumps(meta, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def _digest(meta: dict[str, Any], arrays: list[np.ndarray]) -> str:
    h = hashlib.sha256(_canonical(meta))
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _pack(obj: Any) -> dict[str, np.ndarray]:
    """Everything ``np.savez`` writes: the header entry and ``a0, a1, ...``."""
    enc = _Encoder()
    structure = enc.encode(obj, "obj")
    meta = {
        "format": "mlplab",
        "version": FORMAT_VERSION,
        "arrays": [[a.dtype.str, list(a.shape)] for a in enc.arrays],
        "structure": structure,
    }
    header = dict(meta, sha256=_digest(meta, enc.arrays))
    out = {_HEADER: np.frombuffer(_canonical(header), dtype=np.uint8)}
    out.update({f"a{i}": a for i, a in enumerate(enc.arrays)})
    return out


def _write_atomic(path: str, entries: dict[str, np.ndarray]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{path}: cannot save, the directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, allow_pickle=False, **entries)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError, AttributeError):  # make the rename itself durable (POSIX)
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: Any = None, **_: Any) -> None:
    """Save ``obj`` (Tensors, arrays, numbers, strings in dicts/lists/tuples) to ``f``, as ``torch.save``.

    ``f`` is a path (``str`` or ``Path``; any suffix, written atomically) or a binary file object.
    Raises ``TypeError`` naming the type and key path of anything that cannot be stored; nothing is
    written in that case.
    """
    entries = _pack(obj)  # validates everything before touching the disk
    if isinstance(f, (str, os.PathLike)):
        _write_atomic(os.fspath(f), entries)
    elif hasattr(f, "write"):
        np.savez(f, allow_pickle=False, **entries)
    else:
        raise TypeError(f"mlplab.save: f must be a path or a binary file object, got {type(f).__name__}")


# ---------------------------------------------------------------------------------------- decoding
def _file_name(f: Any) -> str:
    if isinstance(f, (str, os.PathLike)):
        return os.fspath(f)
    name = getattr(f, "name", None)
    return name if isinstance(name, str) else "<file object>"


# room for an .npy entry's own header (magic, version, dict padded to 64 bytes; numpy allows up
# to 64 KiB) on top of the data bytes the mlplab header declares
_NPY_HEADER_MAX = 65536 + 16


def _check_entry(zf: zipfile.ZipFile, member: str, name: str, limit: int) -> None:
    """Refuse, before anything is inflated or allocated, an entry that is compressed or larger
    than ``limit`` bytes (what the mlplab header declares for it): a small file must not make
    ``load`` allocate much more than its own size."""
    info = zf.getinfo(member)
    if info.compress_type != zipfile.ZIP_STORED:
        raise SerializationError(
            f"{name}: entry {member} is compressed (zip method {info.compress_type}); expected a stored "
            "entry as mlplab.save writes, refusing to inflate it"
        )
    if info.file_size != info.compress_size or info.file_size > limit:
        raise SerializationError(
            f"{name}: entry {member} declares {info.file_size} bytes ({info.compress_size} stored); "
            f"expected at most {limit} (the file was altered)"
        )


def _read_entry(
    zf: zipfile.ZipFile,
    member: str,
    name: str,
    limit: int,
    expect: tuple[np.dtype, tuple[int, ...]] | None = None,
) -> np.ndarray:
    _check_entry(zf, member, name, limit)
    try:
        with zf.open(member) as fh:
            if expect is not None:  # the .npy header must match the mlplab header before allocating
                version = np.lib.format.read_magic(fh)
                read_header = (
                    np.lib.format.read_array_header_1_0
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0
                )
                shape, _, dtype = read_header(fh)
                if dtype.str != expect[0].str or tuple(shape) != expect[1]:
                    raise SerializationError(
                        f"{name}: checksum mismatch: entry {member} is {dtype.str}{list(shape)}, "
                        f"the header says {expect[0].str}{list(expect[1])} (the file was altered)"
                    )
                fh.seek(0)
            return np.lib.format.read_array(fh, allow_pickle=False)
    except zipfile.BadZipFile as e:
        if "CRC" in str(e):
            raise SerializationError(
                f"{name}: checksum mismatch in entry {member} (zip CRC): the file was altered or corrupted"
            ) from None
        raise SerializationError(f"{name}: corrupted or truncated entry {member} ({e})") from None
    except ValueError as e:
        if "allow_pickle" in str(e):
            raise SerializationError(
                f"{name}: entry {member} holds pickled Python objects; refusing to load it "
                "(mlplab files never contain pickle, and loading pickle could execute code)"
            ) from None
        raise SerializationError(f"{name}: corrupted or truncated entry {member} ({e})") from None
    except (EOFError, OSError, NotImplementedError, zlib.error) as e:
        raise SerializationError(f"{name}: corrupted or truncated entry {member} ({e})") from None


def _open_archive(raw: bytes, name: str) -> zipfile.ZipFile:
    if not raw:
        raise SerializationError(f"{name}: empty file (0 bytes): truncated, or never written")
    if raw[:1] == b"\x80":
        raise SerializationError(
            f"{name}: not an mlplab file: it is a pickle (e.g. an old-style torch.save file); "
            "mlplab never loads pickle"
        )
    if raw[:6] == b"\x93NUMPY":
        raise SerializationError(f"{name}: not an mlplab file: it is a single .npy array (use numpy.load)")
    if len(raw) < 4 and b"PK\x03\x04".startswith(raw):
        raise SerializationError(f"{name}: truncated file ({len(raw)} bytes)")
    if raw[:4] != b"PK\x03\x04":
        raise SerializationError(
            f"{name}: not an mlplab file (expected an .npz archive, found bytes {raw[:8]!r}...)"
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except Exception as e:  # BadZipFile for a lost end record (truncation), others for damaged records
        raise SerializationError(f"{name}: truncated or corrupted archive ({e})") from None
    names = zf.namelist()
    if _HEADER + ".npy" not in names:
        if any(n.endswith("data.pkl") for n in names):
            raise SerializationError(
                f"{name}: not an mlplab file: it is a PyTorch checkpoint (torch.save zip with pickled data); "
                "mlplab never loads pickle"
            )
        raise SerializationError(f"{name}: not an mlplab file (an archive without the {_HEADER} header)")
    return zf


def _parse_header(zf: zipfile.ZipFile, name: str, size: int) -> dict[str, Any]:
    raw = _read_entry(zf, _HEADER + ".npy", name, size)
    try:
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise ValueError("header entry is not a byte string")
        header = json.loads(raw.tobytes().decode("utf-8"))
        if not isinstance(header, dict) or header.get("format") != "mlplab":
            raise ValueError("header does not say format 'mlplab'")
    except (ValueError, UnicodeDecodeError) as e:
        raise SerializationError(f"{name}: not an mlplab file or corrupted header ({e})") from None
    version = header.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise SerializationError(
            f"{name}: written in mlplab format version {version!r}; this mlplab reads up to {FORMAT_VERSION}"
        )
    for key in ("arrays", "structure", "sha256"):
        if key not in header:
            raise SerializationError(f"{name}: corrupted header (no {key!r} entry)")
    return header


def _load_arrays(zf: zipfile.ZipFile, header: dict[str, Any], name: str) -> list[np.ndarray]:
    declared = header["arrays"]
    expected = {f"a{i}.npy" for i in range(len(declared))} | {_HEADER + ".npy"}
    extra = sorted(set(zf.namelist()) - expected)
    if extra:
        raise SerializationError(
            f"{name}: checksum mismatch: unexpected entries {extra} (the file was altered)"
        )
    arrays = []
    for i, spec in enumerate(declared):
        try:
            dt, shape = np.dtype(spec[0]), tuple(spec[1])
        except (TypeError, ValueError, IndexError) as e:
            raise SerializationError(f"{name}: corrupted header (array {i}: {e})") from None
        if dt.hasobject:
            raise SerializationError(
                f"{name}: entry a{i} is declared as pickled Python objects; refusing to load it "
                "(mlplab files never contain pickle)"
            )
        if f"a{i}.npy" not in zf.namelist():
            raise SerializationError(f"{name}: truncated: entry a{i} is missing")
        if any(not isinstance(n, int) or n < 0 for n in shape):
            raise SerializationError(f"{name}: corrupted header (array {i} has shape {list(shape)})")
        limit = int(np.prod(shape, dtype=object)) * dt.itemsize + _NPY_HEADER_MAX
        a = _read_entry(zf, f"a{i}.npy", name, limit, (dt, shape))
        if a.dtype.str != dt.str or a.shape != shape:
            raise SerializationError(
                f"{name}: checksum mismatch: entry a{i} is {a.dtype.str}{list(a.shape)}, "
                f"the header says {dt.str}{list(shape)} (the file was altered)"
            )
        arrays.append(a)
    return arrays


class _Decoder:
    def __init__(self, arrays: list[np.ndarray], name: str) -> None:
        self.arrays = arrays
        self.name = name
        self._made: dict[tuple[str, int], Any] = {}

    def _array(self, node: dict[str, Any]) -> np.ndarray:
        i = node["a"]
        if not isinstance(i, int) or not 0 <= i < len(self.arrays):
            raise ValueError(f"array index {i!r} out of range")
        return self.arrays[i]

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict):
            raise ValueError(f"unexpected node {node!r}")
        t = node["t"]
        if t in ("dict", "list", "tuple"):
            if t == "list":
                return [self.decode(v) for v in node["v"]]
            if t == "tuple":
                return tuple(self.decode(v) for v in node["v"])
            items = zip(node["k"], node["v"], strict=True)
            out = {self.decode(k): self.decode(v) for k, v in items}
            return collections.OrderedDict(out) if node.get("cls") == "OrderedDict" else out
        if t == "float":
            return float(node["v"])
        if t == "dtype":
            return _dtype._BY_NAME[node["v"]]
        key = (t, node.get("a"))
        if key in self._made:
            return self._made[key]
        arr = self._array(node)
        if t == "tensor":
            _dtype.from_numpy_dtype(arr.dtype)
            if node.get("param"):
                obj: Any = Parameter(Tensor._make(arr), requires_grad=bool(node.get("rg", True)))
            else:
                obj = Tensor._make(arr)
        elif t == "ndarray":
            obj = arr
        elif t == "npscalar":
            obj = arr[()]
        elif t == "bytes":
            obj = arr.tobytes()
        else:
            raise ValueError(f"unknown node type {t!r}")
        self._made[key] = obj
        return obj


def load(
    f: FileLike, map_location: Any = None, *, weights_only: Any = None, mmap: Any = None, **_: Any
) -> Any:
    """Load an object written by ``mlplab.save`` from a path or binary file object, as ``torch.load``.

    Never executes code. Raises ``SerializationError`` (a ``ValueError``) naming the file for a file
    that is empty, truncated, altered (checksum mismatch), pickled or not an mlplab file at all.
    """
    name = _file_name(f)
    if isinstance(f, (str, os.PathLike)):
        with open(os.fspath(f), "rb") as fh:
            raw = fh.read()
    elif hasattr(f, "read"):
        raw = f.read()
    else:
        raise TypeError(f"mlplab.load: f must be a path or a binary file object, got {type(f).__name__}")
    try:
        with _open_archive(raw, name) as zf:
            header = _parse_header(zf, name, len(raw))
            arrays = _load_arrays(zf, header, name)
        digest = _digest({k: v for k, v in header.items() if k != "sha256"}, arrays)
    except SerializationError:
        raise
    except Exception as e:  # a damaged archive fails in many ways inside zipfile/numpy; report them all
        raise SerializationError(f"{name}: corrupted or truncated file ({type(e).__name__}: {e})") from None
    if digest != header["sha256"]:
        raise SerializationError(
            f"{name}: checksum mismatch (SHA-256 of the contents differs from the one recorded): "
            "the file was altered or corrupted after it was written"
        )
    try:
        return _Decoder(arrays, name).decode(header["structure"])
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise SerializationError(f"{name}: corrupted structure in the header ({e})") from None
