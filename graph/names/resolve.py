"""Name resolution: label or alias, case-insensitive, with close candidates on a miss."""
import re
import unicodedata

from rapidfuzz import fuzz, process
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ..dates import iso_day
from ..errors import Ambiguous, NotFound
from ..namespace import DOC
from ..sparql.queries import bind, parameter_default, parameters, with_parameters
from ..store.base import Store

__all__ = ["normalise", "name_index", "match", "resolve", "candidates", "label_of", "set_parameters"]

_LABELS = """
SELECT ?e ?name ?main WHERE {
  { ?e rdfs:label ?name BIND(true AS ?main) } UNION { ?e skos:altLabel ?name BIND(false AS ?main) }
  FILTER(isIRI(?e))
  FILTER NOT EXISTS { ?e a aikg:Statement }
  FILTER NOT EXISTS { ?e a owl:Class } FILTER NOT EXISTS { ?e a owl:ObjectProperty }
  FILTER NOT EXISTS { ?e a owl:DatatypeProperty } FILTER NOT EXISTS { ?e a owl:Ontology }
}"""


_DOMAIN = re.compile(r"\b[a-z0-9][a-z0-9-]*\.(?:ai|com|io|net|org|co|app|dev|cn)\b")


def normalise(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key: ``"OpenAI's API"`` -> ``"openai s api"``.

    >>> normalise("  The  Azure OpenAI-Service ")
    'azure openai service'
    >>> normalise("Command R+"), normalise("perplexity.ai")
    ('command r plus', 'perplexitydotai')
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    # punctuation that makes a different name: "Command R+" is not "Command R", "perplexity.ai" (the service's
    # domain) is not "Perplexity AI" (the company)
    text = text.replace("+", " plus ")
    text = _DOMAIN.sub(lambda m: m[0].replace(".", "dot"), text)
    text = re.sub(r"[^\w]+", " ", text)
    text = re.sub(r"^the ", "", text.strip())
    return " ".join(text.split())


def name_index(store: Store) -> dict[str, list[tuple[URIRef, bool, str]]]:
    """normalised name -> [(entity, is_main_label, name)]."""
    index: dict[str, list] = {}
    for e, name, main in store.select_values(_LABELS):  # plain strings: thousands of rows, no rdflib terms
        index.setdefault(normalise(name), []).append((URIRef(e), main in ("true", "1"), name))  # Virtuoso: 1
    return index


_DOCUMENTS = str(DOC)


def candidates(index: dict, name: str, limit: int = 5) -> list[str]:
    """Close names, one per entity, each shown by the entity's main label; never a document's title
    (a source, not something to reach or start from)."""
    names: dict[str, URIRef] = {}
    main: dict[URIRef, str] = {}
    for entries in index.values():
        for e, is_main, text in entries:
            if str(e).startswith(_DOCUMENTS):
                continue
            names.setdefault(text, e)
            if is_main:
                main[e] = text
    shown: list[str] = []
    for text, _score, _ in process.extract(name, sorted(names), scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=60):
        label = main.get(names[text], text)
        if label not in shown:
            shown.append(label)
    return shown[:limit]


def _compact(index: dict, name: str) -> list:
    """Entries whose name equals ``name`` once spaces are ignored too: "gpt4o" is "GPT-4o"."""
    key = normalise(name).replace(" ", "")
    return [entry for k, entries in index.items() if k.replace(" ", "") == key for entry in entries]


def match(index: dict, name: str, label, *, suggest: bool = True):
    """The one entity of ``index`` named ``name``; ``label(entity)`` names the rivals of an ambiguous name.

    A main label beats an alias. Spaces are ignored as a last resort, for names a user typed
    (``suggest``): that scans every name, too slow for the actor parser's many probes.
    """
    entries = index.get(normalise(name)) or (_compact(index, name) if suggest else [])
    entities = {e for e, _, _ in entries}
    if len(entities) > 1:  # a main label beats an alias
        mains = {e for e, main, _ in entries if main}
        entities = mains if len(mains) == 1 else entities
    if len(entities) == 1:
        return next(iter(entities))
    if entities:
        labels = sorted({label(e) for e in entities})
        raise Ambiguous(f"{name!r} is ambiguous: it names {', '.join(labels)}", labels)
    close = candidates(index, name) if suggest else []
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise NotFound(f"unknown name {name!r}{hint}", close)


def resolve(store: Store, name: str, *, index: dict | None = None) -> URIRef:
    """The one entity whose label or alias is ``name``; NotFound / Ambiguous otherwise."""
    if name.startswith(("http://", "https://", "urn:")):
        return URIRef(name)
    index = index if index is not None else name_index(store)
    return match(index, name, lambda e: label_of(store, e))


def label_of(store: Store, entity: URIRef) -> str:
    rows = store.query(bind("SELECT ?l WHERE { ?e rdfs:label ?l } LIMIT 1", e=entity)).rows
    return str(rows[0][0]) if rows else str(entity).rsplit("/", 1)[-1]


def set_parameters(store, query: str, values: dict[str, str]) -> str:
    """``with_parameters`` from user text: a YYYY-MM-DD date where the default is a date, else an entity name."""
    defaults = parameters(query)
    terms: dict[str, Literal | URIRef] = {}
    for name, value in values.items():
        if "xsd:date" in parameter_default(defaults, name):
            terms[name] = Literal(iso_day(value, f"parameter {name}"), datatype=XSD.date)
        else:
            terms[name] = resolve(store, value)
    return with_parameters(query, terms)
