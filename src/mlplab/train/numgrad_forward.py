r"""The forward passes :mod:`mlplab.train.numgrad` needs, all float64 NumPy, no graph.

:class:`Batch` holds one batch's flat layer list, every parameter as float64 and the activations of
the unperturbed pass (``acts[i]`` is the input of layer i, ``acts[-1]`` the network's output). From
them it evaluates the network for K perturbed copies at once in three ways:

* :meth:`Batch.run` - layers ``start..end`` on a (K or 1, N, ...) input, with some parameters
  replaced by K stacked copies (each layer's own ``forward_parameter_copies``); the general path.
* :meth:`Batch.columns` - one per-feature layer on K single columns (K, N), column ``cols[k]`` for
  copy k: an elementwise activation, Identity, BatchNorm1d (batch statistics of that column only),
  PReLU (that column's slope).
* :meth:`Batch.carry` - K perturbed columns pushed on through the per-feature layers; then
  :meth:`Batch.finish`: at the next Linear, whose output changes by the rank-one term

      z' = z + (a'_j - a_j) W[:, j]^T        (a_j: column j of its input, (N,); W[:, j]: (out,))

  (:meth:`Batch.rank_one`), the copies become full (K, N, out) arrays and :meth:`Batch.run`
  finishes the pass; a layer that is not per-feature materialises the columns there instead.
"""

from __future__ import annotations

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..errors import UserError
from ..tensor import Tensor

# parameter-free layers that act on every element alone (column j of the output needs only column j)
ELEMENTWISE: tuple[type, ...] = (
    nn.Sigmoid,
    nn.Tanh,
    nn.ReLU,
    nn.LeakyReLU,
    nn.SiLU,
    nn.ELU,
    nn.GELU,
    nn.Softplus,
    nn.Hardtanh,  # and ReLU6, its subclass
    nn.SELU,
    nn.CELU,
    nn.Mish,
    nn.Hardswish,
    nn.Hardsigmoid,
    nn.LogSigmoid,
    nn.Softsign,
    nn.Tanhshrink,
)
SKIPPED: tuple[type, ...] = (nn.Identity, nn.Dropout)  # Dropout reaches here only with p = 0


def own_parameters(m: nn.Module) -> dict[str, nn.Parameter]:
    """The parameters a layer holds itself (not its children's)."""
    return dict(m.named_parameters(recurse=False))


def per_feature(m: nn.Module) -> bool:
    """Whether output column j of ``m`` depends on input column j only (given the parameters)."""
    return isinstance(m, ELEMENTWISE + SKIPPED + (nn.BatchNorm1d, nn.PReLU))


