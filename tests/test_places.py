"""Places inside countries (ontology/reference/places.trig): cities and states link to themselves,
each part of its country; the country is what a government or a restriction needs."""
import json

import pytest

from aikg.ingest.builtin import add_jurisdictions
from aikg.ingest.extractor import Extractor
from aikg.ingest.gazetteer import Gazetteer
from aikg.ingest.linker import Linker
from aikg.ingest.tokens import nlp
from aikg.store.embedded import EmbeddedStore


@pytest.fixture(scope="module")
def gaz(reference_store_path):
    with EmbeddedStore(reference_store_path) as store:
        return Gazetteer.from_store(store)


def linked(gaz, text):
    """{mention text: entity label} over one document."""
    linker = Linker(gaz)
    linker.start_document(text)
    out = {}
    for sent in nlp()(text).sents:
        ms = linker.mentions(sent)
        out.update({m.text: m.entity.label for m in ms if m.entity is not None})
        linker.note(ms)
    return out


def facts(gaz, text):
    return {(f.subject.label, f.predicate, getattr(f.object, "label", f.object))
            for f in Extractor(Linker(gaz)).extract(text).facts}


def test_a_city_links_to_itself_and_lies_in_its_country(gaz):
    got = linked(gaz, "The robot maker opened a second plant in Chengdu and a lab in Texas.")
    assert got["Chengdu"] == "Chengdu" and got["Texas"] == "Texas"
    chengdu, texas = gaz.lookup("Chengdu"), gaz.lookup("Texas")
    assert gaz.country_of(chengdu).label == "China" and gaz.country_of(texas).label == "United States"
    china = gaz.lookup("China")
    assert gaz.country_of(china) is china  # a country is its own
    assert gaz.country_of(gaz.lookup("Germany")).label == "Germany"  # part of the EU, still a country


def test_an_x_based_company_is_based_in_the_city(gaz):
    got = facts(gaz, "Shanghai-based Lumen Labs signed a deal with Microsoft.")
    assert ("Lumen Labs", "basedIn", "Shanghai") in got
    assert not any(p == "basedIn" and o == "China" for s, p, o in got if s == "Lumen Labs")


def test_a_city_that_acts_stands_for_its_countrys_government(gaz):
    [r] = Extractor(Linker(gaz)).extract(
        "Washington placed a licensing requirement on H100 shipments to China.").restrictions
    assert r.imposer.label == "US government"
    assert [e.label for e in r.applies_in] == ["China"]  # the city is not where the rule applies
    [r] = Extractor(Linker(gaz)).extract("Shanghai banned ChatGPT.").restrictions
    assert r.imposer.label == "Chinese government" and [e.label for e in r.applies_in] == ["China"]
    [r] = Extractor(Linker(gaz)).extract("Brussels suspended ChatGPT.").restrictions
    assert r.imposer.label == "European Commission"  # the organisation the store names after the city


def test_a_restriction_in_a_country_covers_an_actor_based_in_one_of_its_cities(cli, tmp_path):
    doc = tmp_path / "robots.md"
    doc.write_text("# Robots\n\nShenzhen-based Lumen Labs is a customer of the OpenAI API.\n", encoding="utf-8")
    assert cli("ingest", doc).exit_code == 0

    def verdict(who, what, at):
        res = cli("path", who, what, "--at", at, "--json")
        assert res.exit_code == 0, res.output
        return json.loads(res.output)["verdict"]

    # the OpenAI API block applies in China from 2024-07-09; Shenzhen is part of China
    assert verdict("Lumen Labs", "OpenAI API", "2024-06-01") == "reachable"
    assert verdict("Lumen Labs", "OpenAI API", "2024-08-01") == "blocked"
    assert verdict("Chinese enterprise customers", "GPT-4o", "2024-08-01") == "reachable"  # via Azure, as before
    assert verdict("Beijing users", "ChatGPT", "2024-08-01") == "blocked"  # a phrase: users in a city of China


def test_a_word_the_document_writes_in_lower_case_is_not_a_city(gaz):
    assert gaz.lookup("Phoenix") is not None  # a city of over a million
    got = linked(gaz, "The brand rose like a phoenix from the ashes. Phoenix now sells its robots in Texas.")
    assert got.get("Phoenix") != "Phoenix"
    assert linked(gaz, "Robot makers met in Phoenix last week.")["Phoenix"] == "Phoenix"


def test_a_city_named_with_another_country_is_not_that_city(gaz):
    # the Santa Clara of the data is the Cuban city (the Californian one is under 200,000 people)
    assert gaz.country_of(gaz.lookup("Santa Clara")).label == "Cuba"
    got = linked(gaz, "The chip designer is based in Santa Clara, California, and sells to Cuba.")
    assert got.get("Santa Clara") != "Santa Clara" and got["California"] == "California"
    assert linked(gaz, "The plant in Hsinchu, Taiwan, makes the chips.")["Hsinchu"] == "Hsinchu"


def test_a_dateline_agency_is_not_the_citys_acronym(gaz):
    got = linked(gaz, "LONDON (AP) — The robot maker said AP reporters visited its lab.")
    assert got.get("LONDON") == "London" and got.get("AP") != "London"


def test_a_city_inside_a_longer_name_is_not_the_city(gaz):
    got = linked(gaz, "Researchers at Shanghai Jiao Tong University and a Washington Post reporter met.")
    assert "Shanghai" not in got and "Washington" not in got
    got = linked(gaz, "Rhea Lindqvist Washington joined the board of the robot maker.")
    assert got.get("Washington") != "Washington"


def test_an_empty_store_still_knows_cities_and_their_countries(empty_store_path):
    with EmbeddedStore(empty_store_path) as store:
        gaz = Gazetteer.from_store(store)
    add_jurisdictions(gaz)
    shanghai = gaz.lookup("Shanghai")
    assert gaz.country_of(shanghai).label == "China"
    assert ("partOf", gaz.lookup("China")) in shanghai.facts  # written where a document first names it
