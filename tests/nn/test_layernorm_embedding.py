"""LayerNorm / F.layer_norm and Embedding / F.embedding against torch 2.13: values and gradients
(several shapes, float32 and float64, affine or not), gradcheck, PyTorch's errors, reprs,
padding_idx, max_norm, scale_grad_by_freq and from_pretrained."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from nn_helpers import check_grad, module_parity, mt, parity

import mlplab
import mlplab.nn as nn
import mlplab.nn.functional as F

TF = torch.nn.functional


def _x(shape, seed=0, dtype=np.float64):
    return (np.random.default_rng(seed).normal(size=shape) * 2 + 0.5).astype(dtype)


# --------------------------------------------------------------------------- layer norm
LN_CASES = [((5, 4), (4,)), ((3, 2, 6), (6,)), ((3, 2, 6), (2, 6)), ((4,), (4,)), ((2, 3, 2, 2), (3, 2, 2))]


@pytest.mark.parametrize("xs,ns", LN_CASES)
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_layer_norm_functional_matches_torch(xs, ns, affine, dtype):
    arrays = [_x(xs, dtype=dtype)]
    if affine != "none":
        arrays.append(_x(ns, seed=1, dtype=dtype))
    if affine == "both":
        arrays.append(_x(ns, seed=2, dtype=dtype))
    tol = dict(atol=1e-12, rtol=1e-10) if dtype == np.float64 else dict(atol=1e-5, rtol=1e-5)
    parity(
        lambda *a: F.layer_norm(a[0], ns, *a[1:]), lambda *a: TF.layer_norm(a[0], ns, *a[1:]), arrays, **tol
    )
    parity(
        lambda *a: F.layer_norm(a[0], list(ns), *a[1:], eps=0.1),
        lambda *a: TF.layer_norm(a[0], list(ns), *a[1:], eps=0.1),
        arrays,
        **tol,
    )


@pytest.mark.parametrize("xs,ns", LN_CASES[:3])
def test_layer_norm_gradcheck(xs, ns):
    check_grad(lambda x, w, b: F.layer_norm(x, ns, w, b), [_x(xs), _x(ns, 1), _x(ns, 2)])
    check_grad(lambda x: F.layer_norm(x, ns, eps=1e-3), [_x(xs)])


@pytest.mark.parametrize(
    "args",
    [((4,), {}), (4, {}), ([2, 4], {"eps": 1e-3}), (4, {"elementwise_affine": False}), (4, {"bias": False})],
)
def test_layer_norm_module_matches_torch(args):
    shape, kw = args
    m, t = nn.LayerNorm(shape, **kw), torch.nn.LayerNorm(shape, **kw)
    assert repr(m) == repr(t)
    assert [k for k, _ in m.named_parameters()] == [k for k, _ in t.named_parameters()]
    for p in t.parameters():  # away from the ones/zeros initialisation, so a mixed-up grad shows
        with torch.no_grad():
            p.normal_()
    module_parity(m, t, _x((3, 2, 4), dtype=np.float32), atol=1e-5)


def test_layer_norm_module_defaults_and_double():
    m = nn.LayerNorm(3)
    assert m.weight.tolist() == [1.0, 1.0, 1.0] and m.bias.tolist() == [0.0, 0.0, 0.0]
    assert m.weight.dtype == mlplab.float32
    m.double()
    y = m(mt(_x((2, 3))))
    assert y.dtype == mlplab.float64
    assert nn.LayerNorm(3, dtype=mlplab.float64).weight.dtype == mlplab.float64


def _torch_error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "xs,ns,ws,bs",
    [
        ((2, 3), (4,), None, None),
        ((2, 3), (2, 3, 4), None, None),
        ((2, 3), (3,), (4,), None),
        ((2, 3), (3,), None, (4,)),
        ((2, 3), (), None, None),
    ],
)
def test_layer_norm_errors_are_torchs(xs, ns, ws, bs):
    def call(lib, mk):
        w = None if ws is None else mk(np.ones(ws, dtype=np.float32))
        b = None if bs is None else mk(np.ones(bs, dtype=np.float32))
        return lambda: lib.layer_norm(mk(np.ones(xs, dtype=np.float32)), ns, w, b)

    tt, tm = _torch_error(call(TF, torch.tensor)), _torch_error(call(F, mlplab.tensor))
    assert tm == tt


def test_layer_norm_mixed_dtypes_raise_as_torch():
    with pytest.raises(RuntimeError, match="mixed dtype"):
        TF.layer_norm(torch.ones(2, 3), (3,), torch.ones(3, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="mixed dtype"):
        F.layer_norm(mlplab.ones(2, 3), (3,), mlplab.ones(3, dtype=mlplab.float64))
    with pytest.raises(RuntimeError, match="mixed dtype"):
        nn.LayerNorm(3)(mlplab.ones(2, 3, dtype=mlplab.float64))


def test_layer_norm_int_shape_is_a_type_error_in_the_functional_form():
    with pytest.raises(TypeError, match="must be tuple of ints, not int"):
        F.layer_norm(mlplab.ones(2, 3), 3)
    with pytest.raises(TypeError, match="must be tuple of ints, not int"):
        TF.layer_norm(torch.ones(2, 3), 3)


# --------------------------------------------------------------------------- embedding
@pytest.mark.parametrize("idx_shape", [(5,), (2, 3), (2, 2, 3), ()])
@pytest.mark.parametrize("padding_idx", [None, 0, 3, -1])
@pytest.mark.parametrize("scale", [False, True])
def test_embedding_functional_matches_torch(idx_shape, padding_idx, scale):
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 6, size=idx_shape)
    if idx.ndim:
        idx.reshape(-1)[:2] = 3  # a repeated index and (for padding_idx=3) a padded one
    w = _x((6, 4), seed=1)

    def fm(w):
        return F.embedding(mlplab.tensor(idx), w, padding_idx, scale_grad_by_freq=scale)

    def ft(w):
        return TF.embedding(torch.tensor(idx), w, padding_idx, scale_grad_by_freq=scale)

    parity(fm, ft, [w], atol=1e-12, rtol=1e-12)
    parity(fm, ft, [w.astype(np.float32)])


def test_embedding_gradcheck():
    idx = np.array([[0, 2, 2], [4, 1, 0]])
    check_grad(lambda w: F.embedding(mlplab.tensor(idx), w), [_x((5, 3))])
    # scale_grad_by_freq is deliberately not the derivative (it divides by counts): torch parity only


def test_embedding_int32_indices():
    idx = np.array([1, 0, 1], dtype=np.int32)
    w = _x((3, 2))
    parity(lambda w: F.embedding(mlplab.tensor(idx), w), lambda w: TF.embedding(torch.tensor(idx), w), [w])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0])
def test_embedding_max_norm_renormalises_in_place_as_torch(norm_type):
    w = _x((5, 3), seed=4) * 2
    idx = np.array([[0, 1, 1], [3, 0, 2]])
    wm, wt = mt(w, True), torch.tensor(w, requires_grad=True)
    om = F.embedding(mlplab.tensor(idx), wm, max_norm=1.5, norm_type=norm_type)
    ot = TF.embedding(torch.tensor(idx), wt, max_norm=1.5, norm_type=norm_type)
    np.testing.assert_allclose(om._data, ot.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(wm._data, wt.detach().numpy(), rtol=1e-12)  # row 4 untouched in both
    assert not np.allclose(wm._data[:4], w[:4])
    g = _x(om.shape, seed=5)
    om.backward(mlplab.tensor(g))
    ot.backward(torch.tensor(g))
    np.testing.assert_allclose(wm.grad._data, wt.grad.numpy(), rtol=1e-12)


def test_embedding_module_matches_torch():
    t = torch.nn.Embedding(7, 3, padding_idx=2, max_norm=2.0, scale_grad_by_freq=True)
    m = nn.Embedding(7, 3, padding_idx=2, max_norm=2.0, scale_grad_by_freq=True)
    assert repr(m) == repr(t)
    m.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    idx = np.array([[2, 5, 5, 0], [6, 2, 1, 5]])
    om, ot = m(mlplab.tensor(idx)), t(torch.tensor(idx))
    np.testing.assert_allclose(om._data, ot.detach().numpy(), rtol=1e-6)
    g = _x(om.shape, seed=3).astype(np.float32)
    om.backward(mlplab.tensor(g))
    ot.backward(torch.tensor(g))
    np.testing.assert_allclose(m.weight.grad._data, t.weight.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(m.weight._data, t.weight.detach().numpy(), rtol=1e-6)


def test_embedding_init_padding_row_and_repr():
    mlplab.manual_seed(0)
    m = nn.Embedding(1000, 8, padding_idx=-1)
    assert m.padding_idx == 999
    assert (m.weight._data[999] == 0).all()
    w = m.weight._data[:999]
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02  # N(0, 1), 7992 draws
    for kw in [{}, {"padding_idx": 0}, {"norm_type": 1.0, "max_norm": 3.0}, {"sparse": True}]:
        assert repr(nn.Embedding(4, 2, **kw)) == repr(torch.nn.Embedding(4, 2, **kw))


def test_embedding_from_pretrained():
    w = _x((4, 3)).astype(np.float32)
    m = nn.Embedding.from_pretrained(mlplab.tensor(w))
    t = torch.nn.Embedding.from_pretrained(torch.tensor(w))
    assert repr(m) == repr(t)
    assert m.weight.requires_grad is t.weight.requires_grad is False
    np.testing.assert_array_equal(m(mlplab.tensor([3, 0]))._data, t(torch.tensor([3, 0])).detach().numpy())
    m2 = nn.Embedding.from_pretrained(mlplab.tensor(w), freeze=False, padding_idx=1)
    assert m2.weight.requires_grad and m2.padding_idx == 1
    assert list(m2.parameters())[0] is m2.weight
    with pytest.raises(AssertionError, match="expected to be 2-dimensional"):
        nn.Embedding.from_pretrained(mlplab.ones(4))
    with pytest.raises(AssertionError, match="Shape of weight does not match"):
        nn.Embedding(5, 3, _weight=mlplab.ones(4, 3))


@pytest.mark.parametrize(
    "idx,wshape,padding_idx",
    [
        ([0, 5], (5, 2), None),
        ([0, -1], (5, 2), None),
        ([0.0, 1.0], (5, 2), None),
        ([0, 1], (5, 2, 1), None),
        ([0, 1], (5,), None),
        ([0, 1], (5, 2), 5),
        ([0, 1], (5, 2), -6),
    ],
)
def test_embedding_errors_have_torchs_type(idx, wshape, padding_idx):
    tt, tmsg = _torch_error(lambda: TF.embedding(torch.tensor(idx), torch.ones(wshape), padding_idx))
    tm, mmsg = _torch_error(lambda: F.embedding(mlplab.tensor(idx), mlplab.ones(*wshape), padding_idx))
    assert tm is tt
    if "scalar types" in tmsg:  # dtype names differ (torch.FloatTensor / float32)
        assert "Expected tensor for argument #1 'indices'" in mmsg
    else:
        assert mmsg == tmsg


def test_embedding_sparse_is_refused_with_a_reason():
    with pytest.raises(RuntimeError, match="no sparse tensors"):
        nn.Embedding(4, 2, sparse=True)(mlplab.tensor([1]))


def test_embedding_bad_padding_idx_in_module():
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(4, 2, padding_idx=4)
