"""Load the ontology and the curated reference graph from ``ontology/``.

Curated files state facts plainly and cite sources per subject
(``dcterms:source``); loading expands that into the same provenance shape an
ingested document gets: one ``aikg:Statement`` per fact.
"""
import os
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from .errors import InputError
from .ids import statement_iri
from .namespace import AIKG, ONTOLOGY_GRAPH, PROV, REFERENCE_GRAPH
from .rdfio import parse_file

__all__ = ["ontology_dir", "packaged_ontology_dir", "load_ontology", "load_reference", "FACT_PREDICATES", "CURATION", "provenance"]

CURATION = "aikg curated reference data"

# Predicates that state facts (and so carry provenance); labels and notes do not.
FACT_PREDICATES = frozenset({
    AIKG.developedBy, AIKG.offeredBy, AIKG.operatedBy, AIKG.providesAccessTo, AIKG.partOf,
    AIKG.subsidiaryOf, AIKG.investedIn, AIKG.partnerOf, AIKG.customerOf, AIKG.basedIn,
    AIKG.availableIn, AIKG.approvedBy, AIKG.manufacturedBy, AIKG.usesChip, AIKG.restricts,
    AIKG.appliesIn, AIKG.appliesTo, AIKG.imposedBy, AIKG.effectiveFrom, AIKG.effectiveUntil,
    AIKG.kind, AIKG.coversHop,
})


def ontology_dir() -> Path:
    """``$AIKG_ONTOLOGY_DIR``, else the installed ``aikg/ontology`` data (``ontology/`` in a checkout)."""
    env = os.environ.get("AIKG_ONTOLOGY_DIR")
    return Path(env) if env else packaged_ontology_dir()


def packaged_ontology_dir() -> Path:
    """Where the ontology ships: ``aikg/ontology`` in a wheel, ``ontology/`` beside ``graph/`` in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "ontology"
    return installed if (installed / "aikg.ttl").is_file() else here.parent / "ontology"


def load_ontology(folder: Path | None = None) -> Graph:
    folder = folder or ontology_dir()
    path = folder / "aikg.ttl"
    if not path.exists():
        raise InputError(f"ontology file missing: {path}")
    return parse_file(path)


def provenance(graph_name: URIRef, s, p, o, source: URIRef, *, confidence: float, extractor: str,
               quote: str | None = None) -> list[tuple]:
    """The triples of one ``aikg:Statement`` recording where a fact came from."""
    st = statement_iri(graph_name, s, p, o)
    triples = [
        (st, RDF.type, AIKG.Statement),
        (st, RDF.subject, s),
        (st, RDF.predicate, p),
        (st, RDF.object, o),
        (st, PROV.wasDerivedFrom, source),
        (st, AIKG.confidence, Literal(f"{confidence:.2f}", datatype=XSD.decimal)),
        (st, AIKG.extractor, Literal(extractor)),
    ]
    if quote:
        triples.append((st, AIKG.quote, Literal(quote)))
    return triples


def load_reference(folder: Path | None = None) -> Graph:
    """Every ``reference/*.ttl`` file merged, with a Statement per sourced fact."""
    folder = (folder or ontology_dir()) / "reference"
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise InputError(f"no reference data in {folder}")
    graph = Graph()
    for path in files:
        graph += parse_file(path)
    for s, p, o in list(graph):
        if p not in FACT_PREDICATES:
            continue
        for source in graph.objects(s, DCTERMS.source):
            for t in provenance(REFERENCE_GRAPH, s, p, o, source, confidence=1.0, extractor=CURATION):
                graph.add(t)
    return graph


def initial_graphs(*, empty: bool = False) -> dict[URIRef, Graph | None]:
    """The graphs ``aikg init`` writes: the ontology, and the reference data unless ``empty``."""
    return {ONTOLOGY_GRAPH: load_ontology(), REFERENCE_GRAPH: None if empty else load_reference()}
