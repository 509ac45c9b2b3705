"""Restriction frames: when they hold, who imposes them, which wordings trigger them."""
from datetime import date

from rdflib import URIRef

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


def test_who_issues_an_order_banning_imposes_it_where_the_title_says(gazetteer):
    text = "Washington Gov. Jane Doe on Monday issued an order banning the apps ChatGPT and Quillo from state devices."
    [r] = frames(gazetteer, text)
    assert r.imposer.label == "Gov. Jane Doe"
    # a state's governor rules in the state, not in the whole country
    assert [e.label for e in r.applies_in] == ["Washington"]
    # "the apps ... Quillo": a name the store does not know is what the ban restricts, as an app
    assert [e.label for e in r.restricts] == ["ChatGPT", "Quillo"] and "Product" in r.restricts[1].types


def test_joint_imposers_each_impose_their_own_restriction(gazetteer):
    rs = frames(gazetteer, "Japan and the Netherlands have placed similar restrictions on the use of ChatGPT.")
    assert [(r.imposer.label, [e.label for e in r.applies_in]) for r in rs] == \
        [("Japanese government", ["Japan"]), ("Dutch government", ["Netherlands"])]


def test_an_unknown_name_banned_is_a_product_and_a_date_is_none(gazetteer):
    text = "This is not new for Japan, where in May the Tanaka government imposed a ban on the use of Quillo."
    [r] = frames(gazetteer, text)
    assert ([e.label for e in r.restricts], [e.label for e in r.applies_in]) == (["Quillo"], ["Japan"])


def test_a_new_ban_is_not_the_one_told_of_before(gazetteer):
    text = ("Japan banned ChatGPT on government devices. "
            "A nationwide ban on Quillo, first proposed in 2020, directed OpenAI to sell the service.")
    rs = frames(gazetteer, text)
    assert [[e.label for e in r.restricts] for r in rs] == [["ChatGPT"]]


def test_a_sentence_going_on_about_the_ban_adds_its_targets_or_its_listed_products(gazetteer):
    first = "Japan banned ChatGPT on government devices. "
    rs = frames(gazetteer, first + "The ban also applies to schools and public hospitals.")
    assert [[e.label for e in r.applies_to] for r in rs] == [["government devices"], ["schools", "public hospitals"]]
    assert rs[1].imposer.label == "Japanese government" and [e.label for e in rs[1].restricts] == ["ChatGPT"]
    text = first + "The ban also extends to other apps, such as Quillo and Zento, a chat app owned by Nvidia."
    rs = frames(gazetteer, text)
    # the names of the list, not the aside after it, and the targets told before
    assert [e.label for e in rs[1].restricts] == ["Quillo", "Zento"]
    assert [e.label for e in rs[1].applies_to] == ["government devices"]
    # "a ban" is another one, not the one told of
    assert len(frames(gazetteer, first + "A ban also applies to schools.")) == 1


def test_apps_removed_from_a_country_store_and_one_named_among_them(gazetteer):
    text = ("Microsoft has removed more than a hundred apps offering ChatGPT-like services from its China store, as "
            "a new rule is set to take effect. Among the other apps pulled was the popular Vantor Plus, which offers "
            "chat and translation services.")
    rs = frames(gazetteer, text)
    assert [(r.imposer.label, [e.label for e in r.restricts], [e.label for e in r.applies_in]) for r in rs] == [
        ("Microsoft", ["apps offering ChatGPT-like services"], ["China"]),
        ("Microsoft", ["Vantor Plus"], ["China"])]  # the removal told of: its maker and its place


def test_firms_told_not_to_offer_a_product_are_bound_by_the_restriction(gazetteer):
    text = ("Japan banned ChatGPT on government devices. According to the report, Microsoft and Oracle have been "
            "told not to offer any products powered by the technology.")
    r = frames(gazetteer, text)[1]
    assert (r.imposer.label, [e.label for e in r.restricts], [e.label for e in r.applies_in]) == \
        ("Japanese government", ["ChatGPT"], ["Japan"])  # what and where: the restriction told before
    assert [e.label for e in r.applies_to] == ["Microsoft", "Oracle"]
    text = "Japanese regulators have instructed Microsoft to stop offering services powered by ChatGPT."
    [r] = frames(gazetteer, text)
    assert ([e.label for e in r.restricts], [e.label for e in r.applies_to]) == (["ChatGPT"], ["Microsoft"])
    # being told not to do something else is no restriction
    assert frames(gazetteer, "Microsoft was told not to worry about the ChatGPT launch.") == []


