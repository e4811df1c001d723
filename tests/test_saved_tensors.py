"""Which tensors each op saves for backward (``Op.saves``), checked against PyTorch 2.13.

For every op, every input (and the output) is changed in place after the forward pass, with each
pattern of inputs wanting a gradient: mlplab must raise exactly when PyTorch does, and where
neither raises the gradients must agree (so an op whose backward reads an array it does not
declare, and which PyTorch does not save, shows up as a wrong gradient).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab


def _f(L):
    return L.nn.functional


ONE = {  # name -> fn(L, x)
    "exp": lambda L, x: x.exp(), "log": lambda L, x: x.log(), "sqrt": lambda L, x: x.sqrt(),
    "abs": lambda L, x: x.abs(), "sin": lambda L, x: x.sin(), "cos": lambda L, x: x.cos(),
    "tanh": lambda L, x: x.tanh(), "sigmoid": lambda L, x: x.sigmoid(), "relu": lambda L, x: x.relu(),
    "neg": lambda L, x: -x, "scale": lambda L, x: x * 3, "clone": lambda L, x: x.clone(),
    "leaky_relu": lambda L, x: _f(L).leaky_relu(x - 0.5, 0.1), "silu": lambda L, x: _f(L).silu(x),
    "elu": lambda L, x: _f(L).elu(x), "gelu": lambda L, x: _f(L).gelu(x),
    "gelu_tanh": lambda L, x: _f(L).gelu(x, approximate="tanh"), "softplus": lambda L, x: _f(L).softplus(x),
    "softmax": lambda L, x: x.softmax(1), "log_softmax": lambda L, x: x.log_softmax(1),
    "clamp": lambda L, x: x.clamp(0.3, 0.6), "square": lambda L, x: x**2, "cube": lambda L, x: x**3,
    "rpow": lambda L, x: 2**x, "rdiv": lambda L, x: 2 / x, "var": lambda L, x: x.var(1),
    "std": lambda L, x: x.std(1), "amax": lambda L, x: x.amax(1), "max": lambda L, x: x.max(),
    "max_dim": lambda L, x: x.max(1).values, "logsumexp": lambda L, x: x.logsumexp(1),
    "norm": lambda L, x: x.norm(), "sum": lambda L, x: x.sum(), "mean": lambda L, x: x.mean(),
    "reshape": lambda L, x: x.reshape(3, 2), "t": lambda L, x: x.t(), "row": lambda L, x: x[0],
    "rows": lambda L, x: x[[1, 0]], "unsqueeze": lambda L, x: x.unsqueeze(0),
    "cross_entropy": lambda L, x: _f(L).cross_entropy(x, L.tensor([2, 0])),
    "nll_loss": lambda L, x: _f(L).nll_loss(x, L.tensor([2, 0])),
    "multi_margin": lambda L, x: _f(L).multi_margin_loss(x, L.tensor([2, 0])),
    "hinge_embedding": lambda L, x: _f(L).hinge_embedding_loss(x, L.tensor([[1.0, -1, 1], [-1, 1, 1]])),
}  # fmt: skip

TWO = {  # name -> (fn(L, a, b), shape of b)
    "mul": (lambda L, a, b: a * b, (2, 3)), "div": (lambda L, a, b: a / b, (2, 3)),
    "add": (lambda L, a, b: a + b, (2, 3)), "sub": (lambda L, a, b: a - b, (2, 3)),
    "pow": (lambda L, a, b: a**b, (2, 3)), "maximum": (lambda L, a, b: L.maximum(a, b), (2, 3)),
    "minimum": (lambda L, a, b: L.minimum(a, b), (2, 3)), "matmul": (lambda L, a, b: a @ b, (3, 2)),
    "linear": (lambda L, a, b: _f(L).linear(a, b), (4, 3)),
    "mse": (lambda L, a, b: _f(L).mse_loss(a, b), (2, 3)),
    "l1": (lambda L, a, b: _f(L).l1_loss(a, b), (2, 3)),
    "smooth_l1": (lambda L, a, b: _f(L).smooth_l1_loss(a, b), (2, 3)),
    "huber": (lambda L, a, b: _f(L).huber_loss(a, b), (2, 3)),
    "bce": (lambda L, a, b: _f(L).binary_cross_entropy(a, b), (2, 3)),
    "bce_logits": (lambda L, a, b: _f(L).binary_cross_entropy_with_logits(a, b), (2, 3)),
    "kl_div": (lambda L, a, b: _f(L).kl_div(a, b, reduction="batchmean"), (2, 3)),
    "xlogy": (lambda L, a, b: (mlplab.nn.info.xlogy if L is mlplab else torch.xlogy)(a, b), (2, 3)),
    "prelu": (lambda L, a, b: _f(L).prelu(a - 0.5, b), (3,)),
    "cross_entropy_probs": (lambda L, a, b: _f(L).cross_entropy(a, b), (2, 3)),
}  # fmt: skip


def _run(L, fn, arrays, wants, target):
    """Forward, change ``target`` (an input index or "out") in place under no_grad, backward.
    Returns "raises" or the gradients of the inputs that want one."""
    xs = [L.tensor(a, requires_grad=w) for a, w in zip(arrays, wants)]
    out = fn(L, *xs)
    with L.no_grad():
        (out if target == "out" else xs[target]).mul_(1.5)
    try:
        out.sum().backward()
    except RuntimeError as e:
        assert "modified by an inplace operation" in str(e)
        return "raises"
    return [x.grad.numpy() for x, w in zip(xs, wants) if w]


def _compare(fn, arrays, wants, target):
    expected = _run(torch, fn, arrays, wants, target)
    got = _run(mlplab, fn, arrays, wants, target)
    if isinstance(expected, str) or isinstance(got, str):
        assert got == expected
    else:
        for g, e in zip(got, expected, strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)


def _values(shape, seed):
    return np.random.default_rng(seed).uniform(0.2, 0.9, shape)


@pytest.mark.parametrize("name", sorted(ONE))
def test_one_input_ops_save_what_pytorch_saves(name):
    for target in (0, "out"):
        _compare(ONE[name], [_values((2, 3), 0)], (True,), target)


@pytest.mark.parametrize("name", sorted(TWO))
def test_two_input_ops_save_what_pytorch_saves(name):
    fn, shape = TWO[name]
    arrays = [_values((2, 3), 1), _values(shape, 2)]
    for wants in ((True, True), (True, False), (False, True)):
        for target in (0, 1, "out"):
            _compare(fn, arrays, wants, target)


def test_linear_with_bias_and_batch_norm_save_what_pytorch_saves():
    def linear(L, x, w, b):
        return _f(L).linear(x, w, b)

    def batch_norm(L, x, w, b):
        return _f(L).batch_norm(x, None, None, w, b, training=True)

    arrays = [_values((4, 3), 3), _values((3, 3), 4), _values((3,), 5)]
    for wants in ((True, True, True), (False, True, True), (True, False, False)):
        for target in (0, 1, 2, "out"):
            _compare(linear, arrays, wants, target)
            _compare(batch_norm, [arrays[0], arrays[2], arrays[2] * 2], wants, target)


@pytest.mark.parametrize("loss", ["nll_loss", "multi_margin_loss"])
def test_a_class_target_changed_after_forward_leaves_the_gradient_unchanged(loss):
    """The class targets reach these ops as arrays, without a version counter: the op keeps its own
    copy, so the gradient is PyTorch's for the targets the forward pass saw (PyTorch raises)."""
    x = _values((2, 3), 6)
    grads = []
    for L in (torch, mlplab):
        xt, y = L.tensor(x, requires_grad=True), L.tensor([2, 0])
        out = getattr(_f(L), loss)(xt, y)
        if L is mlplab:
            y.fill_(1)
        out.backward()
        grads.append(xt.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)
