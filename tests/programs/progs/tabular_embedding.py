"""A tabular MLP: embeddings for categorical columns, BatchNorm1d on continuous ones, LayerNorm
blocks, dropout, gradient clipping and a cosine schedule stepped per batch."""

import torch
import torch.nn as nn
from torch.nn.utils import clip_grad_norm_
from torch.utils.data import DataLoader, TensorDataset


class TabularModel(nn.Module):
    def __init__(self, emb_szs, n_cont, out_sz, layers, p=0.2):
        super().__init__()
        self.embeds = nn.ModuleList([nn.Embedding(ni, nf) for ni, nf in emb_szs])
        self.emb_drop = nn.Dropout(p)
        self.bn_cont = nn.BatchNorm1d(n_cont)
        n_emb = sum(nf for _, nf in emb_szs)
        layerlist = []
        n_in = n_emb + n_cont
        for i in layers:
            layerlist += [nn.Linear(n_in, i), nn.LayerNorm(i), nn.GELU(), nn.Dropout(p)]
            n_in = i
        layerlist.append(nn.Linear(layers[-1], out_sz))
        self.layers = nn.Sequential(*layerlist)

    def forward(self, x_cat, x_cont):
        embeddings = [e(x_cat[:, i]) for i, e in enumerate(self.embeds)]
        x = torch.cat(embeddings, 1)
        x = self.emb_drop(x)
        x_cont = self.bn_cont(x_cont)
        x = torch.cat([x, x_cont], 1)
        return self.layers(x)


torch.manual_seed(33)
n = 240
cats = torch.stack([torch.randint(0, 5, (n,)), torch.randint(0, 3, (n,)), torch.randint(0, 7, (n,))], 1)
conts = torch.randn(n, 4)
y = ((cats[:, 0] >= 2).long() + (conts[:, 0] > 0).long()).clamp(max=1)

emb_szs = [(5, 3), (3, 2), (7, 4)]
model = TabularModel(emb_szs, conts.shape[1], 2, [32, 16], p=0.1)
print(model)
print(sum(p.numel() for p in model.parameters() if p.requires_grad), "trainable parameters")

loader = DataLoader(TensorDataset(cats[:200], conts[:200], y[:200]), batch_size=25, shuffle=True)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=3 * len(loader))

for epoch in range(3):
    model.train()
    for xc, xn, target in loader:
        optimizer.zero_grad()
        loss = criterion(model(xc, xn), target)
        loss.backward()
        total_norm = clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
    model.eval()
    with torch.no_grad():
        logits = model(cats[200:], conts[200:])
        val_loss = criterion(logits, y[200:]).item()
        acc = (logits.argmax(1) == y[200:]).float().mean().item()
    print(f"epoch {epoch}: loss {loss.item():.6f} norm {total_norm.item():.6f}", end=" ")
    print(f"val {val_loss:.6f} acc {acc:.4f}")

print(model.embeds[0].weight.detach()[:2].tolist())
