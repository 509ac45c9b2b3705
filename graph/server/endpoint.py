"""``aikg serve``: the SPARQL 1.1 Protocol over an embedded store.

Queries run in worker processes, each holding the store open (read-only
under the shared lock, or, with updates allowed, one worker holding the
write lock). An update also changes the store's revision, in the same
transaction, so caches keyed by it (the projection) see the change. A
query that overruns the timeout is stopped by killing its worker, which is
then replaced: Oxigraph has no query cancellation, and a thread cannot be
stopped, so this is the only way a runaway query neither holds a CPU
forever nor gets answered with a truncated 200.

Endpoints: ``/query`` and ``/sparql`` (also ``/`` when a ``query`` parameter
is present) for queries, ``/update`` for updates, ``/`` a small query page.
The aikg prefixes (aikg, ent, rdfs, skos, prov, ...) are predeclared.
"""
import json
import logging
import multiprocessing
import queue
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..errors import QueryError, StoreError
from ..sparql.guard import check_update, is_update
from ..sparql.limits import OVER_MEMORY, hard_cap, query_bounds, watch
from ..sparql.protocol import first_format, service_description, with_using
from .origin import host_allowed, write_refusal

__all__ = ["SparqlServer", "negotiate", "RESULT_TYPES", "GRAPH_TYPES"]

log = logging.getLogger("aikg.server")

# Media types offered, in order of preference when a client accepts several equally.
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/xml": "xml",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
    "application/n-quads": "nq",
    "application/trig": "trig",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
}
# The ``format``/``output`` parameter some clients (SPARQLWrapper, YASGUI) send.
_FORMAT_PARAM = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None), "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"), "ttl": (None, "text/turtle"), "n3": (None, "text/turtle"),
    "nt": (None, "application/n-triples"), "ntriples": (None, "application/n-triples"),
    "rdf": (None, "application/rdf+xml"), "rdf+xml": (None, "application/rdf+xml"),
    "json-ld": (None, "application/ld+json"), "jsonld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"), "nq": (None, "application/n-quads"),
    "nquads": (None, "application/n-quads"), "trig": (None, "application/trig"),
}
_QUERY_PATHS = ("/query", "/sparql")
_VOID_PATHS = ("/void", "/.well-known/void")
_FORM = "application/x-www-form-urlencoded"
_STATIC_PATHS = ("/static/front.css", "/static/front.js")


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in (accept or "*/*").split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q))
    return ranges


def negotiate(accept: str | None, offered, fmt: str | None = None, *, graph: bool = False) -> str | None:
    """The offered media type a client prefers, or None (406).

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_TYPES)
    'application/sparql-results+xml'
    >>> negotiate("*/*", GRAPH_TYPES)
    'text/turtle'
    """
    if fmt and fmt.lower() in _FORMAT_PARAM:
        chosen = _FORMAT_PARAM[fmt.lower()][1 if graph else 0]
        if chosen:
            return chosen
    best, best_q = None, 0.0
    ranges = _accept_ranges(accept or "*/*")
    for media in offered:
        major = media.split("/")[0]
        q = next((q for r, q in ranges if r == media), None)
        if q is None:
            q = next((q for r, q in ranges if r == major + "/*"), None)
        if q is None:
            q = next((q for r, q in ranges if r == "*/*"), 0.0)
        if q > best_q:
            best, best_q = media, q
    return best


# -- worker processes ---------------------------------------------------------

@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    rows: int = 0


def _error(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (" ".join(message.split()) + "\n").encode())


def _serialize_solutions(rows, variables, media: str) -> bytes:
    from ..sparql import results as res
    from ..sparql.results import to_rdflib

    result = res.QueryResult("select", variables=variables,
                             rows=[tuple(map(to_rdflib, s)) for s in rows])
    kind = RESULT_TYPES[media]
    if kind == "json":
        return json.dumps(res.sparql_json(result), ensure_ascii=False).encode()
    return {"xml": res.sparql_xml, "csv": res.sparql_csv, "tsv": res.sparql_tsv}[kind](result).encode()


