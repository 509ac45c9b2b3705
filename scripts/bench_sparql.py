"""Benchmark aikg's SPARQL backends in one run.

1. The competency queries (``ontology/queries/*.rq``) on the reference graph
   and on a synthetic graph of about ``--triples`` triples shaped like aikg
   data (companies, models, services, restrictions, one provenance statement
   per fact), each on: the embedded store (``EmbeddedStore.query``, results
   as rdflib terms), rdflib's in-memory ``Dataset`` (default graph = union),
   and an Oxigraph server (through ``RemoteStore``). Median of ``--repeat``
   runs after one warm-up (``--rdflib-repeat`` for rdflib, which runs in a
   child process killed after ``--rdflib-timeout`` seconds per query run).
2. Queries per second of ``aikg serve`` (and of ``oxigraph serve`` on the
   same data) under a bounded concurrent load from a second process:
   ``--clients`` keep-alive connections on loopback, at most ``--seconds``
   seconds and ``--max-requests`` requests.

    python scripts/bench_sparql.py                  # the full run (1M triples)
    python scripts/bench_sparql.py --triples 100000 --seconds 5
"""
import argparse
import json
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FALLBACK_QUERIES = {
    "classes": "SELECT ?class (COUNT(?e) AS ?n) WHERE { ?e a ?class } GROUP BY ?class ORDER BY DESC(?n)",
    "access_to_models": """PREFIX aikg: <https://w3id.org/aikg/ns#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?s ?m ?l WHERE { ?s aikg:providesAccessTo ?m . ?m a aikg:AIModel ; rdfs:label ?l } LIMIT 1000""",
    "restrictions": """PREFIX aikg: <https://w3id.org/aikg/ns#>
        SELECT ?r ?p ?j ?from WHERE { ?r a aikg:Restriction ; aikg:restricts ?p ; aikg:appliesIn ?j
        OPTIONAL { ?r aikg:effectiveFrom ?from } } ORDER BY ?from LIMIT 1000""",
}


