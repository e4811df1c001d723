"""torch's keyword form of the ``*size`` factories: ``zeros(size=(2, 3))``, ``ones``, ``empty``,
``rand``, ``randn`` (and ``full(size=, fill_value=)``), with torch 2.13's refusals."""

from __future__ import annotations

import pytest
import torch

import mlplab

FACTORIES = ["zeros", "ones", "empty", "rand", "randn"]


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("size", [(2, 3), [4], (), mlplab.Size([1, 2, 1])], ids=str)
def test_size_keyword_gives_torchs_shape_dtype_and_flags(name: str, size) -> None:
    t_size = torch.Size(size) if isinstance(size, mlplab.Size) else size
    t = getattr(torch, name)(size=t_size, dtype=torch.float64, requires_grad=True)
    m = getattr(mlplab, name)(size=size, dtype=mlplab.float64, requires_grad=True)
    assert tuple(m.shape) == tuple(t.shape)
    assert str(m.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    assert m.requires_grad and m.is_leaf
    if name in ("zeros", "ones"):
        assert m.tolist() == t.tolist()


@pytest.mark.parametrize("name", FACTORIES)
def test_size_keyword_is_the_positional_call(name: str) -> None:
    g1, g2 = mlplab.Generator().manual_seed(5), mlplab.Generator().manual_seed(5)
    kw = {"generator": g1} if name in ("rand", "randn") else {}
    a = getattr(mlplab, name)(size=(3, 2), **kw)
    kw = {"generator": g2} if name in ("rand", "randn") else {}
    b = getattr(mlplab, name)(3, 2, **kw)
    assert a.shape == b.shape and a.dtype == b.dtype
    if name != "empty":
        assert a.tolist() == b.tolist()


def test_full_takes_size_and_fill_value_by_keyword() -> None:
    t = torch.full(size=(2,), fill_value=3)
    m = mlplab.full(size=(2,), fill_value=3)
    assert m.tolist() == t.tolist()
    assert (str(m.dtype), str(t.dtype)) == ("mlplab.int64", "torch.int64")


def _error(call, lib) -> str:
    with pytest.raises(TypeError) as e:
        call(lib)
    return str(e.value)


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_refusals_as_torchs(name: str) -> None:
    """Same type and message as torch 2.13 for the size given twice, not a sequence, an unknown
    keyword, or no size at all."""
    calls = [
        lambda L: getattr(L, name)(2, size=(2, 3)),
        lambda L: getattr(L, name)(size=2),
        lambda L: getattr(L, name)(size=2.0),
        lambda L: getattr(L, name)(size=(2,), foo=1),
        lambda L: getattr(L, name)(),
    ]
    for call in calls:
        assert _error(call, mlplab) == _error(call, torch)


@pytest.mark.parametrize("name", ["rand", "randn"])
def test_random_factories_refuse_what_torch_refuses(name: str) -> None:
    for call in [
        lambda L: getattr(L, name)(2, size=(2, 3)),
        lambda L: getattr(L, name)(size=2),
        lambda L: getattr(L, name)(size=(2,), foo=1),
        lambda L: getattr(L, name)(),
    ]:
        _error(call, torch)
        _error(call, mlplab)
