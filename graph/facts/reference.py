"""Load the ontology and the curated reference graph from ``ontology/``.

Curated facts sit in TriG files, each in the named graph of the source that
states it (the graph's name is the source's URL; ``sources.ttl`` gives its
title and the day it was read). Loading expands that into the provenance shape
an ingested document gets: one ``aikg:Statement`` per fact, derived from each
of its own sources, with ``validFrom``/``validUntil`` where an annotation in
a source's graph dates it. A fact stated outside every source's graph is an
error: no curated fact borrows its subject's sources.
"""
from collections import defaultdict
from datetime import date
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import XSD

from ..errors import InputError
from ..model import model
from ..names.ids import statement_iri
from ..namespace import AIKG, ONTOLOGY_GRAPH, PROV, REFERENCE_GRAPH
from ..settings import ontology_dir, packaged_ontology_dir
from ..store.rdfio import parse_file, parse_quads

__all__ = ["ontology_dir", "packaged_ontology_dir", "load_ontology", "load_reference", "STATED_PREDICATES", "CURATION",
           "provenance", "fact_sources", "VALIDITY"]

CURATION = "aikg curated reference data"

VALIDITY = (AIKG.validFrom, AIKG.validUntil)

# Predicates that state facts (and so carry provenance); labels and notes do not. From the ontology.
STATED_PREDICATES = frozenset(URIRef(model().iri(name)) for name in model().stated())


def load_ontology(folder: Path | None = None) -> Graph:
    folder = folder or ontology_dir()
    path = folder / "aikg.ttl"
    if not path.exists():
        raise InputError(f"ontology file missing: {path}")
    return parse_file(path)


def provenance(graph_name: URIRef, s, p, o, source: URIRef, *, confidence: float, extractor: str,
               quote: str | None = None, valid_from: date | None = None) -> list[tuple]:
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
    if valid_from:
        triples.append((st, AIKG.validFrom, Literal(valid_from.isoformat(), datatype=XSD.date)))
    return triples


def load_reference(folder: Path | None = None) -> Graph:
    """Every ``reference/*.ttl`` and ``*.trig`` file merged, with a Statement per fact and source."""
    graph, sources, validity = _read_reference((folder or ontology_dir()) / "reference")
    for (s, p, o), cited in sources.items():
        dates = validity.get((s, p, o), {})
        for source in sorted(cited):
            for t in provenance(REFERENCE_GRAPH, s, p, o, source, confidence=1.0, extractor=CURATION):
                graph.add(t)
        st = statement_iri(REFERENCE_GRAPH, s, p, o)
        for prop, value in dates.items():
            graph.add((st, prop, value))
    return graph


def fact_sources(folder: Path | None = None) -> dict:
    """{(s, p, o): the sources whose graphs state the fact}, for every fact of the curated files."""
    return dict(_read_reference((folder or ontology_dir()) / "reference")[1])


def _read_reference(folder: Path) -> tuple[Graph, dict, dict]:
    files = sorted(folder.glob("*.ttl")) + sorted(folder.glob("*.trig"))
    if not files:
        raise InputError(f"no reference data in {folder}")
    graph, sources = Graph(), defaultdict(set)
    notes: dict[tuple, Graph] = {}  # (file, graph name) -> its statement notes
    for path in files:
        parts = parse_quads(path) if path.suffix == ".trig" else [(None, parse_file(path))]
        for name, part in parts:
            for s, p, o in part:
                if p in (RDF.subject, RDF.predicate, RDF.object) or p in VALIDITY:
                    notes.setdefault((path, name), Graph()).add((s, p, o))
                    continue
                graph.add((s, p, o))
                if p not in STATED_PREDICATES:
                    continue
                if not _is_source(name):
                    raise InputError(f"{path}: the fact {_short(s)} {_short(p)} {_short(o)} is stated outside "
                                     "a source's graph (put it in the graph of the source that states it)")
                sources[(s, p, o)].add(name)
    return graph, sources, _validity(notes, sources)


def _validity(notes: dict, sources: dict) -> dict:
    """{fact: {validFrom/validUntil: date}} from the annotations (rdf:subject/predicate/object + dates)."""
    out: dict = {}
    for (path, name), part in notes.items():
        for note in set(part.subjects()):
            key = (part.value(note, RDF.subject), part.value(note, RDF.predicate), part.value(note, RDF.object))
            if key not in sources or not _is_source(name):
                raise InputError(f"{path}: {_short(note)} dates a fact that no source's graph states")
            sources[key].add(name)  # the source that gives the date states the fact too
            dates = out.setdefault(key, {})
            for prop in VALIDITY:
                value = part.value(note, prop)
                if value is not None:
                    if dates.get(prop, value) != value:
                        raise InputError(f"{path}: {_short(note)} gives a second {_short(prop)} for one fact")
                    dates[prop] = value
    return out


def _is_source(name) -> bool:
    return isinstance(name, URIRef) and str(name).startswith(("https://", "http://"))


def _short(term) -> str:
    return str(term).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def initial_graphs(*, empty: bool = False) -> dict[URIRef, Graph | None]:
    """The graphs ``aikg init`` writes: the ontology, and the reference data unless ``empty``."""
    return {ONTOLOGY_GRAPH: load_ontology(), REFERENCE_GRAPH: None if empty else load_reference()}
