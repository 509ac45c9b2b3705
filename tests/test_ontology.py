"""ontology/aikg.ttl: integrity, OWL-RL closure, alignments, and agreement with graph/namespace.py."""
from pathlib import Path

import owlrl
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from aikg.facts.reference import STATED_PREDICATES
from aikg.namespace import AIKG

ONTOLOGY_FILE = Path(__file__).resolve().parent.parent / "ontology" / "aikg.ttl"
NS = str(AIKG._NS)
WDT = Namespace("http://www.wikidata.org/prop/direct/")
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
ENT = Namespace("https://w3id.org/aikg/id/")


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def terms(g: Graph, kind) -> set[URIRef]:
    return {s for s in g.subjects(RDF.type, kind) if str(s).startswith(NS)}


def local(term) -> str:
    return str(term)[len(NS):]


def test_ontology_header(onto):
    assert (URIRef("https://w3id.org/aikg/ns"), RDF.type, OWL.Ontology) in onto


def test_every_term_labelled_and_defined(onto):
    declared = terms(onto, OWL.Class) | terms(onto, OWL.ObjectProperty) | terms(onto, OWL.DatatypeProperty) \
        | terms(onto, OWL.NamedIndividual)
    assert len(declared) > 60
    for t in sorted(declared):
        labels = [lab for lab in onto.objects(t, RDFS.label) if isinstance(lab, Literal)]
        assert len(labels) == 1 and labels[0].language == "en", f"{local(t)} needs one English rdfs:label"
        definition = onto.value(t, SKOS.definition) or onto.value(t, RDFS.comment)
        assert definition is not None and len(str(definition)) > 10, f"{local(t)} has no definition"


def test_core_vocabulary_present(onto):
    """SPEC's public contract: these local names exist with these kinds."""
    classes = {"Organization", "Company", "Regulator", "CustomerSegment", "Jurisdiction", "Product", "AIModel",
               "Service", "Chip", "Restriction", "Document"}
    props = {"developedBy", "offeredBy", "operatedBy", "providesAccessTo", "partOf", "subsidiaryOf", "investedIn",
             "partnerOf", "customerOf", "basedIn", "availableIn", "approvedBy", "manufacturedBy", "usesChip",
             "restricts", "appliesIn", "appliesTo", "imposedBy"}
    assert classes <= {local(c) for c in terms(onto, OWL.Class)}
    assert props <= {local(p) for p in terms(onto, OWL.ObjectProperty)}
    assert {"effectiveFrom", "effectiveUntil"} <= {local(p) for p in terms(onto, OWL.DatatypeProperty)}
    for sub, sup in [("Company", "Organization"), ("Regulator", "Organization"), ("AIModel", "Product"),
                     ("Service", "Product"), ("Chip", "Product")]:
        assert (AIKG[sub], RDFS.subClassOf, AIKG[sup]) in onto
    kinds = {local(k) for k in onto.subjects(RDF.type, AIKG.RestrictionKind)}
    assert {"AccessBlock", "Ban", "ExportControl", "Suspension"} <= kinds


def _members(onto: Graph, cls) -> set:
    """A class, or the members of an owl:unionOf."""
    union = onto.value(cls, OWL.unionOf)
    if union is None:
        return {cls}
    from rdflib.collection import Collection

    return set(Collection(onto, union))


def _domain_range(onto: Graph, p):
    d, r = onto.value(p, RDFS.domain), onto.value(p, RDFS.range)
    inv = onto.value(p, OWL.inverseOf)
    if inv is not None and d is None and r is None:  # an inverse takes its partner's, swapped
        d, r = onto.value(inv, RDFS.range), onto.value(inv, RDFS.domain)
    return d, r


def test_object_properties_have_domain_and_range(onto):
    for p in sorted(terms(onto, OWL.ObjectProperty)):
        d, r = _domain_range(onto, p)
        assert d is not None and r is not None, f"{local(p)} lacks a domain or range (declared or by inverse)"
        for cls in _members(onto, d) | _members(onto, r):
            assert (cls, RDF.type, OWL.Class) in onto, f"{local(p)}: {cls} is not a declared class"


