r"""``information``: information, entropy, KL divergence and cross-entropy (the notes' 2.1-2.4).

    I(x) = -log P(x)                       H(P) = -sum_x P(x) log P(x)
    D(P||Q) = sum_x P(x) log(P(x)/Q(x))    H(P, Q) = -sum_x P(x) log Q(x) = H(P) + D(P||Q)

Checked with ``mlplab.nn.functional`` (float64) on random distributions (Dirichlet(1), seeded): the
decomposition, D >= 0 with D(P||P) = 0, D's asymmetry, H <= log n (uniform is the maximum), and the
notes' ``CrossEntropyLoss`` example: logits [[1.5, 2.0, 0.5], [0.5, 1.0, 1.5]] with labels [1, 2]
give log-softmax values -0.6041 and -0.6803 at the true classes, i.e. cross-entropy with one-hot P.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ... import tensor
from ...nn import functional as F
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure

NOTES_LOGITS = [[1.5, 2.0, 0.5], [0.5, 1.0, 1.5]]
NOTES_LABELS = [1, 2]
NOTES_LOG_SOFTMAX = (-0.6041, -0.6803)
"""The notes' log-softmax at the true class of each sample, printed to 4 decimals."""


def _np(t: object) -> np.ndarray:
    return np.asarray(t.detach().numpy(), dtype=np.float64)  # type: ignore[attr-defined]


