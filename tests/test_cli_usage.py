"""The command line as people use it (issue 10, section 4): each way people tripped over it, as a test."""
import json
import os
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from aikg.cli import main
from aikg.store.embedded import EmbeddedStore

DATA = Path(__file__).parent / "data" / "ingest"


def invoke(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def one_line_error(res, code=1) -> str:
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1, res.output
    return lines[0]


# -- ingest -------------------------------------------------------------------------------------------------

def test_ingesting_a_missing_path_is_an_error_naming_it(cli, tmp_path):
    missing = tmp_path / "articles"
    line = one_line_error(cli("ingest", missing))
    assert str(missing) in line and "no such file or folder" in line


# -- which store ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [("show", "OpenAI"), ("stats",), ("path", "China", "GPT-4o"), ("ingest",)])
def test_a_mistyped_store_is_not_created(tmp_path, command):
    typo = tmp_path / "stroe"
    args = [*command, DATA / "restriction.txt"] if command == ("ingest",) else command
    line = one_line_error(invoke("--store", typo, *args))
    assert f"aikg --store {typo} init" in line
    assert not typo.exists()


def test_only_the_default_store_is_created_on_first_use(tmp_path, monkeypatch):
    monkeypatch.delenv("AIKG_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    res = invoke("stats", "--json")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "data" / "aikg" / "store" / "aikg-store.json").exists()
    assert json.loads(res.output)["triples"] > 0


def test_init_creates_any_store_it_is_pointed_at(tmp_path):
    assert invoke("--store", tmp_path / "new", "init", "--empty").exit_code == 0
    assert invoke("--store", tmp_path / "new", "stats").exit_code == 0


@pytest.mark.parametrize("url", ["ftp://x/y", "file:///tmp/store", "gopher://host/store"])
def test_unsupported_url_schemes_are_refused(tmp_path, monkeypatch, url):
    monkeypatch.chdir(tmp_path)
    line = one_line_error(invoke("--store", url, "stats"))
    assert url in line
    assert list(tmp_path.iterdir()) == []  # no ./ftp:/x/y


def test_store_is_accepted_after_the_command(cli, tmp_path):
    before = invoke("--store", cli.store_path, "show", "OpenAI")
    after = invoke("show", "OpenAI", "--store", cli.store_path)
    joined = invoke("show", "OpenAI", f"--store={cli.store_path}")
    assert before.exit_code == after.exit_code == joined.exit_code == 0
    assert before.output == after.output == joined.output


# -- environment ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, args", [
    ("AIKG_LOCK_TIMEOUT", ("stats",)),
    ("AIKG_MAX_DOCUMENT_BYTES", ("ingest", DATA / "restriction.txt")),
    ("AIKG_HTTP_TIMEOUT", ("--store", "http://127.0.0.1:9/sparql", "stats")),
])
@pytest.mark.parametrize("value", ["abc", "-5", "nan"])
def test_bad_numeric_environment_variables_give_one_line(cli, name, args, value):
    if args[0] != "--store":
        args = ("--store", cli.store_path, *args)
    line = one_line_error(invoke(*args, env={name: value}))
    assert name in line and repr(value) in line


# -- path -----------------------------------------------------------------------------------------------------

FROM, TO = "Chinese enterprise customers", "GPT-4o"


def test_between_refuses_html_and_at_instead_of_ignoring_them(cli, tmp_path):
    page = tmp_path / "answer.html"
    res = cli("path", FROM, TO, "--between", "2024-07-01", "2024-08-01", "--html", page)
    assert res.exit_code == 2 and "--html" in res.output and not page.exists()
    res = cli("path", FROM, TO, "--between", "2024-07-01", "2024-08-01", "--at", "2024-08-01")
    assert res.exit_code == 2 and "--at" in res.output


@pytest.mark.parametrize("at", ["", "today", "2024-13-01"])
def test_a_bad_date_is_a_usage_error(cli, at):
    res = cli("path", FROM, TO, "--at", at)
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output


@pytest.mark.parametrize("without", ["GPT-4o", "gpt-4o"])
def test_without_the_target_itself_is_refused(cli, without):
    res = cli("path", "Microsoft", TO, "--at", "2024-08-01", "--without", without)
    assert res.exit_code == 2 and "--without" in res.output


def test_without_something_between_still_answers(cli):
    res = cli("path", FROM, TO, "--at", "2024-08-01", "--without", "Azure OpenAI Service")
    assert res.exit_code == 0 and "What if without Azure OpenAI Service" in res.output


