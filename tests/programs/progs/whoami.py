"""Runner check (not one of the compared programs): which library answers to the name torch."""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader

print(torch.__name__, nn.__name__, DataLoader.__module__.split(".")[0])
