"""``aikg serve``: real clients, raw HTTP, and every kind of bad input."""
import http.client
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from aikg.errors import InputError, QueryError, StoreError
from aikg.facts.bootstrap import init_store
from aikg.namespace import META_GRAPH
from aikg.server.endpoint import SparqlServer
from aikg.sparql.guard import check_query, check_update, is_update
from aikg.store.embedded import EmbeddedStore
from aikg.store.rdfio import parse_data, parse_file
from aikg.store.remote import RemoteStore

from sockets import connections, quiet_listener

TEST_GRAPH = URIRef("https://w3id.org/aikg/graph/test-server")
TTL = """
@prefix aikg: <https://w3id.org/aikg/ns#> .
@prefix ent: <https://w3id.org/aikg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ent:northwind-cloud a aikg:Service ; rdfs:label "Northwind Cloud"@en ;
    aikg:providesAccessTo ent:kestrel-2 ; aikg:availableIn ent:ruritania .
ent:kestrel-2 a aikg:AIModel ; rdfs:label "Kestrel-2" ; aikg:developedBy ent:fjord-labs .
ent:fjord-labs a aikg:Company ; rdfs:label "Fjord Labs" .
ent:ruritania a aikg:Jurisdiction ; rdfs:label "Ruritania" .
"""
LIMIT = 60
TIMEOUT = 1.5
# Four unrelated patterns over a few hundred triples: ~10^10 combinations, never finishes.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _graph() -> Graph:
    g = Graph().parse(data=TTL, format="turtle")
    for i in range(LIMIT + 20):  # more rows than the limit for one query
        g.add((URIRef(f"https://w3id.org/aikg/id/filler-{i}"), URIRef("https://w3id.org/aikg/ns#confidence"),
               Literal(i)))
    return g


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("serve") / "store"
    init_store(str(path), empty=True)
    with EmbeddedStore(path, write=True) as s:
        s.replace_graph(TEST_GRAPH, _graph())
    return path


@pytest.fixture(scope="module")
def server(store_dir):
    with SparqlServer(store_dir, port=0, timeout=TIMEOUT, limit=LIMIT, workers=2,
                      cors="https://yasgui.example") as srv:
        yield srv


