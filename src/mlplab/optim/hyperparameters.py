"""Hyper-parameters: checked once, with PyTorch's messages, and turned into an optimiser's ``defaults``.

An optimiser's constructor is its signature (the hyper-parameters and their defaults, as PyTorch's),
one :func:`check` call, and ``super().__init__(params, group_defaults(locals()))``.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor

__all__ = ["FOREACH_DOC", "check", "group_defaults", "learning_rate", "required"]


class _RequiredParameter:
    """Marker for a hyper-parameter that has no default and must be given."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

FOREACH_DOC = """\
    foreach, fused: accepted so PyTorch code runs unchanged, stored in the param group where
        PyTorch stores them. ``fused=True`` runs the compiled one-pass kernel (``optim.kernels``:
        C, numba on request) from the first step, ``fused=False`` the NumPy reference update only,
        None (default) switches to the kernel once it pays (see ``optim.executor``); the numbers are
        bitwise the same either way. foreach is ignored (timings against PyTorch in benchmarks/optim.py).
    capturable, differentiable: accepted when False (their default). True is refused at once, as
        PyTorch refuses it for CPU parameters at the first step: capturable=True (AssertionError)
        needs CUDA graphs, differentiable=True (RuntimeError) autograd through an in-place step."""

_LABELS = {"eps": "epsilon"}  # names PyTorch's messages spell out differently


def check(*, fractions: tuple[str, ...] = (), **values: Any) -> None:
    """Raise ValueError, with PyTorch's exact message, for the first invalid hyper-parameter.

    The keywords are checked in the order given: ``lr`` must be >= 0 (a Tensor lr must have one
    element), each of ``betas`` must lie in [0, 1), every other value must be >= 0, and those named in
    ``fractions`` must also be < 1.
    """
    for name, value in values.items():
        if name == "lr":
            if isinstance(value, Tensor) and value.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
            if not 0.0 <= value:
                raise ValueError(f"Invalid learning rate: {value}")
        elif name == "betas":
            for index, beta in enumerate(value):
                if not 0.0 <= beta < 1.0:
                    raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
        elif not 0.0 <= value or (name in fractions and not value < 1.0):
            raise ValueError(f"Invalid {_LABELS.get(name, name)} value: {value}")


def group_defaults(arguments: dict[str, Any], leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """A constructor's ``locals()`` as the optimiser's ``defaults``: every argument but ``params``.

    Called as the constructor's last line, so the arguments are all its locals: the signature is
    the one place a hyper-parameter and its default are written. ``leave_out`` names arguments
    accepted for PyTorch compatibility that PyTorch does not store in a group either. Refuses
    ``capturable=True`` and ``differentiable=True`` (see ``FOREACH_DOC``), for every optimiser at once.
    """
    if arguments.get("capturable"):
        raise AssertionError(
            "mlplab does not support capturable=True: it is for steps captured in CUDA graphs, and mlplab "
            "runs on the CPU only (PyTorch also refuses it for CPU parameters)"
        )
    if arguments.get("differentiable"):
        raise RuntimeError(
            "mlplab does not support differentiable=True: an optimiser step updates the weights' arrays in "
            "place, outside autograd, so no gradient can flow through it"
        )
    skip = {"self", "params", "__class__", *leave_out}
    return {name: value for name, value in arguments.items() if name not in skip}


def learning_rate(group: dict[str, Any]) -> float:
    """A group's lr as a Python number (a 1-element Tensor lr is allowed, as in PyTorch)."""
    lr = group["lr"]
    return lr.item() if isinstance(lr, Tensor) else lr
