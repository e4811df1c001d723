r"""``batchnorm``: a deeper MLP with and without BatchNorm across learning rates and init scales.

BatchNorm1d before each hidden activation normalises every unit over the batch, then rescales:

    x_hat = (x - mu_B) / sqrt(sigma_B^2 + eps),   y = gamma x_hat + beta

so a layer's output no longer depends on the scale of the weights before it: an init that is 10x
too small or too large, or a larger learning rate, leaves the normalised activations where the
activation function works. In ``train()`` mode mu_B and sigma_B^2 are the batch's (a sample's
output depends on the other samples of its batch) and running averages are updated
(running <- (1 - 0.1) running + 0.1 batch, variance unbiased); in ``eval()`` mode the running
averages are used, so the output of a sample is fixed.

Net: 64 -> 6 x [Linear(64) -> (BatchNorm1d) -> ReLU] -> 10, weights N(0, (s * sqrt(2 / fan_in))^2)
(s = 1 is Kaiming), biases 0, SGD on digits, batches of 32. BN does not make every cell train
equally fast: with weights 10x larger the gradient is 10x smaller and the relative step 100x
smaller (BN's output ignores the scale), so a small lr then crawls; what BN gives is that every
init scale has a learning rate that trains.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ... import manual_seed, nn, no_grad, optim, tensor
from ...train import build_mlp
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure
from ..training import digits, train_digits

DEPTH, WIDTH, BATCH = 6, 64, 32
LRS = (0.01, 0.1, 1.0)
SCALES = (0.1, 1.0, 10.0)
CONVERGED = 0.8
"""Validation accuracy that counts as "trained" (chance is 0.1)."""


def deep_mlp(bn: bool, scale: float) -> nn.Sequential:
    """The deep ReLU MLP, each Linear's weights N(0, (scale * sqrt(2 / fan_in))^2), biases 0."""
    model = build_mlp(64, [WIDTH] * DEPTH, 10, activation="relu", batchnorm=bn)
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, scale * math.sqrt(2.0 / m.in_features))
            nn.init.zeros_(m.bias)
    return model


def final_accuracy(bn: bool, lr: float, scale: float, epochs: int, seed: int) -> tuple[float, list[float]]:
    """Validation accuracy after ``epochs`` epochs (0 when the run diverged) and its curve."""
    manual_seed(seed)
    model = deep_mlp(bn, scale)
    run = train_digits(model, optim.SGD(model.parameters(), lr=lr), epochs, seed, batch_size=BATCH)
    acc = 0.0 if run.diverged else run.last("val_acc")
    return acc, [] if run.diverged else list(run.curve("val_acc"))


def train_vs_eval(seed: int) -> dict[str, float]:
    """A BN net after a little training: the same sample's output inside two different batches in
    train mode and in eval mode, and eval mode against (x - running_mean) / sqrt(running_var + eps)."""
    manual_seed(seed)
    model = deep_mlp(True, 1.0)
    train_digits(model, optim.SGD(model.parameters(), lr=0.1), 1, seed, batch_size=BATCH)
    x = digits(seed).X_val
    a, b = tensor(x[:32]), tensor(np.concatenate([x[:1], x[32:63]]))
    first_bn = model[1]
    with no_grad():
        model.train()
        z = model[0](a)
        train_out = first_bn(z).numpy()
        diff_train = float(np.max(np.abs(model(a).numpy()[0] - model(b).numpy()[0])))
        model.eval()
        diff_eval = float(np.max(np.abs(model(a).numpy()[0] - model(b).numpy()[0])))
        rm, rv = first_bn.running_mean.numpy(), first_bn.running_var.numpy()
        gamma, beta = first_bn.weight.detach().numpy(), first_bn.bias.detach().numpy()
        expect = (z.numpy() - rm) / np.sqrt(rv + first_bn.eps) * gamma + beta
        formula = float(np.max(np.abs(first_bn(z).numpy() - expect)))
    model.train()
    return {
        "train mode: max |out(x in batch A) - out(x in batch B)|": diff_train,
        "eval mode: max |out(x in batch A) - out(x in batch B)|": diff_eval,
        "eval mode: max |BN(z) - ((z - running_mean) / sqrt(running_var + eps) gamma + beta)|": formula,
        "train mode: max |mean over the batch| of x_hat gamma + beta - beta": float(
            np.max(np.abs(train_out.mean(0) - beta))
        ),
    }


