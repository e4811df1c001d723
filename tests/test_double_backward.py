"""Second derivatives (``create_graph=True``): every op with a ``backward_graph`` passes
``gradcheck`` and ``gradgradcheck`` in float64 and gives PyTorch's second derivatives; a gradient
penalty and a Hessian-vector product match PyTorch; an op without one says so by name."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from dbl_harness import arrays, second  # tests/ is on sys.path

import mlplab
from mlplab.autograd import gradcheck, gradgradcheck

TOL = {"rtol": 1e-10, "atol": 1e-12}


def _pos(*shape):
    return ("pos", shape)


def _linear_act(act):
    """act(x W^T + b): mlplab's fused node (Sequential's fast path), torch's two ops."""

    def f(L, x, w, b):
        if L is mlplab:
            from mlplab.ops.linear_act import LinearReluFn, LinearTanhFn

            return (LinearTanhFn if act == "tanh" else LinearReluFn).apply(x, w, b)
        z = L.nn.functional.linear(x, w, b)
        return z.tanh() if act == "tanh" else z.relu()

    return f


# name -> (f(lib, *tensors), input shapes; ("pos", shape) draws positive values)
CASES = {
    "add": (lambda L, x, y: x + y, [(2, 3), (3,)]),
    "sub": (lambda L, x, y: x - y, [(2, 3), (2, 1)]),
    "mul": (lambda L, x, y: x * y, [(2, 3), (3,)]),
    "div": (lambda L, x, y: x / y, [(2, 3), _pos(2, 3)]),
    "neg": (lambda L, x: -x, [(2, 3)]),
    "pow_scalar": (lambda L, x: x**3, [(2, 3)]),
    "pow_fraction": (lambda L, x: x**2.5, [_pos(2, 3)]),
    "pow_tensor": (lambda L, x, y: x**y, [_pos(2, 3), (2, 3)]),
    "rpow": (lambda L, x: 2.0**x, [(2, 3)]),
    "scalar_arith": (lambda L, x: ((3.0 - x) * 2.0 / 4.0 + 1.0 - 0.5) * x, [(2, 3)]),
    "rdiv": (lambda L, x: 2.0 / x, [_pos(2, 3)]),
    "maximum": (lambda L, x, y: L.maximum(x, y), [(2, 3), (2, 3)]),
    "minimum": (lambda L, x, y: L.minimum(x, y) * x, [(2, 3), (2, 3)]),
    "expand": (lambda L, x: x.expand(2, 2, 3) * x, [(2, 3)]),
    "clone": (lambda L, x: x.clone() * x, [(2, 3)]),
    "cast": (lambda L, x: (x.float() * 2).double() * x, [(2, 3)]),
    "setitem": (lambda L, x: _setitem(x) * x, [(2, 3)]),
    "inplace_through_a_view": (lambda L, x: _inplace_view(x) * x, [(2, 3)]),
    "where": (lambda L, x, y: L.where(x > 0, x * x, y * x), [(2, 3), (2, 3)]),
    "exp": (lambda L, x: L.exp(x), [(2, 3)]),
    "log": (lambda L, x: L.log(x), [_pos(2, 3)]),
    "sqrt": (lambda L, x: L.sqrt(x), [_pos(2, 3)]),
    "abs_sin_cos": (lambda L, x: L.abs(x) * L.sin(x) + L.cos(x), [(2, 3)]),
    "tanh": (lambda L, x: L.tanh(x), [(2, 3)]),
    "clamp": (lambda L, x: x.clamp(-0.5, 0.5) * x, [(2, 3)]),
    "sigmoid": (lambda L, x: L.sigmoid(x), [(2, 3)]),
    "relu": (lambda L, x: L.relu(x) * x, [(2, 3)]),
    "leaky_relu": (lambda L, x: L.nn.functional.leaky_relu(x, 0.1) * x, [(2, 3)]),
    "softplus": (lambda L, x: L.nn.functional.softplus(x, beta=2.0, threshold=1.0), [(3, 4)]),
    "silu": (lambda L, x: L.nn.functional.silu(x), [(2, 3)]),
    "elu": (lambda L, x: L.nn.functional.elu(x, alpha=0.7) * x, [(3, 4)]),
    "softmax": (lambda L, x: L.softmax(x, dim=1), [(2, 3)]),
    "log_softmax": (lambda L, x: L.log_softmax(x, dim=0), [(2, 3)]),
    "softmin": (lambda L, x: L.nn.functional.softmin(x, dim=1), [(2, 3)]),
    "matmul": (lambda L, x, y: x @ y, [(2, 3), (3, 2)]),
    "matmul_mv": (lambda L, x, y: x @ y, [(2, 3), (3,)]),
    "matmul_batched": (lambda L, x, y: x @ y, [(2, 2, 3), (3, 2)]),
    "linear": (lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(2, 3), (4, 3), (4,)]),
    "linear_no_bias_3d": (lambda L, x, w: L.nn.functional.linear(x, w), [(2, 2, 3), (4, 3)]),
    "sum": (lambda L, x: (x * x).sum(dim=1), [(2, 3)]),
    "sum_all": (lambda L, x: (x * x).sum(), [(2, 3)]),
    "mean": (lambda L, x: (x * x).mean(dim=0, keepdim=True), [(2, 3)]),
    "var": (lambda L, x: L.var(x * x, dim=1), [(2, 3)]),
    "std": (lambda L, x: (x * x).std(dim=0, keepdim=True), [(3, 2)]),
    "std_all": (lambda L, x: x.std(), [(2, 3)]),
    "logsumexp": (lambda L, x: L.logsumexp(x * x, dim=1), [(2, 3)]),
    "norm2_dim": (lambda L, x: (x * x).norm(2, dim=1), [(2, 3)]),
    "norm2_all": (lambda L, x: x.norm(), [(2, 3)]),
    "norm1": (lambda L, x: (x * x).norm(1, dim=0) * x[0], [(2, 3)]),
    "cat": (lambda L, x, y: L.cat([x, y * x], dim=1), [(2, 3), (2, 3)]),
    "stack": (lambda L, x, y: L.stack([x, y * x], dim=0), [(2, 3), (2, 3)]),
    "reshape_transpose": (lambda L, x: x.reshape(3, 2).t() * x, [(2, 3)]),
    "index": (lambda L, x: x[1:, ::2] * x[0, 0], [(2, 3)]),
    "index_advanced": (lambda L, x: x[[0, 1, 0]] ** 2, [(2, 3)]),
    "mse_loss": (lambda L, x, y: L.nn.functional.mse_loss(x * x, y), [(2, 3), (2, 3)]),
    "mse_loss_none": (lambda L, x, y: L.nn.functional.mse_loss(x * x, y, reduction="none"), [(2, 3), (2, 3)]),
    "l1_loss": (lambda L, x, y: L.nn.functional.l1_loss(x * x, y), [(2, 3), (2, 3)]),
    "smooth_l1_loss": (lambda L, x, y: L.nn.functional.smooth_l1_loss(x * x, y, beta=0.5), [(3, 4), (3, 4)]),
    "huber_loss": (
        lambda L, x, y: L.nn.functional.huber_loss(x * x, y, reduction="sum", delta=0.5),
        [(3, 4), (3, 4)],
    ),
    "bce_with_logits": (
        lambda L, x, y: L.nn.functional.binary_cross_entropy_with_logits(x * x, L.sigmoid(y)),
        [(2, 3), (2, 3)],
    ),
    "nll_loss": (
        lambda L, x: L.nn.functional.nll_loss(
            L.log_softmax(x * x, dim=1),
            L.tensor([0, 2, 1]),
            weight=L.tensor([1.0, 2.0, 0.5, 3.0], dtype=L.float64),
        ),
        [(3, 4)],
    ),
    "cross_entropy": (
        lambda L, x: L.nn.functional.cross_entropy(x * x, L.tensor([0, 2, 1])),
        [(3, 4)],
    ),
    "cross_entropy_options": (
        lambda L, x: L.nn.functional.cross_entropy(
            x * x,
            L.tensor([0, 2, 3]),
            weight=L.tensor([1.0, 2.0, 0.5, 3.0], dtype=L.float64),
            ignore_index=2,
            label_smoothing=0.2,
        ),
        [(3, 4)],
    ),
    "linear_tanh": (_linear_act("tanh"), [(4, 3), (5, 3), (5,)]),
    "linear_relu": (_linear_act("relu"), [(4, 3), (5, 3), (5,)]),
    "cross_entropy_sum": (
        lambda L, x: L.nn.functional.cross_entropy(x * x, L.tensor([0, 2, 1]), reduction="sum"),
        [(3, 4)],
    ),
}


