"""A run directory stands alone: evaluate and predict need nothing else, never rewrite the run's
files, and refuse data that changed since training."""

import csv
import hashlib
import json

import numpy as np
import pytest
from train_helpers import err as _err
from train_helpers import ok as _ok
from train_helpers import write_csv

FAST = ["--epochs", "2", "--quiet"]


def _checksums(run_dir):
    """SHA-256 of every file of the run (evaluations/ aside: that is where evaluate writes)."""
    return {
        str(p.relative_to(run_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(run_dir.rglob("*"))
        if p.is_file() and "evaluations" not in p.relative_to(run_dir).parts
    }


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture
def csv_run(run_cli, tmp_path, small_csv):
    _ok(run_cli("train", "--data", small_csv, "--target", "label", "--lr", "0.05", *FAST, "--out", "run"))
    return tmp_path / "run"


def test_run_records_fingerprint_and_split(csv_run, small_csv):
    meta = json.loads((csv_run / "config.json").read_text())
    fp = meta["data"]["fingerprint"]
    assert fp["sha256"] == hashlib.sha256(small_csv.read_bytes()).hexdigest() and fp["rows"] == 60
    with np.load(csv_run / "split.npz", allow_pickle=False) as z:
        idx = np.concatenate([z["indices_train"], z["indices_val"], z["indices_test"]])
        assert sorted(idx.tolist()) == list(range(60))
        assert len(z["x_test"]) == len(z["indices_test"]) == meta["splits"]["test"]


def test_evaluate_after_the_training_csv_is_gone(run_cli, csv_run, small_csv, tmp_path):
    trained = json.loads((csv_run / "metrics.json").read_text())["test"]
    before = _checksums(csv_run)
    small_csv.rename(tmp_path / "elsewhere.csv")
    out = _ok(run_cli("evaluate", "run"))
    assert "is gone" in out and "precision" in out
    evals = list((csv_run / "evaluations").iterdir())
    assert len(evals) == 1
    scored = json.loads((evals[0] / "metrics.json").read_text())["test"]
    assert scored == pytest.approx(trained)
    assert (evals[0] / "report.txt").exists() and (evals[0] / "confusion.png").exists()
    # predict works too, and neither command touched a file of the run
    new = write_csv(tmp_path / "new.csv", ["a", "b", "c"], [[1, 1, 0], [-1, -1, 0]])
    _ok(run_cli("predict", "run", "--data", new))
    _ok(run_cli("evaluate", "run"))
    assert _checksums(csv_run) == before
    assert len(list((csv_run / "evaluations").iterdir())) == 2


def test_evaluate_checks_unchanged_data_and_refuses_changed_data(run_cli, csv_run, small_csv):
    out = _ok(run_cli("evaluate", "run"))
    assert "unchanged" in out
    lines = small_csv.read_text().splitlines()
    lines[5] = lines[5].replace("0", "1", 1)
    small_csv.write_text("\n".join(lines) + "\n")
    line = _err(run_cli("evaluate", "run"))
    assert "changed" in line and "SHA-256" in line and "small.csv" in line


def test_evaluate_builtin_data_checks_fingerprint(run_cli, tmp_path):
    _ok(run_cli("train", "--dataset", "moons", "--n-samples", "200", *FAST, "--out", "m"))
    before = _checksums(tmp_path / "m")
    out = _ok(run_cli("evaluate", "m"))
    assert "built-in data set 'moons' unchanged" in out
    m = json.loads((tmp_path / "m/metrics.json").read_text())["test"]
    assert f"acc {m['acc']:.4f}" in out
    assert _checksums(tmp_path / "m") == before


def test_predict_matches_columns_by_name_and_writes_probabilities(run_cli, csv_run, tmp_path):
    new = write_csv(
        tmp_path / "new.csv", ["id", "c", "b", "a", "label"], [[1, 0, 2, 2, "?"], [2, 0, -2, -2, "?"]]
    )
    out = _ok(run_cli("predict", "run", "--data", new, "--output", "out.csv"))
    assert "2 rows" in out and "ignored column(s): id, label" in out and "out.csv" in out
    rows = _rows(tmp_path / "out.csv")
    assert rows[0] == ["prediction", "p_no", "p_yes"]
    assert [r[0] for r in rows[1:]] == ["yes", "no"]
    for r in rows[1:]:
        p = [float(v) for v in r[1:]]
        assert abs(sum(p) - 1) < 1e-5 and r[0] == ["no", "yes"][int(np.argmax(p))]
    code, out, err = run_cli("predict", "run", "--data", new, "--output", "-")
    assert code == 0 and list(csv.reader(out.splitlines())) == rows and "2 rows" in err
    # the same rows in the training order give the same file
    same = write_csv(tmp_path / "same.csv", ["a", "b", "c"], [[2, 2, 0], [-2, -2, 0]])
    _ok(run_cli("predict", "run", "--data", same, "--output", "same_out.csv"))
    assert _rows(tmp_path / "same_out.csv") == rows


def test_predict_names_missing_columns(run_cli, csv_run, tmp_path):
    new = write_csv(tmp_path / "few.csv", ["a", "c"], [[1, 2]])
    line = _err(run_cli("predict", "run", "--data", new))
    assert "missing 1 feature column(s): 'b'" in line


def test_predict_regression_writes_values_in_data_units(run_cli, tmp_path):
    _ok(run_cli("train", "--dataset", "diabetes", *FAST, "--out", "reg"))
    from mlplab import datasets

    raw = datasets.load_builtin("diabetes")
    names = raw.feature_names
    write_csv(tmp_path / "d.csv", names, raw.X[:5].tolist())
    out = _ok(run_cli("predict", "reg", "--data", "d.csv"))
    assert "5 rows" in out
    rows = _rows(tmp_path / "d.predictions.csv")
    assert rows[0] == ["prediction"] and len(rows) == 6
    values = [float(r[0]) for r in rows[1:]]
    assert all(20 < v < 400 for v in values), values  # disease progression units, not z-scores
    out = _ok(run_cli("evaluate", "reg"))
    m = json.loads((tmp_path / "reg/metrics.json").read_text())["test"]
    assert f"r2 {m['r2']:.4f}" in out and "pred_vs_true.png" in out


def test_evaluate_refuses_when_the_recorded_fingerprint_differs(run_cli, tmp_path):
    _ok(run_cli("train", "--dataset", "iris", *FAST, "--out", "fp"))
    f = tmp_path / "fp/config.json"
    meta = json.loads(f.read_text())
    meta["data"]["fingerprint"]["sha256"] = "0" * 64  # as if iris had changed since
    f.write_text(json.dumps(meta))
    line = _err(run_cli("evaluate", "fp"))
    assert "iris" in line and "changed" in line
    assert not (tmp_path / "fp/evaluations").exists() or not any((tmp_path / "fp/evaluations").iterdir())


def test_evaluate_an_interrupted_run_uses_its_last_checkpoint(run_cli, tmp_path):
    _ok(run_cli("train", "--dataset", "iris", *FAST, "--out", "cut"))
    (tmp_path / "cut/model.npz").unlink()
    out = _ok(run_cli("evaluate", "cut"))
    assert "acc" in out
    assert not (tmp_path / "cut/model.npz").exists()
