"""The update of a whole group in one C call for an optimiser with state (Adam/AdamW without amsgrad:
``adam_many`` in ``kernels/native.c``), the stateful twin of ``Executor._step_many``.

Each parameter is updated in place on its own arrays -- weights, gradient and its state arrays
(``exp_avg``, ``exp_avg_sq``) -- by the one-array kernel's loop, so every element rounds as the
reference's ``update`` (tested bitwise): no flat buffers, no gather, no scatter, one foreign call.
For the digits net's Adam step (4 parameters, 3760 elements) this replaces the flat path's
gradient gather, weight gather and scatter and its one kernel call.

The scalar state (``step``) is handled as the flat path handles it: every parameter's ``step``
must hold the same value (not NaN), else nothing is done and the per-tensor paths run; the step's
scalars are computed from the first parameter's state (which advances its ``step``) and that value
is copied to the others. The plan -- the parameters, their state dicts, their weight and state
arrays, and the call bound to them -- is kept per group and used again while every parameter still
holds the same arrays (a rebound ``p.data``, state loaded by ``load_state_dict``, or a state entry
replaced makes a new one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..autograd.tensor_base import bump_versions

if TYPE_CHECKING:
    from .executor import Executor
    from .optimizer import Optimizer

__all__ = ["step_with_state"]


def step_with_state(
    executor: Executor, optimizer: Optimizer, index: int, group: dict[str, Any], many: Any
) -> bool:
    """One update of group ``index`` through ``many`` (a ``native.Many`` factory with ``states`` state
    entries); False, with nothing done (no ``step`` advanced, no array written; missing state entries
    may have been created at their initial values, as the other paths create them), where it does not
    apply: the group's state entries are not the factory's (amsgrad), a parameter has no gradient,
    an array does not fit (another dtype, not C-contiguous, read-only), or the parameters' scalar
    state differs or is NaN."""
    names = tuple(optimizer.array_state(group))
    if len(names) != many.states:
        return False
    params = group["params"]
    state = optimizer.state
    plan = executor.state_plans.get(index)
    grads = []
    if plan is not None and len(plan[0]) == len(params):
        kept, held, arrays, call = plan
        for p, q, s, (w, entries) in zip(params, kept, held, arrays):
            grad = p.grad
            if p is not q or p._data is not w or state.get(p) is not s or grad is None:
                plan = None
                break
            for name, a in entries:
                tensor = s.get(name)
                if tensor is None or tensor._data is not a:
                    plan = None
                    break
            if plan is None:
                break
            grads.append(grad._data)
    else:
        plan = None
    if plan is None:  # (again) for these parameters and arrays
        if not params or any(p.grad is None for p in params):
            return False
        held = tuple(optimizer._new_state(p, group) for p in params)  # missing entries: initial values
        arrays = tuple((p._data, tuple((n, s[n]._data) for n in names)) for p, s in zip(params, held))
        call = many([w for w, _ in arrays], [[e[k][1] for _, e in arrays] for k in range(len(names))])
        executor.state_plans[index] = (tuple(params), held, arrays, call)
        grads = [p.grad._data for p in params]
    if call is None or not call.take(grads):
        return False
    scalar_names = optimizer.scalar_state
    first = held[0]
    for name in scalar_names:  # as Executor._step_flat: the same value everywhere, not NaN
        tensor = first.get(name)
        if tensor is None:
            return False
        value = float(tensor._data)
        if value != value:
            return False
        for s in held[1:]:
            other = s.get(name)
            if other is None or float(other._data) != value:
                return False
    scalars = optimizer.scalars(group, first)  # advances the first one's step
    for name in scalar_names:  # every parameter takes the first one's advanced value
        value = float(first[name]._data)
        for s in held[1:]:
            s[name]._data.fill(value)
    call.run(scalars)
    bump_versions(params, optimizer.inplace_writes(group))
    return True
