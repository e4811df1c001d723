"""The compiled one-pass kernels (``optim.kernels``, both backends: C and numba) give bitwise the
readable NumPy update's numbers, float32 and float64, every option, on random arrays of awkward
lengths with special values in them (inf, nan, signed zeros, subnormals, huge and tiny magnitudes),
step after step. Bitwise means every bit, the sign of a zero included; only a NaN's sign and payload
may differ (see ``_assert_same_bits``)."""

from __future__ import annotations

import numpy as np
import pytest
from test_fused import CASES, IDS

import mlplab
import mlplab.optim as optim
from mlplab.optim import executor, kernel_policy, kernels
from mlplab.optim.inplace import add_

KERNEL_CASES = [
    (n, kw) for n, kw in CASES if n in {"Adam", "AdamW", "NAdam", "RMSprop", "Adagrad", "SGD", "Momentum"}
]
KERNEL_IDS = [i for i, (n, _) in zip(IDS, CASES) if n in {c[0] for c in KERNEL_CASES}]
EXTRA = [
    ("Adam", {"lr": 1e-3, "betas": (0.3, 0.5), "amsgrad": True}),  # lerp from b: 1 - beta1 >= 0.5
    ("AdamW", {"lr": 1e-3, "weight_decay": 0.5, "amsgrad": True, "maximize": True}),
    ("RMSprop", {"lr": 1e-2, "alpha": 0.3, "centered": True}),  # lerp from b
    ("SGD", {"lr": 0.1, "momentum": 0.5, "dampening": 1.0}),  # axpy with alpha 0: BLAS leaves b alone
    ("SGD", {"lr": 0.1, "momentum": 1.0, "nesterov": True}),  # alpha 1: a plain add
    ("Adagrad", {"lr": 0.1, "eps": 0.0}),
    ("Momentum", {"lr": 0.1, "alpha": 0.0}),
    # the C loops are split by these flags (one loop each): every split is run
    ("Adam", {"lr": 1e-3, "betas": (0.3, 0.5)}),
    ("NAdam", {"lr": 1e-3, "betas": (0.3, 0.5)}),
    ("RMSprop", {"lr": 1e-2, "alpha": 0.3, "centered": True, "momentum": 0.5}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "nesterov": True, "maximize": True}),
]
SIZES = [1, 7, 31, 33, 100, 1000, 4099]


NEEDS = {
    "native": "a C compiler as `cc` (Debian: apt-get install gcc; .ci/run installs it when missing)",
    "numba": "numba, a dependency of mlplab (pip install -e '.[test]')",
}


def _backend(name):
    """The kernels of backend ``name``: both backends are tested wherever the tests run, so one
    that cannot load fails the test, saying what it needs."""
    assert kernels.available(name), f"the {name} kernels do not load here: they need {NEEDS[name]}"
    return name


def test_the_default_backend_is_native_and_loads():
    """The default needs no LLVM in the process, and it loads here."""
    assert kernels.default_backend() == "native"
    assert kernels.available("native"), f"the native kernels do not load: they need {NEEDS['native']}"


def _special(rng, n, dtype):
    """Values of every scale, with inf, nan, +-0 and subnormals sprinkled in."""
    x = rng.normal(size=n) * 10.0 ** rng.uniform(-12, 12, size=n)
    x = x.astype(dtype)
    tiny = np.finfo(dtype).smallest_subnormal
    for value, every in (
        (np.inf, 97),
        (-np.inf, 89),
        (np.nan, 83),
        (0.0, 13),
        (-0.0, 11),
        (tiny, 17),
        (-tiny, 19),
    ):
        x[rng.integers(0, every) :: every] = value
    return x


def _reference(opt, w, g, state, s):
    scratch = [np.empty_like(w) for _ in range(opt.scratch_count)]
    direction, alpha = opt.update(w, g, state, scratch, s)
    add_(w, direction, alpha, np.empty_like(w))


