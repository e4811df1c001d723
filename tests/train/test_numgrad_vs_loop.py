"""The fast numerical gradients (prefix reuse, column locality, rank-one updates) against the notes'
straightforward loop, ``mlplab.autograd.numerical.numerical_grad``: perturb one parameter at a time
and rerun the whole model on the training loss.

Both are central differences with the same h of the same float64 function, so they differ only by
rounding: each loss value carries ~eps |L| of it, turned into ~eps |L| / h by the division by 2h.
The bound used is 64 eps max(|L|, 1) / h (about 3e-10 for |L| ~ 2), plus 64 eps relative for the
result's own rounding (which dominates only at the huge h of the fallback test); a wrong column,
copy or parameter would be off by the size of a gradient entry, orders of magnitude more.
"""

import sys

import numpy as np
import pytest

import mlplab
from mlplab import nn
from mlplab.autograd.grad_mode import no_grad
from mlplab.autograd.numerical import numerical_grad
from mlplab.errors import UserError
from mlplab.tensor import Tensor
from mlplab.train.activations import ACTIVATIONS
from mlplab.train.losses import LossSpec
from mlplab.train.model import build_mlp
from mlplab.train.numgrad import numerical_gradients

H = 1e-4
EPS = np.finfo(np.float64).eps
SPEC = LossSpec("cross_entropy", "classification", 3)


def _loss(model, x, y, spec, l1, l2):
    with no_grad():
        v = spec.loss(model(Tensor._make(x)), Tensor._make(y))
        for p in model.parameters():
            v = v + l1 * p.abs().sum() + l2 * (p * p).sum()
    return float(v.item())


def _assert_matches_loop(model, x, y, spec=SPEC, l1=0.0, l2=0.0, chunk=None):
    fast = numerical_gradients(model, x, y, spec, l1=l1, l2=l2, h=H, chunk=chunk)
    loop = numerical_grad(lambda: _loss(model, x, y, spec, l1, l2), list(model.parameters()), h=H)
    tol = 64 * EPS * max(abs(_loss(model, x, y, spec, l1, l2)), 1.0) / H
    assert len(fast) == len(loop)
    for a, b in zip(fast, loop):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=64 * EPS, atol=tol)  # rtol: the result's own rounding
    assert max(float(np.abs(b).max()) for b in loop) > 100 * tol  # the gradients are not all ~0


def _data(n=7, f=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, f)), rng.integers(0, classes, size=n)


@pytest.mark.parametrize("act", sorted(ACTIVATIONS.names()))
@pytest.mark.parametrize("bn", [False, True])
def test_every_activation_with_and_without_batchnorm(act, bn):
    mlplab.manual_seed(3)
    model = build_mlp(4, [5, 4], 3, activation=act, batchnorm=bn).double()
    x, y = _data()
    _assert_matches_loop(model, x, y, l1=1e-3, l2=1e-2)


def test_per_channel_prelu_softmax_identity_and_affine_free_batchnorm():
    """Per-channel PReLU slopes (local), a softmax in the middle (not per-feature: the general
    path from there), Identity, a Linear without bias and BatchNorm1d without affine."""
    mlplab.manual_seed(4)
    model = nn.Sequential(
        nn.Linear(4, 5),
        nn.PReLU(5, init=0.1),
        nn.Identity(),
        nn.Linear(5, 6, bias=False),
        nn.BatchNorm1d(6, affine=False),
        nn.Softmax(dim=1),
        nn.Linear(6, 4),
        nn.BatchNorm1d(4),
        nn.PReLU(),
        nn.Linear(4, 3),
    ).double()
    with no_grad():
        for p in model.parameters():  # move BatchNorm's gamma/beta off 1/0 so they matter
            p.add_(Tensor._make(np.random.default_rng(5).normal(scale=0.1, size=p.shape)))
    x, y = _data(n=9)
    _assert_matches_loop(model, x, y, l2=1e-2)
    _assert_matches_loop(model, x, y, chunk=3)


def test_shared_parameters_and_a_layer_used_twice():
    mlplab.manual_seed(6)
    a, b = nn.Linear(4, 4), nn.Linear(4, 4)
    b.weight = a.weight  # tied weight, separate biases
    model = nn.Sequential(a, nn.Tanh(), b, nn.Tanh(), a, nn.Tanh(), nn.Linear(4, 3)).double()
    x, y = _data()
    _assert_matches_loop(model, x, y)


@pytest.mark.parametrize("loss", ["mse", "huber"])
def test_regression_losses(loss):
    mlplab.manual_seed(7)
    spec = LossSpec(loss, "regression", 0, 2)
    model = build_mlp(3, [6], 2, activation="gelu", batchnorm=True).double()
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    _assert_matches_loop(model, x, y, spec=spec, l1=1e-3)


