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
    """The split is kept while the group is the same and every parameter has a gradient."""
    ps = [mlplab.tensor(np.ones(s, np.float32), requires_grad=True) for s in SHAPES]
    opt = optim.SGD(ps, lr=0.1)
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
