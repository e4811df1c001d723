"""Every differentiable op against PyTorch 2.13 (values and gradients) and against finite
differences (``gradcheck`` in float64). Hypothesis draws the shapes of elementwise and reduction ops."""

from __future__ import annotations

import numpy as np
import pytest
from core_parity import check, rand
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

SETTINGS = settings(max_examples=25, deadline=None)

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
nd_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=4)
seeds = st.integers(0, 2**31 - 1)

BROADCAST_CASES = [
    ((), ()),
    ((), (3, 4)),
    ((3, 4), ()),
    ((3, 1), (1, 4)),
    ((2, 3, 4), (4,)),
    ((4,), (2, 3, 4)),
    ((2, 1, 4), (3, 1)),
]

# ---------------------------------------------------------------- binary elementwise

BINARY = {
    "add": (lambda L, x, y: x + y, "any", "any"),
    "sub": (lambda L, x, y: x - y, "any", "any"),
    "mul": (lambda L, x, y: x * y, "any", "any"),
    "div": (lambda L, x, y: x / y, "any", "nonzero"),
    "pow": (lambda L, x, y: x**y, "pos", "any"),
    "maximum": (lambda L, x, y: L.maximum(x, y), "any", "any"),
    "minimum": (lambda L, x, y: L.minimum(x, y), "any", "any"),
    "method_add": (lambda L, x, y: x.add(y), "any", "any"),
    "method_sub_alpha": (lambda L, x, y: x.sub(y, alpha=2), "any", "any"),
    "max_with_tensor": (lambda L, x, y: x.max(y), "any", "any"),
    "min_with_tensor": (lambda L, x, y: x.min(y), "any", "any"),
    "fn_mul": (lambda L, x, y: L.mul(x, y), "any", "any"),
    "fn_div": (lambda L, x, y: L.div(x, y), "any", "nonzero"),
    "fn_pow": (lambda L, x, y: L.pow(x, y), "pos", "any"),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(shp=pairs, seed=seeds)
def test_binary_hypothesis(name, shp, seed):
    fn, kx, ky = BINARY[name]
    rs = np.random.RandomState(seed)
    sx, sy = shp.input_shapes
    check(fn, rand(rs, sx, kx), rand(rs, sy, ky), seed=seed)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("sx,sy", BROADCAST_CASES)
def test_binary_broadcast_cases(name, sx, sy):
    fn, kx, ky = BINARY[name]
    rs = np.random.RandomState(1)
    check(fn, rand(rs, sx, kx), rand(rs, sy, ky))


def test_binary_one_side_requires_grad():
    rs = np.random.RandomState(2)
    for fn, kx, ky in BINARY.values():
        x, y = rand(rs, (3, 1), kx), rand(rs, (1, 4), ky)
        check(fn, x, y, no_grad=[1])
        check(fn, x, y, no_grad=[0])


SCALAR_OPS = {
    "add_s": lambda L, x: x + 2.5,
    "radd_s": lambda L, x: 2.5 + x,
    "sub_s": lambda L, x: x - 1.5,
    "rsub_s": lambda L, x: 1.5 - x,
    "mul_s": lambda L, x: x * -3.0,
    "rmul_s": lambda L, x: 3 * x,
    "div_s": lambda L, x: x / 4.0,
    "rdiv_s": lambda L, x: 2.0 / x,
    "rdiv_int": lambda L, x: 1 / x,
    "pow_2": lambda L, x: x**2,
    "pow_3": lambda L, x: x**3,
    "pow_half": lambda L, x: x**0.5,
    "pow_neg": lambda L, x: x**-1.5,
    "pow_0": lambda L, x: x**0,
    "pow_1": lambda L, x: x**1,
    "rpow_2": lambda L, x: 2**x,
    "rpow_e": lambda L, x: 2.718281828459045**x,
    "rpow_frac": lambda L, x: 0.5**x,
    "square": lambda L, x: x.square(),
    "neg": lambda L, x: -x,
    "fn_neg": lambda L, x: L.neg(x),
    "pos": lambda L, x: +x,
    "max_with_scalar_tensor": lambda L, x: L.maximum(x, L.tensor(0.9, dtype=x.dtype)),
}


@pytest.mark.parametrize("name", sorted(SCALAR_OPS))
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_python_scalar_ops(name, shape):
    rs = np.random.RandomState(3)
    check(SCALAR_OPS[name], rand(rs, shape, "pos"))


def test_pow_at_zero_base():
    # PyTorch: d(x^y)/dx is 0 where y == 0, d(x^y)/dy is 0 where x == 0 and y >= 0
    x = np.array([0.0, 0.0, 1.5, 0.0])
    y = np.array([0.0, 2.0, 0.0, 1.0])
    check(lambda L, a, b: a**b, x, y, grad_check=False)
    check(lambda L, a: a**0, x, grad_check=False)
    check(lambda L, b: 0.0**b, np.array([0.0, 2.0, 3.0]), grad_check=False)


def test_where():
    rs = np.random.RandomState(4)
    for sc, sx, sy in [((3, 4), (3, 4), (3, 4)), ((3, 1), (1, 4), ()), ((4,), (2, 3, 4), (3, 1))]:
        c = rs.rand(*sc) > 0.5
        check(lambda L, c, x, y: L.where(c, x, y), c, rand(rs, sx), rand(rs, sy))
    c = rs.rand(3, 4) > 0.5
    check(lambda L, c, x: L.where(c, x, 0.0), c, rand(rs, (3, 4)))
    check(lambda L, c, x: L.where(c, 1.0, x), c, rand(rs, (4,)))
    check(lambda L, x: L.where(x > 0, x, x * 0.1), rand(rs, (3, 4)))


# ---------------------------------------------------------------- unary elementwise

UNARY = {
    "exp": (lambda L, x: x.exp(), "any"),
    "log": (lambda L, x: x.log(), "pos"),
    "sqrt": (lambda L, x: x.sqrt(), "pos"),
    "abs": (lambda L, x: x.abs(), "nonzero"),
    "builtin_abs": (lambda L, x: abs(x), "nonzero"),
    "sin": (lambda L, x: x.sin(), "any"),
    "cos": (lambda L, x: x.cos(), "any"),
    "tanh": (lambda L, x: x.tanh(), "any"),
    "sigmoid": (lambda L, x: x.sigmoid(), "any"),
    "relu": (lambda L, x: x.relu(), "nonzero"),
    "clamp": (lambda L, x: x.clamp(-0.5, 0.7), "any"),
    "clamp_min": (lambda L, x: x.clamp(min=0.1), "any"),
    "clamp_max": (lambda L, x: x.clamp(max=0.1), "any"),
    "clip": (lambda L, x: L.clip(x, -1.0, 1.0), "any"),
    "fn_exp": (lambda L, x: L.exp(x), "any"),
    "fn_log": (lambda L, x: L.log(x), "pos"),
    "fn_sqrt": (lambda L, x: L.sqrt(x), "pos"),
    "fn_abs": (lambda L, x: L.abs(x), "nonzero"),
    "fn_sin": (lambda L, x: L.sin(x), "any"),
    "fn_cos": (lambda L, x: L.cos(x), "any"),
    "fn_tanh": (lambda L, x: L.tanh(x), "any"),
    "fn_sigmoid": (lambda L, x: L.sigmoid(x), "any"),
    "fn_relu": (lambda L, x: L.relu(x), "nonzero"),
    "fn_clamp": (lambda L, x: L.clamp(x, min=-0.3), "any"),
    "clone": (lambda L, x: x.clone() * 2, "any"),
    "chain": (lambda L, x: (x.tanh() * x.sigmoid() + x.exp()).sin(), "any"),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_unary_hypothesis(name, shape, seed):
    fn, kind = UNARY[name]
    check(fn, rand(np.random.RandomState(seed), shape, kind), seed=seed)


def test_clamp_at_bounds_and_relu_at_zero():
    # PyTorch's conventions at the kinks: clamp passes the gradient at the bounds, relu/abs give 0 at 0
    x = np.array([-1.0, -0.5, 0.0, 0.7, 2.0])
    check(lambda L, x: x.clamp(-0.5, 0.7), x, grad_check=False)
    check(lambda L, x: x.relu(), x, grad_check=False)
    check(lambda L, x: x.abs(), x, grad_check=False)
    check(lambda L, x, y: L.maximum(x, y), x, np.zeros(5), grad_check=False)
    check(lambda L, x, y: L.minimum(x, y), x, np.zeros(5), grad_check=False)


def test_sigmoid_extremes():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    check(lambda L, x: x.sigmoid(), x, grad_check=False)
    check(lambda L, x: x.sigmoid(), x, dtype=np.float32)


# ---------------------------------------------------------------- reductions


@st.composite
def reduction_args(draw, max_dims=3):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=max_dims, min_side=1, max_side=4))
    n = len(shape)
    how = draw(st.sampled_from(["none", "int", "neg", "tuple"]))
    if how == "none":
        dim = None
    elif how == "int":
        dim = draw(st.integers(0, n - 1))
    elif how == "neg":
        dim = draw(st.integers(-n, -1))
    else:
        dim = tuple(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True)))
    return shape, dim, draw(st.booleans()), draw(seeds)


