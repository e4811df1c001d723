"""Run one PyTorch program file twice, with real torch and with mlplab standing in, and compare.

A program under ``tests/programs/progs/`` is ordinary user code: it starts with ``import torch``
and prints what it measures. :func:`run_program` executes it unchanged:

* ``lib="torch"``: with PyTorch 2.13 itself;
* ``lib="mlplab"``: with ``sys.modules['torch']`` (and every ``torch.*`` submodule the program
  imports) bound to mlplab's. The real torch entries are taken out for the run and put back
  afterwards, whatever happens, so nothing leaks into the next test.

Same initial weights: the two libraries' random generators differ (torch: Mersenne Twister,
mlplab: PCG64), so the runner gives both one *random source*: a NumPy generator seeded per run.
mlplab's draws all go through ``mlplab.random.rng``, which the runner points at that generator;
on the torch side the runner replaces torch's random entry points (``Tensor.uniform_``/``normal_``
as ``nn.init`` calls them, ``rand``, ``randn``, ``randint``, ``randperm`` as ``random_split``
calls it, ``normal``, ``multinomial`` as ``WeightedRandomSampler`` calls it, ``RandomSampler``'s
permutation and ``nn.functional.dropout``) by functions that make the same NumPy calls mlplab
makes (same shapes, order, dtypes; dropout keeps a unit where u >= p, as mlplab).
So ``nn.Linear``'s default init, ``nn.init.*``, DataLoader shuffling and dropout masks see the
same numbers in both runs while the program keeps calling ``torch.manual_seed`` as users do.
Every patch is undone after the run.

:func:`compare_outputs` then checks the two printed outputs number by number: the text between
the numbers must be identical (whitespace runs collapsed), and each pair of numbers must agree
within ``rtol``/``atol``.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.util
import io
import math
import os
import re
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

PROGS = Path(__file__).parent / "progs"
SEED = 20260


# --------------------------------------------------------------------------- mlplab as torch
class _TorchToMlplab(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolve ``torch.X`` to the module ``mlplab.X`` (or fail as Python does).

    The import system stamps the module it gets with the ``torch.X`` spec; the original
    ``__spec__`` of every module handed out is kept in ``respec`` and put back by the caller.
    """

    def __init__(self) -> None:
        self.respec: list[tuple[object, object]] = []

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        target = "mlplab" + spec.name[len("torch") :]
        try:
            module = importlib.import_module(target)
        except ImportError as e:
            raise ModuleNotFoundError(f"No module named {spec.name!r} (mlplab has no {target})") from e
        self.respec.append((module, module.__spec__))
        return module

    def exec_module(self, module):
        pass  # already executed under its mlplab name


@contextlib.contextmanager
def _mlplab_as_torch() -> Iterator[None]:
    import mlplab

    saved = {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}
    for k in saved:
        del sys.modules[k]
    finder = _TorchToMlplab()
    sys.meta_path.insert(0, finder)
    sys.modules["torch"] = mlplab
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for module, spec in reversed(finder.respec):
            module.__spec__ = spec
        for k in [k for k in sys.modules if k == "torch" or k.startswith("torch.")]:
            del sys.modules[k]
        sys.modules.update(saved)


