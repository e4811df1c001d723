"""``docs/concepts.md`` names only files, tests and lab experiments that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from mlplab.lab import EXPERIMENTS

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "concepts.md"


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def test_every_path_and_test_named_in_concepts_md_exists():
    text = DOC.read_text()
    refs = re.findall(r"`((?:src|tests)/[^`:\s]+)(?:::(\w+))?`", text)
    assert len(refs) > 50
    missing = []
    for path, test in refs:
        if not (ROOT / path).exists():
            missing.append(path)
        elif test and test not in _tests_in(ROOT / path):
            missing.append(f"{path}::{test}")
    assert missing == []


def test_every_experiment_is_in_concepts_md_and_every_named_experiment_exists():
    text = DOC.read_text()
    cells = re.findall(r"\|\s*((?:`[a-z0-9-]+`(?:,\s*)?)+)[^|]*\|\s*(?:tests|`tests)", text)
    named = set(re.findall(r"`([a-z0-9-]+)`", " ".join(cells)))
    assert named and named <= set(EXPERIMENTS.names())
    assert set(EXPERIMENTS.names()) <= named
