"""Every op either differentiates twice (it has a ``backward_graph``) or, under
``create_graph=True``, raises a RuntimeError that names it: never a silently wrong or zero second
derivative. The ops still without one are listed here and in docs/compatibility.md."""

from __future__ import annotations

import importlib
import pkgutil
import re

import numpy as np
import pytest

import mlplab
from mlplab.autograd.op import Op, sequence

# ops whose backward is not yet written on tensors: none now (add one here, and to
# docs/compatibility.md, when an op is added without a backward_graph; each one listed is checked
# below to refuse create_graph=True by name)
WITHOUT_DOUBLE_BACKWARD: set[str] = set()


class Cube(Op):
    """y = x^3 without a backward_graph: what an op lacking one meets under create_graph."""

    arity = 1

    def forward(self, x):
        self.x = x
        return x**3

    def backward(self, g):
        return 3 * self.x**2 * g


def _subclasses(cls):
    for c in cls.__subclasses__():
        yield c
        yield from _subclasses(c)


def _all_ops() -> list[type]:
    for m in pkgutil.walk_packages(mlplab.ops.__path__, "mlplab.ops."):
        importlib.import_module(m.name)
    importlib.import_module("mlplab.nn")
    return sorted(
        {c for c in _subclasses(Op) if c.__module__.startswith("mlplab.")},
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def _lacking() -> set[str]:
    return {
        f"{c.__module__}.{c.__qualname__}" for c in _all_ops() if getattr(c, "backward_graph", None) is None
    }


def test_the_ops_without_double_backward_are_the_listed_ones():
    assert sorted(_lacking()) == sorted(WITHOUT_DOUBLE_BACKWARD)


def _op_class(path: str) -> type:
    if path == "Cube":
        return Cube
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("path", sorted(WITHOUT_DOUBLE_BACKWARD) + ["Cube"])
def test_an_op_without_double_backward_raises_naming_it(path):
    """A node of the op (its recorded state aside) in a graph: create_graph refuses it by name,
    where the plain gradient works."""
    cls = _op_class(path)
    x = mlplab.tensor([1.0, 2.0], dtype=mlplab.float64, requires_grad=True)
    node = object.__new__(cls)
    node.parents, node.needs_input_grad, node.sequence_number = (x,), (True,), next(sequence)
    node.x = x._data
    y = x._make(np.array([3.0, 4.0]), True, node)
    label = re.escape(f"{node.name()} ({cls.__name__})")
    with pytest.raises(RuntimeError, match=f"^mlplab cannot differentiate {label} twice: create_graph=True"):
        mlplab.autograd.grad((y * y).sum(), x, create_graph=True)
    (g,) = mlplab.autograd.grad((Cube.apply(x) * 2).sum(), x)
    assert g.tolist() == [6.0, 24.0]
