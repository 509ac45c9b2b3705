"""The vocabulary as one immutable model, read from ``ontology/aikg.ttl`` and ``ontology/lexicon.yaml``.

Classes with their parents; properties with domain, range, inverse, symmetry, transitivity and the
kind of route step they are (``aikg:hopKind``); the restriction kinds with the hops they block by default
(``aikg:coversByDefault``); and the lexicon's word lists. Every table other modules keep (inverses,
fact predicates, class parents, hop relations) is derived from here, so a property added to the
ontology reaches ingestion, the projection, route search and the HTML legend with no code change.

Read once per ontology folder with Oxigraph's parser (about 10 ms; rdflib takes tens). An ontology this
code cannot use (an inverse of an unknown property, a hop kind that is not a ``aikg:HopKind``, a
restriction kind that blocks nothing) raises :class:`~aikg.errors.OntologyError` at load, not at query.
"""
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .errors import OntologyError
from .lexicon import load_lexicon
from .settings import ontology_dir

__all__ = ["Model", "Class", "Property", "RestrictionKind", "model", "load_model", "NS"]

NS = "https://w3id.org/aikg/ns#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_TYPE, _FIRST, _REST, _NIL = _RDF + "type", _RDF + "first", _RDF + "rest", _RDF + "nil"
_LABEL, _SUBCLASS, _DOMAIN, _RANGE = _RDFS + "label", _RDFS + "subClassOf", _RDFS + "domain", _RDFS + "range"
_KINDS = {_OWL + "ObjectProperty": "object", _OWL + "DatatypeProperty": "datatype"}


@dataclass(frozen=True)
class Class:
    name: str                  # local name: "Company"
    iri: str
    label: str
    parents: tuple = ()        # direct aikg superclasses, by local name
    outside: tuple = ()        # IRIs of direct superclasses from other vocabularies (prov:Entity...)


@dataclass(frozen=True)
class Property:
    name: str                  # local name: "offeredBy"
    iri: str
    label: str
    kind: str                  # "object" | "datatype"
    domain: frozenset = frozenset()  # class local names (the members of a union); empty when undeclared
    range: frozenset = frozenset()
    inverse: str | None = None       # the local name of its inverse
    canonical: bool = True           # facts are stored with this side; False for the side declaring owl:inverseOf
    symmetric: bool = False
    transitive: bool = False
    functional: bool = False
    hop: str | None = None           # label of the hop kind of a step from subject to object ("use", ...)
    stated: bool = False             # its values are facts with sources (every canonical object property)


@dataclass(frozen=True)
class RestrictionKind:
    name: str                  # local name: "ExportControl"
    iri: str
    label: str
    covers: frozenset          # hop kind labels it blocks when a restriction names none


@dataclass(frozen=True)
class Model:
    folder: str
    classes: Mapping[str, Class]
    properties: Mapping[str, Property]
    hop_kinds: Mapping[str, str]                  # label ("use") -> IRI
    restriction_kinds: Mapping[str, RestrictionKind]  # IRI -> kind
    terms: Mapping[str, str]                      # local name -> IRI of every term the ontology declares
    enumerations: frozenset = frozenset()         # classes whose members the ontology lists (RestrictionKind...)
    lexicon_path: str | None = None               # None: the packaged lexicon

    def lexicon(self) -> Mapping:
        """The lexicon beside the ontology, read when first asked (YAML takes ~50 ms; reach never needs it)."""
        return load_lexicon(self.lexicon_path)

    # -- derived views ---------------------------------------------------------
    def iri(self, name: str) -> str:
        """The IRI of a term (class, property, individual) by local name; OntologyError when the ontology
        lacks it."""
        found = self.terms.get(name)
        if found is None:
            raise OntologyError(f"the ontology in {self.folder} defines no term {name!r}")
        return found

    def inverses(self) -> dict:
        """{inverse local name: canonical local name}: ``offers`` -> ``offeredBy``."""
        return {p.name: p.inverse for p in self.properties.values() if not p.canonical}

    def stated(self) -> tuple:
        """Local names of the predicates that state facts (and so carry provenance), sorted."""
        return tuple(sorted(p.name for p in self.properties.values() if p.stated))

    def hops(self) -> tuple:
        """The properties a route steps along, each as (property, canonical fact predicate, flipped), in a
        fixed order (hop kind, canonical side first, name); ``flipped`` when the fact runs the other way."""
        out = []
        for p in self.properties.values():
            if p.hop is not None:
                fact = p if p.canonical else self.properties[p.inverse]
                out.append((p.hop, not p.canonical, p.name, fact.name))
        return tuple((name, fact, flipped) for _hop, flipped, name, fact in sorted(out))

    def parents(self) -> dict:
        """{class: its first aikg parent} for the classes that have one (``Company`` -> ``Organization``)."""
        return {c.name: c.parents[0] for c in self.classes.values() if c.parents}

    def ancestors(self, name: str) -> tuple:
        """Every aikg superclass of ``name``, nearest first."""
        out, todo = [], list(self.classes[name].parents) if name in self.classes else []
        while todo:
            c = todo.pop(0)
            if c not in out:
                out.append(c)
                todo.extend(self.classes[c].parents)
        return tuple(out)

    def subclasses(self, names) -> tuple:
        """``names`` and every class below them, sorted."""
        wanted = set(names)
        return tuple(sorted(c for c in self.classes if c in wanted or wanted.intersection(self.ancestors(c))))

    def words(self, key: str) -> frozenset:
        """A lexicon word list, lower-cased (``segment_heads``, ``customer_heads``...)."""
        return frozenset(str(w).lower() for w in self.lexicon().get(key) or ())


