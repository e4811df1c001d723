"""Autograd basics: a one-layer net, grad_fn, gradients, no_grad/detach, vector-Jacobian products."""

import torch

x = torch.ones(5)
y = torch.zeros(3)
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print("loss", loss.item())
print("has grad_fn", z.grad_fn is not None, loss.grad_fn is not None)

loss.backward()
print(w.grad)
print(b.grad)

z = torch.matmul(x, w) + b
print(z.requires_grad)
with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)
z = torch.matmul(x, w) + b
z_det = z.detach()
print(z_det.requires_grad)

inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")

# a scalar function of a vector, and the gradient of each intermediate with retain_grad
a = torch.tensor([2.0, 3.0], requires_grad=True)
q = 3 * a**3 - a.exp()
q.retain_grad()
s = q.sum()
s.backward()
print(a.grad.tolist(), q.grad.tolist())
print(a.requires_grad_(False).requires_grad)
