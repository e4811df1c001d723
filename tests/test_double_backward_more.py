"""Second derivatives (issue 9, branch dbl), each passing ``gradgradcheck`` in float64 (finite
cases) and giving PyTorch 2.13's first and second derivatives (third ones for the ``*_third``
cases): the singular-value matrix norms (nuclear, 2, -2), scatter_reduce (sum, prod, mean, amax,
amin, with and without self, zeros), prod with zeros, p = 0 / +-inf distances and normalize,
cross_entropy / nll_loss on (N, C, d1, ...) inputs, logsumexp of infinities and b ** x for b <= 0;
spectral normalisation's gradient penalty; and embedding_bag, which torch does not differentiate
twice (its errors, type and message, are checked instead).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from dbl_harness import arrays, assert_matches_torch, pos, third_order

import mlplab
from mlplab.autograd import gradcheck, gradgradcheck

IDX = [1, 2, 4, 5, 4, 3, 2, 9]


def _bag(L, w, mode, offsets=(0, 4), **kw):
    return L.nn.functional.embedding_bag(L.tensor(IDX), w, L.tensor(list(offsets)), mode=mode, **kw)


def _sr(L, x, src, reduce, include_self=True, index=((0, 2, 0, 3), (1, 1, 1, 0))):
    return x.scatter_reduce(1, L.tensor([list(r) for r in index]), src, reduce, include_self=include_self)


def _zeros(L, t, where):
    """t with zeros at the positions ``where`` (a list of (row, col))."""
    m = np.ones(tuple(t.shape))
    for p in where:
        m[p] = 0
    return t * L.tensor(m)


# embedding_bag under create_graph=True: torch 2.13 has no second derivative (its first derivative
# sits on a node that raises when differentiated); name -> (f(lib, *tensors), input shapes)
BAGS = {
    "bag_sum": (lambda L, w: _bag(L, w * w, "sum") * _bag(L, w, "sum"), [(10, 3)]),
    "bag_mean": (lambda L, w: _bag(L, w, "mean") ** 2, [(10, 3)]),
    "bag_max": (lambda L, w: _bag(L, w, "max") ** 3, [(10, 3)]),
    "bag_max_empty_bag": (lambda L, w: _bag(L, w, "max", (0, 4, 4)) ** 2, [(10, 3)]),
    "bag_mean_empty_bag": (lambda L, w: _bag(L, w * w, "mean", (0, 0, 3)) ** 2, [(10, 3)]),
    # the bag's gradient does not depend on w here: nothing raises, as in torch
    "bag_linear": (lambda L, w: _bag(L, w * w, "mean", (0, 0, 3)) * 2, [(10, 3)]),
    "bag_psw": (lambda L, w, p: _bag(L, w, "sum", per_sample_weights=p) ** 2, [(10, 3), (8,)]),
    "bag_psw_padding": (
        lambda L, w, p: _bag(L, w * w, "sum", per_sample_weights=p * p, padding_idx=4),
        [(10, 3), (8,)],
    ),
    "bag_mean_padding": (lambda L, w: _bag(L, w, "mean", padding_idx=2) ** 2, [(10, 3)]),
    "bag_max_padding": (lambda L, w: _bag(L, w, "max", padding_idx=4) ** 2, [(10, 3)]),
    "bag_sum_freq": (lambda L, w: _bag(L, w, "sum", scale_grad_by_freq=True) ** 2, [(10, 3)]),
    "bag_2d_mean": (
        lambda L, w: L.nn.functional.embedding_bag(L.tensor([[1, 2, 2], [0, 3, 1]]), w, mode="mean") ** 2,
        [(4, 2)],
    ),
}

# name -> (f(lib, *tensors), input shapes; pos(s): values in [0.5, 2])
CASES = {
    "nuc": (lambda L, a: L.linalg.matrix_norm(a, "nuc") * a, [(3, 4)]),
    "nuc_tall_batch": (lambda L, a: L.linalg.matrix_norm(a * a, "nuc") ** 2, [(2, 4, 3)]),
    "spectral": (lambda L, a: L.linalg.matrix_norm(a, 2) * a, [(4, 3)]),
    "spectral_wide_dims": (
        lambda L, a: L.linalg.matrix_norm(a, 2, dim=(2, 0), keepdim=True) ** 2,
        [(3, 2, 5)],
    ),
    "smallest_singular": (lambda L, a: L.linalg.matrix_norm(a, -2) ** 3, [(3, 5)]),
    "smallest_singular_square": (
        lambda L, a: L.linalg.matrix_norm(a * a, -2)[:, None, None] * a,
        [(2, 3, 3)],
    ),
    "nuc_third": (lambda L, a: third_order(L, lambda t: L.linalg.matrix_norm(t, "nuc"), a), [(3, 4)]),
    "spectral_third_wide": (lambda L, a: third_order(L, lambda t: L.linalg.matrix_norm(t, 2), a), [(2, 4)]),
    "smallest_third_tall": (
        lambda L, a: third_order(L, lambda t: L.linalg.matrix_norm(t, -2), a),
        [(2, 4, 3)],
    ),
    "norm_nuc_method": (lambda L, a: a.norm(p="nuc") * a.sum(), [(3, 3)]),
}
for r in ("sum", "prod", "mean", "amax", "amin"):
    for inc in (True, False):
        CASES[f"scatter_{r}_{'self' if inc else 'noself'}"] = (
            lambda L, x, s, r=r, inc=inc: _sr(L, x * x, s * x[:2, :].sum(), r, inc) * x,
            [pos(3, 5), pos(2, 4)],
        )
INF = float("inf")
CASES.update(
    {
        "prod_one_zero_all": (lambda L, x: _zeros(L, x, [(0, 1)]).prod() * x, [(2, 3)]),
        "prod_zeros_dim": (lambda L, x: _zeros(L, x, [(0, 1), (0, 2), (1, 0)]).prod(1) ** 2, [(2, 4)]),
        "prod_zero_keepdim": (lambda L, x: _zeros(L, x, [(1, 1)]).prod(0, keepdim=True) * x, [(3, 2)]),
        "prod_two_zeros_third": (
            lambda L, x: third_order(L, lambda t: _zeros(L, t, [(0, 0), (0, 2)]).prod(1), x),
            [(2, 3)],
        ),
        "prod_one_zero_third_all": (
            lambda L, x: third_order(L, lambda t: _zeros(L, t, [(1, 0)]).prod() * t.sum(), x),
            [(2, 2)],
        ),
        "pairwise_inf": (
            lambda L, x, y: L.nn.functional.pairwise_distance(x, y, p=INF) ** 2,
            [(3, 4), (3, 4)],
        ),
        "pairwise_neg_inf": (
            lambda L, x, y: L.nn.functional.pairwise_distance(x, y * y, p=-INF, keepdim=True) * x,
            [(3, 4), (3, 4)],
        ),
        "pairwise_inf_third": (
            lambda L, x: third_order(L, lambda t: L.nn.functional.pairwise_distance(t, t * t, p=INF) ** 3, x),
            [(2, 3)],
        ),
        "triplet_l1": (
            lambda L, x, y: L.nn.functional.triplet_margin_loss(x, y * 2, -x, p=1),
            [(3, 4), (3, 4)],
        ),
        "pairwise_l1_keepdim": (
            lambda L, x, y: L.nn.functional.pairwise_distance(x, y, p=1, keepdim=True) * 2,
            [(3, 4), (3, 4)],
        ),
        "triplet_inf": (
            lambda L, x, y: L.nn.functional.triplet_margin_loss(x, y * 2, -x, p=INF),
            [(3, 4), (3, 4)],
        ),
        "normalize_inf": (lambda L, x: L.nn.functional.normalize(x, p=INF) * x, [(3, 4)]),
        "normalize_neg_inf_dim0": (lambda L, x: L.nn.functional.normalize(x * x, p=-INF, dim=0), [(3, 4)]),
        "normalize_zero": (lambda L, x: L.nn.functional.normalize(x, p=0) * x, [(3, 4)]),
    }
)
T3 = [[[1, 0], [2, 2], [0, 1]], [[2, 1], [0, 0], [1, 2]]]  # (N=2, d1=3, d2=2) class labels of C=3
CASES.update(
    {
        "cross_entropy_3d": (
            lambda L, x: L.nn.functional.cross_entropy(x * x, L.tensor([[1, 0, 2, 2], [0, 1, 1, 2]])),
            [(2, 3, 4)],
        ),
        "cross_entropy_4d_none_weight_ignore": (
            lambda L, x: (
                L.nn.functional.cross_entropy(
                    x,
                    L.tensor(T3),
                    weight=L.tensor([0.5, 2.0, 1.0], dtype=L.float64),
                    ignore_index=1,
                    reduction="none",
                )
                ** 2
            ),
            [(2, 3, 3, 2)],
        ),
        "cross_entropy_4d_smoothing_sum": (
            lambda L, x: L.nn.functional.cross_entropy(
                x * x, L.tensor(T3), label_smoothing=0.2, reduction="sum"
            ),
            [(2, 3, 3, 2)],
        ),
        "nll_3d": (
            lambda L, x: L.nn.functional.nll_loss(
                L.log_softmax(x, 1),
                L.tensor([[1, 0, 2, 2], [0, 1, 1, 2]]),
                weight=L.tensor([0.5, 2.0, 1.0], dtype=L.float64),
            ),
            [(2, 3, 4)],
        ),
        "nll_4d_none": (
            lambda L, x: L.nn.functional.nll_loss(x * x, L.tensor(T3), reduction="none", ignore_index=2) * 3,
            [(2, 3, 3, 2)],
        ),
    }
)
CASES.update(
    {
        "logsumexp_inf": (
            lambda L, x: (
                L.logsumexp(x + L.tensor([[0.0, INF, 0.0], [0.0, 0.0, 0.0], [-INF, -INF, -INF]]), 1) ** 2
            ),
            [(3, 3)],
        ),
        "logsumexp_neg_inf_keepdim": (
            lambda L, x: L.logsumexp(x - L.tensor([[0.0, INF], [0.0, 0.0]]), 0, keepdim=True) * x,
            [(2, 2)],
        ),
        "pow_negative_base": (lambda L, x: L.pow(-2.0, x) * x, [(3,)]),
        "pow_zero_base": (lambda L, x: L.pow(0.0, x * L.tensor([1.0, 0.0, 1.0, 1.0])) * x, [(4,)]),
    }
)
CASES["scatter_prod_zeros"] = (
    lambda L, x, s: _sr(L, _zeros(L, x, [(0, 2), (1, 1)]), _zeros(L, s, [(0, 0), (1, 2)]), "prod") ** 2,
    [(3, 5), (2, 4)],
)
CASES["scatter_prod_zeros_noself"] = (
    lambda L, x, s: _sr(L, _zeros(L, x, [(0, 0)]), _zeros(L, s, [(1, 1)]), "prod", False) * x,
    [(3, 5), (2, 4)],
)
CASES["scatter_prod_small_index_zero"] = (
    lambda L, x, s: _sr(L, x, _zeros(L, s, [(0, 1)]), "prod", index=((4, 4), (0, 4))) * x,
    [(2, 5), (3, 4)],
)
CASES["scatter_mean_small_index"] = (
    lambda L, x, s: _sr(L, x, s * s, "mean", index=((4, 4), (0, 4))) * x,
    [(2, 5), (3, 4)],
)


# infinite or nan derivatives (as torch's, nan where torch has nan): compared with torch only
NOT_FINITE = {"logsumexp_inf", "logsumexp_neg_inf_keepdim", "pow_negative_base", "pow_zero_base"}


@pytest.mark.parametrize("name", sorted(set(CASES) - NOT_FINITE))
def test_gradgradcheck(name):
    f = CASES[name][0]
    xs = [mlplab.tensor(a, requires_grad=True) for a in arrays(CASES, name)]
    assert gradcheck(lambda *t: f(mlplab, *t), xs)
    assert gradgradcheck(lambda *t: f(mlplab, *t), xs)


# torch 2.13's scatter_reduce backward fails on a src larger than the index ("invalid gradient")
NOT_BY_TORCH = {"scatter_mean_small_index", "scatter_prod_small_index_zero"}


@pytest.mark.parametrize("name", sorted(set(CASES) - NOT_BY_TORCH))
def test_second_derivatives_match_torch(name):
    if name not in NOT_FINITE:
        assert_matches_torch(CASES, name)
        return
    # inf * 0 in the ops' plain array backwards: NumPy warns where torch is silent (the values agree)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        assert_matches_torch(CASES, name)


def _bag_first(lib, name):
    """The first derivatives of a BAGS case under create_graph=True, and what differentiating
    each of them again does: (type, message) of the error, or None."""
    xs = [lib.tensor(a, requires_grad=True) for a in arrays(BAGS, name)]
    out = BAGS[name][0](lib, *xs)
    v = lib.tensor(np.random.RandomState(1).randn(*out.shape))
    gs = lib.autograd.grad(out, xs, v, create_graph=True)
    errors = []
    for g in gs:
        for x in xs:
            try:
                lib.autograd.grad(g.sum(), x, retain_graph=True, allow_unused=True)
                errors.append(None)
            except (RuntimeError, NotImplementedError) as e:
                errors.append((type(e).__name__, str(e)))
    return [g.detach().numpy() for g in gs], [g.grad_fn.name() for g in gs], errors


@pytest.mark.parametrize("name", sorted(BAGS))
def test_embedding_bag_differentiates_once_under_create_graph_as_torch(name):
    """Values and node names of the first derivatives are torch's; differentiating them again
    raises torch's error (type and message) for every input."""
    gm, nm, em = _bag_first(mlplab, name)
    gt, nt, et = _bag_first(torch, name)
    # scale_grad_by_freq: torch 2.13's CPU kernel divides repeated indices by other counts
    # (docs/compatibility.md; tests/nn/test_embedding_bag_layer.py checks mlplab's values)
    for a, b in zip(gm, gt) if name != "bag_sum_freq" else ():
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert nm == nt
    assert em == et
    assert any(e is not None for e in em) == (name != "bag_linear")


