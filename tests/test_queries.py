"""The competency questions in ontology/queries/*.rq, each with its expected answer.

They run on a small store built from the Turtle below (written for these tests,
in the reference files' format), and, once ontology/reference/ holds data, on
the reference store too.
"""
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery

from aikg.facts.bootstrap import init_store
from aikg.facts.reference import provenance
from aikg.namespace import ENT, GRAPH, PREFIXES
from aikg.store.embedded import EmbeddedStore

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
QUERIES = sorted((ONTOLOGY / "queries").glob("*.rq"))

MINI = """
@prefix aikg: <https://w3id.org/aikg/ns#> .
@prefix ent: <https://w3id.org/aikg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix src: <https://example.org/src/> .

ent:china a aikg:Jurisdiction ; rdfs:label "China" ; aikg:demonym "Chinese" .
ent:hong-kong a aikg:Jurisdiction ; rdfs:label "Hong Kong" .
ent:united-states a aikg:Jurisdiction ; rdfs:label "United States" .
ent:singapore a aikg:Jurisdiction ; rdfs:label "Singapore" .
ent:european-union a aikg:Jurisdiction ; rdfs:label "European Union" .
ent:italy a aikg:Jurisdiction ; rdfs:label "Italy" ; aikg:partOf ent:european-union ; dcterms:source src:geo .

ent:openai a aikg:Company ; rdfs:label "OpenAI" ; aikg:basedIn ent:united-states ; dcterms:source src:a .
ent:microsoft a aikg:Company ; rdfs:label "Microsoft" ; aikg:basedIn ent:united-states ;
    aikg:investedIn ent:openai ; aikg:partnerOf ent:openai ; dcterms:source src:b .
ent:softbank a aikg:Company ; rdfs:label "SoftBank" ; aikg:investedIn ent:openai ; dcterms:source src:c .
ent:21vianet a aikg:Company ; rdfs:label "21Vianet" ; aikg:basedIn ent:china ;
    aikg:partnerOf ent:microsoft ; dcterms:source src:d .
ent:nvidia a aikg:Company ; rdfs:label "Nvidia" ; aikg:basedIn ent:united-states ; dcterms:source src:e .
ent:tsmc a aikg:Company ; rdfs:label "TSMC" ; dcterms:source src:e .
ent:alibaba-group a aikg:Company ; rdfs:label "Alibaba Group" ; aikg:basedIn ent:china ; dcterms:source src:f .
ent:alibaba-cloud a aikg:Company ; rdfs:label "Alibaba Cloud" ; aikg:basedIn ent:china ;
    aikg:subsidiaryOf ent:alibaba-group ; dcterms:source src:f .
ent:tongyi-lab a aikg:Company ; rdfs:label "Tongyi Lab" ; aikg:subsidiaryOf ent:alibaba-cloud ; dcterms:source src:f .
ent:lazada a aikg:Company ; rdfs:label "Lazada" ; aikg:basedIn ent:singapore ;
    aikg:subsidiaryOf ent:alibaba-group ; dcterms:source src:f .
ent:example-labs a aikg:Company ; rdfs:label "Example Labs" ; aikg:basedIn ent:hong-kong ; dcterms:source src:g .

ent:us-commerce a aikg:Regulator ; rdfs:label "US Department of Commerce" ; aikg:basedIn ent:united-states ;
    dcterms:source src:h .
ent:bis a aikg:Regulator ; rdfs:label "Bureau of Industry and Security" ; aikg:subsidiaryOf ent:us-commerce ;
    dcterms:source src:h .
ent:cac a aikg:Regulator ; rdfs:label "Cyberspace Administration of China" ; aikg:basedIn ent:china ;
    dcterms:source src:i .
ent:garante a aikg:Regulator ; rdfs:label "Garante" ; aikg:basedIn ent:italy ; dcterms:source src:j .
ent:eu-office a aikg:Regulator ; rdfs:label "Example EU Office" ; aikg:basedIn ent:european-union ;
    dcterms:source src:j .

ent:gpt-4o a aikg:AIModel ; rdfs:label "GPT-4o" ; aikg:developedBy ent:openai ; dcterms:source src:a .
ent:qwen a aikg:AIModel ; rdfs:label "Qwen" ; aikg:developedBy ent:tongyi-lab ; dcterms:source src:f .

ent:openai-api a aikg:Service ; rdfs:label "OpenAI API" ; aikg:offeredBy ent:openai ;
    aikg:providesAccessTo ent:gpt-4o ; aikg:availableIn ent:united-states ; dcterms:source src:a .
ent:chatgpt a aikg:Service ; rdfs:label "ChatGPT" ; aikg:offeredBy ent:openai ;
    aikg:providesAccessTo ent:gpt-4o ; dcterms:source src:a .
ent:azure-openai-service a aikg:Service ; rdfs:label "Azure OpenAI Service" ; aikg:offeredBy ent:microsoft ;
    aikg:providesAccessTo ent:gpt-4o ; aikg:availableIn ent:hong-kong, ent:united-states ; dcterms:source src:b .
ent:azure-china a aikg:Service ; rdfs:label "Azure China" ; aikg:offeredBy ent:microsoft ;
    aikg:operatedBy ent:21vianet ; aikg:providesAccessTo ent:azure-openai-service ; aikg:availableIn ent:china ;
    dcterms:source src:d .
ent:example-chat a aikg:Service ; rdfs:label "Example Chat" ; aikg:offeredBy ent:example-labs ;
    aikg:availableIn ent:hong-kong ; dcterms:source src:g .
ent:example-assistant a aikg:Service ; rdfs:label "Example Assistant" ; aikg:offeredBy ent:example-labs ;
    dcterms:source src:g .

ent:h100 a aikg:Chip ; rdfs:label "H100" ; aikg:developedBy ent:nvidia ; aikg:manufacturedBy ent:tsmc ;
    aikg:availableIn ent:hong-kong ; dcterms:source src:e .
ent:h20 a aikg:Chip ; rdfs:label "H20" ; aikg:developedBy ent:nvidia ; aikg:manufacturedBy ent:tsmc ;
    dcterms:source src:e .

ent:chinese-enterprise-customers a aikg:CustomerSegment ; rdfs:label "Chinese enterprise customers" ;
    aikg:basedIn ent:china ; aikg:customerOf ent:azure-china ; dcterms:source src:d .

ent:r-openai-china a aikg:Restriction ; rdfs:label "OpenAI API blocked in China" ;
    aikg:restricts ent:openai-api ; aikg:appliesIn ent:china ; aikg:imposedBy ent:openai ;
    aikg:kind aikg:AccessBlock ; aikg:effectiveFrom "2024-07-09"^^xsd:date ; dcterms:source src:a .
ent:r-chatgpt-china a aikg:Restriction ; rdfs:label "ChatGPT blocked in China" ;
    aikg:restricts ent:chatgpt ; aikg:appliesIn ent:china ; aikg:imposedBy ent:cac ; aikg:kind aikg:Ban ;
    dcterms:source src:i .
ent:r-h100-china a aikg:Restriction ; rdfs:label "H100 export control" ;
    aikg:restricts ent:h100 ; aikg:appliesIn ent:china ; aikg:imposedBy ent:bis ; aikg:kind aikg:ExportControl ;
    aikg:effectiveFrom "2022-10-07"^^xsd:date ; dcterms:source src:h .
ent:r-chatgpt-italy a aikg:Restriction ; rdfs:label "ChatGPT suspended in Italy" ;
    aikg:restricts ent:chatgpt ; aikg:appliesIn ent:italy ; aikg:imposedBy ent:garante ; aikg:kind aikg:Suspension ;
    aikg:effectiveFrom "2023-03-31"^^xsd:date ; aikg:effectiveUntil "2023-04-28"^^xsd:date ; dcterms:source src:j .
ent:r-assistant-eu a aikg:Restriction ; rdfs:label "Example Assistant banned in the EU" ;
    aikg:restricts ent:example-assistant ; aikg:appliesIn ent:european-union ; aikg:imposedBy ent:eu-office ;
    aikg:kind aikg:Ban ; aikg:effectiveFrom "2025-02-02"^^xsd:date ; dcterms:source src:j .
ent:r-example-chat-china a aikg:Restriction ; rdfs:label "Example Chat banned in China" ;
    aikg:restricts ent:example-chat ; aikg:appliesIn ent:china ; aikg:imposedBy ent:cac ; aikg:kind aikg:Ban ;
    aikg:effectiveFrom "2023-01-01"^^xsd:date ; dcterms:source src:i .
"""

