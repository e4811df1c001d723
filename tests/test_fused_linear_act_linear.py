"""Sequential's Linear-Tanh/ReLU-Linear node (``ops.linear_act.LinearActLinearFn``) gives bitwise
what the three modules give called one by one, and behaves as their two nodes do: which in-place
changes raise (also when ``autograd.grad`` wants only the second Linear's parameters, where the
first node would not run), second derivatives, frozen parameters, hooks, and PyTorch's results."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
from mlplab.ops.linear_act import LinearActLinearFn

ACTS = ["Tanh", "ReLU"]


def _plain(model: mlplab.nn.Sequential, x: mlplab.Tensor) -> mlplab.Tensor:
    """The reference: each module called in turn."""
    for m in model:
        x = m(x)
    return x


def _pair(act: str, dtype: type = np.float64, sizes: tuple = (5, 4, 3), seed: int = 0) -> tuple:
    """An mlplab Sequential(Linear, act, Linear) and torch's with the same weights."""
    mlplab.manual_seed(seed)
    a, b, c = sizes
    model = mlplab.nn.Sequential(mlplab.nn.Linear(a, b), getattr(mlplab.nn, act)(), mlplab.nn.Linear(b, c))
    tmodel = torch.nn.Sequential(torch.nn.Linear(a, b), getattr(torch.nn, act)(), torch.nn.Linear(b, c))
    if dtype == np.float64:
        model, tmodel = model.double(), tmodel.double()
    with torch.no_grad():
        for p, q in zip(tmodel.parameters(), model.parameters()):
            p.copy_(torch.tensor(q.detach().numpy()))
    return model, tmodel


def _bits(arrays: list) -> list:
    return [(a.dtype, a.shape, a.tobytes()) for a in arrays]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("seed", range(4))
def test_three_modules_bitwise_the_modules_one_by_one(dtype: type, act: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, sizes = int(rng.integers(1, 40)), tuple(int(k) for k in rng.integers(1, 30, 3))
    model, _ = _pair(act, dtype, sizes, seed)
    frozen = [set(), {0}, {0, 1}, {2, 3}][seed]  # parameters that require no grad
    for i, p in enumerate(model.parameters()):
        p.requires_grad_(i not in frozen)
    x0 = (rng.standard_normal((n, sizes[0])) * 2).astype(dtype)
    g = mlplab.tensor(rng.standard_normal((n, sizes[2])).astype(dtype))
    results = []
    for forward in (model, lambda x: _plain(model, x)):
        for x_grad in (True, False):
            model.zero_grad()
            x = mlplab.tensor(x0, requires_grad=x_grad)
            y = forward(x)
            y.backward(g)
            grads = [p.grad.numpy() for p in model.parameters() if p.grad is not None]
            results.append(_bits([y.detach().numpy()] + grads + ([x.grad.numpy()] if x_grad else [])))
    assert isinstance(model(mlplab.tensor(x0, requires_grad=True)).grad_fn, LinearActLinearFn)
    assert model(mlplab.tensor(x0)).grad_fn.name() == "AddmmBackward0" or 2 in frozen
    assert results[0] == results[2] and results[1] == results[3]
    with mlplab.no_grad():  # inference: the same values, no graph
        y = model(mlplab.tensor(x0))
    assert y.grad_fn is None and y.numpy().tobytes() == results[1][0][2]


def test_deeper_nets_fuse_the_last_pair_with_the_final_linear() -> None:
    """Linear act Linear act Linear: the first pair fused, the second pair with the last Linear."""
    mlplab.manual_seed(0)
    nn = mlplab.nn
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3)).double()
    x = mlplab.randn(7, 6, dtype=mlplab.float64)
    y = model(x)
    assert isinstance(y.grad_fn, LinearActLinearFn)
    assert type(y.grad_fn.parents[0].grad_fn).__name__ == "LinearReluFn"
    y.sum().backward()
    fused = [p.grad.numpy().copy() for p in model.parameters()]
    model.zero_grad()
    ref = _plain(model, x)
    ref.sum().backward()
    assert y.detach().numpy().tobytes() == ref.detach().numpy().tobytes()
    assert _bits(fused) == _bits([p.grad.numpy() for p in model.parameters()])


def test_hooks_bias_free_and_mismatched_layers_are_not_fused() -> None:
    nn = mlplab.nn
    x = mlplab.randn(4, 3)
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 2))
    seen = []
    model[2].register_forward_pre_hook(lambda m, i: seen.append(i[0].grad_fn.name()))
    y = model(x)
    assert seen == ["TanhBackward0"] and y.grad_fn.name() == "AddmmBackward0"
    assert not isinstance(y.grad_fn, LinearActLinearFn)
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 2, bias=False))
    assert model(x).grad_fn.name() == "MmBackward0"
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(5, 2))
    with pytest.raises(RuntimeError, match=r"Linear\(5 -> 2\) expected input \(\*, 5\), got \(4, 2\)"):
        model(x)
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 2).double())
    with pytest.raises(RuntimeError, match="input dtype float32 differs from the weight's float64"):
        model(x)


