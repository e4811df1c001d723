r"""Products and linear algebra: ``prod`` (a product reduction), ``diagonal`` (a batched diagonal)
and ``linalg.solve``."""

from __future__ import annotations

import numpy as np

from ..autograd.op import OUTPUT, Op, unbroadcast
from ..autograd.tensor_ops import sum_to
from .linear import MatMul


def _exclusive_products(x: np.ndarray, axis: int) -> np.ndarray:
    """out_i = prod_{j != i} x_j along ``axis``: the product of the elements before i times the
    product of those after i (exact where some x_j are 0, unlike y / x_i)."""
    n = x.shape[axis]
    ones = np.ones_like(np.take(x, [0], axis=axis))
    before = np.concatenate([ones, np.cumprod(np.take(x, range(n - 1), axis=axis), axis=axis)], axis=axis)
    rev = np.flip(x, axis=axis)
    after = np.concatenate([ones, np.cumprod(np.take(rev, range(n - 1), axis=axis), axis=axis)], axis=axis)
    return before * np.flip(after, axis=axis)


class Prod(Op):
    r"""y = prod_i x_i over ``axis`` (an int, or None: every element);
    dy/dx_i = prod_{j != i} x_j (= y / x_i where x_i != 0; computed as the product of the elements
    before and after i, so zeros get their exact gradient)."""

    arity = 1
    saves = (0, OUTPUT)

    def forward(self, x, axis, keepdim):
        self.x, self.axis, self.keep = x, axis, keepdim
        return np.asarray(np.prod(x, axis=axis, keepdims=keepdim))

    def name(self) -> str:
        return "ProdBackward0" if self.axis is None else "ProdBackward1"

    def backward(self, g):
        x, axis = self.x, self.axis
        if x.size == 0:
            return np.zeros_like(x)
        if axis is None:
            others = _exclusive_products(x.reshape(-1), 0).reshape(x.shape)
            return g.reshape((1,) * x.ndim) * others
        if not self.keep:
            g = np.expand_dims(g, axis)
        return g * _exclusive_products(x, axis)

    def backward_graph(self, g):
        """g y / x, recorded (y recomputed from x); where x has a zero, g times the products of the
        others computed as products themselves (:func:`_exclusive_products_graph`), so that every
        order is exact, as torch's cumprod-based formula is."""
        x, axis = self.parents[0], self.axis
        if axis is None:
            g = g.reshape((1,) * self.x.ndim)
        elif not self.keep:
            g = g.unsqueeze(axis)
        if self.x.all():
            return g * (Prod.apply(x, axis, axis is not None) / x)
        return g * _exclusive_products_graph(x, axis)


def _exclusive_products_graph(x, axis):
    """out_i = prod_{j != i} x_j along ``axis`` (None: all elements), recorded: the product over j
    of M_ij = x_j (j != i), 1 (j = i), an (n, n) block per reduced line, exact where x has zeros."""
    if axis is None:
        return _exclusive_products_graph(x.reshape(-1), 0).reshape(tuple(x.shape))
    a = axis % x.dim()
    n, dt = x.shape[a], x._data.dtype
    shape = [1] * (x.dim() + 1)
    shape[a] = shape[a + 1] = n
    eye = np.eye(n, dtype=dt).reshape(shape)
    return Prod.apply(x.unsqueeze(a) * x._make(1 - eye) + x._make(eye), a + 1, False)


class Bmm(MatMul):
    """Z[b] = X[b] @ Y[b] (``bmm``: two 3-D tensors, equal batch sizes); gradients as MatMul."""

    def name(self) -> str:
        return "BmmBackward0"


class Diagonal(Op):
    r"""y[..., i] = x[..., i - min(k, 0), i + max(k, 0)] with dims ``d1``, ``d2`` moved last (the
    ``k``-th diagonal, appended as the last dim, as PyTorch);
    dL/dx = dL/dy placed on that diagonal of zeros. A view, as PyTorch's: writing into it
    (``A.diagonal().add_(lam)``) changes x."""

    arity = 1
    is_view = True

    def forward(self, x, k, d1, d2):
        self.shape, self.k, self.d1, self.d2 = x.shape, k, d1, d2
        ro = np.diagonal(x, k, d1, d2)  # NumPy's diagonal view is read-only: same strides, writable
        first = [slice(None)] * x.ndim
        first[d2 if k >= 0 else d1] = slice(abs(k), None)
        start = x[tuple(first)]  # a view starting at the diagonal's first element
        if ro.size == 0:
            return ro.copy()
        return np.lib.stride_tricks.as_strided(start, ro.shape, ro.strides)

    def backward(self, g):
        out = np.zeros(self.shape, g.dtype)
        moved = np.moveaxis(out, (self.d1, self.d2), (-2, -1))  # a writable view of out
        r = np.arange(g.shape[-1])
        moved[..., r - min(self.k, 0), r + max(self.k, 0)] = g
        return out

    def replay(self, x, shape):
        """The same diagonal of another array ``x`` (``autograd/views.py``)."""
        return np.diagonal(x, self.k, self.d1, self.d2)

    def backward_graph(self, g):
        """g placed on the diagonal, recorded as sum_i g[..., i] E_i (E_i: the i-th diagonal one-hot
        of the two dims, moved last), then the dims moved back."""
        d1, d2, k, shape = self.d1, self.d2, self.k, self.shape
        n = g.shape[-1]
        hot = np.zeros((shape[d1], shape[d2], n), g._data.dtype)
        r = np.arange(n)
        hot[r - min(k, 0), r + max(k, 0), r] = 1
        moved = (g.unsqueeze(-2).unsqueeze(-2) * g._make(hot)).sum(dim=-1)
        order = [j for j in range(len(shape)) if j not in (d1, d2)] + [d1, d2]
        return moved.permute(*[order.index(j) for j in range(len(shape))])


