"""Class imbalance in a tabular classifier: inverse-frequency sample weights through a
WeightedRandomSampler, against class weights in CrossEntropyLoss, with per-class recall."""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler

torch.manual_seed(7)
counts = [300, 60, 20]
X = torch.cat([torch.randn(n, 6) + 1.2 * c for c, n in enumerate(counts)])
y = torch.cat([torch.full((n,), c, dtype=torch.long) for c, n in enumerate(counts)])
class_count = torch.bincount(y)
print("class counts", class_count.tolist())
class_weights = 1.0 / class_count.float()
sample_weights = class_weights[y]


def make_model():
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))


def recall_per_class(model):
    model.eval()
    with torch.no_grad():
        pred = model(X).argmax(dim=1)
    return [round(((pred == c) & (y == c)).sum().item() / n, 4) for c, n in enumerate(counts)]


def train(model, loader, criterion, epochs=3):
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    for epoch in range(epochs):
        model.train()
        seen = torch.zeros(3)
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
            seen += torch.bincount(yb, minlength=3).float()
        print(f"epoch {epoch}: loss {total / len(loader.sampler):.6f} classes seen {seen.tolist()}")
    print("recall per class", recall_per_class(model))


print("plain shuffling")
train(make_model(), DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True), nn.CrossEntropyLoss())

print("weighted sampler")
sampler = WeightedRandomSampler(sample_weights, num_samples=len(sample_weights), replacement=True)
train(make_model(), DataLoader(TensorDataset(X, y), batch_size=32, sampler=sampler), nn.CrossEntropyLoss())

print("class-weighted loss")
weights = class_weights / class_weights.sum() * 3
train(
    make_model(),
    DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True),
    nn.CrossEntropyLoss(weight=weights),
)
