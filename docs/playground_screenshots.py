"""Take the README's screenshots of ``mlplab playground`` (1400x900, headless Chromium).

python docs/playground_screenshots.py       # starts the server itself, writes docs/playground*.png
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "mlplab.cli", "playground", "--no-browser", "--port", str(port)]
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "api/options", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            # SGD first, pinned; then Adam beside it
            page.goto(url + "?dataset=spiral&hidden=8,8&activation=relu&optimizer=sgd&lr=0.1&epochs=60")
            page.wait_for_function("window.playground.frames > 0")
            page.click("#play")
            page.wait_for_function("window.playground.status === 'finished'", timeout=120_000)
            page.click("#pin")
            page.select_option("#f-optimizer", "adam")
            page.fill("#f-lr", "0.01")
            page.press("#f-lr", "Tab")
            page.wait_for_function("window.playground.frame && window.playground.frame.steps === 0")
            page.click("#play")
            page.wait_for_function("window.playground.status === 'finished'", timeout=120_000)
            time.sleep(0.5)
            page.screenshot(path=str(DOCS / "playground.png"))
            page.goto(
                url + "?dataset=digits&hidden=32&activation=relu&optimizer=adam&lr=0.001"
                "&batch_size=32&epochs=8"
            )
            page.wait_for_function("window.playground.frames > 0")
            page.click("#play")
            page.wait_for_function("window.playground.status === 'finished'", timeout=120_000)
            time.sleep(0.5)
            page.screenshot(path=str(DOCS / "playground-digits.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
