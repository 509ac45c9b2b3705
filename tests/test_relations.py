"""Relations and restriction frames read off the dependency parse (graph/ingest/relations.py)."""
from datetime import date

from rdflib import URIRef

from aikg.ingest.builtin import add_jurisdictions
from aikg.ingest.extractor import Extractor
from aikg.ingest.gazetteer import Gazetteer
from aikg.ingest.linker import Linker
from aikg.ingest.parse import parse, parser
from aikg.ingest.relations import lemmas


def facts(gazetteer, text):
    out = Extractor(Linker(gazetteer)).extract(text)
    return {(f.subject.label, f.predicate, getattr(f.object, "label", f.object)) for f in out.facts if not f.negated}


def test_the_shipped_parser_loads_from_the_package_and_speaks_universal_dependencies():
    nlp = parser()
    assert nlp.pipe_names == ["tok2vec", "tagger", "trainable_lemmatizer", "parser"]
    assert nlp.meta["license"] == "CC BY-SA 4.0"  # the treebank's licence, credited in the model's meta
    [doc] = parse(["The regulator fined the company last week."])
    deps = {t.text: (t.dep_, t.head.text) for t in doc}
    assert deps["regulator"] == ("nsubj", "fined")
    assert deps["company"] == ("obj", "fined")
    assert doc[1].tag_ == "NN" and "fine" in lemmas(doc[2])  # the trained lemma, or the regular fallback


def test_stand_in_names_parse_in_every_role():
    # the shipped model was trained with names made stand-in words (scripts/train_parser.py --stand-ins)
    for text in ("Google banned Firefox.", "France banned Skype in March.", "Microsoft integrates Skype into Windows."):
        [doc] = parse([text])
        verb = doc[1]
        assert verb.dep_ == "ROOT" and verb.tag_.startswith("VB"), [(t.text, t.tag_, t.dep_) for t in doc]
        assert (doc[0].dep_, doc[2].dep_) == ("nsubj", "obj")


def test_trade_words_the_treebank_never_saw_are_parsed_as_common_words_and_kept_as_written():
    text = "Google launched its new chatbot Skype in France."
    [plain] = parse([text])
    [read] = parse([text], {"chatbot": "service"})
    assert [t.text for t in read] == [t.text for t in plain] and read.text == text  # offsets stay the text's
    word = read[4]
    assert (word.text, word.lemma_, word.dep_, word.head.text) == ("chatbot", "chatbot", "obj", "launched")
    [doc] = parse(["Chatbots from two startups launched."], {"chatbot": "service", "chatbots": "services",
                                                              "startups": "companies"})
    assert (doc[0].text, doc[0].lemma_, doc[3].lemma_) == ("Chatbots", "chatbot", "startup")


def test_a_trade_noun_between_owner_and_name_keeps_the_developer(gazetteer):
    found = facts(gazetteer, "OpenAI introduced its AI chatbot ChatGPT to users in Brazil last summer.")
    assert ("ChatGPT", "developedBy", "OpenAI") in found


def test_one_tree_per_sentence_even_across_a_dash():
    [doc] = parse(["The cloud offers three models - among them two open ones - to every tenant."])
    assert sum(1 for t in doc if t.dep_ == "ROOT") == 1


def test_an_example_list_shares_the_role_of_the_noun_it_explains(gazetteer):
    found = facts(gazetteer, "Anthropic raised $4 billion from investors including Nvidia, Oracle and Microsoft.")
    assert {("Nvidia", "investedIn", "Anthropic"), ("Oracle", "investedIn", "Anthropic"),
            ("Microsoft", "investedIn", "Anthropic")} <= found


def test_a_participle_before_a_name_and_a_maker_noun(gazetteer):
    assert ("Microsoft", "investedIn", "OpenAI") in facts(gazetteer, "Meta competes with Microsoft-backed OpenAI.")
    found = facts(gazetteer, "Investors backed ChatGPT maker OpenAI.")
    assert ("ChatGPT", "developedBy", "OpenAI") in found or ("ChatGPT", "offeredBy", "OpenAI") in found


