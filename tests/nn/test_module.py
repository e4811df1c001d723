"""Module system and containers against torch.nn's behaviour: registration, iteration order,
train/eval, zero_grad, apply, state_dict / load_state_dict (incl. errors), dtype casts, repr."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch

import mlplab
import mlplab.nn as nn


def _pair():
    """The same 3-layer MLP with BatchNorm and Dropout, built in both libraries."""
    m = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 3))
    t = torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        torch.nn.BatchNorm1d(8),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.2),
        torch.nn.Linear(8, 3),
    )
    return m, t


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 5)
        self.act = nn.Tanh()
        self.head = nn.Sequential(nn.Linear(5, 2), nn.Sigmoid())
        self.register_buffer("steps", mlplab.zeros(()))
        self.register_buffer("scratch", mlplab.zeros(2), persistent=False)
        self.scale = nn.Parameter(mlplab.ones(1))

    def forward(self, x):
        return self.head(self.act(self.fc1(x))) * self.scale


class TMLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(3, 5)
        self.act = torch.nn.Tanh()
        self.head = torch.nn.Sequential(torch.nn.Linear(5, 2), torch.nn.Sigmoid())
        self.register_buffer("steps", torch.zeros(()))
        self.register_buffer("scratch", torch.zeros(2), persistent=False)
        self.scale = torch.nn.Parameter(torch.ones(1))


def test_registration_order_and_names_match_torch():
    m, t = MLP(), TMLP()
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in m.named_children()] == [n for n, _ in t.named_children()]
    assert list(m.state_dict()) == list(t.state_dict())
    assert len(list(m.parameters())) == len(list(t.parameters())) == 5
    assert len(list(m.parameters(recurse=False))) == 1
    assert len(list(m.children())) == 3 and len(list(m.modules())) == 6
    assert [n for n, _ in m.named_parameters(prefix="net")] == [
        n for n, _ in t.named_parameters(prefix="net")
    ]
    assert repr(m).replace("MLP", "X") == repr(t).replace("TMLP", "X")


def test_attribute_access_is_plain_dict_lookup():
    m = MLP()
    # registered objects live in __dict__, so no __getattr__ fallback on the hot path
    assert m.__dict__["fc1"] is m._modules["fc1"]
    assert m.fc1.__dict__["weight"] is m.fc1._parameters["weight"]
    new = nn.Parameter(mlplab.zeros(1))
    m.scale = new
    assert m.scale is new and m._parameters["scale"] is new
    with pytest.raises(AttributeError, match="'MLP' object has no attribute 'nope'"):
        _ = m.nope
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        m.scale = mlplab.ones(1)
    m.scale = None
    assert m.scale is None and "scale" not in dict(m.named_parameters())
    with pytest.raises(TypeError, match="as child module"):
        m.fc1 = 3
    m.steps = mlplab.ones(())
    assert m._buffers["steps"] is m.steps
    del m.act
    assert "act" not in m._modules and not hasattr(m, "act")


def test_fallback_getattr_for_direct_dict_edits():
    m = nn.Module()
    m._parameters["w"] = nn.Parameter(mlplab.ones(2))
    assert m.w is m._parameters["w"]


def test_assign_before_init_raises():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(mlplab.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_forward_missing():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


def test_train_eval_flags_recursively():
    m = MLP()
    assert m.training and m.head[0].training
    assert m.eval() is m
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    m.head.train(False)
    assert m.training and not m.head[1].training
    with pytest.raises(ValueError):
        m.train("yes")


def test_zero_grad_and_requires_grad():
    m = MLP()
    m(mlplab.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad._data.any() for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.fc1.requires_grad_(False)
    m(mlplab.randn(4, 3)).sum().backward()
    assert m.fc1.weight.grad is None and m.head[0].weight.grad is not None


def test_apply_visits_children_first():
    m, t = MLP(), TMLP()
    seen_m, seen_t = [], []
    m.apply(lambda mod: seen_m.append(type(mod).__name__))
    t.apply(lambda mod: seen_t.append(type(mod).__name__))
    assert [s.replace("TMLP", "MLP") for s in seen_t] == seen_m

    def init_weights(mod):
        if isinstance(mod, nn.Linear):
            nn.init.constant_(mod.weight, 0.5)

    m.apply(init_weights)
    assert (m.fc1.weight._data == 0.5).all() and (m.head[0].weight._data == 0.5).all()


def test_shared_parameters_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == list(
        torch.nn.Sequential(*[torch.nn.Linear(2, 2)] * 1, torch.nn.ReLU(), torch.nn.Linear(2, 2)).state_dict()
    )[:2] + ["2.weight", "2.bias"]


def test_state_dict_values_are_detached_and_shared():
    m = MLP()
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    w = sd["fc1.weight"]
    assert not w.requires_grad and not isinstance(w, nn.Parameter)
    assert w._data is m.fc1.weight._data
    assert "scratch" not in sd
    kept = m.state_dict(keep_vars=True)
    assert kept["fc1.weight"] is m.fc1.weight


def test_state_dict_round_trip_with_torch():
    m, t = _pair()
    t.train()
    t(torch.randn(16, 4))  # moves BatchNorm's running stats
    assert list(m.state_dict()) == list(t.state_dict())
    assert "1.num_batches_tracked" in m.state_dict()
    res = m.load_state_dict(t.state_dict())
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert repr(res) == "<All keys matched successfully>"
    for k, v in t.state_dict().items():
        np.testing.assert_array_equal(m.state_dict()[k]._data, v.numpy())
    # and back into torch
    t2 = _pair()[1]
    t2.load_state_dict({k: torch.from_numpy(np.array(v._data)) for k, v in m.state_dict().items()})
    m.eval(), t2.eval()
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    np.testing.assert_allclose(m(mlplab.tensor(x))._data, t2(torch.tensor(x)).detach().numpy(), atol=1e-6)


def test_load_state_dict_copies_in_place():
    m = nn.Linear(2, 2)
    w = m.weight
    arr = w._data
    m.load_state_dict({"weight": np.ones((2, 2)), "bias": mlplab.zeros(2)})
    assert m.weight is w and w._data is arr and (arr == 1).all() and arr.dtype == np.float32


def test_load_state_dict_errors_like_torch():
    m, t = nn.Linear(2, 3), torch.nn.Linear(2, 3)
    bad = {"weight": np.zeros((3, 3)), "extra": np.zeros(1)}
    tbad = {"weight": torch.zeros(3, 3), "extra": torch.zeros(1)}
    with pytest.raises(RuntimeError) as em:
        m.load_state_dict(bad)
    with pytest.raises(RuntimeError) as et:
        t.load_state_dict(tbad)
    assert str(em.value).replace("mlplab", "torch") == str(et.value)
    msg = str(em.value)
    assert 'Missing key(s) in state_dict: "bias"' in msg
    assert 'Unexpected key(s) in state_dict: "extra"' in msg
    assert "size mismatch for weight: copying a param with shape mlplab.Size([3, 3])" in msg
    before = m.weight.tolist()
    # non-strict: missing/unexpected reported, shape mismatch still raises, nothing half-loaded
    with pytest.raises(RuntimeError, match="size mismatch"):
        m.load_state_dict(bad, strict=False)
    assert m.weight.tolist() == before
    res = m.load_state_dict({"weight": np.zeros((3, 2)), "extra": 1}, strict=False)
    assert res.missing_keys == ["bias"] and res.unexpected_keys == ["extra"]
    assert (m.weight._data == 0).all()


def test_float_double_keep_parameter_identity():
    m = MLP()
    p = m.fc1.weight
    m.double()
    assert m.fc1.weight is p and p.dtype == mlplab.float64 and m.steps.dtype == mlplab.float64
    y = m(mlplab.randn(2, 3).double())
    assert y.dtype == mlplab.float64
    m.float()
    assert p.dtype == mlplab.float32
    bn = nn.BatchNorm1d(3).double()
    assert bn.num_batches_tracked.dtype == mlplab.int64
    assert m.to(mlplab.float64) is m and p.dtype == mlplab.float64
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled .*CPU only"):
        m.to("cuda")


def test_deepcopy_is_independent():
    m = MLP()
    c = copy.deepcopy(m)
    assert c.fc1.weight is not m.fc1.weight
    assert c.fc1.weight is c._modules["fc1"]._parameters["weight"]
    c.fc1.weight.data.fill_(0.0)
    assert m.fc1.weight._data.any()


def test_hooks():
    lin = nn.Linear(2, 2)
    seen = []
    h = lin.register_forward_hook(lambda mod, args, out: seen.append(out.shape))
    h2 = lin.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    y = lin(mlplab.ones(3, 2))
    assert seen == [(3, 2)]
    np.testing.assert_allclose(y._data, np.broadcast_to(lin.bias._data, (3, 2)))
    h.remove(), h2.remove()
    lin(mlplab.ones(1, 2))
    assert seen == [(3, 2)] and not lin._has_hooks


def test_sequential_container():
    seq = nn.Sequential(nn.Linear(64, 50), nn.Tanh(), nn.Linear(50, 10))
    tseq = torch.nn.Sequential(torch.nn.Linear(64, 50), torch.nn.Tanh(), torch.nn.Linear(50, 10))
    expected = (
        "Sequential(\n  (0): Linear(in_features=64, out_features=50, bias=True)\n  (1): Tanh()\n"
        "  (2): Linear(in_features=50, out_features=10, bias=True)\n)"
    )
    assert repr(seq) == repr(tseq) == expected
    assert len(seq) == 3 and isinstance(seq[0], nn.Linear) and isinstance(seq[-1], nn.Linear)
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "Linear"]
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and repr(sub) == repr(tseq[1:])
    seq.append(nn.Softmax(dim=1))
    tseq.append(torch.nn.Softmax(dim=1))
    assert repr(seq) == repr(tseq)
    del seq[1]
    del tseq[1]
    assert repr(seq) == repr(tseq)
    assert list(seq.state_dict()) == list(tseq.state_dict())
    seq.insert(1, nn.ReLU())
    tseq.insert(1, torch.nn.ReLU())
    assert repr(seq) == repr(tseq)
    seq[1] = nn.Sigmoid()
    assert isinstance(seq[1], nn.Sigmoid) and seq.__dict__["1"] is seq[1]
    with pytest.raises(IndexError):
        seq[10]
    od = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    tod = torch.nn.Sequential(OrderedDict([("fc", torch.nn.Linear(2, 3)), ("act", torch.nn.ReLU())]))
    assert repr(od) == repr(tod) and od.fc is od[0]
    assert list(od.state_dict()) == ["fc.weight", "fc.bias"]
    nested = nn.Sequential(nn.Sequential(nn.Linear(1, 1)), nn.Dropout())
    tnested = torch.nn.Sequential(torch.nn.Sequential(torch.nn.Linear(1, 1)), torch.nn.Dropout())
    assert repr(nested) == repr(tnested)


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])
    tl = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU()])
    assert repr(ml) == repr(tl)
    assert len(ml) == 4 and len(list(ml.parameters())) == 6
    ml.append(nn.Tanh())
    assert isinstance(ml[-1], nn.Tanh) and isinstance(ml[1:3], nn.ModuleList)
    assert list(ml.state_dict())[:2] == ["0.weight", "0.bias"]
    ml += [nn.Sigmoid()]
    assert len(ml) == 6
    md = nn.ModuleDict({"a": nn.Linear(1, 2), "b": nn.ReLU()})
    assert list(md.keys()) == ["a", "b"] and "a" in md and len(md) == 2
    assert list(md.state_dict()) == ["a.weight", "a.bias"]
    assert repr(md) == repr(torch.nn.ModuleDict({"a": torch.nn.Linear(1, 2), "b": torch.nn.ReLU()}))


def test_get_submodule_and_parameter():
    m = MLP()
    assert m.get_submodule("head.0") is m.head[0]
    assert m.get_parameter("head.0.bias") is m.head[0].bias
    with pytest.raises(AttributeError):
        m.get_submodule("nope")


def test_register_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match=r'contain "\."'):
        m.register_buffer("a.b", mlplab.ones(1))
    with pytest.raises(TypeError):
        m.register_parameter("w", mlplab.ones(1))
    with pytest.raises(TypeError):
        m.add_module("x", 3)
    m.x = 1
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("x", mlplab.ones(1))


def test_hot_path_never_uses_getattr_fallback(monkeypatch):
    calls = []
    orig = nn.Module.__getattr__

    def counting(self, name):
        calls.append(name)
        return orig(self, name)

    model = nn.Sequential(
        nn.Linear(4, 8), nn.BatchNorm1d(8), nn.PReLU(), nn.Dropout(0.1), nn.Linear(8, 3), nn.LogSoftmax(dim=1)
    )
    crit = nn.NLLLoss()
    monkeypatch.setattr(nn.Module, "__getattr__", counting)
    for _ in range(2):
        loss = crit(model(mlplab.randn(5, 4)), mlplab.tensor([0, 1, 2, 1, 0]))
        model.zero_grad()
        loss.backward()
    model.eval()
    model(mlplab.randn(2, 4))
    assert calls == []


def test_default_dtype_float64_layers():
    mlplab.set_default_dtype(mlplab.float64)
    try:
        lin, bn, pr = nn.Linear(2, 3), nn.BatchNorm1d(3), nn.PReLU()
        assert lin.weight.dtype == lin.bias.dtype == mlplab.float64
        assert bn.running_mean.dtype == bn.weight.dtype == pr.weight.dtype == mlplab.float64
        y = pr(bn(lin(mlplab.randn(4, 2))))
        assert y.dtype == mlplab.float64
    finally:
        mlplab.set_default_dtype(mlplab.float32)
    assert nn.Linear(2, 3, dtype=mlplab.float64).weight.dtype == mlplab.float64
