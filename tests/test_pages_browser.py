"""The front door (ask, entity, document and search pages) in headless Chromium, over the reference data."""
import shutil
import urllib.parse
from pathlib import Path

import pytest
from rdflib import Graph

from aikg.namespace import GRAPH
from aikg.server.endpoint import SparqlServer
from aikg.store.embedded import EmbeddedStore

from test_querypage_browser import browser  # noqa: F401 - headless Chromium, one per module

pytestmark = pytest.mark.browser
HOSTILE = Path(__file__).parent / "data" / "viz" / "hostile.ttl"


@pytest.fixture(scope="module")
def server(reference_store_path):
    with SparqlServer(reference_store_path, port=0, workers=1) as srv:
        yield srv


@pytest.fixture(scope="module")
def hostile_server(reference_store_path, tmp_path_factory):
    """The reference data plus labels, aliases, titles and quotes a hostile document could bring in."""
    path = tmp_path_factory.mktemp("hostile") / "store"
    shutil.copytree(reference_store_path, path, ignore=shutil.ignore_patterns("aikg.lock"))
    graph = Graph()
    graph.parse(HOSTILE, format="turtle")
    with EmbeddedStore(path, write=True) as store:
        store.replace_graph(GRAPH["doc/hostile"], graph)
    with SparqlServer(path, port=0, workers=1) as srv:
        yield srv


def _page(browser, srv, **options):
    page = browser.new_page(**options)
    page.outside, page.errors, page.dialogs = [], [], []

    def route(r):
        if r.request.url.startswith(srv.url):
            r.continue_()
        else:
            page.outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    return page


@pytest.fixture
def page(browser, server):
    page = _page(browser, server)
    yield page
    assert page.outside == [] and page.errors == []  # nothing fetched from outside aikg, no script errors
    page.close()


def _ask(page, source, target, at):
    page.fill("#from", source)
    page.fill("#to", target)
    page.fill("#at", at)
    page.click("#ask")
    page.wait_for_selector("#verdict")


def test_founding_question_through_the_form(page, server):
    page.goto(server.url + "ask")
    assert page.input_value("#at")  # a date by default (today)
    _ask(page, "Chinese enterprise customers", "GPT-4o", "2024-08-01")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert query["from"] == ["Chinese enterprise customers"] and query["at"] == ["2024-08-01"]  # linkable
    assert page.inner_text("#verdict") == "reachable"
    opened = page.locator("#open-routes > li").all_inner_texts()
    assert any("Azure OpenAI Service" in r for r in opened)
    blocked = page.locator("#blocked-routes > li")
    api = [t for t in blocked.all_inner_texts() if "OpenAI API" in t]
    assert api and "OpenAI" in api[0] and "2024-07-09" in api[0] and "imposed by OpenAI" in api[0]
    # every step and every block cites a source that links to its document page
    href = page.locator("#blocked-routes a.source").first.get_attribute("href")
    assert href.startswith("/document?id=")
    # the path view is drawn inline
    frame = page.frame_locator("iframe.drawing")
    frame.locator("#aikg-network canvas").wait_for()


def test_another_date_opens_the_api_route(page, server):
    page.goto(server.url + "ask?" + urllib.parse.urlencode(
        {"from": "Chinese enterprise customers", "to": "GPT-4o", "at": "2024-08-01"}))
    page.click("a.keydate:has-text('2024-07-08')")  # the day before OpenAI's block
    page.wait_for_selector("#verdict")
    assert "at=2024-07-08" in page.url
    assert any("OpenAI API" in r for r in page.locator("#open-routes > li").all_inner_texts())
    assert not any("OpenAI API" in r for r in page.locator("#blocked-routes > li").all_inner_texts())
    # the stepper moves a day forward: the block is in force again
    page.click("a.step-link:has-text('+1 day')")
    page.wait_for_selector("#verdict")
    assert any("OpenAI API" in r for r in page.locator("#blocked-routes > li").all_inner_texts())


def test_slider_redraws_for_another_date(page, server):
    page.goto(server.url + "ask?" + urllib.parse.urlencode(
        {"from": "Chinese enterprise customers", "to": "GPT-4o", "at": "2024-08-01"}))
    slider = page.locator("#slider")
    slider.wait_for()  # shown by the script
    assert page.inner_text("#slider-date") == "2024-08-01"
    value = int(page.eval_on_selector("#slider", "s => s.value"))
    page.eval_on_selector("#slider", "(s, v) => { s.value = v; s.dispatchEvent(new Event('change')); }",
                          str(value - 24))  # 24 days earlier: 2024-07-08
    page.wait_for_url("**at=2024-07-08**")
    assert any("OpenAI API" in r for r in page.locator("#open-routes > li").all_inner_texts())


