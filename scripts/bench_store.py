"""Measure the store: rdflib in memory vs the aikg EmbeddedStore (Oxigraph) vs oxrdflib.

Generates an N-Triples file shaped like aikg data, then, each in a fresh
process (so peak RSS is its own), loads it and measures load rate, peak RSS,
size on disk, point-lookup latency, and the cold cost of opening the store and
answering one query in a new process. For aikg it also measures small writes
(``replace_graphs`` of one 50-triple document graph, as ingestion does, on the
loaded store). Figures for the README:

    python scripts/bench_store.py                    # 1M triples, a few minutes
    python scripts/bench_store.py --triples 100000   # quick

oxrdflib is measured only if installed (``pip install oxrdflib``; not an aikg
dependency).
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AIKG = "https://w3id.org/aikg/ns#"
ENT = "https://w3id.org/aikg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
GRAPH = "https://w3id.org/aikg/graph/bench"
CLASSES = ["Company", "AIModel", "Service", "Chip", "Jurisdiction"]
LINKS = ["developedBy", "offeredBy", "providesAccessTo", "availableIn", "investedIn", "partOf"]
LOOKUPS = 1000
PER_ENTITY = 5  # type, label, three links
SMALL_WRITES = 200


def generate(path: Path, triples: int, seed: int = 7) -> int:
    """Entities with a type, a label and three links each; deterministic."""
    rng = random.Random(seed)
    n = max(1, triples // PER_ENTITY)
    written = 0
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            s = f"<{ENT}e{i}>"
            f.write(f'{s} <{RDF_TYPE}> <{AIKG}{CLASSES[i % len(CLASSES)]}> .\n')
            f.write(f'{s} <{LABEL}> "Entity {i}" .\n')
            for _ in range(PER_ENTITY - 2):
                f.write(f"{s} <{AIKG}{rng.choice(LINKS)}> <{ENT}e{rng.randrange(n)}> .\n")
            written += PER_ENTITY
    return written


def _subjects(triples: int, seed: int = 11) -> list[str]:
    n = max(1, triples // PER_ENTITY)
    rng = random.Random(seed)
    return [f"{ENT}e{rng.randrange(n)}" for _ in range(LOOKUPS)]


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def _median_ms(fn, items) -> float:
    times = []
    for x in items:
        t = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


# --- one measurement per process --------------------------------------------------------


def child_rdflib(nt: Path, workdir: Path, triples: int) -> dict:
    from rdflib import Graph, URIRef

    t = time.perf_counter()
    g = Graph()
    g.parse(nt, format="nt")
    load = time.perf_counter() - t
    label = URIRef(LABEL)
    subjects = [URIRef(s) for s in _subjects(triples)]
    lookup = _median_ms(lambda s: list(g.triples((s, label, None))), subjects)
    q = f"SELECT ?s ?l WHERE {{ ?s <{LABEL}> ?l }}"
    sparql = _median_ms(lambda s: list(g.query(q, initBindings={"s": s})), subjects[:200])
    return {"triples": len(g), "load_s": load, "rss_mb": _rss_mb(), "disk_mb": None,
            "lookup_ms": lookup, "sparql_lookup_ms": sparql}


def child_aikg(nt: Path, workdir: Path, triples: int) -> dict:
    import pyoxigraph as ox
    from rdflib import URIRef

    from aikg.store.embedded import EmbeddedStore

    path = workdir / "aikg-store"
    store = EmbeddedStore(path, write=True, create=True)
    t = time.perf_counter()
    store.load_graph(URIRef(GRAPH), nt.read_bytes(), ox.RdfFormat.N_TRIPLES)
    load = time.perf_counter() - t
    n = store.count()
    subjects = _subjects(triples)
    lookup = _median_ms(lambda s: store.query(f"SELECT ?l WHERE {{ <{s}> <{LABEL}> ?l }}").rows, subjects)
    rss = _rss_mb()
    small = _small_writes(store)
    store.close()
    return {"triples": n, "load_s": load, "rss_mb": rss, "disk_mb": _disk_mb(path),
            "lookup_ms": None, "sparql_lookup_ms": lookup, "small_writes_s": small}


def _small_writes(store) -> float:
    """Document-sized writes per second: each replaces one graph of 50 triples (an rdflib Graph)."""
    from rdflib import Graph, Literal, URIRef

    graphs = []
    for i in range(SMALL_WRITES):
        g = Graph()
        for j in range(50 // PER_ENTITY):
            s = URIRef(f"{ENT}doc{i}-e{j}")
            g.add((s, URIRef(LABEL), Literal(f"Entity {i}.{j}")))
            for k in range(PER_ENTITY - 1):
                g.add((s, URIRef(AIKG + LINKS[k]), URIRef(f"{ENT}e{(i * 7 + j * 3 + k) % 1000}")))
        graphs.append((URIRef(f"{GRAPH}/doc{i % (SMALL_WRITES // 2)}"), g))  # half new graphs, half replaced
    t = time.perf_counter()
    for name, g in graphs:
        store.replace_graphs({name: g})
    return SMALL_WRITES / (time.perf_counter() - t)


def child_oxigraph(nt: Path, workdir: Path, triples: int) -> dict:
    """The engine under EmbeddedStore, loading straight from the file (one transaction)."""
    import pyoxigraph as ox

    path = workdir / "oxigraph-raw"
    store = ox.Store(str(path))
    t = time.perf_counter()
    with open(nt, "rb") as f:
        store.load(f, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
    load = time.perf_counter() - t
    n = len(store)
    label = ox.NamedNode(LABEL)
    subjects = [ox.NamedNode(s) for s in _subjects(triples)]
    lookup = _median_ms(lambda s: list(store.quads_for_pattern(s, label, None)), subjects)
    sparql = _median_ms(lambda s: list(store.query(f"SELECT ?l WHERE {{ {s} <{LABEL}> ?l }}",
                                                   use_default_graph_as_union=True)), subjects)
    store.flush()
    store = None  # dropped before measuring; the lambdas above are done with it (pyflakes cannot see that)
    return {"triples": n, "load_s": load, "rss_mb": _rss_mb(), "disk_mb": _disk_mb(path),
            "lookup_ms": lookup, "sparql_lookup_ms": sparql}


def child_bulk(nt: Path, workdir: Path, triples: int) -> dict:
    """Oxigraph's bulk loader: fastest, but not transactional (a failed load leaves part of it)."""
    import pyoxigraph as ox

    path = workdir / "oxigraph-bulk"
    store = ox.Store(str(path))
    t = time.perf_counter()
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
    load = time.perf_counter() - t
    n = len(store)
    store.flush()
    del store
    return {"triples": n, "load_s": load, "rss_mb": _rss_mb(), "disk_mb": _disk_mb(path),
            "lookup_ms": None, "sparql_lookup_ms": None}


