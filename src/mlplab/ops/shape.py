"""View and shape ops: the backward of each undoes the forward's rearrangement."""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op, unbroadcast
from ..autograd.tensor_ops import sum_to


class Reshape(Op):
    """y = x reshaped;  dL/dx = dL/dy reshaped back."""

    arity = 1
    is_view = True

    backward_name = "ViewBackward0"

    def forward(self, x, shape):
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, g):
        return g.reshape(self.shape)

    def backward_graph(self, g):
        return Reshape.apply(g, self.shape)

    def replay(self, x, shape):
        """The same view of another array ``x`` (``shape``: the view's; ``autograd/views.py``)."""
        return x.reshape(shape)


class Permute(Op):
    """y = x with axes permuted;  dL/dx = dL/dy with the inverse permutation."""

    arity = 1
    is_view = True

    def forward(self, x, axes):
        if len(axes) <= 2:
            self.inv = axes  # a swap (or identity) is its own inverse
        else:
            inv = [0] * len(axes)
            for i, a in enumerate(axes):
                inv[a] = i
            self.inv = tuple(inv)
        return x.transpose(axes)

    def backward(self, g):
        return g.transpose(self.inv)

    def backward_graph(self, g):
        return Permute.apply(g, self.inv)

    def replay(self, x, shape):
        return x.transpose(np.argsort(self.inv))


class Unsqueeze(Reshape):
    """``unsqueeze``: a reshape inserting one axis of size 1 (PyTorch's ``UnsqueezeBackward0``)."""

    backward_name = "UnsqueezeBackward0"


class Squeeze(Reshape):
    """``squeeze()``: a reshape dropping every size-1 axis (PyTorch's ``SqueezeBackward0``)."""

    backward_name = "SqueezeBackward0"


class SqueezeDim(Reshape):
    """``squeeze(dim)`` (PyTorch's ``SqueezeBackward1``)."""

    backward_name = "SqueezeBackward1"


class SqueezeDims(Reshape):
    """``squeeze((d0, d1, ...))`` (PyTorch's ``SqueezeBackward2``)."""

    backward_name = "SqueezeBackward2"


class Transpose(Permute):
    """``transpose(d0, d1)``: a permutation swapping two axes (PyTorch's ``TransposeBackward0``)."""

    backward_name = "TransposeBackward0"


class T(Permute):
    """``t()`` of a tensor of at most 2 dims (PyTorch's ``TBackward0``)."""

    backward_name = "TBackward0"


class Expand(Op):
    """y = x broadcast to a larger shape (a view);  dL/dx = dL/dy summed over broadcast axes."""

    arity = 1
    is_view = True

    def forward(self, x, shape):
        self.shape = x.shape
        return np.broadcast_to(x, shape)

    def backward(self, g):
        return unbroadcast(g, self.shape)

    def backward_graph(self, g):
        return sum_to(g, self.shape)

    def replay(self, x, shape):
        return np.broadcast_to(x, shape)


_ALL = slice(None)


class Index(Op):
    """y = x[key] (basic slicing or integer-array gather);  dL/dx scatters dL/dy back,
    adding where an index repeats. Basic indexing gives a view (sharing x's version counter),
    integer-array indexing a copy, as in PyTorch."""

    arity = 1
    is_view = True

    def forward(self, x, key, advanced):
        self.shape, self.dtype, self.key, self.adv = x.shape, x.dtype, key, advanced
        y = x[key]
        if isinstance(y, np.ndarray):
            return y
        # one element by integers: NumPy gives a scalar; with a trailing Ellipsis, a 0-d view
        # (torch's x[0] of a 1-D tensor is a view too)
        return x[(*key, Ellipsis) if isinstance(key, tuple) else (key, Ellipsis)]

    def name(self) -> str:
        if self.backward_name is not None:  # a node made again after an in-place change
            return self.backward_name
        multi = self.__dict__.get("multi_view")  # an output of split/chunk/unbind (_tensor/select.py)
        if multi is not None:
            return multi[0] + "Backward0"
        if self.adv:
            return "IndexBackward0"
        k = self.key if isinstance(self.key, tuple) else (self.key,)
        if any(isinstance(i, slice) and i != _ALL for i in k):  # ``:`` alone makes no node in torch
            return "SliceBackward0"
        return "UnsqueezeBackward0" if any(i is None for i in k) else "SelectBackward0"

    def backward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        if self.adv:
            np.add.at(out, self.key, g)
        else:
            out[self.key] = g
        return out

    def backward_graph(self, g):
        return IndexScatter.apply(g, self.shape, self.key, self.adv)

    def replay(self, x, shape):
        return x[self.key]