def _kw(dim, keepdim):
    return {} if dim is None else {"dim": dim, "keepdim": keepdim}


REDUCTIONS = {
    "sum": lambda L, x, d, k: x.sum(**_kw(d, k)),
    "fn_sum": lambda L, x, d, k: L.sum(x, **_kw(d, k)),
    "mean": lambda L, x, d, k: x.mean(**_kw(d, k)),
    "fn_mean": lambda L, x, d, k: L.mean(x, **_kw(d, k)),
    "amax": lambda L, x, d, k: x.amax(**({"dim": () if d is None else d, "keepdim": k})),
    "amin": lambda L, x, d, k: x.amin(**({"dim": () if d is None else d, "keepdim": k})),
    "logsumexp": lambda L, x, d, k: x.logsumexp(dim=tuple(range(x.ndim)) if d is None else d, keepdim=k),
    "norm": lambda L, x, d, k: x.norm(p=2, **_kw(d, k)),
    # p='fro' (the default) with a dim tuple is a matrix norm in torch: only 2-tuples allowed
    "norm_fro": lambda L, x, d, k: x.norm(**_kw(d if not isinstance(d, tuple) or len(d) == 2 else None, k)),
    "norm_p1": lambda L, x, d, k: x.norm(p=1, **_kw(d, k)),
    "norm_p3": lambda L, x, d, k: x.norm(p=3, **_kw(d, k)),
    "norm_inf": lambda L, x, d, k: x.norm(p=float("inf"), **_kw(d, k)),
    # torch.norm treats a 2-tuple dim as a matrix norm and refuses longer tuples
    "fn_norm": lambda L, x, d, k: L.norm(x, **_kw(d if not isinstance(d, tuple) else d[0], k)),
}

