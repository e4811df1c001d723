"""View and shape ops: the backward of each undoes the forward's rearrangement."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function


class Reshape(Function):
    """y = x reshaped;  dL/dx = dL/dy reshaped back."""

    def forward(self, x, shape):
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, g):
        return g.reshape(self.shape)


class Permute(Function):
    """y = x with axes permuted;  dL/dx = dL/dy with the inverse permutation."""

    def forward(self, x, axes):
        self.inv = tuple(np.argsort(axes))
        return x.transpose(axes)

    def backward(self, g):
        return g.transpose(self.inv)


class Expand(Function):
    """y = x broadcast to a larger shape (a view);  dL/dx = dL/dy summed over broadcast axes."""

    def forward(self, x, shape):
        self.shape = x.shape
        return np.broadcast_to(x, shape)

    def backward(self, g):
        from ..autograd.function import unbroadcast

        return unbroadcast(g, self.shape)


class Index(Function):
    """y = x[key] (basic slicing or integer-array gather);  dL/dx scatters dL/dy back,
    adding where an index repeats."""

    def forward(self, x, key, advanced):
        self.shape, self.dtype, self.key, self.adv = x.shape, x.dtype, key, advanced
        y = x[key]
        return y if isinstance(y, np.ndarray) else np.asarray(y)

    def backward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        if self.adv:
            np.add.at(out, self.key, g)
        else:
            out[self.key] = g
        return out


class Cat(Function):
    """y = concatenate(xs, dim);  each input's gradient is its slice of dL/dy."""

    def forward(self, *xs, dim):
        self.dim = dim
        self.splits = np.cumsum([x.shape[dim] for x in xs])[:-1]
        return np.concatenate(xs, axis=dim)

    def backward(self, g):
        return tuple(np.split(g, self.splits, axis=self.dim))


class Stack(Function):
    """y = stack(xs, dim);  each input's gradient is dL/dy indexed at its position along dim."""

    def forward(self, *xs, dim):
        self.dim = dim
        return np.stack(xs, axis=dim)

    def backward(self, g):
        return tuple(np.moveaxis(g, self.dim, 0))
