"""Ops that place or pick elements by index or position: scatter, scatter_add, diag, tril/triu,
and einsum (a contraction whose backward is another einsum)."""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from ..autograd.op import OUTPUT, Op
from .not_twice import DelayedError
from .shape import Index, IndexScatter


def scatter_key(index: np.ndarray, dim: int) -> tuple:
    """The NumPy key that addresses ``self[i][j][index[i][j]]...`` (``index`` along ``dim``)."""
    key = list(np.indices(index.shape, sparse=True))
    key[dim] = index
    return tuple(key)


def _head(src: np.ndarray, shape: tuple) -> np.ndarray:
    """The leading ``shape`` block of ``src`` (torch reads only that part of ``src``)."""
    return src[tuple(slice(0, n) for n in shape)]


class Scatter(Op):
    """y = x, then y[key(index)] = src (key along ``dim``, see :func:`scatter_key`).

    dL/dx = dL/dy with the overwritten positions zeroed; dL/dsrc = dL/dy[key] in src's leading
    block, 0 elsewhere.
    """

    arity = 2

    def forward(self, x, src, index, dim):
        self.key, self.src_shape, self.n = scatter_key(index, dim), src.shape, index.shape
        out = x.copy()
        out[self.key] = _head(src, index.shape)
        return out

    def name(self) -> str:
        return "ScatterBackward0"

    def backward(self, g):
        gx = g.copy()
        gx[self.key] = 0
        gs = np.zeros(self.src_shape, g.dtype)
        gs[tuple(slice(0, n) for n in self.n)] = g[self.key]
        return gx, gs

    def backward_graph(self, g):
        mask = np.ones(g.shape, g._data.dtype)
        mask[self.key] = 0
        gx = g * g._make(mask) if self.needs_input_grad[0] else None
        return gx, (_src_grad(self, g) if self.needs_input_grad[1] else None)


def _src_grad(node: Any, g: Any) -> Any:
    """dL/dsrc of a scatter on tensors: g at the scattered positions, in src's leading block."""
    picked = Index.apply(g, node.key, True)
    if tuple(node.n) == tuple(node.src_shape):
        return picked
    return IndexScatter.apply(picked, node.src_shape, tuple(slice(0, n) for n in node.n), False)


class ScatterAdd(Op):
    """y = x, then y[key(index)] += src (repeated indices add up).

    dL/dx = dL/dy;  dL/dsrc = dL/dy[key] in src's leading block, 0 elsewhere.
    """

    arity = 2

    def forward(self, x, src, index, dim):
        self.key, self.src_shape, self.n = scatter_key(index, dim), src.shape, index.shape
        out = x.copy()
        np.add.at(out, self.key, _head(src, index.shape))
        return out

    def backward(self, g):
        gs = np.zeros(self.src_shape, g.dtype)
        gs[tuple(slice(0, n) for n in self.n)] = g[self.key]
        return g, gs

    def backward_graph(self, g):
        return g, (_src_grad(self, g) if self.needs_input_grad[1] else None)


