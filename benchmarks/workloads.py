"""The suite's workloads, each buildable on mlplab, PyTorch or the hand-written NumPy floor.

A workload's ``build(impl, quick)`` returns a :class:`Case`: a function that runs one timed block
(an epoch, a block of steps) and how many units (epochs, steps, batches) that block holds. Every
implementation of a workload starts from the same weights (:func:`floor.init_weights`) and sees the
same data; mlplab and PyTorch run the same user-level loop (``DataLoader`` with shuffle,
``zero_grad / loss / backward / step``, ``loss.item()`` per batch), the floor a shuffled index
over the arrays. Nothing here imports torch unless the ``torch`` implementation is built, so a
child process measuring mlplab's or the floor's peak memory never loads it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import floor

IMPLS = ("mlplab", "torch", "torch_fused", "floor")  # torch_fused: PyTorch with Adam(fused=True)


@dataclass
class Case:
    """One timed block: ``run()`` does ``units`` units of work (epochs, steps or batches; an epoch
    may be a fraction when ``--quick`` runs part of it)."""

    run: Callable[[], None]
    units: float


@dataclass
class Workload:
    """A named workload: ``unit`` is what the table reports, ``scale`` turns seconds into it;
    ``repeats`` (``quick_repeats``) rounds by default: more for the short runs, whose times scatter
    more from run to run."""

    key: str
    title: str
    unit: str
    scale: float
    build: Callable[[str, bool], Case | None]
    quick_note: str = ""
    repeats: int = 5  # rounds of the suite (each implementation runs once per round)
    quick_repeats: int = 3
    rewarm: bool = False  # an untimed run before each timed one (short runs: see benchmarks/suite.py)
    settle: bool = False  # a pause after each run above one thread (threaded GEMMs: benchmarks/suite.py)


# ------------------------------------------------------------------------------------ data
def digits() -> tuple[np.ndarray, np.ndarray]:
    """sklearn's digits training split (1437 x 64, 80/20 stratified, seed 0), standardised."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    Xtr, _, ytr, _ = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    sd[sd == 0] = 1.0
    return ((Xtr - mu) / sd).astype(np.float32), ytr.astype(np.int64)


def synthetic(n: int, d: int = 784, classes: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random MNIST-shaped samples: N(0, 1) float32 features, uniform int64 labels."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d), dtype=np.float32), rng.integers(0, classes, n, dtype=np.int64)


# ------------------------------------------------------------------------------------ builders
def _lib(impl: str) -> Any:
    return importlib.import_module("mlplab" if impl == "mlplab" else "torch")  # torch, torch_fused


def _model(lib: Any, sizes: list[int], act: str) -> Any:
    nn = lib.nn
    layers: list[Any] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh() if act == "tanh" else nn.ReLU())
    model = nn.Sequential(*layers)
    with lib.no_grad():
        for p, w in zip(model.parameters(), floor.init_weights(sizes)):
            p.copy_(lib.tensor(w))
    return model


def training(
    impl: str, sizes: list[int], act: str, opt: str, lr: float, X: np.ndarray, y: np.ndarray, batch: int
) -> Callable[[], None]:
    """One epoch over (X, y) in shuffled batches, the user-level loop of each implementation."""
    if impl == "floor":
        net = floor.FloorMLP(sizes, act, opt, lr)
        rng = np.random.default_rng(0)

        def floor_epoch() -> None:
            order = rng.permutation(len(X))
            total = 0.0
            for i in range(0, len(X), batch):
                idx = order[i : i + batch]
                total += net.step(X[idx], y[idx])

        return floor_epoch
    lib = _lib(impl)
    model = _model(lib, sizes, act)
    if opt == "adam":  # torch_fused: PyTorch's one-kernel Adam, the second reference
        kw = {"fused": True} if impl == "torch_fused" else {}
        optim = lib.optim.Adam(model.parameters(), lr=lr, **kw)
    else:
        optim = lib.optim.SGD(model.parameters(), lr=lr)
    crit = lib.nn.CrossEntropyLoss()
    data = lib.utils.data
    # from_numpy shares X's memory (lib.tensor would copy it), so every implementation holds the
    # data once and peak RSS compares the training, not a second copy of a 188 MB data set
    dataset = data.TensorDataset(lib.from_numpy(X), lib.from_numpy(y))
    loader = data.DataLoader(dataset, batch_size=batch, shuffle=True)

    def lib_epoch() -> None:
        total = 0.0
        for xb, yb in loader:
            optim.zero_grad()
            loss = crit(model(xb), yb)
            loss.backward()
            optim.step()
            total += loss.item()

    return lib_epoch


def build_digits(impl: str, quick: bool) -> Case:
    X, y = digits()
    return Case(training(impl, [64, 50, 10], "tanh", "adam", 1e-3, X, y, 32), 1)


