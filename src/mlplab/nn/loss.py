"""Loss modules: each holds its options and calls the matching function in
:mod:`mlplab.nn.functional` (where the formulas and gradients are documented).

Call as ``criterion(input, target)``: prediction first, as PyTorch.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..ops.classification import CrossEntropyLabelsFn
from ..tensor import Tensor
from . import functional as F
from .functional._util import KL_REDUCTIONS, REDUCTIONS, check_reduction, legacy_reduction
from .functional.classification import plain_labels
from .module import Module

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "GaussianNLLLoss",
    "HingeEmbeddingLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "MSELoss",
    "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "NLLLoss",
    "PoissonNLLLoss",
    "SmoothL1Loss",
    "SoftMarginLoss",
]


class _Loss(Module):
    """A loss module: its checked ``reduction`` and options, passed to ``function`` on each call.

    ``buffers`` are tensor options (class weights) registered as buffers, so they follow
    ``state_dict`` and ``.double()``; ``options`` are plain attributes. Both are read at call time
    (``criterion.margin = 2`` takes effect) and passed to ``function`` by keyword.
    """

    _reductions: tuple = REDUCTIONS
    function: Callable[..., Tensor]  # the functional form (a staticmethod)

    def __init__(
        self,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
        *,
        buffers: dict[str, Tensor | None] | None = None,
        **options: Any,
    ) -> None:
        super().__init__()
        self.reduction = check_reduction(legacy_reduction(size_average, reduce, reduction), self._reductions)
        buffers = buffers or {}
        for name, value in buffers.items():
            self.register_buffer(name, value)
        for name, value in options.items():
            setattr(self, name, value)
        self._option_names = tuple(buffers) + tuple(options)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        options = {name: getattr(self, name) for name in self._option_names}
        return self.function(input, target, reduction=self.reduction, **options)


class L1Loss(_Loss):
    r"""Mean absolute error: (1/n) \sum |x_i - y_i| (``reduction='mean'``). Shapes must match."""

    function = staticmethod(F.l1_loss)


class MSELoss(_Loss):
    r"""Mean squared error: (1/n) \sum (x_i - y_i)^2. Shapes must match (PyTorch only warns)."""

    function = staticmethod(F.mse_loss)


class SmoothL1Loss(_Loss):
    r"""0.5 d^2/\beta for |d| < \beta, |d| - 0.5\beta otherwise (\beta = 1), averaged."""

    function = staticmethod(F.smooth_l1_loss)

    def __init__(
        self, size_average: Any = None, reduce: Any = None, reduction: str = "mean", beta: float = 1.0
    ) -> None:
        super().__init__(size_average, reduce, reduction, beta=beta)


class HuberLoss(_Loss):
    r"""0.5 d^2 for |d| < \delta, \delta(|d| - 0.5\delta) otherwise (\delta = 1), averaged."""

    function = staticmethod(F.huber_loss)

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction, delta=delta)


class BCELoss(_Loss):
    r"""Binary cross-entropy of probabilities: -(1/n) \sum [y log x + (1 - y) log(1 - x)], logs
    clamped at -100. Inputs outside [0, 1] raise; pair with a Sigmoid output."""

    function = staticmethod(F.binary_cross_entropy)

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction, buffers={"weight": weight})


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy, computed stably from logits; ``pos_weight`` weighs positives."""

    function = staticmethod(F.binary_cross_entropy_with_logits)

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(
            size_average, reduce, reduction, buffers={"weight": weight, "pos_weight": pos_weight}
        )