_REDUCE_AT = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _identity(reduce: str, dtype: np.dtype) -> object:
    """The value that leaves ``reduce`` unchanged (what an excluded self counts as)."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    big = np.inf if dtype.kind == "f" else info.max
    return -big if reduce == "amax" else big


class ScatterReduce(Op):
    """y = x, then each y[t] = reduce over {x[t] (if ``include_self``)} and every src[i] with
    key(index)[i] = t, reduce one of sum, prod, mean, amax, amin (untouched targets keep x[t]).

    Gradients, per target t with members m (self and the src elements sent there):
    sum: dL/dm = g[t];  mean: g[t] / count[t];  prod: g[t] * (product of the other members)
    (exact with zeros: the members' zero count decides);  amax/amin: g[t] / (number of members
    equal to y[t]) for those members, 0 for the others. x[t] excluded by ``include_self=False``
    gets 0 where src was scattered.
    """

    arity = 2
    saves = (0, 1, OUTPUT)  # as torch's ScatterReduceBackward0: self, src and the result
    backward_name = "ScatterReduceBackward0"

    def forward(self, x, src, index, dim, reduce, include_self):
        self.given = reduce  # torch computes "max"/"min" as amax/amin, and has no gradient for them
        reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
        key, s = scatter_key(index, dim), _head(src, index.shape)
        hit = np.zeros(x.shape, bool)
        hit[key] = True
        base = x.copy()
        if not include_self:
            base[hit] = _identity(reduce, x.dtype)
        out = base.copy()
        _REDUCE_AT[reduce].at(out, key, s)
        count = None
        if reduce == "mean":
            count = np.zeros(x.shape, np.int64)
            np.add.at(count, key, 1)
            count = np.where(hit, count + int(include_self), 1).astype(x.dtype)
            out = out / count if x.dtype.kind == "f" else out // count
        self.key, self.s, self.x, self.hit, self.out, self.count = key, s, x, hit, out, count
        self.reduce, self.self_in, self.src_shape, self.n = reduce, include_self, src.shape, index.shape
        self.index, self.dim = index, dim
        return out

    def _check_reduce(self) -> None:
        if self.given in ("max", "min"):
            raise RuntimeError(
                f"Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', 'amin' but got {self.given}."
            )

    def backward(self, g):
        self._check_reduce()
        key, s, x, hit, r = self.key, self.s, self.x, self.hit, self.out
        keep = hit & self.self_in  # targets where x[t] is a member
        if self.reduce in ("sum", "mean"):
            gt = g / self.count if self.reduce == "mean" else g
            gx, gs = np.where(hit & ~keep, 0, gt), gt[key]
        elif self.reduce == "prod":
            gx, gs = self._prod_grads(g, keep)
        else:  # amax / amin: the members equal to the result share the gradient evenly
            ties = (hit & (x == r)).astype(g.dtype)  # torch counts x[t] even when excluded
            np.add.at(ties, key, (s == r[key]).astype(g.dtype))
            gt = g / np.where(ties == 0, 1, ties)
            gx = np.where(hit, np.where(keep & (x == r), gt, 0), g)
            gs = np.where(s == r[key], gt[key], 0)
        full = np.zeros(self.src_shape, g.dtype)
        full[tuple(slice(0, n) for n in self.n)] = gs
        return gx.astype(g.dtype, copy=False), full

    def _prod_grads(self, g, keep):
        """d(product)/d(member) = the product of the other members, exact where members are 0."""
        key, s, x = self.key, self.s, self.x
        nonzero = np.where(keep & (x != 0), x, 1).astype(g.dtype)  # product of the non-zero members
        zeros = (keep & (x == 0)).astype(np.int64)  # and how many are zero
        np.multiply.at(nonzero, key, np.where(s != 0, s, 1))
        np.add.at(zeros, key, (s == 0).astype(np.int64))

        def others(v, nz, z):
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(
                    v != 0, np.where(z == 0, nz / np.where(v != 0, v, 1), 0), np.where(z == 1, nz, 0)
                )

        gx = np.where(self.hit, np.where(keep, g * others(x, nonzero, zeros), 0), g)
        gs = g[key] * others(s, nonzero[key], zeros[key])
        return gx, gs

    def backward_graph(self, g):
        """The same gradients, recorded. sum, mean, amax, amin: g times constant masks and counts
        (their second derivative is 0). prod, as torch writes it: g times the product of the other
        members, i.e. the result divided by the member, or scatter_reduce run again with the member
        set to 1 where it is 0 (x, or a src zero alone on its target); the src gradient of a target
        with more than one src zero refuses to be differentiated again (torch's DelayedError)."""
        self._check_reduce()
        key, s, x, hit, r = self.key, self.s, self.x, self.hit, self.out
        keep, dt = hit & self.self_in, g._data.dtype

        def const(a):
            return g._make(np.asarray(a, dt))

        if self.reduce in ("sum", "mean"):
            gt = g * const(1 / self.count) if self.reduce == "mean" else g
            gx, gs = gt * const(~(hit & ~keep)), Index.apply(gt, key, True)
        elif self.reduce == "prod":
            gx, gs = self._prod_graph(g, keep, const)
        else:
            ties = (hit & (x == r)).astype(dt)
            np.add.at(ties, key, (s == r[key]).astype(dt))
            gt = g * const(1 / np.where(ties == 0, 1, ties))
            gx = gt * const(~hit | (keep & (x == r)))
            gs = Index.apply(gt, key, True) * const(s == r[key])
        if tuple(self.n) != tuple(self.src_shape):
            gs = IndexScatter.apply(gs, self.src_shape, tuple(slice(0, n) for n in self.n), False)
        return gx if self.needs_input_grad[0] else None, gs if self.needs_input_grad[1] else None

    def _prod_graph(self, g, keep, const):
        """prod's two gradients on tensors (see backward_graph)."""
        xt, st = self.parents
        x, s, key, head = self.x, self.s, self.key, tuple(slice(0, n) for n in self.n)
        args = (self.index, self.dim, "prod", self.self_in)
        mx = xt * const(x != 0) + const(x == 0)
        gx = g * ScatterReduce.apply(mx, st, *args) / mx * const(keep | ~self.hit)
        zero = s == 0
        zeros = np.zeros(x.shape, np.int64)
        np.add.at(zeros, key, zero.astype(np.int64))
        single = zero & (zeros[key] == 1)
        lone = np.zeros(self.src_shape, bool)
        lone[head] = single
        sh = st if tuple(self.n) == tuple(self.src_shape) else Index.apply(st, head, False)
        lone_one = ScatterReduce.apply(xt, st * const(~lone) + const(lone), *args)
        result = ScatterReduce.apply(xt, st, *args)
        by_lone = Index.apply(g * lone_one, key, True) * const(single)  # a lone zero: the others
        by_result = Index.apply(g * result, key, True) / (sh * const(~zero) + const(zero))
        gs = by_lone + by_result * const(~single)
        if (zeros > 1).any():
            gs = DelayedError.apply(
                gs,
                "scatter_reduce(): Double backward is unsupported for src when >1 zeros in src are "
                "scattered to the same position in self",
            )
        return gx, gs


class ScatterReduceNoGrad(ScatterReduce):
    """``scatter(..., reduce='add'|'multiply')``: torch computes it but has no derivative for it,
    so a backward that reaches it raises torch's error."""

    backward_name = "torch::autograd::NotImplemented"

    def backward(self, g):
        raise RuntimeError("derivative for aten::scatter is not implemented")

    backward_graph = backward  # under create_graph too: torch has no derivative at all


class Diag(Op):
    """1-D x: y = the matrix with x on its k-th diagonal;  dL/dx = the k-th diagonal of dL/dy.
    2-D x: y = the k-th diagonal of x;  dL/dx = dL/dy placed on the k-th diagonal of zeros."""

    arity = 1

    def forward(self, x, k):
        self.shape, self.k = x.shape, k
        return np.diag(x, k).copy()

    def backward(self, g):
        if len(self.shape) == 1:
            return np.diagonal(g, self.k).copy()
        out = np.zeros(self.shape, g.dtype)
        r = np.arange(g.shape[0])
        out[r - min(self.k, 0), r + max(self.k, 0)] = g
        return out

    def backward_graph(self, g):
        n = self.shape[0] if len(self.shape) == 1 else g.shape[0]
        r = np.arange(n)
        key = (r - min(self.k, 0), r + max(self.k, 0))
        if len(self.shape) == 1:
            return Index.apply(g, key, True)
        return IndexScatter.apply(g, self.shape, key, True)


class Tri(Op):
    """y = tril(x, k) (``upper``: triu);  dL/dx = tril(dL/dy, k) (the same mask)."""

    arity = 1

    def forward(self, x, k, upper):
        self.k, self.fn = k, (np.triu if upper else np.tril)
        self.upper = upper
        return self.fn(x, k)

    def name(self) -> str:
        return "TriuBackward0" if self.upper else "TrilBackward0"

    def backward(self, g):
        return self.fn(g, self.k)

    def backward_graph(self, g):
        return Tri.apply(g, self.k, self.upper)


class Einsum(Op):
    """y = einsum(spec, x_1, ..., x_n);  dL/dx_k = einsum(output, the other inputs -> x_k's indices)
    applied to dL/dy, broadcast over any index that only x_k carries (it was summed out), summed
    over any size-1 dimension of x_k that broadcast against the others.

    "..." stands for as many fresh letters as the operand has unnamed dimensions (aligned from the
    right, as the ellipsis broadcasts). A letter repeated within x_k ("ii->i": the diagonal) makes
    x_k's gradient zero off that diagonal and dL/dx_k[i, i] = the gradient computed for "i".
    """

    returns_fresh_grads = True

    def forward(self, *args):
        *arrays, spec = args
        self.arrays = arrays
        self.ins, self.out = _parse_einsum(spec, arrays)
        return np.asarray(np.einsum(spec, *arrays))

    def backward(self, g):
        return tuple(self._grad(k, g) if self.needs_input_grad[k] else None for k in range(len(self.arrays)))

    def _grad(self, k: int, g: np.ndarray) -> np.ndarray:
        subs, x = self.ins[k], self.arrays[k]
        size = dict(zip(subs, x.shape))
        uniq = "".join(dict.fromkeys(subs))  # the letters of x_k, each once, in order
        others = [(s, a) for j, (s, a) in enumerate(zip(self.ins, self.arrays)) if j != k]
        seen = set(self.out).union(*[set(s) for s, _ in others])
        kept = "".join(c for c in uniq if c in seen)
        part = np.einsum(
            ",".join([self.out] + [s for s, _ in others]) + "->" + kept, g, *[a for _, a in others]
        )
        for i, c in enumerate(kept):  # x_k's size-1 dimension broadcast against the others: sum
            if part.shape[i] != size[c]:
                part = part.sum(axis=i, keepdims=True)
        shape = tuple(size[c] if c in seen else 1 for c in uniq)
        part = np.broadcast_to(part.reshape(shape), tuple(size[c] for c in uniq))
        if len(uniq) == len(subs):  # a fresh writeable array: the engine may keep it as a .grad
            return part if part.flags.writeable and part.flags.c_contiguous else part.copy()
        grad = np.zeros(x.shape, g.dtype)
        np.einsum(subs + "->" + uniq, grad)[...] = part  # a writeable view of the diagonal
        return grad

    def backward_graph(self, g):
        """Each gradient as another recorded einsum of g and the other (tensor) inputs."""
        grads = []
        for k, subs in enumerate(self.ins):
            if not self.needs_input_grad[k]:
                grads.append(None)
                continue
            if "." in subs or len(set(subs)) != len(subs):
                raise NotImplementedError(
                    "mlplab's einsum gradient needs explicit indices, none repeated within an operand"
                )
            others = [(s, t) for j, (s, t) in enumerate(zip(self.ins, self.parents)) if j != k]
            seen = set(self.out).union(*[set(s) for s, _ in others])
            kept = "".join(c for c in subs if c in seen)
            spec = ",".join([self.out] + [s for s, _ in others]) + "->" + kept
            part = Einsum.apply(g, *[t for _, t in others], spec)
            shape = tuple(self.arrays[k].shape[i] if c in seen else 1 for i, c in enumerate(subs))
            grads.append(part.reshape(shape).expand(*self.arrays[k].shape))
        return tuple(grads)


def _parse_einsum(spec: str, arrays: list) -> tuple[list[str], str]:
    """The operands' index strings and the output's, with each "..." spelled out in fresh letters
    (implicit output: the ellipsis, then the letters seen once, sorted)."""
    n = len(arrays)
    spec = spec.replace(" ", "")
    lhs, arrow, out = spec.partition("->")
    ins = lhs.split(",")
    if len(ins) != n:
        raise RuntimeError(f"einsum(): {len(ins)} operands in the equation, but {n} tensors given")
    if not arrow:
        letters = "".join(ins).replace(".", "")
        out = ("..." if "..." in lhs else "") + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1)
        )
    if "..." not in spec:
        return ins, out
    fresh = [c for c in string.ascii_letters if c not in spec]
    unnamed = [a.ndim - (len(s) - 3) if "..." in s else 0 for s, a in zip(ins, arrays)]
    ell = "".join(fresh[: max(unnamed)])
    ins = [s.replace("...", ell[len(ell) - m :] if m else "") for s, m in zip(ins, unnamed)]
    return ins, out.replace("...", ell)
