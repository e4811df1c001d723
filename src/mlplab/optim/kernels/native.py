"""The kernels in C (``native.c``), built once with the system C compiler and called through ctypes.

Why C and not numba by default: a process that loads numba's kernels carries LLVM. Measured
(``VmRSS``, Python 3.11, numba 0.68): ``import llvmlite.binding`` +39 MiB, ``import numba`` +17 MiB,
loading the cached Adam kernel +57 MiB (compiling it instead: +71 MiB), so the 784-256-256-10
training run peaked at 346 MiB against the hand-written NumPy floor's 223 MiB. The same loops in C
add 2.5 MiB (``mlplab.optim``'s lazy import included; 5 ms once built) and run as fast.

Building: ``$CC`` (else ``cc``) with ``-O2 -ftree-vectorize -march=native -ffp-contract=off
-fno-math-errno -fno-trapping-math`` (``-march=native`` and GCC's ``-fvect-cost-model`` dropped if
the compiler refuses them); 1.3 s with GCC 12 at load average 2.5. No fast-math: the compiler
neither reorders nor contracts, so every line rounds as the NumPy reference's passes do, and
``fma`` stands where the reference rounds once (tested bitwise,
``tests/optim/test_kernels_bitwise.py``). The library is cached under a name hashed from the
source, the flags, the compiler and the CPU: in ``$MLPLAB_CACHE_DIR`` if set, else beside this file
(``__pycache__``) when that is writable, else in ``~/.cache/mlplab``. It is written to a temporary
name and renamed, so concurrent first runs never load half a file.
No compiler, or a failed build: :func:`load` returns None and the executor runs the NumPy path.
"""

from __future__ import annotations

import ctypes
import hashlib
import operator
import os
import platform
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import args

__all__ = ["Many", "cached", "load"]

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "native.c"
FLAGS = (
    "-O2",
    "-ftree-vectorize",
    "-ffp-contract=off",
    "-fno-math-errno",
    "-fno-trapping-math",
    "-fPIC",
    "-shared",
)
NATIVE = "-march=native"
# tried in this order: GCC's cost model lets it vectorise a loop behind a run-time overlap check;
# -O2 with it runs as fast as -O3 here and builds in 0.8 s against 5.2 s (measured, load 2.5)
EXTRAS = ((NATIVE, "-fvect-cost-model=dynamic"), (NATIVE,), ())

# the loops' arguments after the arrays and their length: b = a flag (C int), f = a float in T
_SIGNATURES = {
    "adam": (5, "bffbfffbfff"),
    "nadam": (4, "bffbfffffff"),
    "rmsprop": (5, "bfffbbfffbf"),
    "adagrad": (3, "bfff"),
    "sgd": (3, "bfbbffbf"),
    "momentum": (3, "bffff"),
}
_C_FLOAT = {"f32": ctypes.c_float, "f64": ctypes.c_double}
_SUFFIX = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64"}


def _compiler() -> str | None:
    name = os.environ.get("CC") or "cc"
    return shutil.which(name.split()[0]) if name.strip() else None


