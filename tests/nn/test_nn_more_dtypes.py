"""Each op added for the new nn pieces keeps float32 in float32: its output and every gradient its
``backward`` returns (the engine would cast a float64 gradient back, hiding a slow float64 detour)."""

from __future__ import annotations

import numpy as np
import pytest

import mlplab
import mlplab.nn.functional as F


def _x(*shape):
    return mlplab.randn(*shape, requires_grad=True)


CASES = {
    "relu6": lambda: F.relu6(_x(3, 4)),
    "selu": lambda: F.selu(_x(3, 4)),
    "celu": lambda: F.celu(_x(3, 4), 0.5),
    "mish": lambda: F.mish(_x(3, 4)),
    "hardtanh": lambda: F.hardtanh(_x(3, 4)),
    "logsigmoid": lambda: F.logsigmoid(_x(3, 4)),
    "softsign": lambda: F.softsign(_x(3, 4)),
    "hardswish": lambda: F.hardswish(_x(3, 4)),
    "hardsigmoid": lambda: F.hardsigmoid(_x(3, 4)),
    "tanhshrink": lambda: F.tanhshrink(_x(3, 4)),
    "softmin": lambda: F.softmin(_x(3, 4), 1),
    "threshold": lambda: F.threshold(_x(3, 4), 0.1, 2.0),
    "glu": lambda: F.glu(_x(3, 4)),
    "layer_norm": lambda: F.layer_norm(_x(3, 4), (4,), _x(4), _x(4)),
    "embedding": lambda: F.embedding(mlplab.tensor([1, 2, 1]), _x(3, 4), scale_grad_by_freq=True),
    "margin_ranking": lambda: F.margin_ranking_loss(_x(3), _x(3), mlplab.tensor([1.0, -1.0, 1.0])),
    "cosine_embedding": lambda: F.cosine_embedding_loss(_x(3, 4), _x(3, 4), mlplab.tensor([1, -1, 1])),
    "soft_margin": lambda: F.soft_margin_loss(_x(3, 4), mlplab.ones(3, 4)),
    "multilabel": lambda: F.multilabel_soft_margin_loss(_x(3, 4), mlplab.ones(3, 4), mlplab.ones(4)),
    "poisson_full": lambda: F.poisson_nll_loss(_x(3, 4), mlplab.full((3, 4), 2.0), full=True),
    "poisson_rate": lambda: F.poisson_nll_loss(_x(3, 4).abs(), mlplab.full((3, 4), 2.0), log_input=False),
    "gaussian": lambda: F.gaussian_nll_loss(_x(3, 4), _x(3, 4), _x(3, 1).abs()),
    "triplet_swap": lambda: F.triplet_margin_loss(_x(3, 4), _x(3, 4), _x(3, 4), swap=True),
    "triplet_p3": lambda: F.triplet_margin_loss(_x(3, 4), _x(3, 4), _x(3, 4), p=3),
    "pairwise": lambda: F.pairwise_distance(_x(3, 4), _x(3, 4)),
    "pairwise_inf": lambda: F.pairwise_distance(_x(3, 4), _x(3, 4), p=float("inf")),
    "cosine_similarity": lambda: F.cosine_similarity(_x(3, 4), _x(3, 4)),
    "normalize": lambda: F.normalize(_x(3, 4), p=3),
    "pad": lambda: F.pad(_x(3, 4), (1, -1)),
    "alpha_dropout": lambda: F.alpha_dropout(_x(3, 4), 0.5, True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_float32_output_and_backward(name):
    out = CASES[name]()
    assert out.dtype == mlplab.float32
    grads = out.grad_fn.backward(np.ones(out.shape, dtype=np.float32))
    for g in grads if isinstance(grads, tuple) else (grads,):
        assert g is None or g.dtype == np.float32, g.dtype
