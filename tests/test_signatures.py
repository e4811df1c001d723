"""mlplab's public functions and Tensor methods take torch 2.13's parameters: names, order,
positional/keyword-only kinds and defaults.

torch's builtins have no Python signature; its type stubs (``torch/_C/_VariableFunctions.pyi`` for
``torch.*``, ``class TensorBase`` in ``torch/_C/__init__.pyi`` for Tensor methods) give every
overload with its exact names, keyword-only markers and defaults. They are more complete than
``torch.overrides.get_testing_overrides()``, whose hand-written lambdas drop parameters
(``sum(input, dim=None)`` has no ``keepdim``), so this test reads the stubs (with ``ast``); functions
written in Python (``torch.functional``: ``einsum``, ``split``, ``norm`` ...) give theirs through
``inspect.signature``.

A mlplab function matches when it equals one of torch's overloads after two documented
reductions (``UNSUPPORTED_KEYWORDS``, ``ALIASES``); a parameter torch leaves without a default in
the overload may default to None in mlplab when torch has another overload without it (``sum(input,
dim, keepdim)`` and ``sum(input)`` are one mlplab function ``sum(input, dim=None, keepdim=False)``).
Functions that cannot match are listed in ``EXCEPTIONS``, each with its reason.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import pytest
import torch

import mlplab

TORCH_DIR = Path(torch.__file__).parent
# keyword-only parameters of torch that mlplab does not take, and why
UNSUPPORTED_KEYWORDS = {
    "out": "results are always new arrays (NumPy's out= is not exposed)",
    "layout": "dense (strided) tensors only: no sparse layouts",
    "pin_memory": "no GPU, so no pinned memory",
    "memory_format": "one memory format: NumPy's C order",
    "names": "no named tensors",
    "non_blocking": "no device transfers",
    "implicit": "an internal flag of torch's tracer (expand)",
}
# keyword-only parameters mlplab adds: NumPy's spellings, which torch's argument parser also accepts
ALIASES = {"axis": "dim", "keepdims": "keepdim"}
# name -> why its signature cannot be torch's (checked to exist, so the list cannot go stale)
_OVERLOADS = "one Python function merges torch's overloads, which no single overload equals: "
EXCEPTIONS: dict[str, str] = {
    "arange": _OVERLOADS + "arange(end) and arange(start, end, step=1); end=None means the first is end",
    "randint": _OVERLOADS + "randint(high, size) and randint(low, high, size)",
    "randint_like": _OVERLOADS + "randint_like(input, high) and randint_like(input, low, high)",
    "std": _OVERLOADS + "(dim, unbiased=True, keepdim), (dim=None, *, correction, keepdim), (unbiased)",
    "var": _OVERLOADS + "(dim, unbiased=True, keepdim), (dim=None, *, correction, keepdim), (unbiased)",
    "Tensor.std": _OVERLOADS + "as torch.std",
    "Tensor.var": _OVERLOADS + "as torch.var",
    "sort": _OVERLOADS + "(dim=-1, descending=False) and (*, stable, dim, descending)",
    "argsort": _OVERLOADS + "as sort",
    "Tensor.sort": _OVERLOADS + "as sort",
    "Tensor.argsort": _OVERLOADS + "as sort",
    "scatter": _OVERLOADS + "(dim, index, src) and (dim, index, value), with and without reduce",
    "Tensor.scatter": _OVERLOADS + "as scatter",
    "Tensor.scatter_": _OVERLOADS + "as scatter",
    "Tensor.to": _OVERLOADS
    + "to(dtype), to(device, dtype), to(other): told apart by the first argument's type",
    "unique": "torch.unique is a (*args, **kwargs) dispatcher; mlplab takes Tensor.unique's parameters",
    "Tensor.requires_grad_": "the stub names the parameter `mode`, which torch's parser refuses; it takes "
    "`requires_grad=` (as mlplab)",
    "numel": "the stub names the parameter `self`, which torch's parser refuses; it takes `input=`",
    "Tensor.to_sparse": "refused with NotImplementedError whatever its arguments (no sparse tensors)",
    "save": "pickle-free by design (.npz): pickle_module/pickle_protocol are accepted and ignored",
    "load": "pickle-free by design (.npz): no pickle_module; weights_only/mmap accepted and ignored",
}

_NO_DEFAULT = inspect.Parameter.empty
_P = inspect.Parameter


def _stub_overloads(path: Path, cls: str | None) -> dict[str, list[list[tuple]]]:
    """name -> overloads, each a list of (name, kind, default) from a .pyi stub."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = tree.body
    if cls is not None:
        body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
    out: dict[str, list[list[tuple]]] = {}
    for node in body:
        if isinstance(node, ast.FunctionDef):
            out.setdefault(node.name, []).append(_params(node.args, drop_self=cls is not None))
    return out


