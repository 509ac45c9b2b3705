"""The browser front door served by ``aikg serve``: ask, entity, document and search pages.

Every page is built from the library's data (:func:`aikg.reach.answers.answer` and
:func:`~aikg.reach.answers.diff`, :func:`aikg.facts.describe.describe`,
:func:`aikg.ingest.ingestor.sources`, the projection's name index) and rendered by
Jinja templates with autoescaping, so labels and quotes from documents stay
text. The pages need no framework: one stylesheet and one small script,
both served from ``/static/`` by aikg itself.

:func:`respond` runs in a query worker, which holds the store open; the
projection is kept per worker and rebuilt only when the store's revision
changes.
"""
import json
import urllib.parse
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from rdflib import Literal

from ..errors import AikgError, InputError, NotFound
from ..names.resolve import candidates, normalise
from ..reach.records import Answer, Diff, Restriction, Route

__all__ = ["PATHS", "respond", "static", "entity_url", "document_url", "ask_url"]

FRONT = Path(__file__).resolve().parent.parent / "data" / "front"
PATHS = ("/ask", "/ask/drawing", "/entity", "/document", "/search", "/suggest")
_STATIC = {"/static/front.css": "text/css; charset=utf-8", "/static/front.js": "text/javascript; charset=utf-8"}
MAX_ROUTES = 8  # enough to list the direct API route beside the cloud ones before a block
HTML = "text/html; charset=utf-8"
MAX_ROWS = 500  # facts, neighbours, documents shown on an entity page: a popular one has tens of thousands


# -- links ------------------------------------------------------------------------

def _query(path: str, **params) -> str:
    pairs = [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, (list, tuple)) else [vs]) if v]
    return path + ("?" + urllib.parse.urlencode(pairs) if pairs else "")


def entity_url(iri: str) -> str:
    return _query("/entity", id=iri)


def document_url(iri: str) -> str:
    return _query("/document", id=iri)


def ask_url(source: str = "", target: str = "", at: str = "", without=(), between=()) -> str:
    return _query("/ask", **{"from": source, "to": target, "at": at, "without": list(without),
                             "between": list(between)})


def _safe_url(url) -> str | None:
    """An outside link only when it is plainly http(s): a document's url could say ``javascript:``."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(FRONT)), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(entity_url=entity_url, document_url=document_url, ask_url=ask_url, safe_url=_safe_url)
    return env


def _html(template: str, status: int = 200, **data) -> tuple[int, str, bytes]:
    return status, HTML, _env().get_template(template).render(**data).encode("utf-8")


def static(path: str) -> tuple[str, bytes] | None:
    """The stylesheet or script at ``path``, or None."""
    ctype = _STATIC.get(path)
    if ctype is None:
        return None
    return ctype, (FRONT / path.rsplit("/", 1)[-1]).read_bytes()


# -- per-worker state -------------------------------------------------------------

_CACHE: dict = {}


def _projection(store):
    """The projection of the store's current revision, kept in this worker's memory."""
    from ..reach.projection import load_projection

    revision = store.revision()
    proj = _CACHE.get("proj")
    if proj is None or proj.revision != revision:
        proj = _CACHE["proj"] = load_projection(store)
    proj.store = store
    return proj


_DOCS = """SELECT ?t ?d WHERE {
  VALUES ?t { TITLES }
  { ?d dcterms:title ?t } UNION { ?d rdfs:label ?t }
  FILTER EXISTS { ?st prov:wasDerivedFrom ?d }
}"""


def _document_ids(store, titles) -> dict:
    """title -> document IRI, for the sources an answer cites by title."""
    titles = sorted({t for t in titles if t})
    out = {t: t for t in titles if t.startswith(("http://", "https://", "urn:"))}
    rest = [t for t in titles if t not in out]
    if rest:
        values = " ".join(Literal(t).n3() for t in rest)
        for t, d in store.select_values(_DOCS.replace("TITLES", values)):
            out.setdefault(t, d)
    return out


def _shown(result: Answer | Diff) -> tuple[list[Route], list[Restriction]]:
    """The routes a page lists, and the restrictions it names, in the page's order."""
    if isinstance(result, Diff):
        changes = result.closed + result.opened
        return [c.route for c in changes], [b for c in changes for b in (c.blocked_by or ()) + (c.before or ())]
    routes = list(result.routes + result.blocked_routes)
    return routes, [b for r in routes for b in r.blocked_by]


def _cited(result: Answer | Diff) -> list:
    """Every source title an answer (or a diff) cites."""
    routes, restrictions = _shown(result)
    sources = [s for r in routes for step in r.steps for s in step.sources]
    sources += [s for b in restrictions for s in b.sources]
    return [s.document for s in sources if s.document]


# -- parameters -------------------------------------------------------------------