def test_path_says_how_many_open_routes_it_does_not_show(cli):
    few = cli("path", FROM, TO, "--at", "2024-08-01", "--routes", "1")
    data = json.loads(cli("path", FROM, TO, "--at", "2024-08-01", "--routes", "1", "--json").output)
    hidden = data["more_routes"]
    assert hidden >= 1 and f"{hidden} more open route" in few.output and f"(--routes {1 + hidden})" in few.output
    everything = json.loads(cli("path", FROM, TO, "--at", "2024-08-01", "--routes", str(1 + hidden),
                                "--json").output)
    assert len(everything["routes"]) == 1 + hidden


# -- names ----------------------------------------------------------------------------------------------------

def test_names_differing_by_punctuation_are_different(cli):
    plus = cli("show", "Command R+", "--json")
    plain = cli("show", "Command R", "--json")
    assert json.loads(plus.output)["label"] == "Command R Plus"
    assert json.loads(plain.output)["label"] == "Command R"
    service = json.loads(cli("show", "perplexity.ai", "--json").output)
    assert "Service" in " ".join(service["types"]) or "service" in " ".join(service["types"]).lower()
    company = json.loads(cli("show", "Perplexity AI", "--json").output)
    assert company["id"] != service["id"]


# -- show -----------------------------------------------------------------------------------------------------

def test_show_prints_the_date_of_each_source(cli):
    assert cli("ingest", DATA / "restriction.txt").exit_code == 0
    res = cli("show", "Azure OpenAI Service")
    line = next(line for line in res.output.splitlines() if "Provider limits access in China" in line)
    assert "published 2022-03-02" in line


# -- forget ---------------------------------------------------------------------------------------------------

def doc_ids(cli, name) -> dict:
    data = json.loads(cli("sources", name, "--json").output)
    return {d["title"]: d["id"] for d in data["documents"]}


@pytest.mark.parametrize("how", ["path", "id", "graph"])
def test_forget_removes_a_document_and_its_facts(cli, how):
    ingested = json.loads(cli("ingest", DATA / "restriction.txt", "--json").output)["documents"][0]
    title = "Provider limits access in China"
    doc_id = doc_ids(cli, "Azure OpenAI Service")[title]
    assert doc_id == ingested["id"]  # ingest and sources name a document the same way
    with EmbeddedStore(cli.store_path) as store:
        graphs = [str(g) for g in store.graph_names()]
        (graph,) = [g for g in graphs if "/graph/doc/" in g]
    ref = {"path": DATA / "restriction.txt", "id": doc_id, "graph": graph}[how]
    res = cli("forget", ref)
    assert res.exit_code == 0 and title in res.output
    assert title not in doc_ids(cli, "Azure OpenAI Service")
    with EmbeddedStore(cli.store_path) as store:
        assert graph not in [str(g) for g in store.graph_names()]
    # the graph's answer follows: the restriction the document stated is gone
    assert "Provider limits" not in cli("path", "Chinese developers", "OpenAI API", "--at", "2024-08-01").output


def test_forget_by_url_and_unknown_documents(cli, tmp_path):
    doc = tmp_path / "note.md"
    doc.write_text("---\ntitle: A note of ours\nurl: https://example.org/our-note\npublished: 2024-05-01\n---\n"
                   "Microsoft invested in OpenAI.\n")
    assert cli("ingest", doc).exit_code == 0
    with EmbeddedStore(cli.store_path) as store:
        before = store.revision()
    line = one_line_error(cli("forget", "https://example.org/our-note", tmp_path / "never-ingested.txt"))
    assert "never-ingested.txt" in line
    with EmbeddedStore(cli.store_path) as store:
        assert store.revision() == before  # all or nothing
    res = cli("forget", "https://example.org/our-note")
    assert res.exit_code == 0 and "A note of ours" in res.output
    one_line_error(cli("forget", "https://example.org/our-note"))  # gone: now unknown


def test_curated_sources_cannot_be_forgotten(cli):
    with EmbeddedStore(cli.store_path) as store:
        before = store.revision()
        curated = store.select_values("SELECT ?d WHERE { ?d a aikg:Document } LIMIT 1")[0][0]
    one_line_error(cli("forget", curated))
    with EmbeddedStore(cli.store_path) as store:
        assert store.revision() == before


# -- errors and waiting -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [("export", "--format", "nt", "-o", "{file}/out.nt"), ("sparql", "@{file}/q.rq"),
                                  ("show", "OpenAI")])
