"""Entity recognition and linking against the store's own names."""
from pathlib import Path

import pytest

from aikg.ingest.gazetteer import isa
from aikg.ingest.linker import Linker
from aikg.ingest.tokens import nlp
from aikg.names.ids import entity_iri


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


def test_a_regulator_word_with_a_version_number_or_alone_names_no_regulator(gazetteer):
    linker = Linker(gazetteer)
    for text, name in (("Microsoft will bring GPT-4o into Office 365 this autumn.", "Office 365"),
                       ("The Digital Services Agency fined the firm.", "Digital Services Agency"),
                       ("Staff may keep using Bureau on their phones.", "Bureau")):
        linker.start_document(text)
        [sent] = list(nlp()(text).sents)
        found = {m.text: m.entity for m in linker.mentions(sent) if m.entity is not None}
        regulator = name in found and isa(found[name].types, "Regulator")
        assert regulator == (name == "Digital Services Agency"), (text, found)


def test_a_class_noun_after_a_product_is_not_a_bare_product_an_earlier_document_left(gazetteer):
    linker = Linker(gazetteer)
    goods = linker.implied_entity("accelerators", "Chip")  # as "exports of accelerators" leaves one
    text = "Nvidia sold 500 H200 accelerators to OpenAI last month."
    linker.start_document(text)
    [sent] = list(nlp()(text).sents)
    linked = {m.text: m.entity.label for m in linker.mentions(sent) if m.entity is not None}
    assert goods.label not in linked.values() and any(label == "H200" for label in linked.values()), linked


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


def test_dates_are_not_names(gazetteer):  # places (cities inside countries): tests/test_places.py
    res, _ = link(gazetteer, "The firm is based in San Francisco and the deal closes on July 9th.")
    assert not any(t.startswith("9th") for sent in res for t, _, _ in sent)


# -- the fast paths keep the slow paths' answers -------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from aikg.ingest.gazetteer import name_key  # noqa: E402
from aikg.ingest.tokens import sentences  # noqa: E402
from aikg.lexicon import needed_words  # noqa: E402

TRICKY = [
    "Nvidia's H100s ship today.  Two spaces here!  And \"quotes\" (ok)? Yes... fine.",
    "U.S. officials said so.\tTabs, too. 3.5 percent rose; no. It’s “curly”.",
    "Ends without a full stop",
    "!!! ... ?",
    "Émigré café in Zürich — naïve résumé. 東京 で 会議。 Done.",
]


def spacy_sentences(text):
    return [[(t.text, t.whitespace_, t.idx, t.is_punct, t.is_alpha, t.like_num) for t in s] for s in nlp()(text).sents]


def light_sentences(text):
    pipe = nlp()
    doc = pipe.tokenizer(text)
    out = sentences(doc, text, pipe.get_pipe("sentencizer").punct_chars)
    for s in out:  # the sentence text is the span's
        assert s.text == text[s.offsets[0]:s.offsets[-1] + len(s.tokens[-1].text)]
    return [[(t.text, t.whitespace_, o, t.is_punct, t.is_alpha, t.like_num) for t, o in zip(s.tokens, s.offsets)]
            for s in out]


@pytest.mark.parametrize("text", TRICKY)
def test_light_sentences_are_spacys_sentences(text):
    assert light_sentences(text) == spacy_sentences(text)
    pipe_doc = nlp()(text)  # a doc that went through the whole pipeline: its own sentence starts
    assert [[t.text for t in s] for s in sentences(pipe_doc)] == [[t.text for t in s] for s in pipe_doc.sents]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcXYZ019 .!?,;'’\"-()\n\t…。")), max_size=60))
def test_light_sentences_match_spacy_on_any_text(text):
    assert light_sentences(text) == spacy_sentences(text)


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdeimnoprstu -")), min_size=5, max_size=16))
def test_fuzzy_lookup_equals_one_search_over_every_name(gazetteer, text):
    gazetteer.fuzzy("warm up")  # builds the index
    hit = process.extractOne(text.lower(), gazetteer._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=92)
    expected = gazetteer._fuzzy_map[hit[0]] if hit else None
    assert gazetteer.fuzzy(text) is expected


