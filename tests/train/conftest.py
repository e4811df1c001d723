import numpy as np
import pytest
from train_helpers import write_csv


@pytest.fixture
def small_csv(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    lab = np.where(x[:, 0] + x[:, 1] > 0, "yes", "no")
    return write_csv(
        tmp_path / "small.csv",
        ["a", "b", "c", "label"],
        [[f"{v:.4f}" for v in r] + [t] for r, t in zip(x, lab)],
    )
