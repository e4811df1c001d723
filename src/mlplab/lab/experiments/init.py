r"""``init``: how the initial weights shape the activations and gradients of a deep net.

A Linear layer z = W h with n_in inputs of variance v gives Var(z) = n_in Var(w) v, so

    normal(0.01)    Var(z) = n_in 1e-4 v    shrinks each layer (vanishing activations and gradients)
    normal(1)       Var(z) = n_in v         grows each layer; sigmoid/tanh saturate at 0/1, +-1
    Xavier          Var(w) = 2 / (n_in + n_out) = 1 / n   keeps Var(z) = v (tanh near 0 is linear;
                    its slope < 1 elsewhere lets the spread shrink slowly, by about half in 5 layers)
    Kaiming (He)    Var(w) = 2 / n_in        ReLU zeroes half its inputs: keeps Var after ReLU
    zeros/constant  every unit of a layer computes the same thing; backprop gives them the same
                    gradient, so they stay identical for ever (the symmetry the notes warn about)

Activations: 5 hidden layers of 100 units on 1000 N(0, 1) inputs. Gradients: for a cross-entropy
loss on random labels, dL/dz reaching each layer's pre-activation z (the backward signal, which
shrinks or grows layer by layer like the forward one) and dL/dW (= dL/dz h^T, where the two
trends partly cancel). Training: digits 64-50-50-10 per init; identical hidden units are measured
as the largest difference between two units' incoming weights, relative to the largest weight.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ... import manual_seed, nn, optim, randint, randn
from ...nn import functional as F
from ...train import REGISTRIES, build_mlp
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure
from ..training import train_digits

DEPTH, WIDTH, SAMPLES = 5, 100, 1000
ACTIVATIONS = ("sigmoid", "tanh", "relu")
CONSTANT = 0.1


def _registry(name: str, **options: Any) -> Callable[[Any, str], None]:
    """The initializer registry's entry ``name`` as ``init(weight, activation)``."""
    entry = REGISTRIES["init"].get(name)
    return lambda w, act: entry.factory(
        w, REGISTRIES["activation"].get(act).properties.get("gain", act), **options
    )


INITS: dict[str, Callable[[Any, str], None]] = {
    "zeros": _registry("zeros"),
    f"constant {CONSTANT}": _registry("constant", init_value=CONSTANT),
    "normal(1)": _registry("normal"),
    "normal(0.01)": lambda w, act: nn.init.normal_(w, 0.0, 0.01),
    "Xavier": _registry("xavier_normal"),
    "Kaiming": _registry("kaiming_normal"),
}
"""Label -> init(weight, activation); all but normal(0.01) are entries of the init registry."""

TRAIN_INITS = {
    "zeros": "zeros",
    f"constant {CONSTANT}": "constant",
    "Xavier": "xavier_normal",
    "Kaiming": "kaiming_normal",
}
"""The inits trained on digits (label -> registry entry)."""


def deep_net(init: str, act: str) -> tuple[list[Any], nn.Sequential]:
    """5 hidden Linear(100) + ``act`` layers and a Linear(100, 10) head, weights by ``init``,
    biases 0; returns the hidden Linear layers and the net."""
    linears = [nn.Linear(WIDTH, WIDTH) for _ in range(DEPTH)]
    head = nn.Linear(WIDTH, 10)
    for layer in [*linears, head]:
        INITS[init](layer.weight, act)
        nn.init.zeros_(layer.bias)
    make = REGISTRIES["activation"].get(act).factory
    return linears, nn.Sequential(*[m for lin in linears for m in (lin, make())], head)