VAR_STD = {
    "var": lambda L, x, d, k: x.var(**_kw(d, k)),
    "var_c0": lambda L, x, d, k: x.var(**_kw(d, k), correction=0),
    "var_unbiased_false": lambda L, x, d, k: (
        x.var(unbiased=False) if d is None else x.var(d, unbiased=False, keepdim=k)
    ),
    "std": lambda L, x, d, k: x.std(**_kw(d, k)),
    "std_c0": lambda L, x, d, k: x.std(**_kw(d, k), correction=0),
    "fn_std": lambda L, x, d, k: L.std(x, **_kw(d, k)),
    "fn_var": lambda L, x, d, k: L.var(x, **_kw(d, k)),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@SETTINGS
@given(args=reduction_args())
def test_reduction_hypothesis(name, args):
    shape, dim, keepdim, seed = args
    fn = REDUCTIONS[name]
    check(lambda L, x: fn(L, x, dim, keepdim), rand(np.random.RandomState(seed), shape), seed=seed)


@pytest.mark.parametrize("name", sorted(VAR_STD))
@SETTINGS
@given(args=reduction_args())
def test_var_std_hypothesis(name, args):
    shape, dim, keepdim, seed = args
    dims = range(len(shape)) if dim is None else (dim if isinstance(dim, tuple) else (dim,))
    if int(np.prod([shape[d] for d in dims])) < 2:
        dim = None
        if int(np.prod(shape)) < 2:
            shape = (2,) + tuple(shape[1:])
    fn = VAR_STD[name]
    check(lambda L, x: fn(L, x, dim, keepdim), rand(np.random.RandomState(seed), shape), seed=seed)


def test_var_std_positional_unbiased():
    x = rand(np.random.RandomState(15), (3, 4))
    for f in ("var", "std"):
        check(lambda L, x, f=f: getattr(x, f)(False), x)
        check(lambda L, x, f=f: getattr(x, f)(True), x)
        check(lambda L, x, f=f: getattr(x, f)(1, False), x)
        check(lambda L, x, f=f: getattr(x, f)(0, True, True), x)
        check(lambda L, x, f=f: getattr(L, f)(x, 1, correction=2), x)


@pytest.mark.parametrize("name", ["max", "min"])
@SETTINGS
@given(args=reduction_args())
def test_max_min_hypothesis(name, args):
    shape, dim, keepdim, seed = args
    x = rand(np.random.RandomState(seed), shape)
    check(lambda L, x: getattr(x, name)(), x, seed=seed)
    if isinstance(dim, tuple):
        dim = dim[0]
    if dim is None:
        return
    check(lambda L, x: getattr(x, name)(dim, keepdim).values, x, seed=seed)
    check(lambda L, x: getattr(x, name)(dim=dim, keepdim=keepdim)[0] * 1.0, x, seed=seed)
    check(lambda L, x: getattr(L, name)(x, dim, keepdim).indices, x, seed=seed)
    check(lambda L, x: getattr(L, "arg" + name)(x, dim, keepdim), x, seed=seed)


def test_full_max_min_ties_share_gradient():
    x = np.array([[1.0, 3.0, 3.0], [0.0, 3.0, -1.0]])
    for f in ("max", "min", "amax", "amin"):
        check(lambda L, x, f=f: getattr(x, f)(), x, grad_check=False)
    check(lambda L, x: x.amax(dim=1), x, grad_check=False)
    check(lambda L, x: x.amin(dim=0, keepdim=True), x, grad_check=False)
    check(lambda L, x: x.norm(p=float("inf")), x, grad_check=False)


def test_max_dim_ties_pick_first_index():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]])
    check(lambda L, x: x.max(dim=1).indices, x)
    check(lambda L, x: x.max(dim=1).values, x, grad_check=False)
    check(lambda L, x: x.min(dim=0, keepdim=True).values, x, grad_check=False)