def _setitem(x):
    y = x.clone()
    y[0] = x[1] * x[0]
    return y


def _inplace_view(x):
    y = x * 1
    y[0, 1:].mul_(x[1, :2])  # CopySlices
    return y


def _arrays(name: str) -> list[np.ndarray]:
    return arrays(CASES, name)


# float32 rounds away the finite differences' 1e-6 steps: checked against torch only
NOT_BY_FINITE_DIFFERENCES = {"cast"}


@pytest.mark.parametrize("name", sorted(set(CASES) - NOT_BY_FINITE_DIFFERENCES))
def test_gradcheck_and_gradgradcheck(name):
    f = CASES[name][0]
    xs = [mlplab.tensor(a, requires_grad=True) for a in _arrays(name)]
    assert gradcheck(lambda *t: f(mlplab, *t), xs)
    assert gradgradcheck(lambda *t: f(mlplab, *t), xs)


def _second(lib, name):
    """(out, first derivatives v^T dy/dx, d/dx of sum(u * first)) for one case, in ``lib``."""
    return second(lib, CASES, name)


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivatives_match_torch(name):
    out_t, gs_t, hs_t = _second(torch, name)
    out_m, gs_m, hs_m = _second(mlplab, name)
    np.testing.assert_allclose(out_m.detach().numpy(), out_t.detach().numpy(), **TOL)
    for a, b in zip(gs_m, gs_t):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **TOL)
    assert (hs_m is None) == (hs_t is None)
    for a, b in zip(hs_m or (), hs_t or ()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), **TOL)


