"""The hand-written NumPy floor: an MLP with its backward written out and an in-place optimiser.

No autograd, no modules, no framework: the forward pass, the analytic backward of
``Linear - act - ... - Linear`` with softmax cross-entropy, and the update, each written on arrays
as a careful programmer would. It is what any NumPy library pays at least, so mlplab's goal is to
run at this floor. ``benchmarks/train_step.py``'s ``NumpyNet`` is the same algorithm fixed to the
64-50-10 Tanh net; this one takes any layer sizes, Tanh or ReLU, Adam or SGD.

:func:`naive_numerical_grads` is the notes' straightforward training by numerical gradients: perturb
one parameter at a time by +-h and rerun the whole forward pass (2P forward passes per batch).
"""

from __future__ import annotations

import numpy as np


def init_weights(sizes: list[int], seed: int = 0, dtype: type = np.float32) -> list[np.ndarray]:
    """[W1, b1, W2, b2, ...] drawn as nn.Linear's default init (U(-1/sqrt(in), 1/sqrt(in)))."""
    rs = np.random.RandomState(seed)
    out: list[np.ndarray] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        k = 1.0 / np.sqrt(fan_in)
        out.append(rs.uniform(-k, k, (fan_out, fan_in)).astype(dtype))
        out.append(rs.uniform(-k, k, fan_out).astype(dtype))
    return out


class FloorMLP:
    """MLP + softmax cross-entropy + Adam or SGD, the backward and the update written by hand.

    ``act`` is ``"tanh"`` or ``"relu"``; ``opt`` is ``"adam"`` (lr 1e-3, betas (0.9, 0.999),
    eps 1e-8, PyTorch's form) or ``"sgd"`` (plain ``w -= lr * g``).
    """

    def __init__(self, sizes: list[int], act: str, opt: str, lr: float, seed: int = 0) -> None:
        self.params = init_weights(sizes, seed)
        self.act, self.opt, self.lr = act, opt, lr
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.scratch = [np.empty_like(p) for p in self.params]
        self.t = 0

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One training step on the batch (x, y); returns the loss before the update."""
        ps = self.params
        n_layers = len(ps) // 2
        acts = [x]  # the input of every Linear
        a = x
        for i in range(n_layers):
            z = a @ ps[2 * i].T
            z += ps[2 * i + 1]
            if i < n_layers - 1:
                if self.act == "tanh":
                    np.tanh(z, out=z)
                else:
                    np.maximum(z, 0.0, out=z)
                acts.append(z)
            a = z
        n = x.shape[0]
        rows = np.arange(n)
        a -= a.max(1, keepdims=True)
        np.exp(a, out=a)
        a /= a.sum(1, keepdims=True)
        loss = -float(np.log(a[rows, y]).mean())
        a[rows, y] -= 1.0
        a /= n  # dL/dz of the last layer
        grads: list[np.ndarray] = [None] * len(ps)  # type: ignore[list-item]
        d = a
        for i in range(n_layers - 1, -1, -1):
            h = acts[i]
            grads[2 * i] = d.T @ h
            grads[2 * i + 1] = d.sum(0)
            if i > 0:
                d = d @ ps[2 * i]
                if self.act == "tanh":
                    d *= 1.0 - h * h
                else:
                    d *= h > 0
        self._update(grads)
        return loss

    def _update(self, grads: list[np.ndarray]) -> None:
        if self.opt == "sgd":
            for w, g in zip(self.params, grads):
                g *= self.lr
                w -= g
            return
        # Adam in 12 in-place passes over scratch buffers, no temporaries:
        # w -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps) = lr*sqrt(bc2)/bc1 * m / (sqrt(v) + eps*sqrt(bc2))
        self.t += 1
        sq = np.sqrt(1 - 0.999**self.t)
        step = self.lr * sq / (1 - 0.9**self.t)
        for w, g, m, v, s in zip(self.params, grads, self.m, self.v, self.scratch):
            np.multiply(g, 0.1, out=s)
            m *= 0.9
            m += s
            g *= g
            g *= 0.001
            v *= 0.999
            v += g
            np.sqrt(v, out=s)
            s += 1e-8 * sq
            np.divide(m, s, out=s)
            s *= step
            w -= s


def loss64(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, act: str) -> float:
    """Mean softmax cross-entropy of the MLP with ``params`` on (x, y), in float64."""
    a = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        a = a @ params[2 * i].T + params[2 * i + 1]
        if i < n_layers - 1:
            a = np.tanh(a) if act == "tanh" else np.maximum(a, 0.0)
    a = a - a.max(1, keepdims=True)
    logp = a - np.log(np.exp(a).sum(1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean())


def naive_numerical_grads(
    params: list[np.ndarray], x: np.ndarray, y: np.ndarray, act: str, h: float = 1e-4
) -> list[np.ndarray]:
    """The straightforward loop: for every parameter, (L(w + h) - L(w - h)) / 2h, one at a time."""
    p64 = [p.astype(np.float64) for p in params]
    x64 = x.astype(np.float64)
    grads = []
    for p in p64:
        g = np.empty_like(p)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + h
            up = loss64(p64, x64, y, act)
            flat[j] = old - h
            down = loss64(p64, x64, y, act)
            flat[j] = old
            gflat[j] = (up - down) / (2 * h)
        grads.append(g)
    return grads
