"""One query cannot eat the machine: a memory bound and a timeout, in `aikg sparql` and the server."""
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from aikg.server.endpoint import SparqlServer
from aikg.sparql.limits import OVER_MEMORY, OVER_TIME

_VALUES = " ".join(str(i) for i in range(1500))
# 1500^3 rows sorted: gigabytes if nothing stops it
CARTESIAN = f"SELECT * {{ VALUES ?a {{ {_VALUES} }} VALUES ?b {{ {_VALUES} }} VALUES ?c {{ {_VALUES} }} }} ORDER BY ?c"


def aikg(store, *args, **env):
    return subprocess.run([sys.executable, "-m", "aikg", "--store", str(store), *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env})


def test_aikg_sparql_stops_a_query_past_its_memory_bound(empty_store_path):
    run = aikg(empty_store_path, "sparql", CARTESIAN, AIKG_QUERY_MEMORY_MB="200", AIKG_QUERY_TIMEOUT="100")
    assert run.returncode == OVER_MEMORY
    assert run.stderr.strip() == "Error: query stopped: it used more than 200 MB (AIKG_QUERY_MEMORY_MB)"


def test_aikg_sparql_stops_a_query_past_its_timeout(empty_store_path):
    run = aikg(empty_store_path, "sparql", CARTESIAN, AIKG_QUERY_TIMEOUT="1", AIKG_QUERY_MEMORY_MB="100000")
    assert run.returncode == OVER_TIME
    assert run.stderr.strip() == "Error: query stopped: it ran longer than the timeout of 1s"


@pytest.mark.parametrize("value", ["abc", "-3", "0"])
def test_a_bad_bound_is_one_line(empty_store_path, value):
    run = aikg(empty_store_path, "sparql", "ASK {}", AIKG_QUERY_TIMEOUT=value)
    assert run.returncode == 1 and run.stderr.strip().splitlines() == [
        f"Error: AIKG_QUERY_TIMEOUT={value!r} " + ("is not a number" if value == "abc" else "must be positive")]


def test_a_normal_query_is_untouched(empty_store_path):
    run = aikg(empty_store_path, "sparql", "--format", "json", "ASK { ?s ?p ?o }", AIKG_QUERY_MEMORY_MB="200")
    assert run.returncode == 0 and json.loads(run.stdout)["boolean"] is True


def test_the_server_answers_an_error_and_stays_up(empty_store_path):
    with SparqlServer(empty_store_path, port=0, timeout=60, workers=1, memory=200 << 20) as srv:
        def ask(query):
            data = urllib.parse.urlencode({"query": query}).encode()
            try:
                with urllib.request.urlopen(urllib.request.Request(srv.url + "query", data=data), timeout=90) as r:
                    return r.status, r.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()

        status, body = ask(CARTESIAN)
        assert status == 503 and b"used more than 200 MB" in body
        status, body = ask("ASK { ?s ?p ?o }")
        assert status == 200 and json.loads(body)["boolean"] is True
