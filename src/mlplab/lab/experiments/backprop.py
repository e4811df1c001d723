r"""``backprop``: a 2-2-2 sigmoid network worked by hand, factor by factor.

The classic worked example (Matt Mazur, "A Step by Step Backpropagation Example", 2015; the notes
derive the same chain rule symbolically): inputs (0.05, 0.10), targets (0.01, 0.99), hidden
weights w1..w4 = 0.15, 0.20, 0.25, 0.30 with bias 0.35, output weights w5..w8 = 0.40, 0.45, 0.50,
0.55 with bias 0.60, sigmoid everywhere, E = sum_o (t_o - out_o)^2 / 2. Forward:

    net_h = W1 x + b1,  out_h = sigmoid(net_h),  net_o = W2 out_h + b2,  out_o = sigmoid(net_o)

Backward, one factor per edge of the chain:

    dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = (out_o1 - t1) * out_o1 (1 - out_o1) * out_h1
    dE/dw1 = [sum_o dE/dnet_o * w_(h1 -> o)] * out_h1 (1 - out_h1) * x1

The published values: E = 0.298371109, dE/dw5 = 0.082167041, dE/dw1 = 0.000438568; after one SGD
step with lr 0.5, w5 = 0.35891648 and w1 = 0.149780716. The hand-computed gradients are compared
with mlplab's autograd and with central differences (``autograd.numerical.numerical_grad``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ... import float64, nn, optim, tensor
from ...autograd.numerical import numerical_grad
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure

X = np.array([0.05, 0.10])
T = np.array([0.01, 0.99])
W1 = np.array([[0.15, 0.20], [0.25, 0.30]])  # rows: h1 <- (x1, x2), h2 <- (x1, x2)
B1 = 0.35
W2 = np.array([[0.40, 0.45], [0.50, 0.55]])  # rows: o1 <- (h1, h2), o2 <- (h1, h2)
B2 = 0.60
PUBLISHED = {
    "E": 0.298371109,
    "dE/dw5": 0.082167041,
    "dE/dw1": 0.000438568,
    "w5+": 0.35891648,
    "w1+": 0.149780716,
}
"""Mazur's printed values (9 significant digits or so)."""


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z)."""
    return 1 / (1 + np.exp(-z))


def by_hand() -> dict[str, Any]:
    """Forward and backward pass in NumPy, keeping every chain-rule factor."""
    net_h = W1 @ X + B1
    out_h = sigmoid(net_h)
    net_o = W2 @ out_h + B2
    out_o = sigmoid(net_o)
    e = float(np.sum((T - out_o) ** 2) / 2)
    d_out_o = out_o - T  # dE/dout_o
    d_net_o_local = out_o * (1 - out_o)  # dout_o/dnet_o
    delta_o = d_out_o * d_net_o_local  # dE/dnet_o
    grad_w2 = np.outer(delta_o, out_h)  # dnet_o/dw = out_h
    d_out_h = W2.T @ delta_o  # dE/dout_h, summed over both outputs
    d_net_h_local = out_h * (1 - out_h)
    delta_h = d_out_h * d_net_h_local
    grad_w1 = np.outer(delta_h, X)
    return {
        "net_h": net_h,
        "out_h": out_h,
        "net_o": net_o,
        "out_o": out_o,
        "E": e,
        "dE/dout_o": d_out_o,
        "dout_o/dnet_o": d_net_o_local,
        "dE/dout_h": d_out_h,
        "dout_h/dnet_h": d_net_h_local,
        "grad_w1": grad_w1,
        "grad_w2": grad_w2,
        "grad_b1": float(delta_h.sum()),
        "grad_b2": float(delta_o.sum()),
    }


def build() -> tuple[Any, Any, Any]:
    """The network as mlplab modules (float64) with the example's weights; (model, hidden, output)."""
    hidden, output = nn.Linear(2, 2).double(), nn.Linear(2, 2).double()
    hidden.weight.data = tensor(W1, dtype=float64)
    hidden.bias.data = tensor([B1, B1], dtype=float64)
    output.weight.data = tensor(W2, dtype=float64)
    output.bias.data = tensor([B2, B2], dtype=float64)
    return nn.Sequential(hidden, nn.Sigmoid(), output, nn.Sigmoid()), hidden, output


def loss_of(model: Any) -> Any:
    """E = sum (t - out)^2 / 2 on the single example."""
    out = model(tensor(X[None, :], dtype=float64))
    return ((tensor(T[None, :], dtype=float64) - out) ** 2).sum() / 2