@pytest.fixture(scope="module")
def rw_server(store_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("serve-rw") / "store"
    shutil.copytree(store_dir, path, ignore=shutil.ignore_patterns("aikg.lock"))
    with SparqlServer(path, port=0, allow_update=True, timeout=TIMEOUT, limit=LIMIT) as srv:
        yield srv


def request(url, *, method="GET", data=None, headers=None):
    """Raw request; returns (status, headers, body) for every status, errors included."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def get(server, query, **headers):
    return request(server.url + "query?" + urllib.parse.urlencode({"query": query}), headers=headers)


def post_form(server, path="query", **fields):
    headers = fields.pop("headers", {})
    return request(server.url + path, method="POST", data=urllib.parse.urlencode(fields).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", **headers})


def post_raw(server, body, ctype, path="query", **headers):
    return request(server.url + path, method="POST", data=body.encode(), headers={"Content-Type": ctype, **headers})


LABELS = "SELECT ?e ?l WHERE { ?e rdfs:label ?l FILTER(STRSTARTS(STR(?e), STR(ent:))) } ORDER BY ?l"


# -- real clients -----------------------------------------------------------------

def test_sparqlwrapper_select_ask_construct(server):
    from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

    sw = SPARQLWrapper(server.url + "query")
    sw.setQuery(LABELS)
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert [r["l"]["value"] for r in rows] == ["Fjord Labs", "Kestrel-2", "Northwind Cloud", "Ruritania"]
    assert rows[2]["l"]["xml:lang"] == "en"

    sw.setReturnFormat(XML)
    doc = sw.query().convert()  # an xml.dom document
    assert len(doc.getElementsByTagName("result")) == 4

    sw.setReturnFormat(CSV)
    assert sw.query().convert().decode().splitlines()[1] == "https://w3id.org/aikg/id/fjord-labs,Fjord Labs"

    sw.setQuery("ASK { ent:kestrel-2 aikg:developedBy ent:fjord-labs }")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True

    sw.setQuery("CONSTRUCT { ?s aikg:developedBy ?o } WHERE { ?s aikg:developedBy ?o }")
    sw.setReturnFormat(TURTLE)
    g = Graph().parse(data=sw.query().convert(), format="turtle")
    assert set(g) == {(URIRef("https://w3id.org/aikg/id/kestrel-2"), URIRef("https://w3id.org/aikg/ns#developedBy"),
                       URIRef("https://w3id.org/aikg/id/fjord-labs"))}

    post = SPARQLWrapper(server.url + "sparql")
    post.setMethod("POST")
    post.setQuery("SELECT ?l WHERE { ent:ruritania rdfs:label ?l }")
    post.setReturnFormat(JSON)
    assert post.query().convert()["results"]["bindings"][0]["l"]["value"] == "Ruritania"


def test_rdflib_sparqlstore(server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    g = Graph(store=SPARQLStore(server.url + "query"))
    rows = list(g.query("SELECT ?l WHERE { <https://w3id.org/aikg/id/kestrel-2> "
                        "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"))
    assert [str(r[0]) for r in rows] == ["Kestrel-2"]
    objs = set(g.objects(URIRef("https://w3id.org/aikg/id/northwind-cloud"),
                         URIRef("https://w3id.org/aikg/ns#providesAccessTo")))
    assert objs == {URIRef("https://w3id.org/aikg/id/kestrel-2")}


def test_remote_store_reads_aikg_serve(server):
    """Our own client on our own server: the default graph is the union, as embedded."""
    store = RemoteStore(server.url + "query")
    assert store.query(LABELS).rows[0][1] == Literal("Fjord Labs")
    assert TEST_GRAPH in store.graph_names()


# -- the protocol, as curl speaks it ----------------------------------------------

@pytest.mark.parametrize("accept, ctype, check", [
    ("application/sparql-results+json", "application/sparql-results+json",
     lambda b: json.loads(b)["head"]["vars"] == ["e", "l"]),
    ("application/sparql-results+xml", "application/sparql-results+xml", lambda b: b.count(b"<result>") == 4),
    ("text/csv", "text/csv", lambda b: b.decode().splitlines()[0] == "e,l"),
    ("text/tab-separated-values", "text/tab-separated-values",
     lambda b: b.decode().splitlines()[1] == '<https://w3id.org/aikg/id/fjord-labs>\t"Fjord Labs"'),
    ("text/csv;q=0.2, application/sparql-results+xml;q=0.9", "application/sparql-results+xml", lambda b: True),
    ("*/*", "application/sparql-results+json", lambda b: True),
])
def test_select_content_negotiation(server, accept, ctype, check):
    status, headers, body = get(server, LABELS, Accept=accept)
    assert status == 200
    assert headers.get_content_type() == ctype
    assert check(body)


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                         ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")])
def test_construct_content_negotiation(server, accept, fmt):
    status, headers, body = post_raw(server, "DESCRIBE ent:kestrel-2", "application/sparql-query", Accept=accept)
    assert status == 200 and headers.get_content_type() == accept
    g = Graph().parse(data=body, format=fmt)
    assert (URIRef("https://w3id.org/aikg/id/kestrel-2"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("Kestrel-2")) in g


def test_get_post_form_and_direct_post_agree(server):
    a = get(server, LABELS)[2]
    b = post_form(server, query=LABELS)[2]
    c = post_raw(server, LABELS, "application/sparql-query; charset=utf-8")[2]
    d = request(server.url + "?" + urllib.parse.urlencode({"query": LABELS}))[2]  # endpoint given as the root
    assert a == b == c == d and json.loads(a)["results"]["bindings"]


def test_dataset_parameters(server):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = request(server.url + "query?" + urllib.parse.urlencode(
        {"query": q, "default-graph-uri": "https://w3id.org/aikg/graph/ontology"}))
    only_ontology = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    everything = int(json.loads(get(server, q)[2])["results"]["bindings"][0]["n"]["value"])
    assert status == 200 and 0 < only_ontology < everything


def test_unacceptable_accept_is_406(server):
    status, _, body = get(server, LABELS, Accept="image/png")
    assert status == 406 and b"no acceptable" in body


def test_cors_headers(server):
    status, headers, _ = request(server.url + "query", method="OPTIONS",
                              headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST"})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "https://yasgui.example"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert get(server, "ASK {}")[1]["Access-Control-Allow-Origin"] == "https://yasgui.example"


def test_no_cors_headers_unless_asked(rw_server):
    assert "Access-Control-Allow-Origin" not in get(rw_server, "ASK {}")[1]


def test_query_page_is_self_contained(server):
    status, headers, body = request(server.url)
    page = body.decode()
    assert status == 200 and headers.get_content_type() == "text/html"
    assert "<textarea" in page and "fetch(" in page
    # nothing loaded from elsewhere: no CDN scripts, styles or fonts
    assert "src=" not in page and "<link" not in page and "@import" not in page
    assert "default-src 'none'" in headers["Content-Security-Policy"]


def test_one_log_line_per_query(server, caplog):
    with caplog.at_level(logging.INFO, logger="aikg.server"):
        get(server, "ASK { ?s ?p ?o }")
        post_form(server, query="SELEC")
    lines = [r.getMessage() for r in caplog.records if r.name == "aikg.server"]
    assert len(lines) == 2
    assert " 200 " in lines[0] and '"ASK { ?s ?p ?o }"' in lines[0]
    assert " 400 " in lines[1] and "\n" not in lines[1]


# -- bad input ----------------------------------------------------------------------

def test_malformed_query_is_400_with_parser_message(server):
    status, _, body = post_form(server, query="SELECT * WHERE { ?s ?p ")
    assert status == 400
    assert body.startswith(b"SPARQL syntax error: error at 1:")


def test_huge_result_is_refused_not_truncated(server):
    status, _, body = get(server, "SELECT ?s ?o WHERE { ?s aikg:confidence ?o }")
    assert status == 400 and f"more than {LIMIT} rows".encode() in body
    # a page of it is fine
    status, _, body = get(server, "SELECT ?s ?o WHERE { ?s aikg:confidence ?o } ORDER BY ?o LIMIT 10 OFFSET 5")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 10


def test_huge_graph_result_is_refused(server):
    status, _, body = post_raw(server, "CONSTRUCT WHERE { ?s ?p ?o }", "application/sparql-query",
                               Accept="text/turtle")
    assert status == 400 and f"more than {LIMIT} triples".encode() in body


def test_slow_query_times_out_and_server_stays_up(server):
    status, _, body = post_form(server, query=SLOW)
    assert status == 503 and b"timeout" in body
    # the other worker answers at once, and the killed one is replaced
    assert get(server, "ASK { ent:kestrel-2 ?p ?o }")[0] == 200
    for _ in range(4):
        assert get(server, LABELS)[0] == 200


def test_update_on_read_only_server_is_403(server):
    update = "INSERT DATA { ent:x rdfs:label 'x' }"
    assert post_form(server, path="update", update=update)[0] == 403
    assert post_raw(server, update, "application/sparql-update", path="update")[0] == 403
    assert post_form(server, query=update)[0] == 403  # an update disguised as a query
    assert post_raw(server, "DROP ALL", "application/sparql-update", path="query")[0] == 403
    assert request(server.url + "query?" + urllib.parse.urlencode({"update": update}))[0] == 403
    assert get(server, "ASK { ent:x ?p ?o }")[2] == b'{"head": {}, "boolean": false}'


def test_wrong_content_type_is_415(server):
    assert post_raw(server, LABELS, "text/plain")[0] == 415
    assert post_raw(server, json.dumps({"query": LABELS}), "application/json")[0] == 415
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)  # no Content-Type at all
    conn.request("POST", "/query", body=LABELS.encode())
    assert conn.getresponse().status == 415
    conn.close()
    assert post_raw(server, LABELS, "application/sparql-query; charset=latin-1")[0] == 415


def test_other_protocol_errors(server):
    assert request(server.url + "nowhere?query=ASK%7B%7D")[0] == 404
    assert request(server.url + "query", method="PUT", data=b"x")[0] == 405
    assert post_form(server, format="json")[0] == 400  # no query parameter
    assert post_form(server, query="ASK {}", update="CLEAR ALL")[0] == 400
    status, _, body = post_raw(server, "x" * (1 << 20 + 1), "application/sparql-query")
    assert status == 413


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
    "select * {{ service silent <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    # a prefixed name ending in an escaped '#' must not hide the rest of the line
    "PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ex:a\\# . SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
    # an empty prefix glued to the keyword: a keyword scan reads one prefixed name (issue 11)
    "PREFIX : <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE:x{{ ?s ?p ?o }} }}",
    "PREFIX : <http://127.0.0.1:{port}/> SELECT * {{ {{ SELECT * {{ SERVICE:x{{ ?s ?p ?o }} }} }} }}",
])
def test_service_makes_no_outbound_request(server, template):
    sock = quiet_listener()
    try:
        port = sock.getsockname()[1]
        status, _, body = post_form(server, query=template.format(port=port))
        assert status == 400 and b"SERVICE" in body
        assert connections(sock) == 0
    finally:
        sock.close()


def test_without_the_guard_oxigraph_would_connect():
    """The control for the test above: the engine itself does open the connection."""
    sock = quiet_listener()
    sock.settimeout(10)
    try:
        port = sock.getsockname()[1]
        store = ox.Store()
        store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b"), ox.Literal("c")))

        def run():
            try:
                list(store.query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"))
            except OSError:
                pass

        t = threading.Thread(target=run, daemon=True)
        t.start()
        conn, _ = sock.accept()
        conn.close()
        t.join(10)
    finally:
        sock.close()


def test_update_server_accepts_updates_but_refuses_load_and_service(rw_server):
    status, _, _ = post_raw(rw_server, "INSERT DATA { GRAPH <urn:t> { ent:new-co rdfs:label 'New Co' } }",
                            "application/sparql-update", path="update")
    assert status == 204
    assert json.loads(get(rw_server, "ASK { ent:new-co rdfs:label 'New Co' }")[2])["boolean"] is True
    sock = quiet_listener()
    try:
        port = sock.getsockname()[1]
        status, _, body = post_form(rw_server, path="update", update=f"LOAD <http://127.0.0.1:{port}/data.ttl>")
        assert status == 400 and b"LOAD is refused" in body
        status, _, body = post_form(rw_server, path="update", update=f"PREFIX : <http://127.0.0.1:{port}/> LOAD:x")
        assert status == 400 and b"LOAD is refused" in body
        status, _, body = post_form(rw_server, path="update", update=(
            f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"))
        assert status == 400 and b"SERVICE" in body
        assert connections(sock) == 0
    finally:
        sock.close()
    assert post_form(rw_server, query="INSERT DATA { ent:a ent:b ent:c }")[0] == 400  # updates go to update=


def revision_of(server) -> str:
    # hidden from a query that names no dataset; named, the bookkeeping graph is read
    body = get(server, f"SELECT ?r FROM NAMED <{META_GRAPH}> WHERE {{ GRAPH ?g {{ <urn:aikg:store> "
                       "<urn:aikg:revision> ?r } }")[2]
    return sorted(b["r"]["value"] for b in json.loads(body)["results"]["bindings"])


def test_update_through_the_server_changes_the_revision(rw_server):
    """Cached projections are keyed by revision: a server update must change it (it once did not)."""
    before = revision_of(rw_server)
    status, _, _ = post_form(rw_server, path="update",
                             update="INSERT DATA { GRAPH <urn:t> { ent:rev-co rdfs:label 'R' } } ;")
    assert status == 204 and revision_of(rw_server) != before
    after = revision_of(rw_server)
    status, _, body = post_form(rw_server, path="update", update="INSERT DATA { GRAPH <urn:t> { ent:x rdfs:label ")
    assert status == 400 and b"syntax error" in body and b"1:" in body
    assert revision_of(rw_server) == after


def test_deep_nesting_is_a_400_and_the_worker_lives(server):
    status, _, body = post_form(server, query="SELECT * WHERE " + "{" * 6000 + "}" * 6000)
    assert status == 400 and b"limit is" in body
    assert get(server, "ASK { ?s ?p ?o }")[0] == 200


def test_guard_does_not_refuse_aikg_vocabulary():
    check_query("SELECT ?service ?load WHERE { ?service a aikg:Service ; aikg:load ?load . FILTER(?x = 'DROP') }")
    check_query("SELECT * WHERE { ?s ?p <http://example.org/service/insert#delete> } # SERVICE <http://x/>")
    check_update("INSERT DATA { ent:a rdfs:label 'LOAD <http://x/>' }")
    assert not is_update("SELECT ?insert WHERE { _:add ?p ?insert }")
    assert is_update("prefix ex: <http://e/> delete where { ?s ex:p ?o }")
    with pytest.raises(QueryError):
        check_query("ASK { SERVICE ?endpoint { ?s ?p ?o } }")


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
 <rdf:Description rdf:about="http://example.org/x"><ex:p>&f;</ex:p></rdf:Description>
</rdf:RDF>
"""


def test_rdfxml_billion_laughs_is_refused(tmp_path):
    with pytest.raises(InputError, match="DOCTYPE"):
        parse_data(BOMB, "xml")
    path = tmp_path / "bomb.rdf"
    path.write_bytes(BOMB)
    with pytest.raises(InputError, match="DOCTYPE"):
        parse_file(path)


def test_remote_jsonld_context_is_refused():
    sock = quiet_listener()
    try:
        port = sock.getsockname()[1]
        ctx = f"http://127.0.0.1:{port}/context.jsonld"
        for doc in ({"@context": ctx, "@id": "http://example.org/x", "name": "X"},
                    {"@context": [{"ex": "http://example.org/"}, ctx], "@id": "ex:x"},
                    {"@graph": [{"@context": ctx, "@id": "http://example.org/y"}]}):
            with pytest.raises(InputError, match="remote JSON-LD @context"):
                parse_data(json.dumps(doc).encode(), "json-ld")
        for doc in ({"@context": {"@version": 1.1, "@import": ctx}, "@id": "http://example.org/x"},
                    {"@context": [{"@import": ctx}], "@graph": [{"@id": "http://example.org/y"}]},
                    {"@graph": [{"@context": {"@import": ctx, "ex": "http://example.org/"}, "@id": "ex:z"}]}):
            with pytest.raises(InputError, match="JSON-LD @import"):
                parse_data(json.dumps(doc).encode(), "json-ld")
        assert connections(sock) == 0
    finally:
        sock.close()
    inline = {"@context": {"ex": "http://example.org/"}, "@id": "ex:x", "ex:name": "X"}
    assert len(parse_data(json.dumps(inline).encode(), "json-ld")) == 1


# -- a hostile or broken server seen by RemoteStore ---------------------------------

class _Canned(BaseHTTPRequestHandler):
    answer: tuple[str, bytes] = ("text/plain", b"")

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ctype, body = self.answer
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def canned():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    def serve(ctype, body):
        _Canned.answer = (ctype, body)
        return f"http://127.0.0.1:{httpd.server_address[1]}/sparql"

    yield serve
    httpd.shutdown()
    httpd.server_close()


def test_remote_store_refuses_doctype_answers(canned):
    store = RemoteStore(canned("application/rdf+xml", BOMB))
    store._checked = True  # the canned server cannot answer the union probe
    with pytest.raises(QueryError, match="DOCTYPE"):
        store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    store = RemoteStore(canned("application/sparql-results+xml", BOMB.replace(b"rdf:RDF", b"sparql")))
    store._checked = True
    with pytest.raises(QueryError, match="DOCTYPE"):
        store.query("SELECT * WHERE { ?s ?p ?o }")


def test_remote_store_refuses_a_truncated_answer(canned):
    body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://e/1"}},'
    store = RemoteStore(canned("application/sparql-results+json", body + b"The SPARQL operation has been cancelled"))
    store._checked = True
    with pytest.raises(QueryError, match="timeout"):
        store.query("SELECT ?s WHERE { ?s ?p ?o }")
    store = RemoteStore(canned("application/sparql-results+json", body))
    store._checked = True
    with pytest.raises(QueryError, match="malformed answer"):
        store.query("SELECT ?s WHERE { ?s ?p ?o }")


def _trickler(head: bytes, stop: threading.Event):
    """A server that, once asked, sends ``head`` then one byte every 0.2 s until stopped: each read is quick."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)

    def run():
        conn, _ = sock.accept()
        conn.recv(65536)
        conn.sendall(head)
        try:
            while not stop.wait(0.2):
                conn.sendall(b" ")
        except OSError:
            pass
        conn.close()

    threading.Thread(target=run, daemon=True).start()
    return sock


@pytest.mark.parametrize("head", [b"HTTP/1.1 200 OK\r\nX-Slow: ",  # headers that never end
                                  b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                                  b"Content-Length: 100000\r\n\r\n"])  # a body that never ends
def test_remote_timeout_bounds_the_whole_answer_not_each_read(head):
    stop = threading.Event()
    sock = _trickler(head, stop)
    try:
        store = RemoteStore(f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", timeout=1)
        store._checked = True
        with pytest.raises(StoreError, match=r"did not answer within 1s"):
            store.query("SELECT * WHERE { ?s ?p ?o }")
    finally:
        stop.set()
        sock.close()


# -- the command --------------------------------------------------------------------

def test_serve_command_runs_and_stops(store_dir, tmp_path):
    path = tmp_path / "store"
    shutil.copytree(store_dir, path, ignore=shutil.ignore_patterns("aikg.lock"))
    proc = subprocess.Popen([sys.executable, "-m", "aikg", "--store", str(path), "serve", "--port", "0",
                             "--workers", "1"], stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        banner = proc.stderr.readline()
        assert "read-only" in banner
        url = banner.split(" at ", 1)[1].split()[0]
        with urllib.request.urlopen(url + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}),
                                    timeout=30) as resp:
            assert json.loads(resp.read())["boolean"] is True
        log_line = proc.stderr.readline()
        assert " 200 1 rows " in log_line and "ASK" in log_line
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)
    assert proc.returncode == 0


def test_serve_refuses_a_server_store():
    from click.testing import CliRunner

    from aikg.cli import main

    result = CliRunner().invoke(main, ["--store", "http://127.0.0.1:9/", "serve"])
    assert result.exit_code == 1 and "already a SPARQL server" in result.output


@pytest.mark.browser
def test_query_page_runs_a_query_in_chromium(server):
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no /usr/bin/chromium")
    outside = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()

        def route(r):
            if r.request.url.startswith(server.url):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(server.url)
        page.fill("#query", LABELS)
        page.click("#run")
        page.wait_for_selector("table td")
        cells = page.locator("table tr td:nth-child(2)").all_inner_texts()
        status = page.inner_text("#status")
        browser.close()
    assert cells == ["Fjord Labs", "Kestrel-2", "Northwind Cloud@en", "Ruritania"]
    assert status.startswith("4 rows")
    assert outside == []