def test_the_restrictions_target_goods_and_firms_told_to_cancel_orders(gazetteer):
    text = ("Washington imposed export controls on H100 chips to China. "
            "The restrictions target advanced AI chips and specific chipmaking tools.")
    r = frames(gazetteer, text)[1]
    assert (r.imposer.label, [e.label for e in r.applies_in]) == ("US government", ["China"])
    assert [e.label for e in r.restricts] == ["advanced ai chips", "chipmaking tools"]
    text = "According to the paper, the Chinese government told Microsoft to cancel orders of the H100."
    [r] = frames(gazetteer, text)
    assert ([e.label for e in r.restricts], [e.label for e in r.applies_in], [e.label for e in r.applies_to]) == \
        (["H100"], ["China"], ["Microsoft"])


def test_an_export_rule_without_a_place_goes_where_the_document_exports(gazetteer):
    text = ("In October, the Japanese government announced rules to restrict the export of the H100 if it contains "
            "Japanese parts. Japan ships many chips to China.")
    [r] = frames(gazetteer, text)
    assert (r.kind, r.imposer.label, [e.label for e in r.applies_in]) == \
        ("ExportControl", "Japanese government", ["China"])


def test_ordered_to_be_blocked_and_a_places_decision_to_ban(gazetteer):
    [r] = frames(gazetteer, "Last week the Chinese government ordered ChatGPT to be blocked in the country.")
    assert ([e.label for e in r.restricts], [e.label for e in r.applies_in]) == (["ChatGPT"], ["China"])
    [r] = frames(gazetteer, "Japan's decision to ban ChatGPT on government devices follows a similar move elsewhere.")
    assert (r.imposer.label, [e.label for e in r.applies_in]) == ("Japanese government", ["Japan"])


def test_a_government_that_stopped_using_goods_made_by_firms_bans_them_for_itself(gazetteer):
    text = ("The Japanese government in 2018 stopped using the hardware and software made by Chinese company "
            "Nvidia and another firm, Oracle, after a warning.")
    [r] = frames(gazetteer, text)
    assert [e.label for e in r.restricts] == ["Nvidia hardware and software", "Oracle hardware and software"]
    assert (r.imposer.label, [e.label for e in r.applies_in], [e.label for e in r.applies_to]) == \
        ("Japanese government", ["Japan"], ["Japanese government"])
    assert frames(gazetteer, "Microsoft did not stop using ChatGPT.") == []


def test_firms_said_to_be_among_those_restricting_a_makers_ai_each_restrict_its_product(gazetteer):
    text = ("OpenAI makes ChatGPT. Microsoft, Oracle and Meta are just some of the big names that have implemented "
            "total bans or restrictions on OpenAI's generative AI among employees.")
    rs = frames(gazetteer, text)
    assert [r.imposer.label for r in rs] == ["Microsoft", "Oracle", "Meta"]
    # "OpenAI's generative AI": the product of OpenAI the text names; a firm's rule for its own staff has
    # no place of the document's
    assert all(([e.label for e in r.restricts], [e.label for e in r.applies_to], r.applies_in)
               == (["ChatGPT"], ["employees"], []) for r in rs)


def test_an_online_service_is_never_what_an_export_control_restricts(gazetteer):
    text = ("As background, the US implemented its export controls on H100 chips to China back in October 2023, "
            "less than a year after the launch of ChatGPT.")
    [r] = frames(gazetteer, text)
    assert [e.label for e in r.restricts] == ["H100"]


def test_staff_restricted_without_an_agent_are_restricted_by_the_body_they_are_named_after(gazetteer):
    text = ("The Japan Post Bank banned ChatGPT on its servers. Oracle banned the H100 among employees. "
            "Bank staffers were restricted from using the paid version of GPT-4o last year.")
    r = frames(gazetteer, text)[-1]
    assert ([e.label for e in r.restricts], [e.label for e in r.applies_to]) == (["GPT-4o"], ["Bank staffers"])
    assert (r.imposer.label, [e.label for e in r.applies_in]) == ("Post Bank", ["Japan"])  # not Oracle, the latest
    # no body of that name told of: no imposer is guessed
    [r] = frames(gazetteer, "Bank staffers were restricted from using the paid version of GPT-4o last year.")
    assert r.imposer is None