class Batch:
    """One batch ``x`` (N, ...) through the flat layer list ``mods``, unperturbed and perturbed."""

    def __init__(self, mods: list[nn.Module], x: np.ndarray) -> None:
        self.mods = mods
        self.p64 = {id(p): p._data.astype(np.float64) for m in mods for p in own_parameters(m).values()}
        acts = [x]
        for i in range(len(mods)):
            acts.append(self.layer(i, acts[-1][None], {})[0])
        self.acts = acts
        self._scratch: dict[str, np.ndarray] = {}
        self.cache: dict[str, np.ndarray] = {}  # per-batch values the loss shortcuts reuse

    def scratch(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A reusable float64 work array of ``shape`` (contents undefined). Chunks reuse the same
        memory: a fresh array of this size per chunk would come from mmap and pay its page faults
        on every chunk (an order of magnitude slower than the arithmetic on a busy machine)."""
        size = int(np.prod(shape))
        buf = self._scratch.get(name)
        if buf is None or buf.size < size:
            buf = self._scratch[name] = np.empty(size)
        return buf[:size].reshape(shape)

    def layer(self, i: int, a: np.ndarray, copies: dict[int, np.ndarray]) -> np.ndarray:
        """Layer ``i`` on ``a`` (K or 1, N, ...); ``copies`` maps id(Parameter) -> (K, *shape)."""
        m = self.mods[i]
        own = own_parameters(m)
        if isinstance(m, SKIPPED):
            return a
        k, n = a.shape[0], a.shape[1]
        if isinstance(m, nn.Linear) and not any(id(p) in copies for p in own.values()):
            out = a.reshape(k * n, -1) @ self.p64[id(m.weight)].T  # one 2-D GEMM for all copies
            if m.bias is not None:
                out += self.p64[id(m.bias)]
            return out.reshape(k, n, -1)
        if own or isinstance(m, nn.BatchNorm1d):  # BatchNorm1d: batch statistics even without affine
            if not hasattr(m, "forward_parameter_copies"):
                raise UserError(
                    f"numerical gradients: layer {type(m).__name__} has parameters but no "
                    "forward_parameter_copies(x, copies) method"
                )
            named = {name: copies.get(id(p), self.p64[id(p)][None]) for name, p in own.items()}
            return m.forward_parameter_copies(a, named)
        with no_grad():
            out = m(Tensor._make(a.reshape((k * n,) + a.shape[2:])))._data
        return out.reshape((k, n) + out.shape[1:])

    def run(self, start: int, a: np.ndarray, copies: dict[int, np.ndarray]) -> np.ndarray:
        """Layers ``start..end`` on ``a`` (K or 1, N, ...): the network's (K, N, ...) outputs."""
        for i in range(start, len(self.mods)):
            a = self.layer(i, a, copies)
        return a

    def columns(
        self, i: int, c: np.ndarray, cols: np.ndarray, values: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Per-feature layer ``i`` on columns ``c`` (K, N), column ``cols[k]`` in row k; ``values``
        replaces this layer's own parameters by one value per copy: name -> (K,)."""
        m = self.mods[i]
        values = values or {}
        if isinstance(m, SKIPPED):
            return c
        if isinstance(m, nn.BatchNorm1d):  # (c - mean) / sqrt(var + eps) * gamma + beta, per column
            out = (c - c.mean(axis=1, keepdims=True)) / np.sqrt(c.var(axis=1, keepdims=True) + m.eps)
            own = own_parameters(m)
            if "weight" in own:
                out = out * self._per_copy(own["weight"], "weight", cols, values)[:, None]
            if "bias" in own:
                out = out + self._per_copy(own["bias"], "bias", cols, values)[:, None]
            return out
        if isinstance(m, nn.PReLU):  # max(0, c) + slope * min(0, c), as forward_parameter_copies
            slope = self._per_copy(m.weight, "weight", cols, values)
            return np.where(c > 0, c, slope[:, None] * c)
        with no_grad():
            return m(Tensor._make(c))._data

    def _per_copy(
        self, p: nn.Parameter, name: str, cols: np.ndarray, values: dict[str, np.ndarray]
    ) -> np.ndarray:
        if name in values:
            return values[name]
        v = self.p64[id(p)]
        return v[cols] if v.size > 1 else np.broadcast_to(v, cols.shape)

    def full(self, i: int, c: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """(K, N, C) copies of ``acts[i]``, copy k with column ``cols[k]`` replaced by ``c[k]``."""
        out = np.repeat(self.acts[i][None], c.shape[0], axis=0)
        out[np.arange(c.shape[0]), :, cols] = c
        return out

    def carry(self, start: int, c: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, int]:
        """Columns ``c`` (K, N) of ``acts[start]`` (column ``cols[k]`` in row k, the rest of each
        copy unperturbed) through the per-feature layers from ``start`` on: the columns reached and
        the index of the first layer that is not per-feature (``len(mods)`` at the end)."""
        for i in range(start, len(self.mods)):
            if not per_feature(self.mods[i]):
                return c, i
            c = self.columns(i, c, cols)
        return c, len(self.mods)

    def rank_one(
        self, i: int, c: np.ndarray, cols: np.ndarray, shift: np.ndarray | float = 0.0
    ) -> np.ndarray:
        """Linear layer ``i`` on copies of ``acts[i]`` that differ in column ``cols[k]`` only (that
        column is ``c[k]``): z' = z + (a'_j - a_j) W[:, j]^T, minus ``shift`` (N,) or 0, as a
        (K, out, N) array (N contiguous: NumPy broadcasts several times faster with a long inner
        axis; ``.transpose(0, 2, 1)`` is the (K, N, out) view). It lives in reused work space."""
        delta = c - self.acts[i][:, cols].T
        w = self.p64[id(self.mods[i].weight)].T[cols]  # W[:, j] of every copy, (K, out)
        zt = self.scratch("z", (len(cols), w.shape[1], delta.shape[1]))
        np.multiply(w[:, :, None], delta[:, None, :], out=zt)
        zt += (self.acts[i + 1] - shift).T if np.ndim(shift) == 0 else (self.acts[i + 1] - shift[:, None]).T
        return zt

    def finish(self, i: int, c: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The network's (K, N, ...) outputs from :meth:`carry`'s columns ``c`` stopped at layer ``i``."""
        if i == len(self.mods):
            return self.full(i, c, cols)
        if isinstance(self.mods[i], nn.Linear):
            return self.run(i + 1, self.rank_one(i, c, cols).transpose(0, 2, 1), {})
        return self.run(i, self.full(i, c, cols), {})

    def full_from(self, i: int) -> int:
        """Where :meth:`carry` from layer ``i`` starts building full (K, N, ...) arrays: the index
        of the first activation that is materialised."""
        for j in range(i, len(self.mods)):
            m = self.mods[j]
            if isinstance(m, nn.Linear):
                return j + 1
            if not per_feature(m):
                return j
        return len(self.mods)

    def width(self, start: int) -> int:
        """The widest activation from ``acts[start]`` on (elements per sample)."""
        return max(int(np.prod(a.shape[1:])) for a in self.acts[start:])
