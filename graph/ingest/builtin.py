"""Places every store knows how to read, even one initialised empty.

Countries, their demonyms and the places within them are general vocabulary, not curated facts:
an extractor that cannot tell "Chinese" from China reads nothing about bans or headquarters. The
gazetteer takes them from the packaged reference files when the store holds no jurisdiction;
they are then new to the store, so a document that names one writes its label and class.
"""
from functools import lru_cache

from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..namespace import AIKG
from .gazetteer import Entity, Gazetteer, countries, isa

__all__ = ["add_jurisdictions"]

FILES = ("jurisdictions.trig", "places.trig")


@lru_cache(maxsize=1)
def _jurisdictions() -> tuple:
    """(iri, label, aliases, demonyms, the jurisdiction it is part of or None) of every packaged one.

    Read with Oxigraph's parser: 15 ms for the 17,000 quads, where rdflib took 0.7 s on every
    ingest into an empty store."""
    import pyoxigraph as ox

    from ..settings import ontology_dir

    wanted = {str(RDFS.label): "label", str(SKOS.altLabel): "alias", str(AIKG.demonym): "demonym",
              str(AIKG.partOf): "part_of"}
    jurisdiction, rdf_type = str(AIKG.Jurisdiction), str(RDF.type)
    kinds = set()
    values: dict[str, dict[str, set[str]]] = {}
    folder = ontology_dir() / "reference"
    for name in FILES:
        path = folder / name
        if not path.is_file():
            continue
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
            subject, predicate = quad.subject.value, quad.predicate.value
            if predicate == rdf_type and quad.object.value == jurisdiction:
                kinds.add(subject)
            elif predicate in wanted:
                values.setdefault(subject, {}).setdefault(wanted[predicate], set()).add(quad.object.value)
    out = []
    for iri in sorted(kinds):
        v = values.get(iri, {})
        labels = sorted(v.get("label", ()))
        if not labels:
            continue
        aliases = sorted(v.get("alias", set()) - {labels[0]})
        part_of = min(v.get("part_of", ()), default=None)
        out.append((URIRef(iri), labels[0], aliases, sorted(v.get("demonym", ())),
                    URIRef(part_of) if part_of else None))
    return tuple(out)


def add_jurisdictions(gaz: Gazetteer) -> None:
    """Give a gazetteer without any jurisdiction the packaged ones (in place). A place inside a country
    (a city, a US state) brings its partOf with it, written where a document first names it."""
    if any(isa(e.types, "Jurisdiction") for e in gaz.entities.values()):
        return
    part_of, nations = {}, set()
    for iri, label, aliases, demonyms, parent in _jurisdictions():
        e = gaz.add(Entity(iri, label, frozenset({"Jurisdiction"}), new=True, aliases=list(aliases)))
        for d in demonyms:
            gaz.demonyms.setdefault(d.lower(), e)
        if demonyms:
            nations.add(iri)
        if parent is not None:
            part_of[iri] = parent
    part_of = {iri: gaz.entities[p] for iri, p in part_of.items() if p in gaz.entities}
    gaz.country = countries(part_of, nations)
    for place, country in gaz.country.items():
        gaz.entities[place].facts.append(("partOf", country))
