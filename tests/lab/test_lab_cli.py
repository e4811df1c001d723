"""``mlplab lab``: list, run one, run all with an index; exit status follows the claims."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mlplab.lab import EXPERIMENTS, Claim, LabResult, experiment


def _mlplab(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from mlplab.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_list_names_every_experiment_with_section_and_claim():
    r = _mlplab("lab", "--list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == len(EXPERIMENTS)
    for line, entry in zip(lines, EXPERIMENTS.entries()):
        assert line.startswith(entry.name) and entry.section in line and entry.claim in line


@pytest.mark.slow
def test_all_writes_index_md_and_self_contained_html(tmp_path):
    r = _mlplab("lab", "all", "--quick", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    md = (tmp_path / "index.md").read_text()
    page = (tmp_path / "index.html").read_text()
    for name in EXPERIMENTS:
        assert f"## {name} (PASS)" in md
        assert (tmp_path / name / "result.json").exists()
    assert page.count("data:image/png;base64,") >= len(EXPERIMENTS)
    assert 'src="http' not in page and "<script" not in page


def test_unknown_experiment_is_one_line_and_exit_2():
    r = _mlplab("lab", "nope")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "unknown experiment 'nope'" in r.stderr


def test_a_failing_claim_exits_1(tmp_path, monkeypatch):
    from mlplab import cli

    @experiment("toy-false", section="none", claim="1 > 2")
    def run(out_dir, quick, seed):
        return LabResult("toy-false", claims=[Claim("1 > 2", 1.0, ">", 2.0)])

    try:
        monkeypatch.setattr(sys, "argv", ["mlplab", "lab", "toy-false", "--out", str(tmp_path)])
        try:
            cli.main()
        except SystemExit as e:
            assert e.code == 1
        else:  # pragma: no cover
            raise AssertionError("mlplab lab toy-false did not exit")
    finally:
        EXPERIMENTS.remove("toy-false")
