"""What mlplab leaves out, and why: torch names that fail loudly instead of missing silently.

``mlplab.complex64`` or ``x.to_sparse()`` raise ``NotImplementedError`` (torch's error for an
operation a backend does not implement) with the reason, rather than an ``AttributeError`` that
reads like a typo.
"""

from __future__ import annotations

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
    "compile": _GPU, "jit": _GPU, "bfloat16": "bfloat16 (NumPy has no bfloat16 dtype)",
}  # fmt: skip


class UnsupportedError(NotImplementedError, AttributeError):
    """An out-of-scope name: a ``NotImplementedError`` that says why, and also an ``AttributeError``
    so that feature tests such as ``hasattr(torch, "compile")`` answer False instead of raising."""


def unsupported(name: str, what: str) -> UnsupportedError:
    """The error for an out-of-scope ``name``: what mlplab does not support and why."""
    return UnsupportedError(f"{name}: mlplab does not support {what}")
