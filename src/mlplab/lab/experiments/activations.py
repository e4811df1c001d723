r"""``activations``: each activation of the registry and its derivative; dead ReLU units.

    sigmoid(x) = 1 / (1 + e^-x),        sigmoid' = sigmoid (1 - sigmoid) <= 1/4 (at x = 0),
    tanh'(x) = 1 - tanh(x)^2 <= 1,      relu'(x) = 1 if x > 0 else 0,
    leaky_relu'(x) = 1 if x > 0 else 0.01,   prelu'(x) = 1 if x > 0 else a (learned, a_0 = 0.25).

sigmoid' < 0.01 once |x| > 5 (sigmoid'(5) = 0.0066): saturated units pass almost no gradient, and
through many layers the product of factors <= 1/4 vanishes. A ReLU unit whose pre-activation is
negative for every input gets zero gradient and never recovers ("dead"); a large learning-rate step
can push units there. LeakyReLU and PReLU keep a non-zero slope, so no unit loses its gradient.
Dead is measured by autograd: a hidden unit none of whose inputs passes gradient through it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ... import float32, float64, manual_seed, nn, optim, tensor
from ...nn import functional as F
from ...train import REGISTRIES
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure

CURVES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu", "softplus")
DEPTH, HIDDEN = 3, 64
HIGH_LR, LOW_LR = 1.0, 0.05


def curve(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f'(x) (autograd, float64) of the registry's activation ``name``."""
    xt = tensor(x, dtype=float64, requires_grad=True)
    y = REGISTRIES["activation"].get(name).factory()(xt)
    y.sum().backward()
    return y.detach().numpy().copy(), xt.grad.numpy().copy()  # type: ignore[union-attr]


def digits() -> tuple[object, object]:
    """The digits data set (registry), standardised, as float32 / int tensors."""
    raw = REGISTRIES["dataset"].get("digits").factory()
    x = (raw.X - raw.X.mean(0)) / (raw.X.std(0) + 1e-8)
    return tensor(x, dtype=float32), tensor(raw.y)


def dead_fraction(act: str, lr: float, seed: int, data: tuple[object, object], epochs: int = 3) -> float:
    """Train a 64-64-64-64-10 net (SGD, batches of 64) and return the fraction of hidden units
    through which no training input passes any gradient (d sum(h) / d z = 0 for every input)."""
    x, y = data
    manual_seed(seed)
    linears = [nn.Linear(64, HIDDEN) if i == 0 else nn.Linear(HIDDEN, HIDDEN) for i in range(DEPTH)]
    acts = [REGISTRIES["activation"].get(act).factory() for _ in range(DEPTH)]
    layers: list[nn.Module] = [m for pair in zip(linears, acts) for m in pair]
    model = nn.Sequential(*layers, nn.Linear(HIDDEN, 10))
    opt = optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    n = len(y)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a diverging run overflows; it is counted
        for _ in range(epochs):
            order = rng.permutation(n)
            for i in range(0, n, 64):
                idx = order[i : i + 64]
                opt.zero_grad()
                F.cross_entropy(model(x[idx]), y[idx]).backward()  # type: ignore[index]
                opt.step()
        dead = []
        h = x
        for linear, a in zip(linears, acts):
            z = linear(h).detach().requires_grad_(True)
            a(z).sum().backward()
            dead.append(np.all(z.grad.numpy() == 0, axis=0))  # type: ignore[union-attr]
            h = a(z).detach()
    return float(np.mean(dead))


