"""Model inspection and fine-tuning: named_parameters, parameter counts, a custom init applied
with model.apply, forward hooks that record activations, freezing layers with requires_grad_,
and an optimiser over the trainable parameters only."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-2], sizes[1:-1]))
        self.head = nn.Linear(sizes[-2], sizes[-1])

    def forward(self, x):
        for layer in self.hidden:
            x = F.silu(layer(x))
        return self.head(x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight, gain=nn.init.calculate_gain("relu"))
        nn.init.zeros_(m.bias)


torch.manual_seed(0)
model = MLP([10, 32, 32, 4])
model.apply(init_weights)
for name, param in model.named_parameters():
    print(name, tuple(param.shape), param.requires_grad)
print("total", sum(p.numel() for p in model.parameters()))

activations = {}


def save_activation(name):
    def hook(module, inputs, output):
        activations[name] = output.detach()

    return hook


handles = [layer.register_forward_hook(save_activation(f"hidden{i}")) for i, layer in enumerate(model.hidden)]

X = torch.randn(64, 10)
y = torch.randint(0, 4, (64,))
out = model(X)
for name, act in activations.items():
    print(name, act.mean().item(), act.std().item(), (act > 0).float().mean().item())
for h in handles:
    h.remove()

# pretrain everything
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for _ in range(20):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(X), y)
    loss.backward()
    optimizer.step()
print("pretrained loss", loss.item())

# freeze the hidden layers, re-initialise and fine-tune the head only
for p in model.hidden.parameters():
    p.requires_grad_(False)
model.head.reset_parameters()
trainable = [p for p in model.parameters() if p.requires_grad]
print("trainable", sum(p.numel() for p in trainable))
frozen_before = model.hidden[0].weight.clone()
ft = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1, momentum=0.9)
for step in range(20):
    ft.zero_grad()
    loss = F.cross_entropy(model(X), y)
    loss.backward()
    ft.step()
    if step % 5 == 0:
        print(step, loss.item())
print("hidden unchanged:", torch.equal(frozen_before, model.hidden[0].weight))
# the frozen weights keep the gradient of their last backward before freezing
print("hidden grad:", model.hidden[0].weight.grad[0])
print(activations["hidden1"].shape, len(activations))
