"""Shared helpers of the train/CLI tests."""


def write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def ok(res):
    """The stdout of a CLI call that must succeed (exit 0)."""
    code, out, err = res
    assert code == 0, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    return out


def err(res):
    """The one stderr line of a CLI call that must fail with exit status 2 (no traceback)."""
    code, out, err = res
    assert code == 2, f"expected exit 2, got {code}\nstdout:\n{out}\nstderr:\n{err}"
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert "Traceback" not in err
    return lines[0]
