"""The weight histograms a run writes: 30 equal-width buckets between the weights' min and max
(TensorFlow 2's tf.summary.histogram layout), whose counts and statistics are the final weights'."""

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from mlplab.serialization import load


def test_last_histogram_describes_the_final_weights(run_cli, tmp_path):
    code, out, err = run_cli("train", "--dataset", "iris", "--epochs", "2", "--quiet", "--out", "h")
    assert code == 0, err
    acc = EventAccumulator(str(tmp_path / "h/tb"), size_guidance={"histograms": 0})
    acc.Reload()
    last = acc.Histograms("weights/0.weight")[-1]
    assert last.step == 2
    h = last.histogram_value
    w = load(tmp_path / "h/model.npz")["0.weight"].numpy().astype(np.float64).reshape(-1)
    assert h.num == w.size and sum(h.bucket) == w.size
    assert h.min == pytest.approx(w.min()) and h.max == pytest.approx(w.max())
    assert h.sum == pytest.approx(w.sum()) and h.sum_squares == pytest.approx(w @ w)
    counts, edges = np.histogram(w, bins=30)
    # tensorboardX keeps the buckets from the first to the last non-empty one, plus one empty on the left
    nonzero = np.flatnonzero(counts)
    assert list(h.bucket) == [0.0] + counts[: nonzero[-1] + 1].astype(float).tolist()
    assert np.allclose(h.bucket_limit, edges[: nonzero[-1] + 2])


def test_one_event_per_epoch_and_an_overflowed_tensor_is_left_out(tmp_path):
    """Each epoch is one event holding its scalars and histograms; a weight that overflowed has no
    histogram that epoch (tensorboardX cannot bin it) while everything else is written."""
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    import mlplab
    from mlplab import nn
    from mlplab.train.callbacks import TensorBoard

    class _T:  # what the callback reads of a Trainer
        model = nn.Sequential(nn.Linear(3, 2))

    trainer = _T()
    cb = TensorBoard(tmp_path / "tb")
    cb.on_train_begin(trainer)
    cb.on_epoch_end(trainer, 1, {"train_loss": 0.5, "val_loss": float("nan"), "lr": 0.1})
    with mlplab.no_grad():
        trainer.model[0].weight[0, 0] = float("inf")
    cb.on_epoch_end(trainer, 2, {"train_loss": 0.25, "lr": 0.1})
    cb.on_train_end(trainer)
    (events,) = list((tmp_path / "tb").glob("events.out.tfevents.*"))
    steps = {}
    for ev in EventFileLoader(str(events)).Load():
        if ev.HasField("summary"):
            assert ev.step not in steps, "one event per epoch"
            steps[ev.step] = sorted(v.tag for v in ev.summary.value)
    assert steps == {
        1: ["loss/train", "lr", "weights/0.bias", "weights/0.weight"],
        2: ["loss/train", "lr", "weights/0.bias"],
    }
