r"""``autograd.grad`` and ``autograd.backward``: gradients of several outputs, with respect to
chosen inputs, optionally as a graph that can itself be differentiated (``create_graph``).

For outputs y_k with incoming gradients v_k (``grad_outputs``), each input x gets

    \sum_k v_k^T dy_k/dx

``create_graph=True`` runs every node's ``backward_graph``: the same formula as its array
``backward``, written with tensor operations, so the gradients carry a graph and can be
differentiated again (a gradient penalty, a Hessian-vector product). An op without one raises a
RuntimeError naming it. The plain ``Tensor.backward()`` keeps the array engine
(:mod:`mlplab.autograd.engine`); this module handles the other cases, in the same order (newest
node first), visiting only nodes that lead to a requested input.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import engine
from . import hooks as _hooks
from .grad_mode import enable_grad, no_grad
from .hooks import HOOKS_ONLY
from .tensor_base import TensorBase, last_inplace, sequence
from .view_bases import NO_EDGE_TYPES
from .views import changed as _views_changed
from .views import current_view_node, refresh, stale_view

_FREED = engine._FREED


def _as_tuple(x: Any) -> tuple:
    if x is None:
        return ()
    if isinstance(x, TensorBase):
        return (x,)
    return tuple(x)


def _seed(out: Any, g: Any, i: int, create_graph: bool) -> Any:
    """The gradient that starts the pass at output ``i`` (ones for a one-element output)."""
    data = out._data
    if g is None:
        if data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        if data.dtype.kind != "f":
            raise RuntimeError(
                f"grad can be implicitly created only for real scalar outputs but got {out.dtype}"
            )
        arr = np.ones(data.shape, data.dtype)
        return out._make(arr) if create_graph else arr
    garr = g._data if isinstance(g, TensorBase) else np.asarray(g, dtype=data.dtype)
    if garr.shape != data.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(garr.shape)} and "
            f"output[{i}] has a shape of {tuple(data.shape)}."
        )
    if create_graph:
        g = g if isinstance(g, TensorBase) else out._make(garr)
        return g if garr.dtype == data.dtype else g.to(out.dtype)  # a recorded cast, as PyTorch
    return garr.astype(data.dtype, copy=False)


def _producer(node: Any, parents: tuple, t: Any) -> Any:
    """The node that gets ``node``'s gradient for its input ``t``: the one that had produced
    ``t``'s value when ``node`` was recorded (``t`` may have been changed in place since, or be a
    view whose memory was), as the engine sends it."""
    fn = t.grad_fn
    if fn is None:
        return None
    if fn.sequence_number > node.sequence_number:
        fn = engine._recorded_producer(fn, node.sequence_number)
    if _views_changed[0]:
        fn = current_view_node(node, parents, t, fn)
    return fn


def _needed_nodes(roots: tuple, targets: dict) -> set:
    """Ids of the nodes on a path from ``roots`` to a target (a target node counts as reached)."""
    nodes: dict[int, Any] = {}
    stack = [r.grad_fn for r in roots if r.grad_fn is not None]
    while stack:
        n = stack.pop()
        if id(n) in nodes:
            continue
        nodes[id(n)] = n
        parents = n.parents
        stack.extend(f for p in parents if p is not None and (f := _producer(n, parents, p)) is not None)
    needed: set = set()
    for n in sorted(nodes.values(), key=lambda n: n.sequence_number):  # inputs before consumers
        if not n.parents:  # released by an earlier backward: visit it, so that the pass says so
            needed.add(id(n))
        for p, need in zip(n.parents, n.needs_input_grad):
            if not need:
                continue
            f = _producer(n, n.parents, p)
            if id(p) in targets or (f is not None and id(f) in needed):
                needed.add(id(n))
                break
    return needed


def _first_half_needed(node: Any, targets: dict, needed: set) -> bool:
    """For a node of two fused ones (``LinearActLinearFn``: tensors x, W_1, b_1 of the first, then
    W_2, b_2): whether this pass would run the first node were they apart, by
    :func:`_needed_nodes`' rule (one of its inputs is a target or leads to a needed node)."""
    parents = node.parents
    for p, need in zip(parents[:3], node.needs_input_grad[:3]):
        if need and (
            id(p) in targets or ((f := _producer(node, parents, p)) is not None and id(f) in needed)
        ):
            return True
    return False


