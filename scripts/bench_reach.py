#!/usr/bin/env python3
"""Benchmark the reach engine on synthetic graphs of 10k, 100k and 1M access edges.

For each size: write a synthetic AI-industry graph (segments and companies
that are customers of cloud services, services giving access to models, chips
and other services, platforms with parts, vendors of chips, restrictions in
jurisdictions with dates, a provenance statement for one fact in ten) into an
embedded store, then measure

* the projection build: the SPARQL pull plus the NetworkX build, and loading
  it back from the pickle cache (what every later CLI call pays);
* per query, over random (actor, target, date) questions: the verdict alone
  and the full explained answer (3 routes and the blocked ones), p50/p95;
* baselines in the same process on the same data: an unpruned
  ``nx.all_simple_paths`` enumeration (cutoff 4, capped at 2,000 paths and
  one second) and a SPARQL property-path ASK from one customer segment that
  ignores restrictions, dates and the open market.

Usage: python scripts/bench_reach.py [--sizes 10000,100000,1000000] [--queries 200]
"""
import argparse
import json
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from graph.namespace import AIKG, ENT, GRAPH, PROV
from graph.projection import build_projection, load_projection
from graph.reach import answer, verdict
from graph.store import MARKER, EmbeddedStore

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def iri(x) -> str:
    return f"<{x}>"


