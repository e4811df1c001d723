"""nn.LazyLinear and nn.UninitializedParameter against torch 2.13: the class, repr and state_dict
before and after the first forward (it becomes a Linear), the inferred in_features and PyTorch's
initialisation bound, an optimiser built before the first forward that then trains the real
weights (same trajectory as torch from the same weights), load_state_dict into a lazy module,
dtype conversion before materialisation, and the errors of an uninitialized parameter."""

from __future__ import annotations

import copy
import inspect

import numpy as np
import pytest
import torch
from nn_helpers import assert_close

import mlplab
import mlplab.nn as nn


def _lazy_net(lib):
    return lib.nn.Sequential(lib.nn.LazyLinear(5), lib.nn.Tanh(), lib.nn.LazyLinear(2, bias=False))


def test_before_and_after_the_first_forward_as_torch():
    m, t = _lazy_net(mlplab), _lazy_net(torch)
    assert repr(m) == repr(t)
    assert [(k, repr(v)) for k, v in m.state_dict().items()] == [
        (k, repr(v)) for k, v in t.state_dict().items()
    ]
    assert isinstance(m[0], nn.Linear) and isinstance(m[0], nn.LazyLinear)
    assert isinstance(m[0].weight, nn.UninitializedParameter) and isinstance(m[0].weight, nn.Parameter)
    assert m[0].in_features == t[0].in_features == 0
    assert m[0].weight.dtype == mlplab.float32 and m[0].weight.requires_grad
    m(mlplab.ones(4, 3))
    t(torch.ones(4, 3))
    assert repr(m) == repr(t)
    assert type(m[0]) is nn.Linear and type(m[2]) is nn.Linear
    assert type(m[0].weight) is nn.Parameter
    assert list(m.state_dict()) == list(t.state_dict()) == ["0.weight", "0.bias", "2.weight"]
    assert [tuple(v.shape) for v in m.state_dict().values()] == [(5, 3), (5,), (2, 5)]
    assert m[0]._forward_pre_hooks == {} and not m[0]._has_hooks


def test_initialisation_is_linears_bound():
    mlplab.manual_seed(0)
    m = nn.LazyLinear(300)
    m(mlplab.ones(1, 16))
    for p in (m.weight, m.bias):
        a = np.abs(p.detach().numpy())
        assert a.max() <= 0.25 and a.max() > 0.24


def _train(lib, net, opt, steps=3):
    x = np.random.default_rng(0).normal(size=(6, 3)).astype(np.float32)
    y = np.random.default_rng(1).normal(size=(6, 2)).astype(np.float32)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((net(lib.tensor(x)) - lib.tensor(y)) ** 2).mean()
        loss.backward()
        opt.step()
    return {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_an_optimiser_built_before_the_first_forward_trains_the_real_weights(opt_name):
    ref = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2, bias=False))
    sd = {k: v.detach().numpy().copy() for k, v in ref.state_dict().items()}
    results = []
    for lib in (mlplab, torch):
        net = _lazy_net(lib)
        opt = getattr(lib.optim, opt_name)(net.parameters(), lr=0.05)
        net.load_state_dict({k: lib.tensor(v) for k, v in sd.items()})  # materialises, as torch
        assert isinstance(net[0], lib.nn.LazyLinear)  # still lazy until the first forward
        results.append(_train(lib, net, opt))
        assert type(net[0]) is lib.nn.Linear and net[0].in_features == 3
    for k in sd:
        assert_close(results[0][k], results[1][k], 1e-6, 1e-5, k)


def test_random_initialisation_then_training_matches_torch_from_the_same_weights():
    m = _lazy_net(mlplab)
    opt = mlplab.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    m(mlplab.ones(1, 3))  # materialised with random weights
    t = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2, bias=False))
    m.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    a = _train(mlplab, m, opt)
    b = _train(torch, t, torch.optim.SGD(t.parameters(), lr=0.1, momentum=0.9))
    for k in a:
        assert_close(a[k], b[k], 1e-6, 1e-5, k)


def test_dtype_conversion_before_the_first_forward_sets_the_materialised_dtype():
    m, t = nn.LazyLinear(3).double(), torch.nn.LazyLinear(3).double()
    assert m.weight.dtype == mlplab.float64 and t.weight.dtype == torch.float64
    assert m(mlplab.ones(2, 4, dtype=mlplab.float64)).dtype == mlplab.float64
    assert nn.LazyLinear(3, dtype=mlplab.float64).weight.dtype == mlplab.float64


def test_deepcopy_of_a_lazy_module_stays_lazy():
    m = nn.LazyLinear(3)
    c = copy.deepcopy(m)
    assert repr(c) == repr(copy.deepcopy(torch.nn.LazyLinear(3)))
    assert isinstance(c.weight, nn.UninitializedParameter) and c.weight is not m.weight
    c(mlplab.ones(1, 2))
    assert isinstance(m.weight, nn.UninitializedParameter)  # the original is untouched


def test_uninitialized_parameter_errors_are_torchs():
    m, t = nn.LazyLinear(3), torch.nn.LazyLinear(3)
    with pytest.raises(RuntimeError) as em:
        m.weight.shape  # noqa: B018
    with pytest.raises(RuntimeError) as et:
        t.weight.shape  # noqa: B018
    assert str(em.value) == str(et.value)
    common = "This error happens when you are using a `LazyModule` or explicitly manipulating"
    for fn_m, fn_t in [
        (lambda: m.weight + 1, lambda: t.weight + 1),
        (lambda: m.weight.numel(), lambda: t.weight.numel()),
        (lambda: sum(p.numel() for p in m.parameters()), lambda: sum(p.numel() for p in t.parameters())),
    ]:
        with pytest.raises(ValueError, match=common):
            fn_m()
        with pytest.raises(ValueError, match=common):
            fn_t()
    with pytest.raises(IndexError):
        nn.LazyLinear(3)(mlplab.tensor(1.0))
    with pytest.raises(IndexError):
        torch.nn.LazyLinear(3)(torch.tensor(1.0))


def test_a_wrong_feature_count_after_inference_raises_like_linear():
    m = nn.LazyLinear(4)
    m(mlplab.ones(2, 3))
    with pytest.raises(RuntimeError, match=r"Linear\(3 -> 4\) expected input \(\*, 3\), got \(2, 5\)"):
        m(mlplab.ones(2, 5))


def test_signature_is_torchs():
    def sig(f):
        return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]

    assert sig(nn.LazyLinear.__init__) == sig(torch.nn.LazyLinear.__init__)
    assert sig(nn.UninitializedParameter.__init__)[1:] == sig(torch.nn.UninitializedParameter.__new__)[1:]
