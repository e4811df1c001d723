"""The executor's reuse from step to step: the split of a group into flat buffers and big parameters,
one set of scalars for a stateless optimiser (plain SGD), and the kernels' reuse of their last C
scalars. Each change between steps (a gradient left out, a parameter added, the lr changed, even to
-0.0) must give bitwise the numbers of the plain per-tensor update."""

from __future__ import annotations

import numpy as np
import pytest
from test_fused import reference_step  # the per-parameter reference step

import mlplab
import mlplab.optim as optim

SHAPES = [(131, 130), (7, 5), (7,), (130, 131), (3,)]  # two parameters too big for the flat buffers


def bits(a):
    """The array's bit patterns, so that -0.0 and 0.0 differ."""
    return a.view(np.uint32 if a.dtype == np.float32 else np.uint64)


CASES = [("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.1, "maximize": True}), ("SGD", {"lr": 0.1, "momentum": 0.9}),
         ("Adam", {"lr": 1e-2}), ("RMSprop", {"lr": 1e-2})]  # fmt: skip


@pytest.mark.parametrize("kernels", [False, True], ids=["numpy", "kernels"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize(("name", "kw"), CASES, ids=[f"{n}-{kw}" for n, kw in CASES])
def test_changes_between_steps_are_seen(name, kw, dtype, kernels):
    rng = np.random.default_rng(5)
    arrays = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    fast = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
    plain = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt_fast = getattr(optim, name)(fast[:-1], **kw)
    opt_fast._executor.kernels = kernels
    opt_plain = getattr(optim, name)(plain[:-1], **kw)
    lrs = {5: 0.0, 6: -0.0, 7: 0.0, 8: 0.05}  # the lr set between steps (as a scheduler does)
    negative_zeros = 0
    for step in range(10):
        if step == 5:  # signed zeros, where a lr of 0.0 and one of -0.0 part ways
            for a, b in zip(fast, plain):
                a._data.reshape(-1)[::7] = b._data.reshape(-1)[::7] = -0.0
        if step == 4:  # a parameter added to the group: the split must be made again
            opt_fast.param_groups[0]["params"].append(fast[-1])
            opt_plain.param_groups[0]["params"].append(plain[-1])
        if step in lrs:
            opt_fast.param_groups[0]["lr"] = opt_plain.param_groups[0]["lr"] = lrs[step]
        for a, b in zip(fast, plain):
            g = np.abs(rng.normal(size=a.shape)).astype(dtype)  # positive: -0.0 + 0.0 * g is +0.0
            a.grad = mlplab.tensor(g)
            b.grad = mlplab.tensor(g.copy())
        if step in (2, 6):  # a big parameter sits out a step
            fast[0].grad = plain[0].grad = None
        if step == 3:  # and a small one
            fast[1].grad = plain[1].grad = None
        versions = [p._version for p in fast]
        opt_fast.step()
        reference_step(opt_plain)
        for i, (a, b) in enumerate(zip(fast, plain)):
            np.testing.assert_array_equal(bits(a._data), bits(b._data), err_msg=f"step {step}, parameter {i}")
            stepped = a.grad is not None and (step >= 4 or i < len(fast) - 1)
            assert (a._version > versions[i]) == stepped  # a parameter left out is not touched
        if step in (5, 6):
            negative_zeros += sum(int((bits(b._data) == bits(np.array(-0.0, dtype))).sum()) for b in plain)
    assert opt_fast._executor.flat_groups  # the flat buffers were in play
    if name == "SGD" and "momentum" not in kw:  # w + 0.0 * g kept some -0.0 (or the lr steps are moot)
        assert negative_zeros > 0


def test_split_is_reused_and_dropped():
    """The split is kept while the group is the same and every parameter has a gradient (the NumPy
    path's; with the kernels, plain SGD takes none: see test_plain_sgd_plan_is_reused_and_dropped)."""
    ps = [mlplab.tensor(np.ones(s, np.float32), requires_grad=True) for s in SHAPES]
    opt = optim.SGD(ps, lr=0.1)
    opt._executor.kernels = False  # not left to the default: other tests may have loaded the kernels
    for p in ps:
        p.grad = mlplab.tensor(np.ones(p.shape, np.float32))
    opt.step()
    kept = opt._executor.splits[0]
    assert [len(part) for part in kept] == [5, 3, 2]
    opt.step()
    assert opt._executor.splits[0] is kept  # reused, not made again
    ps[3].grad = None
    opt.step()  # a new split without ps[3], which is not kept (not every parameter was stepped)
    assert 0 not in opt._executor.splits
    step = -np.float32(0.1)  # g = 1: w + (-lr) g is one float32 addition a step
    np.testing.assert_array_equal(ps[3]._data, np.float32(1) + step + step)
    np.testing.assert_array_equal(ps[0]._data, np.float32(1) + step + step + step)


def _steps(opt_fast, opt_plain, fast, plain, rng, dtype, before=None, reference=reference_step):
    """One step of both optimisers with the same new gradients (``before()`` may change things
    first; ``reference(opt_plain)`` steps the other), then the weights compared bitwise."""
    for a, b in zip(fast, plain):
        g = rng.normal(size=a.shape).astype(dtype)
        a.grad = mlplab.tensor(g)
        b.grad = mlplab.tensor(g.copy())
    if before is not None:
        before()
    opt_fast.step()
    reference(opt_plain)
    for i, (a, b) in enumerate(zip(fast, plain)):
        np.testing.assert_array_equal(bits(a._data), bits(b._data), err_msg=f"parameter {i}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_plain_sgd_plan_is_reused_and_dropped(dtype):
    """Plain SGD with the kernels: the whole group in one C call, its plan (parameters, weight arrays,
    the call) kept while every parameter holds its array and has a gradient; a rebound ``p.data``
    makes a new plan; a missing gradient or an array the call cannot take sends that step down the
    other paths; every step bitwise the reference."""
    rng = np.random.default_rng(8)
    arrays = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    fast = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
    plain = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt_fast, opt_plain = (
        optim.SGD(fast, lr=0.1, weight_decay=0.01),
        optim.SGD(plain, lr=0.1, weight_decay=0.01),
    )
    ex = opt_fast._executor
    ex.kernels = True
    _steps(opt_fast, opt_plain, fast, plain, rng, dtype)
    plan = ex.many_plans[0]
    assert plan[2] is not None and not ex.flat_groups and not ex.splits
    _steps(opt_fast, opt_plain, fast, plain, rng, dtype)
    assert ex.many_plans[0] is plan  # reused

    def rebind():
        for a, b in zip(fast[1:2], plain[1:2]):
            a.data = mlplab.tensor(a._data * 2)
            b.data = mlplab.tensor(b._data * 2)

    _steps(opt_fast, opt_plain, fast, plain, rng, dtype, before=rebind)
    assert ex.many_plans[0] is not plan and ex.many_plans[0][1][1] is fast[1]._data  # made again
    plan = ex.many_plans[0]

    def drop():
        fast[0].grad = plain[0].grad = None

    versions = [p._version for p in fast]
    _steps(opt_fast, opt_plain, fast, plain, rng, dtype, before=drop)
    assert ex.flat_groups and ex.many_plans[0] is plan  # the other paths ran; the plan is kept
    assert [p._version - v for p, v in zip(fast, versions)] == [0, 1, 1, 1, 1]
    versions = [p._version for p in fast]
    _steps(opt_fast, opt_plain, fast, plain, rng, dtype)
    assert [p._version - v for p, v in zip(fast, versions)] == [1, 1, 1, 1, 1]  # and used again

    def transpose():  # not C-contiguous: the call cannot take it, the whole group goes the other way
        for a, b in zip(fast[:1], plain[:1]):
            a.data = mlplab.tensor(np.ascontiguousarray(a._data.T)).T
            b.data = mlplab.tensor(np.ascontiguousarray(b._data.T)).T

    def numpy_step(opt):  # reference_step updates copies of a non-contiguous array: the NumPy path
        opt._executor.kernels = False
        opt.step()

    _steps(opt_fast, opt_plain, fast, plain, rng, dtype, before=transpose, reference=numpy_step)
    assert ex.many_plans[0][2] is None
    kept = fast[0]._data
    _steps(opt_fast, opt_plain, fast, plain, rng, dtype, reference=numpy_step)
    assert fast[0]._data is kept and not kept.flags.c_contiguous  # updated in place


def test_plain_sgd_of_mixed_dtypes_or_without_the_kernels_takes_the_other_paths(monkeypatch):
    """A group of float32 and float64 parameters (one C call takes one dtype), and no kernels at all
    (``MLPLAB_OPTIM_KERNELS=none``: the NumPy path): bitwise the reference either way."""
    rng = np.random.default_rng(9)
    dtypes = [np.float32, np.float64, np.float32, np.float64]
    for env in ("native", "none"):
        monkeypatch.setenv("MLPLAB_OPTIM_KERNELS", env)
        arrays = [rng.normal(size=s).astype(d) for s, d in zip(SHAPES, dtypes)]
        fast = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
        plain = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
        if env == "none":  # one dtype: only the missing kernels keep the call out
            fast = [mlplab.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
            plain = [mlplab.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
        opt_fast, opt_plain = optim.SGD(fast, lr=0.1), optim.SGD(plain, lr=0.1)
        opt_fast._executor.kernels = True
        for _ in range(3):
            for a, b in zip(fast, plain):
                g = rng.normal(size=a.shape).astype(a._data.dtype)
                a.grad = mlplab.tensor(g)
                b.grad = mlplab.tensor(g.copy())
            opt_fast.step()
            reference_step(opt_plain)
            for a, b in zip(fast, plain):
                np.testing.assert_array_equal(bits(a._data), bits(b._data))
        if env == "none":
            assert opt_fast._executor._many is None and not opt_fast._executor.many_plans
        else:
            assert opt_fast._executor.many_plans[0][2] is None


def test_plain_sgd_waits_for_the_default_policy(monkeypatch):
    """``fused=None``, the library not cached: plain SGD takes the one C call only once the kernels
    are loaded (after ``KERNEL_MIN_WORK`` elements stepped); a small net that never reaches it never
    loads them."""
    from mlplab.optim import executor, kernel_policy

    shapes = [(40, 30), (30,), (5, 40)]
    size = sum(int(np.prod(s)) for s in shapes)
    for min_work, expected in ((2 * size, [False, False, True, True]), (10**9, [False] * 4)):
        monkeypatch.setattr(executor, "_kernels", None)
        monkeypatch.setattr(executor, "KERNEL_MIN_WORK", min_work)
        monkeypatch.setattr(kernel_policy, "_cached", False)  # whatever this machine's cache holds
        ps = [mlplab.tensor(np.ones(s, np.float32), requires_grad=True) for s in shapes]
        opt = optim.SGD(ps, lr=0.1)
        used = []
        for _ in range(4):
            for p in ps:
                p.grad = mlplab.ones_like(p)
            opt.step()
            used.append(0 in opt._executor.many_plans)
        assert used == expected
        assert (executor._kernels is None) == (min_work > size * 4)
        w = np.float32(1)
        for _ in range(4):  # g = 1: w - lr g is one float32 addition a step
            w = w + np.float32(-0.1)
        for p in ps:
            np.testing.assert_array_equal(p._data, w)


ADAM_CASES = [("Adam", {"lr": 1e-2}), ("Adam", {"lr": 1e-2, "weight_decay": 0.1}),
              ("AdamW", {"lr": 1e-2}), ("AdamW", {"lr": 1e-2, "weight_decay": 0.0})]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize(("name", "kw"), ADAM_CASES, ids=[f"{n}-{kw}" for n, kw in ADAM_CASES])
def test_adam_plan_is_reused_and_dropped(name, kw, dtype, monkeypatch):
    """Adam/AdamW with the kernels: the whole group, weights and state, in one C call
    (``optim.many_step``), its plan kept while every parameter holds its arrays; the lr changed, a
    rebound ``p.data`` and state loaded by ``load_state_dict`` (new arrays: a new plan) go the
    same way; a missing gradient, and then ``step`` values that differ, send the step down the
    other paths; every step, and every ``step`` value, bitwise the reference."""
    from mlplab.optim import executor

    ran = []

    def recorded(*args):
        ran.append(many_step.step_with_state(*args))
        return ran[-1]

    from mlplab.optim import many_step

    monkeypatch.setattr(executor, "step_with_state", recorded)
    rng = np.random.default_rng(10)
    arrays = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    fast = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
    plain = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt_fast, opt_plain = getattr(optim, name)(fast, **kw), getattr(optim, name)(plain, **kw)
    ex = opt_fast._executor
    ex.kernels = True

    def steps_equal():
        for a, b in zip(fast, plain):
            assert float(opt_fast.state[a]["step"]._data) == float(opt_plain.state[b]["step"]._data)
            for key in ("exp_avg", "exp_avg_sq"):
                np.testing.assert_array_equal(
                    bits(opt_fast.state[a][key]._data), bits(opt_plain.state[b][key]._data)
                )

    _steps(opt_fast, opt_plain, fast, plain, rng, dtype)
    plan = ex.state_plans[0]
    assert ran == [True] and plan[3] is not None and not ex.flat_groups and not ex.splits
    _steps(opt_fast, opt_plain, fast, plain, rng, dtype)
    assert ran == [True] * 2 and ex.state_plans[0] is plan  # reused

    def lr():
        opt_fast.param_groups[0]["lr"] = opt_plain.param_groups[0]["lr"] = 0.003

    _steps(opt_fast, opt_plain, fast, plain, rng, dtype, before=lr)
    assert ran == [True] * 3 and ex.state_plans[0] is plan
    steps_equal()

    def rebind():
        for a, b in zip(fast[1:2], plain[1:2]):
            a.data = mlplab.tensor(a._data * 2)
            b.data = mlplab.tensor(b._data * 2)

    _steps(opt_fast, opt_plain, fast, plain, rng, dtype, before=rebind)
    assert ran == [True] * 4 and ex.state_plans[0] is not plan and ex.state_plans[0][2][1][0] is fast[1]._data
    plan = ex.state_plans[0]

    def load():
        saved = opt_plain.state_dict()
        opt_fast.load_state_dict(saved)
        opt_plain.load_state_dict(saved)

    _steps(opt_fast, opt_plain, fast, plain, rng, dtype, before=load)
    assert ran == [True] * 5 and ex.state_plans[0] is not plan
    name, loaded = ex.state_plans[0][2][0][1][0]  # the first parameter's (state entry, array) pairs
    assert name == "exp_avg" and loaded is opt_fast.state[fast[0]]["exp_avg"]._data  # the loaded arrays
    steps_equal()
    plan = ex.state_plans[0]

    def drop():
        fast[0].grad = plain[0].grad = None

    versions = [p._version for p in fast]
    _steps(opt_fast, opt_plain, fast, plain, rng, dtype, before=drop)
    assert ran[5:] == [False] and ex.flat_groups and ex.state_plans[0] is plan  # the other paths ran
    writes = opt_fast.inplace_writes(opt_fast.param_groups[0])  # AdamW's decay: 2
    assert [p._version - v for p, v in zip(fast, versions)] == [0] + [writes] * 4
    steps_equal()
    for _ in range(2):  # parameter 0's step is now one behind: the per-tensor paths, every step
        versions = [p._version for p in fast]
        _steps(opt_fast, opt_plain, fast, plain, rng, dtype)
        assert [p._version - v for p, v in zip(fast, versions)] == [writes] * 5
        steps_equal()
    assert ran[5:] == [False] * 3


def test_the_default_policy_loads_a_cached_library_at_once(monkeypatch, tmp_path):
    """``fused=None`` on the digits net (Adam, far below ``KERNEL_MIN_WORK``): with an empty cache (a
    clean machine) the kernels are not loaded, and nothing is built; once the library is built in
    the cache, they are on from the first step (the one C call); bitwise the same numbers."""
    from mlplab.optim import executor, kernel_policy, kernels
    from mlplab.optim.kernels import native

    monkeypatch.setenv("MLPLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("MLPLAB_OPTIM_KERNELS", raising=False)
    monkeypatch.setattr(kernels, "_TABLES", {})  # no kernels loaded in this process
    shapes = [(50, 64), (50,), (10, 50), (10,)]
    start = [np.random.default_rng(13).normal(size=s).astype(np.float32) for s in shapes]
    results = {}
    for built in (False, True):
        monkeypatch.setattr(executor, "_kernels", None)
        monkeypatch.setattr(kernel_policy, "_cached", None)
        if built:
            assert native.load() is not None  # the first build on a machine, into the cache
        assert kernels.cached("native") == built
        ps = [mlplab.tensor(a.copy(), requires_grad=True) for a in start]
        opt = optim.Adam(ps, lr=1e-2)
        grads = np.random.default_rng(14)
        for _ in range(3):
            for p in ps:
                p.grad = mlplab.tensor(grads.normal(size=p.shape).astype(np.float32))
            opt.step()
        ex = opt._executor
        if built:
            assert executor._kernels is not None and ex.state_plans[0][3] is not None and not ex.flat_groups
        else:
            assert executor._kernels is None and not ex.state_plans and ex.flat_groups
            assert not any(tmp_path.iterdir())  # the question built nothing
        assert kernel_policy._cached == built
        results[built] = [p._data for p in ps]
    for a, b in zip(results[False], results[True]):
        np.testing.assert_array_equal(bits(a), bits(b))