def _one(params: dict, name: str) -> str:
    values = params.get(name) or [""]
    return values[0].strip()


def _many(params: dict, name: str) -> list[str]:
    out = []
    for v in params.get(name, []):
        out += [x.strip() for x in v.split(";") if x.strip()]
    return out


def _day(value: str, what: str) -> str:
    from ..dates import iso_day

    return iso_day(value, what)


def _shift(day: str, *, days: int = 0, months: int = 0) -> str:
    d = date.fromisoformat(day)
    if months:
        m = d.month - 1 + months
        y, m = d.year + m // 12, m % 12 + 1
        d = d.replace(year=y, month=m, day=min(d.day, 28))
    return (d + timedelta(days=days)).isoformat()


def _key_dates(result: Answer | Diff) -> list[dict]:
    """The days a restriction on the answer starts or ends, each with the day before it."""
    seen, out = set(), []
    for b in _shown(result)[1]:
        for d, verb in ((b.effective_from, "starts"), (b.effective_until, "ends")):
            if d and (d, b.id) not in seen:
                seen.add((d, b.id))
                out.append({"day": d, "before": _shift(d, days=-1), "what": f"{b.label} {verb}"})
    return sorted(out, key=lambda x: x["day"])


# -- pages ------------------------------------------------------------------------

def respond(store, path: str, params: dict) -> tuple[int, str, bytes]:
    """(status, content type, body) of the page at ``path``."""
    handler = {"/ask": _ask, "/ask/drawing": _drawing, "/entity": _entity, "/document": _document,
               "/search": _search, "/suggest": _suggest}[path]
    return handler(store, params)


def _ask(store, params: dict):
    from ..reach.answers import answer, diff

    source, target = _one(params, "from"), _one(params, "to")
    without, between = _many(params, "without"), [b for b in (params.get("between") or []) if b.strip()]
    form: dict[str, Any] = {"from": source, "to": target, "at": _one(params, "at") or date.today().isoformat(),
            "without": "; ".join(without), "between": between + [""] * (2 - len(between))}
    data: dict[str, Any] = {"form": form, "title": "Ask", "error": None, "answer": None, "diff": None}
    if not source and not target:
        return _html("ask.html", **data)
    try:
        if not source or not target:
            raise InputError("give both FROM and TO")
        at = form["at"] = _day(form["at"], "the date")
        proj = _projection(store)
        result: Answer | Diff
        if len(between) == 2:
            d1, d2 = (_day(b, "between") for b in between)
            result = data["diff"] = diff(proj, source, target, d1, d2, without=without, k=MAX_ROUTES)
            data["docs"] = _document_ids(store, _cited(result))
            data["keys"] = _key_dates(result)
        else:
            result = data["answer"] = answer(proj, source, target, at, k=MAX_ROUTES, without=without)
            data["docs"] = _document_ids(store, _cited(result))
            data["keys"] = _key_dates(result)
            data["steps"] = [{"label": label, "at": _shift(at, days=d, months=m)}
                             for label, d, m in (("−1 year", 0, -12), ("−1 month", 0, -1), ("−1 day", -1, 0),
                                                 ("+1 day", 1, 0), ("+1 month", 0, 1), ("+1 year", 0, 12))]
            data["drawing"] = _query("/ask/drawing", **{"from": source, "to": target, "at": at, "without": without})
        data["title"] = f"{source} → {target}"
    except AikgError as e:
        data["error"] = str(e)
        data["suggestions"] = _suggestions(e)
        return _html("ask.html", 400, **data)
    return _html("ask.html", **data)


def _drawing(store, params: dict):
    """The path view of an answer, framed by the answer page."""
    from ..reach.answers import answer
    from .viz import path_html

    try:
        at = _day(_one(params, "at") or date.today().isoformat(), "the date")
        proj = _projection(store)
        ans = answer(proj, _one(params, "from"), _one(params, "to"), at, k=MAX_ROUTES, without=_many(params, "without"))
    except AikgError as e:
        return 400, "text/plain; charset=utf-8", (str(e) + "\n").encode()
    return 200, HTML, path_html(ans, projection=proj).encode("utf-8")


