"""``index.html`` of a lab run renders in headless Chromium: every figure loads, the claims tables
are there, and the page logs no console error."""

from __future__ import annotations

import pytest

from mlplab.lab import run_experiment
from mlplab.lab.index import write_index


@pytest.mark.slow
def test_index_html_renders_in_chromium(tmp_path, browser):
    results = [run_experiment(n, tmp_path / n, quick=True, seed=0) for n in ("descent", "information")]
    _, page_path = write_index(results, tmp_path)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert len(widths) == sum(len(r.figures) for r in results) and all(w > 0 for w in widths)
    assert page.locator("table.claims").count() == len(results)
    assert page.locator("details table.data").count() == sum(len(r.tables) for r in results)
    assert page.locator("td.PASS").count() == sum(len(r.claims) for r in results)
    assert page.locator("h1").inner_text().startswith("mlplab lab: 2 of 2 experiments passed")
    shot = tmp_path / "index.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    page.close()
    assert errors == []