def test_possessive_and_appositive_name_the_developer(gazetteer):
    found = facts(gazetteer, "The H100, Nvidia's flagship accelerator, was in short supply.")
    assert ("H100", "developedBy", "Nvidia") in found


def test_a_proper_noun_the_linker_did_not_know_becomes_an_organisation_only_in_a_role(gazetteer):
    found = facts(gazetteer, "Brightwater Partners invested in Anthropic last year.")
    assert ("Brightwater Partners", "investedIn", "Anthropic") in found
    # a capitalised word in no relation role makes no entity
    assert not any("Tuesday" in (s, o) for s, _, o in facts(gazetteer, "On Tuesday Anthropic spoke to reporters."))


def test_hedged_negated_and_ill_typed_triggers_make_no_fact(gazetteer):
    assert not any(p == "investedIn" for _, p, _ in facts(gazetteer, "Microsoft plans to invest in Anthropic."))
    assert not any(p == "investedIn" for _, p, _ in facts(gazetteer, "Oracle did not invest in Anthropic."))
    # a place is no product: "developed" between two names of the wrong classes writes nothing
    assert not any(p == "developedBy" for _, p, _ in facts(gazetteer, "Japan developed Nvidia's market."))


def test_a_ban_frame_gathers_imposer_place_and_targets_from_the_parse(gazetteer):
    text = "Japan's Ministry of Digital Affairs blocked ChatGPT on all government computers."
    [r] = Extractor(Linker(gazetteer)).extract(text).restrictions
    assert r.imposer.label == "Japan's Ministry of Digital Affairs"  # one country's ministry, as the text places it
    assert [e.label for e in r.restricts] == ["ChatGPT"]
    assert [e.label for e in r.applies_in] == ["Japan"]  # where the ministry sits, as the text says
    assert [e.label for e in r.applies_to] == ["government computers"]


def test_a_ban_the_text_only_considers_is_no_frame(gazetteer):
    assert Extractor(Linker(gazetteer)).extract("Japan is weighing a ban on ChatGPT.").restrictions == []


def test_an_empty_store_still_reads_countries_and_demonyms():
    gaz = Gazetteer({})
    add_jurisdictions(gaz)
    china = gaz.entities[URIRef("https://w3id.org/aikg/id/china")]
    assert china.new and gaz.demonyms["chinese"] is china
    assert ("Zhipu AI", "basedIn", "China") in facts(gaz, "China's Zhipu AI opened an office in Paris.")
    assert ("Zhipu AI", "basedIn", "China") in facts(gaz, "Zhipu AI, a Chinese startup, opened an office.")


def test_a_demonym_on_the_first_noun_of_a_compound_still_places_the_name(gazetteer):
    found = facts(gazetteer, "Semiconductors made by Chinese memory chipmaker Zentrix were banned.")
    assert ("Zentrix", "basedIn", "China") in found


def test_its_is_the_subject_of_its_own_clause_not_the_nearest_name(gazetteer):
    found = facts(gazetteer, "Samsung picked Baidu's assistant for its new Galaxy S24 phones.")
    assert ("Galaxy S24", "developedBy", "Baidu") not in found
    # an infinitive of its own ("to bring its models") leaves "its" to the nearest company
    found = facts(gazetteer, "Microsoft signed a deal with Anthropic to bring its Claude models into Office.")
    assert not any(s.startswith("Claude") and o == "Microsoft" for s, p, o in found if p == "developedBy")


def test_a_described_company_gets_its_home_and_a_first_word_describing_it_is_no_name(gazetteer):
    found = facts(gazetteer, "American chip giant Nvidia expects AI to lift its sales.")
    assert ("Nvidia", "basedIn", "United States") in found
    found = facts(gazetteer, "Tech giant Meta said its assistant Meta AI would come to Europe.")
    assert not any("Tech" in (s, o) for s, _, o in found)
    # an unknown name ending like a firm is a firm: "Capital", "Ventures"
    found = facts(gazetteer, "The round was led by Japan's Northfield Capital and China's Dunecrest Ventures.")
    assert {("Northfield Capital", "basedIn", "Japan"), ("Dunecrest Ventures", "basedIn", "China")} <= found


