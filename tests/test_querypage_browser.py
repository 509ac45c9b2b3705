"""The query page at ``/`` in headless Chromium: examples with parameters, linked results, permalink, downloads."""
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from aikg.server.endpoint import SparqlServer
from aikg.views.querypage import examples

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def server(reference_store_path):
    with SparqlServer(reference_store_path, port=0, workers=1) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    page = browser.new_page()
    page.outside, page.errors = [], []

    def route(r):
        if r.request.url.startswith(server.url):
            r.continue_()
        else:
            page.outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    assert page.outside == [] and page.errors == []
    page.close()


def test_every_competency_query_is_an_example():
    names = {e["name"] for e in examples()}
    assert len(names) == 12 and "services_for_model" in names
    assert examples()[[e["name"] for e in examples()].index("services_for_model")]["parameters"] == \
        {"model": "ent:gpt-4o"}


def test_example_with_a_parameter_runs_and_links_entities(page, server):
    page.goto(server.url)
    page.select_option("#example", "services_for_model")
    assert page.input_value("#param-model") == "ent:gpt-4o"
    page.fill("#param-model", "ent:claude-3-5-sonnet")
    assert "VALUES ?model { ent:claude-3-5-sonnet }" in page.input_value("#query")
    page.click("#run")
    page.wait_for_selector("table td a")
    hrefs = page.locator("table td a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs and all(h.startswith(("/entity?id=", "/document?id=")) for h in hrefs)
    assert "/entity?id=" + urllib.parse.quote("https://w3id.org/aikg/id/", safe="") in "".join(hrefs)
    # the permalink carries the query and runs it again on load
    link = page.get_attribute("#permalink", "href")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["q"][0] == page.input_value("#query")
    rows = page.locator("table tr").count()
    page.goto(server.url.rstrip("/") + link)
    page.wait_for_selector("table td")
    assert page.locator("table tr").count() == rows
    assert page.input_value("#param-model") == "ent:claude-3-5-sonnet"


def test_downloads_in_every_format(page, server):
    query = "SELECT ?m WHERE { ?m aikg:developedBy ent:openai } LIMIT 3"
    page.goto(server.url + "?" + urllib.parse.urlencode({"q": query}))
    page.wait_for_selector("#downloads a")
    links = dict(zip(page.locator("#downloads a").all_inner_texts(),
                     page.locator("#downloads a").evaluate_all("els => els.map(e => e.getAttribute('href'))")))
    assert set(links) == {"JSON", "XML", "CSV", "TSV"}
    for label, href in links.items():
        with urllib.request.urlopen(server.url.rstrip("/") + href, timeout=30) as resp:
            assert resp.status == 200 and resp.read()
    page.goto(server.url + "?" + urllib.parse.urlencode({"q": "CONSTRUCT WHERE { ent:gpt-4o aikg:developedBy ?o }"}))
    page.wait_for_selector("#downloads a")
    labels = page.locator("#downloads a").all_inner_texts()
    assert labels == ["Turtle", "N-Triples", "N-Quads", "TriG", "RDF/XML", "JSON-LD"]
    types = set()
    for href in page.locator("#downloads a").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        with urllib.request.urlopen(server.url.rstrip("/") + href, timeout=30) as resp:
            assert resp.status == 200 and b"openai" in resp.read()
            types.add(resp.headers.get_content_type())
    assert len(types) == 6