class IndexScatter(Op):
    """y = zeros(shape) with y[key] += x: the adjoint of indexing (the backward of ``Index``
    as an op, for ``create_graph``);  dL/dx = dL/dy[key]."""

    arity = 1

    def forward(self, x, shape, key, advanced):
        self.key, self.adv = key, advanced
        out = np.zeros(shape, dtype=x.dtype)
        if advanced:
            np.add.at(out, key, x)
        else:
            out[key] = x
        return out

    def backward(self, g):
        y = g[self.key]
        return y if isinstance(y, np.ndarray) else np.asarray(y)

    def backward_graph(self, g):
        return Index.apply(g, self.key, self.adv)


def _advanced(key) -> bool:
    """True when ``key`` uses integer or boolean arrays (NumPy's advanced indexing)."""
    k = key if isinstance(key, tuple) else (key,)
    return any(isinstance(i, (np.ndarray, list)) for i in k)


class SetItem(Op):
    """y = x with y[key] = v (``x[key] = v`` recorded in the graph);
    dL/dx = dL/dy with the overwritten positions zeroed, dL/dv = dL/dy[key] summed to v's shape."""

    arity = 2

    backward_name = "CopySlices"

    def forward(self, x, v, key):
        self.key, self.vs = key, v.shape
        y = x.copy()
        y[key] = v
        return y

    def backward(self, g):
        gx = gv = None
        if self.needs_input_grad[0]:
            gx = g.copy()
            gx[self.key] = 0
        if self.needs_input_grad[1]:
            gv = unbroadcast(g[self.key], self.vs)
        return gx, gv

    def backward_graph(self, g):
        gx = gv = None
        if self.needs_input_grad[0]:
            gx = SetItem.apply(g, g._make(np.zeros((), g._data.dtype)), self.key)
        if self.needs_input_grad[1]:
            gv = sum_to(Index.apply(g, self.key, _advanced(self.key)), self.vs)
        return gx, gv


class Cat(Op):
    """y = concatenate(xs, dim);  each input's gradient is its slice of dL/dy.

    Called as ``Cat.apply(dim, *tensors)``.
    """

    def forward(self, dim, *xs):
        self.dim = dim
        self.splits = np.cumsum([x.shape[dim] for x in xs])[:-1]
        return np.concatenate(xs, axis=dim)

    def backward(self, g):
        return tuple(np.split(g, self.splits, axis=self.dim))

    def backward_graph(self, g):
        bounds = [0, *self.splits.tolist(), g.shape[self.dim]]
        pre = (slice(None),) * self.dim
        return tuple(Index.apply(g, (*pre, slice(a, b)), False) for a, b in zip(bounds[:-1], bounds[1:]))


class Stack(Op):
    """y = stack(xs, dim);  each input's gradient is dL/dy indexed at its position along dim.

    Called as ``Stack.apply(dim, *tensors)``.
    """

    def forward(self, dim, *xs):
        self.dim = dim
        return np.stack(xs, axis=dim)

    def backward(self, g):
        return tuple(np.moveaxis(g, self.dim, 0))

    def backward_graph(self, g):
        pre = (slice(None),) * self.dim
        return tuple(Index.apply(g, (*pre, i), False) for i in range(g.shape[self.dim]))


class Gather(Op):
    """y[i][j] = x[i][index[i][j]] (for dim=1; likewise for any dim), PyTorch's ``gather``;
    dL/dx scatters dL/dy back to the gathered positions, adding where an index repeats."""

    arity = 1

    def forward(self, x, dim, index):
        self._xshape = x.shape
        if any(n != m for d, (n, m) in enumerate(zip(index.shape, x.shape)) if d != dim):
            # PyTorch reads only the leading index.size(d) entries of the other dimensions
            x = x[tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index.shape))]
        self.shape, self.dim, self.index = self._xshape, dim, index
        return np.take_along_axis(x, index, axis=dim)

    def backward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        idx = list(np.indices(self.index.shape, sparse=True))
        idx[self.dim] = self.index
        np.add.at(out, tuple(idx), g)
        return out

    def backward_graph(self, g):
        """The scatter-add of g into zeros, recorded (its own backward gathers again)."""
        idx = list(np.indices(self.index.shape, sparse=True))
        idx[self.dim] = self.index
        return IndexScatter.apply(g, self.shape, tuple(idx), True)
