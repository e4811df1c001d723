"""nn.EmbeddingBag / F.embedding_bag against torch 2.13: sum, mean and max bags from 2-D inputs and
from 1-D inputs with offsets (empty bags, include_last_offset), per_sample_weights, padding_idx,
max_norm; values and the gradients of the weight and of per_sample_weights; float64 gradcheck;
reprs, state_dict keys, from_pretrained, signatures and PyTorch's errors."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from nn_helpers import assert_close, check_grad

import mlplab
import mlplab.nn as nn
import mlplab.nn.functional as F

TF = torch.nn.functional
OFFSET_CASES = [  # (flat indices, offsets, include_last_offset)
    ([1, 2, 4, 5, 4, 3, 2, 9], [0, 4], False),
    ([1, 2, 4, 5, 4, 3, 2, 9], [0, 0, 3, 8], False),  # an empty first bag and an empty last bag
    ([1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 2, 8], True),
    ([], [0, 0], False),
]


def _w(dtype=np.float64, seed=0):
    return np.random.default_rng(seed).normal(size=(10, 3)).astype(dtype)


def _run(lib, idx, w, offsets=None, psw=None, grad_psw=False, **kw):
    """Forward and backward of embedding_bag in ``lib`` (mlplab or torch) with a fixed upstream
    gradient; returns (output, weight grad, psw grad) as arrays."""
    mk = mlplab.tensor if lib is mlplab else torch.tensor
    wt = mk(w.copy(), requires_grad=True)
    pt = None if psw is None else mk(psw.copy(), requires_grad=grad_psw)
    ot = None if offsets is None else mk(np.array(offsets, dtype=np.int64))
    f = F.embedding_bag if lib is mlplab else TF.embedding_bag
    y = f(mk(np.array(idx, dtype=np.int64)), wt, ot, per_sample_weights=pt, **kw)
    g = np.random.default_rng(7).normal(size=tuple(y.shape)).astype(w.dtype)
    y.backward(mk(g))
    as_np = (lambda t: t._data) if lib is mlplab else (lambda t: t.detach().numpy())
    return as_np(y), as_np(wt.grad), (as_np(pt.grad) if grad_psw else None)


def _same(idx, w, offsets=None, psw=None, grad_psw=False, tol=None, **kw):
    tol = tol or (dict(atol=1e-12, rtol=1e-10) if w.dtype == np.float64 else dict(atol=1e-6, rtol=1e-5))
    m = _run(mlplab, idx, w, offsets, psw, grad_psw, **kw)
    t = _run(torch, idx, w, offsets, psw, grad_psw, **kw)
    for a, b, what in zip(m, t, ("output", "weight grad", "psw grad")):
        if b is not None:
            assert a.dtype == b.dtype, what
            assert_close(a, b, what=what, **tol)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("padding_idx", [None, 4])
def test_two_d_bags_match_torch(mode, dtype, padding_idx):
    idx = [[1, 2, 4, 2], [5, 4, 4, 9], [4, 4, 4, 4]]  # repeats, padding, an all-padding bag
    _same(idx, _w(dtype), mode=mode, padding_idx=padding_idx)


@pytest.mark.parametrize("case", OFFSET_CASES)
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, -6])
def test_offset_bags_match_torch(case, mode, padding_idx):
    idx, offsets, last = case
    _same(idx, _w(), offsets, mode=mode, include_last_offset=last, padding_idx=padding_idx)


@pytest.mark.parametrize("case", OFFSET_CASES[:3])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_per_sample_weights_match_torch_with_their_gradient(case, padding_idx):
    idx, offsets, last = case
    psw = np.random.default_rng(3).normal(size=len(idx))
    _same(idx, _w(), offsets, psw, True, mode="sum", include_last_offset=last, padding_idx=padding_idx)
    psw2 = np.random.default_rng(4).normal(size=(2, 3))
    _same([[1, 2, 2], [3, 2, 1]], _w(), None, psw2, True, mode="sum", padding_idx=padding_idx)


def test_max_norm_renormalises_the_rows_looked_up_as_torch():
    w = _w() * 3
    wm, wt = mlplab.tensor(w.copy()), torch.tensor(w.copy())
    ym = F.embedding_bag(mlplab.tensor([[1, 2], [2, 7]]), wm, max_norm=1.5, norm_type=3.0, mode="sum")
    yt = TF.embedding_bag(torch.tensor([[1, 2], [2, 7]]), wt, max_norm=1.5, norm_type=3.0, mode="sum")
    assert_close(ym, yt, 1e-12, 1e-10, "output")
    assert_close(wm, wt, 1e-12, 1e-10, "weight renormalised in place")


@pytest.mark.parametrize("mode", ["sum", "mean"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_scale_grad_by_freq_divides_by_each_index_count_as_documented(mode, padding_idx):
    """Reference: torch's embedding(scale_grad_by_freq) reduced over each bag, which divides each
    row's gradient by its index's count. torch 2.13's embedding_bag CPU kernel divides repeated
    indices by other counts (e.g. [1, 2, 2, 3, 2, 1] gives index 3 a third of its gradient), so
    mlplab follows the documented semantics and this test uses the composition as the oracle."""
    idx = [[1, 2, 2], [3, 2, 1]]
    w = _w()
    m = _run(mlplab, idx, w, mode=mode, scale_grad_by_freq=True, padding_idx=padding_idx)
    wt = torch.tensor(w, requires_grad=True)
    it = torch.tensor(idx)
    rows = TF.embedding(it, wt, padding_idx=padding_idx, scale_grad_by_freq=True)
    if padding_idx is not None:
        rows = rows * (it != padding_idx).unsqueeze(-1)
    y = rows.sum(1)
    if mode == "mean":
        n = (it != padding_idx).sum(1) if padding_idx is not None else torch.tensor([3, 3])
        y = y / n.clamp(min=1).unsqueeze(1)
    y.backward(torch.tensor(np.random.default_rng(7).normal(size=(2, 3))))
    assert_close(m[0], y, 1e-12, 1e-10, "output")
    assert_close(m[1], wt.grad, 1e-12, 1e-10, "weight grad")


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_gradcheck(mode):
    idx = mlplab.tensor([1, 2, 4, 5, 4, 3, 2, 9])
    offsets = mlplab.tensor([0, 0, 3, 5])
    check_grad(lambda w: F.embedding_bag(idx, w, offsets, mode=mode, padding_idx=3), [_w()])


def test_per_sample_weights_gradcheck():
    idx = mlplab.tensor([[1, 2, 4], [5, 4, 3]])
    check_grad(lambda w, s: F.embedding_bag(idx, w, mode="sum", per_sample_weights=s), [_w(), _w()[:2]])


def test_module_repr_state_dict_and_forward_match_torch():
    for kw in [
        {},
        {"mode": "sum"},
        {"mode": "max", "padding_idx": 2, "max_norm": 1.0, "norm_type": 3.0, "scale_grad_by_freq": False},
        {"scale_grad_by_freq": True, "include_last_offset": True, "padding_idx": -1},
    ]:
        m, t = nn.EmbeddingBag(10, 3, **kw), torch.nn.EmbeddingBag(10, 3, **kw)
        assert repr(m) == repr(t)
        assert list(m.state_dict()) == list(t.state_dict()) == ["weight"]
        assert m.padding_idx == t.padding_idx
        m.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
        idx, offs = [1, 2, 4, 5, 9, 3], [0, 2, 6]
        mi, mo, ti, to = mlplab.tensor(idx), mlplab.tensor(offs), torch.tensor(idx), torch.tensor(offs)
        if not kw.get("include_last_offset"):
            mo, to = mo[:-1], to[:-1]
        ym, yt = m(mi, mo), t(ti, to)
        assert_close(ym, yt, 1e-6, 1e-5, f"output {kw}")
        ym.sum().backward()
        yt.sum().backward()
        if not kw.get("scale_grad_by_freq"):  # torch's own kernel is the oracle only without it
            assert_close(m.weight.grad, t.weight.grad, 1e-6, 1e-5, f"weight grad {kw}")


def test_module_defaults_padding_row_and_dtype():
    mlplab.manual_seed(0)
    m = nn.EmbeddingBag(6, 4, padding_idx=1)
    assert m.weight.dtype == mlplab.float32 and m.weight.shape == (6, 4)
    assert m.weight[1].tolist() == [0.0] * 4 and m.weight.requires_grad
    assert nn.EmbeddingBag(3, 2, dtype=mlplab.float64).weight.dtype == mlplab.float64


def test_from_pretrained_matches_torch():
    w = _w()
    m = nn.EmbeddingBag.from_pretrained(mlplab.tensor(w), mode="max")
    t = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), mode="max")
    assert repr(m) == repr(t) and m.weight.requires_grad is False
    assert nn.EmbeddingBag.from_pretrained(mlplab.tensor(w), freeze=False).weight.requires_grad
    assert_close(m(mlplab.tensor([[1, 2]])), t(torch.tensor([[1, 2]])), 0, 0)


def test_signatures_are_torchs():
    def sig(f):
        return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]

    for name in ("__init__", "forward", "from_pretrained"):
        assert sig(getattr(nn.EmbeddingBag, name)) == sig(getattr(torch.nn.EmbeddingBag, name)), name
    assert sig(F.embedding_bag) == sig(TF.embedding_bag)


def _err(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


W32 = np.ones((10, 3), dtype=np.float32)
ERROR_CASES = [
    ([[1, 2], [3, 4]], W32, [0], {}),
    ([1, 2, 3], W32, None, {}),
    ([1, 2, 3], W32, [[0]], {}),
    ([[[1]]], W32, None, {}),
    ([1, 2, 3], W32, [0, 1], {"mode": "mean", "per_sample_weights": np.ones(3, np.float32)}),
    ([1, 2, 3], W32, [0, 1], {"mode": "max", "per_sample_weights": np.ones(3, np.float32)}),
    ([1, 2, 3], W32, [0, 1], {"mode": "sum", "per_sample_weights": np.ones(2, np.float32)}),
    ([1, 2, 3], W32, [0, 1], {"mode": "foo"}),
    ([1, 2, 3], W32, [0, 5], {}),
    ([1.0, 2.0], W32, [0, 1], {}),
    ([1, 2, 3], W32, [0, 1], {"mode": "max", "scale_grad_by_freq": True}),
    ([1, 2, 3], W32, [0, 1], {"padding_idx": 10}),
    ([[1, 2, 13]], W32, None, {}),
    ([1, 2], np.ones(10, np.float32), [0], {}),
    ([1, 2], W32, [0], {"mode": "sum", "per_sample_weights": np.ones(2, np.float64)}),
    ([1, 2], W32.astype(np.float64), [0], {"mode": "sum", "per_sample_weights": np.ones(2, np.float32)}),
]


@pytest.mark.parametrize("idx,w,offsets,kw", ERROR_CASES)
def test_errors_are_torchs(idx, w, offsets, kw):
    def call(lib, mk):
        kw2 = {k: (mk(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        f = F.embedding_bag if lib is mlplab else TF.embedding_bag
        offs = None if offsets is None else mk(np.array(offsets))
        return lambda: f(mk(np.array(idx)), mk(w), offs, **kw2)

    m_type, m_msg = _err(call(mlplab, mlplab.tensor))
    assert (m_type, m_msg.replace("mlplab.tensor.Tensor", "torch.Tensor")) == _err(call(torch, torch.tensor))


def test_errors_whose_torch_message_is_internal_keep_torchs_type():
    bad_start = lambda lib: (F if lib is mlplab else TF).embedding_bag(  # noqa: E731
        lib.tensor([1, 2, 3]), lib.ones(10, 3), lib.tensor([1, 2])
    )
    threads = torch.get_num_threads()
    # torch 2.13's CPU kernel checks decreasing offsets in its multi-threaded path only (on one
    # thread it reads past the bag and returns numbers): compare with that path, whatever the
    # thread count an earlier test in this worker left
    torch.set_num_threads(2)
    try:
        for lib in (mlplab, torch):
            with pytest.raises(RuntimeError, match=r"offsets\[0\] has to be 0, i.e., the first sequence"):
                bad_start(lib)
            with pytest.raises(RuntimeError):
                (F if lib is mlplab else TF).embedding_bag(
                    lib.tensor([1, 2, 3]), lib.ones(10, 3), lib.tensor([0, 2, 1])
                )
    finally:
        torch.set_num_threads(threads)


def test_module_errors_are_torchs():
    for kw in [{"padding_idx": 10}, {"padding_idx": -11}, {"_weight": None}]:
        if "_weight" in kw:
            m = _err(lambda: nn.EmbeddingBag(10, 3, _weight=mlplab.ones(3, 3)))
            t = _err(lambda: torch.nn.EmbeddingBag(10, 3, _weight=torch.ones(3, 3)))
        else:
            m = _err(lambda kw=kw: nn.EmbeddingBag(10, 3, **kw))
            t = _err(lambda kw=kw: torch.nn.EmbeddingBag(10, 3, **kw))
        assert m == t
    assert _err(lambda: nn.EmbeddingBag.from_pretrained(mlplab.ones(3))) == _err(
        lambda: torch.nn.EmbeddingBag.from_pretrained(torch.ones(3))
    )


def test_sparse_is_refused_with_the_reason():
    with pytest.raises(NotImplementedError, match="no sparse tensors"):
        nn.EmbeddingBag(10, 3, sparse=True)
    with pytest.raises(NotImplementedError, match="no sparse tensors"):
        F.embedding_bag(mlplab.tensor([[1]]), mlplab.ones(10, 3), sparse=True)
