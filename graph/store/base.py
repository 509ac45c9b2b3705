"""What every store offers (:class:`Store`): SPARQL in, rdflib terms out, and graph writes that change the
store's revision in the same transaction. The embedded store (:mod:`aikg.store.embedded`) and a SPARQL
server (:mod:`aikg.store.remote`) are its two backends.

Writes: :meth:`Store.replace_graphs` replaces named graphs and changes the
store's revision in one transaction. The new content is first parsed into a
scratch in-memory Oxigraph store (so malformed input fails before anything is
written, and a value can never smuggle SPARQL into the update), then written
by one SPARQL update (``DROP``, ``INSERT DATA``, revision) or, on the embedded
store when every target graph is empty, by one ``Store.load`` of N-Quads that
carries the new revision with it. Oxigraph's ``bulk_load`` is faster still but
not atomic, and ``MOVE`` from a staging graph copies quad by quad (measured
~4x slower than loading the same triples): neither is used. One big
transaction is itself slow on disk (pyoxigraph 0.5: ~50k triples/s for 50k
triples, ~15k/s for 1M), so very large replacements cost minutes.

The revision: each write adds a random value under ``urn:aikg:revision`` in
the store's own graph; updates replace all values by one, a load adds one
(it cannot delete). :meth:`Store.revision` reads the set, so either way the
revision changes exactly when the data does.
"""
import hashlib
import uuid

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ..errors import QueryError, StoreError
from ..namespace import META_GRAPH, PREFIXES
from ..sparql.results import QueryResult, to_rdflib

__all__ = ["Store", "GraphValue", "REVISION", "STORE_NODE"]

REVISION = URIRef("urn:aikg:revision")
STORE_NODE = URIRef("urn:aikg:store")

# What replace_graphs takes per graph: an rdflib Graph, N-Triples text (str or UTF-8 bytes), or None (drop).
GraphValue = Graph | str | bytes | None


def _one_line(text) -> str:
    return " ".join(str(text).split())


def _nt(graph: Graph) -> str:
    try:
        return graph.serialize(format="nt")
    except Exception as e:  # rdflib raises a bare Exception for an IRI it cannot write
        raise StoreError(f"cannot write graph: {_one_line(e)}") from e


def _scratch(graphs: dict, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> ox.Store:
    """Every new graph parsed into one in-memory Oxigraph store, each under its own name.

    This is the validation step: a malformed value raises ``StoreError`` here,
    before the real store is touched. Blank nodes get fresh labels per graph.
    """
    scratch = ox.Store()
    for name, value in graphs.items():
        try:
            graph_name = ox.NamedNode(str(name))  # also keeps the name from breaking out of <...> in an update
        except ValueError as e:
            raise StoreError(f"cannot write graph <{name}>: not an IRI: {_one_line(e)}") from None
        if value is None:
            continue
        if isinstance(value, Graph):
            value = _nt(value)
        elif not isinstance(value, (str, bytes)):
            raise TypeError(f"graph <{name}>: expected an rdflib Graph, N-Triples text or None, "
                            f"not {type(value).__name__}")
        try:
            scratch.load(value, format=fmt, to_graph=graph_name)
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"cannot write graph <{name}>: not valid {fmt.name}: {_one_line(e)}") from None
    return scratch


def _revision_value() -> str:
    return uuid.uuid4().hex


def _revision_of(values: list[str]) -> str:
    if len(values) <= 1:
        return values[0] if values else ""
    return hashlib.sha1("\n".join(values).encode()).hexdigest()


