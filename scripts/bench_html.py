"""Time `aikg export --format html` and the page settling in headless Chromium, beside pyvis defaults.

For each size a synthetic industry graph (companies, models, services, chips,
jurisdictions, restrictions, one sourced statement per fact) is written to a
fresh store. Then, on the same nodes and edges:

  aikg     graph_page(): precomputed seeded layout, physics off, inline JS
  pyvis    pyvis defaults (physics on, smooth edges, stabilization 1000
           iterations), with cdn_resources="in_line" so it can load offline

"export" is the Python side (aikg: query + layout + page; pyvis: building the
Network + generate_html). "settle" is from navigation until the graph holds
still: aikg's first drawing (nothing moves after it); pyvis's "stabilized"
event (its loading bar goes at "stabilizationIterationsDone", shown too).

    python scripts/bench_html.py                      # 100, 500, 2000 nodes
    python scripts/bench_html.py --sizes 100,500 --pyvis-timeout 120
    python scripts/bench_html.py --no-pyvis --sizes 2000,5000
"""
import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal

from aikg.facts.bootstrap import init_store
from aikg.namespace import AIKG, DOC, ENT, GRAPH, PROV
from aikg.store.embedded import EmbeddedStore
from aikg.views.viz import graph_page

from screenshot import ARGS, CHROMIUM  # scripts/ is on the path when run as a script

MIX = [("Company", 0.22), ("AIModel", 0.2), ("Service", 0.2), ("Chip", 0.1), ("CustomerSegment", 0.06),
       ("Regulator", 0.04), ("Jurisdiction", 0.06), ("Restriction", 0.12)]
# pyvis's template declares `var network;` then assigns it: a setter on window sees the Network appear.
PYVIS_HOOK = """
Object.defineProperty(window, 'network', {configurable: true, get() { return this.__net; }, set(v) {
  this.__net = v;
  if (v && v.once) {
    v.once('stabilizationIterationsDone', () => { window.__iterationsDone = true; });
    v.once('stabilized', () => { window.__stabilized = true; });
  }
}});
"""


def synthetic(n: int, seed: int = 1) -> Graph:
    """About ``n`` entities with ~2.5 facts each, hubs included, every fact with a sourced statement."""
    rnd = random.Random(seed)
    by_class: dict[str, list] = {}
    g = Graph()
    for i in range(n):
        cls = rnd.choices([c for c, _ in MIX], weights=[w for _, w in MIX])[0]
        e = ENT[f"{cls.lower()}-{i}"]
        g.add((e, RDF.type, AIKG[cls]))
        g.add((e, RDFS.label, Literal(f"{cls} {i}")))
        by_class.setdefault(cls, []).append(e)
    for cls in ("Company", "Jurisdiction", "AIModel", "Service", "Chip", "Regulator"):
        by_class.setdefault(cls, [ENT[f"{cls.lower()}-extra"]])
        for e in by_class[cls]:
            g.add((e, RDF.type, AIKG[cls]))
            g.add((e, RDFS.label, Literal(str(e).rsplit("/", 1)[-1])))
    degree: dict = {}

    def pick(cls):  # preferential attachment: popular entities gather more facts
        pool = by_class[cls]
        return rnd.choices(pool, weights=[1 + degree.get(x, 0) for x in pool])[0]

    doc = DOC["bench"]
    g.add((doc, RDF.type, AIKG.Document))
    g.add((doc, RDFS.label, Literal("Synthetic benchmark document")))
    facts = []
    plan = {"Company": [("basedIn", "Jurisdiction"), ("investedIn", "Company")],
            "AIModel": [("developedBy", "Company"), ("usesChip", "Chip")],
            "Service": [("offeredBy", "Company"), ("providesAccessTo", "AIModel"), ("availableIn", "Jurisdiction")],
            "Chip": [("manufacturedBy", "Company"), ("developedBy", "Company")],
            "CustomerSegment": [("basedIn", "Jurisdiction"), ("customerOf", "Service")],
            "Regulator": [("basedIn", "Jurisdiction")],
            "Jurisdiction": [("partOf", "Jurisdiction")],
            "Restriction": [("restricts", "Service"), ("appliesIn", "Jurisdiction"), ("imposedBy", "Regulator")]}
    for cls, members in sorted(by_class.items()):
        for e in members:
            for prop, target_cls in plan[cls]:
                if cls == "Jurisdiction" and rnd.random() < 0.7:
                    continue
                o = pick(target_cls)
                if o != e:
                    facts.append((e, AIKG[prop], o))
                    degree[o] = degree.get(o, 0) + 1
            if cls == "Restriction":
                g.add((e, AIKG.effectiveFrom, Literal(f"20{rnd.randint(19, 24)}-0{rnd.randint(1, 9)}-01",
                                                      datatype=XSD.date)))
    for i, (s, p, o) in enumerate(facts):
        g.add((s, p, o))
        st = ENT[f"statement-{i}"]
        for t in ((st, RDF.type, AIKG.Statement), (st, RDF.subject, s), (st, RDF.predicate, p),
                  (st, RDF.object, o), (st, PROV.wasDerivedFrom, doc),
                  (st, AIKG.quote, Literal(f"A sentence saying that {s.rsplit('/', 1)[-1]} relates to "
                                           f"{o.rsplit('/', 1)[-1]}."))):
            g.add(t)
    return g


