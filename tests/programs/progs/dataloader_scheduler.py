"""A custom Dataset, DataLoader with shuffle and worker processes, AdamW with OneCycleLR
stepped per batch, and a validation loop under torch.no_grad()."""

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, random_split


class SpiralDataset(Dataset):
    def __init__(self, n_per_class=60, classes=3, seed=0):
        rng = np.random.RandomState(seed)
        xs, ys = [], []
        for c in range(classes):
            r = np.linspace(0.1, 1.0, n_per_class)
            t = np.linspace(c * 4.0, (c + 1) * 4.0, n_per_class) + rng.randn(n_per_class) * 0.2
            xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
            ys.append(np.full(n_per_class, c))
        self.x = torch.tensor(np.concatenate(xs), dtype=torch.float32)
        self.y = torch.from_numpy(np.concatenate(ys)).long()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]


if __name__ == "__main__":
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(42)
    dataset = SpiralDataset()
    train_set, val_set = random_split(dataset, [0.8, 0.2], generator=torch.Generator().manual_seed(42))
    print(len(train_set), len(val_set))
    train_loader = DataLoader(train_set, batch_size=16, shuffle=True, num_workers=2)
    val_loader = DataLoader(val_set, batch_size=64, shuffle=False, num_workers=0)

    model = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 3)).to(
        device
    )
    epochs = 3
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=5e-2, epochs=epochs, steps_per_epoch=len(train_loader)
    )
    criterion = nn.CrossEntropyLoss(label_smoothing=0.05)

    for epoch in range(epochs):
        model.train()
        running = 0.0
        for inputs, targets in train_loader:
            inputs, targets = inputs.to(device), targets.to(device)
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item() * inputs.size(0)
        model.eval()
        correct, total = 0, 0
        with torch.no_grad():
            for inputs, targets in val_loader:
                outputs = model(inputs.to(device))
                _, predicted = torch.max(outputs, 1)
                total += targets.size(0)
                correct += (predicted == targets.to(device)).sum().item()
        print(
            f"epoch {epoch}: train loss {running / len(train_set):.5f} "
            f"val acc {correct / total:.4f} lr {scheduler.get_last_lr()[0]:.6f}"
        )
