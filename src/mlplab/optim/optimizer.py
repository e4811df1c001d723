"""``Optimizer``: the base class every optimiser in :mod:`mlplab.optim` shares.

It holds what PyTorch's ``torch.optim.Optimizer`` holds, in the same layout:

- ``defaults``: the constructor's hyper-parameters;
- ``param_groups``: a list of dicts, each with ``'params'`` (a list of Tensors) and its own copy of
  every hyper-parameter (a group may override any default, e.g. a smaller ``lr`` for one layer);
- ``state``: per-parameter dicts (``state[p]['exp_avg']`` ...), filled lazily on the first step.

``state_dict()`` packs both into plain data (parameters replaced by their index in group order, state
values are Tensors, numbers or lists of them), so a checkpoint needs no pickle, and
``load_state_dict()`` resumes the exact trajectory.

**Writing an optimiser.** A subclass gives its constructor (signature, :func:`hyperparameters.check`,
``super().__init__(params, group_defaults(locals()))``) and describes one step for one tensor:

- ``scalar_state``: its 0-d state entries and their initial values (``{"step": 0.0}``);
- ``array_state(group)``: its state arrays, shaped like the parameter, and their initial values;
- ``scalars(group, state)``: the step's scalars for one parameter (advancing ``step`` and the like);
- ``update(w, g, state, scratch, s)``: the elementwise update, in-place NumPy on arrays, returning
  ``(direction, alpha)`` for ``w <- w + alpha * direction``; ``scratch`` holds ``scratch_count`` arrays.

:meth:`Optimizer.step` hands these to :class:`~mlplab.optim.executor.Executor`, which runs the update
on each parameter (in cache-sized chunks) or on flat buffers of a group's small parameters, with
bitwise the same result. Updates keep each parameter's dtype (a float32 parameter is updated in
float32 arithmetic, as PyTorch does; Python-float hyper-parameters are cast to the array's dtype,
NumPy 2's NEP 50 rule). An optimiser that is not elementwise (LBFGS) overrides ``step`` instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import chain
from typing import Any, ClassVar

import numpy as np

from ..autograd import grad_mode
from ..autograd.tensor_base import bump_version
from ..tensor import Tensor
from .executor import Executor, scalar_state
from .hyperparameters import required

__all__ = ["Optimizer", "required"]


def _typename(o: Any) -> str:
    if isinstance(o, Tensor):
        return "mlplab.Tensor"
    t = type(o)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``zero_grad``, ``step``, ``state_dict``.

    Args:
        params: an iterable of Tensors, or of dicts (parameter groups) each with a ``'params'`` entry
            and optional per-group hyper-parameters; a list of ``(name, tensor)`` pairs also works.
        defaults: the hyper-parameters a group uses when it does not set them.
    """

    #: 0-d per-parameter state entries and their initial values (kept in the default float dtype)
    scalar_state: ClassVar[dict[str, float]] = {}
    #: how many scratch arrays (shaped like the parameter or chunk) ``update`` needs
    scratch_count: ClassVar[int] = 0

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        if defaults.get("fused") and defaults.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                f"but got {_typename(params)}"
            )
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._executor = Executor()
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

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
                        p.grad.detach_()
                        p.grad._data.fill(0)
                        bump_version(p.grad)

    # ------------------------------------------------------------------ the step
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()``'s loss when one is given."""
        loss = None if closure is None else self._eval_closure(closure)
        step_group = self._executor.step_group
        for index, group in enumerate(self.param_groups):
            step_group(self, index, group)
        return loss

    def _eval_closure(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        """The state arrays (shaped like the parameter) ``update`` uses, in order, with initial values."""
        return {}

    def inplace_writes(self, group: dict[str, Any]) -> int:
        """How many in-place changes PyTorch's (single-tensor) step makes to each parameter: its
        ``_version`` goes up by as many per step (1: the final ``w += alpha * direction``)."""
        return 1

    def reads_weights(self, group: dict[str, Any]) -> bool:
        """Whether ``update`` reads or writes ``w`` before its final add (by default: weight decay)."""
        return group.get("weight_decay", 0) != 0

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> Any:
        """This step's scalars for a parameter with ``state``; advances its scalar state (``step``)."""
        raise NotImplementedError(f"{type(self).__name__} defines no per-tensor update")

    def update(
        self, w: np.ndarray | None, g: np.ndarray, state: list[np.ndarray], scratch: list[np.ndarray], s: Any
    ) -> tuple[np.ndarray, float]:
        """One step for one tensor (or a chunk, or a flat buffer of several): see the module docstring.

        ``w`` is None when :meth:`reads_weights` is False. Returns ``(direction, alpha)``: the caller
        applies ``w <- w + alpha * direction``, rounded once; ``(None, 0.0)`` when the update wrote
        ``w`` itself.
        """
        raise NotImplementedError(f"{type(self).__name__} defines no per-tensor update")

    def new_scalar_state(self, state: dict[str, Any]) -> dict[str, Any]:
        """``state`` with its missing scalar entries created at their initial values."""
        for name, value in self.scalar_state.items():
            if name not in state:
                state[name] = scalar_state(value)
        return state

    def _new_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """Create ``p``'s whole state now (Adagrad does so at construction, as PyTorch)."""
        state = self.new_scalar_state(self.state[p])
        for name, value in self.array_state(group).items():
            if name not in state:
                state[name] = Tensor._make(np.full_like(p._data, value))
        return state

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


def next_step(state: dict[str, Any]) -> float:
    """``t <- t + 1`` on ``state['step']`` (a 0-d Tensor); returns the new t as a Python float."""
    step = state["step"]._data
    step.fill(float(step) + 1.0)  # the exact sum rounded once, as ``step += 1`` (fill is ~7x cheaper on 0-d)
    return float(step)