def _prod_two_zeros(lib):
    """scatter_reduce prod with two src zeros on one target: first derivatives (and their node
    names), then what differentiating src's gradient and x's gradient again gives."""
    x = lib.tensor([[0.5, 1.5, 2.0], [1.2, 0.7, 1.1]], dtype=lib.float64, requires_grad=True)
    s = lib.tensor([[0.0, 0.0, 2.0], [1.0, 3.0, 0.0]], dtype=lib.float64, requires_grad=True)
    y = x.scatter_reduce(1, lib.tensor([[0, 0, 1], [1, 2, 2]]), s, "prod")
    gx, gs = lib.autograd.grad((y**2).sum(), [x, s], create_graph=True)
    errors = []
    for t in (x, s):
        try:
            lib.autograd.grad(gs.sum(), t, retain_graph=True)
            errors.append(None)
        except RuntimeError as e:
            errors.append(str(e))
    hx = lib.autograd.grad(gx.sum(), [x, s], retain_graph=True)
    return [gx.detach().numpy(), gs.detach().numpy()] + [h.numpy() for h in hx], gs.grad_fn.name(), errors


def test_scatter_prod_with_two_zeros_on_one_target_refuses_the_second_derivative_as_torch():
    vm, nm, em = _prod_two_zeros(mlplab)
    vt, nt, et = _prod_two_zeros(torch)
    for a, b in zip(vm, vt):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert nm == nt == "torch::autograd::Error"
    assert em == et
    assert em[0].startswith("scatter_reduce(): Double backward is unsupported for src when >1 zeros")


