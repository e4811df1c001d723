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
