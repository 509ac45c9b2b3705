"""A store held by an external SPARQL 1.1 server (Oxigraph server, OpenLink Virtuoso, Jena Fuseki, QLever, ...).

Everything goes through the SPARQL 1.1 Query and Update protocols, so the
inherited :class:`aikg.store.base.Store` operations (``replace_graphs`` as one
update request, ``graph_names``, ``revision``...) work unchanged; each update
request is one transaction on Oxigraph and Fuseki. ``replace_graphs`` takes
the same values as on the embedded store (rdflib graphs, N-Triples text, None):
they are parsed locally first, and only Oxigraph's own N-Triples rendering of
them goes into the ``INSERT DATA`` (a Graph Store Protocol ``PUT`` per graph
would not replace several graphs and the revision atomically).

Location forms (``--store``):

- ``http://HOST:PORT`` (no path): an Oxigraph server; queries go to
  ``/query?union-default-graph``, updates to ``/update``.
- ``http://HOST:PORT/sparql`` (``/sparql`` right at the root): one endpoint
  for queries and updates (Virtuoso's layout).
- ``.../query`` or ``.../DATASET/sparql``: a query endpoint used as given
  (its own query string kept); updates go to the sibling ``.../update``
  (Fuseki's, Oxigraph's and ``aikg serve``'s layout).
- any other path: one endpoint for both queries and updates (QLever, a
  Fuseki dataset URL).
- ``#update=URL`` at the end of any form names the update endpoint, and
  ``#query=URL`` the query endpoint (QLever serves both at its root:
  ``http://HOST:7001#query=http://HOST:7001/&update=http://HOST:7001/``).

Credentials: ``http://USER:PASSWORD@HOST/...`` sends HTTP Basic auth (Fuseki
with a password file), or HTTP Digest auth once the server asks for it
(Virtuoso's ``/sparql-auth``); ``$AIKG_STORE_TOKEN`` is sent as a Bearer token
(QLever's access token for updates). Neither is shown in messages.

aikg queries read the default graph as the union of all named graphs, as the
embedded store does. The first query after opening checks that the server
agrees and fails clearly if not (Fuseki/TDB2 needs ``tdb2:unionDefaultGraph
true``; QLever's and Virtuoso's default graph is the union already).

Virtuoso (known by its ``Server`` header) differs; :mod:`aikg.store.virtuoso` says how and what aikg
does about it.
"""
import http.client
import ipaddress
import os
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ..errors import QueryError, StoreError
from ..namespace import META_GRAPH, PREFIXES
from ..settings import env_number
from ..sparql.results import QueryResult, to_rdflib
from . import virtuoso
from .base import REVISION, STORE_NODE, Store, _result

__all__ = ["RemoteStore", "endpoints", "TRUNCATION_MARK"]

# What Oxigraph server appends to a 200 answer whose query hit --timeout-s.
TRUNCATION_MARK = b"The SPARQL operation has been cancelled"

_ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
           "application/sparql-results+xml;q=0.5, application/rdf+xml;q=0.1")
_TRIPLES = "application/n-triples"
_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
_XML = (ox.QueryResultsFormat.XML, ox.RdfFormat.RDF_XML)
# On one line, so a server's "error at LINE:COL" points into the user's text.
_PROLOGUE = "".join(f"PREFIX {k}: <{v}> " for k, v in PREFIXES.items())


