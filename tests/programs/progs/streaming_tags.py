"""Streaming tabular data with tags: an IterableDataset that splits its rows across DataLoader
workers with get_worker_info(), a collate_fn that packs variable-length tag lists into one flat
tensor plus offsets for nn.EmbeddingBag (weighted bags), nn.Bilinear feature crosses, a LazyLinear
head initialised by a dry run, and weight and spectral normalisation from
torch.nn.utils.parametrizations. The validation stream is two streams chained with +."""

import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

N_TAGS, N_CLASSES = 20, 3


def make_rows(n=400, seed=0):
    rng = np.random.RandomState(seed)
    dense = rng.randn(n, 4).astype(np.float32)
    tags, labels = [], []
    for i in range(n):
        k = rng.randint(1, 5)
        t = rng.choice(N_TAGS, size=k, replace=False)
        tags.append(t.tolist())
        score = dense[i, 0] - dense[i, 1] + 0.3 * (t % 3 == 0).sum() - 0.3 * (t % 3 == 1).sum()
        labels.append(0 if score < -0.5 else (1 if score < 0.5 else 2))
    return dense, tags, np.array(labels)


DENSE, TAGS, LABELS = make_rows()


class RowStream(IterableDataset):
    def __init__(self, start, end):
        super().__init__()
        self.start, self.end = start, end

    def __iter__(self):
        worker_info = get_worker_info()
        if worker_info is None:  # single-process data loading, return the full iterator
            iter_start, iter_end = self.start, self.end
        else:  # in a worker process: split the workload
            per_worker = int(math.ceil((self.end - self.start) / float(worker_info.num_workers)))
            iter_start = self.start + worker_info.id * per_worker
            iter_end = min(iter_start + per_worker, self.end)
        for i in range(iter_start, iter_end):
            yield DENSE[i], TAGS[i], LABELS[i]


def collate_batch(batch):
    dense_list, tag_list, weight_list, label_list, offsets = [], [], [], [], [0]
    for dense, tags, label in batch:
        dense_list.append(torch.from_numpy(dense))
        processed = torch.tensor(tags, dtype=torch.int64)
        tag_list.append(processed)
        weight_list.append(torch.full((len(tags),), 1.0 / len(tags)))
        offsets.append(processed.size(0))
        label_list.append(int(label))
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    return (
        torch.stack(dense_list),
        torch.cat(tag_list),
        offsets,
        torch.cat(weight_list),
        torch.tensor(label_list, dtype=torch.int64),
    )


class TagNet(nn.Module):
    def __init__(self, n_tags, emb_dim, n_classes):
        super().__init__()
        self.tags = nn.EmbeddingBag(n_tags, emb_dim, mode="sum")
        self.cross = nn.Bilinear(4, emb_dim, 8)
        self.hidden = nn.utils.parametrizations.weight_norm(nn.Linear(4 + emb_dim + 8, 32))
        self.mid = nn.utils.parametrizations.spectral_norm(nn.Linear(32, 32))
        self.head = nn.LazyLinear(n_classes)

    def forward(self, dense, tags, offsets, weights):
        bag = self.tags(tags, offsets, per_sample_weights=weights)
        h = torch.cat([dense, bag, self.cross(dense, bag)], dim=1)
        h = torch.relu(self.hidden(h))
        h = torch.tanh(self.mid(h))
        return self.head(h)


def evaluate(model, loader, criterion):
    model.eval()
    total_loss, correct, total = 0.0, 0, 0
    with torch.no_grad():
        for dense, tags, offsets, weights, labels in loader:
            logits = model(dense, tags, offsets, weights)
            total_loss += criterion(logits, labels).item() * labels.size(0)
            correct += (logits.argmax(1) == labels).sum().item()
            total += labels.size(0)
    return total_loss / total, correct / total


if __name__ == "__main__":
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)
    train_loader = DataLoader(RowStream(0, 300), batch_size=32, num_workers=2, collate_fn=collate_batch)
    val_loader = DataLoader(
        RowStream(300, 350) + RowStream(350, 400), batch_size=64, collate_fn=collate_batch
    )

    model = TagNet(N_TAGS, 6, N_CLASSES).to(device)
    print(model.head)
    dense, tags, offsets, weights, labels = next(iter(train_loader))
    print(dense.shape, tags.shape, offsets.tolist()[:5], labels.shape)
    model(dense, tags, offsets, weights)  # dry run: initialises the LazyLinear head
    print(model)
    print(list(model.state_dict().keys()))
    print(model.mid.parametrizations.weight[0]._u[:4])

    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for epoch in range(4):
        model.train()
        running, seen = 0.0, 0
        for dense, tags, offsets, weights, labels in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(dense, tags, offsets, weights), labels)
            loss.backward()
            optimizer.step()
            running += loss.item() * labels.size(0)
            seen += labels.size(0)
        val_loss, val_acc = evaluate(model, val_loader, criterion)
        print(
            f"epoch {epoch}: {seen} rows, train loss {running / seen:.6f}, "
            f"val loss {val_loss:.6f}, val acc {val_acc:.4f}"
        )
    g = model.hidden.parametrizations.weight.original0
    print("weight_norm g", g.shape, f"{g.detach().abs().mean().item():.6f}")
    sn = model.mid.parametrizations.weight
    sigma = torch.dot(sn[0]._u, sn.original.detach() @ sn[0]._v)
    print(f"estimated largest singular value of mid's original weight {sigma.item():.5f}")
