"""d2l dropout: a dropout_layer from scratch with torch.rand, then nn.Dropout in nn.Sequential."""

import torch
from torch import nn


def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)


X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
print("dropout_p = 0:", dropout_layer(X, 0))
print("dropout_p = 1:", dropout_layer(X, 1))

torch.manual_seed(0)
num_inputs, num_outputs, num_hiddens1, num_hiddens2 = 16, 4, 32, 32
dropout1, dropout2 = 0.2, 0.5


class Net(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True):
        super().__init__()
        self.num_inputs = num_inputs
        self.training = is_training
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
        if self.training:
            H1 = dropout_layer(H1, dropout1)
        H2 = self.relu(self.lin2(H1))
        if self.training:
            H2 = dropout_layer(H2, dropout2)
        return self.lin3(H2)


features = torch.randn(200, num_inputs)
labels = features[:, :4].argmax(dim=1)
loss = nn.CrossEntropyLoss()


def fit(net, steps=30, lr=0.2):
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for step in range(steps):
        idx = slice((step * 40) % 200, (step * 40) % 200 + 40)
        net.train()
        l = loss(net(features[idx]), labels[idx])
        trainer.zero_grad()
        l.backward()
        trainer.step()
        if step % 5 == 4:
            net.eval()
            with torch.no_grad():
                acc = (net(features).argmax(dim=1) == labels).float().mean()
            print(step + 1, round(l.item(), 6), acc.item())


fit(Net(num_inputs, num_outputs, num_hiddens1, num_hiddens2))

net = nn.Sequential(
    nn.Flatten(),
    nn.Linear(num_inputs, num_hiddens1),
    nn.ReLU(),
    nn.Dropout(dropout1),
    nn.Linear(num_hiddens1, num_hiddens2),
    nn.ReLU(),
    nn.Dropout(dropout2),
    nn.Linear(num_hiddens2, num_outputs),
)


def init_weights(m):
    if type(m) == nn.Linear:  # noqa: E721 - d2l's spelling
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
fit(net)
