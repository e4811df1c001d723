"""``FlatGroup``: a parameter group's small parameters laid end to end, so that an optimiser's update
runs once over all of them (see :mod:`mlplab.optim.executor`, which builds and uses it)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .inplace import add_, padded_zeros, whole_block_axpy

__all__ = ["FlatGroup", "plain_arrays", "same_keys", "split_fusable"]


class FlatGroup:
    """A group's small parameters laid end to end, with one flat array per gradient and state entry.

    ``state[k]`` holds state entry ``names[k]`` of every parameter, ``views[k][i]`` is parameter
    ``i``'s piece of it (the array of its state Tensor); ``spans[i]`` is parameter ``i``'s
    ``(start, end)``. ``weight_arrays`` are the parameters' own arrays when the buffers were built
    (a rebound ``p.data`` makes the buffers stale) and ``weight_views`` their flat views;
    ``weights`` is filled only for updates that read the weights. Every flat array comes from
    :func:`~mlplab.optim.inplace.padded_zeros`, so ``add_`` between two of them needs no padded tail.
    """

    __slots__ = (
        "params",
        "weight_arrays",
        "weight_views",
        "sizes",
        "spans",
        "names",
        "weights",
        "grads",
        "state",
        "views",
        "scratch",
        "spare",
        "_pieces",
        "_weight_pieces",
        "_grad_pieces",
        "_padded",
        "_axpy",
        "_rows",
    )

    def __init__(self, params: Any, names: tuple[str, ...], n_scratch: int) -> None:
        self.params = tuple(params)
        self.weight_arrays = tuple(p._data for p in params)
        self.weight_views = [w.ravel() for w in self.weight_arrays]  # views: fused arrays are C-contiguous
        self.sizes = tuple(w.size for w in self.weight_arrays)
        self.names = names
        self.spans = []
        start = 0
        for size in self.sizes:
            self.spans.append((start, start + size))
            start += size
        dtype = self.weight_arrays[0].dtype
        self.weights = padded_zeros(start, dtype)
        self.grads = padded_zeros(start, dtype)
        self.state = [padded_zeros(start, dtype) for _ in names]
        self.views: list[list[np.ndarray]] = [[] for _ in names]
        self.scratch = [padded_zeros(start, dtype) for _ in range(n_scratch)]  # the update's
        self.spare = padded_zeros(start, dtype)  # the executor's, for the final add
        self._pieces: dict[int, tuple[np.ndarray, list[np.ndarray]]] = {}
        self._axpy: Any = None  # whole_block_axpy for the padded buffers, once the first add needs it
        self._padded = {id(a): (a, a.base) for a in (self.grads, *self.state, *self.scratch, self.spare)}
        # (array, its piece of the flat buffer shaped like it): copied by ``[...] =``, 2x np.copyto's speed
        self._weight_pieces = tuple(
            (w, piece.reshape(w.shape)) for w, piece in zip(self.weight_arrays, self.pieces(self.weights))
        )
        self._grad_pieces = tuple(
            (p, piece.reshape(p._data.shape), piece) for p, piece in zip(self.params, self.pieces(self.grads))
        )
        # per parameter, what take_grads checks and where it copies the gradient
        self._rows = tuple(
            (p, w, shaped, shaped.shape, piece)
            for (p, shaped, piece), w in zip(self._grad_pieces, self.weight_arrays)
        )

    def pieces(self, buffer: np.ndarray) -> list[np.ndarray]:
        """Each parameter's piece of a flat ``buffer`` (cached: updates return the same buffers)."""
        cached = self._pieces.get(id(buffer))
        if cached is not None and cached[0] is buffer:
            return cached[1]
        pieces = [buffer[start:end] for start, end in self.spans]
        self._pieces[id(buffer)] = (buffer, pieces)
        return pieces

    def adopt_state(self, states: list[dict[str, Any]], initial: dict[str, float]) -> None:
        """Copy each parameter's state entries into the flat buffers and rebind its Tensors to views
        of them (a missing entry is created at its initial value)."""
        for k, name in enumerate(self.names):
            buffer, views = self.state[k], self.views[k]
            for w, state, piece in zip(self.weight_arrays, states, self.pieces(buffer)):
                view = piece.reshape(w.shape)
                held = state.get(name)
                if held is None:
                    view.fill(initial[name])
                    state[name] = Tensor._make(view)
                else:
                    np.copyto(view, held._data)
                    held._data = view
                views.append(view)

    def gather_grads(self) -> np.ndarray:
        """The parameters' gradients, copied into ``grads``."""
        for p, shaped, piece in self._grad_pieces:
            g = p.grad._data
            if g.shape == shaped.shape:
                shaped[...] = g
            else:  # a gradient of another shape and the same size, in C order
                piece[...] = g.reshape(-1)
        return self.grads

    def take_grads(self, params: Any) -> bool:
        """Whether ``params`` are still this group's parameters, on the same weight arrays, each with
        a gradient of their dtype and size (C-contiguous unless of the weights' shape); if so, the
        gradients are copied into ``grads`` on the way (one pass for the test and the copy)."""
        rows = self._rows
        if len(params) != len(rows):
            return False
        dtype = self.grads.dtype
        i = 0
        for p in params:
            kept, weights, shaped, shape, piece = rows[i]
            i += 1
            if p is not kept or p._data is not weights:
                return False
            grad = p.grad
            if grad is None:
                return False
            g = grad._data
            if g.dtype is not dtype and g.dtype != dtype:
                return False
            if g.shape == shape:
                shaped[...] = g
            elif g.size == piece.size and g.flags.c_contiguous:  # another shape, the same size
                piece[...] = g.reshape(-1)
            else:
                return False
        return True

    def gather_weights(self) -> np.ndarray:
        """The parameters' weights, copied into ``weights``."""
        for w, shaped in self._weight_pieces:
            shaped[...] = w
        return self.weights

    def scatter_weights(self) -> None:
        """``weights`` copied back into the parameters' arrays."""
        for w, shaped in self._weight_pieces:
            w[...] = shaped

    def add_to_weights(self, direction: np.ndarray, alpha: float) -> None:
        """``w <- w + alpha * direction`` (one rounding) for each parameter's piece of ``direction``."""
        if alpha == 1.0:
            for view, piece in zip(self.weight_views, self.pieces(direction)):
                np.add(view, piece, out=view)
            return
        # one add_ over the gathered weights: each parameter's add_ would pay for its own padded tail
        weights = self.gather_weights()
        padded = self._padded.get(id(direction))
        if padded is not None and padded[0] is direction:
            # one of the flat arrays: axpy on the padded buffers themselves (whole blocks, no look-up)
            y = weights.base
            axpy = self._axpy
            if axpy is None:
                axpy = whole_block_axpy(y.dtype, y.size)
                axpy = self._axpy = add_ if axpy is None else axpy
            if axpy is add_:
                add_(y, padded[1], alpha, self.spare.base)
            elif axpy(padded[1], y, a=alpha) is not y:  # pragma: no cover - f2py copies none of these
                raise RuntimeError("axpy did not update in place")
        else:
            add_(weights, direction, alpha, self.spare)
        self.scatter_weights()