def generate(n_edges: int, seed: int = 7):
    """N-Triples lines of a synthetic graph with about ``n_edges`` access edges; also the names to ask about."""
    rnd = random.Random(seed)
    n_services = max(20, n_edges // 20)
    n_models, n_chips = max(10, n_edges // 50), max(5, n_edges // 400)
    n_orgs, n_segments, n_places = max(10, n_edges // 100), max(5, n_edges // 1000), 60
    ent = lambda kind, i: iri(ENT[f"{kind}-{i}"])  # noqa: E731
    a = lambda name: iri(getattr(AIKG, name))  # noqa: E731
    lines, edges = [], 0

    def node(kind, i, cls, label):
        lines.append(f"{ent(kind, i)} {RDF_TYPE} {a(cls)} .")
        lines.append(f'{ent(kind, i)} {RDFS_LABEL} "{label}" .')

    seen = set()

    def fact(s, p, o, quote=False):
        nonlocal edges
        if (s, p, o) in seen:
            return
        seen.add((s, p, o))
        edges += 1
        lines.append(f"{s} {a(p)} {o} .")
        if quote:
            st = iri(ENT[f"statement-{len(lines)}"])
            lines.extend([f"{st} {RDF_TYPE} {a('Statement')} .", f"{st} <{RDF}subject> {s} .",
                          f"{st} <{RDF}predicate> {a(p)} .", f"{st} <{RDF}object> {o} .",
                          f"{st} {iri(PROV.wasDerivedFrom)} {iri(ENT['doc-bench'])} .",
                          f'{st} {a("quote")} "A synthetic sentence about this fact." .'])

    for j in range(n_places):
        node("place", j, "Jurisdiction", f"Place {j}")
        lines.append(f'{ent("place", j)} {a("demonym")} "Placish{j}" .')
        if j >= 10:
            lines.append(f"{ent('place', j)} {a('partOf')} {ent('place', j % 10)} .")
    for i in range(n_orgs):
        node("org", i, "Company", f"Org {i}")
        lines.append(f"{ent('org', i)} {a('basedIn')} {ent('place', rnd.randrange(n_places))} .")
    for i in range(n_segments):
        node("seg", i, "CustomerSegment", f"Segment {i} customers")
        lines.append(f"{ent('seg', i)} {a('basedIn')} {ent('place', rnd.randrange(n_places))} .")
    for i in range(n_models):
        node("model", i, "AIModel", f"Model {i}")
    for i in range(n_chips):
        node("chip", i, "Chip", f"Chip {i}")
        fact(ent("chip", i), "developedBy", ent("org", rnd.randrange(n_orgs)), True)
    for i in range(n_services):
        node("svc", i, "Service", f"Service {i}")
        fact(ent("svc", i), "offeredBy", ent("org", rnd.randrange(n_orgs)), rnd.random() < 0.1)
        for _ in range(rnd.randrange(4)):
            lines.append(f"{ent('svc', i)} {a('availableIn')} {ent('place', rnd.randrange(n_places))} .")
        if i >= 100 and rnd.random() < 0.3:
            fact(ent("svc", i), "partOf", ent("svc", rnd.randrange(100)), rnd.random() < 0.1)
    # the rest of the budget: access edges and customers, skewed toward popular models and clouds
    while edges < n_edges:
        r = rnd.random()
        svc = ent("svc", int(rnd.paretovariate(1.2)) % n_services if r < 0.2 else rnd.randrange(n_services))
        if r < 0.55:
            fact(svc, "providesAccessTo", ent("model", int(rnd.paretovariate(1.0)) % n_models), rnd.random() < 0.1)
        elif r < 0.6:
            fact(svc, "providesAccessTo", ent("chip", rnd.randrange(n_chips)), rnd.random() < 0.1)
        elif r < 0.68:
            fact(svc, "providesAccessTo", ent("svc", rnd.randrange(n_services)), rnd.random() < 0.1)
        elif r < 0.85:
            fact(ent("org", rnd.randrange(n_orgs)), "customerOf", svc, rnd.random() < 0.1)
        else:
            fact(ent("seg", rnd.randrange(n_segments)), "customerOf", svc, rnd.random() < 0.1)
    kinds = ["AccessBlock", "Ban", "ExportControl", "Suspension"]
    for i in range(max(10, n_edges // 100)):
        r = iri(ENT[f"restriction-{i}"])
        target = rnd.choice([ent("svc", rnd.randrange(n_services)), ent("model", rnd.randrange(n_models)),
                             ent("chip", rnd.randrange(n_chips))])
        lines += [f"{r} {RDF_TYPE} {a('Restriction')} .", f"{r} {a('restricts')} {target} .",
                  f"{r} {a('appliesIn')} {ent('place', rnd.randrange(10))} .",
                  f"{r} {a('imposedBy')} {ent('org', rnd.randrange(n_orgs))} .",
                  f"{r} {a('kind')} {a(rnd.choice(kinds))} .",
                  f'{r} {a("effectiveFrom")} "202{rnd.randrange(5)}-0{rnd.randrange(1, 10)}-01"'
                  f'^^<http://www.w3.org/2001/XMLSchema#date> .']
    lines.append(f'{iri(ENT["doc-bench"])} {RDFS_LABEL} "Synthetic benchmark document" .')
    questions = []
    for _ in range(1000):
        who = rnd.choice([f"Placish{rnd.randrange(n_places)} customers", f"Org {rnd.randrange(n_orgs)}",
                          f"Segment {rnd.randrange(n_segments)} customers"])
        what = rnd.choice([f"Model {int(rnd.paretovariate(1.0)) % n_models}", f"Model {rnd.randrange(n_models)}",
                           f"Chip {rnd.randrange(n_chips)}"])
        questions.append((who, what, f"202{rnd.randrange(5)}-06-01"))
    return lines, questions


def make_store(folder: Path, lines: list[str]) -> None:
    folder.mkdir(parents=True)
    (folder / MARKER).write_text(json.dumps({"format": 1, "engine": "oxigraph"}) + "\n")
    data = ("\n".join(lines) + "\n").encode()
    store = ox.Store(str(folder / "oxigraph"))
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES,
                    to_graph=ox.NamedNode(str(GRAPH["bench"])))
    store.flush()
    del store


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, (time.perf_counter() - t) * 1000


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def baseline_paths(proj, target, services, cap=2000, budget_s=1.0):
    """Unpruned: simple paths back from the target to any service, cutoff 4, no restrictions.

    Stopped after ``cap`` paths or ``budget_s`` seconds (a timer: the generator may search long between paths).
    """
    rev = proj.graph.reverse(copy=False)
    n = 0
    if target not in rev:
        return 0
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, budget_s)
    try:
        for _ in nx.all_simple_paths(rev, target, services, cutoff=4):
            n += 1
            if n >= cap:
                break
    except _Timeout:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return n


def bench(size: int, n_queries: int) -> dict:
    lines, questions = generate(size)
    tmp = Path(tempfile.mkdtemp(prefix="bench-reach-"))
    try:
        t = time.perf_counter()
        make_store(tmp / "store", lines)
        load_s = time.perf_counter() - t
        store = EmbeddedStore(tmp / "store")
        proj, build_ms = timed(build_projection, store)
        load_projection(store)  # writes the cache
        _, cache_ms = timed(load_projection, store)
        g = proj.graph
        services = {n for n, t_ in proj.types.items() if "Service" in t_}
        v_ms, a_ms, b_ms, s_ms, verdicts = [], [], [], [], {}
        for who, what, at in questions[:n_queries]:
            v, ms = timed(verdict, proj, who, what, at)
            v_ms.append(ms)
            verdicts[v] = verdicts.get(v, 0) + 1
            _, ms = timed(answer, proj, who, what, at)
            a_ms.append(ms)
        segments = sorted(n for n, t_ in proj.types.items() if "CustomerSegment" in t_)
        for i, (who, what, at) in enumerate(questions[:min(n_queries, 50)]):
            target = proj.lookup(what)
            _, ms = timed(baseline_paths, proj, target, services)
            b_ms.append(ms)
            # from one named segment: with the start unbound, Oxigraph took a minute at 10k edges
            q = f"ASK {{ <{segments[i % len(segments)]}> aikg:customerOf/(aikg:providesAccessTo|^aikg:partOf)* <{target}> }}"
            if size <= 100_000 and i < 10:  # seconds per query already: too slow to repeat at 1M
                _, ms = timed(store.query, q)
                s_ms.append(ms)
        store.close()
        return {"access_edges": g.number_of_edges(), "nodes": g.number_of_nodes(), "triples": len(lines),
                "store_load_s": round(load_s, 2), "projection_build_s": round(build_ms / 1000, 2),
                "cache_load_s": round(cache_ms / 1000, 2),
                "verdict_ms": {"p50": round(statistics.median(v_ms), 2), "p95": round(pct(v_ms, 0.95), 2)},
                "answer_ms": {"p50": round(statistics.median(a_ms), 2), "p95": round(pct(a_ms, 0.95), 2)},
                "baseline_all_simple_paths_ms": {"p50": round(statistics.median(b_ms), 2),
                                                 "p95": round(pct(b_ms, 0.95), 2)},
                "baseline_sparql_property_path_ms": {"p50": round(statistics.median(s_ms), 2),
                                                     "max": round(max(s_ms), 2)} if s_ms else "not run",
                "verdicts": verdicts}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        result = bench(size, args.queries)
        print(json.dumps({"size": size, **result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
