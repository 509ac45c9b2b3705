"""Small graphs for the reach tests, written for these tests (the founding story and the chip story).

Facts are plain Turtle; ``QUOTES`` gives a few of them a source document and
sentence (in our own words), and ``DENIALS`` records a source that says a
fact does not hold, the way ingestion records a negated statement.
"""
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from aikg.facts.bootstrap import init_store
from aikg.facts.reference import STATED_PREDICATES, provenance
from aikg.namespace import AIKG, ENT, GRAPH
from aikg.store.embedded import open_store

PREFIXES = """
@prefix aikg: <https://w3id.org/aikg/ns#> .
@prefix ent: <https://w3id.org/aikg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""

FOUNDING = PREFIXES + """
ent:china a aikg:Jurisdiction ; rdfs:label "China" ; skos:altLabel "mainland China" ; aikg:demonym "Chinese" .
ent:hong-kong a aikg:Jurisdiction ; rdfs:label "Hong Kong" .
ent:united-states a aikg:Jurisdiction ; rdfs:label "United States" ; skos:altLabel "US" ; aikg:demonym "American" .
ent:european-union a aikg:Jurisdiction ; rdfs:label "European Union" ; skos:altLabel "EU" ; aikg:demonym "European" .
ent:italy a aikg:Jurisdiction ; rdfs:label "Italy" ; aikg:demonym "Italian" ; aikg:partOf ent:european-union .
ent:singapore a aikg:Jurisdiction ; rdfs:label "Singapore" ; aikg:demonym "Singaporean" .

ent:openai a aikg:Company ; rdfs:label "OpenAI" ; aikg:basedIn ent:united-states ; dcterms:source ent:doc-ref .
ent:microsoft a aikg:Company ; rdfs:label "Microsoft" ; aikg:basedIn ent:united-states .
ent:21vianet a aikg:Company ; rdfs:label "21Vianet" ; aikg:basedIn ent:china .
ent:government-of-china a aikg:Regulator ; rdfs:label "Government of China" ; skos:altLabel "Chinese government" .
ent:nvidia a aikg:Company ; rdfs:label "Nvidia" ; aikg:basedIn ent:united-states .
ent:tsmc a aikg:Company ; rdfs:label "TSMC" .
ent:bis a aikg:Regulator ; rdfs:label "Bureau of Industry and Security" ; skos:altLabel "BIS" .
ent:oracle a aikg:Company ; rdfs:label "Oracle" ; aikg:basedIn ent:united-states .
ent:tencent a aikg:Company ; rdfs:label "Tencent" ; aikg:basedIn ent:china .
ent:tencent-sg a aikg:Company ; rdfs:label "Tencent Singapore Holdings" ; aikg:basedIn ent:singapore ;
    aikg:subsidiaryOf ent:tencent .
ent:tencent-sg-lab a aikg:Company ; rdfs:label "Tencent Singapore Lab" ; aikg:basedIn ent:singapore ;
    aikg:subsidiaryOf ent:tencent-sg .
ent:xai a aikg:Company ; rdfs:label "xAI" ; aikg:basedIn ent:united-states ; aikg:customerOf ent:oracle .

ent:chinese-enterprise-customers a aikg:CustomerSegment ; rdfs:label "Chinese enterprise customers" ;
    aikg:basedIn ent:china .

ent:gpt-4o a aikg:AIModel ; rdfs:label "GPT-4o" ; aikg:developedBy ent:openai .
ent:openai-api a aikg:Service ; rdfs:label "OpenAI API" ; aikg:offeredBy ent:openai ;
    aikg:providesAccessTo ent:gpt-4o .
ent:chatgpt a aikg:Service ; rdfs:label "ChatGPT" ; aikg:offeredBy ent:openai ; aikg:providesAccessTo ent:gpt-4o .
ent:azure-china a aikg:Service ; rdfs:label "Azure China" ; aikg:offeredBy ent:microsoft ;
    aikg:operatedBy ent:21vianet ; aikg:availableIn ent:china .
ent:azure-openai-service a aikg:Service ; rdfs:label "Azure OpenAI Service" ; skos:altLabel "Azure OpenAI" ;
    aikg:offeredBy ent:microsoft ; aikg:availableIn ent:china, ent:hong-kong ;
    aikg:providesAccessTo ent:gpt-4o ; aikg:partOf ent:azure-china .

ent:h100 a aikg:Chip ; rdfs:label "H100" ; aikg:developedBy ent:nvidia ; aikg:manufacturedBy ent:tsmc .
ent:h20 a aikg:Chip ; rdfs:label "H20" ; aikg:developedBy ent:nvidia ; aikg:availableIn ent:china .
ent:oci a aikg:Service ; rdfs:label "Oracle Cloud Infrastructure" ; skos:altLabel "OCI" ;
    aikg:offeredBy ent:oracle ; aikg:availableIn ent:united-states ; aikg:providesAccessTo ent:h100 .

ent:r-openai-china a aikg:Restriction ; rdfs:label "OpenAI API access block in China" ;
    aikg:restricts ent:openai-api ; aikg:appliesIn ent:china ; aikg:imposedBy ent:openai ;
    aikg:effectiveFrom "2024-07-09"^^xsd:date ; aikg:kind aikg:AccessBlock .