def _spectral_penalty(lib, param: bool, training: bool):
    """A gradient penalty ||dL/dx||^2 through a spectrally normalised Linear (training mode: a
    power-iteration step first; then, in both modes, sigma = u^T W v with u, v held fixed, as
    torch), differentiated
    w.r.t. the original weight and the bias; u, v and the weights set from the same arrays."""
    rs = np.random.RandomState(11)
    lin = lib.nn.Linear(4, 3).double()
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(rs.randn(3, 4)))
        lin.bias.copy_(lib.tensor(rs.randn(3)))
    u0, v0 = rs.randn(3), rs.randn(4)
    if param:
        lin = lib.nn.utils.parametrizations.spectral_norm(lin)
        sn = lin.parametrizations.weight[0]
        w = lin.parametrizations.weight.original
        with lib.no_grad():
            sn._u.copy_(lib.tensor(u0 / np.linalg.norm(u0)))
            sn._v.copy_(lib.tensor(v0 / np.linalg.norm(v0)))
    else:
        lin = lib.nn.utils.spectral_norm(lin)
        w = lin.weight_orig
        with lib.no_grad():
            lin.weight_u.copy_(lib.tensor(u0 / np.linalg.norm(u0)))
            lin.weight_v.copy_(lib.tensor(v0 / np.linalg.norm(v0)))
    lin.train(training)
    x = lib.tensor(rs.randn(5, 4), requires_grad=True)
    out = lib.tanh(lin(x)).sum()
    (gx,) = lib.autograd.grad(out, x, create_graph=True)
    penalty = (gx * gx).sum()
    gw, gb = lib.autograd.grad(penalty, [w, lin.bias])
    return [penalty.detach().numpy(), gw.numpy(), gb.numpy()]


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("param", [True, False], ids=["parametrizations", "hook"])
def test_spectral_norm_gradient_penalty_matches_torch(param, training):
    for a, b in zip(_spectral_penalty(mlplab, param, training), _spectral_penalty(torch, param, training)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_p0_distances_give_a_zero_first_derivative_under_create_graph():
    """p = 0 counts non-zeros: torch's result has no derivative at all (its gradient is None);
    mlplab's first derivative is zeros, with create_graph=True too, and nothing further."""
    x = mlplab.tensor(np.random.RandomState(4).randn(3, 4), requires_grad=True)
    for loss in (
        mlplab.nn.functional.pairwise_distance(x, x * 2, p=0).sum(),
        mlplab.nn.functional.triplet_margin_loss(x, x * 2, -x, p=0, margin=5.0),
    ):
        (g,) = mlplab.autograd.grad(loss, x, create_graph=True)
        assert not g.requires_grad
        np.testing.assert_array_equal(g.numpy(), np.zeros((3, 4)))


def _norm_leaf(lib, p, dim):
    """The gradient of a leaf's p-norm under create_graph=True, and its own derivative."""
    x = lib.tensor(np.random.RandomState(6).randn(3, 4), requires_grad=True)
    (g,) = lib.autograd.grad(lib.linalg.vector_norm(x, p, dim=dim).sum(), x, create_graph=True)
    (h,) = lib.autograd.grad((g * g).sum() + g.sum(), x)
    return g.requires_grad, g.detach().numpy(), h.numpy(force=True) if lib is torch else h.numpy()


@pytest.mark.parametrize("p", [1.0, INF, -INF])
@pytest.mark.parametrize("dim", [None, 1])
def test_the_1_and_inf_norm_gradients_of_a_leaf_stay_connected_as_torch(p, dim):
    """torch writes them sgn(x) * ...: differentiating them again gives zeros (torch's ZeroTensor),
    not an error."""
    rm, gm, hm = _norm_leaf(mlplab, p, dim)
    rt, gt, ht = _norm_leaf(torch, p, dim)
    assert rm and rt
    np.testing.assert_allclose(gm, gt, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(hm, ht)
    np.testing.assert_array_equal(hm, np.zeros((3, 4)))
