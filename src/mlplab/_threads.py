"""``set_num_threads``/``get_num_threads``: the thread count of NumPy's BLAS (matrix products).

mlplab computes with NumPy, whose elementwise functions run on one thread; only the BLAS library
behind ``@`` (OpenBLAS, MKL, ...) uses a thread pool. These functions set and read that pool's size
through ``threadpoolctl``, for the whole process, as ``torch.set_num_threads`` does for torch's
intra-op pool. On a busy machine one thread is often fastest for the small matrices of an MLP.
"""

from __future__ import annotations

import numbers

import numpy as np  # noqa: F401 - loads NumPy's BLAS, so threadpoolctl can find it

_limiter = None  # the threadpool_limits object that holds the current setting


def set_num_threads(num: int) -> None:
    """Use ``num`` threads for BLAS matrix products (a positive integer)."""
    from threadpoolctl import threadpool_limits

    global _limiter
    n = num
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _limiter = threadpool_limits(limits=n, user_api="blas")


def get_num_threads() -> int:
    """The number of threads BLAS matrix products use (the largest pool when several BLAS
    libraries are loaded; 1 when none is)."""
    from threadpoolctl import threadpool_info

    pools = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return max(pools) if pools else 1
