#!/usr/bin/env python3
"""Benchmark the front door's pages (``aikg serve``) on the synthetic graphs of bench_reach.py.

For each size: write the synthetic store (bench_reach's generator and write
path), start the server with one worker, load one answer page to build the
projection, then request answer pages for random (actor, target, date)
questions, entity pages and searches. Server time is what the server logs
for the request (from the request line read to the reply ready, the worker
round trip included); the baseline is :func:`aikg.reach.answers.answer` called in
this process on the same projection, so the ratio is what rendering the
page, fetching document links and the worker hop add.

Usage: python scripts/bench_pages.py [--sizes 100000,1000000] [--pages 50] [--keep DIR]
"""
import argparse
import json
import logging
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from aikg.reach.answers import answer  # noqa: E402
from aikg.reach.projection import load_projection  # noqa: E402
from aikg.server.endpoint import SparqlServer  # noqa: E402
from aikg.store.embedded import EmbeddedStore  # noqa: E402

from bench_reach import generate, make_store  # noqa: E402

TIMEOUT = 60  # the server's: a page that takes longer is stopped (503) and counted as such
ENTITY_PAGES = 10  # the most popular synthetic entities have tens of thousands of facts


class _Times(logging.Handler):
    """Collects the server's per-request times from its log lines."""

    def __init__(self):
        super().__init__()
        self.ms = []

    def emit(self, record):
        found = re.search(r" ([\d.]+) ms ", record.getMessage())
        if found:
            self.ms.append(float(found.group(1)))


def _summary(ms: list) -> dict:
    ms = sorted(ms)
    if not ms:
        return {}
    return {"n": len(ms), "p50": round(statistics.median(ms), 1), "p95": round(ms[int(0.95 * (len(ms) - 1))], 1),
            "max": round(ms[-1], 1)}


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT + 30) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code


def bench(size: int, n_pages: int, keep: Path | None) -> dict:
    lines, questions = generate(size)
    questions = questions[:n_pages]
    folder = keep / f"store-{size}" if keep else Path(tempfile.mkdtemp(prefix="bench-pages-")) / "store"
    try:
        t = time.perf_counter()
        if not folder.exists():
            make_store(folder, lines, 100)
        load_s = time.perf_counter() - t
        with EmbeddedStore(folder) as store:
            t = time.perf_counter()
            proj = load_projection(store)
            build_s = time.perf_counter() - t
            base = []
            for who, what, at in questions:
                t = time.perf_counter()
                answer(proj, who, what, at, k=8)
                base.append((time.perf_counter() - t) * 1000)
            edges = proj.edge_count + sum(map(len, proj.customers.values()))
        times = _Times()
        log = logging.getLogger("aikg.server")
        log.addHandler(times)
        log.setLevel(logging.INFO)
        with SparqlServer(folder, port=0, workers=1, timeout=TIMEOUT) as srv:
            ask = lambda who, what, at: srv.url + "ask?" + urllib.parse.urlencode(  # noqa: E731
                {"from": who, "to": what, "at": at})
            t = time.perf_counter()
            _get(ask(*questions[0]))  # the worker loads the projection
            first_s = time.perf_counter() - t
            times.ms.clear()
            statuses, walls = {}, []
            for who, what, at in questions:
                t = time.perf_counter()
                s = _get(ask(who, what, at))
                walls.append((time.perf_counter() - t) * 1000)
                statuses[s] = statuses.get(s, 0) + 1
            pages = list(times.ms)
            print(json.dumps({"size": size, "answer_page_server_ms": _summary(pages),
                              "baseline_answer_ms": _summary(base), "statuses": statuses}), flush=True)
            times.ms.clear()
            entity_statuses = {}
            for who, what, _ in questions[:ENTITY_PAGES]:
                s = _get(srv.url + "entity?" + urllib.parse.urlencode({"name": what}))
                entity_statuses[s] = entity_statuses.get(s, 0) + 1
            entity = list(times.ms)
            times.ms.clear()
            for who, what, _ in questions[:20]:
                _get(srv.url + "search?" + urllib.parse.urlencode({"q": what[:-1] + "x"}))
            search = list(times.ms)
        log.removeHandler(times)
        out = {"access_edges": edges, "triples": len(lines), "store_load_s": round(load_s, 1),
               "projection_build_s": round(build_s, 2), "first_page_s": round(first_s, 2),
               "answer_page_server_ms": _summary(pages), "answer_page_wall_ms": _summary(walls),
               "baseline_answer_ms": _summary(base), "entity_page_server_ms": _summary(entity),
               "search_page_server_ms": _summary(search), "statuses": statuses,
               "entity_statuses": entity_statuses}
        if base and pages:
            out["ratio_page_to_answer_p50"] = round(statistics.median(pages) / max(statistics.median(base), 0.01), 2)
        return out
    finally:
        if not keep:
            shutil.rmtree(folder.parent, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the stores in this folder")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        print(json.dumps({"size": size, **bench(size, args.pages, args.keep)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
