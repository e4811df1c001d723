"""``Optimizer``: the base class every optimiser in :mod:`mlplab.optim` shares.

It holds what PyTorch's ``torch.optim.Optimizer`` holds, in the same layout:

- ``defaults``: the constructor's hyper-parameters;
- ``param_groups``: a list of dicts, each with ``'params'`` (a list of Tensors) and its own copy of
  every hyper-parameter (a group may override any default, e.g. a smaller ``lr`` for one layer);
- ``state``: per-parameter dicts (``state[p]['exp_avg']`` ...), filled lazily on the first step.

``state_dict()`` packs both into plain data (parameters replaced by their index in group order, state
values are Tensors, numbers or lists of them), so a checkpoint needs no pickle, and
``load_state_dict()`` resumes the exact trajectory.

Updates work on the NumPy arrays in place (``p._data``, ``p.grad._data``), never through the graph,
and keep each parameter's dtype (a float32 parameter is updated in float32 arithmetic, as PyTorch
does; Python-float hyper-parameters are cast to the array's dtype, NumPy 2's NEP 50 rule). Each
optimiser's arithmetic is one kernel function written op for op as PyTorch's single-tensor code
path (the path PyTorch takes on CPU); :meth:`Optimizer._apply` runs it over cache-sized chunks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import chain
from typing import Any

import numpy as np

from .. import _dtype
from ..autograd import grad_mode
from ..tensor import Tensor

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marker for a hyper-parameter that has no default and must be given."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_CHUNK_BYTES = 1 << 17  # 128 KiB per array and chunk: a step's ~6 arrays stay in a 1-2 MiB L2 cache
_BLAS_CHUNK = 8192  # OpenBLAS runs axpy on one thread up to 10000 elements
_FUSE_MAX = 1 << 14  # parameters of up to this many elements are updated together (Optimizer._fused)

_AXPY: dict[np.dtype, Any] | None = None  # dtype -> BLAS axpy, loaded on the first update


def _load_axpy() -> dict[np.dtype, Any]:
    """SciPy's BLAS axpy (SciPy comes with scikit-learn), imported lazily: it costs ~0.3 s."""
    global _AXPY
    try:
        from scipy.linalg import blas

        _AXPY = {np.dtype(np.float32): blas.saxpy, np.dtype(np.float64): blas.daxpy}
    except ImportError:  # pragma: no cover - NumPy fallback
        _AXPY = {}
    return _AXPY


_FOREACH_DOC = """\
    foreach, fused: accepted so PyTorch code runs unchanged, and ignored: mlplab has one update path,
        in-place NumPy ufuncs (``out=``) over cache-sized chunks of each parameter, with shared scratch
        buffers and BLAS axpy for PyTorch's fused ``add_(alpha=)`` (see ``Optimizer._apply``; timings
        against PyTorch in benchmarks/optim.py). Stored in the param group where PyTorch stores them.
    capturable, differentiable: accepted and ignored likewise (no CUDA graphs, no autograd through
        the step)."""


def _typename(o: Any) -> str:
    if isinstance(o, Tensor):
        return "mlplab.Tensor"
    t = type(o)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _scalar_state(value: float) -> Tensor:
    """A 0-d Tensor in the *default* float dtype, as PyTorch keeps ``step`` and ``mu_product``.

    PyTorch stores these in float32 unless the default dtype is float64, so the float arithmetic on
    them (e.g. NAdam's running product of momentum coefficients) rounds the same way here.
    """
    dt = np.float64 if _dtype.default_np() == np.float64 else np.float32
    return Tensor._make(np.array(value, dtype=dt))


