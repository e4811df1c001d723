"""``index.md`` and ``index.html`` of a lab run: every experiment's claims, tables and figures.

The HTML page embeds the figures as base64 PNG data, so it opens from disk with nothing beside it.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .core import EXPERIMENTS, LabResult

_STYLE = (
    "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;"
    "text-align:left}td.num{text-align:right;font-family:monospace}.PASS{color:#1a7f37;font-weight:bold}"
    ".FAIL{color:#cf222e;font-weight:bold}img{max-width:100%;border:1px solid #eee}"
    "details{margin:0 0 1rem}summary{cursor:pointer;color:#555}table.data{font-size:.8rem;display:block;"
    "overflow-x:auto}table.data td{font-family:monospace;white-space:nowrap}"
)


def _claim_rows(result: LabResult) -> list[tuple[str, str, str, str]]:
    return [
        (c.text, f"{c.measured:.6g}", c.threshold_text(), "PASS" if c.passed else "FAIL")
        for c in result.claims
    ]


def _cell(value: Any) -> str:
    """A table value as text: numbers to 6 significant digits, lists and dicts as JSON."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str)
    return str(value)


def _md_escape(text: str) -> str:
    """``|`` would end a Markdown table cell (claims such as ``max |x|`` contain it)."""
    return text.replace("|", "\\|")


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    """Every key of the rows, in first-seen order (rows may differ in their keys)."""
    return list(dict.fromkeys(k for row in rows for k in row))


def _md_table(title: str, rows: list[dict[str, Any]]) -> list[str]:
    cols = _columns(rows)
    out = [f"<details><summary>table: {title} ({len(rows)} rows)</summary>", ""]
    out += ["| " + " | ".join(_md_escape(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(_md_escape(_cell(r.get(c, ""))) for c in cols) + " |" for r in rows]
    return out + ["", "</details>", ""]


def _html_table(title: str, rows: list[dict[str, Any]]) -> str:
    cols = _columns(rows)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(r.get(c, '')))}</td>" for c in cols) + "</tr>" for r in rows
    )
    return (
        f"<details><summary>table: {html.escape(title)} ({len(rows)} rows)</summary>"
        f'<table class="data"><tr>{head}</tr>{body}</table></details>'
    )


def write_index(results: Sequence[LabResult], out_dir: Path) -> tuple[Path, Path]:
    """Write ``index.md`` (figures linked) and ``index.html`` (figures embedded) into ``out_dir``:
    per experiment its claims, its tables (folded) and its figures."""
    passed = sum(r.passed for r in results)
    md = [f"# mlplab lab: {passed} of {len(results)} experiments passed", ""]
    body = [f"<h1>mlplab lab: {passed} of {len(results)} experiments passed</h1>"]
    for r in results:
        entry = EXPERIMENTS.get(r.name)
        verdict = "PASS" if r.passed else "FAIL"
        md += [f"## {r.name} ({verdict})", "", f"*{entry.section}* - {entry.claim}", ""]
        md += ["| claim | measured | threshold | result |", "|---|---:|---|---|"]
        md += ["| " + " | ".join(_md_escape(x) for x in row) + " |" for row in _claim_rows(r)]
        md.append("")
        body.append(f'<h2>{html.escape(r.name)} <span class="{verdict}">{verdict}</span></h2>')
        body.append(f"<p><em>{html.escape(entry.section)}</em> - {html.escape(entry.claim)}</p>")
        body.append(
            '<table class="claims"><tr><th>claim</th><th>measured</th><th>threshold</th><th>result</th></tr>'
        )
        for a, b, c, d in _claim_rows(r):
            body.append(
                f'<tr><td>{html.escape(a)}</td><td class="num">{b}</td><td>{html.escape(c)}</td>'
                f'<td class="{d}">{d}</td></tr>'
            )
        body.append("</table>")
        for title, rows in r.tables.items():
            md += _md_table(title, rows)
            body.append(_html_table(title, rows))
        for fig in r.figures:
            rel = Path(fig).relative_to(out_dir) if Path(fig).is_relative_to(out_dir) else Path(fig)
            md += [f"![{r.name}: {rel.name}]({rel.as_posix()})", ""]
            data = base64.b64encode(Path(fig).read_bytes()).decode("ascii")
            alt = html.escape(f"{r.name}: {rel.name}")
            body.append(f'<p><img alt="{alt}" src="data:image/png;base64,{data}"></p>')
    md_path, html_path = out_dir / "index.md", out_dir / "index.html"
    md_path.write_text("\n".join(md) + "\n", encoding="utf-8")
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mlplab lab</title>'
        f"<style>{_STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )
    html_path.write_text(page, encoding="utf-8")
    return md_path, html_path
