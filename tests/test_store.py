"""EmbeddedStore: transactions, revisions, durability, read-only mode and locks."""
import json

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from aikg.errors import QueryError, StoreBusy, StoreError
from aikg.namespace import ENT, GRAPH, META_GRAPH
from aikg.store.base import Store
from aikg.store.embedded import MARKER, EmbeddedStore, open_store

EX = "https://example.org/"
G1, G2 = GRAPH["doc/one"], GRAPH["doc/two"]
LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def graph_of(*pairs) -> Graph:
    g = Graph()
    for name, label in pairs:
        g.add((ENT[name], LABEL, Literal(label)))
    return g


@pytest.fixture
def fresh(tmp_path):
    s = EmbeddedStore(tmp_path / "s", write=True, create=True)
    yield s
    s.close()


def labels(store, graph) -> set[str]:
    return {str(r[0]) for r in store.query(f"SELECT ?l WHERE {{ GRAPH <{graph}> {{ ?e rdfs:label ?l }} }}").rows}


def test_create_writes_marker_and_starts_empty(tmp_path):
    with EmbeddedStore(tmp_path / "s", write=True, create=True) as s:
        assert s.count() == 0 and s.graph_names() == [] and s.revision() == ""
    info = json.loads((tmp_path / "s" / MARKER).read_text())
    assert info["format"] == 2


def test_replace_graphs_writes_and_replaces(fresh):
    fresh.replace_graphs({G1: graph_of(("a", "Alpha")), G2: graph_of(("b", "Beta"))})
    assert labels(fresh, G1) == {"Alpha"} and labels(fresh, G2) == {"Beta"}
    fresh.replace_graphs({G1: graph_of(("c", "Gamma")), G2: None})
    assert labels(fresh, G1) == {"Gamma"} and labels(fresh, G2) == set()
    assert fresh.graph_names() == [G1]
    assert isomorphic(fresh.graph(G1), graph_of(("c", "Gamma")))


def test_replace_graphs_is_atomic(fresh):
    fresh.replace_graphs({G1: graph_of(("a", "Alpha"))})
    before = fresh.revision()
    broken = Graph()
    broken.add((URIRef("relative/iri"), LABEL, Literal("x")))  # Oxigraph rejects it before anything is written
    with pytest.raises(StoreError, match="cannot write graph"):
        fresh.replace_graphs({G1: graph_of(("z", "Zeta")), G2: broken})
    assert labels(fresh, G1) == {"Alpha"}  # the first graph of the failed batch was not applied
    assert labels(fresh, G2) == set()
    assert fresh.revision() == before


def test_unwritable_iri_is_a_store_error_and_changes_nothing(fresh):
    fresh.replace_graphs({G1: graph_of(("a", "Alpha"))})
    broken = Graph()
    broken.add((URIRef(EX + "has space"), LABEL, Literal("x")))
    with pytest.raises(StoreError, match="cannot write graph"):
        fresh.replace_graphs({G1: graph_of(("z", "Zeta")), G2: broken})
    assert labels(fresh, G1) == {"Alpha"}


def test_revision_changes_on_every_write(fresh):
    seen = {fresh.revision()}
    for i in range(3):
        fresh.replace_graphs({G1: graph_of(("a", f"Alpha {i}"))})
        seen.add(fresh.revision())
    fresh.drop_graph(G1)
    seen.add(fresh.revision())
    assert len(seen) == 5


def test_revision_not_in_exported_quads(fresh):
    fresh.replace_graphs({G1: graph_of(("a", "Alpha"))})
    assert [q[3] for q in fresh.dataset_quads()] == [G1]
    assert fresh.count() == 1


def test_reopen_after_close_keeps_data(tmp_path):
    with EmbeddedStore(tmp_path / "s", write=True, create=True) as s:
        s.replace_graphs({G1: graph_of(("a", "Alpha"), ("b", "Beta"))})
        rev = s.revision()
    with EmbeddedStore(tmp_path / "s") as s:
        assert labels(s, G1) == {"Alpha", "Beta"} and s.revision() == rev
    with open_store(tmp_path / "s", write=True) as s:
        assert s.count() == 2


