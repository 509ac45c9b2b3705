"""The aikg vocabulary as closed rdflib namespaces.

Terms are listed by hand and a test checks them against ``ontology/aikg.ttl``
both ways, so a typo is an error at import rather than a new IRI.
"""
from rdflib import Namespace
from rdflib.namespace import DefinedNamespace, URIRef

__all__ = ["AIKG", "ENT", "GRAPH", "PREFIXES", "REFERENCE_GRAPH", "ONTOLOGY_GRAPH", "META_GRAPH", "DOC", "WD", "PROV",
           "SCHEMA"]

BASE = "https://w3id.org/aikg/"


class AIKG(DefinedNamespace):
    _NS = Namespace(BASE + "ns#")
    _fail = True

    # classes
    Organization: URIRef
    Company: URIRef
    Regulator: URIRef
    CustomerSegment: URIRef
    Jurisdiction: URIRef
    Product: URIRef
    AIModel: URIRef
    Service: URIRef
    Chip: URIRef
    Equipment: URIRef
    Restriction: URIRef
    RestrictionKind: URIRef
    HopKind: URIRef
    Document: URIRef
    Statement: URIRef
    # individuals
    AccessBlock: URIRef
    Ban: URIRef
    ExportControl: URIRef
    Suspension: URIRef
    UseHop: URIRef
    BuyHop: URIRef
    AccessHop: URIRef
    # object properties and their inverses
    developedBy: URIRef
    develops: URIRef
    offeredBy: URIRef
    offers: URIRef
    operatedBy: URIRef
    operates: URIRef
    providesAccessTo: URIRef
    accessibleVia: URIRef
    partOf: URIRef
    hasPart: URIRef
    subsidiaryOf: URIRef
    hasSubsidiary: URIRef
    investedIn: URIRef
    hasInvestor: URIRef
    partnerOf: URIRef
    customerOf: URIRef
    hasCustomer: URIRef
    basedIn: URIRef
    availableIn: URIRef
    approvedBy: URIRef
    manufacturedBy: URIRef
    manufactures: URIRef
    usesChip: URIRef
    restricts: URIRef
    restrictedBy: URIRef
    appliesIn: URIRef
    appliesTo: URIRef
    imposedBy: URIRef
    imposes: URIRef
    kind: URIRef
    coversHop: URIRef
    # annotation properties (how code reads the vocabulary)
    hopKind: URIRef
    coversByDefault: URIRef
    statedFact: URIRef
    # datatype properties
    effectiveFrom: URIRef
    effectiveUntil: URIRef
    demonym: URIRef
    quote: URIRef
    confidence: URIRef
    extractor: URIRef
    negated: URIRef
    validFrom: URIRef
    validUntil: URIRef
    url: URIRef
    published: URIRef
    retrieved: URIRef
    contentHash: URIRef
    path: URIRef


ENT = Namespace(BASE + "id/")
DOC = Namespace(BASE + "doc/")
GRAPH = Namespace(BASE + "graph/")
ONTOLOGY_GRAPH = GRAPH.ontology
REFERENCE_GRAPH = GRAPH.reference
META_GRAPH = GRAPH.meta
WD = Namespace("http://www.wikidata.org/entity/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")

PREFIXES = {
    "aikg": str(AIKG._NS),
    "ent": str(ENT),
    "doc": str(DOC),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "wd": str(WD),
}
