"""Batch 1's cross-entropy on NumPy scalars (``CrossEntropyLabelsFn``): for every label dtype, the
loss (a 0-d array of the logits' dtype), its gradient and the gradient of that gradient carry the
bits of the general op."""

from __future__ import annotations

import numpy as np
import pytest

import mlplab
from mlplab.ops.classification import CrossEntropyFn, CrossEntropyLabelsFn


@pytest.mark.parametrize("label_dtype", [np.uint8, np.int32, np.int64])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_row_any_label_dtype_bitwise_the_general_op(dtype, label_dtype):
    rng = np.random.default_rng(11)
    x0 = rng.normal(size=(1, 10)).astype(dtype)
    t = np.array([7], dtype=label_dtype)
    out = []
    for make in (
        lambda x: CrossEntropyLabelsFn.apply(x, t),
        lambda x: CrossEntropyFn.apply(x, t, None, -100, 0.0, "mean", False),
    ):
        x = mlplab.tensor(x0, requires_grad=True)
        loss = make(x)
        (g,) = mlplab.autograd.grad(loss, x, create_graph=True)
        (gg,) = mlplab.autograd.grad((g * g).sum(), x)
        out.append((loss.detach().numpy(), g.detach().numpy(), gg.numpy()))
    (lf, gf, ggf), (lp, gp, ggp) = out
    assert lf.shape == () and lf.dtype == dtype
    assert lf.tobytes() == lp.tobytes() and gf.tobytes() == gp.tobytes() and ggf.tobytes() == ggp.tobytes()
    assert not (ggf == 0).all()  # the second derivative is really there
