r"""``bilinear``: y_k = x1^T W_k x2 + b_k, a bilinear form per output feature (the interaction of two
inputs), composed of recorded tensor ops (matmul, mul, sum), so its gradients of every order follow."""

from __future__ import annotations

from ...tensor import Tensor

# the names torch gives scalar types in its messages
_C_NAMES = {"float16": "Half", "float32": "float", "float64": "double", "int64": "long", "int32": "int"}


def _check(x1: Tensor, x2: Tensor, w: Tensor, b: Tensor | None) -> None:
    a, c, ws = x1._data.shape, x2._data.shape, w._data.shape
    dtypes = [x1._data.dtype, x2._data.dtype, w._data.dtype] + ([b._data.dtype] if b is not None else [])
    if len(set(dtypes)) > 1:
        names = ["input1", "input2", "weight", "bias"]
        got = ", ".join(f"{n}: {_C_NAMES.get(str(d), str(d))}" for n, d in zip(names, dtypes))
        raise RuntimeError(f"All tensors must have the same dtype, got {got}")
    if len(a) != len(c):
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {len(a)} and {len(c)}")
    for i in range(len(a) - 1):
        if a[i] != c[i]:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {i}: got {a[i]} and {c[i]}"
            )
    if len(ws) != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D (out, in1, in2), got shape {tuple(ws)}")
    if not a or a[-1] != ws[1]:
        got = a[-1] if a else None
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {got} but expected {ws[1]}"
        )
    if c[-1] != ws[2]:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {c[-1]} but expected {ws[2]}"
        )
    if b is not None and (b._data.ndim != 1 or b._data.shape[0] != ws[0]):
        got = b._data.shape[0] if b._data.ndim else None
        raise RuntimeError(
            f"bilinear(): bias size does not match weight size: got {got} but expected {ws[0]}"
        )


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    r"""y[..., k] = \sum_{i,j} x1[..., i] W[k, i, j] x2[..., j] + b[k].

    ``input1`` (*, in1) and ``input2`` (*, in2) share their batch dimensions; ``weight`` is
    (out, in1, in2), ``bias`` (out,); the result is (*, out). Computed as
    ((x1 @ W') reshaped to (N, out, in2) * x2).sum(-1) with W' = W permuted to (in1, out * in2):
    one matrix product, then a product and a sum per output feature.
    """
    _check(input1, input2, weight, bias)
    out, in1, in2 = weight._data.shape
    batch = input1._data.shape[:-1]
    a = input1.reshape(-1, in1)
    t = a @ weight.permute(1, 0, 2).reshape(in1, out * in2)
    y = (t.reshape(-1, out, in2) * input2.reshape(-1, 1, in2)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*batch, out)


__all__ = ["bilinear"]