class Solve(Op):
    r"""X = A^{-1} B (``linalg.solve``: A X = B; B a vector or a matrix, A with batch dims);
    dL/dB = A^{-T} dL/dX,  dL/dA = -dL/dB X^T (summed over broadcast batch dims)."""

    arity = 2
    saves = (0, OUTPUT)
    backward_name = "LinalgSolveExBackward0"

    def forward(self, a, b):
        self.a, self.vector = a, b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
        self.b_shape = b.shape
        bm = b[..., None] if self.vector else b
        batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
        a_full = np.broadcast_to(a, batch + a.shape[-2:])
        self.x = x = np.linalg.solve(a_full, np.broadcast_to(bm, batch + bm.shape[-2:]))
        return x[..., 0] if self.vector else x

    def backward(self, g):
        a, x = self.a, self.x
        gm = g[..., None] if self.vector else g
        batch = x.shape[:-2]
        gb = np.linalg.solve(np.broadcast_to(np.swapaxes(a, -1, -2), batch + a.shape[-2:]), gm)
        ga = gb_out = None
        if self.needs_input_grad[0]:
            ga = unbroadcast(-(gb @ np.swapaxes(x, -1, -2)), a.shape)
        if self.needs_input_grad[1]:
            bm_shape = self.b_shape + (1,) if self.vector else self.b_shape
            gb_out = unbroadcast(gb, bm_shape).reshape(self.b_shape)
        return ga, gb_out

    def backward_graph(self, g):
        """The same on tensors, X solved again from A and B so that it is differentiated."""
        a, b = self.parents
        gm = g.unsqueeze(-1) if self.vector else g
        gb = Solve.apply(a.transpose(-1, -2), gm)
        ga = gb_out = None
        if self.needs_input_grad[0]:
            x = Solve.apply(a, b)
            xm = x.unsqueeze(-1) if self.vector else x
            ga = sum_to(-(gb @ xm.transpose(-1, -2)), self.a.shape)
        if self.needs_input_grad[1]:
            bm_shape = self.b_shape + (1,) if self.vector else self.b_shape
            gb_out = sum_to(gb, bm_shape).reshape(self.b_shape)
        return ga, gb_out


class SingularNorm(Op):
    r"""Matrix norms from the singular values s_1 >= ... >= s_k of the matrices on dims (d0, d1):
    nuclear ||A||_* = sum_i s_i (``kind='nuc'``), spectral ||A||_2 = s_1 (2), and s_k (-2).

    With A = U diag(s) V^T: d||A||_*/dA = U V^T, ds_1/dA = u_1 v_1^T, ds_k/dA = u_k v_k^T
    (singular vectors of a singular value that is distinct; a repeated one has no unique pair).
    """

    arity = 1
    backward_name = "LinalgSvdBackward0"

    def forward(self, x, d0, d1, kind, keepdim):
        m = np.moveaxis(x, (d0, d1), (-2, -1))
        self.dims, self.kind, self.keep = (d0, d1), kind, keepdim
        if min(m.shape[-2:]) == 0:
            if kind == -2:
                raise IndexError("amin(): Expected reduction dim -1 to have non-zero size.")
            self.u = None
            y = np.zeros(m.shape[:-2], x.dtype)
        else:
            self.u, s, self.vh = np.linalg.svd(m, full_matrices=False)
            y = s.sum(-1) if kind == "nuc" else s[..., 0] if kind == 2 else s[..., -1]
        self.shape = x.shape
        return np.expand_dims(y, tuple(sorted((d0, d1)))) if keepdim else y

    def backward(self, g):
        if self.keep:
            g = np.squeeze(g, tuple(sorted(self.dims)))
        if self.u is None:
            return np.zeros(self.shape, g.dtype)
        u, vh = self.u, self.vh
        if self.kind == "nuc":
            d = u @ vh
        else:
            i = slice(0, 1) if self.kind == 2 else slice(-1, None)
            d = u[..., :, i] @ vh[..., i, :]
        return np.moveaxis(g[..., None, None] * d, (-2, -1), self.dims)

    def backward_graph(self, g):
        """g times the same D(A), from U and V^T recorded as :class:`SvdFactor` ops of A, so that
        the gradient is differentiated again (any order) as torch differentiates through its SVD."""
        if self.keep:
            g = g.squeeze(tuple(sorted(self.dims)))
        if self.u is None:
            return g._make(np.zeros(self.shape, g._data.dtype))
        a = self.parents[0]
        order = [j for j in range(a.dim()) if j not in self.dims] + list(self.dims)
        m = a.permute(*order)
        u, vh = SvdFactor.apply(m, "U"), SvdFactor.apply(m, "Vh")
        if self.kind != "nuc":
            i = 0 if self.kind == 2 else u.shape[-1] - 1
            u, vh = u[..., :, i : i + 1], vh[..., i : i + 1, :]
        d = (u @ vh) * g.unsqueeze(-1).unsqueeze(-1)
        return d.permute(*[order.index(j) for j in range(a.dim())])