def _gradient_penalty(lib):
    """WGAN-GP: penalty = mean((|d critic(x)/dx|_2 - 1)^2), differentiated w.r.t. the weights."""
    lib.manual_seed(0)
    rs = np.random.RandomState(0)
    critic = lib.nn.Sequential(
        lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 8), lib.nn.Sigmoid(), lib.nn.Linear(8, 1)
    )
    for p, a in zip(critic.parameters(), _weights()):
        with lib.no_grad():
            p.copy_(lib.tensor(a, dtype=lib.float32))
    real, fake = lib.tensor(rs.randn(6, 4), dtype=lib.float32), lib.tensor(rs.randn(6, 4), dtype=lib.float32)
    alpha = lib.tensor(rs.rand(6, 1), dtype=lib.float32)
    x = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    out = critic(x)
    (g,) = lib.autograd.grad(out, x, grad_outputs=lib.ones_like(out), create_graph=True, retain_graph=True)
    penalty = ((g.norm(2, dim=1) - 1) ** 2).mean() * 10
    loss = out.mean() + penalty
    loss.backward()
    return penalty.item(), [p.grad.numpy().copy() for p in critic.parameters()]


def _weights():
    rs = np.random.RandomState(3)
    return [rs.randn(*s) * 0.5 for s in [(8, 4), (8,), (8, 8), (8,), (1, 8), (1,)]]


def test_gradient_penalty_matches_torch():
    pm, gm = _gradient_penalty(mlplab)
    pt, gt = _gradient_penalty(torch)
    assert pm == pytest.approx(pt, rel=1e-5)
    for a, b in zip(gm, gt):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _hvp(lib):
    """H v for the loss of a small tanh network, by differentiating (dL/dw) . v once more."""
    rs = np.random.RandomState(5)
    w1 = lib.tensor(rs.randn(5, 3), requires_grad=True)
    w2 = lib.tensor(rs.randn(2, 5), requires_grad=True)
    x, y = lib.tensor(rs.randn(7, 3)), lib.tensor(rs.randint(0, 2, 7))
    loss = lib.nn.functional.cross_entropy(lib.tanh(x @ w1.t()) @ w2.t(), y)
    g1, g2 = lib.autograd.grad(loss, (w1, w2), create_graph=True)
    v1, v2 = lib.tensor(rs.randn(5, 3)), lib.tensor(rs.randn(2, 5))
    h1, h2 = lib.autograd.grad((g1 * v1).sum() + (g2 * v2).sum(), (w1, w2))
    return h1.numpy(), h2.numpy()


def test_hessian_vector_product_matches_torch():
    for a, b in zip(_hvp(mlplab), _hvp(torch)):
        np.testing.assert_allclose(a, b, **TOL)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_with_create_graph_leaves_a_differentiable_grad():
    for lib in (mlplab, torch):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        (x**3).sum().backward(create_graph=True)
        assert x.grad.requires_grad
        (h,) = lib.autograd.grad(x.grad.sum(), x)
        assert h.tolist() == [6.0, 12.0, 18.0]  # d/dx sum(3 x^2) = 6 x


def test_op_without_double_backward_is_named():
    from test_double_backward_coverage import Cube  # every mlplab op has one now

    x = mlplab.tensor([[1.0, 2.0], [4.0, 3.0]], requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"CubeBackward0 \(Cube\) twice: create_graph=True is not supported"
    ):
        mlplab.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)


def test_dropout_mask_is_differentiated_twice():
    from mlplab.ops.dropout import MaskFn

    m = np.random.RandomState(0).choice([0.0, 2.0], size=(2, 3))
    x = mlplab.tensor(np.random.RandomState(1).randn(2, 3), requires_grad=True)
    assert gradgradcheck(lambda x: MaskFn.apply(x * x, m), (x,))


