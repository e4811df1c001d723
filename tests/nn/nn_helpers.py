"""Shared helpers for the mlplab.nn tests: run the same computation in mlplab and torch and compare
outputs and gradients; gradcheck in float64."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

import mlplab
import mlplab.nn  # noqa: F401 - makes mlplab.nn reachable as an attribute
import mlplab.nn.functional
from mlplab.autograd.numerical import gradcheck


@contextmanager
def strict_numerics() -> Iterator[None]:
    """Turn RuntimeWarnings (NumPy overflow/invalid/divide) into errors inside the block."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


def mt(a: Any, grad: bool = False) -> mlplab.Tensor:
    t = mlplab.Tensor._make(np.array(a, copy=True))
    if grad:
        t.requires_grad_(True)
    return t


def tt(a: Any, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.array(a, copy=True), requires_grad=grad)


def assert_close(m: Any, t: Any, atol: float = 1e-6, rtol: float = 1e-5, what: str = "") -> None:
    ma = m._data if isinstance(m, mlplab.Tensor) else np.asarray(m)
    ta = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    assert ma.shape == ta.shape, f"{what}: shape {ma.shape} vs torch {ta.shape}"
    np.testing.assert_allclose(ma, ta, atol=atol, rtol=rtol, err_msg=what)


def parity(
    fn_m: Callable[..., Any],
    fn_t: Callable[..., Any],
    arrays: list[Any],
    grads: list[bool] | None = None,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    seed: int = 0,
    check_dtype: bool = True,
) -> tuple[Any, Any]:
    """Run fn_m on mlplab tensors and fn_t on torch tensors built from the same arrays; compare the
    output, then backpropagate the same random upstream gradient and compare every input gradient."""
    grads = grads if grads is not None else [np.asarray(a).dtype.kind == "f" for a in arrays]
    ms = [mt(a, g) for a, g in zip(arrays, grads)]
    ts = [tt(a, g) for a, g in zip(arrays, grads)]
    with strict_numerics():
        om = fn_m(*ms)
    ot = fn_t(*ts)
    assert_close(om, ot, atol, rtol, "output")
    if check_dtype:
        assert str(om._data.dtype) == str(ot.dtype).replace("torch.", ""), (om._data.dtype, ot.dtype)
    if not any(grads):
        return om, ot
    g = np.random.default_rng(seed).normal(size=om._data.shape).astype(om._data.dtype)
    with strict_numerics():
        om.backward(mlplab.Tensor._make(g.copy()))
    ot.backward(torch.tensor(g))
    for i, (a, b, need) in enumerate(zip(ms, ts, grads)):
        if need:
            assert b.grad is not None
            assert a.grad is not None, f"no gradient for input {i}"
            assert_close(a.grad, b.grad, atol, rtol, f"grad of input {i}")
            if check_dtype:
                assert a.grad._data.dtype == a._data.dtype, f"grad of input {i}: dtype {a.grad._data.dtype}"
    return om, ot


def module_parity(
    m_mod: Any,
    t_mod: Any,
    x: np.ndarray,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    seed: int = 0,
) -> None:
    """Copy t_mod's parameters/buffers into m_mod, run both on x, compare outputs, input gradient
    and every parameter's gradient (by name)."""
    m_mod.load_state_dict({k: v.detach().numpy() for k, v in t_mod.state_dict().items()})
    xm, xt = mt(x, True), tt(x, True)
    with strict_numerics():
        om = m_mod(xm)
    ot = t_mod(xt)
    assert_close(om, ot, atol, rtol, "output")
    assert str(om._data.dtype) == str(ot.dtype).replace("torch.", ""), (om._data.dtype, ot.dtype)
    g = np.random.default_rng(seed).normal(size=om._data.shape).astype(om._data.dtype)
    with strict_numerics():
        om.backward(mlplab.Tensor._make(g.copy()))
    ot.backward(torch.tensor(g))
    assert_close(xm.grad, xt.grad, atol, rtol, "input grad")
    tp = dict(t_mod.named_parameters())
    mp = dict(m_mod.named_parameters())
    assert list(tp) == list(mp)
    for k in tp:
        assert_close(mp[k].grad, tp[k].grad, atol, rtol, f"grad of {k}")


def check_grad(fn: Callable[..., Any], arrays: list[Any], grads: list[bool] | None = None, **kw: Any) -> None:
    """gradcheck in float64 of fn over mlplab tensors built from ``arrays``."""
    grads = grads if grads is not None else [np.asarray(a).dtype.kind == "f" for a in arrays]
    ins = [
        mt(np.asarray(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else a, g)
        for a, g in zip(arrays, grads)
    ]
    with strict_numerics():
        assert gradcheck(fn, ins, **kw)
