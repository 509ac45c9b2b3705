"""The core commands through CliRunner: init, sparql, show, stats, export, validate, and bad input."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDFS, SKOS, XSD

from aikg.cli import COMMANDS, load_all, main
from aikg.errors import QueryError
from aikg.facts.reference import provenance
from aikg.namespace import AIKG, ENT, GRAPH, META_GRAPH, ONTOLOGY_GRAPH
from aikg.store.embedded import MARKER, EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"


def invoke(store_path, *args, input=None, env=None):
    return CliRunner().invoke(main, ["--store", str(store_path), *map(str, args)], input=input, env=env,
                              catch_exceptions=False)


def one_line_error(result) -> str:
    """The output of a failed command: exactly one line, 'Error: ...', no traceback."""
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def snapshot(path: Path) -> dict:
    """Every file's bytes under ``path`` (to show a folder was left alone)."""
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


# --- a small store with varied terms, for exports and round trips ------------------------

DOC_A, DOC_B = GRAPH["doc/a"], GRAPH["doc/b"]


@pytest.fixture
def small_store(empty_store_path):
    a, b = Graph(), Graph()
    lab, model, cn = ENT["test-lab"], ENT["test-model"], ENT["test-land"]
    a.add((lab, RDFS.label, Literal("Test Lab")))
    a.add((lab, SKOS.altLabel, Literal("Laboratoire d'essai", lang="fr")))
    a.add((model, RDFS.label, Literal("Test Model \"quoted\"\nsecond line")))
    a.add((model, AIKG.developedBy, lab))
    for t in provenance(DOC_A, model, AIKG.developedBy, lab, URIRef("https://example.org/a"), confidence=0.75,
                        extractor="test", quote="The lab built the model."):
        a.add(t)
    b.add((cn, RDFS.label, Literal("Test Land")))
    b.add((ENT["test-rule"], AIKG.effectiveFrom, Literal("2024-07-09", datatype=XSD.date)))
    b.add((ENT["test-rule"], URIRef("https://example.org/weight"), Literal("2.5", datatype=XSD.decimal)))
    with EmbeddedStore(empty_store_path, write=True) as s:
        s.replace_graphs({DOC_A: a, DOC_B: b})
    return empty_store_path


def store_quads(path):
    with EmbeddedStore(path) as s:
        return {g: s.graph(g) for g in s.graph_names()}


def assert_isomorphic(expected: Graph, got: Graph, what: str):
    if isomorphic(expected, got):
        return
    _both, only_expected, only_got = graph_diff(to_isomorphic(expected), to_isomorphic(got))
    show = lambda g: "\n".join(sorted(g.serialize(format="nt").splitlines())[:15])  # noqa: E731
    pytest.fail(f"{what} differs from the store.\nonly in the store:\n{show(only_expected)}\n"
                f"only in the export:\n{show(only_got)}")


# --- init ----------------------------------------------------------------------------------


def test_init_creates_store_with_reference_data(tmp_path):
    res = invoke(tmp_path / "new", "init")
    assert res.exit_code == 0, res.output
    m = re.fullmatch(r"initialised (.+): (\d+) triples\n", res.output)
    assert m and m.group(1) == str(tmp_path / "new") and int(m.group(2)) > 5000
    assert (tmp_path / "new" / MARKER).exists()
    assert invoke(tmp_path / "new", "show", "GPT-4o").exit_code == 0


def test_init_empty_has_ontology_only(tmp_path):
    res = invoke(tmp_path / "new", "init", "--empty")
    assert res.exit_code == 0, res.output
    with EmbeddedStore(tmp_path / "new") as s:
        assert s.graph_names() == [ONTOLOGY_GRAPH]
        n = s.count()
    assert res.output == f"initialised {tmp_path / 'new'}: {n} triples\n"
    one_line_error(invoke(tmp_path / "new", "show", "GPT-4o"))


def test_init_again_keeps_document_graphs(small_store):
    before = store_quads(small_store)
    assert invoke(small_store, "init", "--empty").exit_code == 0
    after = store_quads(small_store)
    assert after.keys() == before.keys()
    assert isomorphic(after[DOC_A], before[DOC_A])


@pytest.fixture
def broken_ontology_dir(tmp_path):
    folder = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, folder)
    (folder / "reference").mkdir(exist_ok=True)
    (folder / "reference" / "zz_broken.ttl").write_text(
        "@prefix ent: <https://w3id.org/aikg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'ent:fine rdfs:label "Fine" .\n'
        'ent:bad rdfs:label "Bad" ;\n'
        "    rdfs:label oops here .\n", encoding="utf-8")
    return folder


