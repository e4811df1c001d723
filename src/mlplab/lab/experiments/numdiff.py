r"""``numdiff``: how the error of a finite difference depends on the step h.

For f(x) = exp(x) sin(x) at x = 1 (float64), the forward difference (f(x+h) - f(x)) / h has a
truncation error ~ |f''| h / 2 (slope 1 on a log-log plot) and the central difference
(f(x+h) - f(x-h)) / (2h) one ~ |f'''| h^2 / 6 (slope 2). Each evaluation of f is rounded to
about eps |f| (eps = 2.2e-16), which the division by h amplifies to ~ eps |f| / h: for tiny h the
error rises again. Minimising C h^2 + eps |f| / h gives the best central step
h* = (3 eps |f| / |f'''|)^(1/3), about 1e-5 -- the notes' advice not to take h too small.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...autograd.numerical import derivative
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure

X0 = 1.0
EPS = float(np.finfo(np.float64).eps)


def f(x: float) -> float:
    """exp(x) sin(x)."""
    return float(np.exp(x) * np.sin(x))


def f_prime(x: float) -> float:
    """f'(x) = exp(x) (sin x + cos x)."""
    return float(np.exp(x) * (np.sin(x) + np.cos(x)))


def f_third(x: float) -> float:
    """f'''(x) = 2 exp(x) (cos x - sin x)."""
    return float(2 * np.exp(x) * (np.cos(x) - np.sin(x)))


def forward_difference(x: float, h: float) -> float:
    """(f(x+h) - f(x)) / h."""
    return (f(x + h) - f(x)) / h


def _slope(hs: np.ndarray, errors: np.ndarray) -> float:
    """Least-squares slope of log10(error) against log10(h)."""
    return float(np.polyfit(np.log10(hs), np.log10(errors), 1)[0])


@experiment(
    "numdiff",
    section="Numerical differentiation (2.1-2.3)",
    claim="forward differences err ~h, central ~h^2; too small an h makes both worse",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """Errors of both differences for h = 1e-1 ... 1e-12; fitted slopes; best h vs theory."""
    hs = np.logspace(-1, -12, 23 if quick else 45)
    exact = f_prime(X0)
    forward = np.array([abs(forward_difference(X0, h) - exact) for h in hs])
    central = np.array([abs(derivative(f, X0, h) - exact) for h in hs])
    # truncation regime: h where rounding (eps |f| / h) is far below truncation
    forward_fit = hs >= 1e-4
    central_fit = hs >= 1e-3
    best_h = float(hs[int(np.argmin(central))])
    theory_h = float((3 * EPS * abs(f(X0)) / abs(f_third(X0))) ** (1 / 3))

    fig, ax = pyplot().subplots(figsize=(7.5, 4.8))
    ax.loglog(hs, forward, "o-", ms=3, label="forward difference (f(x+h) - f(x)) / h")
    ax.loglog(hs, central, "s-", ms=3, label="central difference (f(x+h) - f(x-h)) / 2h")
    ax.axvline(theory_h, color="gray", ls="--", lw=1, label=f"theory's best central h = {theory_h:.1e}")
    ax.invert_xaxis()
    ax.set_xlabel("step h (log scale, smaller to the right)")
    ax.set_ylabel("|numerical - exact derivative| (log scale)")
    ax.set_title("Finite-difference error of d/dx [exp(x) sin(x)] at x = 1 (float64)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    figure = save_figure(fig, out_dir, "numdiff")

    rows = [
        {"h": float(h), "forward_error": float(a), "central_error": float(b)}
        for h, a, b in zip(hs, forward, central)
    ]
    tiny = hs <= 1e-11
    claims = [
        Claim(
            "forward-difference error ~ h: log-log slope for h >= 1e-4",
            _slope(hs[forward_fit], forward[forward_fit]),
            "in",
            (0.8, 1.2),
        ),
        Claim(
            "central-difference error ~ h^2: log-log slope for h >= 1e-3",
            _slope(hs[central_fit], central[central_fit]),
            "in",
            (1.8, 2.2),
        ),
        Claim(
            "central error at h <= 1e-11 / its minimum (rounding takes over)",
            float(central[tiny].min() / central.min()),
            ">",
            100.0,
        ),
        Claim(
            "best central h / theory's h (the same order of magnitude)", best_h / theory_h, "in", (0.1, 10.0)
        ),
    ]
    return LabResult("numdiff", figures=[figure], tables={"error vs h": rows}, claims=claims)
