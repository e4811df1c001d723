"""Binary classification on two moons: BCEWithLogitsLoss, sigmoid probabilities thresholded at
0.5, SGD with Nesterov momentum and StepLR, and a decision grid evaluated under no_grad."""

import numpy as np
import torch
from sklearn.datasets import make_moons
from torch import nn

device = "cuda" if torch.cuda.is_available() else "cpu"
X, y = make_moons(n_samples=400, noise=0.2, random_state=42)
X = torch.from_numpy(X).type(torch.float)
y = torch.from_numpy(y).type(torch.float)
X_train, y_train = X[:320].to(device), y[:320].to(device)
X_test, y_test = X[320:].to(device), y[320:].to(device)


class MoonModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer_1 = nn.Linear(in_features=2, out_features=16)
        self.layer_2 = nn.Linear(in_features=16, out_features=16)
        self.layer_3 = nn.Linear(in_features=16, out_features=1)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.layer_3(self.relu(self.layer_2(self.relu(self.layer_1(x)))))


def accuracy_fn(y_true, y_pred):
    correct = torch.eq(y_true, y_pred).sum().item()
    return (correct / len(y_pred)) * 100


torch.manual_seed(42)
model_0 = MoonModel().to(device)
loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(params=model_0.parameters(), lr=0.1, momentum=0.9, nesterov=True)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=40, gamma=0.5)

epochs = 120
for epoch in range(epochs):
    model_0.train()
    y_logits = model_0(X_train).squeeze()
    y_pred = torch.round(torch.sigmoid(y_logits))
    loss = loss_fn(y_logits, y_train)
    acc = accuracy_fn(y_true=y_train, y_pred=y_pred)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    model_0.eval()
    with torch.inference_mode():
        test_logits = model_0(X_test).squeeze()
        test_pred = (torch.sigmoid(test_logits) > 0.5).float()
        test_loss = loss_fn(test_logits, y_test)
        test_acc = accuracy_fn(y_true=y_test, y_pred=test_pred)
    if epoch % 20 == 0:
        print(
            f"Epoch: {epoch} | Loss: {loss:.5f}, Accuracy: {acc:.2f}% | "
            f"Test loss: {test_loss:.5f}, Test acc: {test_acc:.2f}%"
        )

xx, yy = np.meshgrid(np.linspace(-1.5, 2.5, 5), np.linspace(-1.0, 1.5, 5))
grid = torch.from_numpy(np.column_stack((xx.ravel(), yy.ravel()))).float()
with torch.no_grad():
    probs = torch.sigmoid(model_0(grid)).reshape(xx.shape)
print(np.round(probs.numpy(), 5))
