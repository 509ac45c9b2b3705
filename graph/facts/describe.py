"""What the graph says about one entity: types, aliases, facts with sources, restrictions."""
from typing import Any

from rdflib import Literal, URIRef

from ..names.resolve import resolve
from ..namespace import AIKG
from ..sparql.queries import bind
from ..store.base import Store

__all__ = ["describe", "node"]

_STATEMENT = """OPTIONAL {
    ?st rdf:subject SUBJECT ; rdf:object OBJECT ; rdf:predicate ?p ; a aikg:Statement ; prov:wasDerivedFrom ?src .
    FILTER NOT EXISTS { ?st aikg:negated true }
    OPTIONAL { ?st aikg:quote ?quote } OPTIONAL { ?st aikg:confidence ?conf }
    OPTIONAL { ?st aikg:validFrom ?vf } OPTIONAL { ?st aikg:validUntil ?vu }
    OPTIONAL { ?src rdfs:label ?srclabel } OPTIONAL { ?src aikg:url ?url } OPTIONAL { ?src aikg:retrieved ?read }
    OPTIONAL { ?src aikg:published ?pub }
  }"""
# The statement is looked up inside each branch, where the entity (?e, bound to an IRI by bind())
# is one of its ends: matched after the union, the store scanned every statement (seconds on a big store).
_FACTS = """
SELECT ?dir ?p ?other ?plabel ?olabel ?src ?srclabel ?quote ?conf ?url ?read ?vf ?vu ?pub WHERE {
  { BIND("out" AS ?dir) ?e ?p ?other FILTER(STRSTARTS(STR(?p), STR(aikg:)))
    """ + _STATEMENT.replace("SUBJECT", "?e").replace("OBJECT", "?other") + """ }
  UNION
  { BIND("in" AS ?dir) ?other ?p ?e FILTER(isIRI(?other)) FILTER(STRSTARTS(STR(?p), STR(aikg:)))
    """ + _STATEMENT.replace("SUBJECT", "?other").replace("OBJECT", "?e") + """ }
  FILTER NOT EXISTS { ?other a aikg:Statement }
  OPTIONAL { ?p rdfs:label ?plabel }
  OPTIONAL { ?other rdfs:label ?olabel }
}"""

_HEAD = """
SELECT ?label ?alias ?type ?typelabel ?def ?same WHERE {
  OPTIONAL { ?e rdfs:label ?label }
  OPTIONAL { ?e skos:altLabel ?alias }
  OPTIONAL { ?e a ?type OPTIONAL { ?type rdfs:label ?typelabel } }
  OPTIONAL { ?e skos:definition ?def }
  OPTIONAL { ?e skos:exactMatch ?same }
}"""


def node(iri, label=None) -> dict:
    return {"id": str(iri), "label": str(label) if label is not None else str(iri).rsplit("/", 1)[-1]}


def describe(store: Store, name: str) -> dict:
    entity = resolve(store, name)
    head = store.query(bind(_HEAD, e=entity)).rows
    if not head or all(v is None for row in head for v in row):
        from ..errors import NotFound

        raise NotFound(f"nothing is known about {name!r}")
    label = next((r[0] for r in head if r[0] is not None), None)
    out: dict[str, Any] = {  # the JSON answer
        "id": str(entity),
        "label": str(label) if label is not None else str(entity),
        "types": sorted({str(r[3] or r[2]) for r in head if r[2] is not None}),
        "aliases": sorted({str(r[1]) for r in head if r[1] is not None}),
        "definition": next((str(r[4]) for r in head if r[4] is not None), None),
        "same_as": sorted({str(r[5]) for r in head if r[5] is not None}),
        "facts": [],
        "restrictions": [],
    }
    facts: dict[tuple, dict] = {}
    for d, p, other, plabel, olabel, src, srclabel, quote, conf, url, read, vf, vu, pub in \
            store.query(bind(_FACTS, e=entity)).rows:
        d = str(d)  # an rdflib Literal never equals a str
        obj = {"value": str(other), "datatype": str(other.datatype) if other.datatype else None} \
            if isinstance(other, Literal) else node(other, olabel)
        key = (d, str(p), str(other))
        fact = facts.setdefault(key, {"direction": d, "predicate": node(p, plabel), "other": obj, "sources": [],
                                      "valid_from": None, "valid_until": None})
        # a fact's validity is its statements': a dated source dates it (several disagreeing: the earliest shown)
        for field, value in (("valid_from", vf), ("valid_until", vu)):
            if value is not None and (fact[field] is None or str(value) < fact[field]):
                fact[field] = str(value)
        if src is not None:
            source = {"source": str(src), "title": str(srclabel) if srclabel else None,
                      "url": str(url) if url else None, "retrieved": str(read) if read else None,
                      "published": str(pub) if pub else None, "quote": str(quote) if quote else None,
                      "confidence": float(conf) if conf is not None else None}
            if source not in fact["sources"]:
                fact["sources"].append(source)
        if d == "in" and p == AIKG.restricts:
            out["restrictions"].append(str(other))
    out["facts"] = sorted(facts.values(), key=lambda f: (f["direction"] != "out", f["predicate"]["label"],
                                                          str(f["other"].get("label") or f["other"].get("value"))))
    out["restrictions"] = [describe_restriction(store, URIRef(r)) for r in sorted(set(out["restrictions"]))]
    return out


def describe_restriction(store: Store, restriction: URIRef) -> dict:
    q = bind("""SELECT ?p ?o ?ol WHERE { ?r ?p ?o OPTIONAL { ?o rdfs:label ?ol }
            FILTER(?p IN (rdfs:label, aikg:imposedBy, aikg:appliesIn, aikg:appliesTo, aikg:effectiveFrom,
                          aikg:effectiveUntil, aikg:kind)) }""", r=restriction)
    r: dict = {"id": str(restriction), "label": None, "imposed_by": None, "applies_in": [], "applies_to": [],
               "effective_from": None, "effective_until": None, "kind": None}
    for p, o, ol in store.query(q).rows:
        local = str(p).rsplit("#", 1)[-1]
        if local == "label":
            r["label"] = str(o)
        elif local == "imposedBy":
            r["imposed_by"] = node(o, ol)
        elif local == "appliesIn":
            r["applies_in"].append(node(o, ol))
        elif local == "appliesTo":
            r["applies_to"].append(node(o, ol))
        elif local == "effectiveFrom":
            r["effective_from"] = str(o)
        elif local == "effectiveUntil":
            r["effective_until"] = str(o)
        elif local == "kind":
            r["kind"] = str(ol or o)
    r["applies_in"].sort(key=lambda n: n["label"])
    return r
