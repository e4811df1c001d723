"""Regression on scikit-learn data: standardised features, MSE, ReduceLROnPlateau on the
validation loss, early stopping that keeps a deep copy of the best state_dict."""

import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_regression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = make_regression(n_samples=300, n_features=8, noise=10.0, random_state=0)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
X_val = torch.tensor(scaler.transform(X_val), dtype=torch.float32)
y_mean, y_std = y_train.mean(), y_train.std()
y_train = torch.tensor((y_train - y_mean) / y_std, dtype=torch.float32).reshape(-1, 1)
y_val = torch.tensor((y_val - y_mean) / y_std, dtype=torch.float32).reshape(-1, 1)

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2)

n_epochs, batch_size = 25, 32
batch_start = torch.arange(0, len(X_train), batch_size)
best_mse, best_weights, history = np.inf, None, []
patience, bad_epochs = 5, 0

for epoch in range(n_epochs):
    model.train()
    for start in batch_start:
        X_batch = X_train[start : start + batch_size]
        y_batch = y_train[start : start + batch_size]
        y_pred = model(X_batch)
        loss = loss_fn(y_pred, y_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        mse = float(loss_fn(model(X_val), y_val))
    scheduler.step(mse)
    history.append(mse)
    if mse < best_mse:
        best_mse, best_weights, bad_epochs = mse, copy.deepcopy(model.state_dict()), 0
    else:
        bad_epochs += 1
    print(f"epoch {epoch}: val MSE {mse:.6f} lr {optimizer.param_groups[0]['lr']}")
    if bad_epochs >= patience:
        print("early stop")
        break

model.load_state_dict(best_weights)
print(f"MSE: {best_mse:.6f}")
print(f"RMSE in data units: {np.sqrt(best_mse) * y_std:.4f}")
with torch.no_grad():
    print((model(X_val[:5]) * y_std + y_mean).squeeze().numpy())