def _cpu() -> str:
    """What ``-march=native`` depends on: the CPU model and feature flags (Linux), else the platform."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        keep = [ln for ln in lines if ln.startswith(("model name", "flags", "Features"))]
        return "\n".join(sorted(set(keep)))
    except OSError:
        return f"{platform.machine()} {platform.processor()}"


def _cache_dirs() -> list[Path]:
    dirs = []
    if os.environ.get("MLPLAB_CACHE_DIR"):
        dirs.append(Path(os.environ["MLPLAB_CACHE_DIR"]))
    dirs.append(HERE / "__pycache__")
    dirs.append(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mlplab")
    return dirs


def _library_name(compiler: str) -> str:
    key = hashlib.sha256()
    for part in (
        SOURCE.read_bytes(),
        " ".join(FLAGS + EXTRAS[0]).encode(),
        compiler.encode(),
        _cpu().encode(),
    ):
        key.update(part)
        key.update(b"\0")
    suffix = ".dll" if sys.platform == "win32" else ".so"
    return f"native-{key.hexdigest()[:16]}{suffix}"


def _build(compiler: str, target: Path) -> bool:
    """Compile ``native.c`` into ``target`` (atomically); False when the compiler fails."""
    import subprocess  # only here: a process that finds the library built never imports these
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        for extra in EXTRAS:  # the first set of flags the compiler takes
            cmd = [compiler, *FLAGS, *extra, "-o", tmp, str(SOURCE), "-lm"]
            try:
                done = subprocess.run(cmd, capture_output=True, timeout=300, check=False)
            except (OSError, subprocess.SubprocessError):
                return False
            if done.returncode == 0:
                os.replace(tmp, target)
                return True
        return False
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _library() -> ctypes.CDLL | None:
    compiler = _compiler()
    if compiler is None or not SOURCE.is_file():
        return None
    name = _library_name(compiler)
    for folder in _cache_dirs():
        path = folder / name
        if not path.is_file():
            try:
                if not _build(compiler, path):
                    return None  # the compiler fails here: it would fail in any folder
            except OSError:  # the folder is not writable: the next one
                continue
        try:
            return ctypes.CDLL(str(path))
        except OSError:
            continue
    return None


def cached() -> bool:
    """Whether :func:`load` would find the library built: it is in the first cache folder that holds
    it, before any folder :func:`load` could build it in (a few ms: the source hashed, the CPU read;
    nothing is built or loaded)."""
    compiler = _compiler()
    if compiler is None or not SOURCE.is_file():
        return False
    name = _library_name(compiler)
    for folder in _cache_dirs():
        if (folder / name).is_file():
            return True
        if _writable(folder):  # load() would build it here
            return False
    return False


def _writable(folder: Path) -> bool:
    """Whether ``folder`` could be written (or created: its nearest existing parent writable)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return os.access(folder, os.W_OK)


