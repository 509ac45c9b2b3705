"""The same behaviour on the embedded store and on two real SPARQL servers.

Every test taking ``backend`` runs three times: against a store folder, against
``oxigraph serve`` (from the ``oxigraph`` PyPI package, a test dependency) and
against OpenLink Virtuoso (``virtuoso-t`` from Debian's
``virtuoso-opensource``, which ``.ci/run`` installs), each server started once
for the module on free loopback ports and cleared before each test. Tests
taking ``both`` compare the embedded store's answers with each server's.
"""
import json
import re
import shutil
import socket
import subprocess
import sysconfig
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from aikg.cli import main
from aikg.errors import QueryError, StoreError
from aikg.facts.reference import load_ontology, provenance
from aikg.namespace import AIKG, ENT, GRAPH, META_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH
from aikg.store.embedded import open_store
from aikg.store.remote import RemoteStore, endpoints

pytestmark = pytest.mark.server

# the server binary the oxigraph package installs beside this Python (found even when its bin/ is not on PATH)
OXIGRAPH = shutil.which("oxigraph") or shutil.which("oxigraph", path=sysconfig.get_path("scripts"))
VIRTUOSO, ISQL = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql-v")
SERVERS = ["oxigraph", "virtuoso"]
TEST_GRAPH = GRAPH["test-remote"]
SOURCE = URIRef("https://example.org/notes/ruritania-briefing")
# A small world of our own: one blocked direct route, one open route through a cloud.
TTL = """
@prefix aikg: <https://w3id.org/aikg/ns#> .
@prefix ent: <https://w3id.org/aikg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ent:ruritania a aikg:Jurisdiction ; rdfs:label "Ruritania" ; aikg:demonym "Ruritanian" .
ent:ruritanian-enterprise-customers a aikg:CustomerSegment ; rdfs:label "Ruritanian enterprise customers" ;
    aikg:basedIn ent:ruritania .
ent:fjord-labs a aikg:Company ; rdfs:label "Fjord Labs" .
ent:northwind a aikg:Company ; rdfs:label "Northwind" .
ent:kestrel-2 a aikg:AIModel ; rdfs:label "Kestrel-2" ; skos:altLabel "Kestrel 2" ; aikg:developedBy ent:fjord-labs .
ent:fjord-api a aikg:Service ; rdfs:label "Fjord API" ; aikg:offeredBy ent:fjord-labs ;
    aikg:providesAccessTo ent:kestrel-2 .
ent:northwind-cloud a aikg:Service ; rdfs:label "Northwind Cloud" ; aikg:offeredBy ent:northwind ;
    aikg:providesAccessTo ent:kestrel-2 ; aikg:availableIn ent:ruritania .
ent:fjord-ruritania-block a aikg:Restriction ; rdfs:label "Fjord API closed in Ruritania" ;
    aikg:restricts ent:fjord-api ; aikg:appliesIn ent:ruritania ; aikg:imposedBy ent:fjord-labs ;
    aikg:kind aikg:AccessBlock ; aikg:effectiveFrom "2024-03-01"^^xsd:date .
"""
QUOTES = {
    AIKG.providesAccessTo: "Northwind Cloud customers can call Kestrel-2 from its Ruritania region.",
    AIKG.restricts: "Fjord Labs closed its API to Ruritanian accounts on 1 March 2024.",
}


def world() -> Graph:
    g = Graph().parse(data=TTL, format="turtle")
    g.add((SOURCE, RDFS.label, Literal("Ruritania briefing (test notes)")))
    for s, p, o in list(g):
        if str(p).startswith(str(AIKG._NS)) and p != AIKG.demonym:
            for t in provenance(TEST_GRAPH, s, p, o, SOURCE, confidence=0.9, extractor="test",
                                quote=QUOTES.get(p)):
                g.add(t)
    return g


