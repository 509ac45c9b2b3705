"""FROM as an entity, a jurisdiction or a phrase."""
import pytest

from aikg.errors import Ambiguous, InputError, NotFound
from aikg.namespace import ENT
from aikg.reach.actors import resolve_actor
from aikg.reach.projection import build_projection
from aikg.store.embedded import open_store

from reach_fixtures import PREFIXES, make_store

E = lambda name: str(ENT[name])  # noqa: E731

EXTRA = PREFIXES + """
ent:amazon-web-services a aikg:Service ; rdfs:label "Amazon Web Services" ; skos:altLabel "AWS" .
ent:alibaba a aikg:Company ; rdfs:label "Alibaba Group" ; skos:altLabel "Alibaba" .
ent:ops a aikg:CustomerSegment ; rdfs:label "critical infrastructure operators" ; aikg:basedIn ent:china .
ent:mercury-a a aikg:Company ; rdfs:label "Mercury" .
ent:mercury-b a aikg:Service ; rdfs:label "Mercury" .
<https://example.org/news/tencent-roundup> a aikg:Document ; rdfs:label "Tencnet news roundup" .
"""


@pytest.fixture(scope="module")
def proj(tmp_path_factory):
    from reach_fixtures import FOUNDING

    path = make_store(tmp_path_factory.mktemp("actors") / "store", FOUNDING + EXTRA)
    with open_store(str(path)) as store:
        yield build_projection(store)


def test_a_segment_entity_wins_over_the_phrase(proj):
    a = resolve_actor(proj, "chinese  Enterprise customers")
    assert a.kind == "entity" and a.node == E("chinese-enterprise-customers")
    assert a.jurisdictions == {E("china")}


@pytest.mark.parametrize("phrase, places", [
    ("Hong Kong customers", {"hong-kong"}),
    ("Italian users", {"italy", "european-union"}),
    ("European businesses", {"european-union"}),
    ("Chinese companies", {"china"}),
    ("customers in Italy", {"italy", "european-union"}),
    ("American developers", {"united-states"}),
    # the people a ban on government or school use names
    ("Italian high schools", {"italy", "european-union"}),
    ("Chinese finance ministry employees", {"china"}),
])
def test_phrases_name_generic_actors_in_a_place(proj, phrase, places):
    a = resolve_actor(proj, phrase)
    assert a.kind == "phrase" and a.label == phrase
    assert a.jurisdictions == {E(p) for p in places}


def test_a_jurisdiction_is_an_actor(proj):
    a = resolve_actor(proj, "Italy")
    assert a.kind == "jurisdiction" and a.jurisdictions == {E("italy"), E("european-union")}


def test_customers_of_a_service_or_organization(proj):
    a = resolve_actor(proj, "AWS customers")
    assert a.kind == "customers-of" and a.customer_of == {E("amazon-web-services")}
    assert resolve_actor(proj, "Alibaba customers").customer_of == {E("alibaba")}


def test_a_place_a_service_and_a_qualifier_combine_in_one_phrase(proj):
    a = resolve_actor(proj, "Italian AWS customers")  # in Italy, and customers of AWS
    assert a.kind == "phrase" and a.customer_of == {E("amazon-web-services")}
    assert a.jurisdictions == {E("italy"), E("european-union")}
    a = resolve_actor(proj, "paying subscribers of AWS")  # a qualifier before the head
    assert a.kind == "customers-of" and a.customer_of == {E("amazon-web-services")}
    assert resolve_actor(proj, "Chinese enterprise users").customer_of == frozenset()  # "enterprise" names nothing


def test_an_organization_has_its_place_owners_and_suppliers(proj):
    lab = resolve_actor(proj, "Tencent Singapore Lab")
    assert lab.jurisdictions == {E("singapore")}
    assert [chain for _, chain in lab.owners] == [(E("tencent-sg-lab"), E("tencent-sg")),
                                                  (E("tencent-sg-lab"), E("tencent-sg"), E("tencent"))]
    assert resolve_actor(proj, "xAI").customer_of == {E("oracle")}


def test_generic_actor_joins_segments_with_its_head_noun(proj):
    a = resolve_actor(proj, "Chinese infrastructure operators")
    assert E("ops") in a.segments
    assert not resolve_actor(proj, "Italian operators").segments


def test_unknown_names_list_candidates(proj):
    with pytest.raises(NotFound) as e:
        resolve_actor(proj, "Tencnet")
    assert "Tencent" in e.value.candidates
    assert not any("roundup" in c for c in e.value.candidates)  # a document's title is no actor
    with pytest.raises(NotFound):
        resolve_actor(proj, "Martian customers")


def test_ambiguous_names_are_errors(proj):
    with pytest.raises(Ambiguous):
        resolve_actor(proj, "Mercury")


def test_empty_name_is_an_input_error(proj):
    with pytest.raises(InputError):
        resolve_actor(proj, "  ")