def test_a_maker_not_able_to_launch_its_product_in_a_place_holds_it_back(gazetteer):
    text = "OpenAI built GPT-4o. This means we aren't able to launch GPT-4o in the EU at the moment, said the company."
    [r] = frames(gazetteer, text)
    assert (r.kind, r.imposer.label, [e.label for e in r.restricts], [e.label for e in r.applies_in]) == \
        ("AccessBlock", "OpenAI", ["GPT-4o"], ["European Union"])


def test_names_a_relative_clause_says_the_restriction_also_hit(gazetteer):
    text = ("Microsoft has removed ChatGPT from its China store. "
            "Other apps that were removed are Zephyr, Kestrel and Marlin.")
    r = frames(gazetteer, text)[-1]
    assert (r.imposer.label, [e.label for e in r.restricts], [e.label for e in r.applies_in]) == \
        ("Microsoft", ["Zephyr", "Kestrel", "Marlin"], ["China"])


def test_a_halt_of_sales_to_a_countrys_customers_is_not_that_countrys_doing(gazetteer):
    [r] = frames(gazetteer, "The sale of H100 chips to Chinese customers was halted last year.")
    assert ([e.label for e in r.applies_in], r.imposer) == (["China"], None)
    [r] = frames(gazetteer, "The sale of H100 chips in China was halted last year.")
    assert r.imposer.label == "Government of China"  # a place named as such: its government, as before


def test_not_allowed_is_a_ban_and_a_makers_ai_among_several_products_is_no_guess(gazetteer):
    [r] = frames(gazetteer, "ChatGPT is not allowed in China.")
    assert (r.kind, [e.label for e in r.restricts], [e.label for e in r.applies_in]) == ("Ban", ["ChatGPT"], ["China"])
    assert frames(gazetteer, "ChatGPT might not be allowed in China.") == []
    assert frames(gazetteer, "ChatGPT is allowed in China.") == []
    # OpenAI makes two products here: which one "OpenAI's generative AI" is would be a guess
    assert frames(gazetteer, "OpenAI makes ChatGPT and GPT-4o. OpenAI's generative AI is not allowed in China.") == []


def test_a_control_on_transit_through_a_country_applies_there(gazetteer):
    text = ("Japan clamped down on Monday on the export, transhipment and transit of all US-made H100 chips, "
            "including to countries such as China.")
    [r] = frames(gazetteer, text)
    assert (r.kind, r.imposer.label, [e.label for e in r.applies_in]) == ("ExportControl", "Japanese government",
                                                                          ["Japan"])
    # a plain export control applies where the goods go, not at home
    [r] = frames(gazetteer, "Japan clamped down on Monday on the export of all H100 chips to China.")
    assert [e.label for e in r.applies_in] == ["China"]


def test_goods_named_by_a_phrase_stay_out_of_the_names_the_next_document_is_read_with(gazetteer):
    ex = Extractor(Linker(gazetteer))
    [r] = ex.extract("Washington imposed export controls on advanced memory chips to China.").restrictions
    assert [e.label for e in r.restricts] == ["advanced memory chips"] and "Chip" in r.restricts[0].types
    assert gazetteer.lookup("advanced memory chips") is None  # a plain phrase again in the next document


def test_a_government_named_beside_the_company_reporting_it_is_the_imposer(gazetteer):
    text = ("Oracle, the Dutch company that makes lithography machines which produce computer chips, said on Monday "
            "the Netherlands government has partly blocked its capacity to ship H100 chips to China.")
    [r] = frames(gazetteer, text)
    assert (r.imposer.label, [e.label for e in r.applies_in]) == ("Dutch government", ["China"])


def test_a_licence_revoked_is_an_export_control_imposed_on_every_item_shipped(gazetteer):
    text = ('"A licence for the shipment of H100 and Lumen 4 Swift chips in 2023 has recently been partially '
            'revoked by the Japanese government, impacting a small number of customers in China," the company said.')
    [r] = frames(gazetteer, text)
    assert (r.kind, r.imposer.label, [e.label for e in r.restricts], [e.label for e in r.applies_in]) == \
        ("ExportControl", "Japanese government", ["H100", "Lumen 4 Swift"], ["China"])
    assert frames(gazetteer, "Japan lifted its ban on ChatGPT in May.") == []  # a ban lifted is none