def split_fusable(params: list[Tensor], max_size: int, chunk_bytes: int) -> tuple[list[Tensor], list[Tensor]]:
    """(the small parameters to update as one flat buffer, the rest).

    Fused: C-contiguous parameters and gradients of one dtype, each of at most ``max_size``
    elements, together within one chunk of ``chunk_bytes`` (the executor's ``FUSE_MAX_SIZE`` and
    ``CHUNK_BYTES``).
    """
    small: list[Tensor] = []
    rest: list[Tensor] = []
    dtype = None
    room = 0
    for p in params:
        w = p._data
        g = p.grad._data
        if (
            w.size <= max_size
            and (dtype is None or w.dtype == dtype)
            and g.dtype == w.dtype
            and w.flags.c_contiguous
            and g.flags.c_contiguous
            and g.size == w.size
        ):
            if dtype is None:
                dtype = w.dtype
                room = chunk_bytes // dtype.itemsize
            if w.size <= room:
                room -= w.size
                small.append(p)
                continue
        rest.append(p)
    return small, rest


def plain_arrays(w: np.ndarray, g: np.ndarray, arrays: list[np.ndarray]) -> bool:
    """Whether a kernel may run on these arrays: C-contiguous, of one dtype and size."""
    dtype, size = w.dtype, w.size
    return w.flags.c_contiguous and all(
        a.flags.c_contiguous and a.dtype == dtype and a.size == size for a in (g, *arrays)
    )


def same_keys(states: list[dict[str, Any]]) -> bool:
    """Whether all states hold the same entries (e.g. all or none have an SGD momentum buffer)."""
    keys = states[0].keys()
    return all(state.keys() == keys for state in states)
