"""The executor (flat buffers of small parameters, cache-sized chunks of big ones) gives bitwise the
numbers of the plain per-tensor update, and keeps the state where users and ``state_dict`` look for it."""

from __future__ import annotations

import numpy as np
import pytest

import mlplab
import mlplab.optim as optim
from mlplab.optim import executor
from mlplab.optim.inplace import add_

SHAPES = [(7, 5), (7,), (3, 7), (3,)]

CASES = [
    ("Adam", {"lr": 1e-2}),
    ("Adam", {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 1e-2, "maximize": True}),
    ("AdamW", {"lr": 1e-2}),
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-2}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.2, "maximize": True}),
    ("RMSprop", {"lr": 1e-2}),
    ("RMSprop", {"lr": 1e-2, "maximize": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 1e-2, "centered": True}),
    ("RMSprop", {"lr": 1e-2, "momentum": 0.9}),
    ("RMSprop", {"lr": 1e-2, "centered": True, "momentum": 0.9, "weight_decay": 0.1, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.3}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {"lr": 1e-2}),
    ("NAdam", {"lr": 1e-2, "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {"lr": 1e-2, "weight_decay": 0.1, "decoupled_weight_decay": True, "momentum_decay": 0.01}),
    ("Adamax", {"lr": 1e-2, "weight_decay": 0.1, "maximize": True}),
    ("Adadelta", {"lr": 0.5, "weight_decay": 0.1}),
    ("RAdam", {"lr": 1e-2, "betas": (0.9, 0.9), "weight_decay": 0.1}),
    ("RAdam", {"lr": 1e-2, "betas": (0.8, 0.8), "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Rprop", {"lr": 0.05, "maximize": True}),
    ("ASGD", {"lr": 0.05, "t0": 3, "weight_decay": 0.1}),
    ("Momentum", {"lr": 0.1}),
    ("Momentum", {"lr": 0.1, "alpha": 0.8, "weight_decay": 0.1, "maximize": True}),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in CASES]


def _params(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [mlplab.tensor(rng.normal(size=s).astype(dtype), requires_grad=True) for s in SHAPES]


def _grads(rng, dtype):
    return [rng.normal(size=s).astype(dtype) for s in SHAPES]


def _run(
    name, kw, dtype, monkeypatch, fused, n=12, skip=None, reload_at=None, transposed=False, kernels=None
):
    """Params after ``n`` steps of random gradients; ``skip`` = (step, index) leaves one gradient out;
    ``transposed``: the first parameter's array is a transposed (non-C-contiguous) view; ``kernels``:
    the executor's setting (None: the default policy)."""
    with monkeypatch.context() as m:
        if not fused:
            m.setattr(executor, "FUSE_MAX_SIZE", -1)
        ps = _params(dtype)
        if transposed:
            ps[0].data = mlplab.tensor(np.ascontiguousarray(ps[0]._data.T)).T
            arr = ps[0]._data
        opt = getattr(optim, name)(ps, **kw)
        if kernels is not None:
            opt._executor.kernels = kernels
        rng = np.random.default_rng(1)
        for step in range(n):
            for p, g in zip(ps, _grads(rng, dtype)):
                p.grad = mlplab.tensor(g)
            if skip is not None and step in skip[0]:
                ps[skip[1]].grad = None
            opt.step()
            if reload_at == step:
                sd = opt.state_dict()
                opt = getattr(optim, name)(ps, **kw)
                if kernels is not None:
                    opt._executor.kernels = kernels
                opt.load_state_dict(sd)
        if transposed:
            assert ps[0]._data is arr and not arr.flags.c_contiguous  # updated in place
        return [p._data.copy() for p in ps], opt


@pytest.mark.parametrize("kernels", [False, True], ids=["numpy", "kernels"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_fused_is_bitwise_the_per_tensor_update(name, kw, dtype, kernels, monkeypatch):
    """The flat buffers (with the kernels: the kernels on them, or plain SGD's and Adam/AdamW's one C
    call over the group) == the NumPy path parameter by parameter."""
    a, oa = _run(name, kw, dtype, monkeypatch, fused=True, kernels=kernels)
    b, ob = _run(name, kw, dtype, monkeypatch, fused=False, kernels=False)
    many = kernels and name == "SGD" and not kw.get("momentum")
    adam_many = kernels and name in {"Adam", "AdamW"} and not kw.get("amsgrad")  # optim.many_step
    assert not ob._executor.flat_groups and not ob._executor.many_plans and not ob._executor.state_plans
    if many:  # the two paths really differ
        assert oa._executor.many_plans[0][2] is not None and not oa._executor.flat_groups
    elif adam_many:
        assert oa._executor.state_plans[0][3] is not None and not oa._executor.flat_groups
    else:
        assert oa._executor.flat_groups
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    sa, sb = oa.state_dict()["state"], ob.state_dict()["state"]
    assert sa.keys() == sb.keys()
    for i in sa:
        assert sa[i].keys() == sb[i].keys()
        for k in sa[i]:
            np.testing.assert_array_equal(sa[i][k]._data, sb[i][k]._data)


@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_parameter_without_gradient_and_reload(name, kw, monkeypatch):
    """A parameter sitting out steps (its step count falls behind), a state_dict round trip, and a
    non-contiguous parameter (updated alone while the others are fused)."""
    for opts in (
        {"skip": ({3, 4}, 1)},
        {"skip": ({0}, 3)},
        {"reload_at": 5},
        {"skip": ({2}, 0), "reload_at": 6},
        {"transposed": True},
        {"transposed": True, "reload_at": 4},
        {"transposed": True, "skip": ({1, 2}, 2)},
    ):
        a, oa = _run(name, kw, np.float32, monkeypatch, fused=True, **opts)
        b, _ = _run(name, kw, np.float32, monkeypatch, fused=False, **opts)
        if "transposed" in opts and "skip" not in opts:  # the other three are still updated together
            assert [len(f.params) for f in oa._executor.flat_groups.values()] == [3]
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_state_tensors_stay_live_views():
    ps = _params(np.float32)
    opt = optim.Adam(ps, lr=0.1)
    for p in ps:
        p.grad = mlplab.ones_like(p)
    opt.step()
    held = opt.state[ps[0]]["exp_avg"]
    before = held._data.copy()
    opt.step()
    assert not np.array_equal(held._data, before)  # the Tensor the user holds sees the update
    np.testing.assert_array_equal(held._data, opt.state_dict()["state"][0]["exp_avg"]._data)
    # replacing a state tensor by hand is honoured (the flat buffers are rebuilt around it)
    opt.state[ps[0]]["exp_avg"] = mlplab.zeros_like(ps[0])
    opt.step()
    np.testing.assert_allclose(opt.state[ps[0]]["exp_avg"]._data, 0.1, rtol=1e-6)


def test_non_contiguous_parameter_is_updated_in_place():
    p = mlplab.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4), requires_grad=True)
    q = mlplab.tensor(np.ones(3, np.float32), requires_grad=True)
    p.data = mlplab.tensor(np.ascontiguousarray(p._data.T)).T  # C-contiguous no more
    arr = p._data
    opt = optim.SGD([p, q], lr=0.5, momentum=0.9)
    for _ in range(2):
        p.grad = mlplab.ones_like(p)
        q.grad = mlplab.ones_like(q)
        opt.step()
    assert p._data is arr
    np.testing.assert_allclose(p._data, np.arange(12.0).reshape(3, 4) - 0.5 - 0.5 * 1.9)
    np.testing.assert_allclose(q._data, 1 - 0.5 - 0.5 * 1.9)


def reference_step(opt):
    """One step the plain way: for each parameter, ``scalars`` then ``update`` on its whole arrays."""
    for group in opt.param_groups:
        initial = opt.array_state(group)
        for p in group["params"]:
            if p.grad is None:
                continue
            state = opt.new_scalar_state(opt.state[p]) if initial or opt.scalar_state else {}
            s = opt.scalars(group, state)
            for name, value in initial.items():
                if name not in state:
                    state[name] = mlplab.tensor(np.full_like(p._data, value))
            w = p._data.reshape(-1)  # contiguous: a view, updated in place
            arrays = [state[name]._data.reshape(-1) for name in initial]
            scratch = [np.empty_like(w) for _ in range(opt.scratch_count)]
            direction, alpha = opt.update(w, p.grad._data.reshape(-1), arrays, scratch, s)
            if direction is not None:  # None: the update wrote w itself (ASGD)
                add_(w, direction, alpha, np.empty_like(w))


BIG_AND_SMALL = [(300, 131), (7, 5), (7,), (131, 300), (3,)]  # two of several 128 KiB chunks each


KERNEL_NAMES = {"Adam", "AdamW", "NAdam", "RMSprop", "Adagrad", "SGD", "Momentum"}


@pytest.mark.parametrize("kernels", [False, True], ids=["numpy", "kernels"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_executor_is_bitwise_the_plain_per_tensor_update(name, kw, dtype, kernels):
    """Flat buffers for the small parameters, chunks for the big ones -- or the compiled one-pass
    kernels (``optim.kernels``) for both -- == the update run tensor by tensor on whole arrays, step
    after step, weights and state."""
    rng = np.random.default_rng(3)
    arrays = [rng.normal(size=s).astype(dtype) for s in BIG_AND_SMALL]
    fast = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
    plain = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt_fast = getattr(optim, name)(fast, **kw)
    opt_fast._executor.kernels = kernels  # True: at once; False: the NumPy path
    opt_plain = getattr(optim, name)(plain, **kw)
    many = kernels and name == "SGD" and not kw.get("momentum")  # plain SGD: one C call, no buffers
    adam_many = kernels and name in {"Adam", "AdamW"} and not kw.get("amsgrad")  # and Adam (state too)
    built = None
    for _ in range(6):
        for a, b in zip(fast, plain):
            g = (rng.normal(size=a.shape) * 10 ** rng.uniform(-3, 0, size=a.shape)).astype(dtype)
            a.grad = mlplab.tensor(g)
            b.grad = mlplab.tensor(g.copy())
        opt_fast.step()
        reference_step(opt_plain)
        for a, b in zip(fast, plain):
            np.testing.assert_array_equal(a._data, b._data)
        if many:  # the group's plan (parameters, weights, the C call on them) is made once, then reused
            built = built or opt_fast._executor.many_plans[0]
            assert opt_fast._executor.many_plans[0] is built and built[2] is not None
            assert not opt_fast._executor.flat_groups
        elif adam_many:  # the same, with the state arrays (optim.many_step)
            built = built or opt_fast._executor.state_plans[0]
            assert opt_fast._executor.state_plans[0] is built and built[3] is not None
            assert not opt_fast._executor.flat_groups
        else:
            built = built or opt_fast._executor.flat_groups[0]
            assert opt_fast._executor.flat_groups[0] is built  # the flat buffers are built once, then reused
    assert len(built[0] if many or adam_many else built.params) == (5 if many or adam_many else 3)
    kernel = (
        opt_fast._executor._many if many or adam_many else opt_fast._executor._kernel
    )  # looked up once wanted
    assert (kernel is not executor._UNSET and kernel is not None) == (kernels and name in KERNEL_NAMES)
    sa, sb = opt_fast.state_dict()["state"], opt_plain.state_dict()["state"]
    assert sa.keys() == sb.keys()
    for i in sa:
        assert list(sa[i]) == list(sb[i])
        for k in sa[i]:
            np.testing.assert_array_equal(sa[i][k]._data, sb[i][k]._data)