class SvdFactor(Op):
    r"""One factor of the thin SVD A = U diag(S) V^T of the matrices on the last two dims:
    ``which`` = "U", "S" or "Vh". Used by the second derivative of :class:`SingularNorm`.

    Its gradient is torch's ``svd_backward`` (real, thin) with the other factors' gradients 0:
      gA = U [ (skew(U^T g_U) S + S skew(V^T g_V)) / E + diag(g_S) ] V^T  (+ the parts off the span:
           (I - U U^T) g_U S^{-1} V^T when m > n, U S^{-1} g_Vh (I - V V^T) when m < n),
    skew(X) = X - X^T, E_ij = s_j^2 - s_i^2 off the diagonal, 1 on it. A sign of a singular vector
    is fixed by LAPACK (the same for every factor of the same A), so gauge-invariant functions of
    the factors (u_i v_i^T, U V^T) have the derivatives of the norms.
    """

    arity = 1
    backward_name = "LinalgSvdBackward0"

    def forward(self, x, which):
        self.which = which
        u, s, vh = np.linalg.svd(x, full_matrices=False)
        self.usv = (u, s, vh)
        return {"U": u, "S": s, "Vh": vh}[which]

    def backward(self, g):
        grads = {w: (g if w == self.which else None) for w in ("S", "U", "Vh")}
        return _svd_backward(*self.usv, grads["S"], grads["U"], grads["Vh"], _ARRAYS)

    def backward_graph(self, g):
        a = self.parents[0]
        usv = (SvdFactor.apply(a, "U"), SvdFactor.apply(a, "S"), SvdFactor.apply(a, "Vh"))
        grads = {w: (g if w == self.which else None) for w in ("S", "U", "Vh")}
        return _svd_backward(*usv, grads["S"], grads["U"], grads["Vh"], _Tensors(g))


class _Arrays:
    """The few operations of :func:`_svd_backward` on NumPy arrays."""

    @staticmethod
    def mt(x):
        return np.swapaxes(x, -1, -2)

    @staticmethod
    def const(a, like):
        return a.astype(like.dtype)

    @staticmethod
    def col(x):
        return x[..., :, None]

    @staticmethod
    def row(x):
        return x[..., None, :]


_ARRAYS = _Arrays()


class _Tensors:
    """The same on tensors (recorded)."""

    def __init__(self, g):
        self.g = g

    @staticmethod
    def mt(x):
        return x.transpose(-1, -2)

    def const(self, a, like):
        return self.g._make(a.astype(self.g._data.dtype))

    @staticmethod
    def col(x):
        return x.unsqueeze(-1)

    @staticmethod
    def row(x):
        return x.unsqueeze(-2)


def _svd_backward(u, s, vh, gs, gu, gvh, k):
    """dL/dA from the gradients of the thin SVD's factors (None: 0), see :class:`SvdFactor`;
    ``k`` supplies transpose, constants and the two broadcasts for arrays or tensors."""
    m, n = u.shape[-2], vh.shape[-1]
    if gu is None and gvh is None:
        return u @ (k.col(gs) * vh)
    eye = np.eye(s.shape[-1])
    s2 = s * s
    e = k.row(s2) - k.col(s2) + k.const(eye, s)
    ga = None
    if gu is not None:
        uhgu = k.mt(u) @ gu
        ga = (uhgu - k.mt(uhgu)) * k.row(s) / e
    if gvh is not None:
        vhgv = vh @ k.mt(gvh)
        part = k.col(s) * (vhgv - k.mt(vhgv)) / e
        ga = part if ga is None else ga + part
    if gs is not None:
        ga = ga + k.col(gs) * k.const(eye, s)
    if m > n and gu is not None:
        gus = gu / k.row(s)
        return (u @ ga + gus - u @ (k.mt(u) @ gus)) @ vh
    if m < n and gvh is not None:
        sgvh = gvh / k.col(s)
        return u @ (ga @ vh + sgvh - (sgvh @ k.mt(vh)) @ vh)
    return u @ (ga @ vh)
