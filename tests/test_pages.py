"""The front door's pages without a browser: what they show, escaping, errors, and how the server serves them."""
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest
from rdflib import Graph

from aikg.namespace import GRAPH
from aikg.server.endpoint import SparqlServer
from aikg.store.embedded import EmbeddedStore
from aikg.views.pages import respond, static

from test_pages_browser import HOSTILE

FOUNDING = {"from": ["Chinese enterprise customers"], "to": ["GPT-4o"], "at": ["2024-08-01"]}


@pytest.fixture(scope="module")
def ref(reference_store_path):
    with EmbeddedStore(reference_store_path) as store:
        yield store


def html(result) -> str:
    status, ctype, body = result
    assert ctype.startswith("text/html")
    return body.decode("utf-8")


class _Tags(HTMLParser):
    """Every start tag with its attributes: what a browser would build."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(text: str) -> list:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


def test_answer_page_shows_verdict_routes_blocks_and_sources(ref):
    status, _, body = respond(ref, "/ask", FOUNDING)
    text = body.decode()
    assert status == 200
    assert re.search(r'id="verdict" class="verdict verdict-reachable">reachable<', text)
    assert "OpenAI API block for China and other unsupported regions" in text and "2024-07-09" in text
    links = [a["href"] for t, a in tags(text) if t == "a" and "href" in a]
    assert any(h.startswith("/document?id=") for h in links)
    assert any(h == "/entity?id=" + urllib.parse.quote("https://w3id.org/aikg/id/azure-openai-service", safe="")
               for h in links)
    frames = [a["src"] for t, a in tags(text) if t == "iframe"]
    assert frames and frames[0].startswith("/ask/drawing?")


def test_the_day_before_the_block_the_api_route_is_open(ref):
    text = html(respond(ref, "/ask", {**FOUNDING, "at": ["2024-07-08"]}))
    open_part, blocked_part = text.split('id="blocked-routes"') if 'id="blocked-routes"' in text else (text, "")
    assert ">OpenAI API<" in open_part.split('id="open-routes"')[1]
    assert "OpenAI API block" not in blocked_part


def test_what_changed_names_the_restriction(ref):
    text = html(respond(ref, "/ask", {**FOUNDING, "between": ["2024-07-01", "2024-08-01"]}))
    closed = text.split('id="closed"')[1]
    assert "OpenAI API" in closed and "2024-07-09" in closed


def test_without_is_a_what_if(ref):
    text = html(respond(ref, "/ask", {**FOUNDING, "without": ["21Vianet"]}))
    assert "What if without" in text and "21Vianet" in text


def test_ask_form_defaults_to_today(ref):
    import datetime

    text = html(respond(ref, "/ask", {}))
    assert f'value="{datetime.date.today().isoformat()}"' in text


@pytest.mark.parametrize("params,message", [
    ({"from": ["Chinese enterprise customers"], "to": ["GPT4-o0"]}, "unknown name"),
    ({"from": ["Chinese enterprise customers"], "to": ["GPT-4o"], "at": ["1 August"]}, "YYYY-MM-DD"),
    ({"from": ["Chinese enterprise customers"]}, "give both FROM and TO"),
])
def test_bad_questions_are_one_line_messages(ref, params, message):
    status, _, body = respond(ref, "/ask", params)
    assert status == 400 and message in body.decode()


def test_entity_page_has_facts_restrictions_neighbours_and_ask_links(ref):
    text = html(respond(ref, "/entity", {"id": ["https://w3id.org/aikg/id/openai-api"]}))
    assert "OpenAI API block for China" in text  # a restriction that names it
    links = [a["href"] for t, a in tags(text) if t == "a" and "href" in a]
    assert "/ask?" + urllib.parse.urlencode({"from": "OpenAI API"}) in links
    assert "/ask?" + urllib.parse.urlencode({"to": "OpenAI API"}) in links
    assert "/entity?id=" + urllib.parse.quote("https://w3id.org/aikg/id/openai", safe="") in links
    # by name too
    assert respond(ref, "/entity", {"name": ["openai api"]})[0] == 200


NOTE = """
@prefix aikg: <https://w3id.org/aikg/ns#> . @prefix ent: <https://w3id.org/aikg/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/aikg/doc/test-note> a aikg:Document ; rdfs:label "A note written for this test" ;
    aikg:url "https://example.org/note" .
ent:gpt-4o aikg:developedBy ent:openai .
ent:statement-test-note a aikg:Statement ; rdf:subject ent:gpt-4o ; rdf:predicate aikg:developedBy ;
    rdf:object ent:openai ; prov:wasDerivedFrom <https://w3id.org/aikg/doc/test-note> ;
    aikg:quote "The model in this invented note comes from the lab it names." ; aikg:confidence 0.9 .