class _Flat:
    """A group's small parameters laid end to end: one flat array for their gradients and one for
    each state entry, so that a step is one kernel call instead of one per parameter.

    ``bufs[k]`` holds state entry ``names[k]``; each parameter's state Tensor *is* a view of it, so
    the state stays exactly where ``state_dict`` and user code look for it. ``tmp`` are the
    kernel's scratch arrays; ``w`` is used only by updates that read the weights (weight decay).
    """

    __slots__ = ("params", "sizes", "names", "spans", "w", "g", "bufs", "views", "tmp")

    def gather_grads(self) -> None:
        np.concatenate([p.grad._data.ravel() for p in self.params], out=self.g)

    def gather_weights(self) -> None:
        np.concatenate([p._data.ravel() for p in self.params], out=self.w)

    def scatter_weights(self) -> None:
        w = self.w
        for p, (a, b) in zip(self.params, self.spans):
            np.copyto(p._data.ravel(), w[a:b])  # a view: fused parameters are C-contiguous

    def add_to_weights(self, d: np.ndarray) -> None:
        """``w <- w + d`` for each parameter's piece of the flat update ``d``."""
        for p, (a, b) in zip(self.params, self.spans):
            w = p._data.ravel()
            np.add(w, d[a:b], out=w)

    def axpy_to_weights(self, alpha: float, d: np.ndarray) -> None:
        """``w.add_(d, alpha=alpha)`` (one rounding, see :func:`_axpy`) for each parameter's piece."""
        tmp = self.tmp[-1]
        for p, (a, b) in zip(self.params, self.spans):
            _axpy(alpha, d[a:b], p._data.ravel(), tmp[: b - a])


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``zero_grad``, ``step``, ``state_dict``.

    Args:
        params: an iterable of Tensors, or of dicts (parameter groups) each with a ``'params'`` entry
            and optional per-group hyper-parameters; a list of ``(name, tensor)`` pairs also works.
        defaults: the hyper-parameters a group uses when it does not set them.
    """

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                f"but got {_typename(params)}"
            )
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._pools: dict[np.dtype, list[np.ndarray]] = {}
        self._flats: dict[int, _Flat] = {}
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Append a group: its tensors plus any hyper-parameters it overrides (others from ``defaults``)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of "
                "tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        tensors, names = [], []
        for p in params:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are missing"
                )
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {_typename(p)}"
                )
            if not self.defaults.get("differentiable", None) and not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization parameter {name}"
                )
            param_group.setdefault(name, default)
        seen: set[int] = set()
        for g in self.param_groups:
            seen.update(id(p) for p in g["params"])
            if ("param_names" in param_group) != ("param_names" in g):
                txt = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {txt} to the optimizer"
                )
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self._validate_group(param_group)
        self.param_groups.append(param_group)

    def _validate_group(self, group: dict[str, Any]) -> None:
        """Hook for optimisers whose group values need checking (e.g. LBFGS allows one group)."""

    # ------------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to ``None`` (default, as PyTorch) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        g = p.grad
                        g.grad_fn = None
                        g._rg = False
                        g._data.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()``'s loss when one is given."""
        raise NotImplementedError

    def _eval_closure(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    def _apply(
        self, kernel: Callable[..., None], arrays: list[np.ndarray | None], n_tmp: int, *args: Any
    ) -> None:
        """Run an elementwise update ``kernel(*arrays, *scratch, *args)`` in cache-sized chunks.

        ``arrays`` (parameter, gradient, state; None where unused) are updated in place. A big
        parameter is processed ``_CHUNK_BYTES`` at a time, so the dozen NumPy passes of an Adam step
        run on data held in the L2 cache instead of streaming the whole tensor from memory each pass
        (about 1.5x faster for a 256x784 float64 weight); ``n_tmp`` scratch arrays of one chunk are
        shared by all parameters. Every operation is elementwise, so chunking changes no result.
        """
        first = arrays[0]
        dt = first.dtype
        n = first.size
        chunk = _CHUNK_BYTES // dt.itemsize
        pool = self._pools.get(dt)
        if pool is None or len(pool) < n_tmp:
            pool = [np.empty(chunk, dtype=dt) for _ in range(max(n_tmp, 3))]
            self._pools[dt] = pool
        if not all(a is None or (a.flags.c_contiguous and a.size == n) for a in arrays):
            # e.g. a transposed view assigned to p.data: whole arrays, temporaries shaped like them
            kernel(*arrays, *[np.empty_like(first) for _ in range(n_tmp)], *args)
            return
        flat = [None if a is None else a.reshape(-1) for a in arrays]
        if n <= chunk:
            kernel(*flat, *[b[:n] for b in pool[:n_tmp]], *args)
            return
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            kernel(*[None if f is None else f[s:e] for f in flat], *[b[: e - s] for b in pool[:n_tmp]], *args)

    def _fusable(self, params: list[Tensor]) -> tuple[list[Tensor], list[Tensor]]:
        """Split parameters that have a gradient into (small ones to update together, the rest).

        Small parameters (biases, the layers of a small net) are costly to update one by one: each
        NumPy call costs about 0.5 us whatever its size, so an Adam step (a dozen calls) on four
        tiny tensors is mostly call overhead. :meth:`_fused` updates them as one array. Fused:
        C-contiguous parameters and gradients of one dtype, each of at most ``_FUSE_MAX`` elements,
        together within one cache-sized chunk (larger ones are updated one by one, in chunks).
        """
        small: list[Tensor] = []
        rest: list[Tensor] = []
        dt = None
        room = 0
        for p in params:
            w = p._data
            g = p.grad._data
            if (
                w.size <= _FUSE_MAX
                and (dt is None or w.dtype == dt)
                and g.dtype == w.dtype
                and w.flags.c_contiguous
                and g.flags.c_contiguous
                and g.size == w.size
            ):
                if dt is None:
                    dt = w.dtype
                    room = _CHUNK_BYTES // dt.itemsize
                if w.size <= room:
                    room -= w.size
                    small.append(p)
                    continue
            rest.append(p)
        return small, rest

    def _reuse(self, key: int, params: list[Tensor], names: tuple[str, ...]) -> _Flat | None:
        """The flat buffers of group ``key`` when they still cover the whole group: every parameter
        has a gradient and still passes :meth:`_fusable` with the same size, and its state Tensors
        are still the views (the common case, checked in one pass); else None."""
        fl = self._flats.get(key)
        if fl is None or fl.names != names or len(params) != len(fl.params):
            return None
        state = self.state
        dt = fl.g.dtype
        for i, p in enumerate(params):
            g = p.grad
            if p is not fl.params[i] or g is None:
                return None
            w, g = p._data, g._data
            n = fl.sizes[i]
            if not (
                w.size == n
                and g.size == n
                and w.dtype == dt
                and g.dtype == dt
                and w.flags.c_contiguous
                and g.flags.c_contiguous
            ):
                return None
            if names:
                st = state[p]
                for name, views in zip(names, fl.views):
                    t = st.get(name)
                    if t is None or t._data is not views[i]:
                        return None
        return fl

    def _fused(self, key: int, params: list[Tensor], names: tuple[str, ...]) -> _Flat:
        """Flat buffers for ``params`` (from :meth:`_fusable`) whose state entries ``names`` are views.

        Reused while the parameters, their sizes and their state Tensors stay the same; otherwise
        (first step, ``load_state_dict``, a parameter without a gradient this time, ``p.data``
        rebound) rebuilt: the current state values are copied in and each state Tensor's array is
        rebound to its view. A missing entry starts at zero. The update is elementwise, so running
        it on the concatenation gives bitwise the same numbers as running it tensor by tensor.
        """
        fl = self._flats.get(key)
        state = self.state
        if fl is not None and len(fl.params) == len(params) and fl.names == names:
            sizes, views = fl.sizes, fl.views
            for i, p in enumerate(params):
                if p is not fl.params[i] or p._data.size != sizes[i]:
                    break
                for k, name in enumerate(names):
                    t = state[p].get(name)
                    if t is None or t._data is not views[k][i]:
                        break
                else:
                    continue
                break
            else:
                return fl
        fl = _Flat()
        fl.params = tuple(params)
        fl.sizes = tuple(p._data.size for p in params)
        fl.names = names
        dt = params[0]._data.dtype
        n = sum(fl.sizes)
        fl.spans = []
        s = 0
        for k in fl.sizes:
            fl.spans.append((s, s + k))
            s += k
        fl.w = np.empty(n, dtype=dt)
        fl.g = np.empty(n, dtype=dt)
        fl.tmp = [np.empty(n, dtype=dt) for _ in range(4)]
        fl.bufs, fl.views = [], []
        for name in names:
            buf = np.empty(n, dtype=dt)
            views = []
            for p, (a, b) in zip(params, fl.spans):
                v = buf[a:b].reshape(p._data.shape)
                st = state[p]
                t = st.get(name)
                if t is None:
                    v.fill(0)
                    st[name] = Tensor._make(v)
                else:
                    np.copyto(v, t._data)
                    t._data = v
                views.append(v)
            fl.bufs.append(buf)
            fl.views.append(views)
        self._flats[key] = fl
        return fl

    def _plan(
        self,
        key: int,
        params: list[Tensor],
        names: tuple[str, ...],
        init: Callable[[Tensor], dict[str, Any]],
        counted: tuple[str, ...] = (),
    ) -> tuple[_Flat | None, list[Tensor] | tuple[Tensor, ...], float]:
        """Split a group for one step: (flat buffers of the fused parameters or None, the rest, step).

        ``init(p)`` returns ``p``'s state dict, creating its entries if missing (before fusing, so
        the entries keep the per-tensor path's order). ``counted`` names 0-d state entries every
        fused parameter must hold with one value (``step``, NAdam's ``mu_product``): a parameter
        that sat out steps, or state loaded by hand, makes the whole group go tensor by tensor.
        When ``'step'`` is counted, every fused parameter's counter is incremented here (as
        :func:`_new_step`) and the new value is returned (0.0 otherwise); the rest count their own.
        """
        fl = self._reuse(key, params, names)
        if fl is not None:
            small: list[Tensor] | tuple[Tensor, ...] = fl.params
            rest: list[Tensor] | tuple[Tensor, ...] = ()
        else:
            ps = [p for p in params if p.grad is not None]
            small, rest = self._fusable(ps)
        step = 0.0
        if small:
            states = [init(p) for p in small]
            for name in counted:
                vals = [st[name]._data for st in states]
                first = float(vals[0])
                if any(float(v) != first for v in vals):
                    return None, [p for p in params if p.grad is not None], 0.0
            if "step" in counted:
                counters = [st["step"]._data for st in states]
                step = float(counters[0]) + 1.0
                for c in counters:  # as _new_step: the exact sum rounded once, like ``step += 1``
                    c.fill(step)
                step = float(counters[0])
            if fl is None:
                fl = self._fused(key, list(small), names)
        return fl, rest, step

    # ------------------------------------------------------------------ state dict
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {name: value}}, 'param_groups': [{..., 'params': [indices]}]}``.

        Indices number the parameters in group order, as PyTorch does. State Tensors are copies, so
        the dict is a snapshot that later steps do not change.
        """
        index: dict[int, int] = {}
        start = 0
        packed_groups = []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            for i, p in enumerate(g["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in g["params"]]
            start += len(packed["params"])
            packed_groups.append(packed)
        packed_state = {
            (index[id(k)] if isinstance(k, Tensor) else k): _copy_value(v) for k, v in self.state.items()
        }
        return {"state": packed_state, "param_groups": packed_groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore groups' hyper-parameters and per-parameter state from :meth:`state_dict`'s output.

        State values may be Tensors or NumPy arrays (e.g. read back from an ``.npz``); floating values
        other than ``step`` are cast to their parameter's dtype, and everything is copied.
        """
        groups = self.param_groups
        saved_groups = [dict(g) for g in state_dict["param_groups"]]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group "
                "that doesn't match the size of optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(s["params"] for s in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            k2 = int(k) if isinstance(k, str) and k.isdigit() else k
            if k2 in id_map:
                p = id_map[k2]
                state[p] = {name: _cast_value(p, val, name) for name, val in v.items()}
            else:
                state[k2] = v
        new_groups = []
        for g, s in zip(groups, saved_groups):
            s = {k: (tuple(v) if k == "betas" and isinstance(v, list) else v) for k, v in s.items()}
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            new_groups.append(s)
        self.state = state
        self.param_groups = new_groups

    def __repr__(self) -> str:
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"


