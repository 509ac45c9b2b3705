"""Query files and term binding for the library's own SPARQL.

Oxigraph has no ``initBindings``; :func:`bind` substitutes whole variables by
the N3 form of validated rdflib terms, so no user text ever becomes query text.
"""
import re
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef

from ..errors import QueryError
from ..settings import ontology_dir

__all__ = ["safe_iri", "aikg_terms", "bind", "load_query", "queries_dir", "parameters", "with_parameters",
           "parameter_default"]

_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def safe_iri(text) -> bool:
    """Whether ``text`` can stand between ``<`` and ``>`` in a query as it is (no escaping, no breaking out).

    >>> safe_iri("https://w3id.org/aikg/id/openai"), safe_iri("x> } DROP ALL { <y")
    (True, False)
    """
    return isinstance(text, str) and bool(text) and not _BAD_IRI.search(text)


def aikg_terms(names) -> str:
    """Local names as ``aikg:`` terms for a ``VALUES`` block.

    >>> aikg_terms(["partOf", "offers"])
    'aikg:partOf aikg:offers'
    """
    return " ".join(f"aikg:{n}" for n in names)


def _n3(term) -> str:
    if isinstance(term, URIRef):
        if not safe_iri(str(term)):
            raise QueryError(f"invalid IRI {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, (int, float)) and not isinstance(term, bool):
        return str(term)
    raise TypeError(f"cannot bind {term!r}")


def bind(query: str, **values) -> str:
    """Replace each ``?name`` by the given term.

    >>> bind("SELECT ?o WHERE { ?e ?p ?o }", e=URIRef("http://x"))
    'SELECT ?o WHERE { <http://x> ?p ?o }'
    """
    for name, term in values.items():
        query = re.sub(rf"[?$]{re.escape(name)}\b", lambda _m, t=_n3(term): t, query)
    return query


_VALUES = re.compile(r"VALUES \?(\w+) \{ ([^}]*?) \}")


def parameters(query: str) -> dict[str, str]:
    """A query file's parameters: each ``VALUES ?name { default }`` line, by name.

    >>> parameters('SELECT * { VALUES ?model { ent:gpt-4o } VALUES ?date { "2024-08-01"^^xsd:date } }')
    {'model': 'ent:gpt-4o', 'date': '"2024-08-01"^^xsd:date'}
    """
    return {m.group(1): m.group(2) for m in _VALUES.finditer(query)}


def parameter_default(defaults: dict, name: str) -> str:
    """The default of parameter ``name`` among a query's ``defaults``; QueryError naming the others if none."""
    if name not in defaults:
        have = ", ".join(sorted(defaults)) or "none"
        raise QueryError(f"the query has no parameter {name!r} (its parameters: {have})")
    return defaults[name]


def with_parameters(query: str, values: dict) -> str:
    """Replace the defaults of the named ``VALUES`` parameters by rdflib terms.

    >>> with_parameters("SELECT * { VALUES ?model { ent:gpt-4o } }", {"model": URIRef("http://x")})
    'SELECT * { VALUES ?model { <http://x> } }'
    """
    defaults = parameters(query)
    terms = {}
    for name, term in values.items():
        parameter_default(defaults, name)
        terms[name] = _n3(term)
    return _VALUES.sub(lambda m: f"VALUES ?{m[1]} {{ {terms[m[1]]} }}" if m[1] in terms else m[0], query)


def queries_dir() -> Path:
    return ontology_dir() / "queries"


@lru_cache(maxsize=None)
def load_query(name: str) -> str:
    """The text of ``ontology/queries/NAME.rq``."""
    path = queries_dir() / f"{name}.rq"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise QueryError(f"no query named {name!r} ({path})") from e
