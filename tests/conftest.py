"""Shared test setup: every test starts from mlplab's default global state.

A test that changes the default dtype or the grad mode and then fails must not leak that change
into the tests after it (in any folder), so both are restored after each test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import mlplab


@pytest.fixture(autouse=True)
def _restore_mlplab_globals() -> Iterator[None]:
    dtype, grad = mlplab.get_default_dtype(), mlplab.is_grad_enabled()
    yield
    mlplab.set_default_dtype(dtype)
    mlplab.set_grad_enabled(grad)