@pytest.mark.parametrize("backend", ["native", "numba"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize(
    ("name", "kw"), KERNEL_CASES + EXTRA, ids=KERNEL_IDS + [f"extra{i}" for i in range(len(EXTRA))]
)
def test_kernel_is_bitwise_the_reference_update(name, kw, dtype, backend):
    backend = _backend(backend)
    rng = np.random.default_rng(7)
    for n in SIZES:
        p = mlplab.tensor(np.zeros(n, dtype), requires_grad=True)
        opt = getattr(optim, name)([p], **kw)
        kernel = kernels.kernel_for(opt, backend)
        assert kernel is not None
        group = opt.param_groups[0]
        names = list(opt.array_state(group))
        plain = {"w": _special(rng, n, dtype), "state": [np.abs(_special(rng, n, dtype)) for _ in names]}
        fast = {"w": plain["w"].copy(), "state": [a.copy() for a in plain["state"]]}
        state_a = opt.new_scalar_state({}) if opt.scalar_state else {}
        state_b = opt.new_scalar_state({}) if opt.scalar_state else {}
        for step in range(4):
            g = _special(rng, n, dtype) if step != 1 else rng.normal(size=n).astype(dtype)
            if step == 0 and name == "SGD":  # the buffer's first step (b <- g) has no state entry yet
                state_a, state_b = {}, {}
            sa, sb = opt.scalars(group, state_a), opt.scalars(group, state_b)
            if name == "SGD" and step == 0:
                state_a["momentum_buffer"] = state_b["momentum_buffer"] = True
            assert sa == sb
            with np.errstate(all="ignore"):
                _reference(opt, plain["w"], g, plain["state"], sa)
                kernel(fast["w"], g.copy(), fast["state"], sb)
            for x, y in zip([plain["w"], *plain["state"]], [fast["w"], *fast["state"]]):
                _assert_same_bits(x, y, f"{name} n={n} step={step}")


def _assert_same_bits(x, y, message):
    """Bitwise equal, except the sign and payload of a NaN (IEEE 754 leaves them unspecified, and
    NumPy's SIMD loops and LLVM's code may set them differently): a NaN must face a NaN."""
    nan = np.isnan(x)
    np.testing.assert_array_equal(nan, np.isnan(y), err_msg=message)
    bits = f"u{x.itemsize}"
    np.testing.assert_array_equal(x[~nan].view(bits), y[~nan].view(bits), err_msg=message)


def test_default_policy_switches_to_the_kernels_once_they_pay_bitwise(monkeypatch):
    """``fused=None``: the NumPy path until ``KERNEL_MIN_WORK`` elements were stepped, the kernels
    after (numba imported then), and the trajectory does not notice; ``fused=False`` never switches.
    The library counts as not cached (whatever this machine's cache holds: see test_step_plan.py)."""
    monkeypatch.setattr(executor, "_kernels", None)
    monkeypatch.setattr(kernel_policy, "_cached", False)
    shapes = [(40, 30), (30,), (5, 40)]
    monkeypatch.setattr(executor, "KERNEL_MIN_WORK", 3 * sum(int(np.prod(s)) for s in shapes))
    rng = np.random.default_rng(5)
    start = [rng.normal(size=s).astype(np.float32) for s in shapes]
    runs = {}
    for fused in (None, False):
        ps = [mlplab.tensor(a.copy(), requires_grad=True) for a in start]
        opt = optim.Adam(ps, lr=1e-2, fused=fused)
        grads = np.random.default_rng(6)
        used = []
        for _ in range(6):
            for p in ps:
                p.grad = mlplab.tensor(grads.normal(size=p.shape).astype(np.float32))
            opt.step()
            used.append(opt._executor._kernel is not executor._UNSET)
        runs[fused] = [p._data for p in ps]
        assert used == ([False, False, True, True, True, True] if fused is None else [False] * 6)
    for a, b in zip(runs[None], runs[False]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("backend", ["native", "numba"])
def test_a_subclass_that_changes_the_update_gets_no_kernel(backend):
    backend = _backend(backend)

    class Halved(optim.Adam):
        def update(self, w, g, state, scratch, s):
            direction, alpha = super().update(w, g, state, scratch, s)
            return direction, alpha / 2

    p = mlplab.tensor(np.zeros(3, np.float32), requires_grad=True)
    adam = kernels.kernel_for(optim.Adam([p]), backend)
    assert kernels.kernel_for(optim.AdamW([p]), backend) is adam is not None
    assert kernels.kernel_for(Halved([p]), backend) is None
    assert kernels.kernel_for(optim.Adamax([p]), backend) is None


@pytest.mark.parametrize("backend", ["native", "numba"])
def test_a_read_only_or_empty_gradient_is_read_the_same(backend):
    """The C backend passes arrays by ``from_buffer``, which refuses read-only and empty arrays: those
    go another way, with the same result."""
    backend = _backend(backend)
    rng = np.random.default_rng(3)
    p = mlplab.tensor(np.zeros(3, np.float32), requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    kernel = kernels.kernel_for(opt, backend)
    s = opt.scalars(opt.param_groups[0], opt.new_scalar_state({}))
    w, g = rng.normal(size=100).astype(np.float32), rng.normal(size=100).astype(np.float32)
    results = []
    for writeable in (True, False):
        w2, state = w.copy(), [np.zeros(100, np.float32), np.zeros(100, np.float32)]
        g2 = g.copy()
        g2.flags.writeable = writeable
        kernel(w2, g2, state, s)
        results.append(w2)
    np.testing.assert_array_equal(results[0], results[1])
    assert not np.array_equal(results[0], w)
    empty = np.zeros(0, np.float32)
    kernel(empty, empty.copy(), [empty.copy(), empty.copy()], s)  # nothing to do, and no error


MANY_CASES = [
    {"lr": 0.1},
    {"lr": 0.1, "maximize": True},
    {"lr": 0.1, "weight_decay": 0.5},
    {"lr": 0.1, "weight_decay": 0.5, "maximize": True},
    {"lr": 0.1, "weight_decay": 1.0},  # add_ with alpha 1: a plain add
    {"lr": 0.1, "weight_decay": 1e-60},  # not 0, yet 0 in float32: axpy leaves g alone (w may be inf)
    {"lr": 0.0},  # alpha 0: axpy leaves w alone, inf and nan gradients included
    {"lr": -0.0},
    {"lr": 1e-60},  # -lr is -0.0 in float32: w left alone there
    {"lr": -1.0},  # alpha 1 (set on the group, as a scheduler may): w + g, one rounding
]
MANY_SIZES = [0, 1, 7, 31, 33, 100, 1000, 4099]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("kw", MANY_CASES, ids=[str(kw) for kw in MANY_CASES])
def test_plain_sgd_over_many_parameters_is_bitwise_the_reference_update(kw, dtype):
    """``sgd_many``: plain SGD over several arrays in one C call (``native.Many``) == the reference
    update of each array, step after step, with new gradients each step and the call made once."""
    _backend("native")
    rng = np.random.default_rng(11)
    p = mlplab.tensor(np.zeros(1, dtype), requires_grad=True)
    opt = optim.SGD([p], lr=0.5, weight_decay=kw.get("weight_decay", 0), maximize=kw.get("maximize", False))
    group = opt.param_groups[0]
    group["lr"] = kw["lr"]
    plain = [_special(rng, n, dtype) for n in MANY_SIZES]
    fast = [w.copy() for w in plain]
    call = kernels.many_for(opt, "native")(fast)
    assert call is not None
    for step in range(3):
        grads = [
            _special(rng, n, dtype) if step != 1 else rng.normal(size=n).astype(dtype) for n in MANY_SIZES
        ]
        s = opt.scalars(group, {})
        with np.errstate(all="ignore"):
            for w, g in zip(plain, grads):
                _reference(opt, w, g, [], s)
            assert call([g.copy() for g in grads], s)
        for n, x, y in zip(MANY_SIZES, plain, fast):
            _assert_same_bits(x, y, f"{kw} n={n} step={step}")


def test_plain_sgd_over_many_parameters_takes_only_arrays_it_can_read():
    """The factory refuses weights the C loop cannot take (None); the call refuses gradients that do
    not fit their weights (False), leaving every weight as it was; a read-only gradient is read."""
    _backend("native")
    p = mlplab.tensor(np.zeros(1, np.float32), requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    factory = kernels.many_for(opt, "native")
    f32, f64 = np.ones(6, np.float32), np.ones(6, np.float64)
    read_only = np.ones(6, np.float32)
    read_only.flags.writeable = False
    for weights in ([], [f32, f64], [np.ones(6, np.float16)], [np.ones((4, 6), np.float32).T], [read_only]):
        assert factory(weights) is None
    weights = [np.ones(6, np.float32), np.ones((2, 3), np.float32)]
    call = factory(weights)
    s = opt.scalars(opt.param_groups[0], {})
    g = np.full(6, 2.0, np.float32)
    for grads in (
        [g],  # one gradient short
        [g, g, g],
        [g, g.astype(np.float64)],
        [g, np.ones(5, np.float32)],
        [g, np.ones((6, 2), np.float32)[:, 0]],  # not C-contiguous
        [g, _read_only(np.ones((6, 2), np.float32)[:, 0])],  # nor that, and read-only
    ):
        assert not call(grads, s)
        for w in weights:
            np.testing.assert_array_equal(w, 1.0)
    g_read_only = np.full((3, 2), 2.0, np.float32)  # another shape, the same size: read in C order
    g_read_only.flags.writeable = False
    assert call([g, g_read_only], s)
    for w in weights:
        np.testing.assert_array_equal(w, np.float32(1) + np.float32(-0.1) * np.float32(2))


def test_only_plain_sgd_and_adam_in_the_native_backend_have_a_call_over_many_parameters():
    class Halved(optim.SGD):
        def update(self, w, g, state, scratch, s):
            direction, alpha = super().update(w, g, state, scratch, s)
            return direction, alpha / 2

    class HalvedAdam(optim.Adam):
        def update(self, w, g, state, scratch, s):
            direction, alpha = super().update(w, g, state, scratch, s)
            return direction, alpha / 2

    _backend("native")
    _backend("numba")
    p = mlplab.tensor(np.zeros(3, np.float32), requires_grad=True)
    assert kernels.many_for(optim.SGD([p]), "native").states == 0
    assert kernels.many_for(optim.Adam([p]), "native").states == 2  # exp_avg, exp_avg_sq
    assert kernels.many_for(optim.AdamW([p]), "native").states == 2
    assert kernels.many_for(optim.SGD([p]), "numba") is None  # numba: the executor's other paths
    assert kernels.many_for(optim.Adam([p]), "numba") is None
    assert kernels.many_for(Halved([p]), "native") is None
    assert kernels.many_for(HalvedAdam([p]), "native") is None
    for name in ("RMSprop", "Adagrad", "NAdam", "Momentum", "Adamax"):
        assert kernels.many_for(getattr(optim, name)([p]), "native") is None


ADAM_MANY_CASES = [
    ("Adam", {"lr": 1e-2}),
    ("Adam", {"lr": 1e-2, "weight_decay": 0.1}),
    ("Adam", {"lr": 1e-2, "betas": (0.3, 0.5), "maximize": True}),  # lerp from b
    ("AdamW", {"lr": 1e-2}),
    ("AdamW", {"lr": 1e-2, "weight_decay": 0.0}),
    ("AdamW", {"lr": 1e-3, "weight_decay": 0.5, "betas": (0.3, 0.5)}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize(("name", "kw"), ADAM_MANY_CASES, ids=[f"{n}-{kw}" for n, kw in ADAM_MANY_CASES])
def test_adam_over_many_parameters_is_bitwise_the_reference_update(name, kw, dtype):
    """``adam_many``: Adam/AdamW over several parameters and their state arrays in one C call ==
    the reference update of each, step after step (the lr changed between steps), special values
    in the weights, gradients and state, the call made once."""
    _backend("native")
    rng = np.random.default_rng(12)
    p = mlplab.tensor(np.zeros(1, dtype), requires_grad=True)
    opt = getattr(optim, name)([p], **kw)
    group = opt.param_groups[0]
    plain = [[_special(rng, n, dtype), np.abs(_special(rng, n, dtype)), np.abs(_special(rng, n, dtype))]
             for n in MANY_SIZES]  # fmt: skip
    fast = [[a.copy() for a in arrays] for arrays in plain]
    call = kernels.many_for(opt, "native")([a[0] for a in fast], [[a[1] for a in fast], [a[2] for a in fast]])
    assert call is not None
    state = opt.new_scalar_state({})
    for step in range(4):
        group["lr"] = kw["lr"] * (1 + step)
        grads = [
            _special(rng, n, dtype) if step != 1 else rng.normal(size=n).astype(dtype) for n in MANY_SIZES
        ]
        s = opt.scalars(group, state)
        with np.errstate(all="ignore"):
            for (w, m, v), g in zip(plain, grads):
                _reference(opt, w, g, [m, v], s)
            assert call([g.copy() for g in grads], s)
        for n, xs, ys in zip(MANY_SIZES, plain, fast):
            for x, y in zip(xs, ys):
                _assert_same_bits(x, y, f"{name} {kw} n={n} step={step}")


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def test_adam_over_many_parameters_takes_only_arrays_it_can_read():
    """The factory refuses state it cannot take (None): a missing or extra entry (amsgrad's v_max),
    another dtype or size, not C-contiguous, read-only; the call refuses gradients that do not fit
    (False, nothing written); amsgrad's scalars are refused."""
    _backend("native")
    p = mlplab.tensor(np.zeros(1, np.float32), requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    factory = kernels.many_for(opt, "native")
    weights = [np.ones(6, np.float32), np.ones((2, 3), np.float32)]

    def state():
        return [np.zeros(6, np.float32), np.zeros((3, 2), np.float32)]

    read_only = np.zeros(6, np.float32)
    read_only.flags.writeable = False
    assert factory(weights) is None
    assert factory(weights, [state()]) is None
    assert factory(weights, [state(), state(), state()]) is None
    for bad in (
        np.zeros(6, np.float64),
        np.zeros(5, np.float32),
        np.zeros((6, 2), np.float32)[:, 0],
        read_only,
    ):
        assert factory(weights, [state(), [bad, state()[1]]]) is None
    assert factory(weights, [state(), state()[:1]]) is None
    m, v = state(), state()
    call = factory(weights, [m, v])
    assert call is not None
    s = opt.scalars(opt.param_groups[0], opt.new_scalar_state({}))
    g = np.full(6, 2.0, np.float32)
    not_c_order = np.ones((6, 2), np.float32)[:, 0]
    for grads in (
        [g],
        [g, g, g],
        [g, g.astype(np.float64)],
        [g, np.ones(5, np.float32)],
        [g, not_c_order],
        [_read_only(np.ones((6, 2), np.float32)[:, 1]), g],
    ):
        assert not call(grads, s)
        for w in weights:
            np.testing.assert_array_equal(w, 1.0)
        for a in (*m, *v):
            np.testing.assert_array_equal(a, 0.0)
    amsgrad = optim.Adam([p], lr=0.1, amsgrad=True)
    with pytest.raises(ValueError, match="amsgrad"):
        call([g, g], amsgrad.scalars(amsgrad.param_groups[0], amsgrad.new_scalar_state({})))