def _copy_value(v: Any) -> Any:
    if isinstance(v, Tensor):
        return Tensor._make(v._data.copy())
    if isinstance(v, dict):
        return {k: _copy_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_copy_value(x) for x in v)
    return v


def _cast_value(p: Tensor, v: Any, key: Any = None) -> Any:
    """Copy ``v`` into optimiser state for parameter ``p`` (floats other than ``step`` to p's dtype)."""
    if isinstance(v, np.ndarray):
        v = Tensor._make(v)
    if isinstance(v, Tensor):
        arr = v._data
        if key != "step" and arr.dtype.kind == "f" and p._data.dtype.kind == "f":
            return Tensor._make(arr.astype(p._data.dtype, copy=True))
        return Tensor._make(arr.copy())
    if isinstance(v, dict):
        return {k: _cast_value(p, x, k) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_cast_value(p, x) for x in v)
    return v


def _check_lr(lr: float) -> None:
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_eps(eps: float) -> None:
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")


def _check_wd(wd: float) -> None:
    if not 0.0 <= wd:
        raise ValueError(f"Invalid weight_decay value: {wd}")


def _check_betas(betas: tuple[float, float]) -> None:
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def _lr_value(lr: Any) -> float:
    """A group's lr as a Python float (a 1-element Tensor lr is allowed, as in PyTorch)."""
    return float(lr._data) if isinstance(lr, Tensor) else lr


