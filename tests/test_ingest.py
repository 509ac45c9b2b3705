"""Ingestion end to end: named graphs, provenance, idempotency, atomicity, bad input, the CLI."""
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from aikg.errors import StoreError
from aikg.ingest.ingestor import Ingestor, ingest
from aikg.store.embedded import EmbeddedStore

DATA = Path(__file__).parent / "data" / "ingest"


@pytest.fixture
def mini_store_path(empty_store_path):
    with EmbeddedStore(empty_store_path, write=True) as store:
        store.replace_graphs({URIRef("urn:test:mini"): Graph().parse(DATA / "mini.ttl")})
    return empty_store_path


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("restriction.txt", "cloud.md", "launch.html"):
        shutil.copy(DATA / name, folder / name)
    return folder


def aikg(store_path, *args):
    from aikg.cli import main

    return CliRunner().invoke(main, ["--store", str(store_path), *map(str, args)], catch_exceptions=False)


def doc_graphs(store):
    return [g for g in store.graph_names() if "/graph/doc/" in str(g)]


def test_json_contract_and_facts(mini_store_path, docs):
    res = aikg(mini_store_path, "ingest", docs, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert set(data) == {"documents"}
    by_name = {Path(d["path"]).name: d for d in data["documents"]}
    assert {d["status"] for d in by_name.values()} == {"added"}
    for d in by_name.values():
        assert set(d) == {"path", "id", "status", "error", "facts"}
        for f in d["facts"]:
            assert set(f) == {"subject", "predicate", "object", "quote", "confidence"}
            assert set(f["subject"]) == {"id", "label"} and set(f["predicate"]) == {"id", "label"}
            assert set(f["object"]) in ({"id", "label"}, {"value", "datatype"})
            assert f["quote"] and 0 < f["confidence"] <= 1

    def has(name, s, p, o):
        return any(f["subject"]["label"] == s and f["predicate"]["id"].endswith("#" + p) and
                   (f["object"].get("label") or f["object"].get("value")) == o for f in by_name[name]["facts"])

    assert has("cloud.md", "Azure OpenAI Service", "providesAccessTo", "GPT-4o")
    assert has("cloud.md", "Kestrel Cloud", "providesAccessTo", "GPT-4o")
    assert has("cloud.md", "H100", "manufacturedBy", "TSMC")
    assert not any(f["subject"]["label"] == "Oracle" for f in by_name["cloud.md"]["facts"])  # hedged
    assert not any(f["predicate"]["id"].endswith("#availableIn") for f in by_name["cloud.md"]["facts"])  # negated
    assert has("launch.html", "Vexa X9", "developedBy", "Nvidia")
    assert has("launch.html", "Oracle", "customerOf", "Nvidia")
    assert not any("acquired" in (f["quote"] or "") for f in by_name["launch.html"]["facts"])  # script text
    assert has("restriction.txt", "Microsoft", "investedIn", "OpenAI")
    assert has("restriction.txt", "Azure OpenAI Service", "availableIn", "Hong Kong")
    restriction = [f for f in by_name["restriction.txt"]["facts"] if "restriction-" in f["subject"]["id"]]
    props = {(f["predicate"]["label"], f["object"].get("label") or f["object"].get("value")) for f in restriction
             if f["subject"]["label"].startswith("Access block")}
    assert {("restricts", "OpenAI API"), ("applies in", "China"), ("imposed by", "OpenAI"),
            ("effective from", "2022-03-04"), ("kind", "access block")} <= props


def test_provenance_shape_in_the_store(mini_store_path, docs):
    with EmbeddedStore(mini_store_path, write=True) as store:
        results, _ = ingest(store, [docs])
        doc = next(r for r in results if r.path.endswith("cloud.md"))
        rows = store.query("""
            SELECT ?title ?path ?url ?pub ?hash WHERE { GRAPH ?g { ?d a aikg:Document ; rdfs:label ?title ;
              aikg:path ?path ; aikg:url ?url ; aikg:published ?pub ; aikg:contentHash ?hash } }""").rows
        published = [r[3] for r in rows if str(r[0]) == "A model arrives on two clouds"][0]
        assert published.toPython().isoformat() == "2022-05-10"
        st = store.query(f"""
            SELECT ?q ?c ?x WHERE {{ GRAPH ?g {{ ?st a aikg:Statement ; prov:wasDerivedFrom <{doc.id}> ;
              rdf:predicate aikg:manufacturedBy ; aikg:quote ?q ; aikg:confidence ?c ; aikg:extractor ?x }} }}""").rows
        assert st and str(st[0][2]).startswith("aikg-rules/") and "TSMC" in str(st[0][0])
        neg = store.query("ASK { ?st aikg:negated true ; rdf:predicate aikg:availableIn }")
        assert neg.boolean
        assert not store.query("ASK { ?m aikg:availableIn ?j . ?st aikg:negated true ; rdf:subject ?m ; "
                               "rdf:object ?j }").boolean
        assert len(doc_graphs(store)) == 3


def test_reingest_is_unchanged_with_the_same_json(mini_store_path, docs):
    first = json.loads(aikg(mini_store_path, "ingest", docs, "--json").output)
    with EmbeddedStore(mini_store_path) as store:
        rev = store.revision()
    second = json.loads(aikg(mini_store_path, "ingest", docs, "--json").output)
    assert {d["status"] for d in second["documents"]} == {"unchanged"}
    assert [d["facts"] for d in first["documents"]] == [d["facts"] for d in second["documents"]]
    with EmbeddedStore(mini_store_path) as store:
        assert store.revision() == rev  # nothing written


def test_changed_file_replaces_its_old_graph(mini_store_path, docs):
    aikg(mini_store_path, "ingest", docs)
    (docs / "cloud.md").write_text("---\ntitle: Revised\n---\n\nThe H100 is manufactured by Samsung Foundry.\n")
    data = json.loads(aikg(mini_store_path, "ingest", docs / "cloud.md", "--json").output)
    assert data["documents"][0]["status"] == "added"
    with EmbeddedStore(mini_store_path) as store:
        assert len(doc_graphs(store)) == 3
        titles = {str(r[0]) for r in store.query("SELECT ?t WHERE { ?d a aikg:Document ; rdfs:label ?t }").rows}
        assert "Revised" in titles and "A model arrives on two clouds" not in titles
        assert not store.query("ASK { ?x aikg:providesAccessTo ?m }").boolean


def test_dry_run_writes_nothing(mini_store_path, docs):
    res = aikg(mini_store_path, "ingest", docs, "--dry-run")
    assert "3 would add" in res.output
    with EmbeddedStore(mini_store_path) as store:
        assert doc_graphs(store) == []


class FailingStore(EmbeddedStore):
    """Fault injection: the store refuses the write of one document."""

    def replace_graphs(self, graphs):
        texts = [g if isinstance(g, str) else g.serialize(format="nt") for g in graphs.values() if g is not None]
        if any("ChatGPT" in t for t in texts):
            raise StoreError("disk full")
        super().replace_graphs(graphs)


def test_a_failed_write_loses_nothing_else_and_leaves_nothing_half_written(mini_store_path, docs):
    with FailingStore(mini_store_path, write=True) as store:
        results, _ = ingest(store, [docs])
        status = {Path(r.path).name: (r.status, r.error) for r in results}
        assert status["restriction.txt"] == ("failed", "disk full")
        assert status["cloud.md"][0] == status["launch.html"][0] == "added"
        assert len(doc_graphs(store)) == 2
        assert not store.query("ASK { ?s aikg:restricts ?o }").boolean


def test_bad_inputs_each_get_a_clear_status(mini_store_path, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (folder / "broken.txt").write_bytes(b"Title\n\nTSMC \xff\xfe makes the H100. "
                                        + b"It is manufactured by TSMC. " * 3)
    (folder / "scripts.html").write_text("<html><script>" + "x();" * 500
                                         + "</script><body><script>y()</script></body></html>")
    with open(folder / "huge.txt", "wb") as fh:
        fh.write(b"Words about chips. " * (20 * 1024 * 1024 // 19 + 1))
    (folder / "slides.pptx").write_bytes(b"PK")
    vanishing = folder / "vanishing.txt"
    vanishing.write_text("Soon gone.")
    from aikg.ingest.reader import iter_paths

    files, skipped = iter_paths([folder])
    vanishing.unlink()  # removed between listing and reading
    with EmbeddedStore(mini_store_path, write=True) as store:
        results = {Path(r.path).name: r for r in Ingestor(store).ingest_files(files)}
        assert [p.name for p in skipped] == ["slides.pptx"]
        assert results["empty.txt"].error == "empty document"
        assert "binary" in results["binary.txt"].error
        assert results["broken.txt"].status == "added"
        assert "no text" in results["scripts.html"].error
        assert "too large" in results["huge.txt"].error
        assert "not found" in results["vanishing.txt"].error
        assert {r.status for n, r in results.items() if n != "broken.txt"} == {"failed"}
        assert len(doc_graphs(store)) == 1


def test_many_files_in_one_folder(mini_store_path, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(60):
        (folder / f"n{i:03d}.txt").write_text(f"Note {i}\n\nKestrel {i} Cloud provides access to GPT-4o. Item {i}.\n")
    res = aikg(mini_store_path, "ingest", folder)
    assert res.exit_code == 0
    assert "documents: 60 added, 0 unchanged, 0 failed" in res.output


def test_sources_command(mini_store_path, docs):
    aikg(mini_store_path, "ingest", docs)
    res = aikg(mini_store_path, "sources", "tsmc")
    assert res.exit_code == 0
    assert "A model arrives on two clouds" in res.output and "Nvidia launch" in res.output
    data = json.loads(aikg(mini_store_path, "sources", "TSMC", "--json").output)
    assert data["entity"]["label"] == "TSMC" and len(data["documents"]) == 2
    missing = aikg(mini_store_path, "sources", "Nonexistent Corp")
    assert missing.exit_code == 1 and "unknown name" in missing.output


# -- the N-Triples written directly, and batched writes ------------------------------------------

from rdflib import RDF, Literal  # noqa: E402

from aikg.facts.reference import provenance  # noqa: E402
from aikg.namespace import AIKG  # noqa: E402


def test_written_graph_has_the_provenance_shape(mini_store_path, docs):
    written = {}

    class Recording(EmbeddedStore):
        def replace_graphs(self, graphs):
            written.update(graphs)
            super().replace_graphs(graphs)

    with Recording(mini_store_path, write=True) as store:
        results, _ = ingest(store, [docs])
    assert all(isinstance(t, str) for t in written.values())
    for r in results:
        gname = next(g for g in written if g.endswith(r.id.rsplit("/", 1)[-1]))
        g = Graph().parse(data=written[gname], format="nt")
        statements = set(g.subjects(RDF.type, AIKG.Statement))
        assert statements
        for st in statements:
            s, p, o = g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)
            conf, quote = g.value(st, AIKG.confidence), g.value(st, AIKG.quote)
            since = g.value(st, AIKG.validFrom)  # a launch holds from its day
            expected = set(provenance(URIRef(gname), s, p, o, URIRef(r.id), confidence=float(conf),
                                      extractor=str(g.value(st, AIKG.extractor)), quote=str(quote) if quote else None,
                                      valid_from=since.toPython() if since is not None else None))
            negated = (st, AIKG.negated, Literal(True)) in g
            assert {t for t in g.triples((st, None, None)) if t[1] != AIKG.negated} == expected
            assert ((s, p, o) in g) != negated
        asserted = {(f["subject"]["id"], f["predicate"]["id"]) for f in r.facts}
        assert asserted == {(str(g.value(st, RDF.subject)), str(g.value(st, RDF.predicate))) for st in statements
                            if (st, AIKG.negated, Literal(True)) not in g}


def test_quotes_with_special_characters_survive(mini_store_path, tmp_path):
    quote = 'Kestrel Cloud provides access to GPT-4o, said "Ann \\ Lee"\x01\tin Zürich ☁.'
    (tmp_path / "odd.txt").write_text("Odd\n\n" + quote + "\n", encoding="utf-8")
    with EmbeddedStore(mini_store_path, write=True) as store:
        [r], _ = ingest(store, [tmp_path / "odd.txt"])
        assert r.status == "added" and r.facts
        stored = {str(row[0]) for row in store.query("SELECT ?q WHERE { ?st aikg:quote ?q }").rows}
    assert quote in stored and all(f["quote"] == quote for f in r.facts)


def _write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_batched_results_keep_file_order_and_statuses(mini_store_path, tmp_path):
    body = "Note\n\nKestrel Cloud provides access to GPT-4o.\n"
    files = [_write(tmp_path, "a.txt", body), _write(tmp_path, "b.txt", ""), _write(tmp_path, "c.txt", body),
             _write(tmp_path, "d.txt", "Other\n\nThe H100 is manufactured by TSMC.\n"),
             _write(tmp_path, "e.txt", "More\n\nGPT-4o was developed by OpenAI.\n")]
    with EmbeddedStore(mini_store_path, write=True) as store:
        results = list(Ingestor(store).ingest_files(files, batch=2))
        assert [Path(r.path).name for r in results] == ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
        assert [r.status for r in results] == ["added", "failed", "unchanged", "added", "added"]
        assert results[2].facts == results[0].facts
        assert len(doc_graphs(store)) == 3


def test_a_failed_batch_is_written_one_by_one_and_twins_are_retried(mini_store_path, tmp_path):
    bad = "Bad\n\nChatGPT is banned in China.\n"
    files = [_write(tmp_path, "a.txt", bad), _write(tmp_path, "b.txt", "Good\n\nThe H100 is manufactured by TSMC.\n"),
             _write(tmp_path, "c.txt", bad)]
    with FailingStore(mini_store_path, write=True) as store:
        results = {Path(r.path).name: r for r in Ingestor(store).ingest_files(files)}
        assert (results["a.txt"].status, results["a.txt"].error) == ("failed", "disk full")
        assert results["b.txt"].status == "added"
        assert (results["c.txt"].status, results["c.txt"].error) == ("failed", "disk full")  # not "unchanged"
        assert len(doc_graphs(store)) == 1


def test_ingest_file_writes_at_once(mini_store_path, tmp_path):
    path = _write(tmp_path, "one.txt", "One\n\nGPT-4o was developed by OpenAI.\n")
    with EmbeddedStore(mini_store_path, write=True) as store:
        r = Ingestor(store).ingest_file(path)
        assert r.status == "added" and len(doc_graphs(store)) == 1
        assert Ingestor(store).ingest_file(path).status == "unchanged"


@pytest.mark.parametrize("as_json", [False, True])
def test_a_failed_document_makes_exit_code_1_and_the_others_are_stored(mini_store_path, tmp_path, as_json):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("Cloud news\n\nKestrel Cloud provides access to GPT-4o.\n")
    (folder / "empty.md").write_text("")
    res = aikg(mini_store_path, "ingest", folder, *(["--json"] if as_json else []))
    assert res.exit_code == 1
    if as_json:
        statuses = {Path(d["path"]).name: d["status"] for d in json.loads(res.output)["documents"]}
        assert statuses == {"good.txt": "added", "empty.md": "failed"}
    else:
        assert "failed" in res.output and "empty document" in res.output
    again = aikg(mini_store_path, "ingest", folder / "good.txt")
    assert again.exit_code == 0 and "1 unchanged" in again.output


def _paths(store):
    """Each stored document's file names."""
    rows = store.query("SELECT ?d ?p WHERE { GRAPH ?g { ?d a aikg:Document ; aikg:path ?p } }").rows
    out = {}
    for d, p in rows:
        out.setdefault(str(d), set()).add(Path(str(p)).name)
    return out


def _has_fact(store):
    return store.query("ASK { GRAPH ?g { ?m aikg:developedBy ?o } }").boolean


@pytest.mark.parametrize("together", [True, False])
def test_identical_files_then_one_edited_the_other_keeps_its_facts(mini_store_path, tmp_path, together):
    text = "One\n\nGPT-4o was developed by OpenAI.\n"
    a, b = _write(tmp_path, "a.txt", text), _write(tmp_path, "b.txt", text)
    if together:  # both in one batch: the second is recorded on the first's pending write
        aikg(mini_store_path, "ingest", a, b)
    else:  # one run each: the second records its path on the stored document
        aikg(mini_store_path, "ingest", a)
        assert json.loads(aikg(mini_store_path, "ingest", b, "--json").output)["documents"][0]["status"] == "unchanged"
    with EmbeddedStore(mini_store_path) as store:
        assert list(_paths(store).values()) == [{"a.txt", "b.txt"}]
    a.write_text("Other\n\nThe H100 is manufactured by TSMC.\n")
    aikg(mini_store_path, "ingest", a)
    with EmbeddedStore(mini_store_path) as store:
        assert sorted(map(sorted, _paths(store).values())) == [["a.txt"], ["b.txt"]]
        assert _has_fact(store)  # b.txt still holds the OpenAI text: its facts stay
    b.write_text("Third\n\nThe H100 is manufactured by TSMC in Taiwan.\n")
    aikg(mini_store_path, "ingest", b)
    with EmbeddedStore(mini_store_path) as store:
        assert not _has_fact(store)  # no path holds the OpenAI text any more: its document is gone
        assert len(doc_graphs(store)) == 2


def test_a_renamed_file_and_a_new_file_under_the_old_name(mini_store_path, tmp_path):
    old = _write(tmp_path, "old.txt", "One\n\nGPT-4o was developed by OpenAI.\n")
    aikg(mini_store_path, "ingest", old)
    new = tmp_path / "new.txt"
    old.rename(new)
    assert json.loads(aikg(mini_store_path, "ingest", new, "--json").output)["documents"][0]["status"] == "unchanged"
    _write(tmp_path, "old.txt", "Two\n\nThe H100 is manufactured by TSMC.\n")
    aikg(mini_store_path, "ingest", tmp_path / "old.txt")
    with EmbeddedStore(mini_store_path) as store:
        assert sorted(map(sorted, _paths(store).values())) == [["new.txt"], ["old.txt"]]
        assert _has_fact(store)  # the renamed file's facts survived the reuse of its old name
        titles = {str(r[0]) for r in store.query("SELECT ?t WHERE { ?d a aikg:Document ; rdfs:label ?t }").rows}
        assert titles == {"One", "Two"}


def test_names_of_document_entities_outlive_the_document_that_introduced_them(empty_store_path, tmp_path):
    first = _write(tmp_path, "a.txt", "One\n\nThe startup Zorblax Labs released the model Quillfire 2 in March 2024.\n")
    aikg(empty_store_path, "ingest", first)
    later = _write(tmp_path, "b.txt", "Two\n\nQuillfire 2 was developed by Zorblax Labs, a startup.\n")
    aikg(empty_store_path, "ingest", later)  # another run: both names are known already
    first.write_text("One\n\nNothing here any more.\n")
    aikg(empty_store_path, "ingest", first)
    shown = aikg(empty_store_path, "show", "Zorblax Labs")
    assert shown.exit_code == 0 and "Quillfire 2 developed by this" in shown.output
    assert "types: Company" in shown.output
    checked = aikg(empty_store_path, "validate")
    assert checked.exit_code == 0 and "no violations" in checked.output
    aikg(empty_store_path, "forget", later)  # now no document names it
    assert "unknown name" in aikg(empty_store_path, "show", "Zorblax Labs").output
