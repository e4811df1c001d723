"""Stochastic weight averaging: AveragedModel, SWALR after a cosine phase, update_bn for the
averaged model's BatchNorm statistics, and an EMA model from get_ema_multi_avg_fn."""

import torch
from torch import nn
from torch.optim.swa_utils import SWALR, AveragedModel, get_ema_multi_avg_fn, update_bn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.randn(160, 6)
y = (X[:, :3].sum(1) > 0).float().unsqueeze(1)
loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(6, 24), nn.BatchNorm1d(24), nn.ReLU(), nn.Linear(24, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
swa_model = AveragedModel(model)
ema_model = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.9))
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
swa_start = 3
swa_scheduler = SWALR(optimizer, swa_lr=0.05, anneal_epochs=2, anneal_strategy="cos")
loss_fn = nn.BCEWithLogitsLoss()

for epoch in range(6):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss_fn(model(xb), yb).backward()
        optimizer.step()
        ema_model.update_parameters(model)
    if epoch > swa_start:
        swa_model.update_parameters(model)
        swa_scheduler.step()
    else:
        scheduler.step()
    print(epoch, round(optimizer.param_groups[0]["lr"], 8), loss_fn(model(X), y).item())

update_bn(loader, swa_model)
swa_model.eval()
ema_model.eval()
with torch.no_grad():
    print("swa", loss_fn(swa_model(X), y).item(), swa_model.n_averaged.item())
    print("ema", loss_fn(ema_model(X), y).item())
print(swa_model.module[1].running_mean[:4].tolist())
