"""How often the playground page is updated while it trains, in a real browser.

Starts ``mlplab playground --no-browser`` on a free port, opens headless Chromium (Debian's
``chromium``) at 1400x900 on spiral with a 2x8 ReLU network and Adam (the issue's case), presses
play and counts, for ``--seconds`` seconds, the frames the page received and drew (boundary, unit
images, histograms), the epochs trained, and the largest gap between two frames. ``--tabs 2``
trains that many tabs at once (each gets its own session and thread). While they train it also
times ``GET /api/options`` from Python: the event loop's response time under training.

    .venv/bin/python benchmarks/playground_updates.py [--seconds 5] [--tabs 1]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright

QUERY = "?dataset=spiral&hidden=8,8&activation=relu&optimizer=adam&lr=0.01&epochs=100000"
# the page's frame arrivals, stamped in the page
WATCH = """() => { const P = window.playground; P.stamps = [];
  const ws = P.ws, old = ws.onmessage;
  ws.onmessage = (ev) => {
    if (JSON.parse(ev.data).type === "frame") P.stamps.push(performance.now());
    old(ev);
  };
}"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--tabs", type=int, default=1)
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "mlplab.cli", "playground", "--no-browser", "--port", str(port)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "api/options", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            pages = [browser.new_page(viewport={"width": 1400, "height": 900}) for _ in range(args.tabs)]
            for page in pages:
                page.goto(url + QUERY)
                page.wait_for_function(
                    "window.playground.frames > 0 && window.playground.status === 'paused'"
                )
                page.evaluate(WATCH)
            for page in pages:
                page.click("#play")
            latencies = []
            t_end = time.monotonic() + args.seconds
            while time.monotonic() < t_end:
                t0 = time.perf_counter()
                urllib.request.urlopen(url + "api/options", timeout=5).read()
                latencies.append(1000 * (time.perf_counter() - t0))
                time.sleep(0.1)
            for k, page in enumerate(pages):
                stamps = page.evaluate("window.playground.stamps")
                epochs = page.evaluate("window.playground.history.length")
                span = (stamps[-1] - stamps[0]) / 1000
                gaps = [b - a for a, b in zip(stamps, stamps[1:])]
                print(
                    f"tab {k + 1}: {len(stamps) - 1} frames in {span:.2f} s = {(len(stamps) - 1) / span:.1f} "
                    f"updates/s (largest gap {max(gaps):.0f} ms), {epochs} epochs trained"
                )
            print(
                f"GET /api/options while training: median {statistics.median(latencies):.1f} ms, "
                f"max {max(latencies):.1f} ms ({len(latencies)} requests)"
            )
            browser.close()
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
