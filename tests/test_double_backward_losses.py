"""Second derivatives of the losses (binary cross-entropies, kl_div, the margin losses, the
likelihood losses, cross-entropy on probabilities): each passes ``gradgradcheck`` in float64 and
gives PyTorch 2.13's first and second derivatives; where torch has no second derivative
(multi_margin, multilabel_margin, hardsigmoid) mlplab raises its error as it does."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from dbl_harness import TOL, arrays, assert_matches_torch, pos, second, unit

import mlplab
from mlplab.autograd import gradcheck, gradgradcheck

# kl_div(reduction='mean') warns that it is not the KL divergence (torch and mlplab alike)
pytestmark = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss:UserWarning")

# name -> (f(lib, *tensors), input shapes; pos(s): values in [0.5, 2]; unit(s): in [0.1, 0.9])
CASES = {
    "bce": (lambda L, x, y: L.nn.functional.binary_cross_entropy(x, y), [unit(2, 3), unit(2, 3)]),
    "bce_weight_sum": (
        lambda L, x, y: L.nn.functional.binary_cross_entropy(
            L.sigmoid(x), y * y, weight=L.tensor([0.5, 2.0, 1.0], dtype=L.float64), reduction="sum"
        ),
        [(2, 3), unit(2, 3)],
    ),
    "bce_none": (
        lambda L, x, y: L.nn.functional.binary_cross_entropy(x, y, reduction="none") * x,
        [unit(3, 2), unit(3, 2)],
    ),
    "bce_with_logits_weight_none": (
        lambda L, x, y: L.nn.functional.binary_cross_entropy_with_logits(
            x * x, y, weight=L.tensor([0.5, 2.0, 1.0], dtype=L.float64), reduction="none"
        ),
        [(2, 3), unit(2, 3)],
    ),
    "kl_div": (
        lambda L, a, y: L.nn.functional.kl_div(a * a, y, reduction="batchmean"),
        [(3, 4), unit(3, 4)],
    ),
    "kl_div_none": (lambda L, a, y: L.nn.functional.kl_div(a, y * y, reduction="none"), [(2, 3), pos(2, 3)]),
    "kl_div_log_target": (
        lambda L, a, y: L.nn.functional.kl_div(a * a, y, reduction="mean", log_target=True),
        [(3, 4), (3, 4)],
    ),
    "kl_div_log_target_sum": (
        lambda L, a, y: L.nn.functional.kl_div(L.log_softmax(a, 1), y * a, reduction="sum", log_target=True),
        [(2, 3), (2, 3)],
    ),
    "margin_ranking": (
        lambda L, a, b, y: L.nn.functional.margin_ranking_loss(a * a, b, y, margin=0.3),
        [(5,), (5,), (5,)],
    ),
    "margin_ranking_broadcast_none": (
        lambda L, a, b: L.nn.functional.margin_ranking_loss(
            a, b * b, L.tensor([[1.0], [-1.0]], dtype=L.float64), margin=0.5, reduction="none"
        ),
        [(2, 3), (1, 3)],
    ),
    "hinge_embedding": (
        lambda L, x: L.nn.functional.hinge_embedding_loss(x * x, L.tensor([1.0, -1.0, -1.0, 1.0]).double()),
        [(4,)],
    ),
    "hinge_embedding_none": (
        lambda L, x: L.nn.functional.hinge_embedding_loss(
            x * x, L.tensor([[1.0, -1.0, -1.0], [-1.0, 1.0, -1.0]]).double(), margin=2.0, reduction="none"
        ),
        [(2, 3)],
    ),
    "soft_margin": (
        lambda L, x: L.nn.functional.soft_margin_loss(
            x * x, L.tensor([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]]).double()
        ),
        [(2, 3)],
    ),
    "soft_margin_none": (
        lambda L, x: L.nn.functional.soft_margin_loss(
            x, L.tensor([1.0, -1.0, -1.0]).double(), reduction="none"
        ),
        [(3,)],
    ),
    "multilabel_soft_margin": (
        lambda L, x, y: L.nn.functional.multilabel_soft_margin_loss(x * x, y),
        [(3, 4), unit(3, 4)],
    ),
    "multilabel_soft_margin_weight_none": (
        lambda L, x, y: L.nn.functional.multilabel_soft_margin_loss(
            x, y, weight=L.tensor([0.5, 2.0, 1.0], dtype=L.float64), reduction="none"
        ),
        [(2, 3), unit(2, 3)],
    ),
    "cosine_embedding": (
        lambda L, a, b: L.nn.functional.cosine_embedding_loss(a, b * b, L.tensor([1.0, -1.0, -1.0]).double()),
        [(3, 4), (3, 4)],
    ),
    "cosine_embedding_broadcast_none": (
        lambda L, a, b: L.nn.functional.cosine_embedding_loss(
            a * a, b, L.tensor([1.0, -1.0]).double(), margin=-0.5, reduction="none"
        ),
        [(2, 3), (2, 3)],
    ),
    "triplet_margin": (
        lambda L, a, p, n: L.nn.functional.triplet_margin_loss(a, p * p, n, margin=2.0),
        [(3, 4), (3, 4), (3, 4)],
    ),
    "triplet_margin_p1_swap_sum": (
        lambda L, a, p, n: L.nn.functional.triplet_margin_loss(
            a * a, p, n, margin=3.0, p=1, swap=True, reduction="sum"
        ),
        [(3, 4), (3, 4), (3, 4)],
    ),
    "triplet_margin_p3_none": (
        lambda L, a, p, n: L.nn.functional.triplet_margin_loss(a, p, n, margin=3.0, p=3, reduction="none"),
        [(3, 4), (3, 4), (3, 4)],
    ),
    "triplet_margin_1d_swap": (
        lambda L, a, p, n: L.nn.functional.triplet_margin_loss(a, p, n * n, margin=3.0, swap=True),
        [(4,), (4,), (4,)],
    ),
    "poisson_nll": (lambda L, x, y: L.nn.functional.poisson_nll_loss(x, y * y), [(2, 3), (2, 3)]),
    "poisson_nll_rate_full": (
        lambda L, x, y: L.nn.functional.poisson_nll_loss(
            x * x, y, log_input=False, full=True, reduction="sum"
        ),
        [pos(2, 3), pos(2, 3)],
    ),
    "gaussian_nll": (
        lambda L, x, y, v: L.nn.functional.gaussian_nll_loss(x, y, v * v + 0.1),
        [(3, 2), (3, 2), (3, 2)],
    ),
    "gaussian_nll_clamped_full": (
        lambda L, x, y, v: L.nn.functional.gaussian_nll_loss(
            x * x, y, v, full=True, eps=0.7, reduction="none"
        ),
        [(3, 2), (3, 2), pos(3, 1)],
    ),
    "cross_entropy_probs": (
        lambda L, x, y: L.nn.functional.cross_entropy(x * x, L.softmax(y, 1)),
        [(3, 4), (3, 4)],
    ),
    "cross_entropy_probs_options": (
        lambda L, x, y: L.nn.functional.cross_entropy(
            x,
            L.softmax(y * y, 1),
            weight=L.tensor([1.0, 2.0, 0.5], dtype=L.float64),
            label_smoothing=0.2,
            reduction="sum",
        ),
        [(2, 3, 2), (2, 3, 2)],
    ),
    "cross_entropy_probs_1d_none": (
        lambda L, x, y: L.nn.functional.cross_entropy(x, L.softmax(y, 0), reduction="none") * x[0],
        [(4,), (4,)],
    ),
    "bce_with_logits_pos_weight": (
        lambda L, z, y: L.nn.functional.binary_cross_entropy_with_logits(
            z * z, y, pos_weight=L.tensor([2.0, 0.5, 1.5], dtype=L.float64)
        ),
        [(2, 3), unit(2, 3)],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradgradcheck(name):
    f = CASES[name][0]
    xs = [mlplab.tensor(a, requires_grad=True) for a in arrays(CASES, name)]
    assert gradcheck(lambda *t: f(mlplab, *t), xs)
    assert gradgradcheck(lambda *t: f(mlplab, *t), xs)


def _second(lib, name):
    return second(lib, CASES, name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivatives_match_torch(name):
    assert_matches_torch(CASES, name)


# PyTorch 2.13 implements no second derivative for these: the first one (create_graph=True) is
# returned, and differentiating it raises PyTorch's RuntimeError; mlplab does the same
NOT_TWICE = {
    "multi_margin": (
        lambda L, x: L.nn.functional.multi_margin_loss(x, L.tensor([1, 0, 3])),
        "aten::multi_margin_loss_backward",
    ),
    "multi_margin_p2": (
        lambda L, x: L.nn.functional.multi_margin_loss(x, L.tensor([1, 0, 3]), p=2, reduction="sum"),
        "aten::multi_margin_loss_backward",
    ),
    "multilabel_margin": (
        lambda L, x: L.nn.functional.multilabel_margin_loss(
            x, L.tensor([[1, 3, -1, 0], [2, -1, 0, 0], [0, 1, 2, 3]])
        ),
        "aten::multilabel_margin_loss_backward",
    ),
    "hardsigmoid": (lambda L, x: L.nn.functional.hardsigmoid(x).sum(), "aten::hardsigmoid_backward"),
}


@pytest.mark.parametrize("name", list(NOT_TWICE))
def test_no_second_derivative_where_torch_has_none(name):
    f, aten = NOT_TWICE[name]
    a = np.random.RandomState(2).randn(3, 4) * 3
    firsts = []
    for lib in (torch, mlplab):
        x = lib.tensor(a, requires_grad=True)
        (g,) = lib.autograd.grad(f(lib, x), x, create_graph=True)
        assert g.requires_grad
        assert g.grad_fn.name() == "torch::autograd::NotImplemented"
        firsts.append(g.detach().numpy())
        with pytest.raises(RuntimeError, match=f"^derivative for {aten} is not implemented$"):
            lib.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(firsts[1], firsts[0], **TOL)
