"""Outputs written into preallocated buffers: a small recurrent loop fills ``out[t]`` in place and
a running total is kept in a slice of a stats tensor; gradients reach the weights through both."""

import torch

W = torch.linspace(-0.5, 0.5, 9).reshape(3, 3).requires_grad_()
U = torch.linspace(0.2, 1.0, 6).reshape(2, 3).requires_grad_()
xs = torch.linspace(-1, 1, 10).reshape(5, 2)

out = torch.zeros(5, 3)
stats = torch.zeros(2)
h = torch.zeros(3)
for t in range(5):
    h = torch.tanh(xs[t] @ U + h @ W)
    out[t].copy_(h)
    stats[:1].add_(h.pow(2).sum())
print("out requires grad:", out.requires_grad, type(out.grad_fn).__name__)
print("stats:", stats.requires_grad, type(stats.grad_fn).__name__)
print(out)

loss = (out * torch.arange(1.0, 4.0)).sum() + 0.1 * stats[0]
loss.backward()
print("W.grad", W.grad)
print("U.grad", U.grad)

last_two = out[-2:]
print("a view made before: requires grad", last_two.requires_grad)