def test_logsumexp_infinities():
    check(lambda L, x: x.logsumexp(dim=1), np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, 2.0]]))
    check(
        lambda L, x: x.logsumexp(dim=1),
        np.array([[-np.inf, -np.inf], [1.0, 2.0]]),
        grad_check=False,
    )
    check(lambda L, x: x.logsumexp(dim=0), np.array([1000.0, 1000.0, -1000.0]))
    check(lambda L, x: x.logsumexp(dim=0), np.array([np.inf, 1.0]), grad_check=False)


def test_norm_zero_vector_and_dims():
    check(lambda L, x: x.norm(), np.zeros((2, 3)), grad_check=False)
    check(lambda L, x: x.norm(dim=1), np.array([[0.0, 0.0], [3.0, 4.0]]), grad_check=False)
    rs = np.random.RandomState(5)
    for p in (2, 1, 0.5, 3, float("inf"), "fro"):
        for kw in ({}, {"dim": 1}, {"dim": (0, 2), "keepdim": True}, {"dim": -1, "keepdim": True}):
            check(lambda L, x, p=p, kw=kw: x.norm(p=p, **kw), rand(rs, (2, 3, 4), "nonzero"))


def test_reduce_int_and_bool_tensors():
    x = np.array([[1, 2, 3], [4, 5, 6]])
    check(lambda L, x: x.sum(), x)
    check(lambda L, x: x.sum(dim=0), x)
    check(lambda L, x: x.max(), x)
    check(lambda L, x: x.amax(dim=1), x)
    check(lambda L, x: (x > 2).sum(), x)
    check(lambda L, x: (x > 2).sum(dim=1), x)
    check(lambda L, x: x.float().mean(), x)
    check(lambda L, x: x.sum(dtype=L.float64), x)