def _entity(store, params: dict):
    from ..facts.describe import describe

    name = _one(params, "id") or _one(params, "name")
    try:
        # the projection's name index is kept in memory: resolving by the store's would read every label
        info = describe(store, _projection(store).lookup(name))
    except AikgError as e:
        return _html("message.html", 404, title="Not found", message=str(e), suggestions=_suggestions(e))
    neighbours: dict[str, str] = {}
    docs: dict[str, dict] = {}
    for f in info["facts"]:
        other = f["other"]
        if "id" in other:
            neighbours.setdefault(other["id"], other["label"])
        for s in f["sources"]:  # the documents about it, from the facts already read
            d = docs.setdefault(s["source"], {"id": s["source"], "title": s["title"], "facts": 0})
            d["facts"] += 1
    documents = sorted(docs.values(), key=lambda d: (-d["facts"], str(d["title"] or d["id"]).lower()))
    near = sorted(neighbours.items(), key=lambda kv: kv[1].lower())
    return _html("entity.html", title=info["label"], e=info, facts=info["facts"][:MAX_ROWS],
                 documents=documents[:MAX_ROWS], neighbours=near[:MAX_ROWS], limit=MAX_ROWS)


_DOCUMENT = """SELECT ?title ?label ?url ?published ?path ?read WHERE {
  OPTIONAL { ?d dcterms:title ?title } OPTIONAL { ?d rdfs:label ?label } OPTIONAL { ?d aikg:url ?url }
  OPTIONAL { ?d aikg:published ?published } OPTIONAL { ?d aikg:path ?path } OPTIONAL { ?d aikg:retrieved ?read }
} LIMIT 1"""
_GIVEN = """SELECT ?s ?sl ?p ?pl ?o ?ol ?quote ?conf ?neg WHERE {
  ?st prov:wasDerivedFrom ?d ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL { ?s rdfs:label ?sl } OPTIONAL { ?p rdfs:label ?pl } OPTIONAL { ?o rdfs:label ?ol }
  OPTIONAL { ?st aikg:quote ?quote } OPTIONAL { ?st aikg:confidence ?conf } OPTIONAL { ?st aikg:negated ?neg }
} ORDER BY ?quote ?s ?p ?o LIMIT 2000"""


def _term(value, label) -> dict:
    from rdflib import URIRef

    if isinstance(value, URIRef):
        return {"id": str(value), "label": str(label) if label is not None else str(value).rsplit("/", 1)[-1]}
    return {"value": str(value)}


def _document(store, params: dict):
    from rdflib import URIRef

    from ..sparql.queries import bind

    iri = _one(params, "id")
    if not iri.startswith(("http://", "https://", "urn:")):
        return _html("message.html", 404, title="Not found", message=f"no document {iri!r}", suggestions=[])
    doc = URIRef(iri)
    head = store.query(bind(_DOCUMENT, d=doc)).rows
    facts = [{"subject": _term(s, sl), "predicate": _term(p, pl), "object": _term(o, ol),
              "quote": str(q) if q is not None else None, "confidence": float(c) if c is not None else None,
              "negated": str(n) in ("true", "1")}
             for s, sl, p, pl, o, ol, q, c, n in store.query(bind(_GIVEN, d=doc)).rows]
    if not facts and (not head or all(v is None for v in head[0])):
        return _html("message.html", 404, title="Not found", message=f"no document {iri!r}", suggestions=[])
    title, label, url, published, path, read = head[0] if head else (None,) * 6
    info = {"id": iri, "title": str(title or label or iri), "url": str(url) if url else None,
            "published": str(published) if published else None, "path": str(path) if path else None,
            "retrieved": str(read) if read else None}
    return _html("document.html", title=info["title"], d=info, facts=facts)


def _suggestions(error) -> list[str]:
    return list(error.candidates) if isinstance(error, NotFound) else []


def _matches(proj, text: str, limit: int) -> list[dict]:
    """Entities whose name or alias starts with, then contains, the typed text."""
    key = normalise(text)
    if not key:
        return []
    first, then = [], []
    for name, entries in proj.names.items():
        if name.startswith(key):
            first.append((name, entries))
        elif key in name:
            then.append((name, entries))
    out, seen = [], set()
    shortest = lambda item: (len(item[0]), item[0])  # noqa: E731 - the closest names first
    for name, entries in sorted(first, key=shortest) + sorted(then, key=shortest):
        for e, main, shown in entries:
            if str(e) not in seen:
                seen.add(str(e))
                out.append({"id": str(e), "label": proj.label(str(e)), "name": shown, "alias": not main,
                            "types": sorted(proj.types.get(str(e), ()))})
        if len(out) >= limit:
            break
    return out[:limit]


def _search(store, params: dict):
    text = _one(params, "q")
    proj = _projection(store)
    found = _matches(proj, text, 50) if text else []
    close = candidates(proj.names, text) if text and not found else []
    return _html("search.html", title="Search", q=text, found=found, close=close)


def _suggest(store, params: dict):
    """Names for the autocomplete: labels and aliases that start with or contain the typed text."""
    proj = _projection(store)
    names = []
    for m in _matches(proj, _one(params, "q"), 12):
        if m["name"] not in names:
            names.append(m["name"])
    return 200, "application/json; charset=utf-8", json.dumps(names, ensure_ascii=False).encode("utf-8")