def _third(lib):
    x = lib.tensor([0.3, -1.2, 0.8, 2.0], dtype=lib.float64, requires_grad=True)
    y = (lib.tanh(x[[0, 2, 2]]) * x[1:].pow(3)).sum()
    (g1,) = lib.autograd.grad(y, x, create_graph=True)
    (g2,) = lib.autograd.grad((g1 * g1).sum(), x, create_graph=True)
    (g3,) = lib.autograd.grad(g2.sum(), x)
    return g1.detach().numpy(), g2.detach().numpy(), g3.numpy()


def test_third_derivatives_match_torch():
    for a, b in zip(_third(mlplab), _third(torch)):
        np.testing.assert_allclose(a, b, **TOL)


def _subclasses(cls):
    for c in cls.__subclasses__():
        yield c
        yield from _subclasses(c)


def test_every_backward_graph_is_exercised(monkeypatch):
    """Each op that defines backward_graph runs it in at least one test above."""
    from mlplab.autograd.op import Op
    from mlplab.ops.dropout import MaskFn

    classes = {
        c for c in _subclasses(Op) if "backward_graph" in c.__dict__ and c.__module__.startswith("mlplab.")
    }
    seen = set()
    for c in classes:

        def wrapped(self, g, _orig=c.__dict__["backward_graph"], _c=c):
            seen.add(_c)
            return _orig(self, g)

        monkeypatch.setattr(c, "backward_graph", wrapped)
    for name in CASES:
        _second(mlplab, name)
    import test_double_backward_losses as losses  # the cases of issue 9 (tests/ is on sys.path)
    import test_double_backward_ops as ops

    for more in (ops, losses):
        for name in more.CASES:
            more._second(mlplab, name)
    for f, _ in losses.NOT_TWICE.values():  # a first derivative, then a refused second one
        x = mlplab.tensor(np.ones((3, 4)), requires_grad=True)
        (g,) = mlplab.autograd.grad(f(mlplab, x), x, create_graph=True)
        with pytest.raises(RuntimeError, match="is not implemented"):
            mlplab.autograd.grad(g.sum(), x, create_graph=True)
    import test_double_backward_more as bags  # embedding_bag, SVD norms, scatter_reduce

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # bags.NOT_FINITE's cases
        for name in bags.CASES:
            second(mlplab, bags.CASES, name)
    for name in bags.BAGS:
        bags._bag_first(mlplab, name)
    bags._prod_two_zeros(mlplab)
    import test_unary_parity as unary  # the elementwise family: tan, erf, lgamma, round, ...

    unary.exercise_second_derivatives()
    import test_binary_double_backward as binary  # branch binary: ops/binary.py, ops/scan.py
    import test_reduce_more_parity as scans

    for cases in (binary.CASES, scans.SECOND):
        for name in cases:
            second(mlplab, cases, name)
    h = mlplab.tensor([1.0, -2.0], dtype=mlplab.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="^derivative for aten::heaviside is not implemented$"):
        mlplab.autograd.grad(mlplab.heaviside(h * 1, h.detach()).sum(), h, create_graph=True)
    from mlplab.ops.not_twice import DelayedError

    x = mlplab.tensor([1.0, -2.0], dtype=mlplab.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="^refused here$"):  # torch's Error node, create_graph too
        mlplab.autograd.grad(DelayedError.apply(x * x, "refused here").sum(), x, create_graph=True)
    _third(mlplab)
    _hvp(mlplab)
    import test_fused_linear_act_linear as fused  # Sequential's Linear-act-Linear node

    for act in fused.ACTS:
        fused.test_second_derivatives_through_the_node(act)
    x = mlplab.tensor([1.0, -2.0], dtype=mlplab.float64, requires_grad=True)
    mlplab.autograd.grad(MaskFn.apply(x * x, np.array([0.0, 2.0])).sum(), x, create_graph=True)
    y = (x * 1).scatter(0, mlplab.tensor([0]), 2.0, reduce="add")  # torch has no derivative
    with pytest.raises(RuntimeError, match="^derivative for aten::scatter is not implemented$"):
        mlplab.autograd.grad(y.sum(), x, create_graph=True)
    b = mlplab.zeros(3, dtype=mlplab.float64)  # views made outside the graph (view_bases.py)
    with mlplab.no_grad():
        refused = b[2:]
    v = b[:2]
    v.mul_(x)  # b: CopySlices, v: AsStrided, refused: its use raises (no node is ever made)
    mlplab.autograd.grad((v * v).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="^A view was created in no_grad mode and its base"):
        refused * 1
    assert sorted(c.__name__ for c in classes - seen) == []
    assert len(classes) >= 50