def test_a_company_name_opening_a_product_name_is_its_maker(gazetteer):
    found = facts(gazetteer, "The cluster runs on Nvidia H100 accelerators.")
    assert ("H100", "developedBy", "Nvidia") in found
    # a place opening a name makes no maker
    assert not any(p == "developedBy" for _, p, _ in facts(gazetteer, "Japan H100 sales rose."))


def test_its_agrees_with_its_subject_or_names_nothing(gazetteer):
    # "it" is no plural segment: the company named before keeps "its"
    found = facts(gazetteer, "Nvidia makes the H100, and Chinese enterprise customers have become some of its "
                             "biggest buyers.")
    assert not any(s == "Chinese enterprise customers" and o != "Nvidia" for s, p, o in found if p == "customerOf")
    # an aside after the subject is about something else ("ChatGPT, the app of its lab, ...")
    found = facts(gazetteer, "OpenAI said that ChatGPT, the chatbot of its research lab, is now in Japan.")
    assert not any(o == "Anthropic" for _, _, o in found)
    # the clause's subject is a service, so "its" names no developer
    found = facts(gazetteer, "Anthropic said ChatGPT agreed to drop its GPT-4o model for a week.")
    assert ("GPT-4o", "developedBy", "Anthropic") not in found


def test_a_launch_said_not_to_happen_is_held_back_by_the_maker(gazetteer):
    text = "GPT-4o is due to launch in Japan in May but is not expected to launch in the EU until 2026."
    [r] = Extractor(Linker(gazetteer)).extract("OpenAI built GPT-4o. " + text).restrictions
    assert (r.kind, r.imposer.label, [e.label for e in r.restricts]) == ("AccessBlock", "OpenAI", ["GPT-4o"])
    assert [e.label for e in r.applies_in] == ["European Union"]
    # a launch that only may not happen is no restriction
    assert Extractor(Linker(gazetteer)).extract("GPT-4o may not launch in the EU this year.").restrictions == []


def test_a_ban_on_people_using_a_product_restricts_the_product_for_them(gazetteer):
    text = "The Japanese government has issued a ban on civil servants using ChatGPT at work."
    [r] = Extractor(Linker(gazetteer)).extract(text).restrictions
    assert [e.label for e in r.restricts] == ["ChatGPT"] and r.imposer.label == "Japanese government"
    [r] = Extractor(Linker(gazetteer)).extract("Japanese civil servants were barred from using ChatGPT.").restrictions
    assert [e.label for e in r.restricts] == ["ChatGPT"] and "civil servants" in [e.label for e in r.applies_to][0]


def test_a_removal_from_a_country_store_applies_there_from_its_own_date(gazetteer):
    text = ("Oracle removed more than a hundred chatbot apps from its China store on July 31, 2023. "
            "ChatGPT was among the removed apps even though it had launched there on June 29, 2023.")
    rs = Extractor(Linker(gazetteer)).extract(text).restrictions
    assert [(r.imposer.label, [e.label for e in r.applies_in]) for r in rs] == [("Oracle", ["China"])] * 2
    assert rs[0].restricts[0].label == "chatbot apps"  # "more than a hundred" is a count, not part of the name
    # the second removal is the first one's: its date is not the launch's in the aside
    assert rs[1].effective_from == date(2023, 7, 31)


def test_a_demonym_on_the_use_restricted_is_where_it_applies(gazetteer):
    text = "The Japanese government restricted Chinese access to Nvidia H100 chips."
    [r] = Extractor(Linker(gazetteer)).extract(text).restrictions
    assert [e.label for e in r.applies_in] == ["China"] and [e.label for e in r.restricts] == ["H100"]