def endpoints(location: str) -> tuple[str, str]:
    """``(query_url, update_url)`` for a ``--store`` URL (see the module docstring).

    >>> endpoints("http://127.0.0.1:7878")
    ('http://127.0.0.1:7878/query?union-default-graph', 'http://127.0.0.1:7878/update')
    >>> endpoints("http://localhost:3030/aikg/sparql")
    ('http://localhost:3030/aikg/sparql', 'http://localhost:3030/aikg/update')
    >>> endpoints("http://localhost:8890/sparql")
    ('http://localhost:8890/sparql', 'http://localhost:8890/sparql')
    """
    url, _, fragment = _without_credentials(location).partition("#")
    options = urllib.parse.parse_qs(fragment)
    update = options.get("update", [None])[0]
    if "query" in options:
        url = options["query"][0]
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"not a SPARQL endpoint URL: {location!r}")
    if "query" in options:
        return url, update or url
    path = parts.path.rstrip("/")
    if not path:
        base = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        return base + "/query?union-default-graph", update or base + "/update"
    head, _, last = path.rpartition("/")
    if last == "query" or (last == "sparql" and head):  # /sparql at the root: Virtuoso, one endpoint
        sibling = urllib.parse.urlunsplit((parts.scheme, parts.netloc, head + "/update", "", ""))
        return url, update or sibling
    return url, update or url


