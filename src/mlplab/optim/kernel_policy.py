"""When the executor's default policy (``kernels = None``, ``fused=None``) switches the compiled
kernels on: at once when they load without a build, else after ``KERNEL_MIN_WORK`` elements.

The first load on a machine builds the C library (~1.3 s), which only a long run pays back; but
once the library is in the on-disk cache, loading it costs a process a few ms, so a small net (the
digits net: ~3760 parameters, never reaching ``KERNEL_MIN_WORK``) gets the kernels from its first
step too. Whether the library is there is asked once a process (:func:`loads_cached`), and only
when a step needs the answer; the kernels' package is imported then, never by ``import mlplab``.
"""

from __future__ import annotations

__all__ = ["loads_cached"]

_cached: bool | None = None  # the answer, once asked in this process


def loads_cached() -> bool:
    """Whether the default backend's kernels load without a build (see
    :func:`mlplab.optim.kernels.cached`); asked once a process, then remembered."""
    global _cached
    if _cached is None:
        from . import kernels

        _cached = kernels.cached()
    return _cached