def _axpy(a: float, x: np.ndarray, y: np.ndarray, tmp: np.ndarray) -> None:
    """``y <- y + a * x`` in place, rounded once, as PyTorch's ``y.add_(x, alpha=a)``.

    PyTorch's CPU kernel computes ``y + a*x`` with a fused multiply-add; BLAS ``axpy`` does the same
    (bitwise-equal results, measured) in one pass over memory instead of NumPy's two. It is called
    on pieces of at most 8192 elements because OpenBLAS hands an axpy of more than 10000 elements
    to a thread pool, which is slower at this size. Without SciPy (installed with scikit-learn),
    or for other dtypes or non-contiguous arrays, two NumPy passes through ``tmp``.
    """
    n = y.size
    table = _AXPY if _AXPY is not None else _load_axpy()
    f = table.get(y.dtype) if (x.dtype == y.dtype and y.ndim == 1 and y.flags.c_contiguous) else None
    if f is None or not x.flags.c_contiguous or n == 0:
        np.multiply(x, a, out=tmp)
        np.add(y, tmp, out=y)
        return
    if n <= _BLAS_CHUNK:
        if f(x, y, a=a) is not y:  # pragma: no cover - f2py copies only arrays we never pass
            raise RuntimeError("axpy did not update in place")
        return
    for s in range(0, n, _BLAS_CHUNK):
        e = s + _BLAS_CHUNK
        f(x[s:e], y[s:e], a=a)


def _lerp_(a: np.ndarray, b: np.ndarray, w: float, t: np.ndarray, tmp: np.ndarray) -> None:
    """``a.lerp_(b, w)`` as PyTorch computes it, with one fused multiply-add like its kernel.

    ``a + w*(b-a)`` if ``|w| < 0.5``, else ``b + (w-1)*(b-a)`` (w-1 rounded in the array's dtype);
    ``t`` receives b - a, ``tmp`` is scratch for the non-BLAS fallback.
    """
    np.subtract(b, a, out=t)
    if abs(w) < 0.5:
        _axpy(w, t, a, tmp)
    else:
        np.copyto(a, b)
        _axpy(float(a.dtype.type(w) - a.dtype.type(1)), t, a, tmp)


def _new_step(state: dict[str, Any]) -> float:
    """Increment ``state['step']`` (a 0-d Tensor) and return its new value as a Python float."""
    st = state["step"]._data
    st.fill(float(st) + 1.0)  # the exact sum rounded once, as ``st += 1`` (fill is ~7x cheaper on 0-d)
    return float(st)
