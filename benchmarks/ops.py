"""Per-op cost of mlplab against PyTorch (and hand-written NumPy), forward + backward.

Small networks are bound by per-op Python overhead, not arithmetic, so this measures the time of
one op's forward and backward on the notes' sizes (batch 32, 64-50-10 net), in microseconds:

    .venv/bin/python benchmarks/ops.py                 # table on stdout
    .venv/bin/python benchmarks/ops.py --markdown notes/bench_ops.md

Fairness: everything runs single-threaded (``torch.set_num_threads(1)`` and the BLAS thread
variables set to 1 before NumPy loads), in one process, cases interleaved; each figure is the
median over ``--repeat`` runs of a ``timeit`` loop (about 0.2 s each). Leaf gradients are reset to
None before every step (``zero_grad(set_to_none=True)``, PyTorch's default), so both libraries
allocate fresh gradient buffers each time. The NumPy column is the same computation written by
hand (forward and the analytic backward, no autograd): the floor any library pays.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import timeit  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import mlplab  # noqa: E402

torch.set_num_threads(1)

B, D_IN, D_H, D_OUT = 32, 64, 50, 10


def _data(lib: Any, seed: int = 0) -> dict[str, Any]:
    rs = np.random.RandomState(seed)
    f = np.float32
    return {
        "a": lib.tensor(rs.randn(B, D_H).astype(f), requires_grad=True),
        "b": lib.tensor(rs.randn(B, D_H).astype(f), requires_grad=True),
        "x": lib.tensor(rs.randn(B, D_IN).astype(f), requires_grad=True),
        "w": lib.tensor(rs.randn(D_IN, D_H).astype(f), requires_grad=True),
        "g": lib.tensor(np.ones((B, D_H), f)),
        "xin": lib.tensor(rs.randn(B, D_IN).astype(f)),
        "y": lib.tensor(rs.randint(0, D_OUT, B)),
        "W1": lib.tensor((rs.randn(D_H, D_IN) * 0.1).astype(f), requires_grad=True),
        "b1": lib.tensor(np.zeros(D_H, f), requires_grad=True),
        "W2": lib.tensor((rs.randn(D_OUT, D_H) * 0.1).astype(f), requires_grad=True),
        "b2": lib.tensor(np.zeros(D_OUT, f), requires_grad=True),
    }


def case_add(lib: Any) -> Callable[[], None]:
    d = _data(lib)
    a, b, g = d["a"], d["b"], d["g"]

    def step() -> None:
        a.grad = b.grad = None
        (a + b).backward(g)

    return step


def case_mul(lib: Any) -> Callable[[], None]:
    d = _data(lib)
    a, b, g = d["a"], d["b"], d["g"]

    def step() -> None:
        a.grad = b.grad = None
        (a * b).backward(g)

    return step


def case_matmul(lib: Any) -> Callable[[], None]:
    d = _data(lib)
    x, w, g = d["x"], d["w"], d["g"]

    def step() -> None:
        x.grad = w.grad = None
        (x @ w).backward(g)

    return step


def case_tanh(lib: Any) -> Callable[[], None]:
    d = _data(lib)
    a, g = d["a"], d["g"]

    def step() -> None:
        a.grad = None
        a.tanh().backward(g)

    return step


def case_sum(lib: Any) -> Callable[[], None]:
    d = _data(lib)
    a = d["a"]

    def step() -> None:
        a.grad = None
        a.sum().backward()

    return step


def case_mlp(lib: Any) -> Callable[[], None]:
    """One SGD step of the notes' 64-50-10 tanh net on a batch of 32, written with core ops only:
    linear -> tanh -> linear -> cross-entropy (logsumexp - picked logit), backward, update."""
    d = _data(lib)
    x, y = d["xin"], d["y"]
    params = [d["W1"], d["b1"], d["W2"], d["b2"]]
    W1, b1, W2, b2 = params
    rows = lib.arange(B)

    def step() -> None:
        for p in params:
            p.grad = None
        h = (x @ W1.T + b1).tanh()
        z = h @ W2.T + b2
        loss = (z.logsumexp(1) - z[rows, y]).mean()
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= 0.1 * p.grad

    return step


def case_mlp_nn(lib: Any) -> Callable[[], None] | None:
    """The same step with ``nn.Sequential(Linear, Tanh, Linear)``, ``CrossEntropyLoss`` and
    ``optim.SGD`` (skipped if mlplab.nn/optim are not importable)."""
    try:
        nn, optim = lib.nn, lib.optim
        lib.manual_seed(0)
        model = nn.Sequential(nn.Linear(D_IN, D_H), nn.Tanh(), nn.Linear(D_H, D_OUT))
        loss_fn = nn.CrossEntropyLoss()
        opt = optim.SGD(model.parameters(), lr=0.1)
    except Exception:  # noqa: BLE001 - an unfinished layer only drops this row
        return None
    d = _data(lib)
    x, y = d["xin"], d["y"]

    def step() -> None:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


# ---------------------------------------------------------------- hand-written NumPy floor


def numpy_cases() -> dict[str, Callable[[], None]]:
    rs = np.random.RandomState(0)
    f = np.float32
    a, b = rs.randn(B, D_H).astype(f), rs.randn(B, D_H).astype(f)
    x, w = rs.randn(B, D_IN).astype(f), rs.randn(D_IN, D_H).astype(f)
    g = np.ones((B, D_H), f)
    xin, y = rs.randn(B, D_IN).astype(f), rs.randint(0, D_OUT, B)
    W1, b1 = (rs.randn(D_H, D_IN) * 0.1).astype(f), np.zeros(D_H, f)
    W2, b2 = (rs.randn(D_OUT, D_H) * 0.1).astype(f), np.zeros(D_OUT, f)
    rows = np.arange(B)

    def add() -> None:
        a + b
        g.copy(), g.copy()

    def mul() -> None:
        a * b
        g * b, g * a

    def matmul() -> None:
        x @ w
        g @ w.T, x.T @ g

    def tanh() -> None:
        t = np.tanh(a)
        g * (1 - t * t)

    def sum_() -> None:
        a.sum()
        np.ones_like(a)

    def mlp() -> None:
        h = np.tanh(xin @ W1.T + b1)
        z = h @ W2.T + b2
        m = z.max(1, keepdims=True)
        e = np.exp(z - m)
        s = e.sum(1, keepdims=True)
        _ = (np.log(s) + m).ravel() - z[rows, y]
        dz = e / s
        dz[rows, y] -= 1
        dz /= B
        dW2, db2 = dz.T @ h, dz.sum(0)
        dh = (dz @ W2) * (1 - h * h)
        dW1, db1 = dh.T @ xin, dh.sum(0)
        for p, dp in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
            p -= 0.1 * dp

    return {"add": add, "mul": mul, "matmul": matmul, "tanh": tanh, "sum": sum_, "mlp": mlp}


CASES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "add": (f"add ({B}x{D_H} + {B}x{D_H})", case_add),
    "mul": (f"mul ({B}x{D_H} * {B}x{D_H})", case_mul),
    "matmul": (f"matmul ({B}x{D_IN} @ {D_IN}x{D_H})", case_matmul),
    "tanh": (f"tanh ({B}x{D_H})", case_tanh),
    "sum": (f"sum ({B}x{D_H} -> scalar)", case_sum),
    "mlp": (f"MLP step {D_IN}-{D_H}-{D_OUT}, batch {B} (core ops)", case_mlp),
    "mlp_nn": (f"MLP step {D_IN}-{D_H}-{D_OUT}, batch {B} (nn + optim.SGD)", case_mlp_nn),
}


def _number(fn: Callable[[], None], target: float = 0.2) -> int:
    n = 1
    while True:
        t = timeit.timeit(fn, number=n)
        if t >= target / 5:
            return max(1, int(n * target / t))
        n *= 4


def run(repeat: int, only: list[str] | None = None) -> list[dict[str, Any]]:
    nps = numpy_cases()
    rows = []
    for key, (label, make) in CASES.items():
        if only and key not in only:
            continue
        fns = {"mlplab": make(mlplab), "torch": make(torch), "numpy": nps.get(key)}
        if fns["mlplab"] is None or fns["torch"] is None:
            continue
        fns = {k: v for k, v in fns.items() if v is not None}
        for f in fns.values():  # warm up (first calls allocate, import lazily)
            for _ in range(20):
                f()
        nums = {k: _number(f) for k, f in fns.items()}
        times: dict[str, list[float]] = {k: [] for k in fns}
        for _ in range(repeat):
            for k, f in fns.items():
                times[k].append(timeit.timeit(f, number=nums[k]) / nums[k] * 1e6)
        med = {k: statistics.median(v) for k, v in times.items()}
        rows.append({"key": key, "label": label, **med})
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    out = [
        "| forward + backward | mlplab (us) | PyTorch (us) | mlplab / PyTorch | NumPy by hand (us) |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        npc = f"{r['numpy']:.1f}" if "numpy" in r else "-"
        ratio = r["mlplab"] / r["torch"]
        out.append(f"| {r['label']} | {r['mlplab']:.1f} | {r['torch']:.1f} | {ratio:.2f}x | {npc} |")
    return "\n".join(out)


def environment() -> str:
    return (
        f"Python {platform.python_version()}, NumPy {np.__version__}, PyTorch {torch.__version__}, "
        f"mlplab {mlplab.__version__}; {platform.processor() or platform.machine()}; single thread "
        f"(torch.set_num_threads(1), OPENBLAS/MKL/OMP_NUM_THREADS=1); float32."
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7, help="timeit runs per case; the median is reported")
    ap.add_argument("--only", nargs="*", choices=sorted(CASES), help="run only these cases")
    ap.add_argument("--markdown", help="also write the table (with the environment line) to this file")
    args = ap.parse_args()
    rows = run(args.repeat, args.only)
    text = table(rows)
    print(text)
    print()
    print(environment())
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(
                "# Per-op overhead: mlplab vs PyTorch\n\n"
                "Measured with `benchmarks/ops.py` (median of "
                f"{args.repeat} timeit runs, microseconds per forward + backward).\n\n"
                + text
                + "\n\n"
                + environment()
                + "\n"
            )


if __name__ == "__main__":
    main()