def canonical(graph: Graph) -> set:
    """Triples as a store gives them back (Oxigraph stores 0.90 as 0.9)."""
    import pyoxigraph as ox

    from aikg.sparql.results import to_rdflib

    store = ox.Store()
    store.load(graph.serialize(format="nt").encode(), ox.RdfFormat.N_TRIPLES)
    return {tuple(map(to_rdflib, (q.subject, q.predicate, q.object))) for q in store}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_oxigraph(tmp_path, *extra) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--bind", f"127.0.0.1:{port}", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    _wait_for(proc, url + "/query?query=ASK%7B%7D", "oxigraph")
    return proc, url


# A throwaway Virtuoso: its database, log and ports its own, loopback only. ResultSetMaxRows is set (Debian's
# default is 10000) so a test can see an answer cut at the limit refused.
VIRTUOSO_INI = """
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {db}
NumberOfBuffers = 2000
MaxDirtyBuffers = 1500
CheckpointInterval = 0
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = {max_rows}
"""
VIRTUOSO_USER = ("aikg", "not-a-secret")  # a throwaway server's
VIRTUOSO_MAX_ROWS = 60_000  # above the reference graph's 52,841 triples, which one test reads whole


def _start_virtuoso(tmp_path) -> tuple[subprocess.Popen, str]:
    sql_port, http_port = _free_port(), _free_port()
    ini = tmp_path / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=tmp_path, sql_port=sql_port, http_port=http_port,
                                       max_rows=VIRTUOSO_MAX_ROWS))
    log = open(tmp_path / "console.log", "wb")
    proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)], stdout=log, stderr=log, cwd=tmp_path)
    _wait_for(proc, f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D", "virtuoso", tmp_path / "console.log")
    # aikg writes as a user of its own through /sparql-auth (Digest auth); the anonymous SPARQL user stays read-only.
    user, password = VIRTUOSO_USER
    setup = (f"DB.DBA.USER_CREATE('{user}', '{password}'); GRANT SPARQL_UPDATE TO \"{user}\"; "
             f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{user}', 7);")
    done = subprocess.run([ISQL, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={setup}"],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0 or "Error" in done.stdout + done.stderr:
        _stop(proc)
        pytest.fail(f"virtuoso: creating aikg's user failed: {done.stdout} {done.stderr}")
    return proc, f"http://{user}:{password}@127.0.0.1:{http_port}/sparql-auth"


def _wait_for(proc, probe: str, name: str, log=None) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(probe, timeout=2).close()
            return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail(f"{name} server did not start" + (f": {log.read_text()[-2000:]}" if log else ""))
            time.sleep(0.05)


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory):
    if OXIGRAPH is None:
        pytest.fail("the oxigraph server binary is not installed: pip install -e '.[test]'")
    tmp = tmp_path_factory.mktemp("oxigraph")
    proc, url = _start_oxigraph(tmp, "--location", str(tmp / "db"))
    yield url
    _stop(proc)


@pytest.fixture(scope="module")
def virtuoso_url(tmp_path_factory):
    if VIRTUOSO is None or ISQL is None:
        pytest.fail("the Virtuoso server is not installed: apt-get install virtuoso-opensource (.ci/run does)")
    proc, url = _start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield url
    _stop(proc)


def _plain(location: str) -> str:
    """A store URL without its credentials."""
    return re.sub(r"//[^/@]*@", "//", location)


def _post_update(url: str, text: str) -> None:
    req = urllib.request.Request(_plain(url), data=text.encode(), method="POST",
                                 headers={"Content-Type": "application/sparql-update"})
    handlers = []
    if url != _plain(url):
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, _plain(url), *VIRTUOSO_USER)
        handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
    urllib.request.build_opener(*handlers).open(req, timeout=30).close()


def _raw_graphs(location: str) -> set[str]:
    """Every graph Virtuoso holds, asked anonymously at /sparql, without aikg in between."""
    query = urllib.parse.urlencode({"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"})
    url = _plain(location).replace("/sparql-auth", "/sparql")
    req = urllib.request.Request(url + "?" + query, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return {b["g"]["value"] for b in json.load(resp)["results"]["bindings"]}


def _clear(kind: str, url: str) -> None:
    if kind == "oxigraph":
        _post_update(url + "/update", "DROP ALL")
    else:  # Virtuoso keeps its own configuration in graphs: drop only aikg's
        for g in _raw_graphs(url):
            if g.startswith(str(GRAPH)):
                _post_update(url, f"DROP SILENT GRAPH <{g}>")


def _location(kind: str, request, tmp_path) -> str:
    if kind == "embedded":
        return str(tmp_path / f"store-{kind}")
    url = request.getfixturevalue(f"{kind}_url")
    _clear(kind, url)
    return url


@pytest.fixture(params=["embedded", *SERVERS])
def backend(request, tmp_path):
    """A fresh, empty store location of each kind."""
    return _location(request.param, request, tmp_path)


@pytest.fixture(params=SERVERS)
def both(request, tmp_path):
    """The embedded store and one server, for tests that compare their answers."""
    return {"embedded": _location("embedded", request, tmp_path), "server": _location(request.param, request, tmp_path)}


def aikg(location, *args, input=None):
    return CliRunner().invoke(main, ["--store", location, *map(str, args)], input=input, catch_exceptions=False)


def ok(location, *args, input=None) -> str:
    result = aikg(location, *args, input=input)
    assert result.exit_code == 0, result.output
    return result.output


def loaded(location) -> str:
    """``init --empty`` plus the test world in its own named graph."""
    ok(location, "init", "--empty")
    with open_store(location, write=True) as store:
        store.replace_graphs({TEST_GRAPH: world()})
    return location


# -- the same behaviour on both ---------------------------------------------------------

def test_init_empty_holds_the_ontology(backend):
    assert "initialised" in ok(backend, "init", "--empty")
    info = json.loads(ok(backend, "stats", "--json"))
    assert info["triples"] == len(load_ontology())
    with open_store(backend) as store:
        assert store.graph_names() == [ONTOLOGY_GRAPH]


def test_init_loads_ontology_and_reference(backend):
    ok(backend, "init")
    with open_store(backend) as store:
        assert set(store.graph_names()) == {ONTOLOGY_GRAPH, REFERENCE_GRAPH}
        assert len(store.graph(REFERENCE_GRAPH)) > 100
    # init again rewrites only its own graphs (here: --empty drops the reference graph)
    with open_store(backend, write=True) as store:
        store.replace_graphs({TEST_GRAPH: world()})
    ok(backend, "init", "--empty")
    with open_store(backend) as store:
        assert set(store.graph_names()) == {ONTOLOGY_GRAPH, TEST_GRAPH}


def test_sparql_formats(backend):
    loaded(backend)
    q = "SELECT ?s ?l WHERE { ?s aikg:providesAccessTo ent:kestrel-2 ; rdfs:label ?l } ORDER BY ?l"
    data = json.loads(ok(backend, "sparql", q, "--format", "json"))
    assert [b["l"]["value"] for b in data["results"]["bindings"]] == ["Fjord API", "Northwind Cloud"]
    assert ok(backend, "sparql", q, "--format", "csv").splitlines()[1] == "https://w3id.org/aikg/id/fjord-api,Fjord API"
    assert ok(backend, "sparql", q, "--format", "tsv").splitlines()[2].endswith('\t"Northwind Cloud"')
    assert "(2 rows)" in ok(backend, "sparql", q)
    assert ok(backend, "sparql", "ASK { ent:kestrel-2 aikg:developedBy ent:fjord-labs }").strip() == "yes"
    ttl = ok(backend, "sparql", "CONSTRUCT WHERE { ent:fjord-ruritania-block ?p ?o }", "--format", "turtle")
    g = Graph().parse(data=ttl, format="turtle")
    assert (ENT["fjord-ruritania-block"], AIKG.effectiveFrom, Literal("2024-03-01", datatype=XSD.date)) in g
    assert "Fjord API" in ok(backend, "sparql", "-", input="SELECT ?l WHERE { ent:fjord-api rdfs:label ?l }")


def test_sparql_errors_are_one_line(backend):
    loaded(backend)
    bad = aikg(backend, "sparql", "SELECT * WHERE { ?s ?p")
    assert bad.exit_code == 1 and "error at 1:" in bad.output and len(bad.output.strip().splitlines()) == 1
    refused = aikg(backend, "sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert refused.exit_code == 1 and "SERVICE" in refused.output


def test_default_graph_is_the_union(backend):
    loaded(backend)
    with open_store(backend) as store:
        # the ontology's classes and the test world's facts meet in one pattern
        rows = store.query("SELECT ?l WHERE { ?m a ?c . ?c rdfs:label ?cl . ?m rdfs:label ?l "
                           "FILTER(?m = ent:kestrel-2) }").rows
        assert rows and rows[0][0] == Literal("Kestrel-2")
        assert store.query("SELECT ?g WHERE { GRAPH ?g { ent:kestrel-2 ?p ?o } }").rows[0][0] == TEST_GRAPH


def test_show(backend):
    loaded(backend)
    info = json.loads(ok(backend, "show", "kestrel 2", "--json"))
    assert info["id"] == str(ENT["kestrel-2"]) and info["aliases"] == ["Kestrel 2"]
    access = [f for f in info["facts"] if f["predicate"]["id"] == str(AIKG.providesAccessTo)]
    assert {f["other"]["label"] for f in access} == {"Fjord API", "Northwind Cloud"}
    assert "Fjord API closed in Ruritania" in ok(backend, "show", "Fjord API")
    missing = aikg(backend, "show", "Nonexistent Widget Corp")
    assert missing.exit_code == 1


@pytest.mark.parametrize("fmt, rdf", [("nq", "nquads"), ("trig", "trig"), ("ttl", "turtle")])
def test_export(backend, fmt, rdf):
    loaded(backend)
    text = ok(backend, "export", "--format", fmt)
    expected = world()
    if rdf in ("nquads", "trig"):
        ds = Dataset()
        ds.parse(data=text, format=rdf)
        assert set(ds.graph(TEST_GRAPH)) == canonical(expected)
        assert {g.identifier for g in ds.graphs() if len(g)} == {ONTOLOGY_GRAPH, TEST_GRAPH}
    else:
        g = Graph().parse(data=text, format=rdf)
        assert canonical(expected) <= set(g) and len(g) == len(expected) + len(load_ontology())


def test_writes_change_the_revision(backend):
    loaded(backend)
    with open_store(backend, write=True) as store:
        before = store.revision()
        assert before
        store.drop_graph(TEST_GRAPH)
        after = store.revision()
        assert after != before and TEST_GRAPH not in store.graph_names()
        assert store.count() == len(load_ontology())


def test_ntriples_text_values_and_atomicity(backend):
    loaded(backend)
    doc = URIRef("https://w3id.org/aikg/graph/doc/nt-text")
    text = (f'<{ENT["nt-co"]}> <{RDFS.label}> "NT \\"Co\\" \\u00e9" .\n'
            f'<{ENT["nt-co"]}> <{AIKG.developedBy}> _:maker .\n_:maker <{RDFS.label}> "maker" .\n')
    with open_store(backend, write=True) as store:
        store.replace_graphs({doc: text})
        assert store.select_values(f"SELECT ?l WHERE {{ <{ENT['nt-co']}> rdfs:label ?l }}") == [('NT "Co" é',)]
        assert len(store.graph(doc)) == 3
        rev, count = store.revision(), store.count()
        with pytest.raises(StoreError, match="not valid N-Triples"):
            store.replace_graphs({doc: None, TEST_GRAPH: text + "<broken"})
        assert store.revision() == rev and store.count() == count and doc in store.graph_names()
        store.replace_graphs({doc: text.encode(), TEST_GRAPH: None})  # bytes too; existing graphs replaced
        assert store.revision() != rev and TEST_GRAPH not in store.graph_names() and len(store.graph(doc)) == 3


def test_validate(backend):
    loaded(backend)
    result = aikg(backend, "validate", "--json")
    report = json.loads(result.output)
    assert result.exit_code == (0 if report["conforms"] else 1)
    assert report["triples"] > 0


PATH_ARGS = ("Ruritanian enterprise customers", "Kestrel-2", "--at", "2024-06-01", "--json")


def test_path(backend):
    loaded(backend)
    answer = json.loads(ok(backend, "path", *PATH_ARGS))
    assert answer["verdict"] == "reachable"
    via = {s["to"]["label"] for r in answer["routes"] for s in r["steps"]}
    assert "Northwind Cloud" in via
    blocked = {b["id"] for r in answer["blocked_routes"] for b in r["blocked_by"]}
    assert str(ENT["fjord-ruritania-block"]) in blocked


DOCUMENT = """Kestrel-2 reaches Ruritania through Northwind

Published: 2024-05-02

Northwind Cloud now provides access to Kestrel-2 for customers in Ruritania, Northwind said on Thursday.
Fjord Labs developed Kestrel-2 and blocked its own Fjord API in Ruritania in March.
"""


def test_ingest(backend, tmp_path):
    loaded(backend)
    doc = tmp_path / "northwind.txt"
    doc.write_text(DOCUMENT, encoding="utf-8")
    first = json.loads(ok(backend, "ingest", doc, "--json"))
    assert [d["status"] for d in first["documents"]] == ["added"]
    again = json.loads(ok(backend, "ingest", doc, "--json"))
    assert [d["status"] for d in again["documents"]] == ["unchanged"]


def _normalise(text: str, location: str) -> str:
    return text.replace(_plain(location), "<store>")


@pytest.mark.parametrize("args", [
    ("stats", "--json"),
    ("sparql", "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(?p != <urn:aikg:revision> && !isBlank(?s) && !isBlank(?o)) }"
               " ORDER BY ?s ?p ?o", "--format", "tsv"),
    ("show", "Northwind Cloud", "--json"),
    ("export", "--format", "nq"),
    ("export", "--format", "graphml"),
    *([("path", *PATH_ARGS)] if main.get_command(None, "path") else []),
    *([("validate", "--json")] if main.get_command(None, "validate") else []),
])
def test_same_answers_from_both(both, args):
    outputs = {}
    for kind, location in both.items():
        loaded(location)
        result = aikg(location, *args)
        outputs[kind] = (result.exit_code, _normalise(result.output, location))
    if args[:2] == ("export", "--format"):  # blank node labels and order may differ
        import io

        from rdflib.compare import isomorphic

        from aikg.views.exporting import graphml_quads

        graphs = {}
        for kind, (code, text) in outputs.items():
            if args[2] == "graphml":
                import pyoxigraph as ox

                text = ox.serialize(graphml_quads(io.BytesIO(text.encode())), format=ox.RdfFormat.N_QUADS).decode()
            ds = Dataset()
            ds.parse(data=text, format="nquads")
            graphs[kind] = {g.identifier: g for g in ds.graphs() if len(g)}
        assert graphs["embedded"].keys() == graphs["server"].keys()
        assert all(isomorphic(graphs["embedded"][k], graphs["server"][k]) for k in graphs["embedded"])
        return
    assert outputs["embedded"] == outputs["server"]


def test_same_graph_page_from_both(both, tmp_path):
    """The graph page is drawn from the projection, which a server's store gives as the embedded store does."""
    pages = {}
    for kind, location in both.items():
        loaded(location)
        whole, focused = tmp_path / f"{kind}.html", tmp_path / f"{kind}-focus.html"
        ok(location, "export", "--format", "html", "-o", whole)
        ok(location, "export", "--format", "html", "--focus", "Northwind Cloud", "--depth", "1", "-o", focused)
        pages[kind] = (whole.read_text(encoding="utf-8"), focused.read_text(encoding="utf-8"))
    assert pages["embedded"] == pages["server"]
    whole, focused = pages["server"]
    assert "Fjord API closed in Ruritania" in whole and QUOTES[AIKG.restricts] in whole
    assert "Kestrel-2" in focused and "Fjord API closed in Ruritania" not in focused


def test_same_ingest_from_both(both, tmp_path):
    doc = tmp_path / "northwind.txt"
    doc.write_text(DOCUMENT, encoding="utf-8")
    facts = {}
    for kind, location in both.items():
        loaded(location)
        out = json.loads(ok(location, "ingest", doc, "--json"))
        facts[kind] = [d["facts"] for d in out["documents"]]
    assert facts["embedded"] == facts["server"]


# -- what only a server store can get wrong ---------------------------------------------

def test_server_down_is_a_one_line_error():
    port = _free_port()  # nothing listens there
    result = aikg(f"http://127.0.0.1:{port}", "stats")
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: cannot reach SPARQL server at http://127.0.0.1:{port}/query"
                                     "?union-default-graph: Connection refused")


def test_wrong_default_graph_semantics_are_detected(oxigraph_url):
    loaded(oxigraph_url)
    result = aikg(oxigraph_url + "/query", "stats")  # Oxigraph's own default graph: not the union
    assert result.exit_code == 1 and "union" in result.output
    assert "Kestrel-2" in ok(oxigraph_url + "/query?union-default-graph", "show", "Kestrel-2")


def test_endpoint_forms():
    assert endpoints("http://h:7878/") == ("http://h:7878/query?union-default-graph", "http://h:7878/update")
    assert endpoints("http://h:3030/ds/query") == ("http://h:3030/ds/query", "http://h:3030/ds/update")
    assert endpoints("http://h:7878/query") == ("http://h:7878/query", "http://h:7878/update")
    assert endpoints("http://h:8890/sparql") == ("http://h:8890/sparql", "http://h:8890/sparql")  # Virtuoso
    assert endpoints("http://h:7001/api") == ("http://h:7001/api", "http://h:7001/api")
    assert endpoints("https://h/sparql#update=https://h/write") == ("https://h/sparql", "https://h/write")
    assert endpoints("http://h:7001#query=http://h:7001/&update=http://h:7001/") == ("http://h:7001/", "http://h:7001/")
    with pytest.raises(StoreError):
        endpoints("ftp://h/sparql")
    # credentials are sent, never shown
    store = RemoteStore("http://ana:s3cret@h:3030/ds/query")
    assert store.location == "http://h:3030/ds/query" and store.query_url == "http://h:3030/ds/query"
    assert store._auth == "Basic YW5hOnMzY3JldA=="


def test_oxigraph_timeout_quirk_is_an_error(tmp_path):
    """Oxigraph server answers a timed-out query with HTTP 200 and a cut-off body."""
    if OXIGRAPH is None:
        pytest.fail("the oxigraph server binary is not installed: pip install -e '.[test]'")
    proc, url = _start_oxigraph(tmp_path, "--timeout-s", "1")  # in memory
    try:
        ok(url, "init", "--empty")
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        raw = urllib.request.urlopen(urllib.request.Request(
            url + "/query?union-default-graph", data=b"query=" + urllib.parse.quote(slow).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Accept": "application/sparql-results+json"}), timeout=30)
        assert raw.status == 200 and raw.read().endswith(b"The SPARQL operation has been cancelled")
        store = RemoteStore(url)
        with pytest.raises(QueryError, match="timeout"):
            store.query(slow)
        with pytest.raises(QueryError, match="timeout"):
            store.query("CONSTRUCT { ?a ?b ?d } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        result = aikg(url, "sparql", slow)
        assert result.exit_code == 1 and "truncated" in result.output
        assert store.query("ASK { ?s ?p ?o }").boolean is True  # the server is still fine
    finally:
        _stop(proc)


# -- what only Virtuoso does -------------------------------------------------------------

@pytest.fixture
def virtuoso(request, tmp_path):
    """The Virtuoso server, holding nothing of aikg's."""
    return _location("virtuoso", request, tmp_path)


def test_virtuoso_own_graphs_stay_out_of_aikg(virtuoso):
    loaded(virtuoso)
    others = {g for g in _raw_graphs(virtuoso) if not g.startswith(str(GRAPH))}
    assert "http://www.openlinksw.com/schemas/virtrdf#" in others  # the server's own quad-map graph
    expected = len(world()) + len(load_ontology())
    info = json.loads(ok(virtuoso, "stats", "--json"))
    assert info["triples"] == expected and info["graphs"] == 2
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?p != <urn:aikg:revision>) }"
    assert json.loads(ok(virtuoso, "sparql", everything, "--format", "json"))[
        "results"]["bindings"][0]["n"]["value"] == str(expected)
    with open_store(virtuoso) as store:
        assert set(store.graph_names()) == {ONTOLOGY_GRAPH, TEST_GRAPH}
        # a graph named in the query is the query's own business, as with FROM
        named = store.query("ASK { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } }").boolean
        own = store.query("SELECT (COUNT(*) AS ?n) FROM <http://www.openlinksw.com/schemas/virtrdf#> "
                          "WHERE { ?s ?p ?o }").rows[0][0]
    assert named is True and int(own) > 0


def test_virtuoso_hides_the_bookkeeping_graph(virtuoso):
    """As the embedded store does (issue 14, item 7): shown only to a query that names it."""
    loaded(virtuoso)
    with open_store(virtuoso) as store:
        graphs = {r[0] for r in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows}
        assert graphs == {ONTOLOGY_GRAPH, TEST_GRAPH}
        assert not store.query("ASK { <urn:aikg:store> ?p ?o }").boolean
        assert not store.query("ASK { GRAPH ?g { <urn:aikg:store> ?p ?o } }").boolean
        assert store.query(f"ASK {{ GRAPH <{META_GRAPH}> {{ <urn:aikg:store> ?p ?o }} }}").boolean
        assert store.revision()


def test_virtuoso_write_cut_short_still_changes_the_revision(virtuoso):
    """Virtuoso commits each operation of a request on its own: a failing second one leaves the first done."""
    loaded(virtuoso)
    with open_store(virtuoso, write=True) as store:
        before = store.revision()
        extra = GRAPH["test-extra"]
        with pytest.raises(StoreError, match="SPARQL server error"):
            store._update(f'INSERT DATA {{ GRAPH <{extra}> {{ <{ENT["x"]}> rdfs:label "x" }} }} ;\n'
                          f"DROP GRAPH <{GRAPH['never-created']}>")
        assert extra in store.graph_names()  # what Virtuoso did before the failure stays
        assert store.revision() != before  # and no cache can take the store for unchanged


def test_virtuoso_cut_answer_is_refused(virtuoso):
    loaded(virtuoso)
    with open_store(virtuoso) as store:
        # 381 x 381 rows from the ontology graph alone, over the server's ResultSetMaxRows
        cross = ("SELECT ?a WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?g { ?d ?e ?f } "
                 f"FILTER(?g = <{ONTOLOGY_GRAPH}>) }}")
        with pytest.raises(QueryError, match=f"cut the answer at {VIRTUOSO_MAX_ROWS} rows"):
            store.query(cross)
        assert len(store.query(cross + " LIMIT 10").rows) == 10


def test_virtuoso_writes_need_aikgs_user(virtuoso):
    """The fixture's server lets only aikg's own user write, through /sparql-auth with Digest auth."""
    anonymous = _plain(virtuoso).replace("/sparql-auth", "/sparql")
    refused = aikg(anonymous, "init", "--empty")
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1, refused.output
    assert "permission" in refused.output.lower()
    wrong = aikg(virtuoso.replace(f":{VIRTUOSO_USER[1]}@", ":wrong@"), "stats")
    assert wrong.exit_code == 1 and "refused access (HTTP 401)" in wrong.output
    assert VIRTUOSO_USER[1] not in wrong.output and "wrong" not in wrong.output
    assert "initialised" in ok(virtuoso, "init", "--empty")
    assert virtuoso != _plain(virtuoso) and _plain(virtuoso) in ok(virtuoso, "stats")  # credentials never shown
    assert json.loads(ok(anonymous, "stats", "--json"))["triples"] == len(load_ontology())  # reading needs no user


def test_virtuoso_keeps_its_own_graphs_from_user_updates(virtuoso):
    loaded(virtuoso)
    with open_store(virtuoso, write=True) as store:
        count = store.count()
        for update in ("DROP ALL", "CLEAR SILENT NAMED", "DROP DEFAULT"):
            with pytest.raises(QueryError, match="Virtuoso's own graphs"):
                store.update(update)
        assert store.count() == count and "http://www.openlinksw.com/schemas/virtrdf#" in _raw_graphs(virtuoso)
        store.update(f"DROP GRAPH <{TEST_GRAPH}>")  # never made by CREATE GRAPH, which plain Virtuoso requires
        assert store.graph_names() == [ONTOLOGY_GRAPH]