def _default(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ast.unparse(node)


def _params(a: ast.arguments, drop_self: bool) -> list[tuple]:
    pos = list(a.posonlyargs) + list(a.args)
    defaults = [_NO_DEFAULT] * (len(pos) - len(a.defaults)) + [_default(d) for d in a.defaults]
    res = []
    for i, (arg, d) in enumerate(zip(pos, defaults)):
        kind = _P.POSITIONAL_ONLY if i < len(a.posonlyargs) else _P.POSITIONAL_OR_KEYWORD
        res.append((arg.arg, kind, d))
    if a.vararg is not None:
        res.append((a.vararg.arg, _P.VAR_POSITIONAL, _NO_DEFAULT))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        res.append((arg.arg, _P.KEYWORD_ONLY, _NO_DEFAULT if d is None else _default(d)))
    if drop_self and res and res[0][0] == "self":
        res = res[1:]
    return res


def _python_params(f: Any, drop_self: bool) -> list[tuple] | None:
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        return None
    res = [(p.name, p.kind, p.default) for p in sig.parameters.values()]
    if drop_self and res and res[0][0] == "self":
        res = res[1:]
    return res


def _normal(params: list[tuple], ours: bool, keep: set[str] = frozenset()) -> list[tuple]:
    """Drop torch's unsupported parameters that mlplab lacks (``keep``: those it has), or mlplab's
    aliases; ``**kwargs`` never counts; ``memory_format`` (a no-op for NumPy) is dropped on both sides."""
    out = []
    for name, kind, default in params:
        if kind == _P.VAR_KEYWORD or name == "memory_format":
            continue
        if ours and kind == _P.KEYWORD_ONLY and name in ALIASES:
            continue
        if not ours and name in UNSUPPORTED_KEYWORDS and name not in keep:
            continue
        if kind == _P.POSITIONAL_ONLY:
            kind = _P.POSITIONAL_OR_KEYWORD  # stubs mark input as positional-only where torch's parser is not
        out.append((name, kind, default))
    return out


def _default_ok(
    name: str, ours: Any, theirs: Any, free: set[str], elsewhere: dict[str, list], absent: set[str]
) -> bool:
    if ours is _NO_DEFAULT or theirs is _NO_DEFAULT:
        if ours is theirs:
            return True
        # mlplab merges the overloads: a parameter some overload lacks may take any default (it
        # stands for "not given"); one another overload gives a default, or NumPy's alias can
        # stand in for, may default to that default or to None
        if name in absent:
            return True
        return name in free and (ours is None or ours in elsewhere.get(name, []))
    return ours == theirs or str(ours) == str(theirs) or (ours is None and theirs == "None")


def _same(
    ours: list[tuple], theirs: list[tuple], free: set[str], elsewhere: dict[str, list], absent: set[str]
) -> bool:
    pos_o = [p for p in ours if p[1] != _P.KEYWORD_ONLY]
    pos_t = [p for p in theirs if p[1] != _P.KEYWORD_ONLY]
    if [p[:2] for p in pos_o] != [p[:2] for p in pos_t]:
        return False
    kw_o = {p[0]: p[2] for p in ours if p[1] == _P.KEYWORD_ONLY}
    kw_t = {p[0]: p[2] for p in theirs if p[1] == _P.KEYWORD_ONLY}
    if set(kw_o) != set(kw_t):  # keyword-only parameters: names and defaults, in any order
        return False
    pairs = [(a[0], a[2], b[2]) for a, b in zip(pos_o, pos_t)] + [(k, kw_o[k], kw_t[k]) for k in kw_o]
    return all(_default_ok(n, d1, d2, free, elsewhere, absent) for n, d1, d2 in pairs)


def _matches(ours: list[tuple], overloads: list[list[tuple]]) -> bool:
    mine_names = {p[0] for p in ours}
    theirs = [_normal(o, ours=False, keep=mine_names) for o in overloads]
    names = [{p[0] for p in o} for o in theirs]
    elsewhere: dict[str, list] = {}
    for o in theirs:
        for n, _, d in o:
            if d is not _NO_DEFAULT:
                elsewhere.setdefault(n, []).append(d)
    absent = set().union(*names) - set.intersection(*names) if names else set()
    free = absent | set(elsewhere)
    free |= {ALIASES[p[0]] for p in ours if p[0] in ALIASES}
    if "axis" in mine_names:
        # a required dim that NumPy's axis stands in for (gather, index_select), and the required
        # parameters after it, may default to None: None means "not given", and the call raises
        # torch's missing-argument TypeError (tested with the alias)
        for o in theirs:
            pos = [p for p in o if p[1] != _P.KEYWORD_ONLY]
            at = next((i for i, p in enumerate(pos) if p[0] == "dim" and p[2] is _NO_DEFAULT), None)
            if at is not None:
                free |= {p[0] for p in pos[at:] if p[2] is _NO_DEFAULT}
    mine = _normal(ours, ours=True)
    return any(_same(mine, o, free, elsewhere, absent) for o in theirs)


TORCH_FUNCTIONS = _stub_overloads(TORCH_DIR / "_C" / "_VariableFunctions.pyi", None)
TENSOR_METHODS = _stub_overloads(TORCH_DIR / "_C" / "__init__.pyi", "TensorBase")


def _torch_function_overloads(name: str) -> list[list[tuple]] | None:
    if name in TORCH_FUNCTIONS:
        return TORCH_FUNCTIONS[name]
    p = _python_params(getattr(torch, name), drop_self=False)
    return None if p is None else [p]


def _shared_functions() -> list[str]:
    names = []
    for name in sorted(set(mlplab.__all__)):
        ours = getattr(mlplab, name)
        if not inspect.isfunction(ours) or not hasattr(torch, name) or name in EXCEPTIONS:
            continue
        if inspect.isclass(getattr(torch, name)):
            continue
        names.append(name)
    return names


def _shared_methods() -> list[str]:
    names = []
    for name, ours in sorted(vars_of(mlplab.Tensor).items()):
        if name.startswith("_") or not inspect.isfunction(ours) or f"Tensor.{name}" in EXCEPTIONS:
            continue
        if name in TENSOR_METHODS or inspect.isfunction(vars(torch.Tensor).get(name)):
            names.append(name)
    return names


def vars_of(cls: type) -> dict[str, Any]:
    """Every attribute of ``cls`` along its MRO (the mixins' methods included)."""
    out: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        out.update(vars(klass))
    return out


@pytest.mark.parametrize("name", _shared_functions())
def test_function_signature_is_torchs(name: str) -> None:
    overloads = _torch_function_overloads(name)
    assert overloads is not None, (
        f"torch.{name} has neither a stub nor a Python signature: this test cannot compare it; "
        "give the name a reasoned entry among the exceptions instead"
    )
    ours = _python_params(getattr(mlplab, name), drop_self=False)
    assert _matches(ours, overloads), (
        f"mlplab.{name}{inspect.signature(getattr(mlplab, name))} is none of torch's: "
        + "; ".join(str(_normal(o, False)) for o in overloads)
    )


def _torch_method_overloads(name: str) -> list[list[tuple]]:
    f = vars(torch.Tensor).get(name)
    if inspect.isfunction(f):  # written in Python (torch/_tensor.py): its own signature
        return [_python_params(f, drop_self=True)]
    return TENSOR_METHODS[name]


@pytest.mark.parametrize("name", _shared_methods())
def test_tensor_method_signature_is_torchs(name: str) -> None:
    ours = _python_params(vars_of(mlplab.Tensor)[name], drop_self=True)
    overloads = _torch_method_overloads(name)
    assert _matches(ours, overloads), (
        f"Tensor.{name}{inspect.signature(vars_of(mlplab.Tensor)[name])} is none of torch's: "
        + "; ".join(str(_normal(o, False)) for o in overloads)
    )


def test_exceptions_name_real_functions() -> None:
    for key in EXCEPTIONS:
        owner, _, attr = key.rpartition(".")
        assert hasattr(mlplab.Tensor if owner == "Tensor" else mlplab, attr), key
