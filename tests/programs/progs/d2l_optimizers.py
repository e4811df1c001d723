"""d2l optimisation chapter: optimisers by hand (momentum, Adagrad, RMSProp, Adam with state
tensors) and the same runs with torch.optim, on a linear-regression problem."""

import math

import torch
from torch import nn
from torch.utils import data

torch.manual_seed(0)
n, d = 200, 5
features = torch.randn(n, d)
labels = features @ torch.tensor([1.0, -2.0, 0.5, 3.0, -1.0]) + 0.1 * torch.randn(n)
features = (features - features.mean(axis=0)) / features.std(axis=0)
data_iter = data.DataLoader(data.TensorDataset(features, labels), batch_size=20, shuffle=False)


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def evaluate_loss(net, loss):
    with torch.no_grad():
        out = net(features)
        return loss(out, labels.reshape(out.shape)).mean().item()


def init_momentum_states(feature_dim):
    return (torch.zeros((feature_dim, 1)), torch.zeros(1))


def sgd_momentum(params, states, hyperparams):
    for p, v in zip(params, states):
        with torch.no_grad():
            v[:] = hyperparams["momentum"] * v + p.grad
            p[:] -= hyperparams["lr"] * v
        p.grad.data.zero_()


def init_adagrad_states(feature_dim):
    return (torch.zeros((feature_dim, 1)), torch.zeros(1))


def adagrad(params, states, hyperparams):
    eps = 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] += torch.square(p.grad)
            p[:] -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()


def init_rmsprop_states(feature_dim):
    return (torch.zeros((feature_dim, 1)), torch.zeros(1))


def rmsprop(params, states, hyperparams):
    gamma, eps = hyperparams["gamma"], 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] = gamma * s + (1 - gamma) * torch.square(p.grad)
            p[:] -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()


def init_adam_states(feature_dim):
    v_w, v_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
    s_w, s_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
    return ((v_w, s_w), (v_b, s_b))


def adam(params, states, hyperparams):
    beta1, beta2, eps = 0.9, 0.999, 1e-6
    for p, (v, s) in zip(params, states):
        with torch.no_grad():
            v[:] = beta1 * v + (1 - beta1) * p.grad
            s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
            v_bias_corr = v / (1 - beta1 ** hyperparams["t"])
            s_bias_corr = s / (1 - beta2 ** hyperparams["t"])
            p[:] -= hyperparams["lr"] * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)
        p.grad.data.zero_()
    hyperparams["t"] += 1


def train_scratch(trainer_fn, states, hyperparams, num_epochs=2):
    w = torch.normal(mean=0.0, std=0.01, size=(d, 1), requires_grad=True)
    b = torch.zeros((1), requires_grad=True)
    net, loss = lambda X: linreg(X, w, b), squared_loss
    for epoch in range(num_epochs):
        for X, y in data_iter:
            l = loss(net(X), y).mean()
            l.backward()
            trainer_fn([w, b], states, hyperparams)
        print(f"  epoch {epoch + 1}: loss {evaluate_loss(net, loss):.6f}")
    print("  w", w.detach().reshape(-1).tolist(), "b", b.item())


def train_concise(trainer_fn, hyperparams, num_epochs=2):
    net = nn.Sequential(nn.Linear(d, 1))

    def init_weights(module):
        if type(module) == nn.Linear:  # noqa: E721 - d2l's spelling
            torch.nn.init.normal_(module.weight, std=0.01)

    net.apply(init_weights)
    optimizer = trainer_fn(net.parameters(), **hyperparams)
    loss = nn.MSELoss(reduction="none")
    for epoch in range(num_epochs):
        for X, y in data_iter:
            optimizer.zero_grad()
            out = net(X)
            y = y.reshape(out.shape)
            l = loss(out, y)
            l.mean().backward()
            optimizer.step()
        print(f"  epoch {epoch + 1}: loss {evaluate_loss(net, lambda a, b: loss(a, b) / 2):.6f}")


print("momentum (scratch)")
train_scratch(sgd_momentum, init_momentum_states(d), {"lr": 0.02, "momentum": 0.5})
print("adagrad (scratch)")
train_scratch(adagrad, init_adagrad_states(d), {"lr": 0.1})
print("rmsprop (scratch)")
train_scratch(rmsprop, init_rmsprop_states(d), {"lr": 0.01, "gamma": 0.9})
print("adam (scratch)")
train_scratch(adam, init_adam_states(d), {"lr": 0.01, "t": 1})

for name, fn, hp in [
    ("SGD", torch.optim.SGD, {"lr": 0.01}),
    ("SGD momentum", torch.optim.SGD, {"lr": 0.005, "momentum": 0.9}),
    ("Adagrad", torch.optim.Adagrad, {"lr": 0.1}),
    ("RMSprop", torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9}),
    ("Adadelta", torch.optim.Adadelta, {"rho": 0.9}),
    ("Adam", torch.optim.Adam, {"lr": 0.01}),
]:
    print(name)
    train_concise(fn, hp)

# a learning-rate schedule function used by hand, as the d2l scheduler section does
lr_fn = lambda t: 0.1 * math.pow(t + 1, -0.5)  # noqa: E731
print([round(lr_fn(t), 6) for t in range(5)])