def activations_and_grads(
    init: str, act: str, seed: int
) -> tuple[list[np.ndarray], list[float], list[float]]:
    """On 1000 N(0, 1) inputs with random labels and the cross-entropy loss L: the output of each
    hidden activation, the norm of the gradient dL/dz reaching each hidden layer's pre-activation
    z = W h + b (the backward signal), and ||dL/dW|| of each hidden Linear."""
    manual_seed(seed)
    linears, net = deep_net(init, act)
    x, y = randn(SAMPLES, WIDTH), randint(0, 10, (SAMPLES,))
    outs, zs, h = [], [], x
    for m in list(net):
        h = m(h)
        if isinstance(m, nn.Linear) and len(zs) < DEPTH:
            h.retain_grad()
            zs.append(h)
        elif not isinstance(m, nn.Linear):
            outs.append(h.detach().numpy().copy())
    F.cross_entropy(h, y).backward()
    signal = [float(np.linalg.norm(z.grad.numpy())) for z in zs]  # type: ignore[union-attr]
    weights = [float(np.linalg.norm(lin.weight.grad.numpy())) for lin in linears]  # type: ignore[union-attr]
    return outs, signal, weights


def trained_units(label: str, epochs: int, seed: int) -> tuple[float, float]:
    """Train 64-50-50-10 Tanh on digits (SGD lr 0.1) with init ``label``; returns the largest
    difference between two hidden units' incoming weights in the first layer after training
    relative to the largest weight (0 for identical units; float32 rounding leaves ~1e-7), and the
    validation accuracy."""
    manual_seed(seed)
    model = build_mlp(64, [50, 50], 10, activation="tanh", init=TRAIN_INITS[label], init_value=CONSTANT)
    run = train_digits(model, optim.SGD(model.parameters(), lr=0.1), epochs, seed)
    w = model[0].weight.detach().numpy()
    return float(np.max(np.abs(w - w[0])) / max(np.max(np.abs(w)), 1e-30)), run.last("val_acc")


def spread(outs: list[np.ndarray]) -> list[float]:
    """Standard deviation of each layer's activations."""
    return [float(o.std()) for o in outs]