"""


def test_document_page_lists_its_facts_with_quotes(store):
    store.replace_graph(GRAPH["doc/test-note"], Graph().parse(data=NOTE, format="turtle"))
    text = html(respond(store, "/document", {"id": ["https://w3id.org/aikg/doc/test-note"]}))
    assert "A note written for this test" in text
    assert "<q>The model in this invented note comes from the lab it names.</q>" in text
    assert ">GPT-4o<" in text and ">OpenAI<" in text and "confidence 0.90" in text
    assert '<a href="https://example.org/note"' in text
    # and the entity page links to it
    text = html(respond(store, "/entity", {"id": ["https://w3id.org/aikg/id/gpt-4o"]}))
    assert "/document?id=" + urllib.parse.quote("https://w3id.org/aikg/doc/test-note", safe="") in text


def test_unknown_pages_are_404(ref):
    assert respond(ref, "/entity", {"name": ["no such thing at all"]})[0] == 404
    assert respond(ref, "/document", {"id": ["https://example.org/none"]})[0] == 404
    assert respond(ref, "/document", {"id": ["javascript:alert(1)"]})[0] == 404


def test_search_suggests_for_a_misspelling(ref):
    text = html(respond(ref, "/search", {"q": ["Micrsoft"]}))
    assert 'id="did-you-mean"' in text and ">Microsoft<" in text
    text = html(respond(ref, "/search", {"q": ["azure openai"]}))
    assert ">Azure OpenAI Service<" in text.split('id="results"')[1]


def test_suggest_lists_labels_and_aliases(ref):
    status, ctype, body = respond(ref, "/suggest", {"q": ["4 omni"]})
    assert status == 200 and ctype.startswith("application/json")
    assert "GPT-4 Omni" in json.loads(body)
    assert json.loads(respond(ref, "/suggest", {"q": [""]})[2]) == []


def test_static_files_are_package_data():
    assert static("/static/front.css")[0].startswith("text/css")
    assert b"/suggest" in static("/static/front.js")[1]
    assert static("/static/../pages.py") is None


def test_hostile_labels_are_escaped(store):
    graph = Graph()
    graph.parse(HOSTILE, format="turtle")
    store.replace_graph(GRAPH["doc/hostile"], graph)
    pages = [respond(store, "/entity", {"id": ["https://w3id.org/aikg/id/bad-service"]}),
             respond(store, "/document", {"id": ["https://w3id.org/aikg/doc/bad"]}),
             respond(store, "/search", {"q": ["img src"]}),
             respond(store, "/ask", {"from": ["<img src=x onerror=window.__pwned=1>"], "to": ["GPT-4o"]})]
    for status, _, body in pages:
        text = body.decode()
        for tag, attrs in tags(text):
            assert tag not in ("img", "iframe") or attrs.get("src", "").startswith("/ask/drawing")
            assert not any(k.startswith("on") for k in attrs)
            assert not any(str(v).lower().startswith("javascript") for v in attrs.values())
        assert text.count("<script") == 1  # ours, from /static/


@pytest.fixture(scope="module")
def server(reference_store_path):
    with SparqlServer(reference_store_path, port=0, workers=1) as srv:
        yield srv


def _get(url, method="GET"):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_server_serves_the_pages_with_its_security_headers(server):
    status, headers, body = _get(server.url + "ask?" + urllib.parse.urlencode({k: v[0] for k, v in FOUNDING.items()}))
    assert status == 200 and b"reachable" in body
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-src 'self'" in csp and "connect-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, body = _get(server.url + "static/front.css")
    assert status == 200 and headers.get_content_type() == "text/css" and body
    status, headers, body = _get(server.url + "entity?name=OpenAI", method="HEAD")
    assert status == 200 and body == b""
    assert _get(server.url + "static/nothing.js")[0] == 404
    assert _get(server.url + "asking")[0] == 404
    status, headers, body = _get(server.url + "ask/drawing?" + urllib.parse.urlencode(
        {k: v[0] for k, v in FOUNDING.items()}))
    assert status == 200 and b"aikg-network" in body
    # the SPARQL endpoint is unchanged
    assert _get(server.url + "query?query=" + urllib.parse.quote("ASK { ?s ?p ?o }"))[0] == 200


def test_pages_refuse_a_foreign_host_like_the_endpoint(server):
    """DNS rebinding: a page asked for under another host name is refused, as a query is."""
    import http.client

    for path in ("/ask", "/entity?name=OpenAI", "/suggest?q=gpt", "/static/front.js"):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", path, headers={"Host": "attacker.example"})
        reply = conn.getresponse()
        assert reply.status == 403, path
        reply.read()
        conn.close()
