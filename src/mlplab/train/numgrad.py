r"""Training by numerical gradients (the notes' section 2.4), skipping work a perturbation leaves alone.

For every parameter theta_j the central difference

    dL/dtheta_j ~ (L(theta + h e_j) - L(theta - h e_j)) / (2h)

needs two forward passes: 2P passes for P parameters (7,520 for the 64-50-10 net) per batch. The
straightforward loop reruns the whole network for each. The loss is the same function here, but
each perturbed pass only recomputes what the perturbation can change (all arithmetic float64: h =
1e-4 is too small for float32's rounding, see :mod:`mlplab.autograd.numerical`):

1. Prefix reuse. Perturbing a parameter of layer l leaves the activations before layer l
   unchanged: one unperturbed pass stores every layer's input, and perturbed copies start at l.
2. Locality. Perturbing W[j, i] or b[j] of a Linear changes only column j of its output (by
   +-h x[:, i] or +-h), and so does the gamma_j / beta_j of a BatchNorm1d or the slope of channel j
   of a PReLU. Per-feature layers after it (elementwise activations, BatchNorm1d, which normalises
   each column over the batch on its own, PReLU, Identity) keep the change in column j, so a copy
   is carried as one column of N numbers, not an N x C array. At the next Linear the change
   becomes the rank-one update z' = z + (a'_j - a_j) W_next[:, j]^T: O(N * out) per copy instead of
   a full forward pass. From there (or at a layer that is not per-feature: softmax, log-softmax,
   anything unknown) K copies run through the remaining layers as stacked (K, N, C) arrays, each
   layer by its own code (``forward_parameter_copies`` for layers with parameters, the module
   itself for parameter-free ones), and the loss's own ``per_sample`` gives their losses.
3. The loss, for softmax cross-entropy (:mod:`mlplab.train.numgrad_loss`). When that rank-one
   Linear is the last layer, the logits of a copy move along one direction w = W[:, j] only,
   and the loss's change is a power series in the column change t_n whose coefficients (the
   cumulants of w under the unperturbed softmax) are computed once per batch: O(N) per copy
   instead of N C exponentials, exact to float64 rounding while range(w) |t| <= 1e-2 (else the
   exponentials). A parameter of the last layer changes one logit column: O(N) per copy too. So
   for the 64-50-10 net each of the 7,520 perturbed passes costs a 32-row tanh column and a few
   32-element multiply-adds.
4. Chunks. Copies go through in chunks sized so that one stacked (K, N, C) array holds at most
   ``MAX_ELEMENTS`` float64 numbers (512 KiB; 2^15 and below measured slower from per-chunk
   overhead, larger no faster), in work space reused across chunks: fresh arrays of that size come from
   mmap, and their page faults cost more than the arithmetic on a busy machine. Peak memory stays
   a plain training step's instead of growing with the parameter count.

Measured (``python -m benchmarks --only numgrad``: digits 64-50-10 Tanh, batch 32, median of 5, one
thread, on a 2-core machine at load average ~10): 0.0176 s per batch against the loop's 0.729
(41x; the previous fully stacked version: 1.4x), peak RSS 131 MiB against the loop's 129 (it was
179 MiB).

A parameter a locality argument doesn't cover (a PReLU's single shared slope, a parameter two
layers share, a layer on inputs that are not (N, C)) takes the general path: 2K copies of that one
parameter tensor, from its layer's stored input on.

The L1/L2 penalties l1 sum|w| + l2 sum w^2 differ between theta + h e_j and theta - h e_j only in
the term of theta_j itself, so only that term is added to the difference. Results agree with the
straightforward loop (:func:`mlplab.autograd.numerical.numerical_grad` over the training loss) to
float64 rounding: each loss value carries ~eps |L| of rounding, which the division by 2h turns
into ~eps |L| / h (about 5e-12 for L ~ 2, h = 1e-4; the benchmark's largest difference from the
loop is 4.5e-12); the tests bound it by 64 eps max(|L|, 1) / h.

Dropout is refused: a random mask makes the loss a different function on every call, so its finite
differences are meaningless.
"""

from __future__ import annotations

import numpy as np

from .. import nn
from ..errors import UserError
from ..tensor import Tensor
from .losses import LossSpec
from .numgrad_forward import Batch, own_parameters
from .numgrad_loss import (
    cross_entropy_one_column,
    cross_entropy_rank_one,
    cross_entropy_series,
    losses,
    plain_cross_entropy,
)

MAX_ELEMENTS = 1 << 16  # float64 numbers in one stacked (K, N, C) array: 512 KiB


def _check(model: nn.Module) -> list[nn.Module]:
    # the layers in the order Sequential runs them: a module used twice appears twice
    mods = (
        [m for m in model._modules.values() if m is not None] if isinstance(model, nn.Sequential) else [model]
    )
    for m in mods:
        if isinstance(m, nn.Dropout) and m.p > 0:
            raise UserError(
                "numerical gradients need a deterministic loss, but the model has Dropout; "
                "use --dropout 0 with --grad numerical"
            )
        if isinstance(m, nn.Sequential):
            raise UserError("numerical gradients support a flat nn.Sequential (as build_mlp makes)")
    return mods


