"""A course-notebook classifier: scikit-learn's 8x8 digits, stratified split, standardisation,
tensors from NumPy, a 64-50-10 Tanh network with Adam, minibatches from torch.randperm, and a
confusion matrix at the end."""

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

digits = load_digits()
X_train, X_test, y_train, y_test = train_test_split(
    digits.data, digits.target, test_size=0.2, stratify=digits.target, random_state=0
)
scaler = StandardScaler()
X_train = torch.from_numpy(scaler.fit_transform(X_train)).float()
X_test = torch.from_numpy(scaler.transform(X_test)).float()
y_train = torch.from_numpy(y_train).long()
y_test = torch.from_numpy(y_test).long()

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(64, 50), nn.Tanh(), nn.Linear(50, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

batch_size = 32
for epoch in range(3):
    perm = torch.randperm(X_train.shape[0])
    epoch_loss = 0.0
    for i in range(0, X_train.shape[0], batch_size):
        idx = perm[i : i + batch_size]
        optimizer.zero_grad()
        loss = criterion(net(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * len(idx)
    with torch.no_grad():
        pred = net(X_test).argmax(dim=1)
        acc = (pred == y_test).float().mean().item()
    print(f"epoch {epoch + 1}: train loss {epoch_loss / len(X_train):.6f}, test accuracy {acc:.4f}")

with torch.no_grad():
    probs = torch.softmax(net(X_test), dim=1)
    pred = probs.argmax(dim=1)
confusion = np.zeros((10, 10), dtype=int)
for t, p in zip(y_test.numpy(), pred.numpy()):
    confusion[t, p] += 1
print(confusion)
print("max prob", probs.max().item(), "mean max prob", probs.max(dim=1).values.mean().item())