def _without_credentials(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _credentials(location: str) -> tuple[str, str] | None:
    parts = urllib.parse.urlsplit(location)
    if parts.username is None:
        return None
    return urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")


def _auth_header(location: str) -> str | None:
    credentials = _credentials(location)
    if credentials:
        import base64

        return "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
    token = os.environ.get("AIKG_STORE_TOKEN")
    return f"Bearer {token}" if token else None


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


class RemoteStore(Store):
    """The :class:`aikg.store.base.Store` interface over HTTP; rdflib terms in and out."""

    writable = True

    def __init__(self, location: str, *, timeout: float | None = None):
        self.location = _without_credentials(location)
        self.query_url, self.update_url = endpoints(location)
        self._auth = _auth_header(location)
        self._credentials = _credentials(location)
        self._digest = False  # the server asked for Digest auth: no Basic header up front then
        if timeout is None:
            timeout = env_number("AIKG_HTTP_TIMEOUT", 120.0)
        self.timeout = timeout
        # A proxy from the environment must not see loopback traffic.
        self._handlers = [urllib.request.ProxyHandler({})] if _is_loopback(self.query_url) else []
        self._checked = False
        self._virtuoso = False  # known from the first answer's Server header
        # Virtuoso: aikg's graphs and the others, to name in every query (None: list again)
        self._graphs: virtuoso.Graphs | None = None

    # -- HTTP -------------------------------------------------------------

    def _post(self, url: str, body: bytes, content_type: str, accept: str | None = None) -> tuple[str, bytes]:
        try:
            return self._send(url, body, content_type, accept)
        except _DigestWanted:
            self._digest = True
            return self._send(url, body, content_type, accept)

    def _send(self, url: str, body: bytes, content_type: str, accept: str | None) -> tuple[str, bytes]:
        headers = {"Content-Type": content_type, "User-Agent": "aikg"}
        if self._auth and not self._digest:
            headers["Authorization"] = self._auth
        if accept:
            headers["Accept"] = accept
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        deadline = _Deadline(self.timeout)
        handlers = [*self._handlers, _HTTPHandler(deadline), _HTTPSHandler(deadline)]
        if self._digest:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, url, *self._credentials)
            handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
        opener = urllib.request.build_opener(*handlers)
        try:
            return self._exchange(opener, request, url, deadline)
        finally:
            deadline.cancel()

    def _exchange(self, opener, request, url: str, deadline: "_Deadline") -> tuple[str, bytes]:
        try:
            with opener.open(request, timeout=self.timeout) as resp:
                self._virtuoso = virtuoso.is_virtuoso(resp.headers)
                if self._virtuoso:
                    virtuoso.refuse_partial(resp.headers, url)
                ctype = resp.headers.get_content_type()
                try:
                    data = resp.read()
                except http.client.IncompleteRead as e:
                    if deadline.expired:
                        raise TimeoutError from None
                    raise QueryError(f"the answer from {url} was cut off after {len(e.partial)} bytes") from e
                if deadline.expired:  # the socket was shut under the read: what came is not the whole answer
                    raise TimeoutError
                return ctype, data
        except urllib.error.HTTPError as e:
            # Virtuoso's /sparql-auth answers a Basic header with a bare 401, no challenge
            challenge = e.headers.get("WWW-Authenticate", "") if e.headers else ""
            if e.code == 401 and self._credentials and not self._digest and not challenge.lower().startswith("basic"):
                raise _DigestWanted from None
            # Virtuoso echoes the whole request after its message; the user has it already
            text = e.read(2000).decode("utf-8", "replace").partition("\nSPARQL query:")[0]
            message = _one_line(text) or e.reason
            if e.code == 400:
                raise QueryError(f"the SPARQL server refused the request: {message}") from None
            if e.code in (401, 403):
                raise StoreError(f"the SPARQL server at {url} refused access (HTTP {e.code}): {message}") from None
            if e.code == 404:
                raise StoreError(f"no SPARQL endpoint at {url} (HTTP 404)") from None
            raise StoreError(f"SPARQL server error at {url}: HTTP {e.code} {message}") from None
        except (TimeoutError, socket.timeout):
            raise self._late(url) from None
        except urllib.error.URLError as e:
            if deadline.expired:
                raise self._late(url) from None
            reason = e.reason.strerror if isinstance(e.reason, OSError) and e.reason.strerror else e.reason
            raise StoreError(f"cannot reach SPARQL server at {url}: {reason}") from None
        except (http.client.HTTPException, OSError) as e:
            if deadline.expired:
                raise self._late(url) from None
            raise StoreError(f"SPARQL server at {url} broke the connection: {_one_line(str(e)) or type(e).__name__}") \
                from None

    def _late(self, url: str) -> StoreError:
        return StoreError(f"SPARQL server at {url} did not answer within {self.timeout:g}s")

    # -- Store ------------------------------------------------------------

    def query(self, sparql: str, *, prefixes: bool = True, hide_bookkeeping: bool = False) -> QueryResult:
        # Virtuoso's pragmas leave the bookkeeping graph out of every query; Oxigraph server's union cannot
        self._probe()
        head = _PROLOGUE if prefixes else ""
        if self._virtuoso:
            head = self._known_graphs().pragmas(sparql) + head
        return self._send_query(head, sparql)

    def _send_query(self, head: str, sparql: str) -> QueryResult:
        body = urllib.parse.urlencode({"query": head + sparql}).encode()
        accept = _ACCEPT
        if self._virtuoso and virtuoso.makes_triples(sparql):
            accept = _TRIPLES
        try:
            ctype, data = self._post(self.query_url, body, "application/x-www-form-urlencoded", accept)
        except QueryError as e:
            raise QueryError(_unshift(str(e), len(head))) from None
        if self._virtuoso:
            return virtuoso.as_ask(_parse_answer(ctype, virtuoso.standard(data), self.query_url))
        return _parse_answer(ctype, data, self.query_url)

    def _update(self, sparql: str) -> None:
        self._probe()
        if self._virtuoso:  # it commits operation by operation: a write cut short must still change the revision
            if re.search(r"\b(?:DROP|CLEAR)\b", sparql, re.I):
                self._graphs = None
                sparql = virtuoso.adapt_update(sparql, self._known_graphs())
            sparql = self._bump() + " ;\n" + sparql
            self._graphs = None  # the write, done or failed half-way, may add or drop graphs
        try:
            self._post(self.update_url, (_PROLOGUE + sparql).encode(), "application/sparql-update")
        except QueryError as e:
            raise QueryError(_unshift(str(e), len(_PROLOGUE))) from None

    def _write_ops(self, scratch: ox.Store, name) -> list[str]:
        if self._virtuoso:
            return virtuoso.write_ops(scratch, name)
        return super()._write_ops(scratch, name)

    def _replace(self, scratch: ox.Store, names: list) -> None:
        self._probe()  # which server decides how the graphs are written
        super()._replace(scratch, names)

    def graph(self, name: URIRef) -> Graph:
        self._probe()
        if not self._virtuoso:
            return super().graph(name)
        # Virtuoso cuts a CONSTRUCT at ResultSetMaxRows without a word; a SELECT's cut is marked (and refused)
        graph = Graph()
        for row in self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}").rows:
            graph.add(row)
        return graph

    def _probe(self) -> None:
        """Once per store: check the default graph is the union (the answer also tells whether it is Virtuoso)."""
        if self._checked:
            return
        self._checked = True
        self._check_union()

    def _check_union(self) -> None:
        found = self._send_query("", f"""SELECT
            (EXISTS {{ GRAPH <{META_GRAPH}> {{ <{STORE_NODE}> <{REVISION}> ?r }} }} AS ?named)
            (EXISTS {{ <{STORE_NODE}> <{REVISION}> ?r }} AS ?union) WHERE {{}}""").rows
        named, union = (str(v) in ("true", "1") for v in found[0])  # Virtuoso answers booleans as 1 and 0
        if named and not union:
            raise StoreError(f"the server at {self.query_url} does not query the union of its named graphs by "
                             "default; enable it (Oxigraph: ?union-default-graph or --union-default-graph; "
                             "Fuseki: tdb2:unionDefaultGraph true)")

    def graph_names(self) -> list[URIRef]:
        self._probe()
        if not self._virtuoso:
            return super().graph_names()
        self._graphs = None  # asked for now: another process may have written since
        return sorted(URIRef(g) for g in self._known_graphs().ours if g != str(META_GRAPH))

    def _known_graphs(self) -> virtuoso.Graphs:
        if self._graphs is None:
            self._graphs = virtuoso.Graphs(g for (g,) in self._send_query("", virtuoso.LIST_GRAPHS).rows)
        return self._graphs


