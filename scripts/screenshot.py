"""Render an aikg HTML export, or pages of ``aikg serve``, to PNG in headless Chromium, with the network blocked.

    aikg path "Chinese enterprise customers" GPT-4o --at 2024-08-01 --html /tmp/founding.html
    python scripts/screenshot.py /tmp/founding.html scripts/founding-path.png

    # the front door's pages, served from a store holding the reference data
    python scripts/screenshot.py --serve STORE \
        "/ask?from=Chinese+enterprise+customers&to=GPT-4o&at=2024-08-01" scripts/ask-page.png \
        "/entity?id=https%3A%2F%2Fw3id.org%2Faikg%2Fid%2Fazure-openai-service" scripts/entity-page.png

Needs Debian's ``chromium`` and the ``playwright`` package (the test extra).
"""
import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, and this machine refuses it.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


def shoot(browser, url: str, png: Path, *, width: int, height: int, settle: bool, allowed: str) -> None:
    """``allowed``: the one file, or the server's root, the page may load from."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(allowed) else route.abort())
    page.goto(url)
    if settle:
        page.wait_for_function("() => window.aikgSettled === true", timeout=60000)
    else:
        frame = page.query_selector("iframe.drawing")
        if frame is not None:  # the answer's inline drawing: wait until it is drawn
            frame.scroll_into_view_if_needed()
            frame.content_frame().wait_for_function("() => window.aikgSettled === true", timeout=60000)
            page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(png))
    page.close()
    print(f"{png}: {png.stat().st_size:,} bytes")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("items", nargs="+", metavar="HTML PNG | PATH PNG",
                    help="an HTML file and its PNG; with --serve, page paths and PNGs in pairs")
    ap.add_argument("--serve", type=Path, metavar="STORE", help="serve this store and shoot its pages")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=760)
    ap.add_argument("--chromium", default=CHROMIUM)
    a = ap.parse_args()
    if len(a.items) % 2:
        ap.error("give pages and PNG files in pairs")
    pairs = [(a.items[i], Path(a.items[i + 1])) for i in range(0, len(a.items), 2)]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=a.chromium, args=ARGS)
        if a.serve:
            from aikg.server.endpoint import SparqlServer

            with SparqlServer(a.serve, port=0, workers=1) as srv:
                for path, png in pairs:
                    shoot(browser, srv.url.rstrip("/") + path, png, width=a.width, height=a.height, settle=False,
                          allowed=srv.url)
        else:
            for html, png in pairs:
                url = Path(html).resolve().as_uri()
                shoot(browser, url, png, width=a.width, height=a.height, settle=True, allowed=url)
        browser.close()


if __name__ == "__main__":
    main()
