"""TensorBoard events written by a run, read back with the real tensorboard package."""

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def test_events_have_scalars_and_histograms(run_cli, tmp_path):
    code, out, err = run_cli("train", "--dataset", "iris", "--epochs", "3", "--quiet", "--out", "tbrun")
    assert code == 0, err
    acc = EventAccumulator(str(tmp_path / "tbrun/tb"), size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    tags = acc.Tags()
    for tag in ["loss/train", "loss/val", "accuracy/train", "accuracy/val", "lr"]:
        assert tag in tags["scalars"], tags["scalars"]
        assert [e.step for e in acc.Scalars(tag)] == [1, 2, 3]
    assert acc.Scalars("lr")[0].value == pytest.approx(1e-3)
    assert "weights/0.weight" in tags["histograms"] and "grads/0.weight" in tags["histograms"]
    assert [e.step for e in acc.Histograms("weights/0.weight")] == [1, 2, 3]


def test_a_run_never_imports_torch(tmp_path):
    """mlplab must not import PyTorch, not even through tensorboardX (which imports it when present)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from mlplab import cli\n"
        "try:\n"
        "    cli.main(['train', '--dataset', 'iris', '--epochs', '1', '--quiet', '--out', 'r'])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "print('ok')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr
