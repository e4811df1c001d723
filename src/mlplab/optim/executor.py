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
  state stays where ``state_dict`` and user code look for it. The flat arrays are padded to whole
  blocks of ``inplace.TAIL_BLOCK`` (:func:`~mlplab.optim.inplace.padded_zeros`), so the final
  add and the updates' ``add_``/``lerp_`` run BLAS ``axpy`` on whole blocks, with no tail copy.

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

**Compiled kernels.** For Adam/AdamW, NAdam, RMSprop, Adagrad, SGD and Momentum,
:mod:`mlplab.optim.kernels` holds the whole step (update and final add) as one loop over the
arrays: one pass over memory instead of ~10, every line rounded as the NumPy reference rounds it
(bitwise equal, tested on random arrays with inf/nan/zeros/subnormals, float32 and float64; ``fma``
where the reference rounds once, no fast-math, so the compiler contracts nothing else). The loops
are C (``kernels/native.c``, built once with the system C compiler and cached on disk, called
through ctypes), the default, or numba (``MLPLAB_OPTIM_KERNELS=numba``): as fast, but numba brings
LLVM into the process, which took the 784-256-256-10 training run's peak RSS from 231 to 346 MiB
(the hand-written NumPy floor: 223 MiB; measured, see ``kernels/native.py``). The tool was chosen by
measurement on a 256x784 Adam step (one thread, loaded 2-core machine, median of 15): NumPy
``out=`` chains 378 us (float32) / 681 us (float64), numba 43 / 118 us. numexpr was ruled out: it
cannot express a fused multiply-add, so ``lerp_``/``add_`` come out different in ~30% of elements
(measured), and where it is bitwise (Adagrad's line) it ran 5x slower than the NumPy chain.

Loading the C kernels costs a process ~5 ms and ~2.5 MiB once the library is built; the first run on
a machine builds it (1.3 s at load average 2.5 on the 2-core machine, once per source version and
CPU, cached beside the package or in ``~/.cache/mlplab`` / ``MLPLAB_CACHE_DIR``). So by default an
executor switches to them from its first step where the library is already cached
(:mod:`.kernel_policy`), else only after stepping ``KERNEL_MIN_WORK`` elements (~1.5 epochs of the
784-256-256-10 net; never for the notes' small nets); the switch is invisible in the numbers.
``fused=True`` (or ``executor.kernels = True``) uses them from the first step; ``fused=False`` (or
``executor.kernels = False``) keeps the NumPy reference path. Without a C compiler (or numba, when
that backend is asked for), or for an optimiser without a kernel (or a subclass changing its
update), the NumPy path runs.

**One call for a group.** Plain SGD (``w <- w - lr * g``, no state) is one memory pass, so what
is left of its step is overhead: once the kernels are on, :meth:`Executor._step_many` updates the
whole group in one C call (``sgd_many``, :class:`~mlplab.optim.kernels.native.Many`), each weight in
place with its own gradient: no flat buffers, no chunks, one foreign call for all parameters.
Adam/AdamW without amsgrad do the same with their state arrays (``adam_many``, :mod:`.many_step`).
Measured by ``benchmarks/optim.py`` on the 784-256-256-10 parameters (three runs each, alternated,
load 1.3-3.2 on the shared 2-core machine): 0.74-0.84x PyTorch's step before, 0.49-0.55x after
(float32); 0.83-0.95x before, 0.65-0.69x after (float64).
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _dtype
from ..autograd.tensor_base import bump_versions
from ..tensor import Tensor
from .flat_group import FlatGroup, plain_arrays, same_keys, split_fusable
from .inplace import add_
from .kernel_policy import loads_cached
from .many_step import step_with_state

if TYPE_CHECKING:
    from .optimizer import Optimizer

__all__ = ["CHUNK_BYTES", "FUSE_MAX_SIZE", "KERNEL_MIN_WORK", "Executor", "FlatGroup"]

CHUNK_BYTES = 1 << 17  # 128 KiB per array and chunk: a step's ~6 arrays stay in a 1-2 MiB L2 cache
FUSE_MAX_SIZE = 1 << 14  # parameters of up to this many elements go into the flat buffers
KERNEL_MIN_WORK = 200_000_000  # elements stepped before the kernels pay for loading them (module doc)

_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_kernels: Any = None  # the module mlplab.optim.kernels, once a step has needed it

_NO_STATE: dict[str, Any] = {}  # the state of an optimiser (group) that keeps none: never stored
_UNSET = object()


def scalar_state(value: float) -> Tensor:
    """A 0-d Tensor in the *default* float dtype, as PyTorch keeps ``step`` and ``mu_product``.

    PyTorch stores these in float32 unless the default dtype is float64, so the float arithmetic on
    them (e.g. NAdam's running product of momentum coefficients) rounds the same way here.
    """
    dtype = np.float64 if _dtype.default_np() == np.float64 else np.float32
    return Tensor._make(np.array(value, dtype=dtype))


class Executor:
    """Runs an optimiser's update over its groups; holds the flat buffers and the chunk scratch."""

    def __init__(self) -> None:
        self.flat_groups: dict[int, FlatGroup] = {}
        # group index -> (its parameter list, the fused ones, the rest) as last split (see step_group)
        self.splits: dict[int, tuple[list[Tensor], list[Tensor], list[Tensor]]] = {}
        self.scratch_pools: dict[np.dtype, list[np.ndarray]] = {}
        self.kernels: bool | None = None  # True/False: kernels always/never; None: once they pay
        self.work = 0  # elements stepped so far
        self._kernel: Any = _UNSET  # the optimiser's compiled kernel (None: it has none)
        self._many: Any = _UNSET  # its one-call update of a whole group (native.Many's factory) or None
        # group index -> (its parameters, their weight arrays, the Many call on them or None); and
        self.many_plans: dict[int, tuple[tuple[Tensor, ...], tuple[np.ndarray, ...], Any]] = {}
        self.state_plans: dict[int, Any] = {}  # (..., their states, weight and state arrays, ...)

    def kernel(self, optimizer: Optimizer, group: dict[str, Any], size: int, dtype: np.dtype) -> Any:
        """The compiled one-pass kernel for ``size`` elements of ``dtype`` in ``group``, or None.

        None where the group says ``fused=False`` or ``self.kernels`` is False (the NumPy reference
        path), the dtype is not float32/float64, the optimiser has no kernel, or its update is one
        axpy (plain SGD) on a buffer within one chunk. ``fused=True`` or ``self.kernels = True``
        load them (build or load the C library) at once; by default, at once if the library is cached,
        else after ``KERNEL_MIN_WORK`` elements (module doc); once loaded they serve every executor."""
        global _kernels
        fused = group.get("fused")
        wanted = self.kernels
        if fused is False or wanted is False or dtype not in _KERNEL_DTYPES:
            return None
        if _kernels is None:
            self.work += size
            if not (fused or wanted or self.work >= KERNEL_MIN_WORK or loads_cached()):
                return None
            from . import kernels

            _kernels = kernels
        if self._kernel is _UNSET:
            self._kernel = _kernels.kernel_for(optimizer)
        if (
            size * dtype.itemsize <= CHUNK_BYTES
            and not optimizer.reads_weights(group)
            and not optimizer.array_state(group)
        ):  # plain SGD on a flat buffer: one axpy, nothing to fuse, and no gather/scatter of the
            return None  # weights as the kernel needs (measured 105 -> 87 us a 784-256-256-10 step)
        return self._kernel

    def step_group(self, optimizer: Optimizer, index: int, group: dict[str, Any]) -> None:
        """One update of every parameter of ``group`` (the ``index``-th) that has a gradient."""
        if self._many is not None and self._step_many(optimizer, index, group):
            return
        initial = optimizer.array_state(group)
        names = tuple(initial)
        params = group["params"]
        flat, states = self._reusable(optimizer, index, params, names)
        alone: Any = ()
        split_now = False
        if flat is None:  # not every parameter is small, or something changed since the last step
            flat, states, fused, alone = self._reuse_split(optimizer, index, params, names)
        if flat is None:
            split_now = True
            fused, alone = split_fusable(
                [p for p in params if p.grad is not None], FUSE_MAX_SIZE, CHUNK_BYTES
            )
            if fused:
                flat, states = self._reusable(optimizer, index, fused, names)
            if fused and flat is None and (initial or optimizer.scalar_state):
                states = [optimizer.new_scalar_state(optimizer.state[p]) for p in fused]
                if not same_keys(states):
                    alone, fused = fused + alone, []
        else:
            fused = flat.params
        if fused and not self._step_flat(optimizer, index, group, fused, states, flat):
            alone, fused = list(fused) + list(alone), ()
        if split_now:  # kept for the next steps where every parameter was stepped, some fused
            if fused and alone and len(fused) + len(alone) == len(params):
                self.splits[index] = (list(params), list(fused), list(alone))
            else:
                self.splits.pop(index, None)
        if alone:
            stateless = not (initial or optimizer.scalar_state)
            scalars = optimizer.scalars(group, _NO_STATE) if stateless else None
            for p in alone:
                self._step_alone(optimizer, group, p, initial, scalars)
        # the weights changed in place: their versions go up as PyTorch's step's do
        writes = optimizer.inplace_writes(group)
        if fused:
            bump_versions(fused, writes)
        if alone:
            bump_versions(alone, writes)

    def _step_many(self, optimizer: Optimizer, index: int, group: dict[str, Any]) -> bool:
        """The update of the whole group in one C call (:class:`~mlplab.optim.kernels.native.Many`:
        plain SGD here; Adam/AdamW in :func:`~mlplab.optim.many_step.step_with_state`); False, with
        nothing done, where it does not apply: the kernels are off or not loaded yet (see
        :meth:`kernel`), the optimiser keeps state the call does not (SGD with momentum), a
        parameter has no gradient, or an array does not fit (dtype, C order, read-only weights).
        No flat buffers, no chunks: each weight updated in place with its own gradient. The plan
        (the parameters, their weight arrays, the call on them) is kept per group, used again while
        each parameter still holds the same array."""
        fused = group.get("fused")
        if fused is False or self.kernels is False:
            return False
        many = self._many
        if many is _UNSET:
            global _kernels
            if _kernels is None:
                if not (fused or self.kernels or loads_cached()):
                    return False
                from . import kernels

                _kernels = kernels
            many = self._many = _kernels.many_for(optimizer)
            if many is None:
                return False
        if optimizer.scalar_state or optimizer.array_state(group):  # Adam: the stateful call, if any
            return many.states > 0 and step_with_state(self, optimizer, index, group, many)
        params, plan, grads = group["params"], self.many_plans.get(index), []
        if plan is not None and len(plan[0]) == len(params):
            kept, weights, call = plan
            for p, q, w in zip(params, kept, weights):
                if p is not q or p._data is not w:
                    plan = None
                    break
                grad = p.grad
                if grad is None:
                    return False
                grads.append(grad._data)
        else:
            plan = None
        if plan is None:  # (again) for these parameters and arrays
            if any(p.grad is None for p in params):
                return False
            weights = tuple(p._data for p in params)
            call = many(list(weights))
            self.many_plans[index] = (tuple(params), weights, call)
            grads = [p.grad._data for p in params]
        if call is None or not call(grads, optimizer.scalars(group, _NO_STATE)):
            return False
        bump_versions(params, optimizer.inplace_writes(group))
        return True

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
        first = states[0]
        others = states[1:]  # compared with (and then given) the first one's values
        if scalar_names:
            for name in scalar_names:
                value = float(first[name]._data)
                if value != value:  # NaN equals nothing, not even itself: the per-tensor path
                    return False
                for state in others:
                    if float(state[name]._data) != value:
                        return False
        scalars = optimizer.scalars(group, first)
        if others:
            for name in scalar_names:  # every fused parameter takes the first one's advanced value
                value = float(first[name]._data)
                for state in others:
                    state[name]._data.fill(value)
        if flat is None:
            initial = optimizer.array_state(group)
            flat = self.flat_groups[index] = FlatGroup(params, tuple(initial), optimizer.scratch_count)
            flat.adopt_state(states, initial)
            grads = flat.gather_grads()
        else:  # reused: _reusable has copied the gradients in
            grads = flat.grads
        kernel = self.kernel(optimizer, group, grads.size, grads.dtype)
        if kernel is not None:  # one compiled pass writes the weights and the state
            weights = flat.gather_weights()
            kernel(weights, grads, flat.state, scalars)
            flat.scatter_weights()
        elif optimizer.reads_weights(group):
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
        self, optimizer: Optimizer, group: dict[str, Any], p: Tensor, initial: dict[str, float], scalars: Any
    ) -> None:
        """The update of one parameter on its own arrays (in chunks, see :meth:`_run_chunks`);
        ``scalars``: the step's scalars of a stateless optimiser (one for all), else None."""
        if scalars is None:
            state = optimizer.new_scalar_state(optimizer.state[p])
            scalars = optimizer.scalars(group, state)
        else:
            state = _NO_STATE
        arrays = []
        for name, value in initial.items():
            held = state.get(name)
            if held is None:
                held = state[name] = Tensor._make(np.full_like(p._data, value))
            arrays.append(held._data)
        w, g = p._data, p.grad._data
        kernel = self.kernel(optimizer, group, w.size, w.dtype)
        if kernel is not None and plain_arrays(w, g, arrays):
            kernel(w.reshape(-1), g.reshape(-1), [a.reshape(-1) for a in arrays], scalars)
            return
        self._run_chunks(optimizer, w, g, arrays, scalars)

    def _reuse_split(
        self, optimizer: Optimizer, index: int, params: list[Tensor], names: tuple[str, ...]
    ) -> tuple[FlatGroup | None, list[dict[str, Any]], Any, Any]:
        """The last step's split of group ``index`` into flat buffers and the rest, if the group
        holds the same parameters, each again with a gradient, and the flat buffers are
        :meth:`_reusable`; else ``(None, [_NO_STATE], (), ())``. Where a parameter could now be
        fused that was not (say its gradient became contiguous), it stays alone: both paths give
        bitwise the same numbers."""
        split = self.splits.get(index)
        if split is not None:
            kept, fused, alone = split
            if len(kept) == len(params) and all(map(operator.is_, kept, params)):
                for p in alone:
                    if p.grad is None:
                        break
                else:
                    flat, states = self._reusable(optimizer, index, fused, names)
                    if flat is not None:
                        return flat, states, fused, alone
        return None, [_NO_STATE], (), ()

    def _reusable(
        self, optimizer: Optimizer, index: int, params: list[Tensor], names: tuple[str, ...]
    ) -> tuple[FlatGroup | None, list[dict[str, Any]]]:
        """Group ``index``'s flat buffers, with the gradients copied in (:meth:`FlatGroup.take_grads`),
        and its parameters' states, if the buffers still cover the whole group: the same parameters
        with the same weight arrays, each with a gradient that fits, and its state Tensors still the
        views (the common case, checked in one pass); else ``(None, [_NO_STATE])``."""
        flat = self.flat_groups.get(index)
        if flat is None or flat.names != names or not flat.take_grads(params):
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
