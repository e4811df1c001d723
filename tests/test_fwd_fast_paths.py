"""The forward/backward fast paths give bitwise what their plain reference gives.

- ``LinearFn`` computes its 2-D products with ``np.dot`` instead of ``@``: compared bitwise with
  the matmul formulas of its docstring (y = x W^T + b, dx = g W, dW = g^T x, db = sum_rows g).
- The engine runs a chain of nodes without its heap: gradients through chains, diamonds and
  branches of unequal length equal PyTorch's.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
from mlplab.ops.linear import LinearFn

SHAPES = [(1, 64, 50), (1, 50, 10), (32, 64, 50), (7, 3, 17), (128, 784, 256), (5, 1, 1), (2, 9, 1)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
def test_linear_fast_products_bitwise_equal_matmul(dtype: type, shape: tuple) -> None:
    n, fan_in, fan_out = shape
    rng = np.random.default_rng(n * 1000 + fan_in)
    x = rng.standard_normal((n, fan_in)).astype(dtype)
    w = rng.standard_normal((fan_out, fan_in)).astype(dtype)
    b = rng.standard_normal(fan_out).astype(dtype)
    g = rng.standard_normal((n, fan_out)).astype(dtype)
    xt, wt, bt = (mlplab.tensor(a, requires_grad=True) for a in (x, w, b))
    y = LinearFn.apply(xt, wt, bt)
    ref = x @ w.T
    ref += b
    assert y.dtype == xt.dtype and np.array_equal(y.detach().numpy(), ref)
    y.backward(mlplab.tensor(g))
    assert np.array_equal(xt.grad.numpy(), g @ w)
    assert np.array_equal(wt.grad.numpy(), g.T @ x)
    assert np.array_equal(bt.grad.numpy(), g.sum(0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_one_row_bias_gradient_bitwise_the_row_sum(dtype: type) -> None:
    """Batch 1: the bias gradient is the row + 0, not a reduction; the same bits as g.sum(0), signed
    zeros (the sum turns -0.0 into +0.0), NaN, infinities and subnormals included."""
    g = np.array(
        [[-0.0, 0.0, np.nan, -np.nan, np.inf, -np.inf, np.finfo(dtype).smallest_subnormal, -3.5]], dtype
    )
    for x_shape, g_in in (((1, 3), g), ((3,), g.reshape(-1))):  # a (1, in) batch and a 1-D input
        x = mlplab.tensor(np.ones(x_shape, dtype))  # only b wants a gradient: no NaN products
        w = mlplab.tensor(np.ones((8, 3), dtype))
        b = mlplab.tensor(np.zeros(8, dtype), requires_grad=True)
        LinearFn.apply(x, w, b).backward(mlplab.tensor(g_in))
        assert b.grad.numpy().dtype == dtype and b.grad.numpy().tobytes() == g.sum(0).tobytes()
        assert not np.signbit(b.grad.numpy()[0])  # -0.0 in, +0.0 out, as the reduction gives


def test_linear_one_dim_and_batched_inputs_keep_matmul() -> None:
    rng = np.random.default_rng(3)
    w = rng.standard_normal((4, 6)).astype(np.float32)
    for shape in [(6,), (2, 3, 6)]:
        x = rng.standard_normal(shape).astype(np.float32)
        xt, wt = mlplab.tensor(x, requires_grad=True), mlplab.tensor(w, requires_grad=True)
        y = mlplab.nn.functional.linear(xt, wt)
        assert np.array_equal(y.detach().numpy(), x @ w.T)
        y.sum().backward()
        g = np.ones(y.shape, np.float32)
        assert np.array_equal(xt.grad.numpy(), g @ w)


def _graph(lib, x, w):  # noqa: ANN001, ANN202 - the same program on mlplab and torch
    a = (x * w).tanh()  # a chain ...
    b = a.sigmoid() * 2.0  # ... that branches: a feeds b and c
    c = (a * 3.0).exp().sin()  # a longer branch
    d = x.cos()  # x itself feeds two nodes created far apart
    return (b * c + d).sum() + (a * a).mean()


def test_engine_chain_and_branches_match_torch() -> None:
    rng = np.random.default_rng(0)
    x0, w0 = rng.standard_normal(7), rng.standard_normal(7)
    x, w = mlplab.tensor(x0, requires_grad=True), mlplab.tensor(w0, requires_grad=True)
    tx, tw = torch.tensor(x0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    _graph(mlplab, x, w).backward()
    _graph(torch, tx, tw).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------ Sequential's fused Linear + act
def _plain(model: mlplab.nn.Sequential, x: mlplab.Tensor) -> mlplab.Tensor:
    """The reference: each module called in turn (what Sequential did before its fast path)."""
    for m in model:
        x = m(x)
    return x


@pytest.mark.parametrize("dtype", [mlplab.float32, mlplab.float64])
@pytest.mark.parametrize("act", ["Tanh", "ReLU"])
@pytest.mark.parametrize("seed", range(4))
def test_fused_linear_activation_bitwise_equal_unfused(dtype: object, act: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, sizes = int(rng.integers(1, 40)), [int(k) for k in rng.integers(1, 30, 4)]
    mlplab.manual_seed(seed)
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [mlplab.nn.Linear(a, b, dtype=dtype), getattr(mlplab.nn, act)()]
    model = mlplab.nn.Sequential(*layers[:-1])  # ends with a Linear, as a classifier does
    x = mlplab.tensor(rng.standard_normal((n, sizes[0])) * 2, dtype=dtype)
    g = mlplab.tensor(rng.standard_normal((n, sizes[-1])), dtype=dtype)
    results = []
    for forward in (model, lambda x: _plain(model, x)):
        model.zero_grad()
        xi = x.clone().requires_grad_()
        y = forward(xi)
        y.backward(g)
        results.append([y.detach().numpy(), xi.grad.numpy()] + [p.grad.numpy() for p in model.parameters()])
    assert model(x).grad_fn.name() == "AddmmBackward0"
    for fused, plain in zip(*results):
        assert fused.dtype == plain.dtype and np.array_equal(fused, plain)


@pytest.mark.parametrize("act", ["Tanh", "ReLU"])
def test_fused_path_keeps_names_version_checks_and_double_backward(act: str) -> None:
    mlplab.manual_seed(0)
    model = mlplab.nn.Sequential(mlplab.nn.Linear(5, 4), getattr(mlplab.nn, act)())
    tmodel = torch.nn.Sequential(torch.nn.Linear(5, 4), getattr(torch.nn, act)()).double()
    with torch.no_grad():
        for p, q in zip(tmodel.parameters(), model.parameters()):
            p.copy_(torch.tensor(q.detach().numpy()))
    model = model.double()
    x0 = np.random.default_rng(1).standard_normal((3, 5))
    y, ty = model(mlplab.tensor(x0)), tmodel(torch.tensor(x0))
    assert y.grad_fn.name() == ty.grad_fn.name()
    y.add_(1)  # the output is saved by the activation's backward: both refuse
    ty.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation") as e:
        y.sum().backward()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ty.sum().backward()
    assert "is at version 1; expected version 0" in str(e.value)
    # second derivatives through the fused node (create_graph), against torch
    x, tx = mlplab.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    (gx,) = mlplab.autograd.grad((model(x) ** 3).sum(), x, create_graph=True)
    (tgx,) = torch.autograd.grad((tmodel(tx) ** 3).sum(), tx, create_graph=True)
    np.testing.assert_allclose(gx.detach().numpy(), tgx.detach().numpy(), rtol=1e-12, atol=1e-14)
    gx.sum().backward()
    tgx.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_hooked_modules_are_not_fused() -> None:
    model = mlplab.nn.Sequential(mlplab.nn.Linear(3, 2), mlplab.nn.Tanh())
    seen = []
    model[0].register_forward_hook(lambda m, i, o: seen.append(o.grad_fn.name()))
    y = model(mlplab.randn(4, 3))
    assert seen == ["AddmmBackward0"] and y.grad_fn.name() == "TanhBackward0"


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32, np.int64])
def test_relu_array_bitwise_equals_maximum_with_scalar_zero(dtype: type) -> None:
    from mlplab.ops._numerics import relu_array

    rng = np.random.default_rng(5)
    for shape in [(), (1,), (3, 7), (128, 256), (2, 3, 5)]:
        x = (rng.standard_normal(shape) * 10).astype(dtype)
        if x.dtype.kind == "f" and x.size >= 5:
            x.reshape(-1)[:5] = [np.nan, -0.0, 0.0, -np.inf, np.inf]
        ref = np.maximum(x, 0)
        for got in (relu_array(x), relu_array(x.copy(), out=np.empty_like(x))):
            got = np.asarray(got)
            assert got.dtype == ref.dtype and got.shape == ref.shape
            assert np.asarray(got).tobytes() == np.asarray(ref).tobytes()  # NaN and -0.0 included


class _PlainDataset(mlplab.utils.data.TensorDataset):
    """A TensorDataset the loader cannot take the fast path for (its __getitem__ is overridden)."""

    def __getitem__(self, index: object) -> tuple:
        return super().__getitem__(index)


@pytest.mark.parametrize("batch,drop_last", [(1, False), (7, False), (7, True), (32, False)])
def test_loader_row_batches_equal_the_collated_path(batch: int, drop_last: bool) -> None:
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((45, 3)).astype(np.float32), rng.integers(0, 4, 45)
    data = mlplab.utils.data
    loaders = []
    for ds in (data.TensorDataset, _PlainDataset):
        gen = mlplab.Generator().manual_seed(11)
        dset = ds(mlplab.tensor(X), mlplab.tensor(y))
        loaders.append(
            data.DataLoader(dset, batch_size=batch, shuffle=True, drop_last=drop_last, generator=gen)
        )
    for _epoch in range(2):
        fast, plain = list(loaders[0]), list(loaders[1])
        assert len(fast) == len(plain) == len(loaders[0])
        for (xf, yf), (xp, yp) in zip(fast, plain):
            assert xf.dtype == xp.dtype and yf.dtype == yp.dtype
            assert np.array_equal(xf.numpy(), xp.numpy()) and np.array_equal(yf.numpy(), yp.numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", range(6))
def test_cross_entropy_labels_path_bitwise_equals_general_op(dtype: type, seed: int) -> None:
    from mlplab.ops.classification import CrossEntropyFn, CrossEntropyLabelsFn

    rng = np.random.default_rng(seed)
    n, c = int(rng.integers(1, 70)), int(rng.integers(1, 13))
    x0 = (rng.standard_normal((n, c)) * [1, 40][seed % 2]).astype(dtype)  # also spans > 64: row-wise max
    t = rng.integers(0, c, n).astype([np.int64, np.int32, np.uint8][seed % 3])
    g0 = rng.standard_normal(()).astype(dtype)
    out = []
    for make in (
        lambda x: CrossEntropyLabelsFn.apply(x, t),
        lambda x: CrossEntropyFn.apply(x, t, None, -100, 0.0, "mean", False),
    ):
        x = mlplab.tensor(x0, requires_grad=True)
        loss = make(x)
        loss.backward(mlplab.tensor(g0))
        out.append((loss.detach().numpy(), x.grad.numpy(), loss.grad_fn.name()))
    (lf, gf, nf), (lp, gp, np_) = out
    assert lf.dtype == lp.dtype and lf.tobytes() == lp.tobytes()
    assert gf.dtype == gp.dtype and gf.tobytes() == gp.tobytes() and nf == np_
    # the module takes this path, and matches torch
    x = mlplab.tensor(x0, requires_grad=True)
    loss = mlplab.nn.CrossEntropyLoss()(x, mlplab.tensor(t.astype(np.int64)))
    assert isinstance(loss.grad_fn, CrossEntropyLabelsFn) and loss.detach().numpy().tobytes() == lf.tobytes()
    tl = torch.nn.functional.cross_entropy(
        torch.tensor(x0, requires_grad=True), torch.tensor(t.astype(np.int64))
    )
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(loss.item(), tl.item(), rtol=tol)


ONE_ROW_LOGITS = [
    [0.0, -200.0, -300.0],  # p = 1 for label 0: log p = 0, a loss the reduction turns into +0.0
    [3.0, 3.0, 3.0],
    [np.inf, 0.0, 1.0],
    [np.nan, 0.0, 1.0],
    [-np.inf, 0.0, 1.0],
    [1e30, -1e30, 0.0],
    [0.5, -0.25, 2.0],
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("row", ONE_ROW_LOGITS)
@pytest.mark.parametrize("label", [0, 1, 2])
def test_cross_entropy_labels_one_row_bitwise_equals_general_op(dtype: type, row: list, label: int) -> None:
    """Batch 1 takes its own lines in CrossEntropyLabelsFn (one max, no sum): the same bits as the
    general op, signed zeros, infinities and NaN included, for the loss and the gradient."""
    from mlplab.ops.classification import CrossEntropyFn, CrossEntropyLabelsFn

    x0 = np.array([row], dtype=dtype)
    t = np.array([label])
    out = []
    with np.errstate(all="ignore"):
        for make in (
            lambda x: CrossEntropyLabelsFn.apply(x, t),
            lambda x: CrossEntropyFn.apply(x, t, None, -100, 0.0, "mean", False),
        ):
            x = mlplab.tensor(x0, requires_grad=True)
            loss = make(x)
            loss.backward()
            out.append((loss.detach().numpy(), x.grad.numpy()))
    (lf, gf), (lp, gp) = out
    assert lf.shape == lp.shape == () and lf.dtype == lp.dtype == dtype
    assert lf.tobytes() == lp.tobytes() and gf.tobytes() == gp.tobytes()


@pytest.mark.parametrize("n", [1, 31, 32, 33, 100])
def test_cross_entropy_label_check_both_sides_of_the_short_batch_threshold(n: int) -> None:
    """Out-of-range labels (negative, or >= C) leave the fast path and raise the general error,
    whether the labels are checked by Python's max (short batches) or a NumPy reduction."""
    rng = np.random.default_rng(n)
    x = mlplab.tensor(rng.standard_normal((n, 4)).astype(np.float32), requires_grad=True)
    good = rng.integers(0, 4, n)
    loss = mlplab.nn.functional.cross_entropy(x, mlplab.tensor(good))
    assert type(loss.grad_fn).__name__ == "CrossEntropyLabelsFn"
    for bad_label in (-1, 4):
        bad = good.copy()
        bad[n // 2] = bad_label
        with pytest.raises(IndexError, match=f"Target {bad_label} is out of bounds"):
            mlplab.nn.functional.cross_entropy(x, mlplab.tensor(bad))


@pytest.mark.parametrize("n", [1, 2, 32, 33])
def test_cross_entropy_module_fast_path_matches_functional_and_torch(n: int) -> None:
    """CrossEntropyLoss sends the training loop's case straight to CrossEntropyLabelsFn: the same
    node and bits as F.cross_entropy; options changed after construction still take effect (as
    torch's module reads them per call); out-of-range labels raise the general error."""
    from mlplab.ops.classification import CrossEntropyLabelsFn

    rng = np.random.default_rng(n)
    x0 = rng.standard_normal((n, 5)).astype(np.float32)
    t0 = rng.integers(0, 5, n)
    crit, tcrit = mlplab.nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    for label_dtype in (np.int64, np.int32, np.uint8):
        x = mlplab.tensor(x0, requires_grad=True)
        loss = crit(x, mlplab.tensor(t0.astype(label_dtype)))
        assert isinstance(loss.grad_fn, CrossEntropyLabelsFn)
        ref = mlplab.nn.functional.cross_entropy(mlplab.tensor(x0), mlplab.tensor(t0.astype(label_dtype)))
        assert loss.detach().numpy().tobytes() == ref.numpy().tobytes()
    options = [
        ("reduction", "sum"),
        ("reduction", "none"),
        ("label_smoothing", 0.2),
        ("ignore_index", int(t0[0]) if n > 1 else int(t0[0] + 1) % 5),  # in range: some row (n > 1) ignored
        ("weight", np.linspace(0.5, 2.0, 5).astype(np.float32)),
    ]
    for name, value in options:
        crit, tcrit = mlplab.nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
        setattr(crit, name, mlplab.tensor(value) if name == "weight" else value)
        setattr(tcrit, name, torch.tensor(value) if name == "weight" else value)
        x, tx = mlplab.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
        loss, tloss = crit(x, mlplab.tensor(t0)), tcrit(tx, torch.tensor(t0))
        assert not isinstance(loss.grad_fn, CrossEntropyLabelsFn), name
        loss.sum().backward()
        tloss.sum().backward()
        np.testing.assert_allclose(loss.detach().numpy(), tloss.detach().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    crit = mlplab.nn.CrossEntropyLoss()
    x = mlplab.tensor(x0, requires_grad=True)
    for bad_label in (-1, 5):
        bad = t0.copy()
        bad[n // 2] = bad_label
        with pytest.raises(IndexError, match=f"Target {bad_label} is out of bounds"):
            crit(x, mlplab.tensor(bad))
        with pytest.raises(IndexError, match=f"Target {bad_label} is out of bounds"):
            tcrit(torch.tensor(x0), torch.tensor(bad))
