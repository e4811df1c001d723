"""``index.md`` / ``index.html``: claims, tables and figures of every experiment, Markdown-safe."""

from __future__ import annotations

from mlplab.lab import Claim, LabResult
from mlplab.lab.index import write_index


def test_tables_are_in_both_files_and_pipes_do_not_break_markdown_cells(tmp_path):
    result = LabResult(
        "descent",
        tables={"path": [{"step": 1, "|w|": 0.123456789, "xs": [1, 2]}, {"step": 2, "note": "a|b"}]},
        claims=[Claim("max |w| after 15 steps", 0.1, "<", 0.2)],
    )
    md_path, html_path = write_index([result], tmp_path)
    md = md_path.read_text()
    assert "| max \\|w\\| after 15 steps | 0.1 | < 0.2 | PASS |" in md
    assert "| step | \\|w\\| | xs | note |" in md
    assert "| 1 | 0.123457 | [1, 2] |  |" in md and "| 2 |  |  | a\\|b |" in md
    page = html_path.read_text()
    assert "<summary>table: path (2 rows)</summary>" in page
    assert "<td>0.123457</td>" in page and "<th>|w|</th>" in page
