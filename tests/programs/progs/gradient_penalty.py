"""A critic MLP trained with a gradient penalty (WGAN-GP style) through torch.autograd.grad."""

import torch
import torch.nn as nn
from torch import autograd

device = "cuda" if torch.cuda.is_available() else "cpu"
torch.manual_seed(0)


class Critic(nn.Module):
    def __init__(self, dim=2, hidden=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x)


def gradient_penalty(critic, real, fake):
    alpha = torch.rand(real.size(0), 1, device=device)
    interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    d_interpolates = critic(interpolates)
    gradients = autograd.grad(
        outputs=d_interpolates,
        inputs=interpolates,
        grad_outputs=torch.ones_like(d_interpolates),
        create_graph=True,
        retain_graph=True,
    )[0]
    gradients = gradients.view(gradients.size(0), -1)
    return ((gradients.norm(2, dim=1) - 1) ** 2).mean()


critic = Critic().to(device)
optimizer = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
lambda_gp = 10.0

for step in range(15):
    real = torch.randn(32, 2, device=device) * 0.5 + torch.tensor([2.0, 0.0], device=device)
    fake = torch.randn(32, 2, device=device)
    optimizer.zero_grad()
    gp = gradient_penalty(critic, real, fake)
    loss = critic(fake).mean() - critic(real).mean() + lambda_gp * gp
    loss.backward()
    optimizer.step()
    if step % 3 == 0:
        print(f"step {step}: loss {loss.item():.6f} gp {gp.item():.6f}")

# gradients of the critic's output with respect to its input and parameters
x = torch.tensor([[0.5, -1.0], [1.5, 2.0]], requires_grad=True)
out = critic(x).sum()
gx, gw = torch.autograd.grad(out, [x, critic.net[0].weight])
print(gx.tolist())
print(gw.sum().item(), gw.shape)