def _bind(lib: ctypes.CDLL, name: str) -> Callable[[np.ndarray, np.ndarray, list[np.ndarray], Any], None]:
    n_arrays, kinds = _SIGNATURES[name]
    prepare = getattr(args, name)
    loops = {}
    for dtype, suffix in _SUFFIX.items():
        loop = getattr(lib, f"{name}_{suffix}")
        scalar = [ctypes.c_int if k == "b" else _C_FLOAT[suffix] for k in kinds]
        loop.argtypes = [_BYTES] * n_arrays + [ctypes.c_ssize_t] + scalar
        loop.restype = None
        loops[dtype] = loop

    # the last call's dtype, scalars ``s`` and state count, its C scalars, and which of (w, g, *state,
    # stand-in) each array argument was (found at the first repeat, so a call that repeats nothing
    # pays ~0.2 us, not more): the calls of a step (and plain SGD's steps) pass the same scalar
    # objects again, and then skip ``prepare``'s casts (~1 us a call, measured). Identity, not ==,
    # so 0.0 and -0.0 are never confused; immutable scalars only, so none changed in place since
    memo: list[Any] = [None, (), 0, (), None]

    def kernel(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> None:
        dtype, size = w.dtype, w.size
        spare = args.unused(dtype)  # the 1-element stand-in for a state array an option leaves out
        seen = memo[1]
        if (
            memo[0] is dtype
            and memo[2] == len(state)
            and (seen is s or (len(seen) == len(s) and all(map(operator.is_, seen, s))))
        ):
            layout = memo[4]
            if layout is None:  # the first repeat: where each array argument comes from
                arrays, scalars = prepare(w, g, state, s)
                ids = [id(w), id(g), *map(id, state), id(spare)]
                try:
                    memo[4] = [ids.index(id(a)) for a in arrays]
                except ValueError:  # an array argument that is none of them
                    memo[0] = None
            else:
                sources = (w, g, *state, spare)
                arrays = [sources[i] for i in layout]
                scalars = memo[3]
        else:
            arrays, scalars = prepare(w, g, state, s)
            if _PLAIN.issuperset(map(type, s)):
                memo[:] = dtype, s, len(state), scalars, None
            else:  # a scalar that could change in place
                memo[0] = None
        loop = loops.get(dtype)
        for a in arrays:  # C reads raw memory: anything else would be read wrongly, not slowly
            if (
                loop is None
                or a.dtype != dtype
                or not a.flags.c_contiguous
                or (a.size != size and a is not spare)
            ):
                raise ValueError(
                    f"optimiser kernel {name}: expected C-contiguous float32/float64 arrays of "
                    f"{w.dtype} and {size} elements, got {a.dtype} of shape {a.shape}"
                )
        loop(*_pointers(arrays), size, *scalars)  # ctypes casts the scalars to c_float exactly

    kernel.__name__ = kernel.__qualname__ = name
    return kernel


_BYTES = ctypes.POINTER(ctypes.c_ubyte)
_PLAIN = {bool, int, float, type(None), np.float32, np.float64}
_from_buffer = ctypes.c_ubyte.from_buffer


def _pointers(arrays: tuple[np.ndarray, ...]) -> list[Any]:
    """The arrays' data as C pointers: ``c_ubyte.from_buffer`` (which ctypes passes by reference) costs
    ~0.9 us an array against ~3 us for ``a.ctypes.data`` (measured, loaded machine); a read-only or
    empty array, which ``from_buffer`` refuses, goes by ``a.ctypes`` (C only reads a gradient)."""
    try:
        return [_from_buffer(a) for a in arrays]
    except (TypeError, ValueError):
        return [a.ctypes.data_as(_BYTES) for a in arrays]


class Many:
    """An update of several parameters in one C call: plain SGD (``sgd_many`` in ``native.c``), or
    Adam/AdamW without amsgrad (``adam_many``: each parameter's state arrays ``exp_avg`` and
    ``exp_avg_sq`` too).

    Made once for a group's weight arrays and state arrays (kept, with their addresses and sizes in
    C arrays); each call takes the gradients, one per weight, checks each (dtype, C order, size) and
    passes its address. A step of six parameters is then one foreign call instead of one per
    parameter, with no NumPy in between. The arrays are trusted to be the ones they were: the caller
    checks that each parameter (and its state) still holds its arrays (``p._data is w``); they stay
    referenced here, so NumPy cannot reallocate them (``resize`` refuses an array with other references).
    """

    __slots__ = ("weights", "states", "dtype", "count", "_loop", "_w", "_g", "_n", "_s", "_sizes", "_prepare")
    __slots__ += ("_seen", "_c", "_args")

    def __init__(
        self,
        loop: Any,
        prepare: Any,
        weights: tuple[np.ndarray, ...],
        dtype: np.dtype,
        states: Any = (),
        kinds: str = "",
    ) -> None:
        self.weights = weights
        self.states = tuple(tuple(arrays) for arrays in states)  # per state entry, one array a weight
        self.dtype = dtype
        self.count = len(weights)
        self._loop = loop
        self._prepare = prepare
        self._sizes = tuple(w.size for w in weights)
        self._w = (ctypes.c_void_p * self.count)(*(_address(w) for w in weights))
        self._s = [(ctypes.c_void_p * self.count)(*(_address(a) for a in arrays)) for arrays in self.states]
        self._g = (ctypes.c_void_p * self.count)()
        self._n = (ctypes.c_ssize_t * self.count)(*self._sizes)
        # the scalar arguments as C objects of the loop's types ('b': int, else the arrays' float),
        # set by run(); with the pointer arrays they are the whole argument list, passed as they are
        # (``loop`` has no argtypes: ctypes then converts nothing, 1.2 us a call against 2.7 for
        # checking and converting 14 arguments, measured)
        real = _C_FLOAT[_SUFFIX[dtype]]
        self._c = tuple(ctypes.c_int() if k == "b" else real() for k in kinds)
        self._args = (ctypes.c_ssize_t(self.count), self._w, self._g, *self._s, self._n, *self._c)
        self._seen: Any = None  # the scalars ``s`` the C objects hold (None: none yet, or not plain)

    def __call__(self, grads: list[np.ndarray], s: Any) -> bool:
        """The update of every weight with its gradient in ``grads``, the scalars ``s`` as the
        optimiser's ``scalars`` gives them; False, with nothing done, where a gradient does not fit
        its weight (another dtype or size, not C-contiguous) or their counts differ."""
        if not self.take(grads):
            return False
        self.run(s)
        return True

    def take(self, grads: list[np.ndarray]) -> bool:
        """Whether ``grads`` fit the weights (see :meth:`__call__`); if so, their addresses are kept
        for :meth:`run`."""
        if len(grads) != self.count:
            return False
        dtype = self.dtype
        pointers = self._g
        k = 0
        for g, size in zip(grads, self._sizes):
            if (g.dtype is not dtype and g.dtype != dtype) or g.size != size:
                return False
            try:  # from_buffer takes only a writeable C-contiguous buffer: that is the order check
                pointers[k] = _addressof(_from_buffer(g))
            except (TypeError, ValueError):  # read-only (C only reads it), or not C-contiguous
                if not g.flags.c_contiguous:
                    return False
                pointers[k] = g.ctypes.data
            k += 1
        return True

    def run(self, s: Any) -> None:
        """The C loop on the weights, state and the gradients last :meth:`take`-n, scalars ``s``."""
        seen = self._seen
        if not (seen is s or (seen is not None and len(seen) == len(s) and all(map(operator.is_, seen, s)))):
            for c, value in zip(self._c, self._prepare(self.dtype, s)):
                c.value = value  # a float rounded to C's float/double once, as a NumPy cast rounds it
            self._seen = s if _PLAIN.issuperset(map(type, s)) else None
        self._loop(*self._args)


def _address(a: np.ndarray) -> int:
    """The address of ``a``'s data: through ``c_ubyte.from_buffer`` (~0.3 us), else (a read-only or
    empty array) ``a.ctypes.data`` (~1 us)."""
    try:
        return _addressof(_from_buffer(a))
    except (TypeError, ValueError):
        return a.ctypes.data


_addressof = ctypes.addressof


def _bind_many(lib: ctypes.CDLL, name: str) -> Callable[..., Many | None]:
    """The factory of :class:`Many` calls of loop ``name`` (``"sgd_many"``, ``"adam_many"``): it takes a
    group's weight arrays (and, per state entry, the parameters' arrays of it) and gives None where
    the C loop cannot take them (not all of one dtype, float32 or float64, each C-contiguous and
    writeable, the state arrays each of its weight's size; no weights; another number of state
    entries than the loop's). The factory's ``states`` is that number."""
    n_states, kinds = _MANY[name]
    prepare = getattr(args, name)
    loops = {}
    for dtype, suffix in _SUFFIX.items():
        loop = lib[f"{name}_{suffix}"]  # a handle of its own: no argtypes (Many passes C objects)
        loop.restype = None
        loops[dtype] = loop

    def bind(weights: list[np.ndarray], states: Any = ()) -> Many | None:
        if not weights or len(states) != n_states:
            return None
        dtype = weights[0].dtype
        loop = loops.get(dtype)
        if loop is None or not all(
            w.dtype == dtype and w.flags.c_contiguous and w.flags.writeable for w in weights
        ):
            return None
        for arrays in states:
            if len(arrays) != len(weights) or not all(
                a.dtype == dtype and a.flags.c_contiguous and a.flags.writeable and a.size == w.size
                for a, w in zip(arrays, weights)
            ):
                return None
        return Many(loop, prepare, tuple(weights), dtype, states, kinds)

    bind.__name__ = bind.__qualname__ = name
    bind.states = n_states  # type: ignore[attr-defined]
    return bind


# the loops over several parameters' arrays (``Many``), by name: (state arrays a parameter, scalars)
_MANY = {"sgd_many": (0, "bff"), "adam_many": (2, "bffbffffff")}


def load() -> dict[str, Any] | None:
    """Each optimiser's kernel by loop name (``"adam"``, ...) and the factories of :class:`Many` calls
    (``"sgd_many"``, ``"adam_many"``), or None where no library can be built."""
    lib = _library()
    if lib is None:
        return None
    table: dict[str, Any] = {name: _bind(lib, name) for name in _SIGNATURES}
    table.update((name, _bind_many(lib, name)) for name in _MANY)
    return table
