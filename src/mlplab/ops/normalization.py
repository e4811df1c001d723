r"""Batch normalisation, one fused ``Op``."""

from __future__ import annotations

import numpy as np

from ..autograd.op import Op


class BatchNormFn(Op):
    r"""Batch normalisation over every axis but the channel axis 1.

    Training (batch statistics, M values per channel):
        \mu = mean(x),  \sigma^2 = mean((x - \mu)^2)  (biased),
        \hat x = (x - \mu)/\sqrt{\sigma^2 + \epsilon},
        y = \gamma \hat x + \beta;
        dL/dx = (\gamma / (M \sqrt{\sigma^2+\epsilon})) (M g - \sum g - \hat x \sum g \hat x),
        dL/d\gamma = \sum g \hat x,  dL/d\beta = \sum g.
    Evaluation (fixed running statistics): y is affine in x, dL/dx = g \gamma / \sqrt{var + \epsilon}.
    """

    backward_name = "NativeBatchNormBackward0"
    saves = (0, 1)  # x and the weight, as PyTorch (the tensor arguments: x, weight, bias)

    def forward(self, x, weight, bias, mean, var, use_batch, eps, cshape):
        # mean, var: the batch statistics (training) or the running ones, shaped like ``cshape``
        self.axes = (0,) + tuple(range(2, x.ndim))
        self.use_batch = use_batch
        self.m = x.size // x.shape[1]
        self.invstd = invstd = 1.0 / np.sqrt(var + eps)
        self.xhat = xhat = (x - mean) * invstd
        self.w = w = None if weight is None else weight.reshape(cshape)
        self.has_b = bias is not None
        self.mean, self.eps, self.cshape = mean, eps, cshape
        y = xhat if w is None else xhat * w
        if bias is not None:
            y = y + bias.reshape(cshape)  # not +=: y may be the saved xhat
        return y

    def backward(self, g):
        axes, xhat, w = self.axes, self.xhat, self.w
        needs = self.needs_input_grad
        out = []
        if needs[0]:
            gxhat = g if w is None else g * w
            if self.use_batch:
                m = self.m
                s1 = gxhat.sum(axis=axes, keepdims=True)
                s2 = (gxhat * xhat).sum(axis=axes, keepdims=True)
                gx = (gxhat - s1 / m - xhat * (s2 / m)) * self.invstd
            else:
                gx = gxhat * self.invstd
            out.append(gx)
        else:
            out.append(None)
        if w is not None:
            out.append((g * xhat).sum(axis=axes) if needs[len(out)] else None)
        if self.has_b:
            out.append(g.sum(axis=axes) if needs[len(out)] else None)
        return tuple(out)

    def backward_graph(self, g):
        r"""The formulas above on tensors; in training \mu and \sigma^2 are recomputed from x, so the
        second derivatives include their dependence on x (evaluation: only \hat x depends on x)."""
        axes, needs = self.axes, self.needs_input_grad
        x = self.parents[0]
        w = self.parents[1].reshape(self.cshape) if self.w is not None else None
        if self.use_batch:
            xc = x - x.mean(dim=axes, keepdim=True)
            invstd = 1.0 / ((xc * xc).mean(dim=axes, keepdim=True) + self.eps).sqrt()
        else:
            xc = x - g._make(self.mean)
            invstd = g._make(self.invstd)
        xhat = xc * invstd
        gxhat = g if w is None else g * w
        gx = None
        if needs[0]:
            if self.use_batch:
                m1 = gxhat.mean(dim=axes, keepdim=True)
                m2 = (gxhat * xhat).mean(dim=axes, keepdim=True)
                gx = (gxhat - m1 - xhat * m2) * invstd
            else:
                gx = gxhat * invstd
        out = [gx]
        if w is not None:
            out.append((g * xhat).sum(dim=axes) if needs[len(out)] else None)
        if self.has_b:
            out.append(g.sum(dim=axes) if needs[len(out)] else None)
        return tuple(out)


class LayerNormFn(Op):
    r"""Layer normalisation over the last ``k`` axes of each sample (H = the number of values there):
        \mu = mean(x),  \sigma^2 = mean((x - \mu)^2)  (biased),
        \hat x = (x - \mu)/\sqrt{\sigma^2 + \epsilon},  y = \gamma \hat x + \beta;
        dL/dx = (1/\sqrt{\sigma^2+\epsilon}) (\hat g - mean(\hat g) - \hat x mean(\hat g \hat x)),
            with \hat g = g \gamma,
        dL/d\gamma = \sum_{samples} g \hat x,  dL/d\beta = \sum_{samples} g.
    Unlike batch norm, the statistics are per sample, so training and evaluation compute the same.
    """

    backward_name = "NativeLayerNormBackward0"

    def forward(self, x, weight, bias, eps, k):
        self.axes = axes = tuple(range(x.ndim - k, x.ndim))
        self.lead = tuple(range(x.ndim - k))
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=axes, keepdims=True)
        self.invstd = invstd = 1.0 / np.sqrt(var + eps)
        self.xhat = xhat = xc * invstd
        self.w, self.has_b, self.eps = weight, bias is not None, eps
        y = xhat if weight is None else xhat * weight
        if bias is not None:
            y = y + bias  # not +=: y may be the saved xhat
        return y

    def backward(self, g):
        axes, lead, xhat, w = self.axes, self.lead, self.xhat, self.w
        needs = self.needs_input_grad
        out = []
        if needs[0]:
            gxhat = g if w is None else g * w
            m1 = gxhat.mean(axis=axes, keepdims=True)
            m2 = (gxhat * xhat).mean(axis=axes, keepdims=True)
            out.append((gxhat - m1 - xhat * m2) * self.invstd)
        else:
            out.append(None)
        if w is not None:
            out.append((g * xhat).sum(axis=lead) if needs[len(out)] else None)
        if self.has_b:
            out.append(g.sum(axis=lead) if needs[len(out)] else None)
        return tuple(out)

    def backward_graph(self, g):
        """The formulas above on tensors, the statistics recomputed from x (so differentiated)."""
        axes, lead, needs = self.axes, self.lead, self.needs_input_grad
        x = self.parents[0]
        w = self.parents[1] if self.w is not None else None
        xc = x - x.mean(dim=axes, keepdim=True)
        invstd = 1.0 / ((xc * xc).mean(dim=axes, keepdim=True) + self.eps).sqrt()
        xhat = xc * invstd
        out = [None]
        if needs[0]:
            gxhat = g if w is None else g * w
            m1 = gxhat.mean(dim=axes, keepdim=True)
            m2 = (gxhat * xhat).mean(dim=axes, keepdim=True)
            out[0] = (gxhat - m1 - xhat * m2) * invstd
        if w is not None:
            out.append((g * xhat).sum(dim=lead) if needs[len(out)] else None)
        if self.has_b:
            out.append(g.sum(dim=lead) if needs[len(out)] else None)
        return tuple(out)