@experiment(
    "backprop",
    section="Backpropagation (forward pass, chain rule)",
    claim="the hand-worked chain rule of a 2-2-2 network equals autograd and central differences",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """Deterministic; the same in quick and full runs."""
    hand = by_hand()
    model, hidden, output = build()
    loss = loss_of(model)
    loss.backward()
    auto_w1, auto_w2 = hidden.weight.grad.numpy(), output.weight.grad.numpy()
    num_w1, num_w2 = numerical_grad(lambda: loss_of(model), [hidden.weight, output.weight], h=1e-5)
    opt = optim.SGD(model.parameters(), lr=0.5)
    opt.step()
    w5_after, w1_after = (
        float(output.weight.detach().numpy()[0, 0]),
        float(hidden.weight.detach().numpy()[0, 0]),
    )

    names_w1 = [["w1", "w2"], ["w3", "w4"]]
    names_w2 = [["w5", "w6"], ["w7", "w8"]]
    rows = []
    for o in range(2):
        for h in range(2):
            rows.append(
                {
                    "weight": names_w2[o][h],
                    "dE/dout_o": float(hand["dE/dout_o"][o]),
                    "dout_o/dnet_o": float(hand["dout_o/dnet_o"][o]),
                    "dnet_o/dw = out_h": float(hand["out_h"][h]),
                    "product (by hand)": float(hand["grad_w2"][o, h]),
                    "autograd": float(auto_w2[o, h]),
                    "central difference": float(num_w2[o, h]),
                }
            )
    for h in range(2):
        for i in range(2):
            rows.append(
                {
                    "weight": names_w1[h][i],
                    "dE/dout_h (both outputs)": float(hand["dE/dout_h"][h]),
                    "dout_h/dnet_h": float(hand["dout_h/dnet_h"][h]),
                    "dnet_h/dw = x": float(X[i]),
                    "product (by hand)": float(hand["grad_w1"][h, i]),
                    "autograd": float(auto_w1[h, i]),
                    "central difference": float(num_w1[h, i]),
                }
            )

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.6))
    labels = [r["weight"] for r in rows]
    idx = np.arange(len(rows))
    hand_g = np.array([r["product (by hand)"] for r in rows])
    ax.bar(idx - 0.27, np.abs(hand_g), 0.27, label="by hand (chain rule)", color="tab:blue")
    ax.bar(idx, np.abs([r["autograd"] for r in rows]), 0.27, label="mlplab autograd", color="tab:orange")
    ax.bar(
        idx + 0.27,
        np.abs([r["central difference"] for r in rows]),
        0.27,
        label="central difference",
        color="tab:green",
    )
    ax.set_yscale("log")
    ax.set_xticks(idx, labels)
    ax.set_xlabel("weight (w1-w4: input -> hidden, w5-w8: hidden -> output)")
    ax.set_ylabel("|dE/dw| (log scale)")
    ax.set_title("2-2-2 sigmoid network: three ways to the same gradient")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y", which="both")
    figure = save_figure(fig, out_dir, "backprop")

    auto = np.concatenate([auto_w2.ravel(), auto_w1.ravel()])
    numeric = np.concatenate([num_w2.ravel(), num_w1.ravel()])
    published = [
        abs(hand["E"] - PUBLISHED["E"]),
        abs(hand["grad_w2"][0, 0] - PUBLISHED["dE/dw5"]),
        abs(hand["grad_w1"][0, 0] - PUBLISHED["dE/dw1"]),
        abs(w5_after - PUBLISHED["w5+"]),
        abs(w1_after - PUBLISHED["w1+"]),
    ]
    claims = [
        Claim(
            "max |by hand - published| over E, dE/dw5, dE/dw1, w5 and w1 after a step (9 digits)",
            float(max(published)),
            "<",
            5e-9,
        ),
        Claim(
            "max |by hand - autograd| over w1..w8 (float64)", float(np.max(np.abs(hand_g - auto))), "<", 1e-15
        ),
        Claim(
            "max |by hand - central difference| over w1..w8 (h = 1e-5: error ~h^2)",
            float(np.max(np.abs(hand_g - numeric))),
            "<",
            1e-9,
        ),
        Claim(
            "|autograd - by hand| for the biases (dE/db1 + dE/db2 summed over units)",
            abs(float(hidden.bias.grad.numpy().sum()) - hand["grad_b1"])
            + abs(float(output.bias.grad.numpy().sum()) - hand["grad_b2"]),
            "<",
            1e-15,
        ),
    ]
    return LabResult(
        "backprop", figures=[figure], tables={"chain-rule factors per weight": rows}, claims=claims
    )
