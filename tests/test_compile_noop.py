"""``torch.compile`` on mlplab: torch's own ``disable=True`` path (the model itself, run eagerly).

torch.compile promises the eager model's results; with ``disable=True`` torch returns the model
unchanged. mlplab has no compiler and always takes that path, so the common idioms
``model = torch.compile(model)``, ``@torch.compile`` and ``if hasattr(torch, "compile")`` run
unchanged and compute what torch computes.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab


def test_compile_exists_as_in_torch() -> None:
    assert hasattr(torch, "compile") and hasattr(mlplab, "compile")
    assert callable(mlplab.compile)


def test_disable_true_in_torch_returns_the_model_itself_as_mlplab_always_does() -> None:
    def f(x):
        return x * 2

    assert torch.compile(f, disable=True) is f
    assert mlplab.compile(f) is f
    model = mlplab.nn.Linear(3, 2)
    assert mlplab.compile(model) is model
    assert mlplab.compile(model, mode="max-autotune", fullgraph=True, dynamic=False) is model


def test_decorator_forms_compute_the_eager_result() -> None:
    @mlplab.compile
    def f(x):
        return mlplab.sin(x) + mlplab.cos(x)

    @mlplab.compile(mode="reduce-overhead")
    def g(x):
        return mlplab.sin(x) + mlplab.cos(x)

    x = np.linspace(-1, 1, 5).astype(np.float32)
    want = (torch.sin(torch.tensor(x)) + torch.cos(torch.tensor(x))).numpy()
    np.testing.assert_allclose(f(mlplab.tensor(x)).numpy(), want, rtol=1e-6)
    np.testing.assert_allclose(g(mlplab.tensor(x)).numpy(), want, rtol=1e-6)


@pytest.mark.parametrize("lib", [mlplab, torch], ids=["mlplab", "torch"])
def test_torchs_refusals_are_kept(lib) -> None:
    with pytest.raises(RuntimeError, match="Either mode or options can be specified"):
        lib.compile(lambda x: x, mode="default", options={"max_autotune": True})
    with pytest.raises(RuntimeError, match="Model can't be None"):
        lib.compile()(None)


# torch's Module.compile imports its compiler stack, whose torch.jit module warns on import
@pytest.mark.filterwarnings("ignore:`torch.jit.script_method` is deprecated:DeprecationWarning")
@pytest.mark.parametrize("lib", [mlplab, torch], ids=["mlplab", "torch"])
def test_module_compile_returns_none_and_checks_torch_compiles_arguments(lib) -> None:
    """``model.compile(...)`` compiles in place in torch and returns None; the same arguments are
    accepted, and the same ones refused with torch.compile's errors (torch's forward is not run
    here: that would compile it)."""
    model = lib.nn.Linear(3, 2)
    assert model.compile() is None
    assert model.compile(mode="max-autotune", fullgraph=True, dynamic=False) is None
    assert model.compile(backend="eager", options=None, disable=False) is None
    with pytest.raises(RuntimeError, match="^Either mode or options can be specified"):
        model.compile(mode="default", options={"max_autotune": True})
    with pytest.raises(TypeError, match=r"compile\(\) got an unexpected keyword argument 'speed'"):
        model.compile(speed=2)


def test_module_compile_keeps_the_forward_and_the_state() -> None:
    """After ``model.compile()`` the module computes what it computed before (and what torch's
    eager module computes from the same weights), with the same parameters and state_dict keys."""
    rs = np.random.RandomState(0)
    w, b, x = rs.randn(2, 3), rs.randn(2), rs.randn(4, 3)
    model = mlplab.nn.Sequential(mlplab.nn.Linear(3, 2), mlplab.nn.Tanh()).double()
    with mlplab.no_grad():
        model[0].weight.copy_(mlplab.tensor(w))
        model[0].bias.copy_(mlplab.tensor(b))
    before = model(mlplab.tensor(x)).detach().numpy()
    keys = list(model.state_dict())
    assert model.compile(mode="reduce-overhead") is None
    after = model(mlplab.tensor(x))
    assert list(model.state_dict()) == keys
    assert type(model) is mlplab.nn.Sequential
    np.testing.assert_array_equal(after.detach().numpy(), before)
    want = torch.tanh(torch.tensor(x) @ torch.tensor(w).T + torch.tensor(b)).numpy()
    np.testing.assert_allclose(after.detach().numpy(), want, rtol=1e-12)
    after.sum().backward()
    assert model[0].weight.grad.shape == (2, 3)