def build_batch1(impl: str, quick: bool) -> Case | None:
    if impl == "torch_fused":  # SGD: no fused Adam to compare
        return None
    X, y = digits()
    n = 300 if quick else len(X) // 3  # a third of the epoch per run, so more runs fit
    return Case(training(impl, [64, 50, 10], "tanh", "sgd", 0.01, X[:n], y[:n], 1), n)


def build_mid(impl: str, quick: bool) -> Case:
    X, y = synthetic(6000 if quick else 60000)
    # a --quick run of 6000 samples counts as 0.1 of the 60k epoch (time scaled by sample count)
    return Case(training(impl, [784, 256, 256, 10], "relu", "adam", 1e-3, X, y, 128), len(X) / 60000)


def build_gemm(impl: str, quick: bool) -> Case:
    steps = 2 if quick else 8
    X, y = synthetic(512 * steps, seed=1)
    return Case(training(impl, [784, 2048, 2048, 10], "relu", "adam", 1e-3, X, y, 512), steps)


def build_numgrad(impl: str, quick: bool) -> Case | None:
    """Training by numerical gradients on digits batches: mlplab.train's vectorised central
    differences (``numerical_gradients`` + Adam) against the straightforward per-parameter loop
    (the floor column); PyTorch has no such path."""
    if impl.startswith("torch"):
        return None
    X, y = digits()
    batches = 1 if quick else 3
    sizes = [64, 50, 10]
    if impl == "floor":
        net = floor.FloorMLP(sizes, "tanh", "adam", 1e-3)

        def floor_run() -> None:
            for i in range(batches):
                xb, yb = X[32 * i : 32 * i + 32], y[32 * i : 32 * i + 32]
                grads = floor.naive_numerical_grads(net.params, xb, yb, "tanh")
                net._update([g.astype(np.float32) for g in grads])

        return Case(floor_run, batches)
    import mlplab
    from mlplab.train.losses import LossSpec
    from mlplab.train.numgrad import assign_grads, numerical_gradients

    model = _model(mlplab, sizes, "tanh")
    opt = mlplab.optim.Adam(model.parameters(), lr=1e-3)
    spec = LossSpec("cross_entropy", "classification", n_classes=10)

    def mlplab_run() -> None:
        for i in range(batches):
            xb, yb = X[32 * i : 32 * i + 32], y[32 * i : 32 * i + 32]
            opt.zero_grad()
            assign_grads(model, numerical_gradients(model, xb, yb, spec))
            opt.step()

    return Case(mlplab_run, batches)


def numgrad_agreement() -> tuple[float, float]:
    """Largest |mlplab numerical_gradients - straightforward loop| over one digits batch of 32, and
    the batch's loss L (the rounding of the differences scales with eps |L| / h)."""
    import mlplab
    from mlplab.train import numerical_gradients
    from mlplab.train.losses import LossSpec

    X, y = digits()
    xb, yb = X[:32], y[:32]
    model = _model(mlplab, [64, 50, 10], "tanh").double()
    spec = LossSpec("cross_entropy", "classification", n_classes=10)
    fast = numerical_gradients(model, xb, yb, spec)
    weights = floor.init_weights([64, 50, 10])
    slow = floor.naive_numerical_grads(weights, xb, yb, "tanh")
    loss = floor.loss64([w.astype(np.float64) for w in weights], xb.astype(np.float64), yb, "tanh")
    return max(float(np.abs(a - b).max()) for a, b in zip(fast, slow)), float(loss)


WORKLOADS: dict[str, Workload] = {
    w.key: w
    for w in (
        Workload("digits", "digits 64-50-10 Tanh, b32, Adam", "s/epoch", 1.0, build_digits, "", 61, 15, True),
        Workload(
            "batch1",
            "batch-1 SGD on digits, 64-50-10 Tanh",
            "us/step",
            1e6,
            build_batch1,
            "300 steps per run instead of 479",
            41,
            9,
            True,
        ),
        Workload(
            "mid",
            "784-256-256-10 ReLU, b128, Adam, 60k synthetic",
            "s/epoch",
            1.0,
            build_mid,
            "6000 samples per run, scaled to 60k",
            9,
            3,
            settle=True,
        ),
        Workload(
            "gemm",
            "784-2048-2048-10 ReLU, b512, Adam (GEMM-bound)",
            "ms/step",
            1e3,
            build_gemm,
            "2 steps per run instead of 8",
            settle=True,
        ),
        Workload(
            "numgrad",
            "numerical-gradient training, digits 64-50-10 b32 (floor: per-parameter loop)",
            "s/batch",
            1.0,
            build_numgrad,
            "1 batch per run instead of 3",
            15,
            3,
            True,
        ),
    )
}
