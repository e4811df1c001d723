"""``inplace.padded_zeros``: the optimiser's flat buffers, whose ``add_`` runs over whole blocks of the
padded buffer instead of copying the tail: bitwise PyTorch's ``add_(alpha=)`` still, whatever the
padding holds, and never writing past the end of an array that is not one of them."""

from __future__ import annotations

import gc

import numpy as np
import pytest
import torch

from mlplab.optim import inplace
from mlplab.optim.inplace import BLAS_PIECE, TAIL_BLOCK, add_, lerp_, padded_zeros

SIZES = [*range(1, 70), 127, 129, 3760, BLAS_PIECE - 1, BLAS_PIECE + 33, 3 * BLAS_PIECE + 17]


def _padded(values: np.ndarray, fill: float) -> np.ndarray:
    """A padded_zeros array holding ``values``, its padding set to ``fill``."""
    array = padded_zeros(values.size, values.dtype)
    array.base[:] = fill
    array[:] = values
    return array


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_add_on_padded_buffers_is_bitwise_torch_and_uses_the_padding(dtype, torch_one_thread):
    rng = np.random.default_rng(2)
    for n in SIZES:
        for alpha in (0.1, -1e-3, 0.9999999):
            x = (rng.normal(size=n) * 10.0 ** rng.uniform(-8, 8, size=n)).astype(dtype)
            y = (rng.normal(size=n) * 10.0 ** rng.uniform(-8, 8, size=n)).astype(dtype)
            expected = torch.tensor(y).add_(torch.tensor(x), alpha=alpha).numpy()
            px, py = _padded(x, np.nan), _padded(y, np.inf)  # what the padding holds never matters
            got = add_(py, px, alpha, padded_zeros(n, dtype))
            assert got is py
            np.testing.assert_array_equal(got.view(np.uint8), expected.view(np.uint8), err_msg=f"n={n}")
            if n % TAIL_BLOCK:  # the whole padded buffer went through axpy: inf + alpha * nan
                assert np.isnan(py.base[n:]).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_lerp_on_padded_buffers_is_bitwise_torch(dtype):
    rng = np.random.default_rng(3)
    for n in SIZES:
        for weight in (0.1, 0.9):
            b = rng.normal(size=n).astype(dtype)
            a = rng.normal(size=n).astype(dtype)
            expected = torch.tensor(a).lerp_(torch.tensor(b), weight).numpy()
            scratch = padded_zeros(n, dtype), padded_zeros(n, dtype)
            got = lerp_(_padded(a, -1.0), _padded(b, 7.0), weight, *scratch)
            np.testing.assert_array_equal(got.view(np.uint8), expected.view(np.uint8), err_msg=f"n={n}")


def test_other_arrays_are_never_written_past_their_end():
    """A slice of a longer array, or a padded array with a plain one, takes the tail copy."""
    rng = np.random.default_rng(4)
    n = 50
    x = rng.normal(size=n).astype(np.float32)
    expected = torch.tensor(np.ones(n, np.float32)).add_(torch.tensor(x), alpha=0.3).numpy()
    longer = np.full(128, 5.0, dtype=np.float32)
    y = longer[:n]
    y[:] = 1.0
    add_(y, _padded(x, 2.0), 0.3, np.empty(n, np.float32))
    np.testing.assert_array_equal(y, expected)
    assert (longer[n:] == 5.0).all()
    py = _padded(np.ones(n, np.float32), 5.0)
    add_(py, x, 0.3, np.empty(n, np.float32))
    np.testing.assert_array_equal(py, expected)
    assert (py.base[n:] == 5.0).all()


def test_the_registry_forgets_arrays_that_are_gone():
    array = padded_zeros(10, np.float64)
    key = id(array)
    assert inplace._PADDED[key]() is array
    del array
    gc.collect()
    assert key not in inplace._PADDED


@pytest.mark.parametrize(
    "shapes",
    [[(50, 64), (50,), (10, 50), (10,)], [(90, 91), (91,), (10, 90), (10,)]],
    ids=["digits-net", "flat-over-BLAS_PIECE"],
)
@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("kernels", [False, True], ids=["numpy", "kernels"])
def test_flat_sgd_step_is_bitwise_torch(shapes, momentum, kernels, torch_one_thread):
    """The executor's flat step (axpy on the padded buffers, or add_ past BLAS_PIECE; with the kernels,
    the momentum kernel on them) is torch's SGD; so is plain SGD's one C call over the group (no
    flat buffers: ``native.Many``) where the kernels are on."""
    import mlplab
    from mlplab import optim

    rng = np.random.default_rng(5)
    weights = [rng.normal(size=s).astype(np.float32) for s in shapes]
    pm = [mlplab.tensor(w.copy(), requires_grad=True) for w in weights]
    pt = [torch.tensor(w.copy(), requires_grad=True) for w in weights]
    om, ot = optim.SGD(pm, lr=0.01, momentum=momentum), torch.optim.SGD(pt, lr=0.01, momentum=momentum)
    om._executor.kernels = kernels  # not left to the default: other tests may have loaded the kernels
    for _ in range(4):
        for a, b in zip(pm, pt):
            g = (rng.normal(size=a.shape) * 10 ** rng.uniform(-3, 0, size=a.shape)).astype(np.float32)
            a.grad = mlplab.tensor(g)
            b.grad = torch.tensor(g)
        om.step()
        ot.step()
        for a, b in zip(pm, pt):
            np.testing.assert_array_equal(a._data.view(np.uint32), b.detach().numpy().view(np.uint32))
    if kernels and not momentum:  # the one C call ran
        assert not om._executor.flat_groups and om._executor.many_plans[0][2] is not None
    else:
        assert [len(f.params) for f in om._executor.flat_groups.values()] == [4]  # the flat path ran


@pytest.mark.parametrize("kernels", [False, True], ids=["numpy", "kernels"])
def test_a_gradient_of_another_shape_is_gathered_in_c_order(kernels):
    """mlplab accepts a ``.grad`` of the parameter's size and another shape: its elements in C order
    (gathered into the flat buffer, or read in place by plain SGD's one C call)."""
    import mlplab
    from mlplab import optim

    rng = np.random.default_rng(6)
    weights = [rng.normal(size=s).astype(np.float32) for s in [(2, 3), (3,)]]
    grads = [rng.normal(size=s).astype(np.float32) for s in [(3, 2), (3,)]]
    params = [mlplab.tensor(w.copy(), requires_grad=True) for w in weights]
    opt = optim.SGD(params, lr=0.1)
    opt._executor.kernels = kernels
    for p, g in zip(params, grads):
        p.grad = mlplab.tensor(g)
    opt.step()
    if kernels:
        assert not opt._executor.flat_groups and opt._executor.many_plans[0][2] is not None
    else:
        assert [len(f.params) for f in opt._executor.flat_groups.values()] == [2]
    for p, w, g in zip(params, weights, grads):
        expected = torch.tensor(w.ravel()).add_(torch.tensor(g.ravel()), alpha=-0.1).numpy()
        np.testing.assert_array_equal(p._data.ravel(), expected)