def _read(path: Path) -> dict:
    """{subject: {predicate: [objects]}} of a Turtle file, as plain strings (blank nodes as ``_:id``)."""
    import pyoxigraph as ox

    out: dict = defaultdict(lambda: defaultdict(list))
    try:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            s = t.subject.value if isinstance(t.subject, ox.NamedNode) else "_:" + t.subject.value
            o = t.object
            value = o.value if not isinstance(o, ox.BlankNode) else "_:" + o.value
            out[s][t.predicate.value].append(value)
    except (OSError, SyntaxError, ValueError) as e:
        raise OntologyError(f"cannot read the ontology {path}: {e}") from e
    return out


def _local(iri: str) -> str | None:
    return iri[len(NS):] if iri.startswith(NS) else None


def _members(g: dict, node: str) -> frozenset:
    """A class's local name, or the local names of the members of an ``owl:unionOf`` list."""
    union = g.get(node, {}).get(_OWL + "unionOf")
    if not union:
        name = _local(node)
        return frozenset({name}) if name else frozenset()
    out: set[str] = set()
    cell = union[0]
    while cell != _NIL:
        first, rest = g.get(cell, {}).get(_FIRST), g.get(cell, {}).get(_REST)
        if not first or not rest:
            raise OntologyError(f"a union in the ontology is not a proper list ({cell})")
        out |= _members(g, first[0])
        cell = rest[0]
    return frozenset(out)


def _label(g: dict, iri: str) -> str:
    labels = g.get(iri, {}).get(_LABEL)
    return labels[0] if labels else _local(iri) or iri


def _one(g: dict, iri: str, predicate: str, what: str) -> str | None:
    values = g.get(iri, {}).get(predicate, [])
    if len(values) > 1:
        raise OntologyError(f"{_local(iri)} has {len(values)} {what}s; the model needs one")
    return values[0] if values else None