def _serialize_boolean(value: bool, media: str) -> bytes:
    from ..sparql import results as res

    result = res.QueryResult("ask", boolean=value)
    if RESULT_TYPES[media] == "xml":
        return res.sparql_xml(result).encode()
    if RESULT_TYPES[media] in ("csv", "tsv"):  # no standard form; a one-cell table like Jena's
        return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode()
    return json.dumps(res.sparql_json(result)).encode()


def _serialize_graph(triples, media: str) -> bytes:
    import pyoxigraph as ox

    from ..namespace import PREFIXES

    fmt = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML,
           "jsonld": ox.RdfFormat.JSON_LD, "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}[GRAPH_TYPES[media]]
    prefixed = fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
    return ox.serialize(triples, format=fmt, prefixes=PREFIXES if prefixed else None)


def _describe(store, request: dict) -> Reply:
    """The SPARQL service description with a VoID description of the dataset (GET /query without a query)."""
    from ..namespace import META_GRAPH

    media = negotiate(request["accept"], GRAPH_TYPES, request["format"], graph=True)
    if media is None:
        return _error(406, "no acceptable format for the service description (offered: " + ", ".join(GRAPH_TYPES) + ")")
    counts = {g: int(n) for g, n in store.select_values(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g") if g != str(META_GRAPH)}
    merged = int(store.select_values("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0][0])
    triples = service_description(request["base"], update=request["update"], graphs=counts, default_triples=merged)
    body = _serialize_graph(triples, media)
    return Reply(200, media + ("; charset=utf-8" if media.startswith("text/") else ""), body, len(triples))


def _run(store, request: dict, limit: int) -> Reply:
    """Answer one request on an open :class:`aikg.store.embedded.EmbeddedStore`."""
    import pyoxigraph as ox

    if request["op"] == "describe":
        return _describe(store, request)
    if request["op"] == "page":  # the browser front door (graph/views/pages.py)
        from ..views.pages import respond

        return Reply(*respond(store, request["path"], request["params"]))
    if request["op"] == "update":
        try:
            # changes the revision too, so cached projections are rebuilt
            store.apply_update(request["text"], base_iri=request.get("base"))
        except QueryError as e:
            return _error(400, str(e))
        except (StoreError, ValueError) as e:
            return _error(500, f"update failed: {e}")
        return Reply(204, "text/plain", b"")
    try:
        result = store.engine_query(request["text"], default_graphs=request.get("default_graphs"),
                                    named_graphs=request.get("named_graphs"), base_iri=request.get("base"),
                                    hide_bookkeeping=True)
        if isinstance(result, ox.QueryBoolean):
            media = negotiate(request["accept"], RESULT_TYPES, request["format"])
            if media is None:
                return _error(406, "no acceptable result format for an ASK query (offered: "
                              + ", ".join(RESULT_TYPES) + ")")
            return Reply(200, media, _serialize_boolean(bool(result), media), 1)
        graph = not isinstance(result, ox.QuerySolutions)
        offered = GRAPH_TYPES if graph else RESULT_TYPES
        media = negotiate(request["accept"], offered, request["format"], graph=graph)
        if media is None:
            return _error(406, "no acceptable result format (offered: " + ", ".join(offered) + ")")
        items: list = []
        for item in result:
            if len(items) == limit:
                return _error(400, f"the result has more than {limit} {'triples' if graph else 'rows'} "
                                   "(the server's --limit); add LIMIT and OFFSET to page through it")
            items.append(item)
        if graph:
            body = _serialize_graph(items, media)
        else:
            body = _serialize_solutions(items, [v.value for v in result.variables], media)
    except SyntaxError as e:
        return _error(400, f"SPARQL syntax error: {e}")
    except QueryError as e:  # e.g. a default-graph-uri that is not an IRI
        return _error(400, str(e))
    except (OSError, ValueError, TypeError, RuntimeError) as e:
        return _error(500, f"query failed: {e}")
    if media.startswith("text/") or media.endswith(("+json", "/json")):
        media += "; charset=utf-8"
    return Reply(200, media, body, len(items))


def _worker_main(conn, path: str, write: bool, limit: int, max_bytes: int) -> None:
    from ..store.embedded import EmbeddedStore

    try:
        store = EmbeddedStore(path, write=write)
    except Exception as e:  # report any failure to open, then stop
        conn.send(("error", str(e)))
        return
    conn.send(("ready", None))
    hard_cap(max_bytes)
    try:
        while True:
            try:
                request = conn.recv()
            except (EOFError, OSError):
                break
            if request is None:
                break
            with watch(float("inf"), max_bytes):  # the parent keeps the clock; past the memory budget this worker ends
                reply = _run(store, request, limit)
            conn.send(reply)
    finally:
        store.close()


class _Worker:
    def __init__(self, ctx, path: str, write: bool, limit: int, memory: int, start_timeout: float):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, path, write, limit, memory), daemon=True,
                                name="aikg-sparql-worker")
        self.proc.start()
        child.close()
        if not self.conn.poll(start_timeout):
            self.kill()
            raise StoreError(f"a query worker did not open {path} within {start_timeout:g}s")
        try:
            status, message = self.conn.recv()
        except EOFError:
            status, message = "error", "the query worker exited while opening the store"
        if status != "ready":
            self.kill()
            raise StoreError(message)

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(2)
        self.kill()


class _Pool:
    """A fixed number of workers; a request borrows one and a timed-out one is replaced."""

    def __init__(self, path: str, *, write: bool, size: int, limit: int, timeout: float, memory: int):
        self._ctx = multiprocessing.get_context("spawn")  # never fork a threaded server
        self._args = (path, write, limit, memory)
        self.memory = memory
        self.timeout = timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        # Start in parallel: each worker imports the package and opens the store.
        errors = []

        def start():
            try:
                self._add(self._new())
            except StoreError as e:
                errors.append(e)

        threads = [threading.Thread(target=start) for _ in range(size)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            self.close()
            raise errors[0]

    def _new(self) -> _Worker:
        return _Worker(self._ctx, *self._args, start_timeout=max(60.0, self.timeout))

    def _add(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()

        def respawn():
            for attempt in range(5):
                if self._closed:
                    return
                try:
                    self._add(self._new())
                    return
                except StoreError as e:
                    log.error("could not restart a query worker: %s", e)
                    time.sleep(2 ** attempt)

        threading.Thread(target=respawn, daemon=True).start()

    def run(self, request: dict) -> Reply:
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return _error(503, f"server busy: no query worker free within {self.timeout:g}s")
        try:
            worker.conn.send(request)
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                return _error(503, f"query stopped: it ran longer than the server's timeout of {self.timeout:g}s")
            reply = worker.conn.recv()
        except (EOFError, OSError):
            worker.proc.join(2)
            over = worker.proc.exitcode == OVER_MEMORY
            self._replace(worker)
            if over:
                return _error(503, f"query stopped: it used more than {self.memory >> 20} MB "
                                   "(the server's memory bound per query, AIKG_QUERY_MEMORY_MB)")
            return _error(500, "the query worker died (out of memory?); it has been restarted")
        self._idle.put(worker)
        return reply

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.stop()


# -- HTTP ---------------------------------------------------------------------

MAX_PARAMETERS = 200


class _HttpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _one(params: dict, name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise _HttpError(400, f"more than one {name!r} parameter")
    return values[0] if values else None


def _parse_qs(text: str) -> dict:
    try:
        return urllib.parse.parse_qs(text, keep_blank_values=True, max_num_fields=MAX_PARAMETERS)
    except ValueError:
        raise _HttpError(400, f"more than {MAX_PARAMETERS} parameters") from None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server_version = "aikg"

    def setup(self):
        self.timeout = self.server.idle_timeout  # an idle (or trickling) connection is closed after this
        super().setup()
    server: "_HttpServer"

    def log_message(self, format, *args):  # one line per query is logged by _answer instead
        pass

    # routing

    def do_GET(self):
        self._handle(lambda: self._get())

    def do_HEAD(self):
        self._handle(lambda: self._get(), head=True)

    def do_POST(self):
        self._handle(lambda: self._post())

    def do_OPTIONS(self):
        if not host_allowed(self.headers.get("Host"), self.server.server_address[0], self.server.allow_hosts):
            self._send_error(403, "this server answers only its own host names")
            return
        self._send(204, "text/plain", b"", extra={"Allow": "GET, POST, OPTIONS, HEAD"})

    def _method_not_allowed(self):
        self._send_error(405, f"{self.command} is not supported; use GET or POST",
                         extra={"Allow": "GET, POST, OPTIONS, HEAD"})

    do_PUT = do_DELETE = do_PATCH = _method_not_allowed

    def _handle(self, action, head: bool = False):
        try:
            if not host_allowed(self.headers.get("Host"), self.server.server_address[0], self.server.allow_hosts):
                raise _HttpError(403, "this server answers only its own host names (start it with --allow-host "
                                      "NAME to add one)")
            action()
        except _HttpError as e:
            self._send_error(e.status, str(e), head=head)

    def _path_params(self) -> tuple[str, dict]:
        url = urllib.parse.urlsplit(self.path)
        params = _parse_qs(url.query)
        return url.path.rstrip("/") or "/", params  # /sparql/ is /sparql

    def _base(self, path: str) -> str:
        """The base IRI of a request's relative IRIs: the endpoint's own URL, as the protocol suggests."""
        return self.server.base_url + path.lstrip("/")

    def _get(self):
        path, params = self._path_params()
        if path in _QUERY_PATHS + _VOID_PATHS and "query" not in params and "update" not in params:
            self._describe(params)
            return
        if "update" in params:
            raise _HttpError(403 if not self.server.allow_update else 405, "updates must be sent with POST" +
                             ("" if self.server.allow_update else "; and this server is read-only"))
        if path.startswith(("/static/", "/ask", "/entity", "/document", "/search", "/suggest")):
            self._page(path, params)
            return
        if path == "/" and "query" not in params:
            from ..views.querypage import query_page  # reads the competency queries once, on the first visit

            self._send(200, "text/html; charset=utf-8", query_page().encode(), head=self.command == "HEAD")
            return
        if path not in _QUERY_PATHS + ("/",):
            raise _HttpError(404, f"no such endpoint {path!r}; queries go to /query, updates to /update")
        query = _one(params, "query")
        if query is None:
            raise _HttpError(400, "missing 'query' parameter")
        self._query(query, params)

    def _post(self):
        path, params = self._path_params()
        if path not in _QUERY_PATHS + ("/", "/update"):
            raise _HttpError(404, f"no such endpoint {path!r}; queries go to /query, updates to /update")
        body = self._body()
        ctype = (self.headers.get_content_type() if self.headers.get("Content-Type") else "").lower()
        charset = (self.headers.get_content_charset() or "utf-8").lower()
        if ctype == _FORM:
            form = _parse_qs(self._text(body, "utf-8"))
            for k, v in form.items():
                params.setdefault(k, []).extend(v)
            query, update = _one(params, "query"), _one(params, "update")
            if (query is None) == (update is None):
                raise _HttpError(400, "send exactly one of the 'query' and 'update' parameters")
        elif ctype == "application/sparql-query":
            query, update = self._text(body, charset), None
        elif ctype == "application/sparql-update":
            query, update = None, self._text(body, charset)
        else:
            raise _HttpError(415, f"unsupported Content-Type {ctype or '(none)'!r}: use application/sparql-query, "
                                  f"application/sparql-update or {_FORM}")
        if update is not None:
            self._update(update, params)
        elif path == "/update":
            raise _HttpError(400, "this is the update endpoint; send queries to /query")
        else:
            self._query(query, params)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raise _HttpError(411, "chunked request bodies are not supported; send a Content-Length")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise _HttpError(411, "a POST needs a Content-Length") from None
        if length < 0:
            self.close_connection = True
            raise _HttpError(400, f"Content-Length {length} is negative")
        if length > self.server.max_body:
            self.close_connection = True
            if length <= 16 * self.server.max_body:  # drain it, so the client can read the answer
                while length > 0:
                    length -= len(self.rfile.read(min(length, 1 << 16)) or b"x" * length)
            raise _HttpError(413, f"request body larger than {self.server.max_body} bytes")
        return self.rfile.read(length)

    @staticmethod
    def _text(body: bytes, charset: str) -> str:
        if charset not in ("utf-8", "utf8", "us-ascii", "ascii"):
            raise _HttpError(415, f"unsupported charset {charset!r}: send UTF-8")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise _HttpError(400, "the request body is not valid UTF-8") from None

    # operations

    def _query(self, text: str, params: dict):
        started = time.perf_counter()
        try:
            update = is_update(text)  # refuses SERVICE, LOAD and unparseable or unbounded texts
        except QueryError as e:
            self._answer(_error(400, str(e)), text, started)
            return
        if update:
            reply = _error(403, "updates are refused here: this server is read-only") if not self.server.allow_update \
                else _error(400, "this is an update: POST it to /update (application/sparql-update or update=)")
        else:
            accept = self.headers.get("Accept")
            fmt = first_format(params)
            if negotiate(accept, {**RESULT_TYPES, **GRAPH_TYPES}, fmt) is None:
                reply = _error(406, f"no acceptable result format for Accept: {accept}")
            else:
                reply = self.server.pool.run({
                    "op": "query", "text": text, "accept": accept, "format": fmt,
                    "default_graphs": params.get("default-graph-uri", []),
                    "named_graphs": params.get("named-graph-uri", []),
                    "base": self._base(urllib.parse.urlsplit(self.path).path),
                })
        self._answer(reply, text, started)

    def _update(self, text: str, params: dict):
        started = time.perf_counter()
        refusal = write_refusal(self.headers, self.server.token)
        if not self.server.allow_update:
            reply = _error(403, "updates are refused: this server is read-only (start it with --allow-update)")
        elif refusal:
            reply = _error(403, refusal)
        else:
            try:
                check_update(text)
                text = with_using(text, params.get("using-graph-uri", []), params.get("using-named-graph-uri", []))
            except QueryError as e:
                reply = _error(400, str(e))
            else:
                reply = self.server.pool.run({"op": "update", "text": text,
                                              "base": self._base(urllib.parse.urlsplit(self.path).path)})
        self._answer(reply, text, started)

    def _page(self, path: str, params: dict):
        from ..views import pages

        head = self.command == "HEAD"
        if path in _STATIC_PATHS:
            ctype, body = pages.static(path)
            self._send(200, ctype, body, head=head, extra={"Cache-Control": "max-age=300"})
        elif path in pages.PATHS:
            started = time.perf_counter()
            reply = self.server.pool.run({"op": "page", "path": path, "params": params})
            self._answer(reply, f"(page {path})", started)
        else:
            raise _HttpError(404, f"no such page {path!r}")

    def _describe(self, params: dict):
        started = time.perf_counter()
        reply = self.server.pool.run({"op": "describe", "accept": self.headers.get("Accept"),
                                      "format": first_format(params), "update": self.server.allow_update,
                                      "base": self._base("query")})
        self._answer(reply, "(service description)", started)

    def _answer(self, reply: Reply, text: str, started: float):
        ms = (time.perf_counter() - started) * 1000
        excerpt = " ".join(text.split())
        log.info('%s %s %s %d %d rows %.1f ms %s', self.client_address[0], self.command,
                 urllib.parse.urlsplit(self.path).path, reply.status, reply.rows, ms,
                 json.dumps(excerpt[:200] + ("..." if len(excerpt) > 200 else ""), ensure_ascii=True))
        self._send(reply.status, reply.content_type, reply.body)

    # output

    def _send_error(self, status: int, message: str, *, head: bool = False, extra=None):
        reply = _error(status, message)
        self._send(status, reply.content_type, reply.body, head=head, extra=extra)

    def _send(self, status: int, ctype: str, body: bytes, *, head: bool = False, extra=None):
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        self.send_header("X-Content-Type-Options", "nosniff")
        if ctype.startswith("text/html"):
            self.send_header("Content-Security-Policy",
                             "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                             "connect-src 'self'; form-action 'self'; frame-src 'self'; img-src 'self' data:")
        cors = self.server.cors
        if cors:
            self.send_header("Access-Control-Allow-Origin", cors)
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.send_header("Access-Control-Max-Age", "600")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body and not head and self.command != "HEAD" and status != 204:
            self.wfile.write(body)


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # listen backlog (socketserver's 5 drops bursts of clients)
    pool: _Pool
    allow_update: bool
    cors: str | None
    max_body: int
    allow_hosts: tuple = ()
    token: str | None = None
    idle_timeout: float = 60.0
    base_url: str

    def handle_error(self, request, client_address):
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):  # the client went away
            return
        log.error("%s: request failed: %s: %s", client_address[0], type(error).__name__, error)


class SparqlServer:
    """A SPARQL 1.1 Protocol server over the embedded store at ``path``.

    ``start()`` opens the workers and binds the socket (port 0 picks a free
    one); ``serve_forever()`` answers until ``shutdown()``. Log lines go to the
    ``aikg.server`` logger.
    """

    def __init__(self, path: str | Path, *, host: str = "127.0.0.1", port: int = 7878, allow_update: bool = False,
                 timeout: float = 30.0, limit: int = 1_000_000, cors: str | None = None, workers: int = 2,
                 max_body: int | None = None, memory: int | None = None, allow_hosts=(),
                 token: str | None = None, idle_timeout: float = 60.0):
        if timeout <= 0 or limit <= 0 or workers <= 0:
            raise ValueError("timeout, limit and workers must be positive")
        self.path = str(path)
        self.host, self.port = host, port
        self.allow_update = allow_update
        self.timeout, self.limit, self.cors = timeout, limit, cors
        self.memory = memory or query_bounds()[1]  # bytes one query may add to a worker
        self.allow_hosts, self.token, self.idle_timeout = tuple(allow_hosts), token or None, idle_timeout
        # Updates need the write lock, which only one process can hold.
        self.workers = 1 if allow_update else workers
        self.max_body = max_body or (64 << 20 if allow_update else 1 << 20)
        self._pool: _Pool | None = None
        self._http: _HttpServer | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> "SparqlServer":
        self._pool = _Pool(self.path, write=self.allow_update, size=self.workers, limit=self.limit,
                           timeout=self.timeout, memory=self.memory)
        try:
            cls = _HttpServer
            if ":" in self.host:
                import socket

                cls = type("_HttpServer6", (_HttpServer,), {"address_family": socket.AF_INET6})
            self._http = cls((self.host, self.port), _Handler)
        except OSError as e:
            self._pool.close()
            raise StoreError(f"cannot listen on {self.host}:{self.port}: {e.strerror or e}") from e
        self._http.pool = self._pool
        self._http.allow_update, self._http.cors, self._http.max_body = self.allow_update, self.cors, self.max_body
        self._http.allow_hosts, self._http.token = self.allow_hosts, self.token
        self._http.idle_timeout = self.idle_timeout
        self.port = self._http.server_address[1]
        self._http.base_url = self.url
        return self

    def serve_forever(self) -> None:
        self._http.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self._pool is not None:
            self._pool.close()

    def __enter__(self):
        if self._http is None:
            self.start()
        threading.Thread(target=self.serve_forever, daemon=True, name="aikg-sparql-http").start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
