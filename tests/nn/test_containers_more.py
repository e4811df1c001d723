"""ParameterList, ParameterDict, Unflatten and AlphaDropout against torch 2.13: registration,
state_dict, reprs (dtype names aside), shapes, errors; alpha dropout's statistics and gradient."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
import mlplab.nn as nn
import mlplab.nn.functional as F


def _same_repr(m, t):
    assert repr(m) == repr(t).replace("torch.", "mlplab.")


def test_parameter_list_registers_and_matches_torch():
    shapes = [(2,), (3, 2), (4,)]
    m = nn.ParameterList([nn.Parameter(mlplab.ones(*shapes[0])), mlplab.ones(*shapes[1])])
    t = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(*shapes[0])), torch.ones(*shapes[1])])
    m.append(mlplab.zeros(4))
    t.append(torch.zeros(4))
    _same_repr(m, t)
    assert len(m) == len(t) == 3
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in m)
    assert [k for k, _ in m.named_parameters()] == [k for k, _ in t.named_parameters()] == ["0", "1", "2"]
    assert m[-1] is m[2]
    assert isinstance(m[1:], nn.ParameterList) and len(m[1:]) == 2 and m[1:][0] is m[1]
    m[0] = mlplab.full((2,), 5.0)
    assert m[0].tolist() == [5.0, 5.0] and isinstance(m[0], nn.Parameter)
    m += [mlplab.ones(1)]
    assert len(m) == 4
    with pytest.raises(IndexError, match="index 4 is out of range"):
        m[4]
    with pytest.raises(TypeError, match="should be called with an iterable"):
        m.extend(mlplab.ones(2))
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        m()


def test_parameter_list_in_a_module_trains_and_loads_torch_state():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = nn.ParameterList([nn.Parameter(mlplab.randn(3, 3)) for _ in range(2)])

        def forward(self, x):
            for w in self.ws:
                x = x @ w
            return x

    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = torch.nn.ParameterList([torch.nn.Parameter(torch.randn(3, 3)) for _ in range(2)])

    t = TNet()
    m = Net()
    assert list(m.state_dict()) == list(t.state_dict()) == ["ws.0", "ws.1"]
    m.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    np.testing.assert_array_equal(m.ws[1]._data, t.ws[1].detach().numpy())
    opt = mlplab.optim.SGD(m.parameters(), lr=0.1)
    assert len(opt.param_groups[0]["params"]) == 2
    m(mlplab.ones(1, 3)).sum().backward()
    assert all(w.grad is not None for w in m.ws)


def test_parameter_dict_matches_torch():
    m = nn.ParameterDict({"a": nn.Parameter(mlplab.ones(2)), "b": mlplab.ones(3)})
    t = torch.nn.ParameterDict({"a": torch.nn.Parameter(torch.ones(2)), "b": torch.ones(3)})
    m["c"] = mlplab.zeros(1)
    t["c"] = torch.zeros(1)
    assert list(m.keys()) == list(t.keys()) == ["a", "b", "c"]
    assert [k for k, _ in m.named_parameters()] == [k for k, _ in t.named_parameters()]
    assert isinstance(m["b"], nn.Parameter) and "b" in m and "z" not in m
    assert m.get("z") is None and m.get("a") is m["a"]
    assert repr(m).splitlines()[
        0
    ] == "ParameterDict(" and "(c): Parameter containing: [mlplab.float32 of size 1]" in repr(m)
    p = m.pop("a")
    assert isinstance(p, nn.Parameter) and list(m) == ["b", "c"] and len(m) == 2
    assert [k for k, _ in m.named_parameters()] == ["b", "c"]
    m.update([("d", mlplab.ones(2))])
    assert list(m.keys()) == ["b", "c", "d"]
    assert m.setdefault("e", mlplab.ones(1)) is m["e"]
    del m["b"]
    assert list(m) == ["c", "d", "e"]
    c = m.copy()
    assert list(c) == list(m) and c["c"] is m["c"]
    m.clear()
    assert len(m) == 0 and not list(m.parameters())
    with pytest.raises(ValueError, match="has length 3; 2 is required"):
        m.update([("a", 1, 2)])


@pytest.mark.parametrize(
    "shape,dim,sizes", [((3, 6), 1, (2, 3)), ((3, 6), -1, [2, -1]), ((4, 6, 2), 0, (2, 2, 1))]
)
def test_unflatten_matches_torch(shape, dim, sizes):
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    m, t = nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes)
    assert repr(m) == repr(t)
    xm, xt = mlplab.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    om, ot = m(xm), t(xt)
    np.testing.assert_array_equal(om._data, ot.detach().numpy())
    g = np.random.default_rng(1).normal(size=om.shape).astype(np.float32)
    om.backward(mlplab.tensor(g))
    ot.backward(torch.tensor(g))
    np.testing.assert_array_equal(xm.grad._data, xt.grad.numpy())
    flat = nn.Flatten(
        dim if dim >= 0 else len(shape) - 1, (dim if dim >= 0 else len(shape) - 1) + len(sizes) - 1
    )
    assert flat(om).shape == xm.shape


def test_unflatten_errors():
    with pytest.raises(
        RuntimeError, match=r"Provided sizes \[2, 4\] don't multiply up to the size of dim 1 \(6\)"
    ):
        nn.Unflatten(1, (2, 4))(mlplab.ones(3, 6))
    with pytest.raises(TypeError):
        nn.Unflatten(1, 6)


def test_alpha_dropout_eval_and_statistics():
    x = mlplab.randn(4, 5)
    assert F.alpha_dropout(x, 0.3) is x  # training=False by default, as torch
    m = nn.AlphaDropout(0.2)
    assert repr(m) == repr(torch.nn.AlphaDropout(0.2))
    m.eval()
    assert m(x) is x
    m.train()
    mlplab.manual_seed(0)
    big = mlplab.randn(400, 500, dtype=mlplab.float64)
    y = m(big)._data
    # SELU's fixed point: zero mean and unit variance survive alpha dropout (200,000 draws)
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.01
    sat = -1.0507009873554805 * 1.6732632423543772
    a = ((1 - 0.2) * (1 + 0.2 * sat**2)) ** -0.5
    dropped = np.isclose(y, a * sat - a * sat * 0.2)
    assert abs(dropped.mean() - 0.2) < 0.01
    t = mlplab.randn(3, 4, requires_grad=True)
    out = F.alpha_dropout(t, 0.5, training=True)
    out.sum().backward()
    kept = ~np.isclose(out._data, ((0.5 * (1 + 0.5 * sat**2)) ** -0.5) * sat * 0.5)
    np.testing.assert_allclose(
        t.grad._data, np.where(kept, (0.5 * (1 + 0.5 * sat**2)) ** -0.5, 0.0), rtol=1e-6
    )
    tt = torch.nn.functional.alpha_dropout(torch.randn(400, 500, dtype=torch.float64), 0.2, training=True)
    assert abs(float(tt.mean())) < 0.01 and abs(float(tt.var()) - 1) < 0.01  # torch's, the same claim


def test_alpha_dropout_op_gradcheck():
    from nn_helpers import check_grad

    from mlplab.ops.dropout import AffineMaskFn

    rng = np.random.default_rng(0)
    a, c = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    check_grad(lambda x: AffineMaskFn.apply(x, a, c), [rng.normal(size=(3, 4))])
