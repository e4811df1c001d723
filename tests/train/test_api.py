"""The Python side of mlplab.train: build_mlp, fit, metrics, callbacks."""

import io

import numpy as np
import pytest
from sklearn import metrics as skm

import mlplab
from mlplab import nn, optim
from mlplab.errors import UserError
from mlplab.train import metrics as M
from mlplab.train.callbacks import EarlyStopping, ProgressBar
from mlplab.train.loop import Trainer, fit
from mlplab.train.losses import LossSpec
from mlplab.train.model import build_mlp
from mlplab.utils.data import DataLoader, TensorDataset


def test_build_mlp_is_a_plain_sequential():
    m = build_mlp(64, [50], 10)
    assert isinstance(m, nn.Sequential)
    assert [type(x).__name__ for x in m] == ["Linear", "Tanh", "Linear"]
    assert m[0].weight.shape == (50, 64) and m[2].weight.shape == (10, 50)
    m = build_mlp(8, [16, 8], 3, activation="relu", batchnorm=True, dropout=0.2)
    assert [type(x).__name__ for x in m] == [
        "Linear",
        "BatchNorm1d",
        "ReLU",
        "Dropout",
        "Linear",
        "BatchNorm1d",
        "ReLU",
        "Dropout",
        "Linear",
    ]
    with pytest.raises(UserError, match="valid choices"):
        build_mlp(4, [3], 2, activation="nope")
    with pytest.raises(UserError, match="dropout"):
        build_mlp(4, [3], 2, dropout=1.0)


def test_inits_follow_their_formula():
    mlplab.manual_seed(0)
    m = build_mlp(400, [300], 10, activation="relu", init="kaiming_normal")
    w = m[0].weight.detach().numpy()
    assert abs(w.std() - np.sqrt(2 / 400)) / np.sqrt(2 / 400) < 0.02
    assert np.all(m[0].bias.detach().numpy() == 0)
    m = build_mlp(400, [300], 10, init="xavier_uniform")
    bound = np.sqrt(6 / (400 + 300))
    assert np.abs(m[0].weight.detach().numpy()).max() <= bound
    m = build_mlp(6, [4], 2, init="default")
    assert np.abs(m[0].weight.detach().numpy()).max() <= 1 / np.sqrt(6)


def test_fit_trains_with_a_dataloader():
    mlplab.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    model = build_mlp(2, [16], 2, activation="relu")
    loader = DataLoader(TensorDataset(mlplab.tensor(x), mlplab.tensor(y)), batch_size=20, shuffle=True)
    opt = optim.Adam(model.parameters(), lr=0.05)
    hist = fit(model, loader, opt, LossSpec("cross_entropy", "classification", 2), 30, val_data=(x, y))
    assert len(hist) == 30
    assert hist[-1]["train_loss"] < 0.5 * hist[0]["train_loss"]
    assert hist[-1]["val_acc"] > 0.9


def test_metrics_match_sklearn():
    rng = np.random.default_rng(0)
    y, p = rng.normal(size=50), rng.normal(size=50)
    assert M.mae(p, y) == pytest.approx(skm.mean_absolute_error(y, p))
    assert M.mse(p, y) == pytest.approx(skm.mean_squared_error(y, p))
    assert M.r2(p, y) == pytest.approx(skm.r2_score(y, p))
    a, b = rng.integers(0, 3, 40), rng.integers(0, 3, 40)
    assert M.accuracy(a, b) == pytest.approx(skm.accuracy_score(b, a))


_last_model = None


def _tiny_trainer(callbacks, epochs=2):
    mlplab.manual_seed(0)
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = build_mlp(3, [4], 2)
    loader = DataLoader(TensorDataset(mlplab.tensor(x), mlplab.tensor(y)), batch_size=8)
    t = Trainer(
        model,
        loader,
        optim.SGD(model.parameters(), lr=0.1),
        LossSpec("cross_entropy", "classification", 2),
        val_data=(x, y),
        callbacks=callbacks,
    )
    global _last_model
    _last_model = model
    return t.fit(epochs)


def test_progress_bar_tqdm_and_plain():
    buf = io.StringIO()
    _tiny_trainer([ProgressBar(buf, force_plain=False)])
    text = buf.getvalue()
    assert (
        "Epoch 01/2" in text and "Epoch 02/2" in text and "4/4" in text and "loss=" in text and "acc=" in text
    )
    buf = io.StringIO()  # StringIO is not a terminal: one plain line per epoch
    _tiny_trainer([ProgressBar(buf)])
    lines = buf.getvalue().splitlines()
    assert (
        len(lines) == 2
        and lines[0].startswith("Epoch 01/2")
        and "train_loss" in lines[0]
        and "val_acc" in lines[0]
    )


def test_early_stopping_stops_and_restores():
    # min_delta is unreachable, so only epoch 1 counts as an improvement: stop after 1 + patience epochs
    es = EarlyStopping(patience=2, min_delta=10.0)
    seen = {}

    class Spy(EarlyStopping):
        def __init__(self):
            pass

        def on_epoch_end(self, trainer, epoch, logs):
            seen[epoch] = {k: v.detach().numpy().copy() for k, v in trainer.model.state_dict().items()}

        def on_train_end(self, trainer):
            seen["final"] = {k: v.detach().numpy().copy() for k, v in trainer.model.state_dict().items()}

    st = _tiny_trainer([Spy(), es, Spy()], epochs=50)
    assert st.stop and st.epoch == 3 and es.best_epoch == 1
    final = {k: v.detach().numpy() for k, v in _last_model.state_dict().items()}
    assert all(np.array_equal(final[k], seen[1][k]) for k in final)
    assert not all(np.array_equal(seen[3][k], seen[1][k]) for k in final)


def test_fit_accepts_a_pytorch_criterion():
    from mlplab.train import fit as fit2

    mlplab.manual_seed(0)
    x = np.random.default_rng(1).normal(size=(64, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = build_mlp(3, [8], 2)
    loader = DataLoader(TensorDataset(mlplab.tensor(x), mlplab.tensor(y)), batch_size=16, shuffle=True)
    hist = fit2(
        model, loader, optim.SGD(model.parameters(), lr=0.5), nn.CrossEntropyLoss(), 10, val_data=(x, y)
    )
    assert hist[-1]["val_acc"] > 0.9 and hist[-1]["train_loss"] < hist[0]["train_loss"]
    reg = build_mlp(3, [8], 1)
    t = mlplab.tensor(x[:, :1] * 2.0)
    loader = DataLoader(TensorDataset(mlplab.tensor(x), t), batch_size=16)
    hist = fit2(
        reg,
        loader,
        optim.Adam(reg.parameters(), lr=0.01),
        nn.MSELoss(),
        20,
        task="regression",
        val_data=(x, x[:, :1] * 2.0),
    )
    assert hist[-1]["val_loss"] < 0.5 * hist[0]["val_loss"] and "val_r2" in hist[-1]