def test_read_only_refuses_updates(tmp_path):
    with EmbeddedStore(tmp_path / "s", write=True, create=True) as s:
        s.replace_graphs({G1: graph_of(("a", "Alpha"))})
    with EmbeddedStore(tmp_path / "s") as ro:
        with pytest.raises(StoreError, match="read-only"):
            ro.replace_graphs({G1: None})
        assert labels(ro, G1) == {"Alpha"}


def test_read_only_on_a_never_written_store(tmp_path):
    EmbeddedStore(tmp_path / "s", write=True, create=True).close()
    with EmbeddedStore(tmp_path / "s") as ro:
        assert ro.count() == 0


def test_missing_store_is_not_created_without_create(tmp_path):
    with pytest.raises(StoreError, match="aikg --store .*nothing init"):
        EmbeddedStore(tmp_path / "nothing")
    assert not (tmp_path / "nothing").exists()


def test_non_store_folder_is_refused_and_untouched(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(StoreError, match="not an aikg store"):
        EmbeddedStore(folder, write=True, create=True)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("garbage", ["not json", "{\"format\": 99}", ""])
def test_corrupt_marker_is_refused(tmp_path, garbage):
    with EmbeddedStore(tmp_path / "s", write=True, create=True) as s:
        s.replace_graphs({G1: graph_of(("a", "Alpha"))})
    (tmp_path / "s" / MARKER).write_text(garbage)
    with pytest.raises(StoreError):
        EmbeddedStore(tmp_path / "s", write=True, create=True)
    assert (tmp_path / "s" / MARKER).read_text() == garbage


def test_second_writer_is_busy(tmp_path):
    with EmbeddedStore(tmp_path / "s", write=True, create=True):
        with pytest.raises(StoreBusy, match="store is busy"):
            EmbeddedStore(tmp_path / "s", write=True, lock_timeout=0.2)


def test_reader_waits_for_writer_and_readers_share(tmp_path):
    EmbeddedStore(tmp_path / "s", write=True, create=True).close()
    with EmbeddedStore(tmp_path / "s", write=True):
        with pytest.raises(StoreBusy):
            EmbeddedStore(tmp_path / "s", lock_timeout=0.1)
    with EmbeddedStore(tmp_path / "s", lock_timeout=0.1), EmbeddedStore(tmp_path / "s", lock_timeout=0.1):
        with pytest.raises(StoreBusy):  # a writer waits for readers
            EmbeddedStore(tmp_path / "s", write=True, lock_timeout=0.1)


def test_lock_released_on_close(tmp_path):
    first = EmbeddedStore(tmp_path / "s", write=True, create=True)
    first.close()
    first.close()  # idempotent
    with EmbeddedStore(tmp_path / "s", write=True, lock_timeout=0.1) as second:
        second.replace_graphs({G1: graph_of(("a", "Alpha"))})


def test_query_errors_are_query_errors(fresh):
    with pytest.raises(QueryError, match="(?i)syntax"):
        fresh.query("SELECT ?x WHERE { ?x ")


def test_query_kinds(fresh):
    fresh.replace_graphs({G1: graph_of(("a", "Alpha"))})
    assert fresh.query("ASK { ?s rdfs:label 'Alpha' }").boolean is True
    construct = fresh.query("CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l }")
    assert construct.kind == "graph" and isomorphic(construct.graph, graph_of(("a", "Alpha")))
    select = fresh.query("SELECT ?s ?l WHERE { ?s rdfs:label ?l }")
    assert select.dicts() == [{"s": ENT.a, "l": Literal("Alpha")}]


def test_load_graph_replaces_one_graph(fresh):
    fresh.replace_graphs({G2: graph_of(("b", "Beta"))})
    fresh.load_graph(G1, f'<{ENT.a}> <{LABEL}> "Alpha" .\n', ox.RdfFormat.N_TRIPLES)
    assert labels(fresh, G1) == {"Alpha"} and labels(fresh, G2) == {"Beta"}
    rev = fresh.revision()
    fresh.load_graph(G1, f'@prefix e: <{ENT}> . e:c <{LABEL}> "Gamma" .', ox.RdfFormat.TURTLE)
    assert labels(fresh, G1) == {"Gamma"} and fresh.revision() != rev


def test_load_graph_refuses_datasets_and_bad_data(fresh):
    fresh.replace_graphs({G1: graph_of(("a", "Alpha"))})
    rev = fresh.revision()
    with pytest.raises(StoreError, match="datasets"):
        fresh.load_graph(G1, f'<{ENT.a}> <{LABEL}> "x" <{G2}> .', ox.RdfFormat.N_QUADS)
    with pytest.raises(StoreError, match="not valid Turtle"):
        fresh.load_graph(G1, "e:a rdfs:label 'x' .", ox.RdfFormat.TURTLE)  # undeclared prefixes
    assert labels(fresh, G1) == {"Alpha"} and fresh.graph_names() == [G1] and fresh.revision() == rev


# --- N-Triples text values -------------------------------------------------------------------

def nt(*pairs) -> str:
    return "".join(f'<{ENT[name]}> <{LABEL}> "{label}" .\n' for name, label in pairs)


@pytest.mark.parametrize("as_bytes", [False, True])
def test_replace_graphs_takes_ntriples_text(fresh, as_bytes):
    text = nt(("a", "Alpha"), ("b", 'Be\\"ta\\n\\u00e9'))
    fresh.replace_graphs({G1: text.encode() if as_bytes else text, G2: graph_of(("c", "Gamma"))})
    assert labels(fresh, G1) == {"Alpha", 'Be"ta\né'} and labels(fresh, G2) == {"Gamma"}
    rev = fresh.revision()
    fresh.replace_graphs({G1: nt(("z", "Zeta")), G2: ""})  # existing graphs: replaced; empty text: dropped
    assert labels(fresh, G1) == {"Zeta"} and fresh.graph_names() == [G1] and fresh.revision() != rev


@pytest.mark.parametrize("target_exists", [False, True])
@pytest.mark.parametrize("bad", [
    '<https://example.org/a> <https://example.org/p> "unterminated .\n',
    "<relative> <https://example.org/p> <https://example.org/o> .\n",
    '<https://example.org/a> <https://example.org/p> "x" <https://example.org/g> .\n',  # a quad is not a triple
    # SPARQL smuggled into the text must not run
    "<https://example.org/a> <https://example.org/p> <https://example.org/o> . } } ; DROP ALL ; "
    "INSERT DATA { GRAPH <https://example.org/x> { "
    "<https://example.org/a> <https://example.org/p> <https://example.org/o> .\n",
])
def test_malformed_ntriples_changes_nothing(fresh, bad, target_exists):
    fresh.replace_graphs({G2: graph_of(("b", "Beta")), **({G1: graph_of(("a", "Alpha"))} if target_exists else {})})
    before, rev, count = fresh.graph_names(), fresh.revision(), fresh.count()
    with pytest.raises(StoreError, match=f"cannot write graph <{G1}>: not valid N-Triples"):
        fresh.replace_graphs({G2: nt(("z", "Zeta")), G1: bad})  # the valid graph of the batch is not written either
    assert fresh.graph_names() == before and fresh.revision() == rev and fresh.count() == count
    assert labels(fresh, G2) == {"Beta"}


def test_unexpected_value_type_or_graph_name_is_refused(fresh):
    with pytest.raises(TypeError, match="N-Triples text"):
        fresh.replace_graphs({G1: [("a", "b", "c")]})
    for name in ("not an iri", f"{G1}> }}}} ; DROP ALL ; INSERT DATA {{ GRAPH <{G2}"):
        with pytest.raises(StoreError, match="not an IRI"):
            fresh.replace_graphs({G2: nt(("b", "Beta")), URIRef(name): None})
    assert fresh.revision() == "" and fresh.count() == 0


def test_blank_nodes_of_different_writes_stay_apart(fresh):
    text = f'_:b0 <{LABEL}> "first" .\n_:b0 <{EX}p> _:b1 .\n'
    fresh.replace_graphs({G1: text, G2: text.replace("first", "second")})
    rows = fresh.select_values(f"SELECT ?g ?x WHERE {{ GRAPH ?g {{ ?x <{LABEL}> ?l }} }}")
    assert len({x for _, x in rows}) == 2  # same label in two graphs: two nodes
    assert fresh.count() == 4


def revision_values(store) -> int:
    # the bookkeeping graph is hidden from a query that names no dataset; named, it is read
    return int(store.select_values(f"SELECT (COUNT(*) AS ?n) FROM NAMED <{META_GRAPH}> WHERE {{ GRAPH ?g {{ "
                                   "<urn:aikg:store> <urn:aikg:revision> ?r } }")[0][0])


def test_revision_changes_on_both_write_paths_and_stays_small(fresh):
    seen = {fresh.revision()}
    for i in range(40):  # new graphs each time: written by one load, adding a revision value
        fresh.replace_graphs({GRAPH[f"doc/{i}"]: nt(("a", f"Alpha {i}"))})
        seen.add(fresh.revision())
        assert revision_values(fresh) <= 16
    fresh.replace_graphs({GRAPH["doc/0"]: None})  # an existing graph: one update, which folds the values
    seen.add(fresh.revision())
    assert len(seen) == 42 and revision_values(fresh) == 1


def test_reopened_store_keeps_revision(tmp_path):
    with EmbeddedStore(tmp_path / "s", write=True, create=True) as s:
        s.replace_graphs({G1: nt(("a", "Alpha"))})
        s.replace_graphs({G2: nt(("b", "Beta"))})
        rev = s.revision()
    with EmbeddedStore(tmp_path / "s") as s:
        assert s.revision() == rev


# --- raw rows and user updates ----------------------------------------------------------------

def test_select_values_are_plain_strings(fresh):
    g = graph_of(("a", "Alpha"))
    g.add((ENT.a, URIRef(EX + "date"), Literal("2024-07-09", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))))
    fresh.replace_graphs({G1: g})
    q = (f"SELECT ?e ?l ?d ?none WHERE {{ ?e rdfs:label ?l OPTIONAL {{ ?e <{EX}date> ?d }} "
         f"OPTIONAL {{ ?e <{EX}x> ?none }} }}")
    rows = fresh.select_values(q)
    assert rows == [(str(ENT.a), "Alpha", "2024-07-09", None)]
    assert Store.select_values(fresh, q) == rows  # the generic version (over query()) agrees
    with pytest.raises(QueryError):
        fresh.select_values("ASK { ?s ?p ?o }")
    with pytest.raises(QueryError, match="(?i)syntax"):
        fresh.select_values("SELECT ?x WHERE {")


@pytest.mark.parametrize("update", [
    "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> rdfs:label 'x' } }",
    "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> rdfs:label 'x' } } ;",
    "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> rdfs:label 'x' } } # done",
])
def test_apply_update_changes_the_revision(fresh, update):
    rev = fresh.revision()
    fresh.apply_update(update)
    assert fresh.revision() != rev and labels(fresh, URIRef("https://example.org/g")) == {"x"}


def test_apply_update_syntax_error_changes_nothing(fresh):
    fresh.replace_graphs({G1: graph_of(("a", "Alpha"))})
    rev = fresh.revision()
    with pytest.raises(QueryError, match="(?i)syntax"):
        fresh.apply_update("INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> rdfs:label 'x' ")
    assert fresh.revision() == rev and fresh.graph_names() == [G1]


def test_literals_round_trip(fresh):
    g = Graph()
    s = ENT.x
    values = [Literal("plain"), Literal("tagged", lang="en"), Literal("2024-07-09", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#date")), Literal("line\nbreak \"quoted\" \\ back")]
    for i, v in enumerate(values):
        g.add((s, URIRef(f"{EX}p{i}"), v))
    fresh.replace_graphs({G1: g})
    assert isomorphic(fresh.graph(G1), g)
