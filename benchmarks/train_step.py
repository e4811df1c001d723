"""One training step of the notes' network: mlplab vs PyTorch vs a hand-written NumPy loop.

The network is the notes' digits classifier, ``Linear(64, 50) - Tanh - Linear(50, 10)`` with
``CrossEntropyLoss``, batch 32, float32. One step is exactly::

    opt.zero_grad(); loss = crit(model(x), y); loss.backward(); opt.step()

for Adam (lr 1e-3, the ``mlplab train`` default) and SGD (lr 0.01, momentum 0.9). The NumPy column
is the same forward, analytic backward and update written by hand on arrays (no autograd, no
modules): the floor any NumPy library pays. The epoch rows run one whole epoch of
``DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)`` over the 1437-sample digits
training set (sklearn ``load_digits``, 80/20 split, standardised with the training mean and std),
with the Adam step and ``loss.item()`` per batch, as a training loop does.

Fairness: ``OMP/OPENBLAS/MKL_NUM_THREADS=1`` are set before NumPy and PyTorch are imported and
``torch.set_num_threads(1)``, so both run on one thread; both libraries start from the same weights;
cases are interleaved inside each repeat (a load spike on the shared machine hits all of them) and
each figure is the median over the repeats of a block of steps.

    .venv/bin/python benchmarks/train_step.py                    # print the table
    .venv/bin/python benchmarks/train_step.py --markdown FILE    # also write it (markdown) to FILE
    .venv/bin/python benchmarks/train_step.py --phases           # the step phase by phase
    .venv/bin/python benchmarks/train_step.py --optims all       # step rows for every optimiser
    .venv/bin/python benchmarks/train_step.py --phases --mlplab-only --optims RMSprop,NAdam
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import mlplab  # noqa: E402

torch.set_num_threads(1)

B, D_IN, D_H, D_OUT = 32, 64, 50, 10
OPTIMS: dict[str, dict[str, Any]] = {
    "Adam": {"lr": 1e-3},
    "SGD": {"lr": 0.01, "momentum": 0.9},
}
# further optimisers for ``--optims`` (step rows and --phases only; no NumPy-by-hand column;
# Momentum is mlplab's own, so it has no PyTorch column either)
MORE_OPTIMS: dict[str, dict[str, Any]] = {
    "AdamW": {"lr": 1e-3},
    "RMSprop": {"lr": 1e-3},
    "RMSprop(centered,momentum)": {"lr": 1e-3, "centered": True, "momentum": 0.9},
    "Adagrad": {"lr": 1e-2},
    "NAdam": {"lr": 2e-3},
    "Momentum": {"lr": 0.1, "alpha": 0.9},
}
ALL_OPTIMS = {**OPTIMS, **MORE_OPTIMS}


# ------------------------------------------------------------------------------------ shared data
def _weights(seed: int = 0) -> list[np.ndarray]:
    """W1, b1, W2, b2 drawn as nn.Linear's default init draws them (U(-1/sqrt(in), 1/sqrt(in)))."""
    rs = np.random.RandomState(seed)
    out = []
    for fan_in, fan_out in ((D_IN, D_H), (D_H, D_OUT)):
        k = 1 / np.sqrt(fan_in)
        out.append(rs.uniform(-k, k, (fan_out, fan_in)).astype(np.float32))
        out.append(rs.uniform(-k, k, fan_out).astype(np.float32))
    return out


