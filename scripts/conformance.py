"""Run the W3C SPARQL 1.1 Protocol test manifest against ``aikg serve`` (or Oxigraph's server) on loopback.

    python scripts/conformance.py PATH_TO_RDF_TESTS                    # aikg serve
    python scripts/conformance.py PATH_TO_RDF_TESTS --server oxigraph  # oxigraph serve, for comparison

PATH_TO_RDF_TESTS is a checkout of https://github.com/w3c/rdf-tests (the
manifest is read from ``sparql/sparql11/protocol/``; nothing is vendored).
Each test gets a fresh store holding the test's ``ut:graphData`` as named
graphs and a fresh server: read-only for query tests, ``--allow-update``
for tests that send updates (Oxigraph's ``serve`` always accepts updates).
Requests go to the test's own path (``/sparql/...``) on aikg; on Oxigraph
to ``/query`` or ``/update``. Prints one line per test and the totals.
"""
import argparse
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path
from xml.etree import ElementTree

from rdflib import RDF, Graph, Namespace
from rdflib.collection import Collection

from bench_sparql import free_port, wait_http  # the same start-up helpers as the benchmark

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml", "application/json",
                "application/xml"},
    "tabular": {"application/sparql-results+json", "application/sparql-results+xml", "application/json",
                "application/xml", "text/csv", "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "text/plain", "application/xhtml+xml"},
}


def load_tests(root: Path) -> list[dict]:
    folder = root / "sparql" / "sparql11" / "protocol"
    manifest = Graph().parse(folder / "manifest.ttl", format="turtle", publicID=folder.as_uri() + "/manifest.ttl")
    top = next(manifest.subjects(RDF.type, MF.Manifest))
    tests = []
    for test in Collection(manifest, manifest.value(top, MF.entries)):
        action = manifest.value(test, MF.action)
        data = [(str(manifest.value(d, RDFS.label)), Path(urllib.parse.urlparse(str(manifest.value(d, UT.graph))).path))
                for d in manifest.objects(test, UT.graphData)]
        requests = []
        for req in Collection(manifest, manifest.value(action, HT.requests)):
            body = manifest.value(req, HT.body)
            headers = {}
            hl = manifest.value(req, HT.headers)
            for h in Collection(manifest, hl) if hl is not None else []:
                headers[str(manifest.value(h, HT.fieldName))] = str(manifest.value(h, HT.fieldValue))
            resp = manifest.value(req, HT.resp)
            requests.append({
                "method": str(manifest.value(req, HT.methodName)),
                "path": str(manifest.value(req, HT.absolutePath)),
                "body": None if body is None else str(manifest.value(body, CNT.chars)).encode("utf-8")
                if manifest.value(body, CNT.characterEncoding) is None
                or str(manifest.value(body, CNT.characterEncoding)).upper() == "UTF-8"
                else str(manifest.value(body, CNT.chars)).encode("latin-1"),
                "headers": headers,
                "status": {str(s).rsplit("#", 1)[-1][len("StatusCode"):]
                           for s in manifest.objects(resp, MF.expectedStatus)},
                "format": None if manifest.value(resp, MF.expectedFormat) is None
                else str(manifest.value(resp, MF.expectedFormat)),
                "boolean": None if manifest.value(resp, MF.expectedBoolean) is None
                else manifest.value(resp, MF.expectedBoolean).toPython(),
            })
        tests.append({"name": str(test).rsplit("#", 1)[-1], "title": str(manifest.value(test, MF.name)),
                      "data": data, "requests": requests})
    return tests


def is_update(req: dict) -> bool:
    ctype = req["headers"].get("content-type", "")
    body = req["body"] or b""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(req["path"]).query)
    return ctype.startswith("application/sparql-update") or body.startswith(b"update=") or "update" in query