def test_needed_words_of_generic_patterns():
    assert needed_words("(?:advanced )?ai chips") == [("ai chips",)]
    assert needed_words("(?:duv |euv )?lithography (?:systems|tools)") == [("lithography",), ("systems", "tools")]
    assert needed_words("chips?") == [("chip",)]
    assert needed_words("a|b") == []  # a top-level alternative: nothing is mandatory
    assert needed_words("x[a-z]+ y") == [("x",), ("y",)]  # a class is skipped whole
    assert needed_words("(?:One|two) three") == [("three",)]  # options not plain lower-case words: no requirement


def test_generic_product_prefilter_never_hides_a_match(gazetteer):
    linker = Linker(gazetteer)
    text = ("Shipments of Advanced Chipmaking Equipment and older DUV lithography scanners resumed, "
            "as did AI chips and High-Bandwidth Memory.")
    res, _ = link(gazetteer, text)
    names = {t.lower() for sent in res for t, _, _ in sent}
    for rx, _typ in linker.generic:
        for m in rx.finditer(text):
            assert m.group(0).lower() in names


def test_a_suffix_variant_leaves_no_trailing_comma(gazetteer):
    res, _ = link(gazetteer, "Micron Technology, Nvidia and Meta rose.")
    assert [t for t, _, _ in res[0]][:3] == ["Micron Technology", "Nvidia", "Meta"]


def test_segments_name_customers_not_staff(gazetteer):
    res, _ = link(gazetteer, "Former OpenAI researchers and Microsoft customers met.")
    kinds = {t: k for t, _, k in res[0]}
    assert kinds.get("Microsoft customers") == "segment"
    assert "OpenAI researchers" not in kinds and kinds.get("OpenAI") == "entity"


def test_a_known_segment_is_based_on_the_longest_known_name(gazetteer):
    linker = Linker(gazetteer)
    text = "Frontier Cloud customers were pleased."
    linker.start_document(text)
    [m] = [m for s in nlp()(text).sents for m in linker.mentions(s)]
    assert m.kind == "segment" and m.base.label == "Frontier Cloud"


def _spacy_key(text):
    return tuple(t.text.lower().replace("’", "'") for t in nlp().tokenizer(text)
                 if t.text not in ("'s", "’s", "'", "’"))


_WORDS = ["Cannot", "cannot", "gonna", "Dont", "im", "Org", "Cloud", "AI", "a", "I", "H100", "10km", "2nd", "GPT-4o",
          "Inc.", "AT&T", "U.S.", "it's", "Nvidia’s", "x86", "B200", "", "  "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORDS) | st.text("abcXYZ019", min_size=1, max_size=6), min_size=1, max_size=4))
def test_name_keys_skip_the_tokenizer_only_where_it_would_agree(words):
    text = " ".join(words)
    name_key.cache_clear()
    assert name_key(text) == _spacy_key(text)


def test_name_keys_of_the_reference_labels_match_the_tokenizer():
    from rdflib import RDFS, SKOS

    from aikg.facts.reference import load_reference

    g = load_reference(Path(__file__).parent.parent / "ontology")
    names = {str(o) for p in (RDFS.label, SKOS.altLabel) for o in g.objects(None, p)}
    assert len(names) > 300
    name_key.cache_clear()
    assert [name_key(n) for n in sorted(names)] == [_spacy_key(n) for n in sorted(names)]


def test_a_generation_or_an_app_named_after_a_known_product_is_a_name_of_its_own(gazetteer):
    result, linker = link(gazetteer, "ChatGPT 9 arrives next year.", "The ChatGPT Vista app is new.",
                          "ChatGPT, 4 rivals and more were shown.")
    assert labels(result)[:2] == ["ChatGPT 9", "ChatGPT Vista"]
    assert linker.gaz.lookup("ChatGPT 9").new and isa(linker.gaz.lookup("ChatGPT Vista").types, "Service")
    assert result[2][0][1] == "ChatGPT"  # a number after a comma counts something else


def test_a_ministry_written_either_way_is_one_body(gazetteer):
    result, _ = link(gazetteer, "The Transport Ministry issued a note.", "The Ministry of Transport said more.")
    [[(_, first, _)], [(_, second, _)]] = result
    assert first == second == "Transport Ministry"


