"""PyTorch-style tensor printing: ``tensor([[0.6219], ...], grad_fn=<MulBackward0>)``.

The rules follow PyTorch's printer (precision 4, summarise above 1000 elements with 3 edge items,
80-character lines), so a printed mlplab tensor reads exactly like the notes' output:

- a float tensor whose finite non-zero values are all whole prints as ``1.``, ``-3.``;
- scientific notation (``1.0000e-05``) when max/min of the non-zero finite magnitudes exceeds 1000,
  the largest exceeds 1e8 or the smallest is below 1e-4; otherwise fixed with 4 decimals;
- every element is right-aligned to the widest one; a line holds
  ``(80 - indent) // (width + 2)`` elements.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80
SCI_MODE: bool | None = None  # None: chosen per tensor by the rule above

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """PyTorch's print options: digits after the point (``precision``), the element count above
    which a print is summarised (``threshold``) to ``edgeitems`` per edge, characters per line
    (``linewidth``), scientific notation forced on/off (``sci_mode``; None: chosen per tensor).
    ``profile`` ('default', 'short', 'full') sets the first four first. As in PyTorch, an option
    left None keeps its value, except ``sci_mode``, which every call sets."""
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    if profile in _PROFILES:
        PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = _PROFILES[profile]
    if precision is not None:
        PRECISION = precision
    if threshold is not None:
        THRESHOLD = threshold
    if edgeitems is not None:
        EDGEITEMS = edgeitems
    if linewidth is not None:
        LINEWIDTH = linewidth
    SCI_MODE = sci_mode


class _Formatter:
    """Chooses one element format (int / fixed / scientific) and width for a whole tensor."""

    def __init__(self, a: np.ndarray) -> None:
        self.floating = a.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = a.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.width = max(self.width, len(str(v)))
            return
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        vals64 = vals.astype(np.float64)
        mags = np.abs(vals64)
        lo, hi = float(mags.min()), float(mags.max())
        self.int_mode = bool(np.all(vals64 == np.ceil(vals64)))
        if SCI_MODE is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = SCI_MODE
        pyvals = vals64.tolist()
        if self.sci_mode:
            self.width = max(len(f"{v:.{PRECISION}e}") for v in pyvals)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in pyvals)
        else:
            self.width = max(len(f"{v:.{PRECISION}f}") for v in pyvals)

    def format(self, v: Any) -> str:
        if self.floating:
            if self.sci_mode:
                s = f"{v:{self.width}.{PRECISION}e}"
            elif self.int_mode:
                s = f"{v:.0f}"
                if not (math.isinf(v) or math.isnan(v)):
                    s += "."
            else:
                s = f"{v:.{PRECISION}f}"
        else:
            s = str(v)
        return " " * (self.width - len(s)) + s


def _summarized(a: np.ndarray) -> np.ndarray:
    """The elements that a summarised print shows (first and last EDGEITEMS along every axis)."""
    if a.ndim == 0:
        return a
    if a.shape[0] > 2 * EDGEITEMS:
        a = np.concatenate([a[:EDGEITEMS], a[-EDGEITEMS:]])
    if a.ndim == 1:
        return a
    return np.stack([_summarized(x) for x in a])


def _vector(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))
    vals = a.tolist()
    if summarize and len(vals) > 2 * EDGEITEMS:
        data = [fmt.format(v) for v in vals[:EDGEITEMS]] + [" ..."]
        data += [fmt.format(v) for v in vals[-EDGEITEMS:]]
    else:
        data = [fmt.format(v) for v in vals]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt)
    n = a.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        rows = [_nested(a[i], indent + 1, summarize, fmt) for i in range(EDGEITEMS)]
        rows.append("...")
        rows += [_nested(a[i], indent + 1, summarize, fmt) for i in range(n - EDGEITEMS, n)]
    else:
        rows = [_nested(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def array_str(a: np.ndarray, indent: int) -> str:
    """The bracketed body of a tensor's repr, continuation lines indented by ``indent``."""
    if a.size == 0:
        return "[]"
    summarize = a.size > THRESHOLD
    fmt = _Formatter(_summarized(a) if summarize else a)
    return _nested(a, indent, summarize, fmt)


def add_suffixes(body: str, suffixes: list[str], indent: int) -> str:
    """Append ``, dtype=...``/``, grad_fn=<...>``, wrapping to a new line past 80 characters."""
    parts = [body]
    last = len(body) - body.rfind("\n") + 1
    for s in suffixes:
        # measured as PyTorch would measure "torch.float64", so lines wrap at the same place
        n = len(s) - s.count("mlplab.")
        if last + n + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + s)
            last = indent + n
        else:
            parts.append(", " + s)
            last += n + 2
    parts.append(")")
    return "".join(parts)