def _perturbed_losses(
    batch: Batch,
    spec: LossSpec,
    y: np.ndarray,
    i: int,
    name: str,
    p: nn.Parameter,
    f: np.ndarray,
    s: np.ndarray,
    local: bool,
) -> np.ndarray:
    """The loss of copies k = 0..K-1 with element ``f[k]`` of parameter ``p`` (named ``name`` in
    layer ``i``) moved by ``s[k]``: (K,)."""
    m = batch.mods[i]
    if not local:
        copies = np.repeat(batch.p64[id(p)].reshape(1, -1), f.size, axis=0)
        copies[np.arange(f.size), f] += s
        out = batch.run(i, batch.acts[i][None], {id(p): copies.reshape((f.size,) + tuple(p.shape))})
        return losses(spec, out, y)
    x_in, z = batch.acts[i], batch.acts[i + 1]
    if isinstance(m, nn.Linear):
        if name == "weight":  # z[:, j] + s x[:, i] for W[j, i]
            cols, ins = np.divmod(f, m.in_features)
            c = z[:, cols].T + s[:, None] * x_in[:, ins].T
        else:
            cols = f
            c = z[:, cols].T + s[:, None]
    else:  # a per-channel BatchNorm1d or PReLU parameter
        cols = f
        c = batch.columns(i, x_in[:, cols].T, cols, {name: batch.p64[id(p)][f] + s})
    c, j = batch.carry(i + 1, c, cols)
    last = len(batch.mods)
    if plain_cross_entropy(spec, batch, y):
        fast = None
        if j == last:
            fast = cross_entropy_one_column(batch, c, cols, y)
        elif j == last - 1 and isinstance(batch.mods[j], nn.Linear):
            fast = cross_entropy_series(batch, j, c, cols, y)
            if fast is None:
                fast = cross_entropy_rank_one(batch, j, c, cols, y)
        if fast is not None:
            return fast
    return losses(spec, batch.finish(j, c, cols), y)


def _is_local(batch: Batch, i: int, name: str, p: nn.Parameter, shared: bool) -> bool:
    m = batch.mods[i]
    if shared or batch.acts[i].ndim != 2 or batch.acts[i + 1].ndim != 2:
        return False
    if isinstance(m, (nn.Linear, nn.BatchNorm1d)):
        return True
    return isinstance(m, nn.PReLU) and p.numel() == batch.acts[i + 1].shape[1]


def numerical_gradients(
    model: nn.Module,
    x: np.ndarray,
    y: np.ndarray,
    spec: LossSpec,
    l1: float = 0.0,
    l2: float = 0.0,
    h: float = 1e-4,
    chunk: int | None = None,
) -> list[np.ndarray]:
    """Central-difference gradient of ``spec`` loss (+ l1 sum|w| + l2 sum w^2) for every parameter:
    dL/dtheta_j ~ (L(theta + h e_j) - L(theta - h e_j)) / (2h), in float64.

    Returns one array per ``model.parameters()`` entry, in their dtype. ``chunk`` is how many
    elements of one parameter are perturbed per batched pass (2*chunk copies); by default as many
    as keep one stacked array under ``MAX_ELEMENTS`` numbers.
    """
    mods = _check(model)
    batch = Batch(mods, np.asarray(x, dtype=np.float64))
    y = np.asarray(y)
    owners: dict[int, list[tuple[int, str]]] = {}
    for i, m in enumerate(mods):
        for name, p in own_parameters(m).items():
            owners.setdefault(id(p), []).append((i, name))
    n = batch.acts[0].shape[0]
    losses(spec, batch.acts[-1][None], y)  # the library's checks of the targets, once
    grads = []
    for p in model.parameters():
        if id(p) not in owners:
            raise UserError(
                f"numerical gradients: a parameter of shape {tuple(p.shape)} belongs to no top-level "
                "layer of the model; use a flat nn.Sequential (as build_mlp makes)"
            )
        (i, name), shared = owners[id(p)][0], len(owners[id(p)]) > 1
        local = _is_local(batch, i, name, p, shared)
        theta = batch.p64[id(p)].reshape(-1)
        widest = batch.width(batch.full_from(i + 1) if local else i + 1)
        step = chunk or max(1, MAX_ELEMENTS // (2 * n * widest))
        g = np.empty(theta.size)
        for start in range(0, theta.size, step):
            f = np.arange(start, min(start + step, theta.size))
            k = f.size
            s = np.concatenate([np.full(k, h), np.full(k, -h)])
            both = _perturbed_losses(batch, spec, y, i, name, p, np.concatenate([f, f]), s, local)
            diff = both[:k] - both[k:]
            up, down = theta[f] + h, theta[f] - h
            if l1:
                diff += l1 * (np.abs(up) - np.abs(down))
            if l2:
                diff += l2 * (up * up - down * down)
            g[f] = diff / (2 * h)
        grads.append(g.reshape(p.shape).astype(p._data.dtype))
    return grads


def assign_grads(model: nn.Module, grads: list[np.ndarray]) -> None:
    """Store numerically computed gradients in each parameter's ``.grad`` for the optimiser."""
    for p, g in zip(model.parameters(), grads):
        p.grad = Tensor._make(g)
