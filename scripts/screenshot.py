"""Render an aikg HTML export to PNG in headless Chromium, with the network blocked.

    aikg path "Chinese enterprise customers" GPT-4o --at 2024-08-01 --html /tmp/founding.html
    python scripts/screenshot.py /tmp/founding.html scripts/founding-path.png

Needs Debian's ``chromium`` and the ``playwright`` package (the test extra).
"""
import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, and this machine refuses it.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path)
    ap.add_argument("png", type=Path)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=760)
    ap.add_argument("--chromium", default=CHROMIUM)
    a = ap.parse_args()
    url = a.html.resolve().as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=a.chromium, args=ARGS)
        page = browser.new_page(viewport={"width": a.width, "height": a.height})
        page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
        page.goto(url)
        page.wait_for_function("window.aikgSettled === true", timeout=60000)
        page.screenshot(path=str(a.png))
        browser.close()
    print(f"{a.png}: {a.png.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
