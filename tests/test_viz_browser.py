"""The HTML views in headless Chromium: offline, drawn, marked, and inert to hostile labels."""
import base64
import json
from pathlib import Path

import pytest
from rdflib import Graph

from aikg.facts.bootstrap import init_store
from aikg.namespace import ENT, GRAPH
from aikg.store.embedded import EmbeddedStore
from aikg.views.viz import graph_page, path_page

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
DATA = Path(__file__).parent / "data" / "viz"
HOSTILE_IMG = "<img src=x onerror=window.__pwned=1>"
HOSTILE_SCRIPT = "</script><script>window.__pwned=2</script>"
HOSTILE_HREF = '<a href="javascript:window.__pwned=3">href</a>'


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """Two stores: the founding-story fixture, and one holding hostile labels."""
    base = tmp_path_factory.mktemp("vizb")
    story, hostile = base / "story", base / "hostile"
    init_store(str(story), empty=True)
    init_store(str(hostile), empty=True)
    for path, name in ((story, "founding_story.ttl"), (hostile, "hostile.ttl")):
        graph = Graph()
        graph.parse(DATA / name, format="turtle")
        with EmbeddedStore(path, write=True) as s:
            s.replace_graph(GRAPH["doc/" + path.name], graph)
    return {"story": story, "hostile": hostile}


class Opened:
    """A page opened from file:// with every other request refused and everything it tried recorded."""

    def __init__(self, browser, path: Path):
        self.url = path.resolve().as_uri()
        self.errors, self.requests, self.dialogs = [], [], []
        self.page = browser.new_page(viewport={"width": 1280, "height": 760})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route("**/*", lambda route: route.continue_() if route.request.url == self.url else route.abort())
        self.page.goto(self.url)
        self.page.wait_for_function("window.aikgSettled === true", timeout=30000)

    def counts(self):
        return self.page.evaluate("[aikgNetwork.body.data.nodes.length, aikgNetwork.body.data.edges.length]")

    def edges(self):
        return self.page.evaluate("aikgNetwork.body.data.edges.get()")

    def hover(self, ids=None):
        """Move the mouse onto nodes (default: all) so vis-network shows their tooltips; return the tooltips."""
        seen = []
        points = self.page.evaluate("""(ids) => {
            const box = document.getElementById('aikg-network').getBoundingClientRect();
            const pos = aikgNetwork.getPositions(ids || undefined);
            return Object.keys(pos).sort().map(id => {
                const p = aikgNetwork.canvasToDOM(pos[id]);
                return [box.left + p.x, box.top + p.y];
            });
        }""", ids)
        for x, y in points:
            self.page.mouse.move(1, 1)
            self.page.mouse.move(x, y)
            self.page.wait_for_timeout(200)
            seen.append(self.page.evaluate("""() => {
                const t = document.querySelector('div.vis-tooltip');
                if (!t || t.style.visibility === 'hidden') return null;
                // innerText turns newlines into <br>; anything else would be markup
                return [t.innerText, [...t.querySelectorAll('*')].filter(e => e.tagName !== 'BR').length];
            }"""))
        return seen

    def clean(self):
        """No console errors, and no request beyond the page itself."""
        assert self.errors == []
        assert [r for r in self.requests if r != self.url] == []
        assert self.dialogs == []

    def ink(self, browser) -> float:
        """Share of the screenshot's pixels that are not near-white (decoded in a blank page)."""
        png = base64.b64encode(self.page.screenshot()).decode()
        blank = browser.new_page()
        try:
            return blank.evaluate("""async (png) => {
                const img = new Image();
                img.src = 'data:image/png;base64,' + png;
                await img.decode();
                const c = document.createElement('canvas');
                c.width = img.width; c.height = img.height;
                const ctx = c.getContext('2d');
                ctx.drawImage(img, 0, 0);
                const d = ctx.getImageData(0, 0, c.width, c.height).data;
                let ink = 0;
                for (let i = 0; i < d.length; i += 4) { if (d[i] + d[i + 1] + d[i + 2] < 600) ink++; }
                return ink / (d.length / 4);
            }""", png)
        finally:
            blank.close()

    def close(self):
        self.page.close()


def write(tmp_path, name, page) -> Path:
    path = tmp_path / name
    path.write_text(page.html, encoding="utf-8")
    return path


def test_export_page_loads_offline_and_draws_the_graph(browser, stores, tmp_path):
    with EmbeddedStore(stores["story"]) as store:
        page = graph_page(store)
    opened = Opened(browser, write(tmp_path, "all.html", page))
    try:
        assert opened.counts() == [14, 24]
        assert opened.page.evaluate("Object.keys(aikgNetwork.getPositions()).length") == 14
        assert opened.ink(browser) > 0.01
        tips = [t for t in opened.hover([str(ENT["azure-openai-service"])]) if t]
        assert any("type: Service" in text and "available in: China, Hong Kong" in text for text, _ in tips)
        opened.clean()
    finally:
        opened.close()


def test_path_view_marks_blocked_edges(browser, stores, tmp_path):
    answer = json.loads((DATA / "founding_answer.json").read_text(encoding="utf-8"))
    with EmbeddedStore(stores["story"]) as store:
        page = path_page(answer, store=store)
    path = write(tmp_path, "path.html", page)
    opened = Opened(browser, path)
    try:
        assert opened.counts() == [7, 8]
        edges = opened.edges()
        blocked = [e for e in edges if e["dashes"] and e["color"]["color"] == "#CC3311"]
        assert len(blocked) == 6  # 4 hops on blocked routes + 2 "blocked by" links
        ends = {e["to"] for e in blocked if e["label"] == "blocked by"}
        assert ends == {str(ENT["restriction-openai-api-china"]), str(ENT["restriction-chatgpt-china"])}
        assert all(not e["dashes"] for e in edges if e["kind"] == "open")
        assert opened.ink(browser) > 0.01
        opened.clean()
    finally:
        opened.close()


def test_hostile_labels_run_nothing(browser, stores, tmp_path):
    with EmbeddedStore(stores["hostile"]) as store:
        pages = [graph_page(store), graph_page(store, focus=HOSTILE_IMG)]
    pages.append(path_page(json.loads((DATA / "hostile_answer.json").read_text(encoding="utf-8"))))
    for i, page in enumerate(pages):
        opened = Opened(browser, write(tmp_path, f"hostile{i}.html", page))
        try:
            tips = [t for t in opened.hover() if t]
            assert tips, "no tooltip showed"
            assert all(elements == 0 for _text, elements in tips)  # text only, never elements
            assert any(HOSTILE_HREF in text for text, _ in tips) or any(HOSTILE_IMG in text for text, _ in tips)
            opened.page.fill("#aikg-find", HOSTILE_IMG)
            opened.page.dispatch_event("#aikg-find", "change")
            if i:  # the focus label and the path's actor and target are in the heading, as text
                assert "<img src=x" in opened.page.inner_text("h1") or "<a href" in opened.page.inner_text("h1")
            assert opened.page.evaluate("document.querySelectorAll('img, a, iframe, object, embed').length") == 0
            assert opened.page.evaluate("document.scripts.length") == 2
            assert opened.page.evaluate("typeof window.__pwned") == "undefined"
            opened.clean()
        finally:
            opened.close()
