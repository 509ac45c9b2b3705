"""Entity recognition and linking against the store's own names."""
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from graph.ids import entity_iri
from graph.linker import Gazetteer, Linker, isa, nlp
from graph.store import EmbeddedStore

MINI = Path(__file__).parent / "data" / "ingest" / "mini.ttl"


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory):
    from graph.bootstrap import init_store

    path = tmp_path_factory.mktemp("linker") / "store"
    init_store(str(path), empty=True)
    with EmbeddedStore(path, write=True) as store:
        store.replace_graphs({URIRef("urn:test:mini"): Graph().parse(MINI)})
        yield Gazetteer.from_store(store)


def link(gazetteer, *sentences):
    """(text, label or None, kind) of every mention, sentence by sentence, one document."""
    linker = Linker(gazetteer)
    text = " ".join(sentences)
    linker.start_document(text)
    out = []
    for sent in nlp()(text).sents:
        ms = linker.mentions(sent)
        out.append([(m.text, (m.resolve() or m.entity).label if (m.resolve() or m.entity) else None, m.kind)
                    for m in ms])
        linker.note(ms)
    return out, linker


def labels(result):
    return [label for sent in result for _, label, _ in sent]


def test_labels_aliases_and_case(gazetteer):
    res, _ = link(gazetteer, "NVIDIA Corporation and Nvidia shares rose, while meta fell.")
    assert labels(res)[:2] == ["Nvidia", "Nvidia"]
    assert "Meta" not in labels(res)  # the lower-case word is not the company


def test_possessives_and_possessive_inside_a_name(gazetteer):
    res, _ = link(gazetteer, "OpenAI’s chatbot is popular; Azure's OpenAI service is another matter.")
    assert "OpenAI" in labels(res) and "Azure OpenAI Service" in labels(res)


def test_company_suffix_and_plural(gazetteer):
    res, _ = link(gazetteer, "Micron said its customers use H100s and Meta Platforms Inc. agreed.")
    assert {"Micron Technology", "H100", "Meta"} <= set(labels(res))


def test_acronym_defined_in_text_links_later_mentions(gazetteer):
    res, linker = link(gazetteer, "The Digital Trade Agency (DTA) issued new rules.", "The DTA said more will follow.")
    first = [m for m in res[0] if m[0] == "Digital Trade Agency"][0]
    assert first[1] == "Digital Trade Agency"
    assert ("DTA", "Digital Trade Agency", "entity") in res[1]
    new = linker.new_entities[entity_iri("Digital Trade Agency")]
    assert "Regulator" in new.types and new.aliases == ["DTA"]


def test_fuzzy_match_above_threshold_only(gazetteer):
    res, _ = link(gazetteer, "Analysts said Open-AI and Microsoft Corporaton had talked.")
    assert labels(res).count("Microsoft") == 1
    assert gazetteer.fuzzy("Micro") is None


def test_new_entities_typed_by_their_cue_and_reused(gazetteer):
    res, linker = link(gazetteer, "Chinese LLM firm Zhipu released a model.",
                       "Separately, the local cloud provider Vantaru signed a deal.", "Zhipu grew fast.")
    zhipu = gazetteer.entities[entity_iri("Zhipu")]
    assert zhipu.new and isa(zhipu.types, "Company")
    assert isa(gazetteer.entities[entity_iri("Vantaru")].types, "Organization")
    assert res[2][0][1] == "Zhipu"  # the later mention is the same node
    assert len([e for e in linker.new_entities if e == entity_iri("Zhipu")]) == 1


def test_demonyms_segments_and_governments(gazetteer):
    res, linker = link(gazetteer, "Chinese enterprise customers can still use the service.",
                       "The Chinese government blocked it.", "Microsoft customers were unaffected.")
    seg = res[0][0]
    assert seg[1] == "Chinese enterprise customers" and seg[2] == "segment"
    assert ("The Chinese government" in [t for t, _, _ in res[1]] or
            "Chinese government" in [t for t, _, _ in res[1]])
    assert "Government of China" in labels(res)
    assert res[2][0][1] == "Microsoft customers"


def test_anaphors_resolve_to_the_document_subject(gazetteer):
    res, _ = link(gazetteer, "Oracle said demand was strong.", "The company also opened a data centre.")
    assert ("The company" in [t for t, _, _ in res[1]] or "company" in [t for t, _, _ in res[1]])
    assert "Oracle" in labels(res[1:])


def test_places_map_to_countries_and_dates_are_not_names(gazetteer):
    res, _ = link(gazetteer, "The firm is based in San Francisco and the deal closes on July 9th.")
    assert "United States" in labels(res)
    assert not any(t.startswith("9th") for sent in res for t, _, _ in sent)