ent:r-chatgpt-ban a aikg:Restriction ; rdfs:label "ChatGPT ban in China" ; aikg:restricts ent:chatgpt ;
    aikg:appliesIn ent:china ; aikg:imposedBy ent:government-of-china ; aikg:kind aikg:Ban .
ent:r-h100 a aikg:Restriction ; rdfs:label "US export control on the H100" ; aikg:restricts ent:h100 ;
    aikg:appliesIn ent:china ; aikg:imposedBy ent:bis ; aikg:effectiveFrom "2022-10-07"^^xsd:date ;
    aikg:kind aikg:ExportControl .
ent:r-h20 a aikg:Restriction ; rdfs:label "US licence requirement for the H20" ; aikg:restricts ent:h20 ;
    aikg:appliesIn ent:china ; aikg:imposedBy ent:bis ; aikg:effectiveFrom "2025-04-09"^^xsd:date ;
    aikg:kind aikg:ExportControl .

# the jurisdiction hierarchy: a ban on the EU reaches Italy
ent:example-chat a aikg:Service ; rdfs:label "Example Chat" ; aikg:providesAccessTo ent:example-model ;
    aikg:availableIn ent:united-states .
ent:example-model a aikg:AIModel ; rdfs:label "Example Model" .
ent:r-eu a aikg:Restriction ; rdfs:label "Example Chat suspension in the EU" ; aikg:restricts ent:example-chat ;
    aikg:appliesIn ent:european-union ; aikg:imposedBy ent:government-of-china ;
    aikg:effectiveFrom "2023-03-31"^^xsd:date ; aikg:effectiveUntil "2023-04-28"^^xsd:date ;
    aikg:kind aikg:Suspension .

# disputed: two sources disagree on whether Mirror Cloud serves Hong Kong
ent:mirror-cloud a aikg:Service ; rdfs:label "Mirror Cloud" ; aikg:providesAccessTo ent:mirror-model ;
    aikg:availableIn ent:hong-kong .
ent:mirror-model a aikg:AIModel ; rdfs:label "Mirror Model" .

ent:doc-ref rdfs:label "Reference notes" .
ent:doc-a a aikg:Document ; rdfs:label "OpenAI curbs API use in China (test report)" .
ent:doc-b a aikg:Document ; rdfs:label "Mirror Cloud leaves Hong Kong (test report)" .
ent:doc-c a aikg:Document ; rdfs:label "Mirror Cloud expands in Asia (test report)" .
"""

QUOTES = [
    ("openai-api", "providesAccessTo", "gpt-4o", "doc-a", "Developers call GPT-4o through the OpenAI API."),
    ("r-openai-china", "restricts", "openai-api", "doc-a",
     "OpenAI said it would stop serving API traffic from mainland China from July 9."),
    ("r-openai-china", "effectiveFrom", Literal("2024-07-09", datatype=XSD.date), "doc-a",
     "OpenAI said it would stop serving API traffic from mainland China from July 9."),
    ("azure-openai-service", "availableIn", "china", "doc-a",
     "Azure OpenAI keeps serving enterprise customers in China through the local partner."),
    ("azure-openai-service", "providesAccessTo", "gpt-4o", "doc-a", "Azure OpenAI offers the GPT-4o model."),
    ("mirror-cloud", "availableIn", "hong-kong", "doc-c", "Mirror Cloud opened a region in Hong Kong."),
]
DENIALS = [("mirror-cloud", "availableIn", "hong-kong", "doc-b", "Mirror Cloud no longer serves Hong Kong.")]


def _term(x):
    if isinstance(x, (Literal, URIRef)):
        return x
    return ENT[x]


def build_graph(ttl: str, quotes=(), denials=(), graph_name=GRAPH["test"]) -> Graph:
    g = Graph()
    g.parse(data=ttl, format="turtle")
    for s, p, o in list(g):
        if p in STATED_PREDICATES:
            for src in g.objects(s, DCTERMS.source):
                for t in provenance(graph_name, s, p, o, src, confidence=1.0, extractor="test"):
                    g.add(t)
    for s, p, o, doc, quote in quotes:
        for t in provenance(graph_name, ENT[s], AIKG[p], _term(o), ENT[doc], confidence=0.9, extractor="test",
                            quote=quote):
            g.add(t)
    for s, p, o, doc, quote in denials:
        st = None
        for t in provenance(URIRef(str(graph_name) + "/neg"), ENT[s], AIKG[p], _term(o), ENT[doc], confidence=0.9,
                            extractor="test", quote=quote):
            g.add(t)
            st = t[0]
        g.add((st, AIKG.negated, Literal(True)))
    return g


def make_store(path, ttl: str = FOUNDING, quotes=QUOTES, denials=DENIALS):
    """An empty store (ontology only) plus the given facts in one named graph; returns its path."""
    init_store(str(path), empty=True)
    with open_store(str(path), write=True) as store:
        store.replace_graphs({GRAPH["test"]: build_graph(ttl, quotes, denials)})
    return path