def test_a_where_clause_places_the_restriction_at_the_name_before_it(gazetteer):
    text = "Oracle opened an office in Japan, where the government has imposed a ban on ChatGPT."
    [r] = Extractor(Linker(gazetteer)).extract(text).restrictions
    assert ([e.label for e in r.applies_in], r.imposer.label) == (["Japan"], "Japanese government")


def test_a_crackdown_on_exports_and_a_block_on_using_a_product(gazetteer):
    text = "TOKYO: Japan has cracked down on exports of advanced chips to China."
    [r] = Extractor(Linker(gazetteer)).extract(text).restrictions
    assert (r.kind, r.imposer.label, [e.label for e in r.applies_in]) == ("ExportControl", "Japanese government",
                                                                         ["China"])
    assert [e.label for e in r.restricts] == ["advanced chips"]  # the dateline is no name
    text = "China is blocking big tech companies from utilizing ChatGPT technology."
    [r] = Extractor(Linker(gazetteer)).extract(text).restrictions
    assert [e.label for e in r.restricts] == ["ChatGPT"] and [e.label for e in r.applies_in] == ["China"]


def test_an_organisations_own_name_can_tell_its_home(gazetteer):
    found = facts(gazetteer, "The Japanese Fair Trade Commission met Nvidia. "
                             "Bank of America banned ChatGPT for its staff.")
    assert ("Fair Trade Commission", "basedIn", "Japan") in found  # the demonym opening its name
    assert ("Bank of America", "basedIn", "United States") in found  # "of America": the place joins the name
    assert not any(o == "Bank of America" for _, p, o in found if p == "developedBy")
    # a bank's ban on its staff is no ban by the US government
    rs = Extractor(Linker(gazetteer)).extract("Bank of America banned ChatGPT for its staff.").restrictions
    assert all(r.imposer is None or r.imposer.label != "Government of United States" for r in rs)


def test_an_example_list_takes_the_role_of_the_noun_before_it_and_an_arm_is_its_own_firm(gazetteer):
    text = "Anthropic said it had raised $270 million in a round from investors including Nvidia and Oracle Ventures."
    found = facts(gazetteer, text)
    assert {("Nvidia", "investedIn", "Anthropic"), ("Oracle Ventures", "investedIn", "Anthropic")} <= found
    assert ("Oracle", "investedIn", "Anthropic") not in found  # the arm invested, not its parent


def test_a_relative_pronoun_subject_stands_for_its_antecedent(gazetteer):
    found = facts(gazetteer, "Partners include Anthropic, which got a large investment from Microsoft.")
    assert ("Microsoft", "investedIn", "Anthropic") in found


def test_a_person_titled_by_a_company_speaks_for_it_and_is_no_company(gazetteer):
    found = facts(gazetteer, "OpenAI chief executive Sam Altman also announced a partnership with Oracle.")
    assert ("OpenAI", "partnerOf", "Oracle") in found or ("Oracle", "partnerOf", "OpenAI") in found
    assert not any("Sam Altman" in (s, o) for s, _, o in found)


def test_precision_guards_found_by_the_audit(gazetteer):
    # a company suffix left after a known name is no company
    found = facts(gazetteer, "The H100's maker, the American company Nvidia Inc., declined to comment.")
    assert not any(s in ("Inc.", "Inc") for s, _, _ in found)
    # a description placed in a country refers to no company the store places elsewhere
    oracle, china = gazetteer.lookup("Oracle"), gazetteer.lookup("China")
    gazetteer.home[oracle.iri] = china  # as if the store said so
    try:
        text = "Oracle ordered chips from Nvidia. The order shows how firms could shift away from the Japanese company."
        assert ("Oracle", "basedIn", "Japan") not in facts(gazetteer, text)
    finally:
        del gazetteer.home[oracle.iri]
    # "its" inside "the latest version of its model" is no description of the model
    found = facts(gazetteer, "OpenAI said the latest version of its GPT-4o model is faster than H100 runs.")
    assert not any(o == "OpenAI" and s == "H100" for s, _, o in found)
    # a process node is no chip
    found = facts(gazetteer, "Nvidia is using a custom 4N process node from TSMC.")
    assert not any(p == "usesChip" for _, p, _ in found)