def test_what_changed_between_two_dates(page, server):
    page.goto(server.url + "ask?" + urllib.parse.urlencode(
        {"from": "Chinese enterprise customers", "to": "GPT-4o", "at": "2024-08-01"}))
    page.click("a.changes")
    page.wait_for_selector("#changes")
    closed = page.locator("#closed > li").all_inner_texts()
    assert any("OpenAI API" in c and "2024-07-09" in c for c in closed)


def test_entity_and_document_links(page, server):
    page.goto(server.url + "ask?" + urllib.parse.urlencode(
        {"from": "Chinese enterprise customers", "to": "GPT-4o", "at": "2024-08-01"}))
    page.click("#open-routes a.entity:has-text('Azure OpenAI Service')")
    page.wait_for_selector("#entity-label")
    assert page.inner_text("#entity-label") == "Azure OpenAI Service"
    assert page.locator("table.facts tr").count() > 3
    assert page.locator(".neighbours a:has-text('Microsoft')").count() == 1
    # ask from here fills the form
    page.click("#ask-to")
    assert page.input_value("#to") == "Azure OpenAI Service"
    page.go_back()
    page.locator("table.facts a.source").first.click()
    page.wait_for_selector("#document-title")
    assert page.locator("table.facts tbody tr").count() >= 1
    assert page.locator("table.facts a.entity").count() >= 1


def test_search_with_a_misspelling(page, server):
    page.goto(server.url + "ask")
    page.fill("#search-q", "Micrsoft")
    page.press("#search-q", "Enter")
    page.wait_for_selector("#did-you-mean")
    page.click("#did-you-mean a:has-text('Microsoft')")
    page.wait_for_selector("#results")
    page.click("#results a.entity:has-text('Microsoft')")
    assert page.inner_text("#entity-label") == "Microsoft"


def test_autocomplete_offers_labels_and_aliases(page, server):
    page.goto(server.url + "ask")
    page.type("#to", "gpt-4")
    page.wait_for_selector("#names-to option[value='GPT-4o']", state="attached")
    page.fill("#to", "")
    page.type("#to", "4 omni")  # an alias of GPT-4o
    page.wait_for_selector("#names-to option[value='GPT-4 Omni']", state="attached")


def test_unknown_name_is_a_message_with_candidates(page, server):
    page.goto(server.url + "ask?" + urllib.parse.urlencode({"from": "Chinese enterprise customers", "to": "GPT4-o0"}))
    assert "unknown name" in page.inner_text(".error")


@pytest.mark.parametrize("width", [1280, 390])
def test_usable_at_desktop_and_phone_width(browser, server, width):
    page = _page(browser, server, viewport={"width": width, "height": 800})
    page.goto(server.url + "ask?" + urllib.parse.urlencode(
        {"from": "Chinese enterprise customers", "to": "GPT-4o", "at": "2024-08-01"}))
    page.wait_for_selector("#verdict")
    # nothing wider than the screen: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(server.url + "entity?id=" + urllib.parse.quote("https://w3id.org/aikg/id/openai", safe=""))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.outside == [] and page.errors == []
    page.close()


def test_hostile_labels_render_inert(browser, hostile_server):
    page = _page(browser, hostile_server)
    base = hostile_server.url
    img = "<img src=x onerror=window.__pwned=1>"
    script = "</script><script>window.__pwned=2</script>"
    page.goto(base + "entity?id=" + urllib.parse.quote("https://w3id.org/aikg/id/bad-service", safe=""))
    assert page.inner_text("#entity-label") == script
    assert img in page.inner_text("table.facts")
    page.goto(base + "document?id=" + urllib.parse.quote("https://w3id.org/aikg/doc/bad", safe=""))
    assert "javascript:" in page.inner_text("#document-title")
    assert script in page.inner_text("table.facts")
    page.goto(base + "search?q=" + urllib.parse.quote("img src"))
    assert img in page.inner_text("#results")
    page.goto(base + "ask?" + urllib.parse.urlencode({"from": "Italian users", "to": img}))
    assert page.input_value("#to") == img
    page.fill("#to", "")
    page.type("#to", "<img")
    page.wait_for_selector("#names-to option", state="attached")
    hrefs = page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
    assert not any(h and h.lower().startswith("javascript") for h in hrefs)
    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == [] and page.errors == [] and page.outside == []
    page.close()
