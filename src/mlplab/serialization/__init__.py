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

import os
from typing import Any

import numpy as np

from .archive import _file_name, _load_arrays, _open_archive, _parse_header, _write_atomic
from .format import FORMAT_VERSION, FileLike, SerializationError, _Decoder, _digest, _pack

__all__ = ["FORMAT_VERSION", "SerializationError", "load", "save"]


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
