"""``autograd.grad``, ``autograd.backward`` and ``Tensor.backward(inputs=...)`` against torch 2.13:
each scenario is written once against the torch API and run on both libraries."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab


def _both(scenario):
    return scenario(torch), scenario(mlplab)


def _inputs(lib):
    rs = np.random.RandomState(0)
    x = lib.tensor(rs.randn(3, 2), requires_grad=True)
    w = lib.tensor(rs.randn(2, 4), requires_grad=True)
    return x, w


def _several(lib):
    """Two outputs, weighted by grad_outputs, w.r.t. a leaf and a non-leaf; .grad stays None."""
    x, w = _inputs(lib)
    h = lib.tanh(x @ w)
    y1 = (h * h).sum(dim=0)
    y2 = h.exp().mean()
    v1 = lib.tensor([1.0, -2.0, 0.5, 3.0], dtype=lib.float64)
    gx, gw, gh = lib.autograd.grad((y1, y2), (x, w, h), grad_outputs=(v1, None))
    return gx.numpy(), gw.numpy(), gh.numpy(), x.grad is None and w.grad is None, gx.requires_grad


def test_several_outputs_and_inputs():
    t, m = _both(_several)
    for a, b in zip(m[:3], t[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert m[3:] == t[3:] == (True, False)


def _unused(lib):
    x, w = _inputs(lib)
    z = lib.tensor([1.0], requires_grad=True)
    y = (x @ w).sum()
    with pytest.raises(RuntimeError) as e:
        lib.autograd.grad(y, (x, z), retain_graph=True)
    gx, gz = lib.autograd.grad(y, (x, z), retain_graph=True, allow_unused=True)
    _, gz0 = lib.autograd.grad(y, (x, z), materialize_grads=True)
    return str(e.value), gz, gz0.tolist()


def test_allow_unused_and_materialize_grads():
    t, m = _both(_unused)
    assert m == t
    assert m[1] is None and m[2] == [0.0]


def _freed(lib):
    x, w = _inputs(lib)
    y = (lib.tanh(x @ w)).sum()
    (g1,) = lib.autograd.grad(y, w, retain_graph=True)
    (g2,) = lib.autograd.grad(y, w)
    with pytest.raises(RuntimeError) as e:
        lib.autograd.grad(y, w)
    return np.array_equal(g1.numpy(), g2.numpy()), str(e.value).split(".")[0]


def test_retain_graph_and_freed_graph():
    assert (
        _both(_freed)[1]
        == _both(_freed)[0]
        == (
            True,
            "Trying to backward through the graph a second time (or directly access saved tensors after "
            "they have already been freed)",
        )
    )


def _errors(lib):
    x, w = _inputs(lib)
    y = x @ w
    msgs = []
    for call in (
        lambda: lib.autograd.grad(y.sum(), lib.ones(2)),
        lambda: lib.autograd.grad(y, x),
        lambda: lib.autograd.grad(y, x, grad_outputs=lib.ones(4, 3, dtype=lib.float64)),
    ):
        with pytest.raises(RuntimeError) as e:
            call()
        msgs.append(str(e.value))
    return msgs


def test_errors_as_torch():
    t, m = _both(_errors)
    assert m[:2] == t[:2]
    assert t[0] == "One of the differentiated Tensors does not require grad"
    assert t[1] == "grad can be implicitly created only for scalar outputs"
    shape_msg = "Mismatch in shape: grad_output[0] has a shape of "
    assert m[2].startswith(shape_msg) and t[2].startswith(shape_msg)
    assert "(4, 3)" in m[2] and "(3, 4)" in m[2]


def _backward_inputs(lib):
    """backward(inputs=...) fills only those .grad fields, a non-leaf's included."""
    x, w = _inputs(lib)
    h = x @ w
    y = (h * h).sum()
    y.backward(inputs=[w, h], retain_graph=True)
    facts = [x.grad is None, w.grad.numpy().copy(), h.grad.numpy().copy()]
    lib.autograd.backward([y, h.sum()], [lib.tensor(2.0, dtype=lib.float64), None], inputs=[x])
    facts.append(x.grad.numpy())
    return facts


def test_backward_with_inputs_and_autograd_backward():
    t, m = _both(_backward_inputs)
    assert m[0] and t[0]
    for a, b in zip(m[1:], t[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("lib", [mlplab, torch], ids=["mlplab", "torch"])
def test_backward_inputs_that_do_not_require_grad_are_refused_as_torch(lib):
    """An input that requires no grad: torch's retain_grad error, before anything is computed
    (the leaf that does require grad gets no .grad); an empty inputs list: torch's error."""
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    c = lib.tensor([1.0])
    with pytest.raises(RuntimeError, match="^can't retain_grad on Tensor that has requires_grad=False$"):
        (x * 2).sum().backward(inputs=[x, c])
    assert x.grad is None
    with pytest.raises(RuntimeError, match="^`inputs` argument to `backward\\(\\)` cannot be empty.$"):
        (x * 2).sum().backward(inputs=[])


def _pruned(lib):
    """create_graph w.r.t. x only: the branch to w goes through amax, which mlplab cannot
    differentiate twice; it is never visited because it leads to no requested input."""
    x, w = _inputs(lib)
    y = (x * x).sum() + w.amax()
    (g,) = lib.autograd.grad(y, x, create_graph=True)
    (h,) = lib.autograd.grad(g.sum(), x)
    return g.detach().numpy(), h.numpy()


def test_only_the_paths_to_the_inputs_are_visited():
    t, m = _both(_pruned)
    for a, b in zip(m, t):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def _self_grad(lib):
    x, _ = _inputs(lib)
    y = x * 2
    v = lib.ones(3, 2, dtype=lib.float64) * 3
    (gy,) = lib.autograd.grad(y, y, v)
    (gx,) = lib.autograd.grad(x, x, v)
    return gy.tolist(), gx.tolist()


def test_gradient_of_a_tensor_with_respect_to_itself():
    assert _both(_self_grad)[1] == _both(_self_grad)[0]


def _jac_hess(lib):
    rs = np.random.RandomState(2)
    x, w = lib.tensor(rs.randn(3)), lib.tensor(rs.randn(2, 3))
    jac = lib.autograd.functional.jacobian(lambda x, w: (lib.tanh(w @ x) * x[0], x.exp()), (x, w))
    hes = lib.autograd.functional.hessian(
        lambda x, w: (lib.sigmoid(w @ x) ** 2).sum() * x.exp().sum(), (x, w)
    )
    single = lib.autograd.functional.hessian(lambda x: (x**3).sum() * x[1], x)
    blocks = [b for row in (*jac, *hes) for b in row] + [single]
    return [(tuple(b.shape), b.numpy()) for b in blocks]


def test_jacobian_and_hessian_match_torch():
    t, m = _both(_jac_hess)
    assert [s for s, _ in m] == [s for s, _ in t]
    for (_, a), (_, b) in zip(m, t):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "names",
    [
        ("autograd.grad", "autograd.grad"),
        ("autograd.backward", "autograd.backward"),
        ("Tensor.backward", "Tensor.backward"),
        ("autograd.functional.jacobian", "autograd.functional.jacobian"),
        ("autograd.functional.hessian", "autograd.functional.hessian"),
    ],
)
def test_signatures_are_torchs(names):
    import inspect
    from functools import reduce

    def params(lib, path):
        fn = reduce(getattr, path.split("."), lib)
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    assert params(mlplab, names[0]) == params(torch, names[1])