def test_ownership_read_from_acquisitions_possessives_and_asides(gazetteer):
    found = facts(gazetteer, "The deal follows Oracle's acquisition of Anthropic in 2014.")
    assert ("Anthropic", "subsidiaryOf", "Oracle") in found
    found = facts(gazetteer, "Investors praised Oracle's TSMC last year.")
    assert ("TSMC", "subsidiaryOf", "Oracle") in found
    # a name nobody knows, possessed by a company, is not thereby a company of its
    found = facts(gazetteer, "The rules hit apps such as Oracle's AirLink.")
    assert not any(p == "subsidiaryOf" for _, p, _ in found)
    # an aside after "X and Y," is about Y alone
    found = facts(gazetteer, "Meta and Oracle, owner of Anthropic, did not respond.")
    assert ("Anthropic", "subsidiaryOf", "Oracle") in found and ("Anthropic", "subsidiaryOf", "Meta") not in found


def test_its_after_an_unknown_subject_names_no_other_company(gazetteer):
    found = facts(gazetteer, "The regulator Oracle appealed after Xyloq agreed to drop its GPT-4o training.")
    assert ("GPT-4o", "developedBy", "Oracle") not in found
    # a titled person speaks for the company named before: "its" stays the company's
    found = facts(gazetteer, "Oracle founder and CEO Larry Ellison claimed the latest version of its model, "
                             "GPT-4o, was fast.")
    assert ("GPT-4o", "developedBy", "Oracle") in found


def test_an_example_list_explains_the_noun_before_it_wherever_the_parser_hangs_it(gazetteer):
    text = "OpenAI will gain access to Nvidia's most advanced processors, including the H100, hosted in Japan."
    assert ("H100", "developedBy", "Nvidia") in facts(gazetteer, text)


def test_a_generic_body_is_one_countrys_and_a_wire_dateline_is_no_text(gazetteer):
    found = facts(gazetteer, "Japan's Ministry of Finance banned ChatGPT. China's Ministry of Finance did not.")
    assert ("Japan's Ministry of Finance", "basedIn", "Japan") in found
    assert not any(s == "Japan's Ministry of Finance" and o == "China" for s, _, o in found)
    text = "Japan bans ChatGPT TOKYO, Feb 3 (Reuters) -Japan's Ministry of Finance said it would act."
    out = Extractor(Linker(gazetteer)).extract(text)
    assert not any("Reuters" in e.label for e in out.entities.values())


def test_rivals_alternatives_and_opponents_are_in_no_relation(gazetteer):
    found = facts(gazetteer, "Any company that wishes to offer its own ChatGPT alternative must register.")
    assert not any(s == "ChatGPT" for s, _, _ in found)
    found = facts(gazetteer, "Oracle launched its chatbot in Japan, entering a race against Microsoft-backed ChatGPT.")
    assert not any(s == "ChatGPT" and o == "Oracle" for s, _, o in found)
    # "U.S.-based" is a place made an adjective, not the start of a name
    out = Extractor(Linker(gazetteer)).extract("Japan bans U.S.-based AI chatbot ChatGPT from using personal data.")
    assert not any(e.label.startswith("U.S.") for e in out.entities.values())


def test_an_aside_after_a_list_is_about_its_last_item(gazetteer):
    text = "The rules cover Meta, Oracle, and TSMC in Tokyo, now owned by Nvidia, from next year."
    found = facts(gazetteer, text)
    assert ("Meta", "subsidiaryOf", "Nvidia") not in found and ("Oracle", "subsidiaryOf", "Nvidia") not in found


def test_a_description_refers_to_a_name_earlier_in_its_sentence_and_a_ban_issued_on_people_using_it(gazetteer):
    text = ("Microsoft got bad news about its ChatGPT assistant: Japan has issued a ban on civil servants "
            "using the tool.")
    [r] = Extractor(Linker(gazetteer)).extract(text).restrictions
    assert [e.label for e in r.restricts] == ["ChatGPT"] and r.imposer.label == "Japanese government"
    assert [e.label for e in r.applies_to] == ["civil servants"]