NEWS = URIRef("https://example.org/news/azure-china")
QUOTE = "Azure OpenAI Service stays available to enterprise customers in China through the local operator."


def make_ontology_dir(root: Path, reference: str) -> Path:
    """A copy of ontology/ whose reference folder holds only ``reference``."""
    folder = root / "ontology"
    shutil.copytree(ONTOLOGY, folder, ignore=shutil.ignore_patterns("reference"))
    (folder / "reference").mkdir()
    (folder / "reference" / "mini.trig").write_text(_as_trig(reference), encoding="utf-8")
    return folder


def _as_trig(turtle: str) -> str:
    """The mini data as curated files hold facts: each in the graph of the source its subject cites."""
    from rdflib import Dataset
    from rdflib.namespace import DCTERMS

    from aikg.facts.reference import STATED_PREDICATES

    g, ds = Graph().parse(data=turtle, format="turtle"), Dataset()
    for s, p, o in g:
        for source in (g.objects(s, DCTERMS.source) if p in STATED_PREDICATES else [None]):
            (ds.graph(source) if source is not None else ds.default_graph).add((s, p, o))
    return ds.serialize(format="trig")


@pytest.fixture(scope="module")
def mini_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("mini")
    mp = pytest.MonkeyPatch()
    mp.setenv("AIKG_ONTOLOGY_DIR", str(make_ontology_dir(root, MINI)))
    try:
        init_store(str(root / "store"))
    finally:
        mp.undo()
    store = EmbeddedStore(root / "store", write=True)
    # One ingested fact with a quote, as a document graph would hold it.
    doc = Graph()
    s, p, o = ENT["chinese-enterprise-customers"], URIRef(PREFIXES["aikg"] + "customerOf"), ENT["azure-openai-service"]
    doc.add((s, p, o))
    for t in provenance(GRAPH["doc/test"], s, p, o, NEWS, confidence=0.8, extractor="test", quote=QUOTE):
        doc.add(t)
    store.replace_graphs({GRAPH["doc/test"]: doc})
    yield store
    store.close()


