"""Saving/loading recipe: a general checkpoint (epoch, model and optimizer state_dicts, loss),
resumed training that matches uninterrupted training, and inference from saved weights."""

import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 16)
        self.bn = nn.BatchNorm1d(16)
        self.fc2 = nn.Linear(16, 8)
        self.fc3 = nn.Linear(8, 3)

    def forward(self, x):
        x = F.relu(self.bn(self.fc1(x)))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


device = "cuda" if torch.cuda.is_available() else "cpu"
torch.manual_seed(0)
X = torch.randn(64, 10)
y = (X[:, 0] + X[:, 1] > 0).long() + (X[:, 2] > 1).long()

net = Net().to(device)
initial = copy.deepcopy(net.state_dict())
optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()

print("Model's state_dict:")
for param_tensor in net.state_dict():
    print(param_tensor, "\t", net.state_dict()[param_tensor].size())
print("Optimizer's state_dict keys:", sorted(optimizer.state_dict().keys()))


def train_epochs(model, opt, epochs):
    for _ in range(epochs):
        model.train()
        for i in range(0, 64, 16):
            opt.zero_grad()
            loss = criterion(model(X[i : i + 16].to(device)), y[i : i + 16].to(device))
            loss.backward()
            opt.step()
    return loss


loss = train_epochs(net, optimizer, 3)
EPOCH = 3
PATH = "model.pt"
torch.save(
    {
        "epoch": EPOCH,
        "model_state_dict": net.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "loss": loss.item(),
    },
    PATH,
)
print("saved after epoch", EPOCH, "loss", loss.item())

# uninterrupted: three more epochs
train_epochs(net, optimizer, 3)
net.eval()
with torch.no_grad():
    straight = net(X).tolist()

# resumed: a fresh model and optimizer from the checkpoint
model = Net().to(device)
opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
checkpoint = torch.load(PATH, weights_only=True, map_location=device)
model.load_state_dict(checkpoint["model_state_dict"])
opt.load_state_dict(checkpoint["optimizer_state_dict"])
epoch = checkpoint["epoch"]
print("resuming from epoch", epoch, "loss", checkpoint["loss"])
print("running_mean", model.bn.running_mean.tolist())
print("num_batches_tracked", model.bn.num_batches_tracked.item())
train_epochs(model, opt, 3)
model.eval()
with torch.no_grad():
    resumed = model(X).tolist()
print("resumed == uninterrupted:", resumed == straight)
print(resumed[:4])

# inference only: save the weights, load them into a new model
torch.save(model.state_dict(), "weights.pth")
infer = Net()
print(infer.load_state_dict(torch.load("weights.pth", weights_only=True)))
infer.eval()
with torch.no_grad():
    print(infer(X[:3]).argmax(dim=1).tolist(), F.softmax(infer(X[:3]), dim=1).tolist())

# back to the initial weights, from the in-memory copy
net.load_state_dict(initial)
print(net.fc3.bias.tolist())