def _run(roots: tuple, seeds: list, targets: dict | None, retain_graph: bool, create_graph: bool) -> dict:
    """The pass. ``targets``: id(tensor) -> tensor whose gradients are returned (then no ``.grad``
    is written), or None to accumulate into every leaf's ``.grad``."""
    if _views_changed[0]:  # a view as a root: its node as of now (PyTorch regenerates it)
        for r in roots:
            refresh(r, sequence)
    found: dict[int, Any] = {}
    grads: dict[int, Any] = {}
    nodes: dict[int, Any] = {}
    heap: list = []
    target_fns = {}
    stale_targets = {}  # views whose memory changed: (id of their node, version) -> tensor
    if targets is not None:
        for t in targets.values():
            key = stale_view(t) if _views_changed[0] else None
            if key is not None:
                stale_targets[key] = t
            elif t.grad_fn is not None:
                target_fns[id(t.grad_fn)] = t
    needed = None if targets is None else _needed_nodes(roots, targets)
    hooked_leaves: dict[int, list] = {}  # id -> [leaf, hooks, summed gradient]: hooks run once, at the end

    def arrive(t: Any, g: Any, fn: Any) -> None:
        if targets is not None and fn is None:
            if id(t) in targets:
                found[id(t)] = g if id(t) not in found else found[id(t)] + g
            return
        if fn is None:
            hooks = _hooks.leaf_entry(t) if _hooks.leaf_hooks else None
            if hooks is None:
                _leaf(t, g, create_graph)
            elif id(t) in hooked_leaves:
                hooked_leaves[id(t)][2] = hooked_leaves[id(t)][2] + g
            else:
                hooked_leaves[id(t)] = [t, hooks, g]
            return
        k = id(fn)
        if k in grads:
            grads[k] = grads[k] + g
        else:
            grads[k], nodes[k] = g, fn
            heapq.heappush(heap, (-fn.sequence_number, k))

    for r, s in zip(roots, seeds):
        if not r._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        arrive(r, s, r.grad_fn)
    while heap:
        k = heapq.heappop(heap)[1]
        node, g = nodes.pop(k), grads.pop(k)
        if node.grad_hooks is not None:
            g = _hooks.run_any(node.grad_hooks[0], node.grad_hooks[1], g)
        if k in target_fns:
            found[id(target_fns[k])] = g
        elif stale_targets and hasattr(node, "copy_of"):
            t = stale_targets.get((id(node.copy_of), node.saved_versions[0]))
            if t is not None:
                found[id(t)] = g if id(t) not in found else found[id(t)] + g
        if needed is not None and k not in needed:
            continue
        if not node.parents:
            raise RuntimeError(_FREED)
        prune = getattr(node, "prune", None)  # a node of two fused ones (ops.linear_act)
        if prune is not None:
            prune(needed is None or _first_half_needed(node, targets, needed))
        try:
            if node.sequence_number < last_inplace[0]:  # something changed in place since it was recorded
                engine._check_versions(node)
            if node.retained_output is not None and node.retained_output is not HOOKS_ONLY:
                _retain(node.retained_output, g, create_graph)
            if create_graph:
                bg = getattr(node, "backward_graph", None)
                if bg is None:
                    raise RuntimeError(
                        f"mlplab cannot differentiate {node.name()} ({type(node).__name__}) twice: "
                        f"create_graph=True is not supported for this op"
                    )
                in_grads = bg(g)
            else:
                in_grads = node.backward(g)
        finally:
            if prune is not None:
                prune(True)  # other passes (the engine's) run the whole node
        parents = node.parents
        if not retain_graph:
            node.parents = ()
        if type(in_grads) is not tuple:
            in_grads = tuple(in_grads) if type(in_grads) is list else (in_grads,)
        for t, ig, need in zip(parents, in_grads, node.needs_input_grad):
            if need and ig is not None:
                arrive(t, ig, _producer(node, parents, t))
    for t, hooks, g in hooked_leaves.values():
        _leaf(t, _hooks.run_any(t, hooks, g), create_graph)
    if targets is not None and _hooks.leaf_hooks:
        for key, g in list(found.items()):
            hooks = _hooks.leaf_entry(targets[key]) if targets[key].grad_fn is None else None
            if hooks is not None:
                found[key] = _hooks.run_any(targets[key], hooks, g)
    return found