@experiment(
    "activations",
    section="Activation functions: Sigmoid, Tanh, ReLU, LeakyReLU, PReLU",
    claim="sigmoid' <= 0.25 and < 0.01 for |x| > 5; a high learning rate kills ReLU units, "
    "not LeakyReLU/PReLU ones",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """Curves on [-6, 6]; dead units after 3 epochs of digits at lr 1.0 vs 0.05, over 4 (quick) or
    10 seeds (a single run is noisy: which units die depends on the batches)."""
    x = np.linspace(-6, 6, 1201)
    curves = {name: curve(name, x) for name in CURVES}
    sig_d = curves["sigmoid"][1]
    data = digits()
    seeds = [seed + k for k in range(4 if quick else 10)]
    dead = {
        ("relu", HIGH_LR): [dead_fraction("relu", HIGH_LR, s, data) for s in seeds],
        ("relu", LOW_LR): [dead_fraction("relu", LOW_LR, s, data) for s in seeds],
        ("leaky_relu", HIGH_LR): [dead_fraction("leaky_relu", HIGH_LR, s, data) for s in seeds],
        ("prelu", HIGH_LR): [dead_fraction("prelu", HIGH_LR, s, data) for s in seeds],
    }
    mean = {k: float(np.mean(v)) for k, v in dead.items()}

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    for name, (value, grad) in curves.items():
        axes[0].plot(x, value, label=name)
        axes[1].plot(x, grad, label=name)
    axes[0].set_ylim(-1.5, 3)
    axes[0].set_title("Activation functions f(x)")
    axes[0].set_ylabel("f(x)")
    axes[1].axhline(0.25, color="gray", ls=":", lw=1)
    axes[1].text(-5.9, 0.28, "sigmoid' max = 0.25", fontsize=8, color="gray")
    axes[1].set_ylim(-0.2, 1.3)
    axes[1].set_title("Derivatives f'(x) (autograd)")
    axes[1].set_ylabel("f'(x)")
    for ax in axes[:2]:
        ax.set_xlabel("pre-activation x")
        ax.legend(fontsize=7, ncol=2)
        ax.grid(alpha=0.3)
    ax = axes[2]
    labels = [f"ReLU\nlr {LOW_LR}", f"ReLU\nlr {HIGH_LR}", f"LeakyReLU\nlr {HIGH_LR}", f"PReLU\nlr {HIGH_LR}"]
    keys = [("relu", LOW_LR), ("relu", HIGH_LR), ("leaky_relu", HIGH_LR), ("prelu", HIGH_LR)]
    for i, key in enumerate(keys):
        ax.plot([i] * len(seeds), np.array(dead[key]) * 100, "o", color="gray", alpha=0.6, ms=4)
        ax.bar(i, mean[key] * 100, color="tab:red" if key[0] == "relu" else "tab:green", alpha=0.6)
        ax.annotate(f"{mean[key] * 100:.1f}%", (i, mean[key] * 100), ha="center", va="bottom", fontsize=8)
    ax.bar(0, 0, color="tab:red", alpha=0.6, label="mean over seeds")
    ax.plot([], [], "o", color="gray", label="one seed")
    ax.set_xticks(range(4), labels, fontsize=8)
    ax.set_ylabel("dead hidden units (%)")
    ax.set_title(
        f"Units with zero gradient for every input\n(digits, {DEPTH}x{HIDDEN} hidden, SGD, 3 epochs)"
    )
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    figure = save_figure(fig, out_dir, "activations")

    rows = [
        {
            "activation": name,
            "max f'": float(grad.max()),
            "min f'": float(grad.min()),
            "f'(5)": float(grad[1100]),
        }
        for name, (_, grad) in curves.items()
    ]
    dead_rows = [
        {"activation": a, "lr": lr, "dead fraction (mean)": mean[(a, lr)], "per seed": dead[(a, lr)]}
        for a, lr in keys
    ]
    claims = [
        Claim("max sigmoid'(x) over [-6, 6]", float(sig_d.max()), "<=", 0.25),
        Claim("max sigmoid'(x) for |x| > 5", float(sig_d[np.abs(x) > 5].max()), "<", 0.01),
        Claim("max tanh'(x) over [-6, 6]", float(curves["tanh"][1].max()), "<=", 1.0),
        Claim(
            f"dead ReLU fraction at lr {HIGH_LR} / at lr {LOW_LR} (mean over seeds)",
            mean[("relu", HIGH_LR)] / max(mean[("relu", LOW_LR)], 1e-3),
            ">",
            2.0,
        ),
        Claim(
            f"dead LeakyReLU + PReLU units at lr {HIGH_LR} (a non-zero slope keeps the gradient)",
            mean[("leaky_relu", HIGH_LR)] + mean[("prelu", HIGH_LR)],
            "<=",
            0.0,
        ),
    ]
    return LabResult(
        "activations",
        figures=[figure],
        tables={"derivatives": rows, "dead units": dead_rows},
        claims=claims,
    )
