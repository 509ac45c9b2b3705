"""Rule-based relation extraction: each relation family, negation, hedging, restrictions."""
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from graph.extractor import Extractor, _keywords
from graph.linker import Gazetteer, Linker, load_lexicon
from graph.store import EmbeddedStore

MINI = Path(__file__).parent / "data" / "ingest" / "mini.ttl"


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory):
    from graph.bootstrap import init_store

    path = tmp_path_factory.mktemp("extractor") / "store"
    init_store(str(path), empty=True)
    with EmbeddedStore(path, write=True) as store:
        store.replace_graphs({URIRef("urn:test:mini"): Graph().parse(MINI)})
        yield Gazetteer.from_store(store)


def run(gazetteer, text, published=None):
    return Extractor(Linker(gazetteer)).extract(text, published)


def triples(result, negated=False):
    return {(f.subject.label, f.predicate, f.object.label) for f in result.facts if f.negated == negated}


@pytest.mark.parametrize("text, fact", [
    ("Nvidia unveiled the Vexa X9 accelerator chip on Tuesday.", ("Vexa X9", "developedBy", "Nvidia")),
    ("GPT-4o was developed by OpenAI.", ("GPT-4o", "developedBy", "OpenAI")),
    ("ChatGPT, which is a consumer app offered by OpenAI, grew fast.", ("ChatGPT", "offeredBy", "OpenAI")),
    ("Microsoft's Azure OpenAI is sold to banks.", ("Azure OpenAI Service", "offeredBy", "Microsoft")),
    ("The Azure OpenAI Service is operated by the local partner Nuvana in China.",
     ("Azure OpenAI Service", "operatedBy", "Nuvana")),
    ("GPT-4o is available through Azure OpenAI Service.", ("Azure OpenAI Service", "providesAccessTo", "GPT-4o")),
    ("OpenAI API is part of the Frontier Cloud platform.", ("OpenAI API", "partOf", "Frontier Cloud")),
    ("Kestrel Labs, a subsidiary of Oracle, builds tools.", ("Kestrel Labs", "subsidiaryOf", "Oracle")),
    ("Microsoft has invested $2 billion in OpenAI.", ("Microsoft", "investedIn", "OpenAI")),
    ("Meta and Oracle have a long-standing partnership.", ("Meta", "partnerOf", "Oracle")),
    ("Meta has been one of Oracle's largest customers.", ("Meta", "customerOf", "Oracle")),
    ("Anthropic, which is headquartered in San Francisco, hired staff.", ("Anthropic", "basedIn", "United States")),
    ("ChatGPT is now available in Hong Kong.", ("ChatGPT", "availableIn", "Hong Kong")),
    ("GPT-4o was approved by the Digital Model Commission last week.",
     ("GPT-4o", "approvedBy", "Digital Model Commission")),
    ("The H100 is manufactured by TSMC.", ("H100", "manufacturedBy", "TSMC")),
    ("Oracle deployed thousands of H100 GPUs in its new cluster.", ("Oracle", "usesChip", "H100")),
])
def test_each_relation_family(gazetteer, text, fact):
    assert fact in triples(run(gazetteer, text))


def test_lists_expand_to_several_facts(gazetteer):
    got = triples(run(gazetteer, "GPT-4o is offered on Azure OpenAI Service, Kestrel Cloud and Orbis AI Studio."))
    for service in ("Azure OpenAI Service", "Kestrel Cloud", "Orbis AI Studio"):
        assert (service, "providesAccessTo", "GPT-4o") in got


def test_anaphors_and_pronouns(gazetteer):
    res = run(gazetteer, "Anthropic introduced a new model. The company, which is based in San Francisco, "
                         "also released Claude Nimbus 2 on Monday.")
    got = triples(res)
    assert ("Anthropic", "basedIn", "United States") in got
    assert ("Claude Nimbus 2", "developedBy", "Anthropic") in got


@pytest.mark.parametrize("text", [
    "Microsoft does not offer GPT-4o in Hong Kong.",
    "Meta has never been one of Oracle's customers.",
    "GPT-4o may be available through Azure OpenAI Service next year.",
    "Oracle plans to deploy H100 GPUs in its cluster.",
    "Microsoft is reportedly considering an investment in OpenAI.",
])
def test_negation_and_hedging_yield_no_positive_fact(gazetteer, text):
    assert not triples(run(gazetteer, text))


def test_negated_statement_is_recorded(gazetteer):
    res = run(gazetteer, "ChatGPT remains unsupported in mainland China.")
    assert triples(res, negated=True) == {("ChatGPT", "availableIn", "China")}
    assert not triples(res)


def test_restriction_with_resolved_start_date(gazetteer):
    res = run(gazetteer, "OpenAI said on Monday that it would restrict Chinese customers from using its API "
                         "starting Friday.", published=date(2022, 3, 2))
    [r] = res.restrictions
    assert (r.kind, r.imposer.label, [e.label for e in r.restricts]) == ("AccessBlock", "OpenAI", ["OpenAI API"])
    assert [e.label for e in r.applies_in] == ["China"]
    assert r.effective_from == date(2022, 3, 4)


def test_restriction_without_publication_date_stays_undated(gazetteer):
    [r] = run(gazetteer, "OpenAI will restrict Chinese users from using its API starting July 9th.").restrictions
    assert r.effective_from is None


def test_ban_imposed_by_the_government_of_the_place(gazetteer):
    [r] = run(gazetteer, "ChatGPT is banned in China.").restrictions
    assert (r.kind, r.imposer.label, [e.label for e in r.applies_in]) == ("Ban", "Government of China", ["China"])


def test_export_control_excludes_places_outside_and_the_imposer_home(gazetteer):
    text = ("The Dutch government said that, starting Saturday, the maker will need a Dutch export licence to ship "
            "the Lumo 300 scanners to destinations outside the European Union, including China.")
    [r] = run(gazetteer, text, published=date(2022, 3, 2)).restrictions
    assert r.kind == "ExportControl"
    assert r.imposer.label == "Government of Netherlands"
    assert [e.label for e in r.applies_in] == ["China"]
    assert r.effective_from == date(2022, 3, 5)
    assert "Lumo 300 scanners" in [e.label for e in r.restricts] or "Lumo 300" in [e.label for e in r.restricts]


def test_criticism_is_not_a_restriction(gazetteer):
    assert not run(gazetteer, "Beijing has criticised the export controls on H100 chips.").restrictions


def test_lexicon_patterns_all_compile_with_keywords():
    lex = load_lexicon()
    n = 0
    for spec in lex["relations"]:
        for item in spec["patterns"]:
            pattern = item["pattern"] if isinstance(item, dict) else item
            kw = _keywords(pattern)
            assert kw is None or all(w and " " not in w for w in kw), pattern
            n += 1
    assert n > 50
