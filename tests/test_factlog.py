"""The facts log: a projection built from it equals one built from the store's own triples."""
import io
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from aikg.errors import StoreError
from aikg.facts import factlog
from aikg.facts.bootstrap import init_store
from aikg.namespace import AIKG, ENT, GRAPH
from aikg.reach.projection import _build, build_projection
from aikg.store.embedded import EmbeddedStore

E = lambda name: f"<{ENT[name]}>"  # noqa: E731
A = lambda name: f"<{AIKG[name]}>"  # noqa: E731
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def state(proj) -> dict:
    return {k: v for k, v in vars(proj).items() if k not in ("store", "_evidence", "_graph", "_np")}


def np_bytes(a) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def log_files(path) -> list:
    return factlog._files(Path(path) / "cache" / factlog.LOG)


def from_log_and_from_store(path):
    """Two builds of the store at ``path``: from its facts log (checked to be current), then with the log gone."""
    with EmbeddedStore(path) as store:
        assert factlog._chain(log_files(path), store.revision()), "the log should reach the store's revision"
        first = state(build_projection(store))
        shutil.rmtree(Path(path) / "cache")
        second = state(build_projection(store))
    return first, second


def test_founding_store_builds_the_same_from_the_log(founding, tmp_path):
    path = tmp_path / "store"
    shutil.copytree(founding, path, ignore=shutil.ignore_patterns("aikg.lock"))
    first, second = from_log_and_from_store(path)
    assert first == second
    # the fixture's denial went through the log
    assert any(info["disputed"] for info in first["facts"].values())


def test_reference_store_builds_the_same_from_the_log(store_path):
    first, second = from_log_and_from_store(store_path)
    assert first == second and len(first["nodes"]) > 300


def test_union_read_matches_the_per_graph_read(founding):
    """A server store's facts are read as one graph; the same data must give the same projection."""
    with EmbeddedStore(founding) as store:
        revision = store.revision()
        per_graph = factlog._facts(factlog._encode(factlog.extract(store.select_values, per_graph=True)))
        union = factlog._facts(factlog._encode(factlog.extract(store.select_values, per_graph=False)))
        assert state(_build(revision, per_graph)) == state(_build(revision, union))


def write(path, graphs: dict) -> None:
    with EmbeddedStore(path, write=True) as store:
        store.replace_graphs({GRAPH[g]: text for g, text in graphs.items()})


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "store"
    init_store(str(path), empty=True)
    write(path, {"a": f"{E('s')} {TYPE} {A('Service')} .\n{E('s')} {A('providesAccessTo')} {E('m')} .\n"})
    return path


def test_a_write_adds_one_file_and_the_build_reads_no_triples(small, monkeypatch):
    before = len(log_files(small))
    write(small, {"b": f"{E('x')} {A('customerOf')} {E('s')} .\n"})
    assert len(log_files(small)) == before + 1
    monkeypatch.setattr(factlog, "extract", lambda *a, **k: pytest.fail("read the store, not the log"))
    with EmbeddedStore(small) as store:
        proj = build_projection(store)
    assert proj.customer_of(str(ENT["x"])) == {str(ENT["s"])}


def test_replacing_and_dropping_graphs(small):
    write(small, {"b": f"{E('x')} {A('customerOf')} {E('s')} .\n"})
    write(small, {"b": f"{E('y')} {A('customerOf')} {E('s')} .\n", "a": None})
    with EmbeddedStore(small) as store:
        proj = build_projection(store)
    assert set(proj.customers) == {str(ENT["y"])} and proj.edge_count == 0


def test_a_sparql_update_breaks_the_chain_and_the_store_is_read(small):
    with EmbeddedStore(small, write=True) as store:
        store.apply_update(f"INSERT DATA {{ GRAPH <{GRAPH['u']}> {{ {E('z')} {A('customerOf')} {E('s')} }} }}")
    with EmbeddedStore(small) as store:
        assert factlog._chain(log_files(small), store.revision()) is None
        assert str(ENT["z"]) in build_projection(store).customers
        # the read wrote a new base, so the next build and the next write use the log again
        assert factlog._chain(log_files(small), store.revision())
    write(small, {"c": f"{E('w')} {A('customerOf')} {E('s')} .\n"})
    first, second = from_log_and_from_store(small)
    assert first == second and str(ENT["w"]) in first["customers"]


def test_a_torn_file_is_rebuilt_from_the_store(small):
    write(small, {"b": f"{E('x')} {A('customerOf')} {E('s')} .\n"})
    last = log_files(small)[-1][4]
    last.write_bytes(last.read_bytes()[:20])
    with EmbeddedStore(small) as store:
        assert str(ENT["x"]) in build_projection(store).customers


