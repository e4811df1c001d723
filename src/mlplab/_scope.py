"""What mlplab leaves out, and why: torch names that fail loudly instead of missing silently.

``mlplab.complex64`` or ``x.to_sparse()`` raise ``NotImplementedError`` (torch's error for an
operation a backend does not implement) with the reason, rather than an ``AttributeError`` that
reads like a typo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_COMPLEX = "complex numbers (NumPy has them, but the autograd and the ops here are real-valued)"
_SPARSE = "sparse tensors (every tensor is a dense NumPy array)"
_QUANT = "quantisation (float16/32/64 and integer dtypes only)"
_GPU = "GPUs and compilers (it computes with NumPy on the CPU)"

OUT_OF_SCOPE: dict[str, str] = {
    "complex64": _COMPLEX, "complex128": _COMPLEX, "cfloat": _COMPLEX, "cdouble": _COMPLEX,
    "complex": _COMPLEX, "view_as_complex": _COMPLEX, "view_as_real": _COMPLEX,
    "sparse_coo_tensor": _SPARSE, "sparse_csr_tensor": _SPARSE, "sparse": _SPARSE,
    "sparse_coo": _SPARSE, "sparse_csr": _SPARSE,
    "quantize_per_tensor": _QUANT, "quantize_per_channel": _QUANT, "quint8": _QUANT, "qint8": _QUANT,
    "qint32": _QUANT, "ao": _QUANT,
    "jit": _GPU, "bfloat16": "bfloat16 (NumPy has no bfloat16 dtype)",
}  # fmt: skip


class UnsupportedError(NotImplementedError, AttributeError):
    """An out-of-scope name: a ``NotImplementedError`` that says why, and also an ``AttributeError``
    so that feature tests such as ``hasattr(torch, "compile")`` answer False instead of raising."""


def unsupported(name: str, what: str) -> UnsupportedError:
    """The error for an out-of-scope ``name``: what mlplab does not support and why."""
    return UnsupportedError(f"{name}: mlplab does not support {what}")


def compile(  # noqa: A001 - PyTorch's name
    model: Callable | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable | None = None,
    mode: str | None = None,
    options: dict[str, Any] | None = None,
    name: str | None = None,
    disable: bool = False,
    recompile_limit: int | None = None,
    isolate_recompiles: bool = False,
    shapes_spec: Any = None,
) -> Callable:
    """``torch.compile`` as ``torch.compile(..., disable=True)``: ``model`` itself, run eagerly.

    mlplab has no compiler (it computes with NumPy on the CPU). torch.compile's contract is that
    the compiled model computes what the eager one does, and torch's own ``disable=True`` returns
    ``model`` unchanged; mlplab always takes that path, so ``model = torch.compile(model)`` and
    ``@torch.compile(mode=...)`` run unchanged and ``hasattr(torch, "compile")`` is True, as in
    torch. The other arguments are accepted and ignored, except that torch's refusals are kept:
    ``mode`` together with ``options``, and a decorator applied to None.
    """
    if model is None:  # decorator form: @compile(...) or compile(**kw)(fn)

        def fn(model: Callable) -> Callable:
            if model is None:
                raise RuntimeError("Model can't be None")
            return compile(model, mode=mode, options=options)

        return fn
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    return model
