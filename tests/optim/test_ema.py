"""EMA of a sequence (the notes' examples, bias correction) and weight averaging (AveragedModel, EMAModel)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.optim import swa_utils

import mlplab
import mlplab.optim as optim
from mlplab.optim import ema


def test_notes_examples():
    """Notes 2.4.1: x = [1, 2, 3, 4, 5], S_0 = x_0, S_t = beta S_{t-1} + (1 - beta) x_t."""
    np.testing.assert_allclose(ema([1, 2, 3, 4, 5], 0.1), [1, 1.9, 2.89, 3.889, 4.8889], rtol=1e-13)
    np.testing.assert_allclose(ema([1, 2, 3, 4, 5], 0.9), [1, 1.1, 1.29, 1.561, 1.9049], rtol=1e-13)
    assert ema([1, 2, 3, 4, 5], 0.1).round(4).tolist() == [1.0, 1.9, 2.89, 3.889, 4.8889]


def test_zero_start_is_biased_and_the_correction_removes_it():
    ones = np.ones(6)
    raw = ema(ones, 0.9, zero_init=True)
    np.testing.assert_allclose(raw, 1 - 0.9 ** np.arange(1, 7), rtol=1e-13)  # 0.1, 0.19, 0.271, ...
    np.testing.assert_allclose(ema(ones, 0.9, bias_correction=True), ones, rtol=1e-13)
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    hat = ema(x, 0.9, bias_correction=True)
    for t in range(1, 6):  # V_t / (1 - beta^t) is the normalised weighted mean of x_1..x_t
        w = 0.1 * 0.9 ** np.arange(t - 1, -1, -1)
        assert hat[t - 1] == pytest.approx((w * x[:t]).sum() / (1 - 0.9**t), rel=1e-13)
    assert hat[0] == 1.0
    with pytest.raises(ValueError, match="zero_init"):
        ema(x, 0.9, bias_correction=True, zero_init=False)
    with pytest.raises(ValueError, match="Invalid beta value: 1.5"):
        ema(x, 1.5)


def test_bias_corrected_ema_is_adams_first_moment():
    """torch Adam's exp_avg / (1 - beta1^t) is the bias-corrected EMA of the gradients."""
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(8, 3))
    w = torch.zeros(3, requires_grad=True)
    w.data = w.data.double()
    opt = torch.optim.Adam([w], betas=(0.8, 0.999))
    expected = ema(grads, 0.8, bias_correction=True)
    for t, g in enumerate(grads, 1):
        w.grad = torch.tensor(g)
        opt.step()
        m_hat = opt.state[w]["exp_avg"].numpy() / (1 - 0.8**t)
        np.testing.assert_allclose(expected[t - 1], m_hat, rtol=1e-12)
    assert ema(mlplab.tensor([1.0, 2.0]), 0.5).tolist() == [1.0, 1.5]


class Tiny:
    """Anything with .parameters() (and .buffers()) can be averaged; no mlplab.nn needed."""

    def __init__(self, arrays, buffer):
        self.w = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
        self.running = mlplab.tensor(buffer.copy())

    def parameters(self):
        return iter(self.w)

    def buffers(self):
        return iter([self.running])

    def __call__(self, x):
        return x @ self.w[0] + self.w[1]


class TinyTorch(torch.nn.Module):
    def __init__(self, arrays, buffer):
        super().__init__()
        self.w = torch.nn.ParameterList([torch.nn.Parameter(torch.tensor(a.copy())) for a in arrays])
        self.register_buffer("running", torch.tensor(buffer.copy()))


def _states(dtype, n=6):
    rng = np.random.default_rng(1)
    return [
        (
            [rng.normal(size=(3, 2)).astype(dtype), rng.normal(size=(2,)).astype(dtype)],
            rng.normal(size=2).astype(dtype),
        )
        for _ in range(n)
    ]


AVG = [
    ("swa", {}, {}),
    (
        "ema-multi",
        {"multi_avg_fn": optim.get_ema_multi_avg_fn(0.9)},
        {"multi_avg_fn": swa_utils.get_ema_multi_avg_fn(0.9)},
    ),
    ("ema-single", {"avg_fn": optim.get_ema_avg_fn(0.7)}, {"avg_fn": swa_utils.get_ema_avg_fn(0.7)}),
    ("swa-buffers", {"use_buffers": True}, {"use_buffers": True}),
    (
        "swa-multi",
        {"multi_avg_fn": optim.get_swa_multi_avg_fn()},
        {"multi_avg_fn": swa_utils.get_swa_multi_avg_fn()},
    ),
]