@experiment(
    "init",
    section="Parameter initialisation: zeros, constant, random, Xavier, He (IV)",
    claim="zero/constant init keeps hidden units identical; Xavier keeps tanh's spread across layers, "
    "Kaiming keeps ReLU's; too small or too large weights vanish or saturate",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """Every init x activation on the deep net; digits training 5 epochs (quick) or 20 per init."""
    stats = {(i, a): activations_and_grads(i, a, seed) for i in INITS for a in ACTIVATIONS}
    sd = {k: spread(v[0]) for k, v in stats.items()}
    epochs = 5 if quick else 20
    trained = {label: trained_units(label, epochs, seed) for label in TRAIN_INITS}
    rows = [
        {
            "init": i,
            "activation": a,
            **{f"std layer {k + 1}": s for k, s in enumerate(sd[(i, a)])},
            **{f"|dL/dz{k + 1}|": g for k, g in enumerate(stats[(i, a)][1])},
            **{f"|dL/dW{k + 1}|": g for k, g in enumerate(stats[(i, a)][2])},
        }
        for (i, a) in stats
    ]
    train_rows = [
        {
            "init": label,
            "registry entry": TRAIN_INITS[label],
            "max |w_unit - w_unit0| / max |w| (layer 1)": d,
            f"val accuracy after {epochs} epochs": acc,
        }
        for label, (d, acc) in trained.items()
    ]

    plt = pyplot()
    fig, axes = plt.subplots(len(ACTIVATIONS), len(INITS), figsize=(20, 9.5), sharey="row")
    layer_colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, DEPTH))
    for r, a in enumerate(ACTIVATIONS):
        for c, i in enumerate(INITS):
            ax = axes[r, c]
            outs = stats[(i, a)][0]
            lo, hi = (
                (0, 1)
                if a == "sigmoid"
                else (-1, 1)
                if a == "tanh"
                else (0, max(1e-6, float(np.percentile(np.concatenate([o.ravel() for o in outs]), 99))))
            )
            for k, o in enumerate(outs):
                ax.hist(
                    o.ravel(),
                    bins=40,
                    range=(lo, hi),
                    histtype="step",
                    color=layer_colors[k],
                    label=f"layer {k + 1}",
                    density=True,
                )
            ax.set_title(f"{i}, {a}", fontsize=10)
            if r == len(ACTIVATIONS) - 1:
                ax.set_xlabel("activation value")
            if c == 0:
                ax.set_ylabel("density")
            ax.set_yscale("log")
            ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=7)
    fig.suptitle(
        f"Activation histograms of {DEPTH} hidden layers ({WIDTH} units, N(0,1) inputs), per init "
        "(columns) and activation (rows)",
        fontsize=12,
    )
    figure_hist = save_figure(fig, out_dir, "init_histograms")

    fig, axes = plt.subplots(2, len(ACTIVATIONS), figsize=(16, 8.5))
    colors = dict(zip(INITS, plt.get_cmap("tab10").colors))
    layers = np.arange(1, DEPTH + 1)
    for c, a in enumerate(ACTIVATIONS):
        for i in INITS:
            axes[0, c].semilogy(layers, np.maximum(sd[(i, a)], 1e-12), "o-", color=colors[i], label=i)
            axes[1, c].semilogy(layers, np.maximum(stats[(i, a)][1], 1e-12), "o-", color=colors[i], label=i)
        axes[0, c].set_title(f"{a}: spread of the activations")
        axes[0, c].set_ylabel("std of the layer's activations (log)")
        axes[1, c].set_title(f"{a}: gradient reaching each layer")
        axes[1, c].set_ylabel("||dL/dz|| at the layer (log, floor 1e-12)")
        for ax in axes[:, c]:
            ax.set_xlabel("hidden layer")
            ax.set_xticks(layers)
            ax.grid(alpha=0.3, which="both")
            ax.legend(fontsize=7)
    figure_lines = save_figure(fig, out_dir, "init_layers")

    def ratio(i: str, a: str) -> float:
        return sd[(i, a)][-1] / sd[(i, a)][0]

    small = stats[("normal(0.01)", "tanh")][1]
    large = stats[("normal(1)", "relu")][1]
    claims = [
        Claim(
            "zeros: hidden units' weights after training, max difference / max weight",
            trained["zeros"][0],
            "<=",
            0.0,
        ),
        Claim(
            f"constant {CONSTANT}: hidden units' weights after training, max difference / max weight",
            trained[f"constant {CONSTANT}"][0],
            "<",
            1e-5,
        ),
        Claim(
            "Xavier: hidden units' weights after training, max difference / max weight (all different)",
            trained["Xavier"][0],
            ">",
            0.1,
        ),
        Claim(
            "zeros: validation accuracy (identical units learn one feature)", trained["zeros"][1], "<", 0.5
        ),
        Claim("Xavier: validation accuracy", trained["Xavier"][1], ">", 0.9),
        Claim(
            "tanh + Xavier: activation std, layer 5 / layer 1 (shrinks slowly, no collapse)",
            ratio("Xavier", "tanh"),
            "in",
            (0.3, 1.5),
        ),
        Claim(
            "tanh + normal(0.01): activation std, layer 5 / layer 1 (vanishes)",
            ratio("normal(0.01)", "tanh"),
            "<",
            1e-3,
        ),
        Claim(
            "tanh + normal(1): fraction of activations with |h| > 0.99 (saturated)",
            float(
                np.mean(np.abs(np.concatenate([o.ravel() for o in stats[("normal(1)", "tanh")][0]])) > 0.99)
            ),
            ">",
            0.5,
        ),
        Claim(
            "ReLU + Kaiming: activation std, layer 5 / layer 1", ratio("Kaiming", "relu"), "in", (0.5, 2.0)
        ),
        Claim(
            "ReLU + Xavier: activation std, layer 5 / layer 1 (halves the variance per layer)",
            ratio("Xavier", "relu"),
            "<",
            0.5,
        ),
        Claim(
            "tanh + normal(0.01): ||dL/dz|| at layer 1 / at layer 5 (vanishing gradient)",
            small[0] / small[-1],
            "<",
            1e-3,
        ),
        Claim(
            "ReLU + normal(1): ||dL/dz|| at layer 1 / at layer 5 (exploding gradient)",
            large[0] / large[-1],
            ">",
            100.0,
        ),
    ]
    return LabResult(
        "init",
        figures=[figure_hist, figure_lines],
        tables={"activations and gradients": rows, "digits training": train_rows},
        claims=claims,
    )
