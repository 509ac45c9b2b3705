"""Restriction frames: when they hold, who imposes them, which wordings trigger them."""
from datetime import date

from aikg.ingest.extractor import Extractor, RestrictionFrame
from aikg.ingest.linker import Linker
from aikg.ingest.restrictions import anchor_dates


def frames(gazetteer, text, published=None):
    return Extractor(Linker(gazetteer)).extract(text, published).restrictions


def test_undated_ban_holds_from_the_publication_date(gazetteer):
    [r] = frames(gazetteer, "ChatGPT is banned in China.", published=date(2024, 5, 6))
    assert r.effective_from == date(2024, 5, 6)


def test_a_start_the_text_gives_is_kept(gazetteer):
    text = "OpenAI will restrict Chinese users from using its API starting July 9, 2024."
    [r] = frames(gazetteer, text, published=date(2024, 6, 25))
    assert r.effective_from == date(2024, 7, 9)


def test_a_restriction_ended_before_publication_gets_no_later_start():
    fr = RestrictionFrame("Ban", None, [], [], "q", 0.7, None, date(2023, 4, 28))
    open_ended = RestrictionFrame("Ban", None, [], [], "q", 0.7)
    anchor_dates([fr, open_ended], date(2024, 1, 2))
    assert (fr.effective_from, fr.effective_until) == (None, date(2023, 4, 28))
    assert open_ended.effective_from == date(2024, 1, 2)


def test_a_new_government_is_named_as_news_names_it(gazetteer):
    # Japan has no government node in the test store: the linker makes one
    [r] = frames(gazetteer, "The H100 chips were banned in Japan on Friday.", published=date(2024, 3, 1))
    assert r.imposer.label == "Japanese government"
    assert "Government of Japan" in r.imposer.aliases
    [r] = frames(gazetteer, "ChatGPT is banned in the United States.")
    assert r.imposer.label == "US government"


def test_withheld_and_licensing_requirement_trigger(gazetteer):
    [r] = frames(gazetteer, "Microsoft withheld Azure OpenAI Service from customers in Hong Kong.")
    assert (r.kind, [e.label for e in r.restricts], [e.label for e in r.applies_in]) == \
        ("AccessBlock", ["Azure OpenAI Service"], ["Hong Kong"])
    [r] = frames(gazetteer, "Washington placed a licensing requirement on H100 shipments to China.")
    assert r.kind == "ExportControl" and [e.label for e in r.restricts] == ["H100"]
    # the place the sentence opens with acts: its government imposes, and is not where the rule applies
    assert r.imposer.label == "US government" and [e.label for e in r.applies_in] == ["China"]


def test_a_country_that_bans_imposes_the_ban(gazetteer):
    [r] = frames(gazetteer, "Japan banned ChatGPT on Friday.")
    assert (r.imposer.label, [e.label for e in r.applies_in]) == ("Japanese government", ["Japan"])
    # a place after a preposition is where, not who
    [r] = frames(gazetteer, "In Japan, ChatGPT was banned.")
    assert [e.label for e in r.applies_in] == ["Japan"]


def test_removed_from_app_stores_in_a_place(gazetteer):
    [r] = frames(gazetteer, "ChatGPT was removed from app stores in China.")
    assert [e.label for e in r.restricts] == ["ChatGPT"] and [e.label for e in r.applies_in] == ["China"]


def test_hedged_and_negated_restrictions_are_not_written(gazetteer):
    assert frames(gazetteer, "Japan is considering a ban on ChatGPT.") == []
    assert frames(gazetteer, "Officials said the H100 chips could be withheld from China.") == []
    assert frames(gazetteer, "ChatGPT was not banned in Hong Kong.") == []


def test_a_ban_on_a_company_bans_its_app(gazetteer):
    [r] = frames(gazetteer, "Japan banned Anthropic's chatbot app on its government phones.")
    assert ([e.label for e in r.restricts], r.imposer.label) == (["Anthropic app"], "Japanese government")
    # no app in the sentence: a ban on a company's gear is not a ban on an app
    assert frames(gazetteer, "Japan banned Micron Technology from its networks.") == []


def test_an_origin_adjective_is_not_where_a_ban_applies(gazetteer):
    # "Chinese-owned" says where the apps come from; with no place and no imposer nothing is written
    assert frames(gazetteer, "Worried about Chinese-owned apps, officials banned ChatGPT on Friday.") == []
    [r] = frames(gazetteer, "Japan banned ChatGPT, citing the Chinese servers it uses.")
    assert [e.label for e in r.applies_in] == ["Japan"]


def test_target_actors_after_a_preposition(gazetteer):
    [r] = frames(gazetteer, "Japan banned ChatGPT on all government devices.")
    assert [e.label for e in r.applies_to] == ["government devices"]
    [r] = frames(gazetteer, "Japan has banned the use of ChatGPT in state administration.")
    assert [e.label for e in r.applies_to] == ["state administration"]
    # an actor alone is enough to write a restriction (no place named)
    [r] = frames(gazetteer, "Officials banned ChatGPT among ministry employees.")
    assert ([e.label for e in r.applies_to], r.applies_in) == (["ministry employees"], [])