def test_integrating_a_product_into_a_service_gives_access_to_it(gazetteer):
    found = facts(gazetteer, "Oracle integrates ChatGPT into Frontier Cloud and other apps.")
    assert ("Frontier Cloud", "providesAccessTo", "ChatGPT") in found


def test_a_pronoun_imposer_is_the_place_the_previous_sentence_spoke_of(gazetteer):
    text = ("Washington has stepped up efforts to curb China's rise in AI. Over the years, it has tightened "
            "restrictions on Chinese access to advanced chips made by Nvidia.")
    rs = Extractor(Linker(gazetteer)).extract(text).restrictions
    assert [(r.imposer.label, [e.label for e in r.applies_in]) for r in rs] == [("US government", ["China"])]


def test_a_place_before_an_institution_names_whose_it_is(gazetteer):
    text = "The US House of Representatives has issued a strict ban on congressional staffers using ChatGPT."
    [r] = Extractor(Linker(gazetteer)).extract(text).restrictions
    assert r.imposer.label == "US House of Representatives"


def test_a_headlines_capitalised_words_make_no_names(gazetteer):
    out = Extractor(Linker(gazetteer)).extract("Oracle Embraces Lumen4: Frontier Cloud Opens New Region In Tokyo")
    assert not any("Embraces" in e.label for e in out.entities.values())


def test_a_short_form_of_a_name_the_document_used_is_that_name(gazetteer):
    text = "Saudi Arabia's Dunecrest Ventures joined the round for Anthropic. Analysts said Dunecrest grew."
    out = Extractor(Linker(gazetteer)).extract(text)
    assert [e.label for e in out.entities.values() if e.label.startswith("Dunecrest")] == ["Dunecrest Ventures"]


def test_a_suffix_after_a_company_is_the_same_firm_or_a_firm_of_its_own(gazetteer):
    assert ("Oracle", "investedIn", "Anthropic") in facts(gazetteer, "Oracle Inc. invested in Anthropic last year.")
    found = facts(gazetteer, "Nvidia Semiconductor invested in Anthropic last year.")
    assert ("Nvidia Semiconductor", "investedIn", "Anthropic") in found
    # a modifier the store does not know makes no maker ("DGX B200")
    assert not any(p == "developedBy" for _, p, _ in facts(gazetteer, "The unified Zorbix H100 platform runs fast."))


def test_a_possessive_reaches_no_product_across_a_preposition(gazetteer):
    found = facts(gazetteer, "A paper by Oracle highlights its reliance on Azure OpenAI Service for training.")
    assert not any(s == "Azure OpenAI Service" and o == "Oracle" for s, _, o in found)
    assert ("ChatGPT", "offeredBy", "OpenAI") in facts(gazetteer, "Users prefer OpenAI's popular ChatGPT.")


def test_a_model_that_powers_a_service_and_a_service_announcing_support_for_a_model(gazetteer):
    assert ("ChatGPT", "providesAccessTo", "GPT-4o") in facts(gazetteer, "GPT-4o will power ChatGPT from next week.")
    found = facts(gazetteer, "Frontier Cloud announced its support for the open model Lumen 4 Swift on Monday.")
    assert ("Frontier Cloud", "providesAccessTo", "Lumen 4 Swift") in found


def test_names_no_store_knows_are_read_at_the_start_of_a_sentence_and_before_an_agent_noun(gazetteer):
    # a one-word name opening the sentence is a name when it acts; "Zorbit maker" names the maker, not a company
    assert ("Quillon", "investedIn", "Brightwater AI") in facts(
        gazetteer, "Quillon has invested $2 billion in Brightwater AI.")
    found = facts(gazetteer, "Investors backed Zorbit maker Brightwater AI last year.")
    assert ("Zorbit", "developedBy", "Brightwater AI") in found
    assert not any("maker" in s or "maker" in str(o) for s, _, o in found)


