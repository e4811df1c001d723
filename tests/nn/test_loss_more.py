"""The losses added for PyTorch compatibility (MarginRanking, CosineEmbedding, SoftMargin,
MultiLabelSoftMargin, PoissonNLL, GaussianNLL, TripletMargin), module and functional, against
torch 2.13: values and gradients for every reduction, several shapes, float32 and float64,
gradcheck, the deprecated size_average/reduce flags, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from nn_helpers import check_grad, mt, parity

import mlplab
import mlplab.nn as nn
import mlplab.nn.functional as F

TF = torch.nn.functional
REDUCTIONS = ["none", "mean", "sum"]


def _r(shape, seed=0, scale=1.0):
    return np.random.default_rng(seed).normal(size=shape) * scale


def _sign(shape, seed=1):
    return np.where(np.random.default_rng(seed).random(shape) < 0.5, -1.0, 1.0)


def _bits(shape, seed=2):
    return (np.random.default_rng(seed).random(shape) < 0.5).astype(np.float64)


def _counts(shape, seed=3):
    return np.random.default_rng(seed).poisson(2.0, size=shape).astype(np.float64)


def _counts_pos(shape, seed=3):
    """Counts >= 2 for ``full=True``: at y = 0 torch's target gradient of the Stirling term is
    0 * log(0) = NaN (see the test below), and the term jumps at y = 1, where finite differences
    cannot work."""
    return _counts(shape, seed) + 2


def _pos(shape, seed=4):
    return np.random.default_rng(seed).uniform(0.2, 2.0, size=shape)


# (name, arrays(shape), which need grad, mlplab fn(reduction) , torch fn(reduction))
CASES = [
    (
        "margin_ranking",
        lambda s: [_r(s), _r(s, 5), _sign(s)],
        [True, True, True],
        lambda red: lambda a, b, y: F.margin_ranking_loss(a, b, y, margin=0.3, reduction=red),
        lambda red: lambda a, b, y: TF.margin_ranking_loss(a, b, y, margin=0.3, reduction=red),
    ),
    (
        "soft_margin",
        lambda s: [_r(s, scale=2), _sign(s)],
        [True, False],
        lambda red: lambda x, y: F.soft_margin_loss(x, y, reduction=red),
        lambda red: lambda x, y: TF.soft_margin_loss(x, y, reduction=red),
    ),
    (
        "multilabel_soft_margin",
        lambda s: [_r(s, scale=2), _bits(s)],
        [True, True],
        lambda red: lambda x, y: F.multilabel_soft_margin_loss(x, y, reduction=red),
        lambda red: lambda x, y: TF.multilabel_soft_margin_loss(x, y, reduction=red),
    ),
    (
        "multilabel_soft_margin_weight",
        lambda s: [_r(s, scale=2), _bits(s), _pos(s[-1:])],
        [True, True, False],
        lambda red: lambda x, y, w: F.multilabel_soft_margin_loss(x, y, w, reduction=red),
        lambda red: lambda x, y, w: TF.multilabel_soft_margin_loss(x, y, w, reduction=red),
    ),
    (
        "poisson_log",
        lambda s: [_r(s), _counts(s)],
        [True, True],
        lambda red: lambda x, y: F.poisson_nll_loss(x, y, reduction=red),
        lambda red: lambda x, y: TF.poisson_nll_loss(x, y, reduction=red),
    ),
    (
        "poisson_rate_full",
        lambda s: [_pos(s), _counts_pos(s)],
        [True, True],
        lambda red: (
            lambda x, y: F.poisson_nll_loss(x, y, log_input=False, full=True, eps=1e-3, reduction=red)
        ),
        lambda red: (
            lambda x, y: TF.poisson_nll_loss(x, y, log_input=False, full=True, eps=1e-3, reduction=red)
        ),
    ),
    (
        "poisson_log_full",
        lambda s: [_r(s), _counts_pos(s)],
        [True, True],
        lambda red: lambda x, y: F.poisson_nll_loss(x, y, full=True, reduction=red),
        lambda red: lambda x, y: TF.poisson_nll_loss(x, y, full=True, reduction=red),
    ),
    (
        "gaussian_nll",
        lambda s: [_r(s), _r(s, 6), _pos(s)],
        [True, True, True],
        lambda red: lambda x, y, v: F.gaussian_nll_loss(x, y, v, reduction=red),
        lambda red: lambda x, y, v: TF.gaussian_nll_loss(x, y, v, reduction=red),
    ),
    (
        "gaussian_nll_full_shared_var",
        lambda s: [_r(s), _r(s, 6), _pos(s[:-1])],
        [True, True, True],
        lambda red: lambda x, y, v: F.gaussian_nll_loss(x, y, v, full=True, reduction=red),
        lambda red: lambda x, y, v: TF.gaussian_nll_loss(x, y, v, full=True, reduction=red),
    ),
    (
        "triplet",
        lambda s: [_r(s), _r(s, 5), _r(s, 6)],
        [True, True, True],
        lambda red: lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0, reduction=red),
        lambda red: lambda a, p, n: TF.triplet_margin_loss(a, p, n, margin=2.0, reduction=red),
    ),
    (
        "triplet_p1_swap",
        lambda s: [_r(s), _r(s, 5), _r(s, 6)],
        [True, True, True],
        lambda red: lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=3.0, p=1, swap=True, reduction=red),
        lambda red: (
            lambda a, p, n: TF.triplet_margin_loss(a, p, n, margin=3.0, p=1, swap=True, reduction=red)
        ),
    ),
    (
        "triplet_p3",
        lambda s: [_r(s), _r(s, 5), _r(s, 6)],
        [True, True, True],
        lambda red: lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0, p=3, reduction=red),
        lambda red: lambda a, p, n: TF.triplet_margin_loss(a, p, n, margin=2.0, p=3, reduction=red),
    ),
]
IDS = [c[0] for c in CASES]
SHAPES = [(5, 4), (3, 2, 4)]


@pytest.mark.parametrize("name,arrays,grads,fm,ft", CASES, ids=IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_loss_matches_torch_float64(name, arrays, grads, fm, ft, reduction, shape):
    parity(fm(reduction), ft(reduction), arrays(shape), grads, atol=1e-12, rtol=1e-10)


@pytest.mark.parametrize("name,arrays,grads,fm,ft", CASES, ids=IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_matches_torch_float32(name, arrays, grads, fm, ft, reduction):
    a32 = [a.astype(np.float32) for a in arrays((6, 4))]
    parity(fm(reduction), ft(reduction), a32, grads, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("name,arrays,grads,fm,ft", CASES, ids=IDS)
def test_loss_gradcheck(name, arrays, grads, fm, ft):
    check_grad(fm("sum"), arrays((3, 4)), grads)


def test_cosine_embedding_matches_torch():
    for red in REDUCTIONS:
        for margin in (0.0, 0.2, -0.3):
            arrays = [_r((6, 5)), _r((6, 5), 7), np.array([1.0, -1.0, 1.0, -1.0, -1.0, 0.0])]

            def fm(a, b, y):
                return F.cosine_embedding_loss(a, b, y, margin=margin, reduction=red)  # noqa: B023

            def ft(a, b, y):
                return TF.cosine_embedding_loss(a, b, y, margin=margin, reduction=red)  # noqa: B023

            parity(fm, ft, arrays, [True, True, False], atol=1e-12, rtol=1e-10)
            parity(fm, ft, [a.astype(np.float32) for a in arrays], [True, True, False])
    one_d = [_r(4), _r(4, 8), np.array(-1.0)]
    parity(
        lambda a, b, y: F.cosine_embedding_loss(a, b, y, -0.5),
        lambda a, b, y: TF.cosine_embedding_loss(a, b, y, -0.5),
        one_d,
        [True, True, False],
        atol=1e-12,
    )
    check_grad(
        lambda a, b: F.cosine_embedding_loss(a, b, mlplab.tensor([1, -1, -1]), -0.2),
        [_r((3, 4)), _r((3, 4), 1)],
    )


def test_margin_ranking_broadcasts_as_torch():
    arrays = [_r((3, 1)), _r((1, 4), 1), _sign((3, 4))]
    f = [
        lambda a, b, y: F.margin_ranking_loss(a, b, y, 0.1),
        lambda a, b, y: TF.margin_ranking_loss(a, b, y, 0.1),
    ]
    parity(*f, arrays, atol=1e-12)
    parity(
        lambda a, b, y: F.margin_ranking_loss(a, b, y),
        lambda a, b, y: TF.margin_ranking_loss(a, b, y),
        [_r(5), _r(5, 1), _sign(5)],
    )


def test_triplet_one_triplet_and_broadcast_and_inf_norm():
    for arrays in ([_r(4), _r(4, 1), _r(4, 2)], [_r((3, 4)), _r((1, 4), 1), _r((3, 4), 2)]):
        for kw in ({}, {"swap": True}, {"p": np.inf}):
            parity(
                lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=3.0, **kw),  # noqa: B023
                lambda a, p, n: TF.triplet_margin_loss(a, p, n, margin=3.0, **kw),  # noqa: B023
                arrays,
                atol=1e-12,
            )


def test_gaussian_var_shapes_and_float_var():
    x, y = _r((4, 3)), _r((4, 3), 1)
    for v in (_pos((4, 1)), _pos((1, 3)), _pos((4,))):
        parity(
            lambda a, b, c: F.gaussian_nll_loss(a, b, c),
            lambda a, b, c: TF.gaussian_nll_loss(a, b, c),
            [x, y, v],
        )
    parity(lambda a, b: F.gaussian_nll_loss(a, b, 0.7), lambda a, b: TF.gaussian_nll_loss(a, b, 0.7), [x, y])
    # var below eps: clamped for the value, gradient still passed to var (torch's no_grad clamp)
    v = np.array([[1e-9], [0.5], [0.0], [2.0]])
    parity(
        lambda a, b, c: F.gaussian_nll_loss(a, b, c),
        lambda a, b, c: TF.gaussian_nll_loss(a, b, c),
        [x, y, v],
        rtol=1e-9,
    )


def test_poisson_full_target_gradient_at_zero_counts_is_zero_not_nan():
    """A documented difference: torch differentiates the masked Stirling term at y = 0 and gets
    NaN; mlplab's target gradient there is the masked term's 0 plus the unmasked part (-x)."""
    x, y = _r(4), np.array([0.0, 1.0, 2.0, 5.0])
    xm, ym = mt(x, True), mt(y, True)
    F.poisson_nll_loss(xm, ym, full=True, reduction="sum").backward()
    yt = torch.tensor(y, requires_grad=True)
    TF.poisson_nll_loss(torch.tensor(x), yt, full=True, reduction="sum").backward()
    assert np.isnan(yt.grad.numpy()[0])
    np.testing.assert_allclose(ym.grad._data[0], -x[0])
    np.testing.assert_allclose(ym.grad._data[1:], yt.grad.numpy()[1:], rtol=1e-12)


def _err(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda L, T: L.gaussian_nll_loss(T(np.ones((4, 3))), T(np.ones((4, 3))), T(np.ones((4, 2)))),
        lambda L, T: L.gaussian_nll_loss(T(np.ones((4, 3))), T(np.ones((4, 3))), T(-np.ones((4, 3)))),
        lambda L, T: L.gaussian_nll_loss(T(np.ones((4, 3))), T(np.ones((4, 3))), -1.0),
        lambda L, T: L.gaussian_nll_loss(T(np.ones((4, 3, 2))), T(np.ones((4, 3, 2))), T(np.ones((1, 1, 2)))),
        lambda L, T: L.margin_ranking_loss(T(np.ones(3)), T(np.ones(3)), T(np.ones((3, 1)))),
        lambda L, T: L.cosine_embedding_loss(T(np.ones((4, 3))), T(np.ones((4, 3))), T(np.ones((4, 1)))),
        lambda L, T: L.cosine_embedding_loss(T(np.ones(3)), T(np.ones(3)), T(np.ones(1))),
        lambda L, T: L.cosine_embedding_loss(T(np.ones((2, 3))), T(np.ones((2, 3))), T(np.array(1.0))),
        lambda L, T: L.triplet_margin_loss(T(np.ones((2, 3))), T(np.ones((2, 3))), T(np.ones(3))),
        lambda L, T: L.triplet_margin_loss(
            T(np.ones((2, 3))), T(np.ones((2, 3))), T(np.ones((2, 3))), margin=0
        ),
    ],
)
def test_errors_are_torchs(call):
    tt, tmsg = _err(lambda: call(TF, torch.tensor))
    tm, mmsg = _err(lambda: call(F, mlplab.tensor))
    assert tm is tt
    assert mmsg == tmsg.replace("torch.Size", "mlplab.Size")


def test_bad_reduction_and_shape_mismatch_raise():
    x = mlplab.ones(4, 3)
    for f in (F.soft_margin_loss, F.multilabel_soft_margin_loss, F.poisson_nll_loss):
        with pytest.raises(ValueError, match="not a valid value for reduction"):
            f(x, x, reduction="bad")
        with pytest.raises(ValueError, match="differ"):  # mlplab's rule for pointwise losses
            f(x, mlplab.ones(4, 1))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.gaussian_nll_loss(x, x, x, reduction="bad")
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'target'"):
        F.soft_margin_loss(x, mlplab.ones(4, 3, requires_grad=True))


@pytest.mark.parametrize("size_average,reduce", [(False, None), (None, False), (True, True), (False, True)])
def test_legacy_flags(size_average, reduce):
    import warnings

    arrays = [_r((4, 3)), _r((4, 3), 1), _sign((4, 3))]
    kw = dict(size_average=size_average, reduce=reduce)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that the flags are deprecated
        parity(
            lambda a, b, y: F.margin_ranking_loss(a, b, y, **kw),
            lambda a, b, y: TF.margin_ranking_loss(a, b, y, **kw),
            arrays,
        )
        parity(
            lambda a, y: F.soft_margin_loss(a, y, **kw),
            lambda a, y: TF.soft_margin_loss(a, y, **kw),
            [arrays[0], arrays[2]],
            [True, False],
        )
        parity(
            lambda a, y: F.poisson_nll_loss(a, y, **kw),
            lambda a, y: TF.poisson_nll_loss(a, y, **kw),
            [arrays[0], np.abs(arrays[1])],
        )
        parity(
            lambda a, p, n: F.triplet_margin_loss(a, p, n, **kw),
            lambda a, p, n: TF.triplet_margin_loss(a, p, n, **kw),
            arrays,
        )
        for name in (
            "MarginRankingLoss",
            "SoftMarginLoss",
            "PoissonNLLLoss",
            "TripletMarginLoss",
            "CosineEmbeddingLoss",
            "MultiLabelSoftMarginLoss",
        ):
            assert getattr(nn, name)(**kw).reduction == getattr(torch.nn, name)(**kw).reduction


MODULES = [
    ("MarginRankingLoss", {"margin": 0.5}, lambda: [_r((5,)), _r((5,), 1), _sign((5,))], [True, True, False]),
    (
        "CosineEmbeddingLoss",
        {"margin": 0.1, "reduction": "sum"},
        lambda: [_r((5, 3)), _r((5, 3), 1), _sign((5,))],
        [True, True, False],
    ),
    (
        "TripletMarginLoss",
        {"margin": 2.0, "p": 1.0, "swap": True},
        lambda: [_r((5, 3)), _r((5, 3), 1), _r((5, 3), 2)],
        [True, True, True],
    ),
    ("SoftMarginLoss", {"reduction": "none"}, lambda: [_r((5, 3)), _sign((5, 3))], [True, False]),
    ("MultiLabelSoftMarginLoss", {}, lambda: [_r((5, 3)), _bits((5, 3))], [True, False]),
    (
        "PoissonNLLLoss",
        {"log_input": False, "full": True},
        lambda: [_pos((5, 3)), _counts((5, 3))],
        [True, False],
    ),
    (
        "GaussianNLLLoss",
        {"full": True, "eps": 1e-3},
        lambda: [_r((5, 3)), _r((5, 3), 1), _pos((5, 1))],
        [True, False, True],
    ),
]


@pytest.mark.parametrize("name,kw,arrays,grads", MODULES, ids=[m[0] for m in MODULES])
def test_modules_match_torch(name, kw, arrays, grads):
    m, t = getattr(nn, name)(**kw), getattr(torch.nn, name)(**kw)
    assert repr(m) == repr(t)
    parity(lambda *a: m(*a), lambda *a: t(*a), arrays(), grads, atol=1e-12)


def test_multilabel_weight_module_is_a_buffer():
    w = mlplab.tensor([1.0, 2.0, 0.5])
    m = nn.MultiLabelSoftMarginLoss(weight=w)
    assert "weight" in dict(m.named_buffers())
    t = torch.nn.MultiLabelSoftMarginLoss(weight=torch.tensor([1.0, 2.0, 0.5]))
    x, y = _r((4, 3)).astype(np.float32), _bits((4, 3)).astype(np.float32)
    np.testing.assert_allclose(m(mt(x), mt(y))._data, t(torch.tensor(x), torch.tensor(y)).numpy(), rtol=1e-6)
