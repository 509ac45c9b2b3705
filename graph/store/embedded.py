"""The durable embedded store: Oxigraph (RocksDB) on disk, named graphs, locks.

Why pyoxigraph rather than rdflib's own stores: it loads 6-10x faster, answers
point lookups ~100x faster, and every ``update``/``load`` is a transaction
(README, "Store"). rdflib stays the API: results come back as rdflib terms and
graphs are written from rdflib ``Graph`` objects or N-Triples text. How a write
replaces graphs and changes the revision in one transaction: :mod:`aikg.store.base`.

The embedded store also shows the scratch store to the observers of its writes
(:func:`observe_writes`): :mod:`aikg.facts.factlog` subscribes and keeps what route
search reads of the new graphs, so a projection build need not read a million
edges back out of RocksDB. The store does not import it: the facts log sits above.

The default graph: aikg's default graph is the RDF merge of its named graphs
but the bookkeeping graph, each triple once however many documents state it.
Oxigraph's own union (``use_default_graph_as_union``), a list of default
graphs and ``FROM`` all repeat a triple once per graph holding it (pyoxigraph
0.5; fixed upstream for 0.6), so the embedded store keeps that merge itself,
in Oxigraph's default graph: every write puts its triples there too and takes
out those no other graph still holds, in the same transaction; a SPARQL
update from the server is followed by a full resync. A query naming no
dataset then reads that graph as it is (about 2x faster than the union flag);
a user's query with ``GRAPH`` (``hide_bookkeeping``) is given aikg's named graphs only
(:func:`aikg.sparql.protocol.query_dataset`), which costs a lookup per graph, so aikg's own queries skip
the bookkeeping graph themselves instead.
Stores of format 1 (no merge kept) get it the first time they are opened for
writing; read-only they are queried as before.

Concurrency: RocksDB lets only one process open a folder for writing, so
every process takes ``aikg.lock`` first: shared for readers (opened read-only),
exclusive for writers. A second writer waits up to ``AIKG_LOCK_TIMEOUT``
seconds, then fails with "store is busy".
"""
import errno
import fcntl
import json
import os
import re
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from ..errors import QueryError, StoreBusy, StoreError
from ..namespace import META_GRAPH, PREFIXES
from ..settings import env_number
from ..sparql.protocol import query_dataset
from ..sparql.results import QueryResult
from .base import REVISION, STORE_NODE, Store, _one_line, _result, _revision_of, _revision_value, _scratch
from .safecache import pid_alive

__all__ = ["EmbeddedStore", "default_location", "open_store", "observe_writes", "FORMAT_VERSION"]

_OBSERVERS: list = []


def observe_writes(observer) -> None:
    """Have ``observer`` follow every write of an embedded store (the facts log does, :mod:`aikg.facts.factlog`).

    ``observer.before_write(scratch, names)`` runs while the written graphs sit in the in-memory scratch
    store, before the commit; ``observer.after_write(path, before, after, found)`` after it, with the store
    folder, the revisions before and after and what ``before_write`` returned. It must not raise: the write
    is done. A write no observer saw is no error: whatever it keeps falls behind and is rebuilt.
    """
    if observer not in _OBSERVERS:
        _OBSERVERS.append(observer)

FORMAT_VERSION = 2  # 2: the default graph holds the merge of the named graphs (module docstring)
_READS = (1, 2)
MARKER = "aikg-store.json"
_META, _STORE, _REVISION = ox.NamedNode(str(META_GRAPH)), ox.NamedNode(str(STORE_NODE)), ox.NamedNode(str(REVISION))
# Makes the default graph the merge of the named graphs but the bookkeeping one, whatever it held. Both
# parts only read what is already right: inserting every triple again measured 7x slower (200k triples:
# 10.4 s against 1.5 s; the whole resync 2.4 s).
_RESYNC = (f"DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} "
           f"FILTER(?g != <{META_GRAPH}>) }} }} ;\n"
           f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{META_GRAPH}>) "
           f"FILTER NOT EXISTS {{ ?s ?p ?o }} }}")
# Revision values a store may collect (one per load-path write) before the next write folds them into one.
_MAX_REVISION_VALUES = 16


def default_location() -> Path:
    """``$AIKG_STORE``, else :func:`builtin_location`."""
    env = os.environ.get("AIKG_STORE")
    if env:
        return Path(env)
    return builtin_location()