class _DigestWanted(Exception):
    """The server refused Basic auth without asking for it again: send the request with Digest auth."""


def _unshift(message: str, shift: int) -> str:
    """Point Oxigraph's "error at 1:COL" back into the user's text, before the ``shift`` characters put ahead."""
    return re.sub(r"error at 1:(\d+)", lambda m: f"error at 1:{max(1, int(m.group(1)) - shift)}", message)


def _parse_answer(ctype: str, data: bytes, url: str) -> QueryResult:
    if data.rstrip().endswith(TRUNCATION_MARK):
        raise QueryError(f"the SPARQL server at {url} stopped the query (timeout) and sent a truncated answer; "
                         "refused")
    fmt = _RESULT_FORMATS.get(ctype) or _GRAPH_FORMATS.get(ctype)
    if fmt is None:
        raise QueryError(f"unexpected answer type {ctype!r} from {url}")
    if fmt in _XML and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        raise QueryError(f"the answer from {url} declares a DOCTYPE or entities; refused")
    try:
        if isinstance(fmt, ox.QueryResultsFormat):
            parsed = ox.parse_query_results(data, fmt)
            if isinstance(parsed, ox.QuerySolutions):
                variables = [v.value for v in parsed.variables]
                return QueryResult("select", variables=variables,
                                   rows=[tuple(map(to_rdflib, s)) for s in parsed])
            return _result(parsed)
        graph = Graph()
        for t in ox.parse(data, fmt):
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return QueryResult("graph", graph=graph)
    except SyntaxError as e:
        raise QueryError(f"malformed answer from {url}: {_one_line(str(e))}") from None


# -- a deadline for the whole exchange ------------------------------------------------

class _Deadline:
    """Shuts the connection's socket when the whole exchange outlasts ``seconds``.

    The socket timeout alone bounds each read: a server sending a byte every second never trips it.
    """

    def __init__(self, seconds: float):
        self.expired = False
        self._sock = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock) -> None:
        with self._lock:
            self._sock = sock
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _shut(self._sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed already


class _Watched:
    """A connection whose socket its deadline can shut."""

    def __init__(self, *args, deadline: _Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def connect(self):
        super().connect()
        self.deadline.watch(self.sock)


class _HTTPConnection(_Watched, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(_HTTPConnection, req, deadline=self.deadline)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):
        return self.do_open(_HTTPSConnection, req, context=self._context, deadline=self.deadline)
