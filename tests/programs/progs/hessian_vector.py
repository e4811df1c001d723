"""Second derivatives with torch.autograd.grad(create_graph=True): a Hessian-vector product of a
network's loss, the input-gradient norm as a regulariser (double backward into the weights), and
a Newton step on a small float64 problem."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
X = torch.randn(16, 4)
y = torch.randint(0, 3, (16,))
params = [p for p in model.parameters() if p.requires_grad]

loss = F.cross_entropy(model(X), y)
grads = torch.autograd.grad(loss, params, create_graph=True)
v = [torch.ones_like(p) * 0.1 for p in params]
gv = sum((g * vi).sum() for g, vi in zip(grads, v))
hv = torch.autograd.grad(gv, params)
print("loss", loss.item())
print("grad norms", [g.norm().item() for g in grads])
print("Hv norms", [h.norm().item() for h in hv])

# input-gradient penalty: backward through a gradient into the parameters
Xg = X.clone().requires_grad_(True)
out = model(Xg)
ce = F.cross_entropy(out, y)
(gx,) = torch.autograd.grad(ce, Xg, create_graph=True)
penalty = gx.pow(2).sum(dim=1).mean()
total = ce + 0.5 * penalty
model.zero_grad()
total.backward()
print("penalty", penalty.item())
print("weight grad", model[0].weight.grad.sum().item(), model[2].bias.grad.tolist())

# the Hessian of a smooth function of two variables, row by row from the gradient, and by
# torch.autograd.functional.hessian, along gradient-descent steps


def f(w):
    return torch.log(torch.exp(w[0] + 2 * w[1]) + torch.exp(-w[0])) + 0.5 * (w**2).sum()


w = torch.tensor([1.5, -0.5], dtype=torch.float64, requires_grad=True)
for it in range(4):
    value = f(w)
    (g,) = torch.autograd.grad(value, w, create_graph=True)
    H = torch.stack([torch.autograd.grad(g[i], w, retain_graph=True)[0] for i in range(2)])
    with torch.no_grad():
        w -= 0.5 * g
    print(it, value.item(), g.detach().tolist(), H.tolist())
print(torch.autograd.functional.hessian(f, w.detach()).tolist())
value, hv = torch.autograd.functional.hvp(f, w.detach(), torch.tensor([1.0, -1.0], dtype=torch.float64))
print(value.item(), hv.tolist())