def child_oxrdflib(nt: Path, workdir: Path, triples: int) -> dict:
    from rdflib import Graph, URIRef

    path = workdir / "oxrdflib-store"
    g = Graph(store="Oxigraph")
    g.open(str(path), create=True)
    t = time.perf_counter()
    g.parse(nt, format="ox-nt")
    load = time.perf_counter() - t
    n = len(g)
    label = URIRef(LABEL)
    subjects = [URIRef(s) for s in _subjects(triples)]
    lookup = _median_ms(lambda s: list(g.triples((s, label, None))), subjects)
    q = f"SELECT ?s ?l WHERE {{ ?s <{LABEL}> ?l }}"
    sparql = _median_ms(lambda s: list(g.query(q, initBindings={"s": s})), subjects[:200])
    g.close()
    return {"triples": n, "load_s": load, "rss_mb": _rss_mb(), "disk_mb": _disk_mb(path),
            "lookup_ms": lookup, "sparql_lookup_ms": sparql}


# Cold start: a new process opens what the load left behind and answers one query.
COLD = {
    "rdflib": """
from rdflib import Graph
g = Graph(); g.parse({nt!r}, format="nt")
list(g.query('SELECT ?l WHERE {{ <{s}> <{label}> ?l }}'))""",
    "aikg": """
from aikg.store.embedded import EmbeddedStore
s = EmbeddedStore({dir!r} + "/aikg-store")
s.query('SELECT ?l WHERE {{ <{s}> <{label}> ?l }}'); s.close()""",
    "oxigraph": """
import pyoxigraph as ox
st = ox.Store.read_only({dir!r} + "/oxigraph-raw")
list(st.query('SELECT ?l WHERE {{ <{s}> <{label}> ?l }}', use_default_graph_as_union=True))""",
    "bulk": """
import pyoxigraph as ox
st = ox.Store.read_only({dir!r} + "/oxigraph-bulk")
list(st.query('SELECT ?l WHERE {{ <{s}> <{label}> ?l }}', use_default_graph_as_union=True))""",
    "oxrdflib": """
from rdflib import Graph
g = Graph(store="Oxigraph"); g.open({dir!r} + "/oxrdflib-store")
list(g.query('SELECT ?l WHERE {{ <{s}> <{label}> ?l }}')); g.close()""",
}