class CrossEntropyLoss(_Loss):
    r"""Softmax + negative log-likelihood of raw logits: -(1/N) \sum_i log softmax(x_i)_{y_i}.

    Do not put a Softmax layer before it. Targets are class indices (long) or class
    probabilities; ``weight``, ``ignore_index`` (-100) and ``label_smoothing`` as PyTorch.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            size_average,
            reduce,
            reduction,
            buffers={"weight": weight},
            ignore_index=ignore_index,
            label_smoothing=label_smoothing,
        )

    function = staticmethod(F.cross_entropy)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        # the training loop's case straight to its op (what F.cross_entropy does for it, without
        # that call's eight arguments); the options are read now, so later changes take effect
        if (
            self.weight is None
            and not self.label_smoothing
            and self.reduction == "mean"
            and plain_labels(input, target, self.ignore_index)
        ):
            return CrossEntropyLabelsFn.apply(input, target._data)
        # positional: keyword passing costs more than the loss's own checks on small batches
        return F.cross_entropy(
            input, target, self.weight, None, self.ignore_index, None, self.reduction, self.label_smoothing
        )


class NLLLoss(_Loss):
    r"""Negative log-likelihood of log-probabilities: -(1/N) \sum_i a_{i, y_i} (after LogSoftmax)."""

    function = staticmethod(F.nll_loss)

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(
            size_average, reduce, reduction, buffers={"weight": weight}, ignore_index=ignore_index
        )


class KLDivLoss(_Loss):
    r"""KL divergence \sum y (log y - x) with x = log-probabilities; use ``reduction='batchmean'``
    for the true KL per sample."""

    _reductions = KL_REDUCTIONS
    function = staticmethod(F.kl_div)

    def __init__(
        self, size_average: Any = None, reduce: Any = None, reduction: str = "mean", log_target: bool = False
    ) -> None:
        super().__init__(size_average, reduce, reduction, log_target=log_target)


class MultiMarginLoss(_Loss):
    r"""Multi-class hinge: (1/C) \sum_{j \ne y} max(0, margin - x_y + x_j)^p (p = 1, margin = 1)."""

    function = staticmethod(F.multi_margin_loss)

    def __init__(
        self,
        p: int = 1,
        margin: float = 1.0,
        weight: Tensor | None = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.dim() != 1:
            raise ValueError(
                f"MultiMarginLoss: expected weight to be a 1D tensor but got a {weight.dim()}D "
                f"tensor instead."
            )
        super().__init__(size_average, reduce, reduction, buffers={"weight": weight}, p=p, margin=margin)


class HingeEmbeddingLoss(_Loss):
    """x where y = 1, max(0, margin - x) where y = -1 (margin = 1), averaged."""

    function = staticmethod(F.hinge_embedding_loss)

    def __init__(
        self, margin: float = 1.0, size_average: Any = None, reduce: Any = None, reduction: str = "mean"
    ) -> None:
        super().__init__(size_average, reduce, reduction, margin=margin)


class SoftMarginLoss(_Loss):
    r"""Two-class logistic loss, labels in {-1, 1}: (1/n) \sum log(1 + e^{-y_i x_i})."""

    function = staticmethod(F.soft_margin_loss)

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)


class MultiLabelMarginLoss(_Loss):
    r"""Multi-label hinge: (1/C) \sum_{j \in labels} \sum_{i \notin labels} max(0, 1 - (x_j - x_i)),
    each row's labels listed in its target up to the first -1."""

    function = staticmethod(F.multilabel_margin_loss)

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)


class MultiLabelSoftMarginLoss(_Loss):
    r"""Multi-label logistic loss, per sample
    -(1/C) \sum_c w_c [y_c log \sigma(x_c) + (1 - y_c) log \sigma(-x_c)]."""

    function = staticmethod(F.multilabel_soft_margin_loss)

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction, buffers={"weight": weight})


class PoissonNLLLoss(_Loss):
    r"""Poisson NLL: e^x - y x of log-rates x (``log_input``), else x - y log(x + eps); ``full`` adds
    Stirling's term for log y!."""

    function = staticmethod(F.poisson_nll_loss)

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        size_average: Any = None,
        eps: float = 1e-8,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction, log_input=log_input, full=full, eps=eps)

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(
            log_input, target, self.log_input, self.full, eps=self.eps, reduction=self.reduction
        )


class GaussianNLLLoss(_Loss):
    r"""Gaussian NLL of the target under N(input, var): (log v + (x - y)^2 / v) / 2, v = max(var, eps)
    (``full`` adds log(2\pi)/2). Called as ``criterion(input, target, var)``."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction, full=full, eps=eps)

    def forward(self, input: Tensor, target: Tensor, var: Tensor | float) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)