def run(store, name: str, **params) -> list[dict]:
    """Run a query file, replacing the default of each ``VALUES ?param { ... }`` given."""
    text = (ONTOLOGY / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    for var, term in params.items():
        text, n = re.subn(rf"VALUES \?{var} \{{[^}}]*\}}", f"VALUES ?{var} {{ {term.n3()} }}", text)
        assert n == 1, f"{name}.rq has no VALUES default for ?{var}"
    return [{k: str(v) for k, v in row.items()} for row in store.query(text, prefixes=False).dicts()]


def col(rows, var) -> list:
    return [r.get(var) for r in rows]


def date(text):
    return Literal(text, datatype=XSD.date)


# --- the files themselves ---------------------------------------------------------------


def test_at_least_ten_questions():
    assert len(QUERIES) >= 10


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_file_has_header_and_defaults(path):
    text = path.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert header[0].startswith("# Question:"), "the first line states the question"
    assert any(line.startswith("# Parameters:") for line in header)
    params = re.findall(r"VALUES (\?\w+)", text)
    assert params, "parameters have defaults bound by VALUES"
    for p in params:
        assert p in " ".join(header), f"{p} is not documented in the header"
    prepareQuery(text)  # rdflib parses it too, so the file is portable SPARQL


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_file_runs_as_is(mini_store, path):
    rows = mini_store.query(path.read_text(encoding="utf-8"), prefixes=False).rows
    assert rows, f"{path.name} answers nothing on the test graph with its defaults"


# --- the answers -----------------------------------------------------------------------


def test_services_for_model(mini_store):
    rows = run(mini_store, "services_for_model")
    got = sorted({(r["serviceLabel"], r.get("jurisdictionLabel")) for r in rows}, key=str)
    assert got == sorted({
        ("Azure China", "China"), ("Azure OpenAI Service", "Hong Kong"), ("Azure OpenAI Service", "United States"),
        ("ChatGPT", None), ("OpenAI API", "United States")}, key=str)
    azure_china = next(r for r in rows if r["serviceLabel"] == "Azure China")
    assert azure_china["operatorLabel"] == "21Vianet" and azure_china["providerLabel"] == "Microsoft"
    assert run(mini_store, "services_for_model", model=ENT.qwen) == []


def test_restrictions_in_force_in_china(mini_store):
    rows = run(mini_store, "restrictions_in_force")
    assert sorted(col(rows, "productLabel")) == ["ChatGPT", "Example Chat", "H100", "OpenAI API"]
    before = run(mini_store, "restrictions_in_force", date=date("2024-07-08"))
    assert "OpenAI API" not in col(before, "productLabel")  # effective from 2024-07-09
    assert "OpenAI API" in col(run(mini_store, "restrictions_in_force", date=date("2024-07-09")), "productLabel")
    assert col(run(mini_store, "restrictions_in_force", jurisdiction=ENT["hong-kong"]), "productLabel") == []


def test_restrictions_in_force_follow_part_of_and_end_dates(mini_store):
    during = run(mini_store, "restrictions_in_force", jurisdiction=ENT.italy, date=date("2023-04-15"))
    assert col(during, "productLabel") == ["ChatGPT"]
    assert col(run(mini_store, "restrictions_in_force", jurisdiction=ENT.italy, date=date("2023-04-29")),
               "productLabel") == []
    later = run(mini_store, "restrictions_in_force", jurisdiction=ENT.italy, date=date("2025-06-01"))
    assert col(later, "productLabel") == ["Example Assistant"]  # imposed on the EU


def test_investors(mini_store):
    rows = run(mini_store, "investors")
    assert col(rows, "investorLabel") == ["Microsoft", "SoftBank"]
    assert all(r["source"].startswith("https://example.org/src/") for r in rows)


def test_chips_restricted_by_us_to_china(mini_store):
    rows = run(mini_store, "chips_restricted_by_country")
    assert [(r["chipLabel"], r["imposedByLabel"], r["from"], r["kindLabel"]) for r in rows] == [
        ("H100", "Bureau of Industry and Security", "2022-10-07", "export control")]
    assert run(mini_store, "chips_restricted_by_country", country=ENT.china) == []


def test_models_by_developer(mini_store):
    assert [(r["modelLabel"], r["developerLabel"]) for r in run(mini_store, "models_by_developer")] == [
        ("GPT-4o", "OpenAI")]
    through_subsidiary = run(mini_store, "models_by_developer", company=ENT["alibaba-group"])
    assert [(r["modelLabel"], r["developerLabel"]) for r in through_subsidiary] == [("Qwen", "Tongyi Lab")]


def test_chip_makers(mini_store):
    assert [(r["role"], r["orgLabel"]) for r in run(mini_store, "chip_makers")] == [
        ("developer", "Nvidia"), ("manufacturer", "TSMC")]


def test_services_operated_by_21vianet(mini_store):
    assert [(r["serviceLabel"], r["offeredByLabel"], r["jurisdictionLabel"])
            for r in run(mini_store, "services_operated_by")] == [("Azure China", "Microsoft", "China")]


def test_restrictions_for_jurisdiction_through_part_of(mini_store):
    rows = run(mini_store, "restrictions_for_jurisdiction")
    assert sorted((r["productLabel"], r["appliesInLabel"]) for r in rows) == [
        ("ChatGPT", "Italy"), ("Example Assistant", "European Union")]
    eu = run(mini_store, "restrictions_for_jurisdiction", jurisdiction=ENT["european-union"])
    assert col(eu, "productLabel") == ["Example Assistant"]  # the EU is not covered by Italy's rules


def test_subsidiaries_of_chinese_companies(mini_store):
    rows = run(mini_store, "foreign_owned_subsidiaries")
    assert sorted((r["companyLabel"], r["ownerLabel"]) for r in rows) == [
        ("Alibaba Cloud", "Alibaba Group"), ("Lazada", "Alibaba Group"),
        ("Tongyi Lab", "Alibaba Cloud"), ("Tongyi Lab", "Alibaba Group")]
    assert next(r for r in rows if r["companyLabel"] == "Lazada")["companyCountryLabel"] == "Singapore"
    us = run(mini_store, "foreign_owned_subsidiaries", country=ENT["united-states"])
    assert [(r["companyLabel"], r["ownerLabel"]) for r in us] == [
        ("Bureau of Industry and Security", "US Department of Commerce")]


def test_facts_about_entity_with_sources_and_quotes(mini_store):
    rows = run(mini_store, "facts_about")
    facts = {(r.get("subjectLabel"), r["predicate"].rsplit("#", 1)[-1], r.get("objectLabel") or r["object"])
             for r in rows}
    assert ("Azure OpenAI Service", "offeredBy", "Microsoft") in facts
    assert ("Azure China", "providesAccessTo", "Azure OpenAI Service") in facts
    quoted = [r for r in rows if r.get("quote")]
    assert [(r["subjectLabel"], r["source"], r["quote"], float(r["confidence"])) for r in quoted] == [
        ("Chinese enterprise customers", str(NEWS), QUOTE, 0.8)]
    curated = next(r for r in rows if r["predicate"].endswith("offeredBy"))
    assert curated["source"] == "https://example.org/src/b" and float(curated["confidence"]) == 1.0


def test_available_in_hong_kong_restricted_in_china(mini_store):
    rows = run(mini_store, "available_here_restricted_there")
    assert [(r["productLabel"], r["imposedByLabel"]) for r in rows] == [
        ("Example Chat", "Cyberspace Administration of China"), ("H100", "Bureau of Industry and Security")]
    assert col(run(mini_store, "available_here_restricted_there", date=date("2022-01-01")), "productLabel") == []


def test_partners_both_directions(mini_store):
    assert col(run(mini_store, "partners"), "partnerLabel") == ["21Vianet", "OpenAI"]
    assert col(run(mini_store, "partners", org=ENT.openai), "partnerLabel") == ["Microsoft"]


def test_parameter_values_are_checked_by_the_helper(mini_store):
    with pytest.raises(AssertionError, match="no VALUES default"):
        run(mini_store, "partners", nosuch=ENT.openai)


# --- on the reference graph ------------------------------------------------------------



@pytest.fixture(scope="module")
def reference_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("refq") / "store"
    init_store(str(path))
    store = EmbeddedStore(path)
    yield store
    store.close()


def labels_of(store, query: str) -> set[str]:
    return {str(r[0]) for r in store.query(query).rows}


def iri_of(store, label: str) -> URIRef:
    rows = store.query(f'SELECT ?e WHERE {{ ?e rdfs:label ?l FILTER(LCASE(STR(?l)) = "{label.lower()}") '
                       'FILTER NOT EXISTS { ?e a aikg:Statement } }').rows
    assert len({r[0] for r in rows}) == 1, f"no single entity labelled {label!r} in the reference graph"
    return rows[0][0]


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_reference_defaults_name_real_entities(reference_store, path):
    """Every default IRI in a query file exists in the reference graph."""
    text = path.read_text(encoding="utf-8")
    for local in re.findall(r"VALUES \?\w+ \{ ent:([\w-]+) \}", text):
        assert reference_store.query(f"ASK {{ ent:{local} rdfs:label ?l }}").boolean, f"ent:{local} is unknown"


def test_reference_gpt4o_services(reference_store):
    rows = run(reference_store, "services_for_model", model=iri_of(reference_store, "GPT-4o"))
    services = set(col(rows, "serviceLabel"))
    assert {"Azure OpenAI Service", "ChatGPT"} <= services
    assert "Hong Kong" in {r.get("jurisdictionLabel") for r in rows if r["serviceLabel"] == "Azure OpenAI Service"}


def test_reference_restrictions_in_china(reference_store):
    china = iri_of(reference_store, "China")
    rows = run(reference_store, "restrictions_in_force", jurisdiction=china, date=date("2024-08-01"))
    products = set(col(rows, "productLabel"))
    assert "ChatGPT" in products and "H100" in products
    before = run(reference_store, "restrictions_in_force", jurisdiction=china, date=date("2024-07-01"))
    openai_blocks = [r for r in rows if r.get("imposedByLabel") == "OpenAI"]
    assert openai_blocks and all(r["from"] == "2024-07-09" for r in openai_blocks)
    assert not [r for r in before if r.get("imposedByLabel") == "OpenAI"]


def test_reference_us_chip_controls(reference_store):
    rows = run(reference_store, "chips_restricted_by_country", country=iri_of(reference_store, "United States"),
               target=iri_of(reference_store, "China"))
    chips = set(col(rows, "chipLabel"))
    assert {"H100", "A100"} <= chips
    assert "H20" not in {r["chipLabel"] for r in rows if (r.get("from") or "") < "2023-10-17"}


def test_reference_21vianet_and_investors(reference_store):
    operated = run(reference_store, "services_operated_by", operator=iri_of(reference_store, "21Vianet"))
    assert operated and all(r.get("offeredByLabel") in (None, "Microsoft") for r in operated)
    investors = run(reference_store, "investors", company=iri_of(reference_store, "OpenAI"))
    assert "Microsoft" in col(investors, "investorLabel")


def test_reference_italy_through_eu(reference_store):
    rows = run(reference_store, "restrictions_for_jurisdiction", jurisdiction=iri_of(reference_store, "Italy"))
    assert "Italy" in col(rows, "appliesInLabel")
