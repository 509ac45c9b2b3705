"""The SPARQL guard decides on the parse, so no spelling of SERVICE or LOAD gets through.

Each refused text is also run through ``aikg sparql`` (and the server, in
test_server.py) against a loopback listener that must see no connection.
"""

import pytest
from click.testing import CliRunner

from aikg.cli import main
from aikg.errors import QueryError
from aikg.sparql.guard import MAX_DEPTH, MAX_UNIONS, check_query, check_update, is_update

from sockets import connections, quiet_listener

# {t}: an IRI on a loopback port nothing may connect to
SERVICE_SPELLINGS = [
    "SELECT * WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
    "PREFIX : <{t}> SELECT * WHERE {{ SERVICE:x{{ ?s ?p ?o }} }}",            # empty prefix glued to the keyword
    "PREFIX : <{t}> SELECT * WHERE {{ SeRvIcE:x {{ ?s ?p ?o }} }}",
    "PREFIX : <{t}> SELECT * WHERE {{ SERVICE SILENT:x{{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE#note\n<{t}> {{ ?s ?p ?o }} }}",              # comment between keyword and IRI
    "SELECT * WHERE {{ service\tsilent\n<{t}>{{?s ?p ?o}} }}",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }} }}",  # in a subquery
    "SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ FILTER EXISTS {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }}",
    "BASE <{t}> SELECT * WHERE {{ SERVICE <x> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<{t}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
    "PREFIX s: <{t}> SELECT * WHERE {{ ?a ?b s:a\\# . SERVICE s:x {{ ?s ?p ?o }} }}",
]
UPDATE_SPELLINGS = [
    "LOAD <{t}data.ttl>",
    "PREFIX : <{t}> LOAD:x",
    "PREFIX : <{t}> LOAD SILENT:x INTO GRAPH <urn:g>",
    "load#c\n<{t}>",
    "INSERT DATA {{ <urn:a> <urn:b> <urn:c> }} ; LOAD <{t}>",
    "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
    "PREFIX : <{t}> DELETE {{ ?s ?p ?o }} WHERE {{ SERVICE:x{{ ?s ?p ?o }} }}",
    "WITH <urn:g> DELETE {{ ?s ?p ?o }} WHERE {{ {{ SELECT * {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }} }}",
]
ALLOWED = [
    "SELECT ?service ?load WHERE { ?service a aikg:Service ; aikg:load ?load . FILTER(?x = 'SERVICE') }",
    "SELECT * WHERE { ?s rdfs:label \"LOAD <http://x/> and SERVICE <http://y/> {}\" }",
    "SELECT * WHERE { <http://example.org/service> ?p ?o } # SERVICE in a comment",
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s a ?o }",
    "SELECT * WHERE " + "{" * 30 + " ?s ?p ?o " + "}" * 30,
]


@pytest.fixture
def listener():
    sock = quiet_listener()
    yield sock, f"http://127.0.0.1:{sock.getsockname()[1]}/"
    sock.close()


@pytest.mark.parametrize("template", SERVICE_SPELLINGS)
def test_every_spelling_of_service_is_refused(template):
    with pytest.raises(QueryError, match="SERVICE"):
        check_query(template.format(t="http://127.0.0.1:9/"))


@pytest.mark.parametrize("template", UPDATE_SPELLINGS)
def test_every_spelling_of_load_and_service_in_updates_is_refused(template):
    with pytest.raises(QueryError, match="LOAD|SERVICE"):
        check_update(template.format(t="http://127.0.0.1:9/"))


@pytest.mark.parametrize("text", ALLOWED)
def test_words_in_names_strings_and_comments_are_not_refused(text):
    check_query(text)


def test_queries_and_updates_are_told_apart_by_the_parse():
    assert is_update("PREFIX : <urn:x#> INSERT DATA { :a :b :c }")
    assert not is_update("SELECT * WHERE { ?s <urn:insert> ?o }")
    with pytest.raises(QueryError, match="updates are refused"):
        check_query("DELETE WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("text", ["", "   ", "SELEC * WHERE { }", "\x00\x01", "SELECT * WHERE { ?s ?p "])
def test_what_does_not_parse_is_refused_with_one_line(text):
    with pytest.raises(QueryError) as e:
        check_query(text)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("text", [
    "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "SELECT * WHERE { " + " UNION ".join(["{}"] * 10_000) + " }",
    "SELECT * WHERE { ?s ?p " + '"' + "x" * 300_000 + '" }',
])
def test_unbounded_texts_are_refused_before_parsing(text):
    with pytest.raises(QueryError, match="limit is"):
        check_query(text)


def test_the_bounds_leave_room_for_real_queries():
    check_query("SELECT * WHERE " + "{" * (MAX_DEPTH - 2) + " ?s ?p ?o " + "}" * (MAX_DEPTH - 2))
    check_query("SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * (MAX_UNIONS - 1)) + " }")


@pytest.mark.parametrize("template", SERVICE_SPELLINGS[:4] + [SERVICE_SPELLINGS[6]])
def test_aikg_sparql_opens_no_connection(empty_store_path, listener, template):
    sock, target = listener
    result = CliRunner().invoke(main, ["--store", str(empty_store_path), "sparql", template.format(t=target)])
    assert result.exit_code == 1 and "SERVICE" in result.output and len(result.output.strip().splitlines()) == 1
    assert connections(sock) == 0


def test_deep_nesting_is_a_message_not_a_crash(empty_store_path):
    for text in ["SELECT * WHERE " + "{" * 6000 + "}" * 6000,
                 "SELECT * WHERE { " + " UNION ".join(["{}"] * 12_000) + " }"]:
        result = CliRunner().invoke(main, ["--store", str(empty_store_path), "sparql", text])
        assert result.exit_code == 1 and "limit is" in result.output


# In a fresh process: the grammar breaks on its first concurrent uses, so a warmed-up one proves nothing.
_THREADS = """
import threading
from pathlib import Path
from aikg.settings import ontology_dir
from aikg.sparql.guard import check_query
queries = [p.read_text() for p in sorted((ontology_dir() / "queries").glob("*.rq"))]
barrier, errors = threading.Barrier(8), []
def run(i):
    barrier.wait()
    for q in queries[i:] + queries[:i]:
        try:
            check_query(q)
        except Exception as e:
            errors.append(repr(e))
threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
print(len(queries), len(errors), errors[:1])
"""


def test_queries_checked_on_many_threads_at_once():
    """The server checks requests on several threads (rdflib's parser once failed them all, issue 14)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _THREADS], capture_output=True, text=True, timeout=300, check=True)
    queries, errors, first = out.stdout.split(" ", 2)
    assert int(queries) >= 10 and errors == "0", first