@pytest.mark.parametrize(("label", "kw_m", "kw_t"), AVG, ids=[a[0] for a in AVG])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_averaged_model_matches_torch(label, kw_m, kw_t, dtype):
    states = _states(dtype)
    model = Tiny(*states[0])
    tmodel = TinyTorch(*states[0])
    avg = optim.AveragedModel(model, **kw_m)
    tavg = swa_utils.AveragedModel(tmodel, **kw_t)
    rtol, atol = (1e-12, 0.0) if dtype == np.float64 else (1e-6, 0.0)
    for arrays, buf in states:
        for p, tp, a in zip(model.w, tmodel.w, arrays):
            p._data[...] = a
            tp.data.copy_(torch.tensor(a))
        model.running._data[...] = buf
        tmodel.running.copy_(torch.tensor(buf))
        avg.update_parameters(model)
        tavg.update_parameters(tmodel)
        for p, tp in zip(avg.parameters(), tavg.module.w):
            np.testing.assert_allclose(p._data, tp.detach().numpy(), rtol=rtol, atol=atol)
            assert p._data.dtype == dtype
        np.testing.assert_allclose(
            avg.module.running._data, tavg.module.running.numpy(), rtol=rtol, atol=atol
        )
    assert avg.n_averaged == int(tavg.n_averaged) == len(states)
    # the average is a separate copy that can be called like the model
    assert avg.module is not model and avg.module.w[0] is not model.w[0]
    x = mlplab.ones(1, 3, dtype=avg.module.w[0].dtype)
    np.testing.assert_allclose(avg(x)._data, (x @ avg.module.w[0] + avg.module.w[1])._data)


def test_swa_default_is_the_running_mean():
    states = _states(np.float64, 5)
    model = Tiny(*states[0])
    avg = optim.AveragedModel(model)
    for arrays, _ in states:
        for p, a in zip(model.w, arrays):
            p._data[...] = a
        avg.update_parameters(model)
    mean0 = np.mean([s[0][0] for s in states], axis=0)
    np.testing.assert_allclose(next(iter(avg.parameters()))._data, mean0, rtol=1e-13)


def test_ema_model_update_copy_to_store_restore():
    states = _states(np.float64, 5)
    model = Tiny(*states[0])
    em = optim.EMAModel(model, decay=0.8)
    shadow = [a.copy() for a in states[0][0]]
    for arrays, _ in states[1:]:
        for p, a in zip(model.w, arrays):
            p._data[...] = a
        em.update(model)
        shadow = [0.8 * s + 0.2 * a for s, a in zip(shadow, arrays)]
    for s, a in zip(em.averaged(), shadow):
        np.testing.assert_allclose(s, a, rtol=1e-13)
    current = [p._data.copy() for p in model.w]
    em.store(model)
    em.copy_to(model)
    np.testing.assert_allclose(model.w[0]._data, shadow[0], rtol=1e-13)
    em.restore(model)
    np.testing.assert_array_equal(model.w[0]._data, current[0])
    with pytest.raises(RuntimeError, match="before store"):
        em.restore(model)
    # state dict round trip
    em2 = optim.EMAModel(model, decay=0.5)
    em2.load_state_dict(em.state_dict())
    assert em2.decay == 0.8 and em2.num_updates == 4
    np.testing.assert_array_equal(em2.averaged()[1], em.averaged()[1])


def test_ema_model_bias_correction_matches_sequence_ema():
    states = _states(np.float64, 6)
    model = Tiny(*states[0])
    em = optim.EMAModel(model.parameters(), decay=0.9, bias_correction=True)  # an iterable works too
    for arrays, _ in states:
        for p, a in zip(model.w, arrays):
            p._data[...] = a
        em.step(model)
    seq = np.stack([s[0][0] for s in states])
    np.testing.assert_allclose(em.averaged()[0], ema(seq, 0.9, bias_correction=True)[-1], rtol=1e-12)
    with pytest.raises(ValueError, match="Invalid decay value 1.5"):
        optim.EMAModel(model, decay=1.5)
    with pytest.raises(ValueError, match="Invalid decay value -0.1"):
        optim.get_ema_multi_avg_fn(-0.1)
