"""matplotlib for the lab, with the non-interactive Agg backend (figures go to PNG files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, out_dir: Path, name: str) -> Path:
    """Lay out ``fig``, write it as ``out_dir/name.png`` (110 dpi, the lab's one style) and close it."""
    fig.tight_layout()
    path = out_dir / f"{name}.png"
    fig.savefig(path, dpi=110)
    pyplot().close(fig)
    return path