class Store:
    """What every backend offers; rdflib terms in and out."""

    location: str

    def query(self, sparql: str, *, prefixes: bool = True, hide_bookkeeping: bool = False) -> QueryResult:
        """A query's answer. ``hide_bookkeeping``: the dataset a user's query gets (``aikg sparql``), without
        the store's bookkeeping graph among the named graphs where the backend can leave it out; aikg's own
        queries need not pay for that (it lists every graph) and skip the graph themselves."""
        raise NotImplementedError

    def _update(self, sparql: str, **options) -> None:
        """Run a SPARQL update as is. Private: every public write goes through :meth:`update` or
        :meth:`replace_graphs`, which change the revision in the same transaction."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # Built on query/update, so every backend shares them.

    def select_values(self, sparql: str) -> list[tuple]:
        """A SELECT query's rows as plain strings: IRIs, lexical forms, blank node ids; None when unbound.

        For callers that read many rows and need no rdflib terms (projection, exports).
        """
        result = self.query(sparql)
        if result.kind != "select":
            raise QueryError("select_values needs a SELECT query")
        return [tuple(None if t is None else str(t) for t in row) for row in result.rows]

    def _revision_values(self) -> list[str]:
        return sorted(r[0] for r in self.select_values(
            f"SELECT ?r WHERE {{ GRAPH <{META_GRAPH}> {{ <{STORE_NODE}> <{REVISION}> ?r }} }}"))

    def revision(self) -> str:
        """A string that changes on every write ("" for a store never written)."""
        return _revision_of(self._revision_values())

    def _bump(self) -> str:
        return (
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{STORE_NODE}> <{REVISION}> ?r }} }} ;\n"
            f'INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{STORE_NODE}> <{REVISION}> "{_revision_value()}" }} }}'
        )

    def replace_graphs(self, graphs: dict[URIRef, GraphValue]) -> None:
        """Replace named graphs, and change the revision, in one transaction: all or nothing.

        Each value is an rdflib ``Graph``, N-Triples text (``str``, or UTF-8
        ``bytes``), or None to drop the graph. Invalid content raises
        ``StoreError`` and changes nothing.
        """
        self._replace(_scratch(graphs), list(graphs))

    def _replace(self, scratch: ox.Store, names: list) -> None:
        """Write ``names`` as ``scratch`` holds them (absent there: dropped), as one SPARQL update."""
        ops = [op for name in names for op in self._write_ops(scratch, name)]
        del scratch
        ops.append(self._bump())
        self._update(" ;\n".join(ops))

    def _write_ops(self, scratch: ox.Store, name) -> list[str]:
        """The update operations that make graph ``name`` hold what ``scratch`` holds under that name."""
        ops = [f"DROP SILENT GRAPH <{name}>"]
        text = scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(name)))
        if text:
            ops.append(f"INSERT DATA {{ GRAPH <{name}> {{\n{text.decode()}}} }}")
        return ops

    def update(self, sparql: str, **options) -> None:
        """Run a SPARQL update and change the revision, in one transaction (the only way to run one: a write
        that left the revision as it was would leave cached projections "current" over changed data).

        ``options`` go to the backend (the embedded store takes ``base_iri``).
        """
        bump = self._after_update()
        # After a complete operation the bump needs ";"; after a trailing ";" or a bare prologue it must not have one.
        for glue in ("\n;\n", "\n"):
            try:
                self._update(sparql + glue + bump, **options)
                return
            except QueryError:
                continue
        self._update(sparql, **options)  # malformed: fails with the user's own error and position, writing nothing
        self._update(bump)  # (not reached for a malformed update)

    apply_update = update  # the name the server uses

    def _after_update(self) -> str:
        """What follows a user's update in its transaction: the revision change."""
        return self._bump()

    def replace_graph(self, name: URIRef, graph: GraphValue) -> None:
        self.replace_graphs({name: graph})

    def drop_graph(self, name: URIRef) -> None:
        self.replace_graphs({name: None})

    def graph_names(self) -> list[URIRef]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g").rows
        return [r[0] for r in rows if r[0] != META_GRAPH]

    def graph(self, name: URIRef) -> Graph:
        """A copy of one named graph as an rdflib ``Graph``."""
        return self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}").graph

    def dataset_quads(self):
        """Every quad outside the store's own bookkeeping graph, as rdflib terms."""
        res = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        rows = [row for row in res.rows if row[3] != META_GRAPH]
        # Sorted here: Oxigraph's ORDER BY took 3 s on the 13k-triple reference graph.
        rows.sort(key=lambda r: (r[3].n3(), r[0].n3(), r[1].n3(), r[2].n3()))
        return rows

    def count(self) -> int:
        res = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{META_GRAPH}>) }}")
        return int(res.rows[0][0])


def prologue() -> str:
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


def _result(res) -> QueryResult:
    if isinstance(res, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(res))
    if isinstance(res, ox.QuerySolutions):
        variables = [v.value for v in res.variables]
        rows = [tuple(map(to_rdflib, sol)) for sol in res]  # in variable order; faster than sol[name]
        return QueryResult("select", variables=variables, rows=rows)
    graph = Graph()
    for t in res:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return QueryResult("graph", graph=graph)
