"""``multilabel_margin_loss`` / ``nn.MultiLabelMarginLoss`` against PyTorch 2.13: values and
gradients for every reduction, labels ended by -1 (repeats count again), 1-D and 0-d input,
torch's errors, and no second derivative (torch has none)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
from mlplab.autograd import gradcheck

TARGETS = [
    [[3, 0, -1, 1], [1, -1, 2, 2], [0, 1, 2, 3], [-1, 0, 0, 0], [2, 2, -1, 0]],
]


def _run(lib, x, t, reduction, module=False):
    xt = lib.tensor(x, requires_grad=True)
    tt = lib.tensor(t)
    if module:
        loss = lib.nn.MultiLabelMarginLoss(reduction=reduction)(xt, tt)
    else:
        loss = lib.nn.functional.multilabel_margin_loss(xt, tt, reduction=reduction)
    loss.backward(lib.ones_like(loss))
    return loss.detach().numpy(), xt.grad.numpy()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("module", [False, True])
def test_values_and_gradients_match_torch(reduction, dtype, module):
    x = np.random.RandomState(0).randn(5, 4).astype(dtype) * 0.7
    t = np.array(TARGETS[0], dtype=np.int64)
    (lm, gm), (lt, gt) = _run(mlplab, x, t, reduction, module), _run(torch, x, t, reduction, module)
    assert lm.shape == lt.shape and lm.dtype == lt.dtype
    tol = {"rtol": 1e-6, "atol": 1e-7} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-14}
    np.testing.assert_allclose(lm, lt, **tol)
    np.testing.assert_allclose(gm, gt, **tol)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_one_sample_and_scalar_input_match_torch(reduction):
    x = np.array([0.1, 0.2, 0.4, 0.8])
    for xs, ts in ((x, np.array([3, 0, -1, 1])), (np.array(0.5), np.array(0))):
        (lm, gm), (lt, gt) = _run(mlplab, xs, ts, reduction), _run(torch, xs, ts, reduction)
        assert lm.shape == lt.shape
        np.testing.assert_allclose(lm, lt, rtol=1e-12)
        np.testing.assert_allclose(gm, gt, rtol=1e-12)


def test_gradcheck():
    x = mlplab.tensor(np.random.RandomState(1).randn(5, 4) * 0.7, requires_grad=True)
    t = mlplab.tensor(np.array(TARGETS[0], dtype=np.int64))
    assert gradcheck(lambda x: mlplab.nn.functional.multilabel_margin_loss(x, t, reduction="none"), (x,))


@pytest.mark.parametrize(
    "x_shape, target",
    [
        ((1, 4), [[4, 0, -1, 1]]),
        ((1, 4), [[-2, 0, -1, 1]]),
        ((1, 4), [[3, -1, 7, 1]]),
        ((1, 4), [[3, 0, -1]]),
        ((1, 4), [3, 0, -1, 1]),
        ((1, 4), [[3.0, 0.0, -1.0, 1.0]]),
        ((2, 3, 4), np.zeros((2, 3, 4), dtype=np.int64)),
    ],
)
def test_errors_match_torch(x_shape, target):
    x = np.zeros(x_shape, dtype=np.float32)
    t = np.asarray(target)
    if t.dtype.kind == "i":
        t = t.astype(np.int64)
    with pytest.raises(RuntimeError) as et:
        torch.nn.functional.multilabel_margin_loss(torch.tensor(x), torch.tensor(t))
    with pytest.raises(RuntimeError) as em:
        mlplab.nn.functional.multilabel_margin_loss(mlplab.tensor(x), mlplab.tensor(t))
    assert str(em.value) == str(et.value)


def test_no_second_derivative_as_torch():
    x0 = np.random.RandomState(2).randn(2, 4)
    t = np.array([[1, 3, -1, 0], [2, -1, 0, 0]], dtype=np.int64)
    for lib in (torch, mlplab):
        x = lib.tensor(x0, requires_grad=True)
        (g,) = lib.autograd.grad(
            lib.nn.functional.multilabel_margin_loss(x, lib.tensor(t)), x, create_graph=True
        )
        assert g.grad_fn.name() == "torch::autograd::NotImplemented"
        with pytest.raises(
            RuntimeError, match="^derivative for aten::multilabel_margin_loss_backward is not"
        ):
            lib.autograd.grad(g.sum(), x)