def builtin_location() -> Path:
    """``$XDG_DATA_HOME/aikg/store`` (``~/.local/share/aikg/store``): the one store created on first use."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "aikg" / "store"


def check_location(location: str) -> str:
    """``location`` if it is a folder path or an http(s) URL; StoreError for any other URL scheme."""
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):/", location)
    if m and m[1].lower() not in ("http", "https", "file"):
        raise StoreError(f"unsupported store URL {location!r}: give a folder or an http(s) SPARQL endpoint")
    if m and m[1].lower() == "file":
        raise StoreError(f"give the store folder as a path, not a file: URL ({location!r})")
    return location


class EmbeddedStore(Store):
    """An Oxigraph store in a folder, opened for reading or for writing."""

    def __init__(self, path: str | os.PathLike, *, write: bool = False, create: bool = False,
                 lock_timeout: float | None = None, on_wait=None):
        """``on_wait(holder)`` is called once when the lock is not free after a second (``holder`` names the
        process that writes, or is None when readers hold it), so a CLI can say why it waits."""
        self.path = Path(path)
        self.location = str(self.path)
        self.writable = write
        if lock_timeout is None:
            lock_timeout = env_number("AIKG_LOCK_TIMEOUT", 10.0)
        marker = self.path / MARKER
        if not marker.exists():
            if not create:
                raise StoreError(f"no aikg store at {self.path}; create it with: aikg --store {self.path} init")
            if self.path.exists() and any(self.path.iterdir()):
                raise StoreError(f"{self.path} is not empty and is not an aikg store; refusing to overwrite it")
            try:
                self.path.mkdir(parents=True, exist_ok=True)
                marker.write_text(json.dumps({"format": FORMAT_VERSION, "engine": "oxigraph"}) + "\n")
            except OSError as e:
                raise StoreError(f"cannot create store at {self.path}: {e.strerror or e}") from e
        else:
            try:
                info = json.loads(marker.read_text())
            except (OSError, ValueError) as e:
                raise StoreError(f"{marker} is unreadable or corrupt") from e
            if info.get("format") not in _READS:
                raise StoreError(f"{self.path} holds store format {info.get('format')}, "
                                 f"this aikg reads {' and '.join(map(str, _READS))}")
        self._on_wait = on_wait
        self._lock_file = self._lock(lock_timeout)
        data = self.path / "oxigraph"
        try:
            if write:
                self._ox = ox.Store(str(data))
            elif data.exists():
                self._ox = ox.Store.read_only(str(data))
            else:  # nothing written yet
                self._ox = ox.Store()
        except OSError as e:
            self._release()
            raise StoreError(f"cannot open store at {self.path}: {e}") from e
        self.merged = json.loads(marker.read_text()).get("format") == FORMAT_VERSION
        if write and not self.merged:
            self._upgrade(marker)

    def _upgrade(self, marker: Path) -> None:
        """A format-1 store gets the merge of its named graphs in its default graph, then format 2.

        The merge is written first (one transaction, and doing it twice changes nothing), the marker after.
        """
        try:
            self._ox.update(_RESYNC)
            self._ox.flush()
            tmp = marker.with_suffix(".tmp")
            tmp.write_text(json.dumps({"format": FORMAT_VERSION, "engine": "oxigraph"}) + "\n")
            os.replace(tmp, marker)
        except OSError as e:
            self.close()
            raise StoreError(f"cannot upgrade the store at {self.path}: {e}") from e
        self.merged = True

    def visible_graphs(self) -> list:
        """aikg's named graphs, the bookkeeping one left out: the named graphs of a query with no dataset."""
        return [g for g in self._ox.named_graphs() if g != _META]

    def _dataset(self, sparql: str, default_graphs=(), named_graphs=(), hide: bool = False) -> dict:
        return query_dataset(sparql, default_graphs, named_graphs, merged=self.merged,
                             visible=self.visible_graphs if hide else None)

    def _revision_values(self) -> list[str]:
        return sorted(q.object.value for q in self._ox.quads_for_pattern(_STORE, _REVISION, None, _META)
                      if isinstance(q.object, ox.Literal))

    def _lock(self, timeout: float):
        mode = fcntl.LOCK_EX if self.writable else fcntl.LOCK_SH
        file = self.path / "aikg.lock"
        try:
            fh = open(file, "a+")
        except OSError as e:
            if self.writable or e.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise StoreError(f"cannot open {self.path}: {e.strerror or e}") from e
            try:  # a read-only mount or folder: nobody can write it, so a reader needs no lock it cannot take
                fh = open(file, "r")
            except OSError:
                return None
        deadline = time.monotonic() + timeout
        told: float | None = time.monotonic() + 1.0  # when to say we wait (None: said)
        while True:
            try:
                fcntl.flock(fh, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                now = time.monotonic()
                if now >= deadline:
                    fh.close()
                    raise StoreBusy(f"store is busy: another aikg process is using {self.path} (waited {timeout:g}s)")
                if told is not None and now >= told:
                    told = None
                    if self._on_wait is not None:
                        self._on_wait(_holder(fh))
                time.sleep(0.05)
        if self.writable:  # who writes, for those who wait (cleared on release)
            try:
                fh.seek(0)
                fh.truncate()
                fh.write(f"{os.getpid()} {_command()}\n")
                fh.flush()
            except OSError:
                pass
        return fh

    def _release(self):
        if self._lock_file is not None:
            if self.writable:
                try:
                    self._lock_file.truncate(0)
                except OSError:
                    pass
            self._lock_file.close()
            self._lock_file = None

    def close(self) -> None:
        if getattr(self, "_ox", None) is not None:
            if self.writable:
                self._ox.flush()
            self._ox = None
        self._release()

    def query(self, sparql: str, *, prefixes: bool = True, hide_bookkeeping: bool = False) -> QueryResult:
        try:
            res = self._ox.query(sparql, prefixes=PREFIXES if prefixes else None,
                                 **self._dataset(sparql, hide=hide_bookkeeping))
        except SyntaxError as e:
            raise QueryError(f"SPARQL syntax error: {e}") from e
        except (OSError, ValueError, RuntimeError) as e:
            raise QueryError(f"query failed: {e}") from e
        return _result(res)

    def _update(self, sparql: str, *, base_iri: str | None = None) -> None:
        if not self.writable:
            raise StoreError("store was opened read-only")
        try:
            self._ox.update(sparql, prefixes=PREFIXES, base_iri=base_iri)
        except SyntaxError as e:
            raise QueryError(f"SPARQL update syntax error: {e}") from e
        except (RuntimeError, ValueError) as e:  # a valid update that fails, e.g. DROP of a graph that does not exist
            raise QueryError(f"update failed: {e}") from e
        except OSError as e:
            raise StoreError(f"write failed: {e}") from e

    def engine_query(self, sparql: str, *, default_graphs: list[str] | None = None,
                     named_graphs: list[str] | None = None, base_iri: str | None = None,
                     hide_bookkeeping: bool = False):
        """Oxigraph's own result (``QuerySolutions``, ``QueryBoolean`` or ``QueryTriples``), read lazily.

        For callers that stream or serialize the terms themselves (the SPARQL
        server). The dataset follows the SPARQL protocol: ``default_graphs``
        and ``named_graphs`` (IRIs, as ``default-graph-uri`` and
        ``named-graph-uri``) override the query's ``FROM``/``FROM NAMED``; with
        neither, the default graph is the merge of the named graphs (and with
        ``hide_bookkeeping``, as for a user's query, the named graphs are
        aikg's). Syntax errors raise ``SyntaxError``; evaluation errors may
        surface while reading.
        """
        options = self._dataset(sparql, default_graphs or (), named_graphs or (), hide=hide_bookkeeping)
        return self._ox.query(sparql, prefixes=PREFIXES, base_iri=base_iri, **options)

    def select_values(self, sparql: str) -> list[tuple]:
        try:
            res = self.engine_query(sparql)
        except SyntaxError as e:
            raise QueryError(f"SPARQL syntax error: {e}") from e
        except (OSError, ValueError, RuntimeError) as e:
            raise QueryError(f"query failed: {e}") from e
        if not isinstance(res, ox.QuerySolutions):
            raise QueryError("select_values needs a SELECT query")
        try:
            return [tuple(None if t is None else t.value for t in solution) for solution in res]
        except (OSError, RuntimeError) as e:  # evaluation is lazy: errors can surface while reading
            raise QueryError(f"query failed: {e}") from e

    def load_graph(self, name: URIRef, data: bytes | str, fmt: ox.RdfFormat) -> None:
        """Replace a named graph with serialized triples (Turtle, N-Triples, RDF/XML...), in one transaction."""
        if fmt.supports_datasets:
            raise StoreError(f"load_graph takes one graph; {fmt.name} holds datasets")
        self._replace(_scratch({name: data}, fmt), [name])

    def _replace(self, scratch: ox.Store, names: list) -> None:
        if not self.writable:
            raise StoreError("store was opened read-only")
        values = self._revision_values()
        seen = [(observer, observer.before_write(scratch, names)) for observer in _OBSERVERS]  # graphs in memory
        self._write(scratch, names, len(values))
        for observer, found in seen:
            observer.after_write(self.path, _revision_of(values), self.revision(), found)

    def _after_update(self) -> str:
        return _RESYNC + " ;\n" + self._bump()  # the update may have changed any graph, the default one too

    def _write(self, scratch: ox.Store, names: list, revision_values: int) -> None:
        if revision_values >= _MAX_REVISION_VALUES or any(self._has_triples(n) for n in names):
            # One update (it also folds the revision values into one). First out of the merge: the triples
            # of the replaced graphs that no other graph holds; last into it: their new triples, copied in
            # the store (blank nodes stay the same nodes; the text is not sent twice).
            targets = " ".join(f"<{n}>" for n in names)
            ops = [f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?t {{ {targets} }} GRAPH ?t {{ ?s ?p ?o }} "
                   f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} "
                   f"FILTER(?h NOT IN ({', '.join(f'<{n}>' for n in names)}, <{META_GRAPH}>)) }} }}"]
            ops += [op for name in names for op in self._write_ops(scratch, name)]
            ops.append(f"INSERT {{ ?s ?p ?o }} WHERE {{ VALUES ?t {{ {targets} }} GRAPH ?t {{ ?s ?p ?o }} "
                       "FILTER NOT EXISTS { ?s ?p ?o } }")
            del scratch
            self._update(" ;\n".join(ops + [self._bump()]))
            return
        # Every target is empty: nothing to delete, so one load can add the graphs, their triples to the merge
        # (a triple already there stays once) and a new revision value.
        merged = ox.serialize((q.triple for q in scratch), format=ox.RdfFormat.N_TRIPLES)  # N-Quads, default graph
        data = (scratch.dump(format=ox.RdfFormat.N_QUADS) or b"") + (merged or b"")
        del scratch
        revision = f'<{STORE_NODE}> <{REVISION}> "{_revision_value()}" <{META_GRAPH}> .\n'.encode()
        try:
            self._ox.load(data + revision, format=ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError) as e:  # not expected: the scratch store wrote this text
            raise StoreError(f"write failed: {_one_line(e)}") from e
        except OSError as e:
            raise StoreError(f"write failed: {e}") from e

    def _has_triples(self, name) -> bool:
        return next(self._ox.quads_for_pattern(None, None, None, ox.NamedNode(str(name))), None) is not None


def _command() -> str:
    """What this process is, in a few words ("aikg ingest")."""
    import sys

    argv = [os.path.basename(sys.argv[0] or "python")] + [a for a in sys.argv[1:] if not a.startswith("-")][:1]
    return " ".join(argv)


def _holder(fh) -> str | None:
    """The writer named in the lock file, if that process is still alive."""
    try:
        fh.seek(0)
        pid, _, what = fh.read(200).strip().partition(" ")
        if not pid_alive(int(pid)):
            return None
    except (OSError, ValueError):
        return None
    return f"process {pid} ({what})" if what else f"process {pid}"


def open_store(location: str | os.PathLike | None = None, *, write: bool = False, create: bool = False,
               on_wait=None) -> Store:
    """Open the store at a folder path or a SPARQL endpoint URL (``on_wait``: see :class:`EmbeddedStore`)."""
    loc = check_location(str(location) if location is not None else str(default_location()))
    if loc.startswith(("http://", "https://")):
        from .remote import RemoteStore  # only needed for server stores

        return RemoteStore(loc)
    return EmbeddedStore(loc, write=write, create=create, on_wait=on_wait)
