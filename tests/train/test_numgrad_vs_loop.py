"""The fast numerical gradients (prefix reuse, column locality, rank-one updates) against the notes'
straightforward loop, ``mlplab.autograd.numerical.numerical_grad``: perturb one parameter at a time
and rerun the whole model on the training loss.

Both are central differences with the same h of the same float64 function, so they differ only by
rounding: each loss value carries ~eps |L| of it, turned into ~eps |L| / h by the division by 2h.
The bound used is 64 eps max(|L|, 1) / h (about 3e-10 for |L| ~ 2); a wrong column, copy or
parameter would be off by the size of a gradient entry, orders of magnitude more.
"""

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
        np.testing.assert_allclose(a, b, rtol=0, atol=tol)
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
