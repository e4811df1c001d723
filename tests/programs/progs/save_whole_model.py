"""Saving a whole Module object (pickle) instead of its state_dict: torch allows it, mlplab refuses."""

import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
torch.save(model, "model.pth")
print("saved")
