"""Every differentiable operation, one ``Op`` subclass each, forward and backward side by
side with the derivative written in its docstring. One file per concept:

    arithmetic.py      + - * / **, maximum, minimum, where (tensor-tensor and tensor-scalar)
    elementwise.py     neg, exp, log, sqrt, abs, sin, cos, tanh, clamp; dtype cast and clone
    reduction.py       sum, mean, var, std, max/min, amax/amin, logsumexp, norm, cumsum
    shape.py           reshape, permute, expand, indexing, item assignment, cat, stack, gather
    linear.py          matmul and the fused linear layer x W^T + b
    activation.py      sigmoid, relu, leaky_relu, prelu, silu, elu, gelu, softplus, softmax,
                       log_softmax
    classification.py  cross-entropy (on labels or probabilities) and NLL
    loss.py            L1, MSE, smooth L1, Huber, BCE, BCE with logits, KL divergence, margin losses
    normalization.py   batch normalisation
    dropout.py         the dropout mask and its op
    information.py     x log y (entropy, KL and cross-entropy build on it)
    select.py          scatter, scatter_add, diag, tril/triu, einsum
    sampling.py        normal(mean, std) with tensor-valued parameters
    _numerics.py       array helpers shared by the ops (stable sigmoid, max shift, reductions)

Ops see only NumPy arrays: ``Op.apply`` unwraps the tensors and wraps the result. Nothing
here imports ``mlplab.tensor`` or ``mlplab.nn``; argument checking lives in the callers
(``Tensor`` methods, ``mlplab.nn.functional``).
"""