def pyvis_page(page_html: str) -> tuple[str, float]:
    """pyvis defaults on the same nodes and edges as our page, built the way pyvis's docs show."""
    import json
    import re

    from pyvis.network import Network

    data = json.loads(re.search(r"var AIKG = (\{.*?\});\n", page_html, re.S).group(1))
    start = time.perf_counter()
    net = Network(directed=True, cdn_resources="in_line")
    for n in data["nodes"]:
        net.add_node(n["id"], label=n["name"], title=n["title"], color=n["color"]["background"], shape=n["shape"])
    for e in data["edges"]:
        net.add_edge(e["from"], e["to"], label=e["label"], title=e["title"])
    html = net.generate_html()
    return html, time.perf_counter() - start


def settle(browser, path: Path, flag: str, timeout_s: float, hook: str | None = None) -> dict:
    url = path.resolve().as_uri()
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
    if hook:
        page.add_init_script(hook)
    start = time.perf_counter()
    page.goto(url, timeout=timeout_s * 1000)
    out = {"errors": errors}
    try:
        if hook:
            page.wait_for_function("window.__iterationsDone === true", timeout=timeout_s * 1000, polling=100)
            out["iterations_done"] = time.perf_counter() - start
        page.wait_for_function(flag, timeout=max(1.0, timeout_s - (time.perf_counter() - start)) * 1000,
                               polling=100)
        out["settle"] = time.perf_counter() - start
    except Exception as e:  # a timeout is a result here
        out["timeout"] = f"> {timeout_s:.0f} s ({type(e).__name__})"
    out["counts"] = page.evaluate("(window.aikgNetwork || window.network) ? "
                                  "[(window.aikgNetwork || window.network).body.data.nodes.length, "
                                  "(window.aikgNetwork || window.network).body.data.edges.length] : null")
    page.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100,500,2000")
    ap.add_argument("--pyvis-timeout", type=float, default=240.0, help="seconds to wait for pyvis to settle")
    ap.add_argument("--no-pyvis", action="store_true")
    ap.add_argument("--keep", metavar="DIR", help="keep the pages in DIR")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="aikg-bench-html-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n in [int(s) for s in args.sizes.split(",")]:
            store_dir = work / f"store-{n}"
            init_store(str(store_dir), empty=True)
            with EmbeddedStore(store_dir, write=True) as store:
                store.replace_graph(GRAPH["doc/bench"], synthetic(n))
            with EmbeddedStore(store_dir) as store:
                start = time.perf_counter()
                page = graph_page(store)
                export_s = time.perf_counter() - start
            ours = work / f"aikg-{n}.html"
            ours.write_text(page.html, encoding="utf-8")
            r = settle(browser, ours, "window.aikgSettled === true", 60)
            rows.append(("aikg", n, page.nodes, page.edges, export_s, r, len(page.html)))
            print(f"aikg  {n:>5}: {page.nodes} nodes {page.edges} edges export {export_s:.2f} s "
                  f"settle {r.get('settle', 0):.2f} s {r.get('timeout', '')} notes={list(page.notes)}",
                  file=sys.stderr, flush=True)
            if args.no_pyvis:
                continue
            html, build_s = pyvis_page(page.html)
            theirs = work / f"pyvis-{n}.html"
            theirs.write_text(html, encoding="utf-8")
            r = settle(browser, theirs, "window.__stabilized === true", args.pyvis_timeout, PYVIS_HOOK)
            rows.append(("pyvis", n, page.nodes, page.edges, build_s, r, len(html)))
            print(f"pyvis {n:>5}: export {build_s:.2f} s iterations done {r.get('iterations_done', 0):.1f} s "
                  f"settle {r.get('settle', 0):.1f} s {r.get('timeout', '')}", file=sys.stderr, flush=True)
        browser.close()
    print(f"{'page':<6} {'size':>5} {'nodes':>6} {'edges':>6} {'export s':>9} {'drawn s':>8} {'settled s':>10} "
          f"{'MB':>5}")
    for name, n, nodes, edges, export_s, r, size in rows:
        drawn = r.get("iterations_done", r.get("settle"))
        settled = f"{r['settle']:.2f}" if "settle" in r else r.get("timeout", "?")
        print(f"{name:<6} {n:>5} {nodes:>6} {edges:>6} {export_s:>9.2f} "
              f"{(f'{drawn:.2f}' if drawn is not None else '-'):>8} {settled:>10} {size / 1e6:>5.2f}")
        if r["errors"]:
            print(f"       page errors: {r['errors'][:3]}")
    print(f"pages in {work}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