def test_a_maker_named_alone_elsewhere_is_split_off_its_model_code(gazetteer):
    # the store does not know Kestrel; the text says it is a maker: it names it on its own twice
    text = ("Orders for the Kestrel K90 accelerator rose. Buyers said they get chips from Kestrel, and "
            "Kestrel plans more. The Vireo 3 model and the Lumo Z9 chip came out; Lumo is a product line.")
    linker = Linker(gazetteer)
    linker.start_document(text)
    found = []
    for sent in nlp()(text).sents:
        ms = linker.mentions(sent)
        found += [(m.text, sorted(m.entity.types)) for m in ms if m.entity is not None]
        linker.note(ms)
    assert ("Kestrel", ["Company"]) in found and ("K90 accelerator", ["Chip"]) in found
    assert "Vireo 3 model" in dict(found) and "Lumo Z9 chip" in dict(found)  # a generation; a word seen alone once


def test_a_name_before_a_plural_product_noun_is_its_maker_when_the_text_names_it_alone(gazetteer):
    text = ("Demand for Kestrel chips keeps rising. Analysts expect Kestrel to grow, and buyers wait for Kestrel. "
            "Heron chips are also popular.")
    result, linker = link(gazetteer, text)
    assert isa(linker.gaz.lookup("Kestrel").types, "Company")
    assert isa(linker.gaz.lookup("Heron").types, "Chip")  # never named alone: the chips' own name


def test_a_one_letter_name_can_end_a_sentence():
    from aikg.ingest.tokens import sentences, split_at_letter_names

    text = "Fans post clips on X. Only paying fans get more. A book by J. Smith sold well."
    pieces = [p.text for s in sentences(nlp().tokenizer(text), text, [".", "!", "?"])
              for p in split_at_letter_names(s, lambda letter: letter == "X")]
    assert pieces == ["Fans post clips on X.", "Only paying fans get more.", "A book by J. Smith sold well."]
    assert [t.text for t in split_at_letter_names(sentences(nlp().tokenizer(text), text, ["."])[0],
                                                  lambda letter: letter == "X")[0].tokens][-2:] == ["X", "."]


def test_a_stock_symbol_after_its_companys_possessive_is_no_name(gazetteer):
    result, _ = link(gazetteer, "Oracle’s ORCL cloud unit grew.", "Oracle's TPX chips are new.")
    assert [t for t, _, _ in result[0]] == ["Oracle"]
    assert "TPX chips" in [t for t, _, _ in result[1]]  # a class noun after it: a product


def test_a_possessive_before_a_class_noun_is_an_owner_not_part_of_a_name(gazetteer):
    # "OpenAI API" is a name in the store; "OpenAI's API model" is a model of OpenAI's, the name is not read across
    result, _ = link(gazetteer, "OpenAI's API model is fast.", "OpenAI's API is fast.")
    assert labels(result) == ["OpenAI", "OpenAI API"]


def test_an_operating_system_before_app_says_where_it_runs(gazetteer):
    result, _ = link(gazetteer, "Kestrel Chat is now a standalone iOS app.", "The Kestrel iOS 19 update is out.")
    assert "iOS" not in [t for t, _, _ in result[0]]
    assert any("iOS 19" in t for t, _, _ in result[1])  # a version is a name


def test_an_appositive_right_after_a_new_name_gives_its_class(gazetteer):
    _, linker = link(gazetteer, "Buyers waited for the Vexa Q7, a chip made for Japan.",
                     "Kestrel said Zorblax 9, an open model, is out.")
    assert linker.gaz.lookup("Vexa Q7").types == {"Chip"}
    assert linker.gaz.lookup("Zorblax 9").types == {"AIModel"}



def test_a_numbered_product_written_as_one_word_is_found(gazetteer):
    from rdflib import URIRef

    from aikg.ingest.gazetteer import Entity

    linker = Linker(gazetteer)
    linker.gaz.add(Entity(URIRef("urn:test:vireo-3"), "Vireo 3", frozenset({"AIModel"})))
    text = "Oracle now serves Vireo3 to its customers."
    linker.start_document(text)
    [sent] = list(nlp()(text).sents)
    assert [m.entity.label for m in linker.mentions(sent) if m.entity is not None] == ["Oracle", "Vireo 3"]