def test_malformed_reference_file_fails_init_with_file_and_line(store_path, broken_ontology_dir):
    with EmbeddedStore(store_path) as s:
        rev, count = s.revision(), s.count()
    before = snapshot(store_path)
    res = invoke(store_path, "init", env={"AIKG_ONTOLOGY_DIR": str(broken_ontology_dir)})
    line = one_line_error(res)
    assert "zz_broken.ttl" in line and "line 5" in line
    with EmbeddedStore(store_path) as s:
        assert (s.revision(), s.count()) == (rev, count)
    assert {k for k in snapshot(store_path) if not k.startswith("oxigraph/")} == \
        {k for k in before if not k.startswith("oxigraph/")}


def test_malformed_ontology_fails_init(tmp_path, broken_ontology_dir):
    (broken_ontology_dir / "reference" / "zz_broken.ttl").unlink()
    with open(broken_ontology_dir / "aikg.ttl", "a", encoding="utf-8") as f:
        f.write("\naikg:oops a .\n")
    line = one_line_error(invoke(tmp_path / "new", "init", env={"AIKG_ONTOLOGY_DIR": str(broken_ontology_dir)}))
    assert "aikg.ttl" in line and "line" in line
    assert not (tmp_path / "new").exists()


def test_store_under_a_file_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    line = one_line_error(invoke(blocker / "store", "init"))
    assert "cannot create store" in line and str(blocker) in line
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_unwritable_folder_is_a_clear_error(tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        line = one_line_error(invoke(parent / "store", "init", "--empty"))
        assert "cannot create store" in line
    finally:
        parent.chmod(0o700)


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs")
def test_a_folder_nobody_may_write_is_a_clear_error_even_for_root():
    """sysfs refuses new folders to everyone, root included (CI runs as root)."""
    line = one_line_error(invoke("/sys/kernel/aikg-store", "init", "--empty"))
    assert "cannot create store at /sys/kernel/aikg-store" in line


@pytest.mark.parametrize("command", [("init",), ("stats",)])
def test_non_store_folder_is_never_overwritten(tmp_path, command):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.txt").write_text("precious")
    before = snapshot(folder)
    line = one_line_error(invoke(folder, *command))
    assert str(folder) in line
    assert snapshot(folder) == before


@pytest.mark.parametrize("garbage", ["{{{ not json", '{"format": 42}'])
def test_corrupt_marker_is_a_clear_error(small_store, garbage):
    (small_store / MARKER).write_text(garbage)
    before = snapshot(small_store)
    for command in (("init",), ("stats",), ("sparql", "ASK {}")):
        line = one_line_error(invoke(small_store, *command))
        assert str(small_store) in line
    after = snapshot(small_store)
    after.pop("aikg.lock", None), before.pop("aikg.lock", None)
    assert after == before


# --- two processes -----------------------------------------------------------------------

HOLD = """
import sys, time
from aikg.store.embedded import EmbeddedStore
with EmbeddedStore(sys.argv[1], write=True):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(path, seconds):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_writer_fails_busy_and_store_survives(small_store):
    before = store_quads(small_store)
    proc = _holder(small_store, 2)
    try:
        line = one_line_error(invoke(small_store, "init", "--empty", env={"AIKG_LOCK_TIMEOUT": "0.3"}))
        assert "store is busy" in line
        assert proc.poll() is None  # it gave up while the first writer still held the store
    finally:
        proc.wait(timeout=20)
    after = store_quads(small_store)
    assert after.keys() == before.keys() and all(isomorphic(after[g], before[g]) for g in before)


def test_second_writer_waits_for_the_first(small_store):
    proc = _holder(small_store, 0.5)
    try:
        res = invoke(small_store, "init", "--empty", env={"AIKG_LOCK_TIMEOUT": "20"})
        assert res.exit_code == 0, res.output
    finally:
        proc.wait(timeout=20)
    assert DOC_A in store_quads(small_store)


# --- sparql --------------------------------------------------------------------------------

Q = "SELECT ?l WHERE { ent:test-lab rdfs:label ?l }"


def test_sparql_table(small_store):
    res = invoke(small_store, "sparql", Q)
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == ["l", "--------", "Test Lab", "(1 row)"]


def test_sparql_from_file_and_stdin(small_store, tmp_path):
    (tmp_path / "q.rq").write_text(Q)
    assert invoke(small_store, "sparql", f"@{tmp_path / 'q.rq'}").output == invoke(small_store, "sparql", Q).output
    assert invoke(small_store, "sparql", "-", input=Q).output == invoke(small_store, "sparql", Q).output
    line = one_line_error(invoke(small_store, "sparql", f"@{tmp_path / 'missing.rq'}"))
    assert "missing.rq" in line


def test_sparql_formats(small_store):
    j = json.loads(invoke(small_store, "sparql", Q, "--format", "json").output)
    assert j == {"head": {"vars": ["l"]}, "results": {"bindings": [{"l": {"type": "literal", "value": "Test Lab"}}]}}
    assert invoke(small_store, "sparql", Q, "--format", "csv").stdout_bytes == b"l\r\nTest Lab\r\n"
    assert invoke(small_store, "sparql", Q, "--format", "tsv").output == '?l\n"Test Lab"\n'
    ttl = invoke(small_store, "sparql", "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l "
                 "FILTER(STRSTARTS(STR(?s), STR(ent:))) }", "--format", "turtle")
    assert ttl.exit_code == 0
    got = Graph().parse(data=ttl.output, format="turtle")
    assert {str(o) for o in got.objects()} == {"Test Lab", "Test Model \"quoted\"\nsecond line", "Test Land"}
    assert invoke(small_store, "sparql", "ASK { ent:test-lab rdfs:label 'Test Lab' }").output == "yes\n"
    assert json.loads(invoke(small_store, "sparql", "ASK { ?s aikg:nothing ?o }", "--format", "json").output) == {
        "head": {}, "boolean": False}
    one_line_error(invoke(small_store, "sparql", Q, "--format", "turtle"))
    assert invoke(small_store, "sparql", Q, "--format", "xml").exit_code == 2  # click's usage error


def test_sparql_syntax_error_is_one_line_with_position(small_store):
    line = one_line_error(invoke(small_store, "sparql", "SELECT ?x WHERE { ?x rdfs:label }"))
    assert "syntax error" in line.lower() and re.search(r"\b1:\d+\b", line), line


def test_sparql_debug_shows_the_exception(small_store):
    with pytest.raises(QueryError):
        CliRunner().invoke(main, ["--store", str(small_store), "--debug", "sparql", "SELECT {"],
                           catch_exceptions=False)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service <http://example.org/sparql> { ?s ?p ?o } }",
])
def test_sparql_service_refused(small_store, query):
    assert "SERVICE" in one_line_error(invoke(small_store, "sparql", query))


def test_sparql_update_refused(small_store):
    one_line_error(invoke(small_store, "sparql", "DELETE WHERE { ?s ?p ?o }"))
    with EmbeddedStore(small_store) as s:
        assert s.count() > 0


def test_sparql_runs_a_competency_question(small_store):
    res = invoke(small_store, "sparql", f"@{ONTOLOGY / 'queries' / 'models_by_developer.rq'}")
    assert res.exit_code == 0 and res.output.endswith("(0 rows)\n")


def test_sparql_params_set_a_query_files_defaults(cli):
    query = f"@{ONTOLOGY / 'queries' / 'services_for_model.rq'}"
    res = cli("sparql", query, "--param", "model=Claude 3.5 Sonnet", "--format", "csv")
    assert res.exit_code == 0, res.output
    assert "Amazon Bedrock" in res.output and "Azure OpenAI Service" not in res.output
    default = cli("sparql", query, "--format", "csv").output
    assert "Azure OpenAI Service" in default
    dated = f"@{ONTOLOGY / 'queries' / 'restrictions_in_force.rq'}"
    before = cli("sparql", dated, "--param", "date=2024-07-01", "--format", "csv").output
    after = cli("sparql", dated, "--param", "?date=2024-08-01", "--format", "csv").output
    assert "OpenAI API" not in before and "OpenAI API" in after


@pytest.mark.parametrize("param, message", [
    ("model", "NAME=VALUE"),
    ("colour=red", "no parameter 'colour'"),
    ("model=Nonexistent Model 9", "unknown name"),
])
def test_sparql_bad_params_are_clear(cli, param, message):
    res = cli("sparql", f"@{ONTOLOGY / 'queries' / 'services_for_model.rq'}", "--param", param)
    assert res.exit_code in (1, 2) and message in res.output and "Traceback" not in res.output


def test_sparql_bad_date_param_is_one_line(cli):
    line = one_line_error(cli("sparql", f"@{ONTOLOGY / 'queries' / 'restrictions_in_force.rq'}",
                              "--param", "date=2024-13-01"))
    assert "YYYY-MM-DD" in line


def test_sparql_table_shortens_known_namespaces(cli):
    res = cli("sparql", "SELECT ?m WHERE { VALUES ?m { ent:gpt-4o aikg:AIModel <http://example.org/x> } }")
    assert res.output.splitlines()[2:5] == ["ent:gpt-4o", "aikg:AIModel", "http://example.org/x"]


def test_a_closed_pipe_ends_quietly(store_path):
    """``aikg export | head -1`` (megabytes into a closed pipe): no 'Error: BrokenPipeError' on stderr."""
    run = subprocess.run(f"{sys.executable} -m graph --store {store_path} export --format nt | head -1",
                         shell=True, capture_output=True, text=True, timeout=120)
    assert run.stdout.startswith("<") and len(run.stdout.splitlines()) == 1
    assert run.stderr == ""


# --- show ----------------------------------------------------------------------------------


def test_show_text_and_json(small_store):
    res = invoke(small_store, "show", "test model \"quoted\" second line")
    assert res.exit_code == 0, res.output
    assert "developed by Test Lab" in res.output
    assert 'source: https://example.org/a, undated — "The lab built the model."' in res.output
    info = json.loads(invoke(small_store, "show", "Test Lab", "--json").output)
    assert info["id"] == str(ENT["test-lab"]) and info["aliases"] == ["Laboratoire d'essai"]
    fact = info["facts"][0]
    assert fact["direction"] == "in" and fact["other"]["id"] == str(ENT["test-model"])
    assert fact["sources"][0]["confidence"] == 0.75


def test_show_by_alias_case_insensitive(small_store):
    assert json.loads(invoke(small_store, "show", "LABORATOIRE D'ESSAI", "--json").output)["label"] == "Test Lab"


def test_show_unknown_name_lists_candidates(small_store):
    line = one_line_error(invoke(small_store, "show", "Test Lap"))
    assert "unknown name 'Test Lap'" in line and "'Test Lab'" in line


def test_show_ambiguous_name(small_store):
    g = Graph()
    for slug, label in (("twin-one", "Twin One"), ("twin-two", "Twin Two")):
        g.add((ENT[slug], RDFS.label, Literal(label)))
        g.add((ENT[slug], SKOS.altLabel, Literal("Twin")))
    with EmbeddedStore(small_store, write=True) as s:
        s.replace_graphs({GRAPH["doc/twins"]: g})
    line = one_line_error(invoke(small_store, "show", "twin"))
    assert "ambiguous" in line and "Twin One" in line and "Twin Two" in line


def test_show_reference_entity_lists_restrictions(cli):
    res = cli("show", "ChatGPT")
    assert res.exit_code == 0
    assert "restricted:" in res.output and "Italy" in res.output


# --- stats ---------------------------------------------------------------------------------


def test_stats_text_and_json(small_store):
    info = json.loads(invoke(small_store, "stats", "--json").output)
    with EmbeddedStore(small_store) as s:
        assert info["triples"] == s.count()
    assert info["graphs"] == 3 and info["documents"] == 2
    text = invoke(small_store, "stats").output
    assert f"triples: {info['triples']}  graphs: 3  documents: 2" in text


# --- export --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt,rdflib_format", [("ttl", "turtle"), ("nt", "nt")])
def test_export_triples_round_trip(small_store, tmp_path, fmt, rdflib_format):
    out = tmp_path / f"out.{fmt}"
    res = invoke(small_store, "export", "--format", fmt, "-o", out)
    assert res.exit_code == 0 and f"wrote {out}" in res.output
    merged = Graph()
    for g in store_quads(small_store).values():
        merged += g
    assert_isomorphic(merged, Graph().parse(out, format=rdflib_format), f"export --format {fmt}")


@pytest.mark.parametrize("fmt,rdflib_format", [("nq", "nquads"), ("trig", "trig"), ("jsonld", "json-ld")])
def test_export_quads_round_trip(small_store, tmp_path, fmt, rdflib_format):
    out = tmp_path / f"out.{fmt}"
    assert invoke(small_store, "export", "--format", fmt, "-o", out).exit_code == 0
    ds = Dataset()
    ds.parse(out, format=rdflib_format)
    expected = store_quads(small_store)
    got = {c.identifier: c for c in ds.graphs() if len(c)}
    assert set(got) == set(expected) and META_GRAPH not in got
    for name, graph in expected.items():
        assert_isomorphic(graph, got[name], f"graph {name} in export --format {fmt}")


def test_export_html_limit_prunes_and_says_so(cli, tmp_path):
    out = tmp_path / "view.html"
    res = CliRunner().invoke(main, ["--store", str(cli.store_path), "export", "--format", "html",
                                                    "-o", str(out), "--limit", "40"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "showing 40 of" in res.stderr and "40 nodes" in res.stderr
    assert "showing 40 of" in out.read_text(encoding="utf-8")
    assert cli("export", "--format", "ttl", "--limit", "5").exit_code == 2  # html only


def test_export_graphml(small_store, tmp_path):
    out = tmp_path / "out.graphml"
    assert invoke(small_store, "export", "--format", "graphml", "-o", out).exit_code == 0
    g = nx.read_graphml(out)
    ids = {a.get("iri"): n for n, a in g.nodes(data=True)}
    assert g.has_edge(ids[str(ENT["test-model"])], ids[str(ENT["test-lab"])])
    assert g.nodes[ids[str(ENT["test-lab"])]]["label"] == "Test Lab"


def test_export_to_stdout_is_the_same(small_store, tmp_path):
    out = tmp_path / "out.nt"
    invoke(small_store, "export", "--format", "nt", "-o", out)
    stdout = invoke(small_store, "export", "--format", "nt").output
    assert sorted(stdout.splitlines()) == sorted(out.read_text().splitlines())


def test_export_is_deterministic(small_store):
    first, second = (invoke(small_store, "export", "--format", "nq").output for _ in range(2))
    assert first == second


# --- validate ------------------------------------------------------------------------------


def test_validate_flags_the_unsourced_fact(small_store):
    res = invoke(small_store, "validate")
    assert res.exit_code == 1
    assert "does not conform" in res.output.splitlines()[0]
    # doc/b's effectiveFrom has no Statement, and test-rule has no label
    assert "this fact has no aikg:Statement" in res.output and "exactly one rdfs:label" in res.output


# --- help and README -----------------------------------------------------------------------


def test_every_command_has_help_and_is_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = main.list_commands(None)
    assert names, "no commands registered"
    for name in names:
        command = main.get_command(None, name)
        assert command is not None, f"aikg {name} is listed but its module does not register it"
        res = CliRunner().invoke(main, [name, "--help"])
        assert res.exit_code == 0 and res.output.startswith("Usage:"), name
        assert (command.help or "").strip(), f"aikg {name} has no help text"
        assert f"aikg {name}" in readme, f"aikg {name} is not in README.md"
    top = CliRunner().invoke(main, ["--help"])
    assert top.exit_code == 0 and "--store" in top.output


def test_lazy_command_table_matches_the_commands():
    """``aikg.cli.COMMANDS`` (names, modules, help for ``aikg --help``) agrees with what the modules register."""
    load_all()
    assert set(main.commands) == set(COMMANDS), "add new commands to aikg.cli.COMMANDS (and remove old ones)"
    for name, (module, help_text) in COMMANDS.items():
        command = main.commands[name]
        assert command.callback.__module__ == f"aikg.cli.{module}", name
        placeholder = click.Command(name, help=help_text)
        for limit in (30, 45, 60, 200):
            assert placeholder.get_short_help_str(limit) == command.get_short_help_str(limit), name


def test_help_lists_every_command_without_importing_them():
    code = ("import sys; from click.testing import CliRunner; from aikg.cli import main, COMMANDS; "
            "out = CliRunner().invoke(main, ['--help']).output; "
            "assert all(f'  {n} ' in out for n in COMMANDS), out; "
            "heavy = [m for m in ('rdflib', 'pyoxigraph', 'spacy', 'networkx', 'pyshacl', 'aikg.store.embedded') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_command_with_a_missing_dependency_is_a_one_line_error(monkeypatch, tmp_path):
    import aikg.cli

    def broken_import(name, *args):
        raise ModuleNotFoundError("No module named 'spacy'", name="spacy")

    monkeypatch.setitem(COMMANDS, "fake", ("fake_module", "A command whose module needs spaCy."))
    monkeypatch.setattr(aikg.cli.importlib, "import_module", broken_import)
    assert "A command whose module needs spaCy." in CliRunner().invoke(main, ["--help"]).output
    line = one_line_error(invoke(tmp_path / "s", "fake"))
    assert "aikg fake cannot run" in line and "spacy" in line


def test_loaded_and_lazy_help_are_the_same():
    code = ("import sys; from click.testing import CliRunner; import aikg.cli as c; "
            "lazy = CliRunner().invoke(c.main, ['--help']).output; c.load_all(); "
            "print(lazy == CliRunner().invoke(c.main, ['--help']).output)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "True"
