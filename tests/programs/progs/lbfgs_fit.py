"""Full-batch L-BFGS with a closure on a small regression MLP (float64), with strong-Wolfe line
search, as scientific-computing examples use it."""

import math

import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
x = torch.linspace(-2, 2, 64).unsqueeze(1)
y = torch.sin(math.pi * x / 2) + 0.1 * x**2

model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
optimizer = torch.optim.LBFGS(
    model.parameters(), lr=1, max_iter=20, history_size=10, line_search_fn="strong_wolfe"
)
criterion = nn.MSELoss()


def closure():
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    return loss


for i in range(3):
    loss = optimizer.step(closure)
    print(f"outer step {i}: loss {loss.item():.10e}")

with torch.no_grad():
    print(model(torch.tensor([[0.0], [1.0]])).squeeze().tolist())
print(optimizer.state[optimizer._params[0]]["n_iter"])