@pytest.mark.parametrize("prop,domain,range_", [
    ("developedBy", {"Product"}, {"Organization"}),
    ("offeredBy", {"Service"}, {"Organization"}),
    ("operatedBy", {"Service"}, {"Organization"}),
    ("providesAccessTo", {"Service"}, {"Product"}),
    ("partOf", {"Product", "Jurisdiction"}, {"Product", "Jurisdiction"}),
    ("subsidiaryOf", {"Organization"}, {"Organization"}),
    ("investedIn", {"Organization"}, {"Organization"}),
    ("partnerOf", {"Organization"}, {"Organization"}),
    ("customerOf", {"Organization", "CustomerSegment"}, {"Organization", "Service"}),
    ("basedIn", {"Organization", "CustomerSegment"}, {"Jurisdiction"}),
    ("availableIn", {"Product"}, {"Jurisdiction"}),
    ("approvedBy", {"Product"}, {"Regulator"}),
    ("manufacturedBy", {"Product"}, {"Organization"}),
    ("usesChip", {"Product", "Organization"}, {"Chip"}),
    ("restricts", {"Restriction"}, {"Product"}),
    ("appliesIn", {"Restriction"}, {"Jurisdiction"}),
    ("appliesTo", {"Restriction"}, {"Organization", "CustomerSegment"}),
    ("imposedBy", {"Restriction"}, {"Organization"}),
])
def test_core_domains_and_ranges_follow_spec(onto, prop, domain, range_):
    d, r = _domain_range(onto, AIKG[prop])
    assert {local(c) for c in _members(onto, d)} == domain
    assert {local(c) for c in _members(onto, r)} == range_


@pytest.mark.parametrize("prop,inverse", [
    ("developedBy", "develops"), ("offeredBy", "offers"), ("operatedBy", "operates"),
    ("providesAccessTo", "accessibleVia"), ("partOf", "hasPart"), ("subsidiaryOf", "hasSubsidiary"),
    ("investedIn", "hasInvestor"), ("customerOf", "hasCustomer"), ("manufacturedBy", "manufactures"),
    ("restricts", "restrictedBy"), ("imposedBy", "imposes"),
])
def test_inverses_present(onto, prop, inverse):
    assert (AIKG[inverse], OWL.inverseOf, AIKG[prop]) in onto or (AIKG[prop], OWL.inverseOf, AIKG[inverse]) in onto


def test_part_of_transitive_partner_of_symmetric(onto):
    assert (AIKG.partOf, RDF.type, OWL.TransitiveProperty) in onto
    assert (AIKG.partnerOf, RDF.type, OWL.SymmetricProperty) in onto


def test_fact_predicates_are_ontology_properties(onto):
    props = terms(onto, OWL.ObjectProperty) | terms(onto, OWL.DatatypeProperty)
    assert set(STATED_PREDICATES) <= props


DATES = ("effectiveFrom", "effectiveUntil", "validFrom", "validUntil", "published", "retrieved")


def test_dates_are_xsd_date_in_the_shapes_and_literals_in_owl(onto):
    """xsd:date is outside the OWL 2 datatype map: OWL says rdfs:Literal, the SHACL shapes say xsd:date."""
    from rdflib.namespace import SH, XSD

    shapes = Graph().parse(ONTOLOGY_FILE.parent / "shapes.ttl", format="turtle")
    for p in DATES:
        assert onto.value(AIKG[p], RDFS.range) == RDFS.Literal
        assert any(shapes.value(node, SH.datatype) == XSD.date for node in shapes.subjects(SH.path, AIKG[p])), p
    assert XSD.date not in set(onto.objects(None, RDFS.range))


def test_a_dl_reasoner_accepts_the_ontology(onto, tmp_path):
    """HermiT (bundled with owlready2, run on Java) classifies the ontology: it is OWL 2 DL and consistent."""
    import shutil

    owlready2 = pytest.importorskip("owlready2")
    if shutil.which("java") is None:
        pytest.skip("no java on PATH (.ci/run installs default-jre-headless)")
    path = tmp_path / "aikg.owl"
    onto.serialize(path, format="xml")
    world = owlready2.World()
    loaded = world.get_ontology(path.as_uri()).load()
    with loaded:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)  # raises if HermiT refuses
    assert list(world.inconsistent_classes()) == []
    assert loaded.search_one(iri=str(AIKG.Company)) in loaded.search_one(iri=str(AIKG.Organization)).descendants()


