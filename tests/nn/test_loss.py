"""Every loss, functional and module, against torch 2.13: values and gradients (input and target)
for every reduction and option; gradcheck in float64; the notes' examples; bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from nn_helpers import check_grad, mt, parity, strict_numerics

import mlplab
import mlplab.nn as nn
import mlplab.nn.functional as F

TF = torch.nn.functional
RED = ["none", "mean", "sum"]
RNG = np.random.default_rng(1234)


def _m(x):
    return mlplab.tensor(x) if x is not None else None


def _t(x):
    return torch.tensor(x) if x is not None else None


# ----------------------------------------------------------------------------- regression
REGRESSION = [
    ("l1_loss", {}),
    ("mse_loss", {}),
    ("smooth_l1_loss", {}),
    ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 0.0}),
    ("huber_loss", {}),
    ("huber_loss", {"delta": 2.0}),
]


@pytest.mark.parametrize("name,kw", REGRESSION)
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_regression_matches_torch(name, kw, reduction, dtype):
    x = (RNG.normal(size=(4, 3)) * 2).astype(dtype)
    y = (RNG.normal(size=(4, 3)) * 2).astype(dtype)
    tol = {"atol": 1e-12, "rtol": 1e-10} if dtype == np.float64 else {"atol": 1e-6, "rtol": 1e-5}
    parity(
        lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kw),
        lambda a, b: getattr(TF, name)(a, b, reduction=reduction, **kw),
        [x, y],
        **tol,
    )


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", RED)
def test_regression_weight_matches_torch(name, reduction):
    x, y, w = RNG.normal(size=(5, 2)), RNG.normal(size=(5, 2)), RNG.uniform(0.1, 2, size=(5, 2))
    parity(
        lambda a, b: getattr(F, name)(a, b, reduction=reduction, weight=_m(w)),
        lambda a, b: getattr(TF, name)(a, b, reduction=reduction, weight=_t(w)),
        [x, y],
        atol=1e-12,
    )


@pytest.mark.parametrize("name,kw", REGRESSION)
def test_regression_gradcheck(name, kw):
    x, y = RNG.normal(size=(3, 2)) * 2, RNG.normal(size=(3, 2)) * 2
    for r in RED:
        check_grad(lambda a, b, r=r: getattr(F, name)(a, b, reduction=r, **kw), [x, y])


@pytest.mark.parametrize(
    "mod,tmod",
    [
        (lambda: nn.L1Loss(), lambda: torch.nn.L1Loss()),
        (lambda: nn.MSELoss(reduction="sum"), lambda: torch.nn.MSELoss(reduction="sum")),
        (lambda: nn.SmoothL1Loss(beta=0.3), lambda: torch.nn.SmoothL1Loss(beta=0.3)),
        (
            lambda: nn.HuberLoss(reduction="none", delta=0.7),
            lambda: torch.nn.HuberLoss(reduction="none", delta=0.7),
        ),
    ],
)
def test_regression_modules(mod, tmod):
    m, t = mod(), tmod()
    assert repr(m) == repr(t)
    x, y = RNG.normal(size=(6,)), RNG.normal(size=(6,))
    parity(lambda a, b: m(a, b), lambda a, b: t(a, b), [x, y], atol=1e-12)


def test_notes_l1_mse_example():
    y_true = mlplab.tensor([3.0, 5.0, 2.5])
    y_pred = mlplab.tensor([2.5, 5.0, 3.0])
    mae = nn.L1Loss()(y_pred, y_true)
    mse = nn.MSELoss()(y_pred, y_true)
    tt, tp = torch.tensor([3.0, 5.0, 2.5]), torch.tensor([2.5, 5.0, 3.0])
    assert mae.item() == pytest.approx(torch.nn.L1Loss()(tp, tt).item(), abs=1e-7)
    assert mse.item() == pytest.approx(torch.nn.MSELoss()(tp, tt).item(), abs=1e-7)
    assert f"{mae.item():.4f}" == "0.3333" and f"{mse.item():.4f}" == "0.1667"


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_shape_mismatch_raises(name):
    with pytest.raises(ValueError, match=r"input shape \(4, 1\) and target shape \(4,\) differ"):
        getattr(F, name)(mlplab.randn(4, 1), mlplab.randn(4))


def test_regression_bad_arguments():
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.l1_loss(mlplab.ones(2), mlplab.ones(2), reduction="batchmean")
    with pytest.raises(RuntimeError, match="negative"):
        F.smooth_l1_loss(mlplab.ones(2), mlplab.ones(2), beta=-1.0)


def test_legacy_size_average_reduce():
    x, y = RNG.normal(size=4), RNG.normal(size=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sa, r in [(False, None), (None, False), (True, True)]:
            parity(
                lambda a, b, sa=sa, r=r: F.mse_loss(a, b, size_average=sa, reduce=r),
                lambda a, b, sa=sa, r=r: TF.mse_loss(a, b, size_average=sa, reduce=r),
                [x, y],
            )


# ----------------------------------------------------------------------------- cross-entropy
def _logits(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape) * 2


CE_OPTIONS = [
    {},
    {"weight": np.array([0.2, 1.0, 3.0, 0.5])},
    {"ignore_index": 1},
    {"ignore_index": 2, "weight": np.array([0.2, 1.0, 3.0, 0.5])},
    {"label_smoothing": 0.1},
    {"label_smoothing": 0.3, "weight": np.array([0.2, 1.0, 3.0, 0.5])},
    {"label_smoothing": 0.2, "ignore_index": 0},
    {"label_smoothing": 0.2, "ignore_index": 3, "weight": np.array([0.2, 1.0, 3.0, 0.5])},
]


def _ce_kw(opts, lib):
    kw = dict(opts)
    if "weight" in kw:
        kw["weight"] = _m(kw["weight"]) if lib == "m" else _t(kw["weight"])
    return kw


@pytest.mark.parametrize("opts", CE_OPTIONS)
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5)])
def test_cross_entropy_class_targets(opts, reduction, shape):
    x = _logits(shape)
    tshape = (shape[0],) + shape[2:]
    y = np.random.default_rng(1).integers(0, 4, tshape)
    y.flat[0], y.flat[1] = 0, 1  # make sure the ignore cases ignore something
    parity(
        lambda a, b: F.cross_entropy(a, b, reduction=reduction, **_ce_kw(opts, "m")),
        lambda a, b: TF.cross_entropy(a, b, reduction=reduction, **_ce_kw(opts, "t")),
        [x, y],
        atol=1e-12,
        rtol=1e-10,
    )


@pytest.mark.parametrize("opts", CE_OPTIONS[:2] + CE_OPTIONS[4:6])
@pytest.mark.parametrize("reduction", RED)
def test_cross_entropy_probability_targets(opts, reduction):
    x = _logits((5, 4))
    p = np.random.default_rng(2).dirichlet(np.ones(4), size=5)
    parity(
        lambda a, b: F.cross_entropy(a, b, reduction=reduction, **_ce_kw(opts, "m")),
        lambda a, b: TF.cross_entropy(a, b, reduction=reduction, **_ce_kw(opts, "t")),
        [x, p],
        atol=1e-12,
        rtol=1e-10,
    )


def test_cross_entropy_probability_targets_kdim_and_1d():
    x = _logits((2, 3, 4))
    p = np.moveaxis(np.random.default_rng(3).dirichlet(np.ones(3), size=(2, 4)), -1, 1)
    for r in RED:
        parity(
            lambda a, b, r=r: F.cross_entropy(a, b, reduction=r),
            lambda a, b, r=r: TF.cross_entropy(a, b, reduction=r),
            [x, p],
        )
    parity(lambda a, b: F.cross_entropy(a, b), lambda a, b: TF.cross_entropy(a, b), [x[0, :, 0], p[0, :, 0]])


@pytest.mark.parametrize("reduction", RED)
def test_cross_entropy_unbatched(reduction):
    x = _logits((5,))
    parity(
        lambda a, b: F.cross_entropy(a, b, reduction=reduction, label_smoothing=0.1),
        lambda a, b: TF.cross_entropy(a, b, reduction=reduction, label_smoothing=0.1),
        [x, np.array(3)],
        atol=1e-12,
    )


def test_cross_entropy_float32_fused_and_fast_path():
    x = _logits((32, 10)).astype(np.float32)
    y = np.random.default_rng(0).integers(0, 10, 32)
    om, _ = parity(lambda a, b: F.cross_entropy(a, b), lambda a, b: TF.cross_entropy(a, b), [x, y], atol=1e-6)
    assert om.dtype == mlplab.float32
    xm = mlplab.tensor(x, requires_grad=True)
    out = F.cross_entropy(xm, mlplab.tensor(y))
    assert out.grad_fn.name() == "NllLossBackward0"
    assert out.grad_fn.parents == (xm,)  # one node: no separate softmax/log/gather


def test_cross_entropy_all_ignored_is_nan_like_torch():
    x, y = _logits((3, 4)), np.full(3, -100)
    om, ot = parity(
        lambda a, b: F.cross_entropy(a, b), lambda a, b: TF.cross_entropy(a, b), [x, y], grads=[False, False]
    )
    assert np.isnan(om.item()) and torch.isnan(ot)


@pytest.mark.parametrize("opts", CE_OPTIONS)
def test_cross_entropy_gradcheck(opts):
    x = _logits((3, 4), seed=5)
    y = np.array([0, 1, 3])
    for r in RED:
        check_grad(lambda a, b, r=r: F.cross_entropy(a, b, reduction=r, **_ce_kw(opts, "m")), [x, y])
    p = np.random.default_rng(2).dirichlet(np.ones(4), size=3)
    kw = {k: v for k, v in _ce_kw(opts, "m").items() if k != "ignore_index"}
    check_grad(lambda a, b: F.cross_entropy(a, b, **kw), [x, p])


def test_notes_cross_entropy_example():
    logits = mlplab.tensor([[1.5, 2.0, 0.5], [0.5, 1.0, 1.5]])
    labels = mlplab.tensor([1, 2])
    criterion = nn.CrossEntropyLoss()
    loss = criterion(logits, labels)
    tl = torch.nn.CrossEntropyLoss()(torch.tensor([[1.5, 2.0, 0.5], [0.5, 1.0, 1.5]]), torch.tensor([1, 2]))
    assert loss.item() == pytest.approx(tl.item(), abs=1e-7)
    # the notes' intermediate log-softmax values at the true classes: -0.6041 and -0.6803
    ls = nn.LogSoftmax(dim=1)(logits)
    assert f"{ls[0, 1].item():.4f}" == "-0.6041" and f"{ls[1, 2].item():.4f}" == "-0.6803"
    np.testing.assert_allclose(ls._data, torch.log_softmax(torch.tensor(logits._data), 1).numpy(), atol=1e-7)
    # CrossEntropy = LogSoftmax + NLLLoss
    assert nn.NLLLoss()(ls, labels).item() == pytest.approx(loss.item(), abs=1e-7)
    assert f"{loss.item():.4f}" == f"{(0.6041 + 0.6803) / 2:.4f}"


def test_cross_entropy_bad_labels():
    x = mlplab.randn(3, 4)
    with pytest.raises(IndexError, match=r"Target 4 is out of bounds.*\[0, 4\).*C=4"):
        F.cross_entropy(x, mlplab.tensor([0, 4, 1]))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        nn.CrossEntropyLoss()(x, mlplab.tensor([0, -1, 1]))
    with pytest.raises(IndexError, match="Target 7"):
        F.nll_loss(x, mlplab.tensor([7, 1, 1]))
    # ignore_index itself is fine even though outside [0, C)
    F.cross_entropy(x, mlplab.tensor([0, -100, 1]))
    with pytest.raises(ValueError, match="batch_size"):
        F.cross_entropy(x, mlplab.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="integer"):
        F.cross_entropy(x, mlplab.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, mlplab.tensor([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="weight"):
        F.cross_entropy(x, mlplab.tensor([0, 1, 2]), weight=mlplab.ones(3))


# ----------------------------------------------------------------------------- NLL
@pytest.mark.parametrize("opts", [o for o in CE_OPTIONS if "label_smoothing" not in o])
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("shape", [(6, 4), (2, 4, 3)])
def test_nll_loss(opts, reduction, shape):
    x = _logits(shape)
    y = np.random.default_rng(4).integers(0, 4, (shape[0],) + shape[2:])
    y.flat[0], y.flat[1] = 1, 2
    parity(
        lambda a, b: F.nll_loss(F.log_softmax(a, 1), b, reduction=reduction, **_ce_kw(opts, "m")),
        lambda a, b: TF.nll_loss(TF.log_softmax(a, 1), b, reduction=reduction, **_ce_kw(opts, "t")),
        [x, y],
        atol=1e-12,
    )
    check_grad(lambda a, b: F.nll_loss(a, b, reduction=reduction, **_ce_kw(opts, "m")), [x, y])


def test_ce_nll_modules_repr_and_options():
    w = [1.0, 2.0, 0.5]
    pairs = [
        (nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()),
        (
            nn.CrossEntropyLoss(weight=mlplab.tensor(w), label_smoothing=0.1, ignore_index=0),
            torch.nn.CrossEntropyLoss(weight=torch.tensor(w), label_smoothing=0.1, ignore_index=0),
        ),
        (nn.NLLLoss(reduction="sum"), torch.nn.NLLLoss(reduction="sum")),
    ]
    x, y = _logits((4, 3)).astype(np.float32), np.array([0, 2, 1, 2])
    for m, t in pairs:
        assert repr(m) == repr(t)
        parity(lambda a, b, m=m: m(a, b), lambda a, b, t=t: t(a, b), [x, y], atol=1e-6)
    assert list(pairs[1][0].state_dict()) == list(pairs[1][1].state_dict()) == ["weight"]


# ----------------------------------------------------------------------------- binary
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_matches_torch(reduction, weighted):
    x = np.random.default_rng(0).uniform(0.02, 0.98, size=(5, 3))
    y = np.random.default_rng(1).integers(0, 2, (5, 3)).astype(np.float64)
    y[0, 0] = 0.3  # soft targets are allowed
    w = np.random.default_rng(2).uniform(0.5, 2, size=(3,)) if weighted else None
    parity(
        lambda a, b: F.binary_cross_entropy(a, b, weight=_m(w), reduction=reduction),
        lambda a, b: TF.binary_cross_entropy(a, b, weight=_t(w), reduction=reduction),
        [x, y],
        atol=1e-12,
        rtol=1e-9,
    )
    # finite differences move each target by +-h: inside (0, 1), as a target outside it raises
    y_inside = np.where(y == 0, 0.2, np.where(y == 1, 0.7, y))
    check_grad(lambda a, b: F.binary_cross_entropy(a, b, weight=_m(w), reduction=reduction), [x, y_inside])


def test_bce_clamps_log_at_minus_100():
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5], dtype=np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0], dtype=np.float32)
    om, _ = parity(
        lambda a, b: F.binary_cross_entropy(a, b, reduction="none"),
        lambda a, b: TF.binary_cross_entropy(a, b, reduction="none"),
        [x, y],
        atol=1e-5,
    )
    assert om.tolist()[:2] == [100.0, 100.0]


def test_notes_bce_example():
    y = mlplab.tensor([[0.7], [0.2], [0.9], [0.7]])
    t = mlplab.tensor([[1], [0], [1], [0]], dtype=mlplab.float)
    loss1 = nn.BCELoss()(y, t)
    loss2 = nn.functional.binary_cross_entropy(y, t)
    ty = torch.tensor([[0.7], [0.2], [0.9], [0.7]])
    tt = torch.tensor([[1], [0], [1], [0]], dtype=torch.float)
    ref = torch.nn.BCELoss()(ty, tt).item()
    assert loss1.item() == pytest.approx(ref, abs=1e-7) and loss2.item() == pytest.approx(ref, abs=1e-7)
    # the notes' per-sample terms: -0.3567, -0.2231, -0.1054, -1.2040
    per = -F.binary_cross_entropy(y, t, reduction="none")
    assert [f"{v:.4f}" for v in per.reshape(-1).tolist()] == ["-0.3567", "-0.2231", "-0.1054", "-1.2040"]
    assert repr(nn.BCELoss()) == "BCELoss()"


def test_bce_bad_input():
    with pytest.raises(RuntimeError, match="between 0 and 1.*found 1.5"):
        nn.BCELoss()(mlplab.tensor([0.5, 1.5]), mlplab.tensor([1.0, 0.0]))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(mlplab.tensor([-0.1]), mlplab.tensor([1.0]))
    with pytest.raises(RuntimeError, match="between 0 and 1.*nan"):
        F.binary_cross_entropy(mlplab.tensor([float("nan")]), mlplab.tensor([1.0]))
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(mlplab.tensor([[0.5], [0.2]]), mlplab.tensor([1.0, 0.0]))


NAN = float("nan")


@pytest.mark.parametrize(
    ("x", "y"),
    [([0.5, 0.2], [1.5, 0.0]), ([0.5, 0.2], [-0.1, 0.0]), ([0.5, 0.2], [NAN, 0.0]),
     ([0.5, 0.2], [1.0, 1.0000001]), ([1.5, 0.2], [2.0, 0.0]), ([NAN, 0.2], [1.0, -3.0]),
     ([1.0, 0.0], [1.0, 0.0]), ([0.3, 0.9], [0.25, 1.0])],
)  # fmt: skip
@pytest.mark.parametrize("module", [False, True])
def test_bce_refuses_targets_and_inputs_outside_0_1_as_torch(x, y, module):
    """PyTorch checks the input first, then the target: the same error (its text up to our
    explanation after the colon), or the same loss."""

    def run(L):
        fn = L.nn.BCELoss(reduction="none") if module else L.nn.functional.binary_cross_entropy
        try:
            return fn(L.tensor(x), L.tensor(y)).detach().numpy()
        except RuntimeError as e:
            return str(e).split(":")[0]

    expected, got = run(torch), run(mlplab)
    if isinstance(expected, str) or isinstance(got, str):
        assert got == expected
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize(
    "opts",
    [
        {},
        {"weight": [0.5, 2.0, 1.0]},
        {"pos_weight": [3.0, 0.5, 1.0]},
        {"weight": [0.5, 2.0, 1.0], "pos_weight": [3.0, 0.5, 1.0]},
    ],
)
def test_bce_with_logits_matches_torch(reduction, opts):
    x = np.random.default_rng(0).normal(size=(4, 3)) * 3
    y = np.random.default_rng(1).uniform(0, 1, size=(4, 3))

    def kw(lib):
        return {k: (_m(np.array(v)) if lib == "m" else _t(np.array(v))) for k, v in opts.items()}

    parity(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction, **kw("m")),
        lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction=reduction, **kw("t")),
        [x, y],
        atol=1e-12,
        rtol=1e-9,
    )
    check_grad(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction, **kw("m")), [x, y])
    m = nn.BCEWithLogitsLoss(reduction=reduction, **kw("m"))
    t = torch.nn.BCEWithLogitsLoss(reduction=reduction, **kw("t"))
    assert repr(m) == repr(t)
    parity(lambda a, b: m(a, b), lambda a, b: t(a, b), [x, y], atol=1e-12, rtol=1e-9)


def test_bce_with_logits_stable_at_thousand():
    x = np.array([-1000.0, 1000.0, -1000.0, 1000.0, 0.0], dtype=np.float32)
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0], dtype=np.float32)
    om, _ = parity(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="none"),
        lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction="none"),
        [x, y],
        grads=[True, False],
        atol=1e-5,
    )
    assert om.tolist()[:4] == [0.0, 0.0, 1000.0, 1000.0]


# ----------------------------------------------------------------------------- KL divergence
@pytest.mark.parametrize("reduction", RED + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target):
    a = np.log(np.random.default_rng(0).dirichlet(np.ones(4), size=3))
    p = np.random.default_rng(1).dirichlet(np.ones(4), size=3)
    b = np.log(p) if log_target else p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's warning about reduction='mean'
        parity(
            lambda u, v: F.kl_div(u, v, reduction=reduction, log_target=log_target),
            lambda u, v: TF.kl_div(u, v, reduction=reduction, log_target=log_target),
            [a, b],
            atol=1e-12,
        )
        m = nn.KLDivLoss(reduction=reduction, log_target=log_target)
        t = torch.nn.KLDivLoss(reduction=reduction, log_target=log_target)
        parity(lambda u, v: m(u, v), lambda u, v: t(u, v), [a, b], atol=1e-12)
    check_grad(lambda u, v: F.kl_div(u, v, reduction=reduction, log_target=log_target), [a, b])


def test_kl_div_zero_target_terms_vanish():
    a = np.log(np.array([[0.5, 0.25, 0.25]]))
    p = np.array([[1.0, 0.0, 0.0]])
    parity(
        lambda u, v: F.kl_div(u, v, reduction="batchmean"),
        lambda u, v: TF.kl_div(u, v, reduction="batchmean"),
        [a, p],
        grads=[True, False],
    )
    with pytest.raises(ValueError, match="not a valid value"):
        nn.KLDivLoss(reduction="average")


# ----------------------------------------------------------------------------- hinge losses
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize(
    "opts",
    [
        {},
        {"p": 2},
        {"margin": 0.5},
        {"weight": [0.3, 1.0, 2.0, 0.7]},
        {"p": 2, "margin": 2.0, "weight": [0.3, 1.0, 2.0, 0.7]},
    ],
)
def test_multi_margin_matches_torch(reduction, opts):
    x = np.random.default_rng(0).normal(size=(6, 4))
    y = np.random.default_rng(1).integers(0, 4, 6)

    def kw(lib):
        return {
            k: ((_m(np.array(v)) if lib == "m" else _t(np.array(v))) if k == "weight" else v)
            for k, v in opts.items()
        }

    parity(
        lambda a, b: F.multi_margin_loss(a, b, reduction=reduction, **kw("m")),
        lambda a, b: TF.multi_margin_loss(a, b, reduction=reduction, **kw("t")),
        [x, y],
        atol=1e-12,
    )
    check_grad(lambda a, b: F.multi_margin_loss(a, b, reduction=reduction, **kw("m")), [x, y])
    m, t = (
        nn.MultiMarginLoss(reduction=reduction, **kw("m")),
        torch.nn.MultiMarginLoss(reduction=reduction, **kw("t")),
    )
    assert repr(m) == repr(t)
    parity(lambda a, b: m(a, b), lambda a, b: t(a, b), [x, y], atol=1e-12)


def test_multi_margin_unbatched_and_errors():
    x = np.random.default_rng(0).normal(size=4)
    for r in RED:
        for t in (np.array([2]), np.array(2)):
            parity(
                lambda a, b, r=r: F.multi_margin_loss(a, b, reduction=r),
                lambda a, b, r=r: TF.multi_margin_loss(a, b, reduction=r),
                [x, t],
            )
    with pytest.raises(ValueError, match="p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(IndexError, match="Target 4"):
        F.multi_margin_loss(mlplab.randn(2, 4), mlplab.tensor([0, 4]))


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("margin", [1.0, 0.3])
def test_hinge_embedding_matches_torch(reduction, margin):
    x = np.random.default_rng(0).normal(size=(5, 3))
    y = np.where(np.random.default_rng(1).uniform(size=(5, 3)) > 0.5, 1.0, -1.0)
    parity(
        lambda a, b: F.hinge_embedding_loss(a, b, margin=margin, reduction=reduction),
        lambda a, b: TF.hinge_embedding_loss(a, b, margin=margin, reduction=reduction),
        [x, y],
        grads=[True, False],
        atol=1e-12,
    )
    check_grad(
        lambda a, b: F.hinge_embedding_loss(a, b, margin=margin, reduction=reduction),
        [x, y],
        grads=[True, False],
    )
    m, t = (
        nn.HingeEmbeddingLoss(margin, reduction=reduction),
        torch.nn.HingeEmbeddingLoss(margin, reduction=reduction),
    )
    parity(lambda a, b: m(a, b), lambda a, b: t(a, b), [x, y], grads=[True, False], atol=1e-12)


# ----------------------------------------------------------------------------- properties
@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 5),
    c=st.integers(2, 5),
    seed=st.integers(0, 10_000),
    smoothing=st.sampled_from([0.0, 0.05, 0.5]),
    reduction=st.sampled_from(RED),
)
def test_cross_entropy_property(n, c, seed, smoothing, reduction):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c)) * rng.uniform(0.1, 20)
    y = rng.integers(0, c, n)
    parity(
        lambda a, b: F.cross_entropy(a, b, reduction=reduction, label_smoothing=smoothing),
        lambda a, b: TF.cross_entropy(a, b, reduction=reduction, label_smoothing=smoothing),
        [x, y],
        atol=1e-10,
        rtol=1e-9,
    )


def test_losses_keep_float32():
    x, y = mlplab.randn(4, 3), mlplab.randn(4, 3)
    p = mlplab.rand(4, 3)
    with strict_numerics():
        outs = [
            F.mse_loss(x, y),
            F.l1_loss(x, y),
            F.smooth_l1_loss(x, y),
            F.huber_loss(x, y),
            F.cross_entropy(x, mlplab.tensor([0, 1, 2, 0])),
            F.binary_cross_entropy(p, p),
            F.binary_cross_entropy_with_logits(x, p),
            F.kl_div(x, p, reduction="batchmean"),
            F.multi_margin_loss(x, mlplab.tensor([0, 1, 2, 0])),
            F.hinge_embedding_loss(x, y.sign()),
        ]
    assert all(o.dtype == mlplab.float32 for o in outs)
    # a float64 target does not silently promote a float32 prediction's gradient dtype
    xx = mt(np.ones(3, np.float32), True)
    F.mse_loss(xx, mlplab.tensor([1.0, 2.0, 3.0], dtype=mlplab.float64)).backward()
    assert xx.grad.dtype == mlplab.float32