def _leaf(t: Any, g: Any, create_graph: bool) -> None:
    """Accumulate into a leaf's ``.grad``; with ``create_graph`` the sum is recorded (out of place)."""
    if t._requires_grad.__class__ in NO_EDGE_TYPES:  # a view with no accumulator (view_bases)
        return
    if not create_graph:
        engine._accumulate_leaf(t, g)
        return
    if g.dtype != t.dtype:
        g = g.to(t.dtype)
    if tuple(g.shape) != tuple(t.shape):
        g = g.expand(*t.shape)
    t.grad = g if t.grad is None else t.grad + g


def _retain(r: Any, g: Any, create_graph: bool) -> None:
    if not create_graph:
        g = r._make(np.array(g))
    r.grad = g if r.grad is None else r.grad + g


def _prepare(outputs: Any, grad_outputs: Any, create_graph: bool) -> tuple[tuple, list]:
    outs = _as_tuple(outputs)
    gos = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outs)
    if len(gos) != len(outs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(gos)} grad_outputs and {len(outs)} outputs"
        )
    return outs, [_seed(o, g, i, create_graph) for i, (o, g) in enumerate(zip(outs, gos))]


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """The gradients of ``outputs`` (weighted by ``grad_outputs``) w.r.t. each of ``inputs``,
    returned as a tuple; ``.grad`` fields are left alone. An input the outputs do not depend on
    raises unless ``allow_unused`` (then None, or zeros with ``materialize_grads``)."""
    if is_grads_batched:
        raise NotImplementedError("mlplab does not support is_grads_batched=True (it needs vmap)")
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    allow_unused = bool(allow_unused) or materialize_grads
    retain = create_graph if retain_graph is None else bool(retain_graph)
    ins = _as_tuple(inputs)
    for t in ins:
        if not isinstance(t, TensorBase):
            raise TypeError(f"grad: inputs must be tensors, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    outs, seeds = _prepare(outputs, grad_outputs, create_graph)
    with enable_grad() if create_graph else no_grad():
        found = _run(outs, seeds, {id(t): t for t in ins}, retain, create_graph)
    result = []
    for i, t in enumerate(ins):
        g = None if t._requires_grad.__class__ in NO_EDGE_TYPES else found.get(id(t))  # no edge reaches it
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
            result.append(t._make(np.zeros(t._data.shape, t._data.dtype)) if materialize_grads else None)
            continue
        if not create_graph:
            g = t._make(np.array(g, dtype=t._data.dtype))
        result.append(g)
    return tuple(result)


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables: Any = None,
    inputs: Sequence[Any] | Any = None,
) -> None:
    """Accumulate d(tensors)/d(leaf) (weighted by ``grad_tensors``) into the leaves' ``.grad``, or
    only into ``inputs``' ``.grad`` when given (non-leaf inputs included)."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    retain = create_graph if retain_graph is None else bool(retain_graph)
    ins = _as_tuple(inputs)
    if inputs is not None and not ins:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    if any(not getattr(t, "_requires_grad", True) for t in ins):  # torch retain_grad()s each input
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    outs = _as_tuple(tensors)
    if len(outs) == 1 and not ins and not create_graph:
        g = grad_tensors[0] if isinstance(grad_tensors, (tuple, list)) else grad_tensors
        engine.backward(outs[0], g, retain)
        return
    outs, seeds = _prepare(outs, grad_tensors, create_graph)
    targets = {id(t): t for t in ins} if ins else None
    with enable_grad() if create_graph else no_grad():
        found = _run(outs, seeds, targets, retain, create_graph)
    if targets is not None:
        for t in ins:
            g = found.get(id(t))
            if g is not None:
                _leaf(t, g, create_graph)