@experiment(
    "information",
    section="Information, entropy, KL and cross-entropy (2.1-2.4 of CrossEntropyLoss)",
    claim="H(P,Q) = H(P) + KL(P||Q); KL >= 0, = 0 only for P = Q, and not symmetric",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """Random pairs of distributions over 2..10 outcomes (quick: 300 pairs, full: 5000)."""
    rng = np.random.default_rng(seed)
    pairs = 300 if quick else 5000
    sizes = rng.integers(2, 11, size=pairs)
    h_p, kl_pq, kl_qp, h_pq, kl_pp, log_n = (np.empty(pairs) for _ in range(6))
    for i, n in enumerate(sizes):
        p, q = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(n))
        h_p[i] = F.entropy(p).item()
        kl_pq[i] = F.kl_divergence(p, q).item()
        kl_qp[i] = F.kl_divergence(q, p).item()
        h_pq[i] = F.cross_entropy_between(p, q).item()
        kl_pp[i] = F.kl_divergence(p, p).item()
        log_n[i] = math.log(n)

    # the notes' CrossEntropyLoss example, by the loss and by the definition with one-hot P
    logits = tensor(NOTES_LOGITS)
    labels = tensor(NOTES_LABELS)
    log_sm = _np(F.log_softmax(logits, dim=1))[[0, 1], NOTES_LABELS]
    loss = F.cross_entropy(logits, labels).item()
    onehot = np.eye(3)[NOTES_LABELS]
    by_definition = float(np.mean(_np(F.cross_entropy_between(onehot, _np(F.softmax(logits, dim=1))))))

    # examples in bits: a fair coin, a fair die, a biased coin, an event of probability 1/8
    examples = [
        {"example": "fair coin [1/2, 1/2]", "H (bits)": F.entropy([0.5, 0.5], base=2).item()},
        {"example": "fair die (6 x 1/6)", "H (bits)": F.entropy(np.full(6, 1 / 6), base=2).item()},
        {"example": "biased coin [0.9, 0.1]", "H (bits)": F.entropy([0.9, 0.1], base=2).item()},
        {"example": "certain event [1, 0]", "H (bits)": F.entropy([1.0, 0.0], base=2).item() + 0.0},
        {"example": "I(x) for P(x) = 1/8", "H (bits)": F.information(np.array([0.125]), base=2).item()},
    ]

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    ps = np.linspace(0.005, 0.995, 199)
    info = _np(F.information(ps, base=2))
    binary_h = _np(F.entropy(np.stack([ps, 1 - ps], axis=1), base=2))
    ax = axes[0]
    ax.plot(ps, info, color="tab:red", label="information I = -log2 P(x)")
    ax.plot(ps, binary_h, color="tab:blue", label="entropy of a coin H([p, 1-p])")
    ax.set_xlabel("probability p")
    ax.set_ylabel("bits")
    ax.set_ylim(0, 7.8)
    ax.set_title("Rare events carry more information;\na fair coin is the most uncertain")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax = axes[1]
    top = float(max(kl_pq.max(), kl_qp.max()))
    ax.plot([0, top], [0, top], "k--", lw=1, label="KL(P||Q) = KL(Q||P)")
    ax.plot(kl_pq, kl_qp, ".", ms=3, alpha=0.6, color="tab:purple", label=f"{pairs} random pairs")
    ax.set_xlabel("KL(P || Q) (nats)")
    ax.set_ylabel("KL(Q || P) (nats)")
    ax.set_title("KL divergence is not symmetric")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax = axes[2]
    k = 6
    idx = np.arange(k)
    ax.bar(idx, h_p[:k], color="tab:blue", label="H(P)")
    ax.bar(idx, kl_pq[:k], bottom=h_p[:k], color="tab:orange", label="KL(P || Q)")
    ax.plot(idx, h_pq[:k], "k_", ms=22, mew=2.5, label="H(P, Q) computed directly")
    ax.set_xticks(idx, [f"pair {i + 1}\n(n = {sizes[i]})" for i in idx], fontsize=8)
    ax.set_ylabel("nats")
    ax.set_title("Cross-entropy = entropy + KL divergence")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    figure = save_figure(fig, out_dir, "information")

    rows = [
        {
            "n": int(sizes[i]),
            "H(P)": float(h_p[i]),
            "KL(P||Q)": float(kl_pq[i]),
            "KL(Q||P)": float(kl_qp[i]),
            "H(P,Q)": float(h_pq[i]),
        }
        for i in range(10)
    ]
    notes_rows = [
        {"sample": i, "log_softmax at the label": float(v), "notes": n}
        for i, (v, n) in enumerate(zip(log_sm, NOTES_LOG_SOFTMAX))
    ]
    notes_rows.append({"sample": "mean", "CrossEntropyLoss": loss, "H(onehot, softmax)": by_definition})
    claims = [
        Claim(
            "max |H(P,Q) - H(P) - KL(P||Q)| over random pairs (float64)",
            float(np.max(np.abs(h_pq - h_p - kl_pq))),
            "<",
            1e-12,
        ),
        Claim("min KL(P||Q) over random pairs (KL >= 0)", float(min(kl_pq.min(), kl_qp.min())), ">=", 0.0),
        Claim("max |KL(P||P)| (zero for identical distributions)", float(np.max(np.abs(kl_pp))), "<", 1e-12),
        Claim(
            "fraction of pairs with |KL(P||Q) - KL(Q||P)| > 1e-3 (asymmetric)",
            float(np.mean(np.abs(kl_pq - kl_qp) > 1e-3)),
            ">",
            0.9,
        ),
        Claim("max H(P) - log n (uniform is the maximum)", float(np.max(h_p - log_n)), "<=", 1e-12),
        Claim(
            "|H(fair die) - log2 6| in bits (the maximum is reached by the uniform)",
            abs(examples[1]["H (bits)"] - math.log2(6)),
            "<",
            1e-12,
        ),
        Claim(
            "max |log-softmax at the label - notes' -0.6041, -0.6803| (4 decimals)",
            float(np.max(np.abs(log_sm - np.array(NOTES_LOG_SOFTMAX)))),
            "<",
            5e-5,
        ),
        Claim(
            "|CrossEntropyLoss - mean H(onehot, softmax)| on the notes' logits (float32)",
            abs(loss - by_definition),
            "<",
            1e-6,
        ),
    ]
    return LabResult(
        "information",
        figures=[figure],
        tables={
            "random distributions (first 10)": rows,
            "the notes' CrossEntropyLoss example": notes_rows,
            "entropy and information in bits": examples,
        },
        claims=claims,
    )