def test_no_pair_aligned_twice(onto):
    """An OWL equivalence or subproperty and a skos match for the same pair say the same thing twice."""
    owl_pairs = {(s, o) for p in (OWL.equivalentProperty, OWL.equivalentClass, RDFS.subPropertyOf, RDFS.subClassOf)
                 for s, o in onto.subject_objects(p)}
    skos_pairs = {(s, o) for p in (SKOS.closeMatch, SKOS.exactMatch, SKOS.relatedMatch)
                  for s, o in onto.subject_objects(p)}
    assert owl_pairs & skos_pairs == set()


def test_based_in_is_not_a_kind_of_country(onto):
    """basedIn holds for the EU and Hong Kong: not a subproperty of Wikidata's country (P17)."""
    assert WDT.P17 not in set(onto.objects(AIKG.basedIn, RDFS.subPropertyOf))
    assert WDT.P17 in set(onto.objects(AIKG.basedIn, SKOS.relatedMatch))


def test_owl_rl_closure_runs_and_infers(onto):
    g = Graph()
    for t in onto:
        g.add(t)
    data = [
        (ENT.italy, AIKG.partOf, ENT.eu), (ENT.rome, AIKG.partOf, ENT.italy),
        (ENT.microsoft, AIKG.partnerOf, ENT.openai), (ENT["gpt-4o"], AIKG.developedBy, ENT.openai),
        (ENT["azure-openai"], AIKG.offeredBy, ENT.microsoft), (ENT.acme, RDF.type, AIKG.Company),
    ]
    for t in data:
        g.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    assert (ENT.rome, AIKG.partOf, ENT.eu) in g  # transitive
    assert (ENT.openai, AIKG.partnerOf, ENT.microsoft) in g  # symmetric
    assert (ENT.openai, AIKG.develops, ENT["gpt-4o"]) in g  # inverse
    assert (ENT.microsoft, AIKG.offers, ENT["azure-openai"]) in g
    assert (ENT.acme, RDF.type, AIKG.Organization) in g  # subclass
    assert (ENT["gpt-4o"], RDF.type, AIKG.Product) in g  # domain
    assert (ENT.openai, RDF.type, AIKG.Organization) in g  # range
    # The ontology is consistent: OWL-RL flags contradictions as owl:Nothing members or error nodes.
    assert not list(g.subjects(RDF.type, OWL.Nothing))


def test_namespace_module_matches_ontology_both_ways(onto):
    in_module = {AIKG[name] for name in AIKG.__annotations__}
    in_file = {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(NS) and len(str(s)) > len(NS)}
    assert in_module - in_file == set(), "namespace.py names terms the ontology does not define"
    assert in_file - in_module == set(), "the ontology defines terms namespace.py lacks"


def test_namespace_is_closed():
    with pytest.raises(AttributeError):
        AIKG.developedby  # noqa: B018  (a typo must fail)


@pytest.mark.parametrize("prop,wikidata", [
    ("developedBy", "P178"), ("operatedBy", "P137"), ("subsidiaryOf", "P127"), ("subsidiaryOf", "P749"),
    ("appliesIn", "P1001"), ("effectiveFrom", "P580"), ("effectiveUntil", "P582"),
])
def test_wikidata_alignments(onto, prop, wikidata):
    links = {o for p in (SKOS.closeMatch, SKOS.exactMatch, OWL.equivalentProperty, RDFS.subPropertyOf)
             for o in onto.objects(AIKG[prop], p)}
    assert WDT[wikidata] in links


def test_schema_org_and_prov_alignments(onto):
    objects = {str(o) for o in onto.objects() if isinstance(o, URIRef)}
    assert any(o.startswith(SCHEMA) for o in objects)
    assert URIRef(PROV + "Entity") in set(onto.objects(AIKG.Statement, RDFS.subClassOf))
    assert URIRef(PROV + "Agent") in set(onto.objects(AIKG.Organization, RDFS.subClassOf))