def test_chunk_sizes_change_the_result_only_by_rounding():
    """Only by rounding: cross-entropy shifts the logits of a whole chunk by one common maximum."""
    mlplab.manual_seed(8)
    model = build_mlp(4, [5], 3, activation="tanh").double()
    x, y = _data()
    base = numerical_gradients(model, x, y, SPEC)
    tol = 64 * EPS * max(abs(_loss(model, x, y, SPEC, 0.0, 0.0)), 1.0) / H
    for chunk in (1, 2, 7, 1000):
        for a, b in zip(numerical_gradients(model, x, y, SPEC, chunk=chunk), base):
            np.testing.assert_allclose(a, b, rtol=0, atol=tol)


def test_float32_model_is_differentiated_in_float64():
    mlplab.manual_seed(9)
    model = build_mlp(4, [5], 3, activation="sigmoid")
    x, y = _data()
    x = x.astype(np.float32)
    got = numerical_gradients(model, x, y, SPEC)
    want = numerical_gradients(model.double(), x.astype(np.float64), y, SPEC)
    for a, b in zip(got, want):
        assert a.dtype == np.float32
        np.testing.assert_array_equal(a, b.astype(np.float32))


def test_a_parameter_outside_the_layer_list_is_refused():
    class Wrapper(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(4, 3)

        def forward(self, x):
            return self.inner(x)

    x, y = _data()
    with pytest.raises(UserError, match="belongs to no top-level layer"):
        numerical_gradients(Wrapper().double(), x, y, SPEC)


@pytest.mark.parametrize("rt", [1e-2, 0.1, 0.3])
def test_cumulant_series_of_the_last_layer_matches_log_sum_exp(rt):
    """sum_r kappa_r t^r / r! against log sum_c p_c e^{t w_c} over random distributions: the
    error is the truncation, (R t / pi)^7 for a w of range R, plus float64 rounding."""
    from mlplab.train.numgrad_loss import SERIES_ORDER, cumulant_coefficients

    rng = np.random.default_rng(11)
    for _ in range(200):
        c = int(rng.integers(2, 12))
        p = rng.dirichlet(np.ones(c) * rng.choice([0.1, 1.0, 10.0]), size=3)  # (N=3, C)
        w = rng.normal(size=(c, 4)) * rng.choice([0.1, 1.0, 3.0])  # (C, J=4)
        coef = cumulant_coefficients(p, w, SERIES_ORDER)  # (R, J, N)
        t = rt / (w.max(axis=0) - w.min(axis=0))  # (J,): R t = rt for every column
        series = sum(coef[r] * (t[:, None] ** (r + 1)) for r in range(SERIES_ORDER))  # (J, N)
        exact = np.log(np.einsum("nc,cj->jn", p, np.exp(t[None, :] * w)))
        # log of a sum near 1: the reference itself carries ~eps of absolute rounding
        bound = (rt / np.pi) ** (SERIES_ORDER + 1) + 8 * EPS
        np.testing.assert_array_less(np.abs(series - exact), bound)


def _count_paths(monkeypatch):
    from mlplab.train import numgrad

    calls = {}
    for name in ("cross_entropy_series", "cross_entropy_rank_one", "cross_entropy_one_column", "losses"):
        f = getattr(numgrad, name)

        def spy(*a, _f=f, _name=name, **k):
            out = _f(*a, **k)
            key = _name if out is not None else _name + " refused"
            calls[key] = calls.get(key, 0) + 1
            return out

        monkeypatch.setattr(numgrad, name, spy)
    return calls


def test_small_perturbations_use_the_series_and_the_one_column_update(monkeypatch):
    calls = _count_paths(monkeypatch)
    mlplab.manual_seed(12)
    model = build_mlp(4, [5], 3, activation="tanh").double()
    x, y = _data()
    _assert_matches_loop(model, x, y)
    assert calls.get("cross_entropy_series", 0) > 0 and calls.get("cross_entropy_one_column", 0) > 0
    assert "cross_entropy_series refused" not in calls and calls["losses"] == 1  # the label check


@pytest.mark.parametrize(
    "h, refused", [(0.5, "cross_entropy_series refused"), (2e3, "cross_entropy_rank_one refused")]
)
def test_large_perturbations_take_the_exact_paths(monkeypatch, h, refused):
    """h = 0.5: the series is out of its range, the exact exponentials take over; h = 2000: even
    those would leave the safe range of the row maxima, and the general per-sample path runs."""
    calls = _count_paths(monkeypatch)
    mlplab.manual_seed(13)
    model = build_mlp(4, [5], 3, activation="relu").double()
    x, y = _data()
    monkeypatch.setattr(sys.modules[__name__], "H", h)
    _assert_matches_loop(model, x, y)
    assert calls.get(refused, 0) > 0