# ---------------------------------------------------------------- matmul

MATMUL_CASES = [
    ((3,), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((32, 64), (64, 50)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((5, 1, 2, 3), (4, 3, 2)),
    ((3,), (5, 3, 4)),
    ((5, 2, 3), (3,)),
]


@pytest.mark.parametrize("sx,sy", MATMUL_CASES)
def test_matmul(sx, sy):
    rs = np.random.RandomState(6)
    x, y = rand(rs, sx), rand(rs, sy)
    gc = int(np.prod(sx)) < 500
    check(lambda L, a, b: a @ b, x, y, grad_check=gc)
    check(lambda L, a, b: L.matmul(a, b), x, y, grad_check=False)
    check(lambda L, a, b: a.matmul(b), x, y, grad_check=False, no_grad=[1])
    check(lambda L, a, b: a.matmul(b), x, y, grad_check=False, no_grad=[0])
    check(lambda L, a, b: a @ b, x, y, dtype=np.float32)


def test_mm_and_linear_chain():
    rs = np.random.RandomState(7)
    x, w, b = rand(rs, (4, 3)), rand(rs, (2, 3)), rand(rs, (2,))
    check(lambda L, x, w, b: (x.mm(w.t()) + b).tanh().sum(), x, w, b)
    check(lambda L, x, w, b: L.mm(x, w.T) + b, x, w, b)


# ---------------------------------------------------------------- shape ops

SHAPE_OPS = [
    ("reshape", (2, 3, 4), lambda L, x: x.reshape(6, 4)),
    ("reshape_tuple", (2, 3, 4), lambda L, x: x.reshape((4, -1))),
    ("reshape_fn", (2, 3, 4), lambda L, x: L.reshape(x, (-1,))),
    ("view", (2, 3, 4), lambda L, x: x.view(-1, 12)),
    ("view_scalar", (1,), lambda L, x: x.view(())),
    ("view_as", (2, 6), lambda L, x: x.view_as(L.zeros(3, 4, dtype=x.dtype))),
    ("flatten", (2, 3, 4), lambda L, x: x.flatten()),
    ("flatten_1", (2, 3, 4), lambda L, x: x.flatten(1)),
    ("flatten_0_1", (2, 3, 4), lambda L, x: x.flatten(0, 1)),
    ("flatten_fn", (2, 3, 4), lambda L, x: L.flatten(x, start_dim=-2)),
    ("flatten_0d", (), lambda L, x: x.flatten()),
    ("transpose", (2, 3, 4), lambda L, x: x.transpose(0, 2)),
    ("transpose_neg", (2, 3, 4), lambda L, x: x.transpose(-1, -2)),
    ("transpose_fn", (2, 3), lambda L, x: L.transpose(x, 0, 1)),
    ("T", (2, 3), lambda L, x: x.T),
    ("t", (2, 3), lambda L, x: x.t()),
    ("t_1d", (3,), lambda L, x: x.t()),
    ("permute", (2, 3, 4), lambda L, x: x.permute(2, 0, 1)),
    ("permute_tuple", (2, 3, 4), lambda L, x: x.permute((1, 2, 0))),
    ("permute_neg", (2, 3, 4), lambda L, x: x.permute(-1, 0, 1)),
    ("unsqueeze", (2, 3), lambda L, x: x.unsqueeze(1)),
    ("unsqueeze_neg", (2, 3), lambda L, x: x.unsqueeze(-1)),
    ("unsqueeze_0", (2, 3), lambda L, x: L.unsqueeze(x, 0)),
    ("squeeze", (2, 1, 3, 1), lambda L, x: x.squeeze()),
    ("squeeze_dim", (2, 1, 3, 1), lambda L, x: x.squeeze(1)),
    ("squeeze_dim_neg", (2, 1, 3, 1), lambda L, x: x.squeeze(-1)),
    ("squeeze_not_one", (2, 1, 3, 1), lambda L, x: x.squeeze(0)),
    ("squeeze_fn", (1, 3), lambda L, x: L.squeeze(x, 0)),
    ("expand", (3, 1), lambda L, x: x.expand(3, 4)),
    ("expand_new", (3, 1), lambda L, x: x.expand(2, 3, 4)),
    ("expand_minus1", (3, 1), lambda L, x: x.expand(-1, 5)),
    ("expand_as", (1, 4), lambda L, x: x.expand_as(L.zeros(3, 4))),
    ("expand_then_mul", (3, 1), lambda L, x: x.expand(3, 4) * x),
    ("contiguous", (2, 3), lambda L, x: x.T.contiguous().view(-1)),
]


@pytest.mark.parametrize("name,shape,fn", SHAPE_OPS, ids=[c[0] for c in SHAPE_OPS])
def test_shape_ops(name, shape, fn):
    check(fn, rand(np.random.RandomState(8), shape))


# ---------------------------------------------------------------- indexing

INDEX_OPS = [
    ("int", lambda L, x: x[1]),
    ("neg_int", lambda L, x: x[-1]),
    ("int_int", lambda L, x: x[1, 2]),
    ("slice", lambda L, x: x[1:3]),
    ("slice_step", lambda L, x: x[::2, 1:]),
    ("slice_neg", lambda L, x: x[-2:, :-1]),
    ("ellipsis", lambda L, x: x[..., 0]),
    ("none", lambda L, x: x[None, 1]),
    ("list", lambda L, x: x[[0, 2, 0]]),
    ("list_neg", lambda L, x: x[[-1, 0, -1]]),
    ("range_gather", lambda L, x: x[range(4), [1, 0, 2, 1]]),
    ("tensor_gather", lambda L, x: x[L.arange(4), L.tensor([2, 2, 0, 1])]),
    ("gather_repeated", lambda L, x: x[[0, 0, 3, 3, 0], [1, 1, 2, 2, 1]]),
    ("gather_neg", lambda L, x: x[[-1, 0], [-2, -2]]),
    ("tensor_rows", lambda L, x: x[L.tensor([3, 3, 1])]),
    ("mixed_slice_list", lambda L, x: x[1:, [0, 2, 2]]),
    ("mixed_list_slice", lambda L, x: x[[0, 0, 2], 1:]),
    ("mixed_int_list", lambda L, x: x[2, [0, 0, 1]]),
    ("bool_mask", lambda L, x: x[x > 0]),
    ("bool_rows", lambda L, x: x[L.tensor([True, False, True, True])]),
    ("bool_list_rows", lambda L, x: x[[True, False, False, True]]),
    ("bool_then_slice", lambda L, x: x[L.tensor([True, False, True, True]), 1:]),
    ("2d_index", lambda L, x: x[L.tensor([[0, 1], [3, 3]])]),
    ("tensor_scalar_index", lambda L, x: x[L.tensor(2)]),
]


@pytest.mark.parametrize("name,fn", INDEX_OPS, ids=[c[0] for c in INDEX_OPS])
def test_indexing(name, fn):
    check(fn, rand(np.random.RandomState(9), (4, 3)))


def test_indexing_3d():
    x = rand(np.random.RandomState(10), (2, 3, 4))
    check(lambda L, x: x[:, [0, 2, 2], 1:3], x)
    check(lambda L, x: x[[1, 0], :, [3, 3]], x)
    check(lambda L, x: x[..., [0, 0]], x)
    check(lambda L, x: x[1, ..., -1], x)
    check(lambda L, x: x[:, None, 1], x)


def test_cross_entropy_style_gather():
    rs = np.random.RandomState(11)
    logits, y = rand(rs, (6, 5)), rs.randint(0, 5, 6)
    y[1] = y[0]
    check(lambda L, z, y: -z[range(6), y].mean(), logits, y)
    check(lambda L, z, y: (z - z.logsumexp(1, keepdim=True))[L.arange(6), y].sum(), logits, y)


# ---------------------------------------------------------------- cat / stack


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat(dim):
    rs = np.random.RandomState(12)
    shapes3 = [(2, 3), (2, 3), (2, 3)]
    if dim == 0:
        shapes3 = [(1, 3), (2, 3), (4, 3)]
    elif dim in (1, -1):
        shapes3 = [(2, 1), (2, 3), (2, 2)]
    a, b, c = (rand(rs, s) for s in shapes3)
    check(lambda L, a, b, c: L.cat([a, b, c], dim=dim), a, b, c)
    check(lambda L, a, b, c: L.cat((a, b * 2, c), dim), a, b, c, no_grad=[1])
    check(lambda L, a, b, c: L.concat([a, b, c], dim=dim) * 1.0, a, b, c)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_stack(dim):
    rs = np.random.RandomState(13)
    a, b, c = (rand(rs, (2, 3)) for _ in range(3))
    check(lambda L, a, b, c: L.stack([a, b, c], dim=dim), a, b, c)
    check(lambda L, a, b, c: L.stack((a, b, c), dim) ** 2, a, b, c, no_grad=[0])


# ---------------------------------------------------------------- float32 parity

F32 = [
    (lambda L, x, y: x + y, (3, 1), (1, 4)),
    (lambda L, x, y: x * y - y / (x.abs() + 1), (2, 3, 4), (4,)),
    (lambda L, x, y: (x @ y).tanh(), (32, 64), (64, 50)),
    (lambda L, x, y: (x @ y).sigmoid().sum(), (5, 2, 3), (3, 4)),
    (lambda L, x, y: (x.exp() + y.sin()).sum(dim=1), (4, 5), (4, 5)),
    (lambda L, x, y: x.logsumexp(1) + y.mean(), (4, 5), (1,)),
    (lambda L, x, y: x.var(0) + y.std(), (6, 3), (6,)),
    (lambda L, x, y: L.cat([x, y]).relu().norm(), (2, 3), (1, 3)),
    (lambda L, x, y: (x - y.max()) ** 2, (3, 3), (3,)),
]


@pytest.mark.parametrize("k", range(len(F32)))
def test_float32_parity(k):
    fn, sx, sy = F32[k]
    rs = np.random.RandomState(14 + k)
    check(fn, rand(rs, sx), rand(rs, sy), dtype=np.float32)


def test_gather_and_masked_fill():
    rs = np.random.RandomState(16)
    x = rand(rs, (4, 5))
    check(lambda L, x, i: x.gather(1, i), x, np.array([[0], [4], [2], [2]]))
    check(lambda L, x, i: L.gather(x, 1, i), x, np.array([[0, 0, 3], [4, 1, 1], [2, 2, 2], [0, 1, 2]]))
    check(lambda L, x, i: x.gather(0, i), x, np.array([[3, 0, 1, 1, 2], [3, 3, 0, 2, 1]]))
    check(lambda L, x, i: x.gather(-1, i), x, np.array([[1], [1]]))  # smaller in the other dim
    m = rs.rand(4, 5) > 0.5
    check(lambda L, x, m: x.masked_fill(m, -1.5), x, m)
    check(lambda L, x, m: L.masked_fill(x, m, 0.0) * x, x, m)
    check(lambda L, x, m: x.masked_fill(m[0], float("-inf")).logsumexp(1), x, m, grad_check=False)

    def inplace(L, x, m):
        y = x * 2
        y.masked_fill_(m, 3.0)
        return y

    check(inplace, x, m)


def test_piecewise_constant_ops():
    a = np.array([-1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 2.7])
    for f in ("sign", "round", "floor", "ceil"):
        check(lambda L, x, f=f: getattr(x.detach(), f)(), a)
        check(lambda L, x, f=f: getattr(L, f)(x.detach()), a)
    check(lambda L, x: x.detach() // 0.7, a)
    check(lambda L, x: x.detach() % 0.7, a)
    check(lambda L, x: x // 2, np.array([-3, 5, 7]))