def _grads_or_error(fn: object) -> object:
    try:
        return fn()
    except RuntimeError as e:
        assert "modified by an inplace operation" in str(e)
        return "raised"


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("changed", ["x", "W1", "b1", "W2", "b2"])
@pytest.mark.parametrize("wanted", [("W2",), ("b2",), ("W2", "b2"), ("W1",), ("x",), ("b1", "W2"), None])
def test_in_place_changes_raise_as_torch_for_every_choice_of_inputs(act, changed, wanted) -> None:
    """After the forward one tensor is changed in place; a pass then wants some inputs
    (``autograd.grad``, ``backward(inputs=)``) or all (``wanted=None``: ``backward()``). mlplab
    raises exactly where torch does, and otherwise gives torch's gradients (and bitwise those of
    the modules one by one)."""
    model, tmodel = _pair(act)
    x0 = np.random.default_rng(3).standard_normal((6, 5))

    def run(lib: object, mod: object, fused: bool) -> object:
        x = lib.tensor(x0, requires_grad=True)
        xin = x * 1.0  # a non-leaf: it can be changed in place (its gradient reaches the leaf x)
        params = dict(zip(["W1", "b1", "W2", "b2"], mod.parameters()))
        out = mod(xin) if fused else _plain(mod, xin)
        loss = (out * out).sum()
        if changed == "x":
            xin.add_(0.5)  # recorded: xin's version goes up
        else:
            with lib.no_grad():
                params[changed].add_(0.5)
        inputs = [x if k == "x" else params[k] for k in wanted or ()]
        try:
            if wanted is None:
                loss.backward()
                res = [p.grad.clone() for p in mod.parameters()] + [x.grad.clone()]
            else:
                res = list(lib.autograd.grad(loss, inputs, retain_graph=True))
                loss.backward(inputs=inputs)
                res += [t.grad.clone() for t in inputs]
        finally:
            if changed != "x":
                with lib.no_grad():
                    params[changed].sub_(0.5)
            for p in mod.parameters():
                p.grad = None
        return [r.detach().numpy() for r in res]

    ours = _grads_or_error(lambda: run(mlplab, model, True))
    plain = _grads_or_error(lambda: run(mlplab, model, False))
    theirs = _grads_or_error(lambda: run(torch, tmodel, True))
    if theirs == "raised" or ours == "raised":
        assert ours == theirs == plain == "raised"
        return
    assert _bits(ours) == _bits(plain)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("act", ACTS)
def test_second_derivatives_through_the_node(act: str) -> None:
    """create_graph through the fused node: the first derivatives bitwise those of the modules one
    by one; the second ones equal to float64 rounding (the fused node's backward recomputes h on
    the graph, so the two paths into h are summed at x and W_1 instead of at h: another order of
    the same sums, as the Linear-Tanh pair node already has), and close to torch's."""
    model, tmodel = _pair(act)
    x0 = np.random.default_rng(5).standard_normal((4, 5))
    first, second = [], []
    for forward in (model, lambda x: _plain(model, x)):
        x = mlplab.tensor(x0, requires_grad=True)
        params = list(model.parameters())
        gs = mlplab.autograd.grad((forward(x) ** 3).sum(), [x] + params, create_graph=True)
        sum((g * g).sum() for g in gs).backward()
        first.append(_bits([g.detach().numpy() for g in gs]))
        second.append([x.grad.numpy().copy()] + [p.grad.numpy().copy() for p in params])
        model.zero_grad()
        # only the second Linear's weight wanted: the first half is skipped and still differentiable
        x = mlplab.tensor(x0, requires_grad=True)
        (gw2,) = mlplab.autograd.grad((forward(x) ** 3).sum(), [params[2]], create_graph=True)
        (gw2 * gw2).sum().backward()
        first.append(_bits([gw2.detach().numpy()]))
        second.append([x.grad.numpy().copy()] + [p.grad.numpy().copy() for p in params])
        model.zero_grad()
    assert first[0] == first[2] and first[1] == first[3]
    for fused, plain in ((second[0], second[2]), (second[1], second[3])):
        for a, b in zip(fused, plain):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    tx = torch.tensor(x0, requires_grad=True)
    tparams = list(tmodel.parameters())
    tgs = torch.autograd.grad((tmodel(tx) ** 3).sum(), [tx] + tparams, create_graph=True)
    sum((g * g).sum() for g in tgs).backward()
    for a, b in zip(second[0], [tx.grad.numpy()] + [p.grad.numpy() for p in tparams]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
