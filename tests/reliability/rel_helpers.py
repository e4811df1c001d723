"""Helpers of the reliability tests: the CLI in-process, CSV files, one-line error checks."""

import pytest

from mlplab import cli


def write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def call(*args: str) -> int:
    """``mlplab ARGS`` in-process; returns the exit status."""
    with pytest.raises(SystemExit) as e:
        cli.main([str(a) for a in args])
    return e.value.code


def one_line(res, code=2):
    """The one stderr line of a CLI call that must fail with ``code`` (no traceback)."""
    got, out, err = res
    assert got == code, f"expected exit {code}, got {got}\nstdout:\n{out}\nstderr:\n{err}"
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert "Traceback" not in err
    return lines[0]


def ok(res):
    code, out, err = res
    assert code == 0, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    return out, err


FAST = ("--dataset", "iris", "--epochs", "2", "--quiet", "--hidden", "4")