def test_companies_joined_by_and_partner_with_each_other(gazetteer):
    found = facts(gazetteer, "Microsoft and Oracle agreed to set up a joint venture in Japan.")
    assert ("Microsoft", "partnerOf", "Oracle") in found or ("Oracle", "partnerOf", "Microsoft") in found
    found = facts(gazetteer, "Nvidia and TSMC have partnered since 2020.")
    assert ("Nvidia", "partnerOf", "TSMC") in found or ("TSMC", "partnerOf", "Nvidia") in found


def test_the_headline_is_read_first_without_its_site_name_or_note(gazetteer):
    ex = Extractor(Linker(gazetteer))
    title = "Oracle invests $2 billion in Anthropic (updated) | Tech Daily"
    out = ex.extract("The deal closed on Tuesday.", None, title=title)
    found = {(f.subject.label, f.predicate, f.object.label) for f in out.facts}
    assert ("Oracle", "investedIn", "Anthropic") in found
    assert all("Tech Daily" not in f.quote and "updated" not in f.quote for f in out.facts)
    again = ex.extract("Oracle invests $2 billion in Anthropic. The deal closed.", None,
                       title="Oracle invests $2 billion in Anthropic")
    assert [f.quote for f in again.facts].count("Oracle invests $2 billion in Anthropic.") == 1  # read once


def test_a_partitive_and_a_list_after_a_modifier_share_the_role_of_the_plural_they_explain(gazetteer):
    found = facts(gazetteer, "Anthropic's latest round was backed by some of the biggest names in cloud computing, "
                             "including Oracle and Microsoft.")
    assert {("Oracle", "investedIn", "Anthropic"), ("Microsoft", "investedIn", "Anthropic")} <= found


def test_an_order_won_from_a_buyer_and_a_service_a_company_uses_make_customers(gazetteer):
    found = facts(gazetteer, "Micron Technology has secured an order from Nvidia for memory.")
    assert ("Nvidia", "customerOf", "Micron Technology") in found
    assert ("Nvidia", "investedIn", "Micron Technology") not in found  # an order is no funding
    assert ("Anthropic", "customerOf", "Frontier Cloud") in facts(
        gazetteer, "Anthropic will use Frontier Cloud to train its next models.")


def test_a_speaker_adding_a_remark_is_the_it_of_that_remark_and_the_its_after_it(gazetteer):
    found = facts(gazetteer, "Oracle said on Monday that it believes Anthropic is the strongest of its partners, "
                             "adding that it had already invested $1bn in the company through its venture fund.")
    assert ("Oracle", "investedIn", "Anthropic") in found
    assert ("Anthropic", "investedIn", "Oracle") not in found


def test_a_block_on_chips_is_an_export_control(gazetteer):
    text = "The United States has tightened restrictions on Chinese access to advanced chips made by Nvidia."
    rs = Extractor(Linker(gazetteer)).extract(text, date(2024, 5, 31)).restrictions
    assert rs and all(r.kind == "ExportControl" for r in rs), [(r.kind, [e.label for e in r.restricts]) for r in rs]
    assert any("China" in [e.label for e in r.applies_in] for r in rs)


def test_a_launch_holds_from_its_day_or_from_publication(gazetteer):
    ex = Extractor(Linker(gazetteer))
    out = ex.extract("ChatGPT launched in Japan on March 3, 2024.", date(2024, 3, 10))
    assert [(f.object.label, f.valid_from) for f in out.facts if f.predicate == "availableIn"] == \
        [("Japan", date(2024, 3, 3))]
    out = ex.extract("ChatGPT is now available in Japan.", date(2024, 3, 10))
    assert [f.valid_from for f in out.facts if f.predicate == "availableIn"] == [date(2024, 3, 10)]


def test_a_product_s_maker_named_by_what_it_made(gazetteer):
    # the store knows who offers Frontier Cloud; "the Frontier Cloud developer" names it without its name
    found = facts(gazetteer, "Last week a restructuring granted the Frontier Cloud developer more freedom.")
    assert ("Frontier Cloud", "developedBy", "Oracle") in found
    assert not any(s.endswith(" products") for s, _, _ in facts(
        gazetteer, "Like Oracle, Nvidia said it would use technology from the ChatGPT creator for its products."))