def start_aikg(folder: Path, data, update: bool, port: int) -> subprocess.Popen:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from aikg.facts.bootstrap import init_store
    from aikg.store.embedded import EmbeddedStore

    store = folder / "store"
    init_store(str(store), empty=True)
    with EmbeddedStore(store, write=True) as s:
        s.replace_graphs({name: file.read_text(encoding="utf-8") for name, file in data})
    cmd = [sys.executable, "-m", "aikg", "--store", str(store), "serve", "--port", str(port), "--workers", "1"]
    return subprocess.Popen(cmd + (["--allow-update"] if update else []), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def start_oxigraph(folder: Path, data, update: bool, port: int) -> subprocess.Popen:
    location = folder / "oxigraph"
    for name, file in data:
        subprocess.run(["oxigraph", "load", "--location", str(location), "--file", str(file), "--graph", name],
                       check=True, capture_output=True)
    return subprocess.Popen(["oxigraph", "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def target_path(path: str, req: dict, server: str) -> str:
    if server == "aikg":
        return path
    rest = path[len("/sparql/"):] if path.startswith("/sparql/") else path.lstrip("/")
    return ("/update" if is_update(req) else "/query") + rest


def check(req: dict, status: int, ctype: str, body: bytes) -> str | None:
    """None when the answer meets the expectation, else why not."""
    klass = f"{status // 100}xx"
    if klass not in req["status"]:
        return f"HTTP {status}, expected {'/'.join(sorted(req['status']))}: {body[:120]!r}"
    if req["format"] and ctype not in FORMATS[req["format"]]:
        return f"content type {ctype!r} is not {req['format']}"
    if req["boolean"] is not None:
        try:
            if "json" in ctype:
                value = json.loads(body)["boolean"]
            else:
                node = ElementTree.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
                value = node.text.strip() == "true"
        except (ValueError, KeyError, AttributeError, ElementTree.ParseError) as e:
            return f"unreadable boolean answer: {e}"
        if value != req["boolean"]:
            return f"answered {value}, expected {req['boolean']}"
    return None


def run_test(test: dict, server: str, allow_update: bool) -> str | None:
    update = any(is_update(r) for r in test["requests"]) and allow_update
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="aikg-conformance-"))
    proc = None
    try:
        proc = (start_aikg if server == "aikg" else start_oxigraph)(folder, test["data"], update, port)
        wait_http(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", proc, 60)
        for req in test["requests"]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = dict(req["headers"])
            conn.request(req["method"], target_path(req["path"], req, server), body=req["body"], headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            ctype = (resp.getheader("Content-Type") or "").split(";")[0].strip().lower()
            problem = check(req, resp.status, ctype, body)
            if problem:
                return problem
        return None
    except (OSError, RuntimeError, subprocess.CalledProcessError, http.client.HTTPException) as e:
        return f"error: {e}"
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rdf_tests", type=Path, help="a checkout of github.com/w3c/rdf-tests")
    parser.add_argument("--server", choices=["aikg", "oxigraph"], default="aikg")
    parser.add_argument("--read-only", action="store_true", help="aikg: never --allow-update (update tests then fail)")
    parser.add_argument("--only", metavar="NAME", action="append", help="run only these tests")
    args = parser.parse_args()
    tests = load_tests(args.rdf_tests)
    if args.only:
        tests = [t for t in tests if t["name"] in args.only]
    passed = {"query": 0, "update": 0}
    totals = {"query": 0, "update": 0}
    for test in tests:
        kind = "update" if test["name"].startswith(("update_", "bad_update")) else "query"
        problem = run_test(test, args.server, allow_update=not args.read_only)
        totals[kind] += 1
        passed[kind] += problem is None
        print(f"{'pass' if problem is None else 'FAIL'}  {test['name']:<40} {problem or ''}", flush=True)
    print(f"{args.server}: query tests {passed['query']}/{totals['query']}, update tests "
          f"{passed['update']}/{totals['update']}, all {sum(passed.values())}/{sum(totals.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