def competency_queries() -> dict[str, str]:
    folder = ROOT / "ontology" / "queries"
    found = {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.rq"))}
    return found or FALLBACK_QUERIES


# -- data -----------------------------------------------------------------------------

def synthetic_nquads(path: Path, triples: int, seed: int = 7) -> int:
    """About ``triples`` triples of aikg-shaped data in one named graph, linked to the
    reference entities the competency queries ask about (China, GPT-4o, Nvidia, ...)."""
    from aikg.namespace import AIKG, ENT, GRAPH

    rng = random.Random(seed)
    g = f"<{GRAPH['synthetic']}>"
    a = lambda local: f"<{AIKG[local]}>"  # noqa: E731
    e = lambda local: f"<{ENT[local]}>"  # noqa: E731
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    derived = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
    xsd_date = "<http://www.w3.org/2001/XMLSchema#date>"
    decimal = "<http://www.w3.org/2001/XMLSchema#decimal>"
    places = [e(x) for x in ("china", "hong-kong", "united-states", "european-union", "italy", "russia", "iran",
                             "japan", "india", "united-kingdom")]
    famous = [e(x) for x in ("gpt-4o", "openai", "microsoft", "nvidia", "h100", "azure-openai-service")]
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        def quad(s, p, o):
            nonlocal n
            out.write(f"{s} {p} {o} {g} .\n")
            n += 1

        def fact(s, p, o, doc, quote):
            quad(s, p, o)
            st = e(f"syn-st-{n}")
            for pp, oo in ((rdf_type, a("Statement")), (f"<{rdf}subject>", s), (f"<{rdf}predicate>", p),
                           (f"<{rdf}object>", o), (derived, doc), (a("confidence"), f'"0.8"^^{decimal}'),
                           (a("extractor"), '"synthetic"'), (a("quote"), f'"{quote}"')):
                quad(st, pp, oo)

        i = 0
        while n < triples:
            co, model, svc, chip, rest, doc = (e(f"syn-{k}-{i}") for k in ("co", "model", "svc", "chip", "r", "doc"))
            quad(doc, rdf_type, a("Document"))
            quad(doc, label, f'"Synthetic report {i}"')
            for node, cls, name in ((co, "Company", "Company"), (model, "AIModel", "Model"),
                                    (svc, "Service", "Service"), (chip, "Chip", "Chip"),
                                    (rest, "Restriction", "Restriction")):
                quad(node, rdf_type, a(cls))
                quad(node, label, f'"Synthetic {name} {i}"')
            fact(co, a("basedIn"), rng.choice(places), doc, f"Company {i} is based there.")
            fact(model, a("developedBy"), co, doc, f"Company {i} built model {i}.")
            fact(svc, a("offeredBy"), co, doc, f"Company {i} sells service {i}.")
            target = rng.choice(famous[:1]) if i % 50 == 0 else model
            fact(svc, a("providesAccessTo"), target, doc, f"Service {i} serves a model.")
            fact(svc, a("availableIn"), rng.choice(places), doc, f"Service {i} is offered there.")
            fact(chip, a("manufacturedBy"), rng.choice([co, e("tsmc")]), doc, f"Chip {i} is made there.")
            fact(model, a("usesChip"), chip, doc, f"Model {i} runs on chip {i}.")
            if i % 3 == 0:
                fact(co, a("investedIn"), e(f"syn-co-{rng.randrange(i + 1)}"), doc, f"Company {i} invested.")
                fact(co, a("partnerOf"), rng.choice(famous[1:4]), doc, f"Company {i} partners.")
            fact(rest, a("restricts"), rng.choice([svc, chip]), doc, f"Restriction {i}.")
            fact(rest, a("appliesIn"), rng.choice(places), doc, f"Restriction {i} applies there.")
            fact(rest, a("imposedBy"), co, doc, f"Restriction {i} by company {i}.")
            fact(rest, a("kind"), a(rng.choice(["AccessBlock", "Ban", "ExportControl", "Suspension"])), doc,
                 f"Restriction {i} kind.")
            year = rng.randrange(2019, 2026)
            fact(rest, a("effectiveFrom"), f'"{year}-{rng.randrange(1, 13):02d}-01"^^{xsd_date}', doc,
                 f"From {year}.")
            i += 1
    return n


def build_embedded(folder: Path, extra_nq: Path | None) -> Path:
    """A store with the reference data (and ``extra_nq`` bulk-loaded); returns its N-Quads dump."""
    import pyoxigraph as ox

    from aikg.facts.bootstrap import init_store

    init_store(str(folder))
    if extra_nq is not None:
        # The store keeps the merge of its named graphs in its default graph (aikg.store.embedded): a bulk load
        # around the store's own writes puts the triples there too.
        merged = extra_nq.with_suffix(".nt")
        ox.serialize((q.triple for q in ox.parse(path=str(extra_nq), format=ox.RdfFormat.N_QUADS)),
                     output=str(merged), format=ox.RdfFormat.N_TRIPLES)
        st = ox.Store(str(folder / "oxigraph"))
        st.bulk_load(path=str(extra_nq), format=ox.RdfFormat.N_QUADS)
        st.bulk_load(path=str(merged), format=ox.RdfFormat.N_TRIPLES)
        st.flush()
        del st
    dump = folder.parent / (folder.name + ".nq")
    st = ox.Store.read_only(str(folder / "oxigraph"))
    # the named graphs only: the Oxigraph server makes its own union of them
    ox.serialize((q for q in st if not isinstance(q.graph_name, ox.DefaultGraph)), output=str(dump),
                 format=ox.RdfFormat.N_QUADS)
    del st
    return dump


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def start_oxigraph(dump: Path, workdir: Path) -> tuple[subprocess.Popen, str]:
    db = workdir / (dump.stem + "-oxigraph-server")
    shutil.rmtree(db, ignore_errors=True)
    subprocess.run(["oxigraph", "load", "--location", str(db), "--file", str(dump)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    proc = subprocess.Popen(["oxigraph", "serve", "--location", str(db), "--bind", f"127.0.0.1:{port}",
                             "--timeout-s", "120"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/query?query=ASK%7B%7D", proc)
    return proc, url


def start_aikg_serve(store: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "aikg", "--store", str(store), "serve", "--port", str(port),
                             "--workers", str(workers), "--timeout", "120", "--limit", "1000000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/"
    wait_http(url + "query?query=ASK%7B%7D", proc)
    return proc, url


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


# -- timing -----------------------------------------------------------------------------

def time_queries(run, queries: dict[str, str], repeat: int) -> dict[str, dict]:
    out = {}
    for name, text in queries.items():
        try:
            rows = run(text)  # warm-up
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                run(text)
                times.append((time.perf_counter() - t) * 1000)
            out[name] = {"ms": statistics.median(times), "rows": rows}
        except Exception as e:  # a backend failing one query is a result too
            out[name] = {"error": " ".join(str(e).split())[:120]}
    return out


def _rdflib_child(conn, dump: str, queries: dict[str, str], repeat: int) -> None:
    from rdflib import Dataset

    t = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(dump, format="nquads")
    conn.send(("loaded", time.perf_counter() - t))
    for name, text in queries.items():
        conn.send((name, time_queries(lambda q: len(list(ds.query(q))), {name: text}, repeat)[name]))
    conn.send(("done", None))


def time_rdflib(dump: Path, queries: dict[str, str], repeat: int, timeout: float,
                restarts: int = 3) -> tuple[dict, float | None]:
    """rdflib in a child process; a query over ``timeout`` is recorded, the child killed and
    restarted (reloading the data) for the rest, at most ``restarts`` times."""
    ctx = multiprocessing.get_context("spawn")
    results, load_s = {}, None
    pending = list(queries)
    while pending:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_rdflib_child, args=(child, str(dump), {n: queries[n] for n in pending}, repeat),
                           daemon=True)
        proc.start()
        if parent.poll(1800):
            _, load_s = parent.recv()
        while pending:
            if not parent.poll(timeout * (repeat + 1)):
                results[pending.pop(0)] = {"error": f"timeout > {timeout:g}s"}
                break
            name, value = parent.recv()
            if name == "done":
                break
            results[name] = value
            pending.remove(name)
        proc.kill()
        proc.join()
        if pending and restarts == 0:
            for name in pending:
                results[name] = {"error": "skipped after timeouts"}
            break
        restarts -= 1
    return results, load_s


# -- load -----------------------------------------------------------------------------------

def load_client(url: str, queries: list[str], clients: int, seconds: float, max_requests: int) -> dict:
    """Hammer ``url`` (loopback only) from ``clients`` threads with keep-alive connections."""
    import http.client

    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the load client only talks to loopback")
    path = parts.path + ("?" + parts.query if parts.query else "")
    lock = threading.Lock()
    state = {"sent": 0, "status": {}, "latencies": []}
    deadline = time.monotonic() + seconds

    def worker(k):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        i = k
        while time.monotonic() < deadline:
            with lock:
                if state["sent"] >= max_requests:
                    break
                state["sent"] += 1
            body = urllib.parse.urlencode({"query": queries[i % len(queries)]})
            i += 1
            t = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
                status = "error"
            with lock:
                state["status"][str(status)] = state["status"].get(str(status), 0) + 1
                state["latencies"].append((time.perf_counter() - t) * 1000)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    lat = sorted(state["latencies"])
    return {"requests": len(lat), "seconds": round(elapsed, 2), "qps": round(len(lat) / elapsed, 1),
            "status": state["status"],
            "p50_ms": round(lat[len(lat) // 2], 1) if lat else None,
            "p95_ms": round(lat[int(len(lat) * 0.95)], 1) if lat else None}


def run_load(url: str, queries: list[str], args) -> dict:
    """The load client in a second process, so it does not share the server's (or our) GIL."""
    qfile = Path(tempfile.mkstemp(suffix=".json")[1])
    qfile.write_text(json.dumps(queries))
    try:
        out = subprocess.run([sys.executable, __file__, "--load-client", url, "--queries-file", str(qfile),
                              "--clients", str(args.clients), "--seconds", str(args.seconds),
                              "--max-requests", str(args.max_requests)],
                             capture_output=True, text=True, check=True, timeout=args.seconds + 600)
        return json.loads(out.stdout)
    finally:
        qfile.unlink()


# -- main -----------------------------------------------------------------------------------

def table(title: str, results: dict[str, dict], queries) -> str:
    backends = list(results)
    lines = [title, f"{'query':<40}" + "".join(f"{b:>24}" for b in backends)]
    for name in queries:
        cells = []
        for b in backends:
            r = results[b].get(name, {})
            cells.append(f"{r['ms']:9.2f} ms {r['rows']:>7} rows" if "ms" in r else r.get("error", "-")[:23])
        lines.append(f"{name[:40]:<40}" + "".join(f"{c:>24}" for c in cells))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rdflib-timeout", type=float, default=30.0, help="seconds per query run before rdflib is stopped")
    ap.add_argument("--rdflib-repeat", type=int, default=1, help="timed runs per query on rdflib (slow)")
    ap.add_argument("--skip-rdflib-large", action="store_true", help="leave rdflib out on the synthetic graph")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--load-max-ms", type=float, default=1000.0,
                    help="leave out of the load mix the queries slower than this on the embedded store")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--max-requests", type=int, default=20000)
    ap.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1), help="aikg serve --workers")
    ap.add_argument("--workdir", type=Path, help="keep the stores here (default: a temporary folder)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--load-client", metavar="URL", help=argparse.SUPPRESS)
    ap.add_argument("--queries-file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.load_client:
        queries = json.loads(args.queries_file.read_text())
        print(json.dumps(load_client(args.load_client, queries, args.clients, args.seconds, args.max_requests)))
        return

    from aikg.store.embedded import EmbeddedStore
    from aikg.store.remote import RemoteStore

    queries = competency_queries()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="aikg-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    report = {"cpus": os.cpu_count(), "queries": list(queries), "datasets": {}}
    print(f"{len(queries)} queries from {'ontology/queries' if queries is not FALLBACK_QUERIES else 'fallback'}; "
          f"work folder {workdir}", flush=True)
    try:
        for dataset in ("reference", "synthetic"):
            t = time.perf_counter()
            store = workdir / dataset
            shutil.rmtree(store, ignore_errors=True)
            extra = None
            if dataset == "synthetic":
                extra = workdir / "synthetic-extra.nq"
                synthetic_nquads(extra, args.triples)
            dump = build_embedded(store, extra)
            with EmbeddedStore(store) as s:
                size = s.count()
            info = {"triples": size, "build_s": round(time.perf_counter() - t, 1)}
            print(f"\n== {dataset}: {size} triples (built in {info['build_s']} s)", flush=True)
            results = {}
            print("  embedded ...", flush=True)
            with EmbeddedStore(store) as s:
                results["embedded"] = time_queries(lambda q: len(s.query(q)), queries, args.repeat)
            print("  oxigraph server ...", flush=True)
            proc, url = start_oxigraph(dump, workdir)
            try:
                remote = RemoteStore(url)
                results["oxigraph-server"] = time_queries(lambda q: len(remote.query(q)), queries, args.repeat)
                if dataset == "synthetic":
                    mix = [queries[n] for n, r in results["embedded"].items() if r.get("ms", 1e9) <= args.load_max_ms]
                    info["load_mix"] = [n for n, r in results["embedded"].items()
                                        if r.get("ms", 1e9) <= args.load_max_ms]
                    info["load_oxigraph_serve"] = run_load(url + "/query?union-default-graph", mix, args)
            finally:
                stop(proc)
            if dataset == "reference" or not args.skip_rdflib_large:
                print("  rdflib ...", flush=True)
                results["rdflib-memory"], load_s = time_rdflib(dump, queries, args.rdflib_repeat,
                                                               args.rdflib_timeout)
                info["rdflib_load_s"] = round(load_s, 1) if load_s else None
            print(table(f"median of {args.repeat} runs after a warm-up (rdflib: {args.rdflib_repeat}):", results,
                        queries), flush=True)
            if info.get("rdflib_load_s"):
                print(f"rdflib in-memory Dataset parsed the dump in {info['rdflib_load_s']} s")
            if dataset == "synthetic":
                proc, url = start_aikg_serve(store, args.workers)
                try:
                    info["load_aikg_serve"] = run_load(url + "query", mix, args)
                finally:
                    stop(proc)
                print(f"\nload: {args.clients} keep-alive clients in a second process, <= {args.seconds:g} s, "
                      f"<= {args.max_requests} requests; in turn the {len(mix)} queries under "
                      f"{args.load_max_ms:g} ms embedded: {', '.join(info['load_mix'])}")
                print(f"  aikg serve --workers {args.workers}: {info['load_aikg_serve']}")
                print(f"  oxigraph serve:         {info['load_oxigraph_serve']}")
            info["results"] = results
            report["datasets"][dataset] = info
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