def test_a_file_of_another_shape_is_rebuilt_from_the_store(small):
    write(small, {"b": f"{E('x')} {A('customerOf')} {E('s')} .\n"})
    log_files(small)[-1][4].write_bytes(np_bytes(np.array([1, 2, 3])))
    with EmbeddedStore(small) as store:
        assert str(ENT["x"]) in build_projection(store).customers


def test_a_long_chain_folds_into_one_base(small):
    for i in range(factlog._FOLD + 2):
        write(small, {f"g{i}": f"{E(f'c{i}')} {A('customerOf')} {E('s')} .\n"})
    with EmbeddedStore(small) as store:
        proj = build_projection(store)
    assert len(proj.customers) == factlog._FOLD + 2
    files = log_files(small)
    assert len(files) == 1 and files[0][3] == "base"
    first, second = from_log_and_from_store(small)
    assert first == second


def test_statements_as_blank_nodes(small):
    """Statements written by other tools may be blank nodes: they cannot be named in a query, and still count."""
    write(small, {"b": f"""{E('x')} {A('customerOf')} {E('s')} .
_:st {TYPE} {A('Statement')} .
_:st <{RDF}subject> {E('x')} .
_:st <{RDF}predicate> {A('customerOf')} .
_:st <{RDF}object> {E('s')} .
_:st {A('validFrom')} "2025-01-01" .
"""})
    first, second = from_log_and_from_store(small)
    assert first == second
    assert first["facts"][(str(ENT["x"]), str(AIKG.customerOf), str(ENT["s"]))]["valid"] == (("2025-01-01", None),)


def test_a_failed_write_leaves_the_log_as_it_was(small):
    before = log_files(small)
    with EmbeddedStore(small, write=True) as store, pytest.raises(StoreError):
        store.replace_graphs({GRAPH["bad"]: "<urn:a> <urn:b> this is not N-Triples ."})
    assert log_files(small) == before


# -- property: whatever sequence of writes, the log and the store agree --------------------------------------

NODES = [f"n{i}" for i in range(6)]
PREDICATES = factlog.PROJECTED_PREDICATES + factlog.INVERSE_PREDICATES
CLASSES = ("Service", "AIModel", "Company", "Jurisdiction", "CustomerSegment", "Chip")
node = st.sampled_from(NODES)
date = st.sampled_from(['"2024-01-01"', '"2024-07-09"', '"2025-04-15"'])


@st.composite
def graph_text(draw) -> str:
    lines = []
    for s, p, o in draw(st.lists(st.tuples(node, st.sampled_from(PREDICATES), node), max_size=8)):
        lines.append(f"{E(s)} {A(p)} {E(o)} .")
    for s, c in draw(st.lists(st.tuples(node, st.sampled_from(CLASSES)), max_size=4)):
        lines.append(f"{E(s)} {TYPE} {A(c)} .")
    for s, name in draw(st.lists(st.tuples(node, st.sampled_from(["Alpha", "alpha", "Beta Cloud", "Gamma"])),
                                 max_size=3)):
        lines.append(f'{E(s)} {LABEL} "{name}" .')
    for i, (s, p, o, negated, start) in enumerate(draw(st.lists(st.tuples(
            node, st.sampled_from(PREDICATES), node, st.booleans(), st.none() | date), max_size=4))):
        st_ = f"<urn:test:statement-{draw(st.integers(0, 10**9))}-{i}>"
        lines += [f"{st_} {TYPE} {A('Statement')} .", f"{st_} <{RDF}subject> {E(s)} .",
                  f"{st_} <{RDF}predicate> {A(p)} .", f"{st_} <{RDF}object> {E(o)} ."]
        if negated:
            lines.append(f'{st_} {A("negated")} "true" .')
        if start:
            lines.append(f"{st_} {A('validFrom')} {start} .")
    for i, (target, place, start) in enumerate(draw(st.lists(st.tuples(node, node, st.none() | date), max_size=2))):
        r = E(f"r{draw(st.integers(0, 3))}")
        lines += [f"{r} {A('restricts')} {E(target)} .", f"{r} {A('appliesIn')} {E(place)} ."]
        if start:
            lines.append(f"{r} {A('effectiveFrom')} {start} .")
    return "\n".join(lines) + "\n"


writes = st.lists(st.dictionaries(st.sampled_from(["g1", "g2", "g3"]), st.none() | graph_text(), min_size=1,
                                  max_size=2), min_size=1, max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(writes)
def test_any_sequence_of_writes_builds_the_same_from_the_log(batches):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        init_store(str(path), empty=True)
        for batch in batches:
            write(path, batch)
        first, second = from_log_and_from_store(path)
        assert first == second