def _build(folder: Path, g: dict, lexicon_path: str | None = None) -> Model:
    names = {s: name for s in g if (name := _local(s))}  # aikg's own terms, by local name
    types = {s: set(v.get(_TYPE, ())) for s, v in g.items() if s in names}
    classes = {}
    for iri, ts in types.items():
        if _OWL + "Class" in ts:
            supers = g[iri].get(_SUBCLASS, ())
            parents = tuple(sorted(n for p in supers if (n := _local(p))))
            outside = tuple(sorted(p for p in supers if not _local(p) and not p.startswith("_:")))
            classes[names[iri]] = Class(names[iri], iri, _label(g, iri), parents, outside)
    for c in classes.values():
        for p in c.parents:
            if p not in classes:
                raise OntologyError(f"class {c.name} is a subclass of {p}, which the ontology does not declare")
    hop_kinds = {_label(g, iri): iri for iri, ts in types.items() if NS + "HopKind" in ts}
    hop_of = {iri: label for label, iri in hop_kinds.items()}
    if len(hop_of) != len(hop_kinds):
        raise OntologyError("two hop kinds share a label")

    declared = {iri: _KINDS[k] for iri, ts in types.items() for k in ts if k in _KINDS}
    inverse_of = {}  # inverse side -> canonical side
    for iri in declared:
        target = _one(g, iri, _OWL + "inverseOf", "owl:inverseOf")
        if target is not None:
            if target not in declared or declared[target] != "object" or declared[iri] != "object":
                raise OntologyError(f"{_local(iri)} is the inverse of {_local(target) or target}, "
                                    "which is not an object property of the ontology")
            if target in inverse_of:
                raise OntologyError(f"{_local(iri)} and {_local(target)} declare each other inverse; "
                                    "only the inverse side may say owl:inverseOf")
            inverse_of[iri] = target
    canonical_of = {v: k for k, v in inverse_of.items()}
    if len(canonical_of) != len(inverse_of):
        raise OntologyError("a property has two inverses")

    properties = {}
    for iri, kind in declared.items():
        partner = inverse_of.get(iri) or canonical_of.get(iri)
        own_d, own_r = _one(g, iri, _DOMAIN, "domain"), _one(g, iri, _RANGE, "range")
        if iri in inverse_of and own_d is None and own_r is None:  # an inverse takes its partner's, swapped
            side = inverse_of[iri]  # the canonical side
            own_d, own_r = _one(g, side, _RANGE, "range"), _one(g, side, _DOMAIN, "domain")
        hop = _one(g, iri, NS + "hopKind", "hop kind")
        if hop is not None and (hop not in hop_of or kind != "object"):
            raise OntologyError(f"{_local(iri)} has hop kind {_local(hop) or hop}, which is not an aikg:HopKind "
                                "(or the property is not an object property)")
        canonical = iri not in inverse_of
        ts = types[iri]
        properties[names[iri]] = Property(
            name=names[iri], iri=iri, label=_label(g, iri), kind=kind,
            domain=_members(g, own_d) if own_d else frozenset(), range=_members(g, own_r) if own_r else frozenset(),
            inverse=_local(partner) if partner else None, canonical=canonical,
            symmetric=_OWL + "SymmetricProperty" in ts, transitive=_OWL + "TransitiveProperty" in ts,
            functional=_OWL + "FunctionalProperty" in ts, hop=hop_of.get(hop),
            stated=(kind == "object" and canonical) or "true" in g[iri].get(NS + "statedFact", ()))
    for p in properties.values():
        for c in p.domain | p.range:
            if c not in classes:
                raise OntologyError(f"{p.name} names {c} in its domain or range, which is not a declared class")

    restriction_kinds = {}
    for iri, ts in types.items():
        if NS + "RestrictionKind" in ts:
            covers = g[iri].get(NS + "coversByDefault", ())
            unknown = [c for c in covers if c not in hop_of]
            if unknown or not covers:
                raise OntologyError(f"restriction kind {_local(iri)} must name the hop kinds it covers by default "
                                    "(aikg:coversByDefault with aikg:HopKind values)")
            restriction_kinds[iri] = RestrictionKind(names[iri], iri, _label(g, iri),
                                                     frozenset(hop_of[c] for c in covers))
    if not hop_kinds or not properties:
        raise OntologyError(f"the ontology in {folder} declares no properties or no hop kinds")
    individuals = {_OWL + "NamedIndividual"}
    enumerations = frozenset(name for ts in types.values() if individuals & ts for t in ts if (name := _local(t)))
    return Model(folder=str(folder), classes=MappingProxyType(classes), enumerations=enumerations,
                 terms=MappingProxyType({names[iri]: iri for iri, ts in types.items() if ts}),
                 properties=MappingProxyType(properties),
                 hop_kinds=MappingProxyType(hop_kinds), restriction_kinds=MappingProxyType(restriction_kinds),
                 lexicon_path=lexicon_path)


@lru_cache(maxsize=4)
def load_model(folder: str) -> Model:
    """The model of the ontology and lexicon in ``folder`` (read once per folder)."""
    path = Path(folder) / "aikg.ttl"
    if not path.is_file():
        raise OntologyError(f"ontology file missing: {path}")
    lexicon = Path(folder) / "lexicon.yaml"
    return _build(Path(folder), _read(path), str(lexicon) if lexicon.is_file() else None)


def model() -> Model:
    """The model of the ontology in use (``$AIKG_ONTOLOGY_DIR``, else the packaged one)."""
    return load_model(str(ontology_dir()))