def _batch(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rs = np.random.RandomState(seed)
    return rs.randn(B, D_IN).astype(np.float32), rs.randint(0, D_OUT, B).astype(np.int64)


def digits() -> tuple[np.ndarray, np.ndarray]:
    """The digits training set: 1437 samples of 64 features (float32, standardised), int64 labels."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    Xtr, _, ytr, _ = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    sd[sd == 0] = 1.0
    return ((Xtr - mu) / sd).astype(np.float32), ytr.astype(np.int64)


# ------------------------------------------------------------------------------------ library cases
def _model(lib: Any, opt_name: str) -> tuple[Any, Any, Any]:
    nn = lib.nn
    model = nn.Sequential(nn.Linear(D_IN, D_H), nn.Tanh(), nn.Linear(D_H, D_OUT))
    with lib.no_grad():
        for p, w in zip(model.parameters(), _weights()):
            p.copy_(lib.tensor(w))
    crit = nn.CrossEntropyLoss()
    opt = getattr(lib.optim, opt_name.split("(")[0])(model.parameters(), **ALL_OPTIMS[opt_name])
    return model, crit, opt


def lib_step(lib: Any, opt_name: str) -> Callable[[], None]:
    """The brief's step on a fixed batch."""
    model, crit, opt = _model(lib, opt_name)
    xa, ya = _batch()
    x, y = lib.tensor(xa), lib.tensor(ya)

    def step() -> None:
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()

    return step


def lib_epoch(lib: Any, X: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    """One epoch over a shuffled DataLoader, Adam step and ``loss.item()`` per batch."""
    model, crit, opt = _model(lib, "Adam")
    data = lib.utils.data
    loader = data.DataLoader(data.TensorDataset(lib.tensor(X), lib.tensor(y)), batch_size=B, shuffle=True)

    def epoch() -> None:
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = crit(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item()

    return epoch


# ------------------------------------------------------------------------------------ NumPy floor
class NumpyNet:
    """The same network with the backward and the update written out on arrays."""

    def __init__(self, opt_name: str) -> None:
        self.params = _weights()
        self.opt = opt_name
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0
        self.ones = np.ones(D_OUT, np.float32)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        W1, b1, W2, b2 = self.params
        n = x.shape[0]
        h = np.tanh(x @ W1.T + b1)
        z = h @ W2.T + b2
        e = np.exp(z - z.max(1, keepdims=True))
        s = e.sum(1, keepdims=True)
        rows = np.arange(n)
        p = e / s
        loss = -np.log(p[rows, y]).mean()
        p[rows, y] -= 1.0
        p /= n  # dL/dz
        dh = (p @ W2) * (1.0 - h * h)
        grads = [dh.T @ x, dh.sum(0), p.T @ h, p.sum(0)]
        if self.opt == "Adam":
            self.t += 1
            b1c, b2c = 1 - 0.9**self.t, 1 - 0.999**self.t
            for w, g, m, v in zip(self.params, grads, self.m, self.v):
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * g * g
                w -= (1e-3 / b1c) * m / (np.sqrt(v) / np.sqrt(b2c) + 1e-8)
        else:
            for w, g, m in zip(self.params, grads, self.m):
                m *= 0.9
                m += g
                w -= 0.01 * m
        return float(loss)


def numpy_step(opt_name: str) -> Callable[[], None]:
    net = NumpyNet(opt_name)
    x, y = _batch()
    return lambda: net.step(x, y)


def numpy_epoch(X: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    net = NumpyNet("Adam")
    rng = np.random.default_rng(0)

    def epoch() -> None:
        order = rng.permutation(len(X))
        total = 0.0
        for i in range(0, len(X), B):
            idx = order[i : i + B]
            total += net.step(X[idx], y[idx])

    return epoch


# ------------------------------------------------------------------------------------ timing
def _block(fn: Callable[[], None], n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def measure(cases: dict[str, Callable[[], None]], n: int, repeats: int) -> dict[str, float]:
    """Median seconds per call of each case; cases interleaved within every repeat."""
    for f in cases.values():  # warm-up: lazy imports, state allocation, caches
        for _ in range(max(3, n // 10)):
            f()
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(repeats):
        for k, f in cases.items():
            times[k].append(_block(f, n))
    return {k: statistics.median(v) for k, v in times.items()}


def phases(lib: Any, opt_name: str, n: int = 3000) -> dict[str, float]:
    """Median microseconds of each phase of the step (a clock read around each; in the loop)."""
    model, crit, opt = _model(lib, opt_name)
    xa, ya = _batch()
    x, y = lib.tensor(xa), lib.tensor(ya)
    clock = time.perf_counter
    names = ("zero_grad", "forward", "loss", "backward", "step")
    ts: dict[str, list[float]] = {k: [] for k in names}
    for i in range(n + n // 10):
        t0 = clock()
        opt.zero_grad()
        t1 = clock()
        out = model(x)
        t2 = clock()
        loss = crit(out, y)
        t3 = clock()
        loss.backward()
        t4 = clock()
        opt.step()
        t5 = clock()
        if i >= n // 10:  # after a warm-up
            for k, a, b in zip(names, (t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5)):
                ts[k].append(b - a)
    return {k: statistics.median(v) * 1e6 for k, v in ts.items()}


def _has(lib: Any, opt_name: str) -> bool:
    return hasattr(lib.optim, opt_name.split("(")[0])


def run(
    steps: int, epochs: int, repeats: int, names: list[str] | None = None
) -> list[tuple[str, float, float, float]]:
    """Rows (label, mlplab us, torch us, numpy us); ``names`` given: only those steps, no epoch row."""
    rows = []
    for name in names or list(OPTIMS):
        kw = ALL_OPTIMS[name]
        cases = {"mlplab": lib_step(mlplab, name)}
        if _has(torch, name):
            cases["torch"] = lib_step(torch, name)
        if name in OPTIMS:
            cases["numpy"] = numpy_step(name)
        med = measure(cases, steps, repeats)
        label = f"step, {name.split('(')[0]}" + "".join(f" {k}={v}" for k, v in kw.items())
        nan = float("nan")
        rows.append((label, med["mlplab"] * 1e6, med.get("torch", nan) * 1e6, med.get("numpy", nan) * 1e6))
        print(_row(rows[-1]), flush=True)
    if names:
        return rows
    X, y = digits()
    med = measure(
        {"mlplab": lib_epoch(mlplab, X, y), "torch": lib_epoch(torch, X, y), "numpy": numpy_epoch(X, y)},
        epochs,
        repeats,
    )
    nb = -(-len(X) // B)
    label = f"epoch, Adam, digits {len(X)} samples = {nb} batches (DataLoader, shuffle)"
    rows.append((label, med["mlplab"] * 1e6, med["torch"] * 1e6, med["numpy"] * 1e6))
    print(_row(rows[-1]), flush=True)
    return rows


HEADER = (
    "| case | mlplab (us) | PyTorch (us) | mlplab / PyTorch | NumPy by hand (us) |\n|---|---:|---:|---:|---:|"
)


def _row(r: tuple[str, float, float, float]) -> str:
    label, m, t, n = r
    if t != t:  # NaN: no PyTorch counterpart
        return f"| {label} | {m:.0f} | - | - | {'-' if n != n else f'{n:.0f}'} |"
    return f"| {label} | {m:.0f} | {t:.0f} | {m / t:.2f}x | {'-' if n != n else f'{n:.0f}'} |"


def environment() -> str:
    return (
        f"Python {platform.python_version()}, NumPy {np.__version__}, PyTorch {torch.__version__}, "
        f"mlplab {mlplab.__version__}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; one thread (OMP/OPENBLAS/MKL_NUM_THREADS=1 set before importing "
        f"NumPy and PyTorch, torch.set_num_threads(1)); float32."
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=200, help="steps per timed block")
    ap.add_argument("--epochs", type=int, default=3, help="epochs per timed block")
    ap.add_argument("--repeats", type=int, default=9, help="interleaved repeats (the median is reported)")
    ap.add_argument("--markdown", help="also write the table and the environment line to this file")
    ap.add_argument("--phases", action="store_true", help="only print per-phase step times")
    ap.add_argument(
        "--optims",
        help=f"comma-separated optimisers, step rows only (any of {', '.join(ALL_OPTIMS)}; 'all')",
    )
    ap.add_argument("--mlplab-only", action="store_true", help="with --phases: no PyTorch columns")
    args = ap.parse_args()
    names = None
    if args.optims:
        names = list(ALL_OPTIMS) if args.optims == "all" else args.optims.split(",")
    if args.phases:
        libs = (mlplab,) if args.mlplab_only else (mlplab, torch)
        pairs = [(lib, k) for k in names or OPTIMS for lib in libs if _has(lib, k)]
        heads = [f"{lib.__name__} {k}" for lib, k in pairs]
        print("| phase (us, median) | " + " | ".join(heads) + " |")
        print("|---|" + "---:|" * len(heads))
        cols = [phases(lib, k) for lib, k in pairs]
        for ph in cols[0]:
            print(f"| {ph} | " + " | ".join(f"{c[ph]:.1f}" for c in cols) + " |")
        print("| sum | " + " | ".join(f"{sum(c.values()):.1f}" for c in cols) + " |")
        return
    print(HEADER, flush=True)
    rows = run(args.steps, args.epochs, args.repeats, names)
    print()
    print(environment())
    if args.markdown:
        body = "\n".join([HEADER, *(_row(r) for r in rows)])
        with open(args.markdown, "w") as fh:
            fh.write(body + "\n\n" + environment() + "\n")


if __name__ == "__main__":
    main()
