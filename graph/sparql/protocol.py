"""SPARQL 1.1 Protocol details the server needs: the dataset, USING from the protocol, the service description.

The dataset rules (SPARQL 1.1 Protocol 2.1.4, Query 13.2): a protocol
``default-graph-uri``/``named-graph-uri`` overrides the query's own ``FROM``
/ ``FROM NAMED``; either of them alone makes the other part of the dataset
empty. A query naming its own dataset gets it. Only a query that names none
gets aikg's default: the merge of the named graphs as the default graph, and
the named graphs but the store's bookkeeping one. """
import pyoxigraph as ox

from ..errors import QueryError
from .guard import _TOKEN, keywords

__all__ = ["query_dataset", "with_using", "first_format", "service_description", "USING_CONFLICT"]

USING_CONFLICT = "using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH in the update"


def _iris(values) -> list:
    try:
        return [ox.NamedNode(v) for v in values]
    except ValueError as e:
        raise QueryError(f"not an IRI in a graph parameter: {e}") from None


def query_dataset(text: str, default_graphs=(), named_graphs=(), *, merged: bool = True, visible=None) -> dict:
    """Keyword arguments for ``pyoxigraph.Store.query``: which graphs are default and which named.

    ``merged``: the store keeps the merge of its named graphs in its default graph (:mod:`aikg.store.embedded`), else
    the default graph is Oxigraph's union. ``visible()`` lists the named graphs a query may see when it names
    none (all but the bookkeeping graph); it is called only for a query that has ``GRAPH``.

    >>> query_dataset("SELECT * FROM <http://g> {}")
    {}
    >>> query_dataset("ASK {}", ["http://a"])
    {'default_graph': [<NamedNode value=http://a>], 'named_graphs': []}
    >>> query_dataset("ASK {}")
    {}
    >>> query_dataset("ASK { GRAPH ?g {} }", visible=lambda: ["g"])
    {'named_graphs': ['g']}
    >>> query_dataset("ASK {}", merged=False)
    {'use_default_graph_as_union': True}
    """
    if default_graphs or named_graphs:
        return {"default_graph": _iris(default_graphs), "named_graphs": _iris(named_graphs)}
    words = _dataset_words(text)
    if "FROM" in words:  # FROM or FROM NAMED: the query's own dataset, which Oxigraph honours
        return {}
    options: dict = {} if merged else {"use_default_graph_as_union": True}
    # Only a query with GRAPH can reach the named graphs: only it pays for listing them (a point lookup
    # in GRAPH ?g measured ~30x slower with 3,000 graphs listed than with none).
    if "GRAPH" in words and visible is not None:
        options["named_graphs"] = visible()
    return options


def _dataset_words(text: str) -> set:
    """The bare keywords of a query, and FROM or GRAPH glued to a prefixed name, which Oxigraph reads as
    the keyword and a name (``GRAPH:g``): when in doubt, the query is taken to have them.

    >>> sorted(_dataset_words('PREFIX : <http://x/> SELECT * { GRAPH:g { ?s ?p "FROM" } }'))
    ['GRAPH', 'PREFIX', 'SELECT']
    """
    words = set()
    for m in _TOKEN.finditer(text):
        if m.lastgroup == "word":
            words.add(m.group().upper())
        elif m.lastgroup == "pname" and (head := m.group().partition(":")[0].upper()) in ("FROM", "GRAPH"):
            words.add(head)
    return words


def with_using(update: str, using, using_named) -> str:
    """The update with ``USING``/``USING NAMED`` clauses from the protocol added to each operation with a WHERE.

    >>> with_using("INSERT { ?s a <x> } WHERE { ?s ?p ?o }", ["http://g"], [])
    'INSERT { ?s a <x> }  USING <http://g> WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return update
    if {"USING", "WITH"} & set(keywords(update)):
        raise QueryError(USING_CONFLICT)
    clause = " ".join([f"USING <{v}>" for v in (g.value for g in _iris(using))]
                      + [f"USING NAMED <{v}>" for v in (g.value for g in _iris(using_named))])
    out, depth, previous, last = [], 0, None, 0
    for m in _TOKEN.finditer(update):
        kind, token = m.lastgroup, m.group()
        if kind == "other" and token == "{":
            depth += 1
        elif kind == "other" and token == "}":
            depth -= 1
        elif kind == "word" and token.upper() == "WHERE" and depth == 0 and previous not in ("DELETE", "INSERT"):
            out.append(update[last:m.start()] + " " + clause + " ")
            last = m.start()
        if kind not in ("ws", "comment"):
            previous = token.upper() if kind == "word" else None
    out.append(update[last:])
    return "".join(out)


def first_format(params: dict) -> str | None:
    """The ``format``/``output``/``results`` parameter; clients such as SPARQLWrapper send it more than once."""
    for name in ("format", "output", "results"):
        for value in params.get(name, []):
            if value:
                return value
    return None


_SD = "http://www.w3.org/ns/sparql-service-description#"
_VOID = "http://rdfs.org/ns/void#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


# W3C names (http://www.w3.org/ns/formats/) of the result formats the server writes.
FORMAT_NAMES = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
                "N-Triples", "N-Quads", "TriG", "RDF_XML", "JSON-LD")


def service_description(endpoint: str, *, update: bool, graphs: dict, default_triples: int) -> list:
    """Triples of a SPARQL service description with a VoID description of the dataset.

    ``graphs`` maps each visible named graph IRI to its triple count; ``default_triples`` counts the default
    graph, their merge (a triple two graphs state counts once there).
    """
    def sd(name):
        return ox.NamedNode(_SD + name)

    def void(name):
        return ox.NamedNode(_VOID + name)

    service, dataset, default = ox.NamedNode(endpoint + "#service"), ox.NamedNode(endpoint + "#dataset"), \
        ox.BlankNode("default")
    t = [ox.Triple(service, _RDF_TYPE, sd("Service")),
         ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
         ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
         ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
         ox.Triple(service, sd("defaultDataset"), dataset),
         ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
         ox.Triple(dataset, _RDF_TYPE, void("Dataset")),
         ox.Triple(dataset, void("sparqlEndpoint"), ox.NamedNode(endpoint)),
         ox.Triple(dataset, sd("defaultGraph"), default),
         ox.Triple(default, _RDF_TYPE, sd("Graph")),
         ox.Triple(default, void("triples"), ox.Literal(str(default_triples),
                                                        datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))]
    if update:
        t.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    for name in FORMAT_NAMES:
        t.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode("http://www.w3.org/ns/formats/" + name)))
    for i, (name, count) in enumerate(sorted(graphs.items())):
        named, graph = ox.BlankNode(f"named{i}"), ox.BlankNode(f"graph{i}")
        t += [ox.Triple(dataset, sd("namedGraph"), named),
              ox.Triple(named, _RDF_TYPE, sd("NamedGraph")),
              ox.Triple(named, sd("name"), ox.NamedNode(name)),
              ox.Triple(named, sd("graph"), graph),
              ox.Triple(graph, _RDF_TYPE, sd("Graph")),
              ox.Triple(graph, void("triples"), ox.Literal(str(count), datatype=ox.NamedNode(
                  "http://www.w3.org/2001/XMLSchema#integer")))]
    return t