CHILDREN = {"rdflib": child_rdflib, "aikg": child_aikg, "oxigraph": child_oxigraph, "bulk": child_bulk,
            "oxrdflib": child_oxrdflib}
LABELS = {"rdflib": "rdflib Graph (memory)", "aikg": "aikg EmbeddedStore", "oxigraph": "pyoxigraph load",
          "bulk": "pyoxigraph bulk_load", "oxrdflib": "oxrdflib (disk)"}


def cold_start(name: str, nt: Path, workdir: Path, triples: int, repeat: int = 3) -> float:
    code = COLD[name].format(nt=str(nt), dir=str(workdir), s=_subjects(triples)[0], label=LABEL)
    times = []
    for _ in range(repeat if name != "rdflib" else 1):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)
        times.append(time.perf_counter() - t)
    return min(times)


def run_child(name: str, nt: Path, workdir: Path, triples: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", name, "--nt", str(nt), "--workdir", str(workdir),
                          "--triples", str(triples)], check=True, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fmt(v, spec):
    return "-" if v is None else format(v, spec)


def report(results: dict) -> str:
    base = results["rdflib"]
    rows = [("load (triples/s)", lambda r: r["triples"] / r["load_s"], ",.0f", True),
            ("load time (s)", lambda r: r["load_s"], ".1f", False),
            ("peak RSS (MB)", lambda r: r["rss_mb"], ",.0f", False),
            ("on disk (MB)", lambda r: r["disk_mb"], ",.1f", False),
            ("pattern lookup (ms)", lambda r: r["lookup_ms"], ".3f", False),
            ("SPARQL lookup (ms)", lambda r: r["sparql_lookup_ms"], ".3f", False),
            ("cold open + 1 query (s)", lambda r: r["cold_s"], ".2f", False),
            ("small writes (graphs/s)", lambda r: r.get("small_writes_s"), ",.0f", True)]
    names = list(results)
    width = 24
    lines = ["".ljust(width) + "".join(LABELS[n].rjust(22) for n in names)]
    for title, get, spec, higher_better in rows:
        cells = []
        for n in names:
            v = get(results[n]) if _safe(get, results[n]) else None
            b = get(base) if _safe(get, base) else None
            ratio = ""
            if v is not None and b not in (None, 0) and n != "rdflib" and v:
                ratio = f" ({v / b:.2g}x)" if higher_better else f" ({b / v:.2g}x)"
            cells.append((_fmt(v, spec) + ratio).rjust(22))
        lines.append(title.ljust(width) + "".join(cells))
    lines.append("ratios in brackets: how many times better than rdflib (higher is better)")
    return "\n".join(lines)


def _safe(get, r) -> bool:
    try:
        return get(r) is not None
    except (TypeError, ZeroDivisionError):
        return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--workdir", type=Path, help="where to write the file and stores (default: a temp folder)")
    ap.add_argument("--only", nargs="*", choices=list(CHILDREN), help="measure only these")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    ap.add_argument("--child", choices=list(CHILDREN), help=argparse.SUPPRESS)
    ap.add_argument("--nt", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        print(json.dumps(CHILDREN[args.child](args.nt, args.workdir, args.triples)))
        return 0

    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="aikg-bench-")
        args.workdir = Path(tmp.name)
    args.workdir.mkdir(parents=True, exist_ok=True)
    nt = args.workdir / "bench.nt"
    t = time.perf_counter()
    n = generate(nt, args.triples)
    print(f"generated {n:,} triples in {time.perf_counter() - t:.1f}s: {nt} ({nt.stat().st_size / 1e6:.0f} MB)",
          file=sys.stderr)
    names = args.only or list(CHILDREN)
    if "rdflib" not in names:
        names.insert(0, "rdflib")
    try:
        import oxrdflib  # noqa: F401
    except ImportError:
        if "oxrdflib" in names:
            names.remove("oxrdflib")
            print("oxrdflib not installed: skipped", file=sys.stderr)
    results = {}
    for name in names:
        print(f"measuring {LABELS[name]} ...", file=sys.stderr)
        results[name] = run_child(name, nt, args.workdir, n)
        results[name]["cold_s"] = cold_start(name, nt, args.workdir, n)
    print(f"{n:,} triples, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(report(results))
    if args.json:
        print(json.dumps(results, indent=2))
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
