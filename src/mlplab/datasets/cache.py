"""An on-disk cache of what scikit-learn computes for a run's data: the built-in tables and the
stratified splits. Importing scikit-learn takes about a second (it loads much of SciPy), longer
than a whole default ``mlplab train``; with the cache, a run whose data and split were made
before never imports it.

A result is stored under a key made of what determines it: the call's own arguments (arrays by
their SHA-256) and the installed scikit-learn (the SHA-256 of its ``__init__.py``, which holds its
version, found without importing it). So a cached result is exactly what scikit-learn returned
for the same inputs; a new scikit-learn makes new keys. Each file is an ``.npz`` of plain arrays
(loaded with ``allow_pickle=False``) holding the SHA-256 of its own arrays, checked on load; a
file that is missing, damaged or altered is recomputed and rewritten, written atomically.

Where: ``$MLPLAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlplab``, else ``~/.cache/mlplab``. Setting
``MLPLAB_CACHE_DIR`` to an empty string turns the cache off; so does a directory that cannot be
written (the result is then computed each time, nothing fails).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1  # bump when what a key stands for changes
_DIGEST = "__sha256__"


def cache_dir() -> Path | None:
    """The cache directory, or None when the cache is off (``MLPLAB_CACHE_DIR=''``)."""
    env = os.environ.get("MLPLAB_CACHE_DIR")
    if env is not None:
        return Path(env) if env else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mlplab"


def sklearn_fingerprint() -> str:
    """SHA-256 of the installed scikit-learn's ``__init__.py`` (it holds the version), without
    importing scikit-learn; ``"none"`` when it is not installed."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        return "none"
    try:
        return hashlib.sha256(Path(spec.origin).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def array_digest(a: np.ndarray) -> str:
    """SHA-256 of an array's dtype, shape and bytes."""
    a = np.ascontiguousarray(a)
    h = hashlib.sha256(f"{a.dtype.str}{a.shape}".encode())
    h.update(a.tobytes())
    return h.hexdigest()


def _digest(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for name in sorted(arrays):
        h.update(name.encode() + b"\0" + array_digest(arrays[name]).encode())
    return h.hexdigest()


def key_of(parts: dict[str, Any]) -> str:
    """The file name of a result: a hash of ``parts`` (JSON-able values), the format and the
    installed scikit-learn."""
    text = json.dumps({"format": FORMAT, "sklearn": sklearn_fingerprint(), **parts}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _read(path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except Exception:  # noqa: BLE001 - absent, damaged or not an npz (BadZipFile, ...): recompute
        return None
    stored = arrays.pop(_DIGEST, None)
    if stored is None or str(stored) != _digest(arrays):
        return None
    return arrays


def _write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, allow_pickle=False, **arrays, **{_DIGEST: np.array(_digest(arrays))})
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def cached(
    kind: str, parts: dict[str, Any], compute: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """``compute()``'s arrays, from the cache when the same ``kind`` and ``parts`` were computed
    before with the same scikit-learn; otherwise computed now and stored (an exception of
    ``compute`` propagates and nothing is stored)."""
    root = cache_dir()
    if root is None:
        return compute()
    path = root / f"{kind}-{key_of({'kind': kind, **parts})}.npz"
    found = _read(path)
    if found is not None:
        return found
    arrays = {k: np.asarray(v) for k, v in compute().items()}
    _write(path, arrays)
    return arrays
