"""micrograd's engine tests, run as a program: scalar expressions in float64 and their gradients."""

import torch

x = torch.Tensor([-4.0]).double()
x.requires_grad = True
z = 2 * x + 2 + x
q = z.relu() + z * x
h = (z * z).relu()
y = h + q + q * x
y.backward()
print("sanity", y.data.item(), x.grad.item())

a = torch.Tensor([-4.0]).double()
b = torch.Tensor([2.0]).double()
a.requires_grad = True
b.requires_grad = True
c = a + b
d = a * b + b**3
c = c + c + 1
c = c + 1 + c + (-a)
d = d + d * 2 + (b + a).relu()
d = d + 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g = g + 10.0 / f
g.backward()
print("more ops", g.data.item(), a.grad.item(), b.grad.item())

# a tiny MLP of neurons, micrograd's demo style, trained on four points with a hinge loss
torch.manual_seed(1337)
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
xs = torch.tensor(xs, dtype=torch.float64)
ys = torch.tensor([1.0, -1.0, -1.0, 1.0], dtype=torch.float64)
model = torch.nn.Sequential(
    torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)
).double()
for k in range(20):
    scores = model(xs).squeeze(1)
    data_loss = torch.relu(1 + -ys * scores).mean()
    reg_loss = 1e-4 * sum((p * p).sum() for p in model.parameters())
    total = data_loss + reg_loss
    acc = ((ys > 0) == (scores > 0)).double().mean()
    model.zero_grad()
    total.backward()
    lr = 1.0 - 0.9 * k / 20
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    if k % 4 == 0:
        print(f"step {k} loss {total.item()}, accuracy {acc.item() * 100}%")
