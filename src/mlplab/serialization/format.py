"""The file format of ``mlplab.save``: the header's constants, and the encoder and decoder between
Python objects and the header's structure tree plus a list of arrays (see ``mlplab.serialization``)."""

from __future__ import annotations

import collections
import hashlib
import json
import math
import os
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

from .. import _dtype
from ..tensor import Parameter, Tensor

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
