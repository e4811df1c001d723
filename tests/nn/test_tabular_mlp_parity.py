"""A tabular MLP built from the new pieces (Embedding for a categorical column, LayerNorm, SELU,
Mish, AlphaDropout in eval, clip_grad_norm_) trained for a few Adam steps with mlplab and with
torch 2.13 from the same initial weights: the losses and the final weights agree step by step."""

from __future__ import annotations

import numpy as np
import torch

import mlplab


def _model(lib):
    nn = lib.nn

    class Tabular(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(6, 3, padding_idx=0)
            self.net = nn.Sequential(
                nn.Linear(3 + 4, 16),
                nn.LayerNorm(16),
                nn.SELU(),
                nn.AlphaDropout(0.1),
                nn.Linear(16, 8),
                nn.Mish(),
                nn.Linear(8, 2),
            )

        def forward(self, cat, num):
            return self.net(lib.cat([self.emb(cat), num], dim=1))

    return Tabular()


def test_tabular_mlp_trains_like_torch():
    rng = np.random.default_rng(0)
    cat = rng.integers(0, 6, size=32)
    num = rng.normal(size=(32, 4)).astype(np.float32)
    y = rng.normal(size=(32, 2)).astype(np.float32)
    var = rng.uniform(0.5, 1.5, size=(32, 1)).astype(np.float32)
    torch.manual_seed(0)
    t = _model(torch)
    m = _model(mlplab)
    m.load_state_dict({k: v.detach().numpy().copy() for k, v in t.state_dict().items()})
    t.eval()
    m.eval()  # AlphaDropout is the identity in eval mode
    ot = torch.optim.Adam(t.parameters(), lr=1e-2)
    om = mlplab.optim.Adam(m.parameters(), lr=1e-2)
    lt_fn, lm_fn = torch.nn.GaussianNLLLoss(), mlplab.nn.GaussianNLLLoss()
    for step in range(10):
        ot.zero_grad()
        lt = lt_fn(t(torch.tensor(cat), torch.tensor(num)), torch.tensor(y), torch.tensor(var))
        lt.backward()
        nt = torch.nn.utils.clip_grad_norm_(t.parameters(), 1.0)
        ot.step()
        om.zero_grad()
        lm = lm_fn(m(mlplab.tensor(cat), mlplab.tensor(num)), mlplab.tensor(y), mlplab.tensor(var))
        lm.backward()
        nm = mlplab.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        om.step()
        np.testing.assert_allclose(lm.item(), lt.item(), rtol=1e-6, err_msg=f"loss at step {step}")
        np.testing.assert_allclose(nm.item(), nt.item(), rtol=1e-6, err_msg=f"grad norm at step {step}")
    for k, v in t.state_dict().items():
        np.testing.assert_allclose(m.state_dict()[k]._data, v.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    assert (m.emb.weight._data[0] == 0).all()  # the padding row never moves