@experiment(
    "batchnorm",
    section="Batch Normalization (4.1)",
    claim="with BatchNorm a deep MLP trains across learning rates and init scales where the plain one "
    "does not; train mode uses the batch's statistics, eval mode the running ones",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """3 learning rates x 3 init scales, with and without BN: 6 epochs (quick) or 15."""
    epochs = 6 if quick else 15
    grid = {
        (bn, lr, s): final_accuracy(bn, lr, s, epochs, seed)
        for bn in (False, True)
        for lr in LRS
        for s in SCALES
    }
    modes = train_vs_eval(seed)
    ok = {k: v[0] > CONVERGED for k, v in grid.items()}
    cells = {bn: sum(ok[(bn, lr, s)] for lr in LRS for s in SCALES) for bn in (False, True)}
    scales = {bn: sum(any(ok[(bn, lr, s)] for lr in LRS) for s in SCALES) for bn in (False, True)}
    rows = [
        {"batchnorm": bn, "lr": lr, "init scale": s, f"val accuracy after {epochs} epochs": acc}
        for (bn, lr, s), (acc, _) in grid.items()
    ]

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(18, 5.4), gridspec_kw={"width_ratios": [1, 1.2, 1.4]})
    for ax, bn in zip(axes[:2], (False, True)):
        table = np.array([[grid[(bn, lr, s)][0] for s in SCALES] for lr in LRS])
        im = ax.imshow(table, vmin=0, vmax=1, cmap="RdYlGn", origin="lower")
        for r, lr in enumerate(LRS):
            for c, s in enumerate(SCALES):
                text = "diverged" if not grid[(bn, lr, s)][1] else f"{table[r, c]:.2f}"
                ax.annotate(text, (c, r), ha="center", va="center", fontsize=11)
        ax.set_xticks(range(len(SCALES)), [f"{s:g}x" for s in SCALES])
        ax.set_yticks(range(len(LRS)), [f"{lr:g}" for lr in LRS])
        ax.set_xlabel("init scale (weight std / Kaiming's std)")
        ax.set_ylabel("SGD learning rate")
        ax.set_title(f"{'with' if bn else 'without'} BatchNorm\nval accuracy after {epochs} epochs")
    fig.colorbar(im, ax=axes[1], label="validation accuracy")
    ax = axes[2]
    shown = [(lr, s) for lr in LRS for s in SCALES if s == 1.0 or lr == 0.1]
    colors = dict(zip(shown, plt.get_cmap("tab10").colors))
    for (bn, lr, s), (_, curve) in grid.items():
        if (lr, s) in colors and curve:
            ax.plot(
                np.arange(1, len(curve) + 1),
                curve,
                "-" if bn else "--",
                color=colors[(lr, s)],
                lw=2 if bn else 1.2,
                label=f"{'BN' if bn else 'plain'}, lr {lr:g}, scale {s:g}x",
            )
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.set_ylim(0, 1)
    ax.set_title(
        f"Curves (solid: BN, dashed: plain; same colour = same lr and scale)\n{DEPTH} hidden layers "
        f"of {WIDTH}, ReLU, digits; diverged runs omitted",
        fontsize=10,
    )
    ax.legend(fontsize=7, ncol=2, loc="lower right")
    ax.grid(alpha=0.3)
    path = save_figure(fig, out_dir, "batchnorm")

    claims = [
        Claim(
            f"BN: init scales (of {len(SCALES)}) with a learning rate that trains (val acc > {CONVERGED})",
            scales[True],
            ">=",
            len(SCALES),
        ),
        Claim(
            f"plain: init scales (of {len(SCALES)}) with a learning rate that trains (val acc > {CONVERGED})",
            scales[False],
            "<=",
            1,
        ),
        Claim(
            f"grid cells (of {len(LRS) * len(SCALES)}) that train: with BN - without",
            cells[True] - cells[False],
            ">=",
            3,
        ),
        Claim(
            "train mode: one sample's output differs between two batches (batch statistics)",
            modes["train mode: max |out(x in batch A) - out(x in batch B)|"],
            ">",
            1e-3,
        ),
        Claim(
            "eval mode: one sample's output is the same in any batch (running statistics)",
            modes["eval mode: max |out(x in batch A) - out(x in batch B)|"],
            "<=",
            0.0,
        ),
        Claim(
            "eval mode: BN(z) equals the running-statistics formula",
            modes["eval mode: max |BN(z) - ((z - running_mean) / sqrt(running_var + eps) gamma + beta)|"],
            "<",
            1e-5,
        ),
    ]
    return LabResult(
        "batchnorm", figures=[path], tables={"grid": rows, "train vs eval": [modes]}, claims=claims
    )