def test_one_owner_before_a_coordination_owns_both_and_a_written_owner_wins(gazetteer):
    found = facts(gazetteer, "In a filing, Nvidia said its H100 and H200 chips were put on a list.")
    assert {("H100", "developedBy", "Nvidia"), ("H200", "developedBy", "Nvidia")} <= found
    found = facts(gazetteer, "Regulators banned Nvidia's H20 and Micron Technology's HBM3E last year.")
    assert ("HBM3E", "developedBy", "Nvidia") not in found
    assert ("Micron Technology", "subsidiaryOf", "Nvidia") not in found


def test_a_name_that_opens_lower_case_is_a_name(gazetteer):
    found = facts(gazetteer, "Investors include Shanghai-based game studio miHoYo, which makes Genshin Impact.")
    assert ("Genshin Impact", "developedBy", "miHoYo") in found


def test_a_unit_under_a_company_and_a_dash_typed_as_a_hyphen(gazetteer):
    found = facts(gazetteer, "The regulator also approved Lumen Labs, a research institution under cloud giant Oracle.")
    assert ("Lumen Labs", "subsidiaryOf", "Oracle") in found
    text = "Firms such as Microsoft- the Azure owner- and Oracle were told to stop."
    out = Extractor(Linker(gazetteer)).extract(text)
    assert all("Microsoft-" not in e.label for e in out.entities.values())


def test_a_company_that_makes_something_with_another_partners_with_it(gazetteer):
    found = facts(gazetteer, "Oracle said on Monday that it will develop AI products for Japan with chipmaker Nvidia.")
    assert ("Oracle", "partnerOf", "Nvidia") in found or ("Nvidia", "partnerOf", "Oracle") in found
    assert not any(p == "partnerOf" for _, p, _ in facts(gazetteer, "Oracle built the cluster with H100 chips."))


def test_a_partner_named_after_what_they_work_on(gazetteer):
    found = facts(gazetteer, "OpenAI is collaborating on a chip with Nvidia and TSMC.")
    assert {("OpenAI", "partnerOf", "Nvidia"), ("OpenAI", "partnerOf", "TSMC")} <= found


def test_a_deal_between_two_companies_makes_them_partners(gazetteer):
    found = facts(gazetteer, "The integration is part of a deal between Oracle and OpenAI.")
    assert ("Oracle", "partnerOf", "OpenAI") in found or ("OpenAI", "partnerOf", "Oracle") in found


def test_ai_before_a_class_noun_is_no_part_of_a_name(gazetteer):
    found = facts(gazetteer, "Sources said that Nvidia is working on a new AI chip called the Z30 for China.")
    assert ("Z30", "developedBy", "Nvidia") in found
    found = facts(gazetteer, "Nvidia is said to be working on the Z30 AI chip for China.")
    assert not any("Z30 AI" in s for s, _, _ in found)


def test_an_investment_by_a_fund_is_its_parent_s_and_the_other_way_round(gazetteer):
    found = facts(gazetteer, "Oracle's Horizon Fund is investing in Anthropic at a valuation of $3 billion.")
    assert {("Horizon Fund", "investedIn", "Anthropic"), ("Oracle", "investedIn", "Anthropic")} <= found
    found = facts(gazetteer, "Oracle said it had invested $2bn in Anthropic through its Horizon Fund.")
    assert ("Oracle", "investedIn", "Anthropic") in found


def test_a_guessed_class_is_settled_by_the_fact_it_takes_part_in(gazetteer):
    # "ZorbleGPT" is no name the store knows and has no cue (its shape makes it a name, guessed an organisation):
    # the possessive makes it Oracle's product
    out = Extractor(Linker(gazetteer)).extract("Oracle's ZorbleGPT was released in 2022.")
    assert ("ZorbleGPT", "developedBy", "Oracle") in {(f.subject.label, f.predicate, f.object.label) for f in out.facts}
