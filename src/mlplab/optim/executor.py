"""The optimiser executor: runs any optimiser's per-tensor update over a parameter group, fast.

An optimiser writes its update once, for one tensor (``Optimizer.update``: weights ``w``, gradient
``g``, its state arrays, scratch arrays, and the step's scalars), in in-place NumPy. Every line of
such an update is elementwise, so the executor may hand it any matching pieces of those arrays
and the numbers come out bitwise the same. It uses that twice:

- **Chunks.** A big parameter is updated ``CHUNK_BYTES`` at a time: the dozen NumPy passes of an
  Adam step then run on data held in the L2 cache instead of streaming the whole tensor from
  memory each pass (about 1.5x faster for a 256x784 float64 weight). The scratch arrays of one
  chunk are shared by all parameters of a dtype.
- **Flat buffers.** Small parameters (biases, the layers of a small net) are costly one by one:
  each NumPy call costs about 0.5 us whatever its size. Those of a group are laid end to end
  (:class:`FlatGroup`): one array of their gradients, one per state entry, and the update runs
  once on the lot. Each parameter's state Tensor *is* a view of the flat state buffer, so the
  state stays where ``state_dict`` and user code look for it.

The update returns ``(direction, alpha)`` instead of writing the weights itself; the executor
applies ``w <- w + alpha * direction`` (rounded once, as PyTorch's ``add_(alpha=)``). An update
whose state must see the new weights (ASGD's average) writes them itself and returns
``(None, 0.0)``. On a flat
buffer this lets it add each parameter's piece in place, without gathering and scattering the
weights, unless ``Optimizer.reads_weights(group)`` says the update needs them (weight decay).

Fusing needs every fused parameter in the same place of its trajectory: the same state entries
and the same scalar state values (``step``, NAdam's ``mu_product``). The scalars of the step are
then computed once, from the first, and copied to the others. A parameter that sat out steps,
state loaded by hand, or a non-contiguous array makes the executor take the per-tensor path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _dtype
from ..autograd.tensor_base import bump_versions
from ..tensor import Tensor
from .inplace import add_

if TYPE_CHECKING:
    from .optimizer import Optimizer

__all__ = ["CHUNK_BYTES", "FUSE_MAX_SIZE", "Executor", "FlatGroup"]

CHUNK_BYTES = 1 << 17  # 128 KiB per array and chunk: a step's ~6 arrays stay in a 1-2 MiB L2 cache
FUSE_MAX_SIZE = 1 << 14  # parameters of up to this many elements go into the flat buffers

_NO_STATE: dict[str, Any] = {}  # the state of an optimiser (group) that keeps none: never stored


def scalar_state(value: float) -> Tensor:
    """A 0-d Tensor in the *default* float dtype, as PyTorch keeps ``step`` and ``mu_product``.

    PyTorch stores these in float32 unless the default dtype is float64, so the float arithmetic on
    them (e.g. NAdam's running product of momentum coefficients) rounds the same way here.
    """
    dtype = np.float64 if _dtype.default_np() == np.float64 else np.float32
    return Tensor._make(np.array(value, dtype=dtype))


class FlatGroup:
    """A group's small parameters laid end to end, with one flat array per gradient and state entry.

    ``state[k]`` holds state entry ``names[k]`` of every parameter, ``views[k][i]`` is parameter
    ``i``'s piece of it (the array of its state Tensor); ``spans[i]`` is parameter ``i``'s
    ``(start, end)``. ``weight_arrays`` are the parameters' own arrays when the buffers were built
    (a rebound ``p.data`` makes the buffers stale) and ``weight_views`` their flat views;
    ``weights`` is filled only for updates that read the weights.
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
        self.weights = np.empty(start, dtype=dtype)
        self.grads = np.empty(start, dtype=dtype)
        self.state = [np.empty(start, dtype=dtype) for _ in names]
        self.views: list[list[np.ndarray]] = [[] for _ in names]
        self.scratch = [np.empty(start, dtype=dtype) for _ in range(n_scratch)]  # the update's
        self.spare = np.empty(start, dtype=dtype)  # the executor's, for the final add
        self._pieces: dict[int, tuple[np.ndarray, list[np.ndarray]]] = {}

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
        return np.concatenate([p.grad._data.ravel() for p in self.params], out=self.grads)

    def gather_weights(self) -> np.ndarray:
        return np.concatenate(self.weight_views, out=self.weights)

    def scatter_weights(self) -> None:
        for view, piece in zip(self.weight_views, self.pieces(self.weights)):
            np.copyto(view, piece)

    def add_to_weights(self, direction: np.ndarray, alpha: float) -> None:
        """``w <- w + alpha * direction`` (one rounding) for each parameter's piece of ``direction``."""
        if alpha == 1.0:
            for view, piece in zip(self.weight_views, self.pieces(direction)):
                np.add(view, piece, out=view)
            return
        for view, piece, spare in zip(self.weight_views, self.pieces(direction), self.pieces(self.spare)):
            add_(view, piece, alpha, spare)


class Executor:
    """Runs an optimiser's update over its groups; holds the flat buffers and the chunk scratch."""

    def __init__(self) -> None:
        self.flat_groups: dict[int, FlatGroup] = {}
        self.scratch_pools: dict[np.dtype, list[np.ndarray]] = {}

    def step_group(self, optimizer: Optimizer, index: int, group: dict[str, Any]) -> None:
        """One update of every parameter of ``group`` (the ``index``-th) that has a gradient."""
        initial = optimizer.array_state(group)
        names = tuple(initial)
        flat, states = self._reusable(optimizer, index, group["params"], names)
        alone: Any = ()
        if flat is None:  # not every parameter is small, or something changed since the last step
            fused, alone = _split([p for p in group["params"] if p.grad is not None])
            if fused:
                flat, states = self._reusable(optimizer, index, fused, names)
            if fused and flat is None and (initial or optimizer.scalar_state):
                states = [optimizer.new_scalar_state(optimizer.state[p]) for p in fused]
                if not _same_keys(states):
                    alone, fused = fused + alone, []
        else:
            fused = flat.params
        if fused and not self._step_flat(optimizer, index, group, fused, states, flat):
            alone, fused = list(fused) + list(alone), ()
        for p in alone:
            self._step_alone(optimizer, group, p, initial)
        # the weights changed in place: their versions go up as PyTorch's step's do
        writes = optimizer.inplace_writes(group)
        if fused:
            bump_versions(fused, writes)
        if alone:
            bump_versions(alone, writes)

    def _step_flat(
        self,
        optimizer: Optimizer,
        index: int,
        group: dict[str, Any],
        params: Any,
        states: list[dict[str, Any]],
        flat: FlatGroup | None,
    ) -> bool:
        """The update of ``params`` (whose ``states`` hold the same entries) as one flat buffer
        (``flat``, or new ones); False, with nothing done, when their scalar state differs."""
        scalar_names = optimizer.scalar_state
        if scalar_names:
            first = states[0]
            for name in scalar_names:
                value = float(first[name]._data)
                for state in states:
                    if float(state[name]._data) != value:
                        return False
        scalars = optimizer.scalars(group, states[0])
        for name in scalar_names:  # every fused parameter takes the first one's advanced value
            value = float(states[0][name]._data)
            for state in states:
                state[name]._data.fill(value)
        if flat is None:
            initial = optimizer.array_state(group)
            flat = self.flat_groups[index] = FlatGroup(params, tuple(initial), optimizer.scratch_count)
            flat.adopt_state(states, initial)
        grads = flat.gather_grads()
        if optimizer.reads_weights(group):
            weights = flat.gather_weights()
            direction, alpha = optimizer.update(weights, grads, flat.state, flat.scratch, scalars)
            if direction is not None:
                add_(weights, direction, alpha, flat.spare)
            flat.scatter_weights()
        else:  # the weights are touched only by the final add: no gather and scatter
            direction, alpha = optimizer.update(None, grads, flat.state, flat.scratch, scalars)
            flat.add_to_weights(direction, alpha)
        return True

    def _step_alone(
        self, optimizer: Optimizer, group: dict[str, Any], p: Tensor, initial: dict[str, float]
    ) -> None:
        """The update of one parameter on its own arrays (in chunks, see :meth:`_run_chunks`)."""
        keeps_state = initial or optimizer.scalar_state
        state = optimizer.new_scalar_state(optimizer.state[p]) if keeps_state else _NO_STATE
        scalars = optimizer.scalars(group, state)
        arrays = []
        for name, value in initial.items():
            held = state.get(name)
            if held is None:
                held = state[name] = Tensor._make(np.full_like(p._data, value))
            arrays.append(held._data)
        self._run_chunks(optimizer, p._data, p.grad._data, arrays, scalars)

    def _reusable(
        self, optimizer: Optimizer, index: int, params: list[Tensor], names: tuple[str, ...]
    ) -> tuple[FlatGroup | None, list[dict[str, Any]]]:
        """Group ``index``'s flat buffers, and its parameters' states, if the buffers still cover the
        whole group: the same parameters with the same weight arrays, each with a gradient that
        fits, and its state Tensors still the views (the common case, checked in one pass); else
        ``(None, [_NO_STATE])``."""
        flat = self.flat_groups.get(index)
        if flat is None or flat.names != names or len(params) != len(flat.params):
            return None, [_NO_STATE]
        dtype = flat.grads.dtype
        for p, kept, weights, size in zip(params, flat.params, flat.weight_arrays, flat.sizes):
            grad = p.grad
            if p is not kept or p._data is not weights or grad is None:
                return None, [_NO_STATE]
            g = grad._data
            if g.size != size or (g.dtype is not dtype and g.dtype != dtype) or not g.flags.c_contiguous:
                return None, [_NO_STATE]
        if not (names or optimizer.scalar_state):
            return flat, [_NO_STATE]
        state = optimizer.state
        states = [state[p] for p in params]
        for name, views in zip(names, flat.views):
            for held, view in zip(states, views):
                tensor = held.get(name)
                if tensor is None or tensor._data is not view:
                    return None, [_NO_STATE]
        return flat, states

    def _run_chunks(
        self, optimizer: Optimizer, w: np.ndarray, g: np.ndarray, state: list[np.ndarray], scalars: Any
    ) -> None:
        """The update of one parameter, over cache-sized chunks of its arrays (see the module doc)."""
        n_scratch = optimizer.scratch_count + 1
        dtype = w.dtype
        size = w.size
        chunk = CHUNK_BYTES // dtype.itemsize
        if not (
            w.flags.c_contiguous
            and g.flags.c_contiguous
            and g.size == size
            and all(a.flags.c_contiguous and a.size == size for a in state)
        ):  # e.g. a transposed view assigned to p.data: whole arrays, scratch shaped like them
            scratch = [np.empty_like(w) for _ in range(n_scratch)]
            direction, alpha = optimizer.update(w, g, state, scratch[:-1], scalars)
            if direction is not None:
                add_(w, direction, alpha, scratch[-1])
            return
        pool = self.scratch_pools.get(dtype)
        if pool is None or len(pool) < n_scratch:
            pool = self.scratch_pools[dtype] = [np.empty(chunk, dtype=dtype) for _ in range(n_scratch)]
        scratch, spare = pool[: n_scratch - 1], pool[n_scratch - 1]
        w, g = w.reshape(-1), g.reshape(-1)
        state = [a.reshape(-1) for a in state]
        update = optimizer.update
        for start in range(0, size, chunk):
            end = start + chunk
            if end > size:  # the last, shorter chunk
                end = size
                scratch = [a[: end - start] for a in scratch]
                spare = spare[: end - start]
            piece = w[start:end]
            direction, alpha = update(piece, g[start:end], [a[start:end] for a in state], scratch, scalars)
            if direction is not None:
                add_(piece, direction, alpha, spare)


def _split(params: list[Tensor]) -> tuple[list[Tensor], list[Tensor]]:
    """(the small parameters to update as one flat buffer, the rest).

    Fused: C-contiguous parameters and gradients of one dtype, each of at most ``FUSE_MAX_SIZE``
    elements, together within one cache-sized chunk.
    """
    small: list[Tensor] = []
    rest: list[Tensor] = []
    dtype = None
    room = 0
    for p in params:
        w = p._data
        g = p.grad._data
        if (
            w.size <= FUSE_MAX_SIZE
            and (dtype is None or w.dtype == dtype)
            and g.dtype == w.dtype
            and w.flags.c_contiguous
            and g.flags.c_contiguous
            and g.size == w.size
        ):
            if dtype is None:
                dtype = w.dtype
                room = CHUNK_BYTES // dtype.itemsize
            if w.size <= room:
                room -= w.size
                small.append(p)
                continue
        rest.append(p)
    return small, rest


def _same_keys(states: list[dict[str, Any]]) -> bool:
    """Whether all states hold the same entries (e.g. all or none have an SGD momentum buffer)."""
    keys = states[0].keys()
    return all(state.keys() == keys for state in states)