def test_os_errors_are_sentences_without_class_names(cli, tmp_path, args):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = blocker if args[0] == "show" else cli.store_path  # a file where the store folder should be
    line = one_line_error(invoke("--store", store, *(a.format(file=blocker) for a in args)))
    assert "Not a directory" in line and str(blocker) in line
    assert "Error" not in line.replace("Error:", "", 1) and "Errno" not in line


def test_store_given_after_the_command_without_a_value_is_a_usage_error(cli):
    res = cli("show", "OpenAI", "--store")
    assert res.exit_code == 2 and "--store" in res.output and "Did you mean" not in res.output


def test_a_waiting_writer_says_who_holds_the_store(cli):
    with EmbeddedStore(cli.store_path, write=True):  # this process holds the write lock
        res = invoke("--store", cli.store_path, "ingest", DATA / "restriction.txt",
                     env={"AIKG_LOCK_TIMEOUT": "1.5"})
    assert res.exit_code == 1
    assert f"waiting for the store (held by process {os.getpid()}" in res.output
    assert "store is busy" in res.output


# -- read-only ------------------------------------------------------------------------------------------------

@pytest.fixture
def read_only(tmp_path, reference_store_path):
    """A store folder without write access: a read-only bind mount as root, else a folder without w bits."""
    import shutil

    path = tmp_path / "ro"
    shutil.copytree(reference_store_path, path, ignore=shutil.ignore_patterns("aikg.lock", "cache"))
    with EmbeddedStore(path) as s:  # a cache, as a store people share would have
        from aikg.reach.projection import load_projection
        load_projection(s)
    if os.geteuid() != 0:
        for p in [path, *path.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)
        yield path
        for p in [path, *path.rglob("*")]:
            p.chmod(p.stat().st_mode | 0o200)
        return
    mounted = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True).returncode == 0 and \
        subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], capture_output=True).returncode == 0
    if not mounted:
        subprocess.run(["umount", str(path)], capture_output=True)
        pytest.skip("cannot make a read-only mount here (root without mount rights)")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def test_a_store_without_write_access_can_be_read(read_only):
    with pytest.raises(OSError):
        (read_only / "probe").write_text("x")
    for args in (("show", "OpenAI"), ("stats",), ("path", FROM, TO, "--at", "2024-08-01")):
        res = invoke("--store", read_only, *args)
        assert res.exit_code == 0, res.output
    assert "REACHABLE" in res.output


# -- the SPARQL server ----------------------------------------------------------------------------------------

def test_drop_of_a_missing_graph_is_a_client_error_and_the_worker_lives(store_path):
    from aikg.server.endpoint import SparqlServer

    def post(srv, text):
        req = urllib.request.Request(srv.url + "update", data=text.encode(), method="POST",
                                     headers={"Content-Type": "application/sparql-update"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    with SparqlServer(store_path, port=0, allow_update=True) as srv:
        status, body = post(srv, "DROP GRAPH <https://example.org/never-there>")
        assert 400 <= status < 500 and "does not exist" in body
        assert post(srv, "DROP SILENT GRAPH <https://example.org/never-there>")[0] == 204
        assert post(srv, "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> "
                         "<https://example.org/b> 1 } }")[0] == 204  # the same worker still answers


def test_python_finds_its_own_oxigraph_binary():
    """The server tests run on any install of the test extra: the binary sits beside this Python."""
    from test_remote import OXIGRAPH

    assert OXIGRAPH is not None and Path(OXIGRAPH).exists()


def test_forgetting_one_of_two_paths_keeps_the_document_for_the_other(cli, tmp_path):
    text = "Twins\n\nMicrosoft invested in OpenAI.\n"
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(text)
    second.write_text(text)
    assert cli("ingest", first, second).exit_code == 0
    res = cli("forget", first, "--json")
    (removed,) = json.loads(res.output)["removed"]
    assert removed["kept_for"] == [str(second.resolve())]
    with EmbeddedStore(cli.store_path) as store:
        paths = {str(p) for (p,) in store.select_values(
            "SELECT ?p WHERE { GRAPH ?g { ?d a aikg:Document ; aikg:path ?p } }")}
    assert paths == {str(second.resolve())}
    assert "Twins" in doc_ids(cli, "OpenAI")
    res = cli("forget", second)  # its last path: now the document goes
    assert res.exit_code == 0 and "forgot Twins" in res.output
    assert "Twins" not in doc_ids(cli, "OpenAI")