def test_a_seller_halting_its_own_sales_keeps_the_buyers_it_names(gazetteer):
    [r] = frames(gazetteer, "Nvidia halted selling H100 chips to Chinese customers last year.")
    assert (r.imposer.label, [e.label for e in r.applies_to]) == ("Nvidia", ["Chinese customers"])


def test_similar_steps_by_countries_an_example_list_names_restrict_the_same_thing_there(gazetteer):
    text = ("Japan banned ChatGPT on government devices. The move follows similar steps made by some other "
            "countries, including the Netherlands, which blocked access to the chatbot, and also China.")
    rs = frames(gazetteer, text)[1:]
    assert [(r.imposer.label, [e.label for e in r.restricts], [e.label for e in r.applies_in]) for r in rs] == [
        ("Dutch government", ["ChatGPT"], ["Netherlands"]), ("Government of China", ["ChatGPT"], ["China"])]
    # steps still to come are none taken
    assert len(frames(gazetteer, "Japan banned ChatGPT on government devices. Tokyo will take similar measures.")) == 1


def test_a_halt_when_the_ban_was_imposed_is_the_bans_imposers_doing(gazetteer):
    text = ("Japan banned exports of H100 chips to China in March. "
            "Sales of the H100 to Chinese buyers were suspended when the ban was imposed.")
    r = frames(gazetteer, text)[1]
    assert (r.kind, r.imposer.label, [e.label for e in r.applies_in]) == ("Suspension", "Japanese government",
                                                                          ["China"])



def test_staff_asked_to_avoid_a_tool_are_bound_by_a_ban_of_whoever_asked(gazetteer):
    text = ("The Health Ministry has asked its employees to avoid using chatbots such as ChatGPT and "
            "Lumen 4 Swift on work laptops. The Ministry of Health said the guidance covers all its offices.")
    linker = Linker(gazetteer)
    [r] = Extractor(linker).extract(text, date(2025, 3, 3)).restrictions
    assert r.kind == "Ban" and r.imposer.label == "Health Ministry"
    assert linker.gaz.lookup("Ministry of Health") is r.imposer  # the long form names the same body
    assert [e.label for e in r.restricts] == ["ChatGPT", "Lumen 4 Swift"]
    assert [e.label for e in r.applies_to] == ["employees"]
    assert r.effective_from == date(2025, 3, 3)



def test_an_unknown_product_whose_use_is_blocked_is_a_service():
    # people use an app pulled from a store; they do not buy it as goods. Goods under export control, and
    # products the store already knows, keep their class
    from aikg.ingest.gazetteer import Entity
    from aikg.ingest.restrictions import used_products

    app, goods, known = (Entity(URIRef(f"urn:x:{n}"), n, frozenset({"Product"}), new=n != "known")
                         for n in ("app", "goods", "known"))
    used_products([RestrictionFrame("AccessBlock", None, [app, known], [], "q", 0.7),
                   RestrictionFrame("ExportControl", None, [goods], [], "q", 0.7)])
    assert (app.types, goods.types, known.types) == ({"Service"}, {"Product"}, {"Product"})



def test_a_halt_that_also_stops_orders_of_a_chip_bans_buying_it():
    from aikg.ingest.extractor import _hardware_kind
    from aikg.ingest.gazetteer import Entity

    chip = Entity(URIRef("urn:x:chip"), "Vexa Q7", frozenset({"Chip"}))
    app = Entity(URIRef("urn:x:app"), "Quill", frozenset({"Service"}))
    told = "The regulator told firms to cancel orders and halt testing of the Vexa Q7."
    assert _hardware_kind("Suspension", [chip], told) == "Ban"  # buying stops too: the ban covers it
    assert _hardware_kind("Suspension", [chip], "The regulator told firms to halt testing of the Vexa Q7.") \
        == "Suspension"
    assert _hardware_kind("Suspension", [app], told) == "Suspension"  # an app is used, not bought



def test_a_banned_name_wins_over_a_pronoun_and_an_owners_its_is_never_banned(gazetteer):
    text = ("Oracle grew Frontier Cloud in Asia last year. For Meta, it could mean closer ties with Japan, "
            "despite its chatbot ChatGPT being banned in the country.")
    rs = frames(gazetteer, text, published=date(2024, 2, 1))
    assert rs and all([e.label for e in r.restricts] == ["ChatGPT"] for r in rs)
