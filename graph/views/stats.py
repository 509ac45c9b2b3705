"""Counts that tell a user what the store holds."""
from ..namespace import META_GRAPH
from ..store.base import Store

__all__ = ["stats"]

_BY_CLASS = """
SELECT ?class (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?class FILTER(STRSTARTS(STR(?class), STR(aikg:))) }
GROUP BY ?class ORDER BY ?class"""
_BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def stats(store: Store) -> dict:
    graphs = {str(g): int(n) for g, n in store.query(_BY_GRAPH).rows if g != META_GRAPH}
    classes = {str(c).rsplit("#", 1)[-1]: int(n) for c, n in store.query(_BY_CLASS).rows}
    entities = store.query("""SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e rdfs:label ?l ; a ?c
        FILTER(STRSTARTS(STR(?e), "https://w3id.org/aikg/id/")) }""").rows[0][0]
    return {"store": store.location, "triples": sum(graphs.values()), "graphs": len(graphs),
            "documents": sum(1 for g in graphs if "/graph/doc/" in g), "entities": int(entities),
            "by_class": classes, "by_graph": graphs}