# --------------------------------------------------------------------------- the random source
@contextlib.contextmanager
def _patched(obj, name, value) -> Iterator[None]:
    had = name in vars(obj)
    old = vars(obj).get(name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        if had:
            setattr(obj, name, old)
        else:
            delattr(obj, name)


def _shape(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


@contextlib.contextmanager
def _mlplab_random(rng: np.random.Generator) -> Iterator[None]:
    import mlplab.random

    with _patched(mlplab.random, "rng", lambda generator=None: rng):
        yield


@contextlib.contextmanager
def _torch_random(rng: np.random.Generator) -> Iterator[None]:
    """torch's random entry points, drawing from ``rng`` exactly as mlplab's do."""
    import torch
    import torch.nn.functional as F
    import torch.utils.data
    import torch.utils.data.dataset as ds

    float_np = {torch.float32: np.float32, torch.float64: np.float64}

    def np_dtype(dtype):
        return float_np[dtype or torch.get_default_dtype()]

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        with torch.no_grad():
            return self.copy_(torch.from_numpy(rng.uniform(a, b, tuple(self.shape))))

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        with torch.no_grad():
            return self.copy_(torch.from_numpy(rng.normal(mean, std, tuple(self.shape))))

    def finish(arr, requires_grad=False, **_):
        return torch.from_numpy(np.ascontiguousarray(arr)).requires_grad_(requires_grad)

    def rand(*size, dtype=None, requires_grad=False, generator=None, **kw):
        return finish(rng.random(_shape(size)).astype(np_dtype(dtype)), requires_grad)

    def randn(*size, dtype=None, requires_grad=False, generator=None, **kw):
        return finish(rng.standard_normal(_shape(size)).astype(np_dtype(dtype)), requires_grad)

    def randperm(n, *, generator=None, dtype=torch.int64, **kw):
        return torch.from_numpy(rng.permutation(int(n))).to(dtype)

    def randint(*args, size=None, generator=None, dtype=torch.int64, **kw):
        if size is None:
            *bounds, size = args
        else:
            bounds = list(args)
        low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
        return torch.from_numpy(rng.integers(low, high, _shape((size,))).astype(np.int64)).to(dtype)

    def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False, **kw):
        if isinstance(mean, torch.Tensor) or isinstance(std, torch.Tensor):
            raise NotImplementedError("the runner's torch.normal draws only for float mean and std")
        return finish(rng.normal(mean, std, _shape((size,))).astype(np_dtype(dtype)), requires_grad)

    def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
        # as mlplab's WeightedRandomSampler draws: a weighted choice, or the exponential race
        w = input.detach().numpy().astype(np.float64)
        if replacement:
            idx = rng.choice(len(w), size=num_samples, replace=True, p=w / w.sum())
        else:
            with np.errstate(divide="ignore"):
                idx = np.argsort(rng.exponential(size=len(w)) / w, kind="stable")[:num_samples]
        return torch.from_numpy(idx.astype(np.int64))

    def dropout(input, p=0.5, training=True, inplace=False):
        if not training or p == 0.0:
            return input
        dt = np_dtype(input.dtype)
        keep = rng.random(tuple(input.shape), dtype=dt) >= p
        mask = torch.from_numpy(np.multiply(keep, 1.0 / (1.0 - p), dtype=dt))
        return input.mul_(mask) if inplace else input * mask

    def sampler_iter(self):
        # torch draws one extra permutation at the end of every epoch (for the n % len remainder,
        # even when it is 0); mlplab draws one per full pass. The runner's source follows mlplab.
        n = len(self.data_source)
        if self.replacement:
            return iter(rng.integers(0, n, size=self.num_samples, dtype=np.int64).tolist())
        reps, rest = divmod(self.num_samples, n)
        parts = [rng.permutation(n) for _ in range(reps)]
        if rest:
            parts.append(rng.permutation(n)[:rest])
        return iter(np.concatenate(parts).tolist())

    with contextlib.ExitStack() as stack:
        for obj, name, fn in [
            (torch.utils.data.RandomSampler, "__iter__", sampler_iter),
            (torch.Tensor, "uniform_", uniform_),
            (torch.Tensor, "normal_", normal_),
            (torch, "rand", rand),
            (torch, "randn", randn),
            (torch, "randperm", randperm),
            (torch, "randint", randint),
            (torch, "normal", normal),
            (torch, "multinomial", multinomial),
            (ds, "randperm", randperm),
            (F, "dropout", dropout),
        ]:
            stack.enter_context(_patched(obj, name, fn))
        yield


# --------------------------------------------------------------------------- running
@contextlib.contextmanager
def _torch_globals() -> Iterator[None]:
    import torch

    dtype, grad, threads = torch.get_default_dtype(), torch.is_grad_enabled(), torch.get_num_threads()
    state = torch.get_rng_state()
    torch.set_num_threads(1)  # the machine is shared; one thread also fixes the summation order
    try:
        yield
    finally:
        torch.set_default_dtype(dtype)
        torch.set_grad_enabled(grad)
        torch.set_num_threads(threads)
        torch.set_rng_state(state)


@contextlib.contextmanager
def _mlplab_globals() -> Iterator[None]:
    import mlplab

    dtype, grad, state = mlplab.get_default_dtype(), mlplab.is_grad_enabled(), mlplab.get_rng_state()
    try:
        yield
    finally:
        mlplab.set_default_dtype(dtype)
        mlplab.set_grad_enabled(grad)
        mlplab.set_rng_state(state)


def run_program(name: str, lib: str, workdir: Path, seed: int = SEED) -> str:
    """Execute ``progs/NAME.py`` with ``lib`` ('torch' or 'mlplab') as torch; return its stdout.

    The program runs as ``__main__`` in ``workdir`` (files it saves land there), with a fresh
    random source seeded by ``seed``.
    """
    path = PROGS / f"{name}.py"
    rng = np.random.default_rng(seed)
    workdir.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    cwd = os.getcwd()
    with contextlib.ExitStack() as stack:
        if lib == "torch":
            stack.enter_context(_torch_globals())
            stack.enter_context(_torch_random(rng))
        elif lib == "mlplab":
            stack.enter_context(_mlplab_globals())
            stack.enter_context(_mlplab_as_torch())
            stack.enter_context(_mlplab_random(rng))
        else:
            raise ValueError(f"lib must be 'torch' or 'mlplab', got {lib!r}")
        os.chdir(workdir)
        stack.callback(os.chdir, cwd)
        stack.enter_context(contextlib.redirect_stdout(out))
        runpy.run_path(str(path), run_name="__main__")
    return out.getvalue()


# --------------------------------------------------------------------------- comparing
_NUM = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\b(?:nan|inf)\b")


def split_numbers(text: str) -> tuple[str, list[float]]:
    """The text with every number replaced by '#' (whitespace runs collapsed), and the numbers."""
    numbers = [float(m) for m in _NUM.findall(text)]
    skeleton = re.sub(r"\s+", " ", _NUM.sub("#", text)).strip()
    return skeleton, numbers


def compare_outputs(expected: str, actual: str, rtol: float, atol: float) -> float:
    """Assert the two outputs agree; return the largest |a - e| / (atol + rtol |e|) seen (<= 1).

    One difference is allowed in the text: mlplab's reprs name their own module
    (``mlplab.Size([32, 4])``, ``mlplab.float32``) where torch's say ``torch.``; the prefix is
    compared as equal (``docs/compatibility.md`` lists it).
    """
    actual = actual.replace("mlplab.", "torch.")
    sk_e, num_e = split_numbers(expected)
    sk_a, num_a = split_numbers(actual)
    if sk_e != sk_a:
        raise AssertionError(f"outputs differ in their text:\n--- torch\n{expected}\n--- mlplab\n{actual}")
    if len(num_e) != len(num_a):
        raise AssertionError(f"{len(num_e)} numbers from torch, {len(num_a)} from mlplab")
    if not num_e:
        raise AssertionError("the program printed no number to compare")
    worst = 0.0
    lines_e = expected.splitlines()
    for i, (e, a) in enumerate(zip(num_e, num_a)):
        if math.isnan(e) or math.isnan(a) or math.isinf(e) or math.isinf(a):
            ok, ratio = (math.isnan(e) and math.isnan(a)) or e == a, 0.0
        else:
            ratio = abs(a - e) / (atol + rtol * abs(e))
            ok = ratio <= 1.0
        if not ok:
            raise AssertionError(
                f"number {i}: torch {e!r}, mlplab {a!r} (rtol={rtol}, atol={atol})\n"
                f"torch output starts:\n" + "\n".join(lines_e[:40])
            )
        worst = max(worst, ratio)
    return worst
