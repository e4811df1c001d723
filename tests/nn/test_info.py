"""The notes' information theory: information, entropy, KL divergence, cross-entropy (with base),
checked against closed forms and torch.distributions / torch.special."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from nn_helpers import check_grad, parity

import mlplab
import mlplab.nn.functional as F
from mlplab.nn import info


def test_reexported_from_functional():
    assert F.entropy is info.entropy and F.kl_divergence is info.kl_divergence
    assert F.information is info.information and F.cross_entropy_between is info.cross_entropy_between


def test_information_bits_and_nats():
    assert F.information(0.5, base=2).item() == pytest.approx(1.0)
    assert F.information([0.25, 1.0], base=2).tolist() == pytest.approx([2.0, 0.0])
    assert F.information(math.exp(-1)).item() == pytest.approx(1.0, rel=1e-6)
    assert F.information(0.01, base=10).item() == pytest.approx(2.0, rel=1e-6)


def test_entropy_matches_torch_categorical():
    p = np.random.default_rng(0).dirichlet(np.ones(5), size=4)
    ours = F.entropy(mlplab.tensor(p))
    ref = torch.distributions.Categorical(probs=torch.tensor(p)).entropy()
    np.testing.assert_allclose(ours._data, ref.numpy(), rtol=1e-12)
    assert F.entropy([0.5, 0.5], base=2).item() == pytest.approx(1.0)
    assert F.entropy([1.0, 0.0, 0.0]).item() == 0.0  # 0 log 0 = 0
    assert F.entropy([0.25] * 4, base=2).item() == pytest.approx(2.0)


def test_kl_and_cross_entropy_identities():
    rng = np.random.default_rng(1)
    p, q = rng.dirichlet(np.ones(6), size=3), rng.dirichlet(np.ones(6), size=3)
    kl = F.kl_divergence(mlplab.tensor(p), mlplab.tensor(q))
    ref = torch.distributions.kl_divergence(
        torch.distributions.Categorical(probs=torch.tensor(p)),
        torch.distributions.Categorical(probs=torch.tensor(q)),
    )
    np.testing.assert_allclose(kl._data, ref.numpy(), rtol=1e-10)
    h = F.entropy(mlplab.tensor(p))
    ce = F.cross_entropy_between(mlplab.tensor(p), mlplab.tensor(q))
    np.testing.assert_allclose(ce._data, (h + kl)._data, rtol=1e-12)  # H(P, Q) = H(P) + D(P||Q)
    assert (kl._data >= 0).all()
    assert F.kl_divergence(p[0], p[0]).item() == pytest.approx(0.0, abs=1e-12)
    # in bits
    np.testing.assert_allclose(F.kl_divergence(p, q, base=2)._data, kl._data / math.log(2), rtol=1e-6)
    # KL(p||q) equals torch's kl_div(log q, p) summed
    tk = torch.nn.functional.kl_div(torch.tensor(q).log(), torch.tensor(p), reduction="none").sum(-1)
    np.testing.assert_allclose(kl._data, tk.numpy(), rtol=1e-10)


def test_cross_entropy_with_onehot_is_classification_loss():
    logits = np.array([[1.5, 2.0, 0.5], [0.5, 1.0, 1.5]])
    q = torch.softmax(torch.tensor(logits), 1).numpy()
    onehot = np.eye(3)[[1, 2]]
    ce = F.cross_entropy_between(onehot, q).mean().item()
    ref = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor([1, 2])).item()
    assert ce == pytest.approx(ref, rel=1e-12)


def test_gradients_match_torch_and_gradcheck():
    rng = np.random.default_rng(2)
    p, q = rng.dirichlet(np.ones(4), size=2), rng.dirichlet(np.ones(4), size=2)
    parity(
        lambda a, b: F.kl_divergence(a, b),
        lambda a, b: (torch.special.xlogy(a, a) - torch.special.xlogy(a, b)).sum(-1),
        [p, q],
        atol=1e-12,
    )
    parity(
        lambda a: F.entropy(a, base=2),
        lambda a: -(torch.special.xlogy(a, a)).sum(-1) / math.log(2),
        [p],
        atol=1e-12,
    )
    check_grad(lambda a, b: F.cross_entropy_between(a, b), [p, q])
    check_grad(lambda a: F.entropy(a), [p])


def test_bad_input():
    with pytest.raises(ValueError, match="probabilities"):
        F.entropy([0.5, 1.5])
    with pytest.raises(ValueError, match="base"):
        F.entropy([0.5, 0.5], base=1)
