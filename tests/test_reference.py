"""The curated reference data: every fact sourced on its own, dated access, and the corrected reach answers."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from aikg.errors import InputError
from aikg.facts.reference import STATED_PREDICATES, fact_sources, load_reference
from aikg.names.ids import statement_iri
from aikg.namespace import AIKG, ENT, PROV, REFERENCE_GRAPH
from aikg.reach.answers import answer, diff
from aikg.reach.projection import load_projection
from aikg.store.embedded import open_store

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
ROOT = ONTOLOGY.parent


@pytest.fixture(scope="module")
def reference():
    return load_reference(ONTOLOGY)


@pytest.fixture(scope="module")
def proj(reference_store_path):
    with open_store(str(reference_store_path)) as store:
        yield load_projection(store)


# -- provenance ------------------------------------------------------------------------

def test_every_curated_fact_has_a_source_of_its_own(reference):
    own = fact_sources(ONTOLOGY)
    facts = [(s, p, o) for s, p, o in reference if p in STATED_PREDICATES]
    assert len(facts) > 1400
    missing = [f for f in facts if not own.get(f)]
    assert missing == []
    for (s, p, o), cited in own.items():
        st = statement_iri(REFERENCE_GRAPH, s, p, o)
        assert set(reference.objects(st, PROV.wasDerivedFrom)) == cited  # the fact's own, not its subject's


def test_every_source_is_a_titled_document(reference):
    cited = {src for srcs in fact_sources(ONTOLOGY).values() for src in srcs}
    cited |= set(reference.objects(None, URIRef("http://purl.org/dc/terms/source")))
    for src in cited:
        assert (src, RDF.type, AIKG.Document) in reference, src
        assert reference.value(src, RDFS.label) is not None and reference.value(src, AIKG.url) is not None
    read = list(reference.objects(None, AIKG.retrieved))
    assert read and all(d.datatype == XSD.date for d in read)


def test_every_entity_a_fact_names_is_defined(reference):
    named = {t for s, p, o in reference if p in STATED_PREDICATES for t in (s, o) if str(t).startswith(str(ENT))}
    assert [t for t in named if reference.value(t, RDFS.label) is None] == []


def test_a_fact_outside_a_sources_graph_is_refused(tmp_path):
    folder = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, folder)
    (folder / "reference" / "zz_unsourced.trig").write_text(
        "@prefix aikg: <https://w3id.org/aikg/ns#> .\n@prefix ent: <https://w3id.org/aikg/id/> .\n"
        "ent:chatgpt aikg:providesAccessTo ent:gpt-4 .\n", encoding="utf-8")
    with pytest.raises(InputError, match="outside a source's graph"):
        load_reference(folder)


def test_a_malformed_trig_file_is_named_with_its_line(tmp_path):
    folder = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, folder)
    (folder / "reference" / "zz_broken.trig").write_text(
        "@prefix ent: <https://w3id.org/aikg/id/> .\n<https://example.org/s> {\n  ent:a ent:b oops here .\n}\n",
        encoding="utf-8")
    with pytest.raises(InputError, match=r"zz_broken\.trig.*line 3"):
        load_reference(folder)


def test_a_dated_fact_carries_its_dates_on_its_statement(reference):
    st = statement_iri(REFERENCE_GRAPH, ENT["chatgpt"], AIKG.providesAccessTo, ENT["gpt-3-5"])
    assert reference.value(st, AIKG.validUntil) == Literal("2024-07-18", datatype=XSD.date)
    assert URIRef("https://www.androidauthority.com/gpt-4o-mini-chatgpt-update-3462752/") in \
        set(reference.objects(st, PROV.wasDerivedFrom))
    annotations = [x for x in reference.subjects(RDF.subject, None) if "/validity-" in str(x)]
    assert annotations == []  # the annotations themselves are not loaded


# -- access in time (sources: lifecycle.trig) ------------------------------------------

def test_chatgpt_route_to_gpt_35_closes_in_july_2024(proj):
    def via_chatgpt(at):
        ans = answer(proj, "US users", "GPT-3.5", at, k=10).to_json()
        return any([s["to"]["label"] for s in r["steps"]][0] == "ChatGPT" for r in ans["routes"])
    assert via_chatgpt("2024-07-01") and not via_chatgpt("2024-08-01")


def test_between_shows_the_chatgpt_route_to_gpt_4o_closing(proj):
    # GPT-4o left ChatGPT's last tiers on 3 April 2026 (lifecycle.trig); the Azure route stays open
    d = diff(proj, "US users", "GPT-4o", "2026-01-01", "2026-06-01").to_json()
    closed = [[s["to"]["label"] for s in r["steps"]] for r in d["closed"]]
    assert ["ChatGPT", "GPT-4o"] in closed and d["verdicts"]["2026-06-01"] == "reachable"


def routes_through(proj, actor, model, at, service) -> bool:
    """Whether an open route from the actor to the model passes through the service on the date."""
    ans = answer(proj, actor, model, at, k=10).to_json()
    return any(service in [s["to"]["label"] for s in r["steps"]] for r in ans["routes"])


def test_claude_api_route_to_opus_4_closes_on_retirement(proj):
    def via_api(at):
        return routes_through(proj, "US customers", "Claude Opus 4", at, "Claude API")
    assert via_api("2026-06-14") and not via_api("2026-06-15")


# -- corrections, each changing a reach answer -----------------------------------------

def test_h800_from_china_blocked_from_23_october_2023(proj):
    # Nvidia's 8-K of 24 October 2023: the licence requirement applied immediately from 23 October (was 17 Nov)
    assert answer(proj, "Chinese enterprise customers", "H800", "2023-10-30").to_json()["verdict"] == "blocked"
    assert answer(proj, "Chinese enterprise customers", "H800", "2023-10-20").to_json()["verdict"] != "blocked"


def test_a100_bought_for_hong_kong_blocked_from_26_august_2022(proj):
    # Nvidia's 8-K of 31 August 2022: licence requirement for China including Hong Kong from 26 August 2022
    ans = answer(proj, "Hong Kong customers", "A100", "2022-09-15", k=10).to_json()
    rules = {b["id"] for r in ans["blocked_routes"] for b in r["blocked_by"]}
    assert str(ENT["restriction-us-nvidia-licence-2022"]) in rules
    assert not [r for r in ans["routes"] if r["steps"][-1]["hop"] == "buy"]


def test_asml_scanner_for_hong_kong_needs_a_dutch_licence(proj):
    # the Dutch measures are country-neutral (every destination outside the EU), Hong Kong included
    ans = answer(proj, "Hong Kong customers", "TWINSCAN NXT:2000i", "2024-01-01").to_json()
    assert ans["verdict"] == "blocked"
    assert "Dutch government" in {b["imposed_by"]["label"] for r in ans["blocked_routes"]
                                              for b in r["blocked_by"]}


def test_japanese_equipment_controls_cover_hong_kong(reference):
    places = set(reference.objects(ENT["restriction-japan-meti-2023"], AIKG.appliesIn))
    assert {ENT["china"], ENT["hong-kong"], ENT["macau"]} <= places


def test_mi308_rule_dated_with_the_h20_rule_not_amds_assessment(reference):
    assert reference.value(ENT["restriction-mi308-license-2025"], AIKG.effectiveFrom) == \
        Literal("2025-04-09", datatype=XSD.date)


def test_aws_china_is_offered_by_its_local_operators(reference):
    assert set(reference.objects(ENT["aws-china-beijing-region"], AIKG.offeredBy)) == {ENT["sinnet"]}
    assert set(reference.objects(ENT["aws-china-ningxia-region"], AIKG.offeredBy)) == {ENT["nwcd"]}
    assert ENT["amazon-web-services"] not in set(reference.objects(ENT["aws-china"], AIKG.offeredBy))


# -- coverage --------------------------------------------------------------------------

def test_at_least_600_entities_each_with_a_source(reference):
    classes = [AIKG[c] for c in ("Company", "Regulator", "CustomerSegment", "Jurisdiction", "AIModel", "Service",
                                 "Chip", "Equipment", "Restriction")]
    entities = {s for c in classes for s in reference.subjects(RDF.type, c)}
    assert len(entities) >= 600
    assert [e for e in entities if reference.value(e, URIRef("http://purl.org/dc/terms/source")) is None] == []
    for name in ("claude-2", "llama", "code-llama", "imagen-3", "veo-2", "mistral-nemo", "pixtral-large",
                 "grok-1-5v", "phi-4", "qwen1-5", "deepseek-coder", "dbrx", "nemotron-4-340b", "falcon-180b", "olmo",
                 "databricks", "technology-innovation-institute", "allen-institute-for-ai", "cohere-api",
                 "gpt-5-1", "claude-opus-4-5", "deepseek-v3-1", "kimi-k2", "glm-4-5"):
        assert reference.value(ENT[name], RDFS.label) is not None, name


def test_audit_script_prints_a_seeded_sample_with_sources():
    def run():
        return subprocess.run([sys.executable, str(ROOT / "scripts" / "audit_reference.py"), "-n", "5",
                               "--seed", "7"], capture_output=True, text=True, check=True).stdout

    out = run()
    assert out == run() and out.count("source:") >= 5


def test_gemini_api_route_to_gemini_1_5_pro_closes_in_september_2025(proj):
    def via_gemini_api(at):
        return routes_through(proj, "US users", "Gemini 1.5 Pro", at, "Gemini API")
    assert via_gemini_api("2025-09-01") and not via_gemini_api("2025-10-01")


def test_xai_api_routes_to_retired_grok_models_close_in_may_2026(proj):
    """xAI retired grok-3, grok-4-0709 and the Grok 4.1 fast models from its API on 15 May 2026 (sourced)."""
    def via_xai_api(model, at):
        return routes_through(proj, "US users", model, at, "xAI API")
    for model in ("Grok 3", "Grok 4", "Grok 4.1"):
        assert via_xai_api(model, "2026-05-01") and not via_xai_api(model, "2026-06-01"), model
    assert via_xai_api("Grok 4.3", "2026-06-01") and not via_xai_api("Grok 4.3", "2026-04-01")


def test_a_company_asked_for_stands_for_its_own_named_app(proj):
    ans = answer(proj, "Italian users", "DeepSeek", "2025-06-01").to_json()
    assert ans["to"]["label"] == "DeepSeek app"  # the company offers it under its own name
    assert answer(proj, "Italian users", "Nvidia", "2025-06-01").to_json()["to"]["label"] == "Nvidia"  # no such product
