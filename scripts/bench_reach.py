#!/usr/bin/env python3
"""Benchmark the reach engine on synthetic graphs of 10k, 100k and 1M access edges.

For each size: write a synthetic AI-industry graph (segments and companies
that are customers of cloud services, services giving access to models, chips
and other services, platforms with parts, vendors of chips, restrictions in
jurisdictions with dates, a provenance statement for one fact in ten) into an
embedded store, as ``--graphs`` writes through the product's write path
(``replace_graphs``, which also keeps the facts log), then measure

* the projection build (cold, no cached projection): reading the facts from
  the log plus the array build, with the share spent reading; the first
  build, which also folds the log's files into one; a build without the log
  (deleted), which reads the facts from the store itself, with the share
  spent in the store's reads; writing and loading the projection cache (what
  every later CLI call pays);
* per query, over random (actor, target, date) questions: the verdict alone
  and the full explained answer (3 routes and the blocked ones, with the
  sources read from the store), p50/p95;
* baselines in the same process on the same data, printed as ratios:
  NetworkX bidirectional ``has_path`` on a ``subgraph_view`` that drops the
  nodes blocked for the actor (reachability only: no confirmation, no
  routes, every service enterable); an unpruned ``nx.all_simple_paths``
  enumeration (cutoff 4, capped at 2,000 paths and one second); a SPARQL
  property-path ASK from one customer segment that ignores restrictions,
  dates and the open market (up to 100k edges: it takes seconds); and the
  NetworkX graph build from the same projection.

The machine may be shared: compare the ratios of one run, and repeat.

Usage: python scripts/bench_reach.py [--sizes 10000,100000,1000000] [--queries 200] [--repeat 1] [--graphs 100]
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

from aikg.facts import factlog
from aikg.namespace import AIKG, ENT, GRAPH, PROV
from aikg.reach import projection
from aikg.reach.actors import resolve_actor
from aikg.reach.answers import answer, verdict
from aikg.reach.projection import build_projection, load_projection
from aikg.reach.search import Search
from aikg.store.embedded import EmbeddedStore

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
STATEMENT = f"<{ENT}statement-"
ACTOR = "urn:bench:actor"  # the baseline graph's stand-in for "whoever asks": an edge to every service


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


def make_store(folder: Path, lines: list[str], graphs: int) -> None:
    """Write the lines as ``graphs`` named graphs, one ``replace_graphs`` each: the product's write path (as
    ``aikg ingest`` writes documents), so the store keeps its facts log as a user's would. A statement's lines
    stay in one graph."""
    size = max(1, len(lines) // graphs)
    with EmbeddedStore(folder, write=True, create=True) as store:
        start, i = 0, 0
        while start < len(lines):
            end = min(len(lines), start + size)
            while end < len(lines) and lines[end].startswith(STATEMENT):
                end += 1
            store.replace_graphs({GRAPH[f"bench-{i}"]: "\n".join(lines[start:end]) + "\n"})
            start, i = end, i + 1


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, (time.perf_counter() - t) * 1000


def summary(ms: list) -> dict:
    return {"p50": round(statistics.median(ms), 2), "p95": round(pct(ms, 0.95), 2)} if ms else "not run"


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def baseline_paths(rev, target, services, cap=2000, budget_s=1.0):
    """Unpruned: simple paths back from the target to any service, cutoff 4, no restrictions.

    Stopped after ``cap`` paths or ``budget_s`` seconds (a timer: the generator may search long between paths).
    """
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


def baseline_has_path(g, proj, who, target, at) -> bool:
    """NetworkX reachability on a filtered view: nodes blocked for the actor dropped, edges invalid on the date too."""
    masks = Search(proj, resolve_actor(proj, who), target, at).blocked_masks()
    blocked = masks["use"] | masks["buy"] | masks["access"]
    ids = proj.ids

    def keep_node(n):
        i = ids.get(n)
        return i is None or not blocked[i]

    def keep_edge(u, v, k):
        valid = g[u][v][k].get("valid")
        return valid is None or any(projection.in_interval(at, a, b) for a, b in valid)

    view = nx.subgraph_view(g, filter_node=keep_node, filter_edge=keep_edge)
    return target in view and nx.has_path(view, ACTOR, target)


def timed_build(store) -> tuple:
    """A cold build (no cached projection), and the part of it spent reading the facts (log or store)."""
    spent = [0.0]
    original = factlog.read

    def read(*args):
        t = time.perf_counter()
        try:
            return original(*args)
        finally:
            spent[0] += time.perf_counter() - t

    factlog.read = read
    try:
        proj, ms = timed(build_projection, store)
    finally:
        factlog.read = original
    return proj, ms / 1000, spent[0]


def bench(size: int, n_queries: int, repeat: int, graphs: int) -> dict:
    lines, questions = generate(size)
    questions = questions[:n_queries]
    tmp = Path(tempfile.mkdtemp(prefix="bench-reach-"))
    try:
        t = time.perf_counter()
        make_store(tmp / "store", lines, graphs)
        load_s = time.perf_counter() - t
        store = EmbeddedStore(tmp / "store")
        # the first build also folds the log's files (one per write) into one; the next read that one
        builds = [timed_build(store) for _ in range(repeat + 1)]
        proj, build_s, read_s = min(builds[1:], key=lambda b: b[1])
        # without the log (deleted, or broken by a SPARQL update): the facts are read from the store itself
        shutil.rmtree(tmp / "store" / "cache" / factlog.LOG)
        _, rebuild_s, reread_s = timed_build(store)
        _, first_ms = timed(load_projection, store)  # the first call after a write: build, then write the cache
        cache_ms = min(timed(load_projection, store)[1] for _ in range(max(repeat, 3)))
        proj = load_projection(store)  # what the CLI answers from
        v_ms, a_ms, verdicts = [], [], {}
        for who, what, at in questions:
            v, ms = timed(verdict, proj, who, what, at)
            v_ms.append(ms)
            verdicts[v] = verdicts.get(v, 0) + 1
            _, ms = timed(answer, proj, who, what, at)
            a_ms.append(ms)

        # baselines, on a NetworkX graph of the same projection
        g, nx_ms = timed(lambda: proj.graph)
        services = {n for n, t_ in proj.types.items() if "Service" in t_}
        g.add_edges_from((ACTOR, s, "enters") for s in services)
        h_ms, p_ms, s_ms = [], [], []
        for who, what, at in questions:
            _, ms = timed(baseline_has_path, g, proj, who, proj.lookup(what), at)
            h_ms.append(ms)
        rev = proj.graph.reverse(copy=False)
        segments = sorted(n for n, t_ in proj.types.items() if "CustomerSegment" in t_)
        for i, (who, what, at) in enumerate(questions[:min(n_queries, 20)]):
            target = proj.lookup(what)
            _, ms = timed(baseline_paths, rev, target, services)
            p_ms.append(ms)
            # from one named segment: with the start unbound, Oxigraph took a minute at 10k edges
            q = (f"ASK {{ <{segments[i % len(segments)]}> aikg:customerOf/(aikg:providesAccessTo|^aikg:partOf)* "
                 f"<{target}> }}")
            if size <= 100_000 and i < 10:  # seconds per query already: too slow to repeat at 1M
                _, ms = timed(store.query, q)
                s_ms.append(ms)
        store.close()
        out = {"access_edges": proj.edge_count + sum(map(len, proj.customers.values())), "nodes": len(proj.nodes),
               "triples": len(lines), "store_load_s": round(load_s, 2),
               "projection_build_s": round(build_s, 2), "of_which_facts_read_s": round(read_s, 2),
               "first_build_with_fold_s": round(builds[0][1], 2), "all_builds_s": [round(b[1], 2) for b in builds],
               "build_without_log_s": round(rebuild_s, 2), "of_which_store_reads_s": round(reread_s, 2),
               "first_load_s": round(first_ms / 1000, 2), "cache_load_s": round(cache_ms / 1000, 3),
               "verdict_ms": summary(v_ms), "answer_ms": summary(a_ms),
               "baseline_nx_has_path_ms": summary(h_ms), "baseline_all_simple_paths_ms": summary(p_ms),
               "baseline_sparql_property_path_ms": summary(s_ms), "baseline_nx_graph_build_s": round(nx_ms / 1000, 2),
               "verdicts": verdicts}
        out["ratios"] = ratios(out)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ratios(r: dict) -> dict:
    """Ours divided by each baseline (below 1: faster), p50 and p95."""
    out = {}
    for ours, base in (("verdict_ms", "baseline_nx_has_path_ms"), ("verdict_ms", "baseline_sparql_property_path_ms"),
                       ("answer_ms", "baseline_all_simple_paths_ms"), ("answer_ms", "baseline_nx_has_path_ms")):
        if isinstance(r[base], dict):
            out[f"{ours[:-3]}/{base[9:-3]}"] = {q: round(r[ours][q] / max(r[base][q], 1e-3), 3)
                                               for q in ("p50", "p95")}
    out["cache_load/nx_graph_build"] = round(r["cache_load_s"] / max(r["baseline_nx_graph_build_s"], 1e-3), 3)
    return out


def scaling(results: list) -> list[str]:
    """How each figure grows from one size to the next."""
    lines = []
    for (s1, r1), (s2, r2) in zip(results, results[1:]):
        def grow(key, q=None):
            a, b = (r[key][q] if q else r[key] for r in (r1, r2))
            return f"x{b / a:.1f}" if a else "n/a"

        lines.append(f"{s1:,} -> {s2:,} edges (x{s2 / s1:.0f}): build {grow('projection_build_s')}, "
                     f"cache load {grow('cache_load_s')}, verdict p50 {grow('verdict_ms', 'p50')} "
                     f"p95 {grow('verdict_ms', 'p95')}, answer p50 {grow('answer_ms', 'p50')} "
                     f"p95 {grow('answer_ms', 'p95')}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1, help="cold builds per size (the fastest is reported)")
    parser.add_argument("--graphs", type=int, default=100, help="named graphs (writes) the data is split into")
    args = parser.parse_args()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        result = bench(size, args.queries, args.repeat, args.graphs)
        results.append((size, result))
        print(json.dumps({"size": size, **result}), flush=True)
    for line in scaling(results):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
