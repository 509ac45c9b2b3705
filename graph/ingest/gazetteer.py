"""Known names: every label and alias of the store, with their variants, and the jurisdictions' demonyms.

Names are keyed by their lower-case tokens (possessives dropped); company suffixes are dropped as a
variant, and each product's last word indexes it for "the same family" matches. The names are read
through the facts log (:mod:`aikg.facts.factlog`), not by SPARQL: on a store of 80k entities that is seconds
rather than tens of seconds.
"""
import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rdflib import URIRef

from ..facts import factlog
from ..lexicon import load_lexicon
from ..model import model
from ..namespace import AIKG
from ..store.base import Store
from .tokens import POSSESSIVE, nlp

__all__ = ["Entity", "Gazetteer", "isa", "countries", "PARENTS", "KNOWN_TYPES", "FUZZY_THRESHOLD"]

PARENTS = model().parents()  # class -> its superclass, from the ontology
KNOWN_TYPES = frozenset(factlog.CLASSES)  # the classes the facts log keeps types of
FUZZY_THRESHOLD = 92
FUZZY_MARGIN = 3  # points the best match must lead the best other entity by
_NUMBERS = re.compile(r"\d+")
_PLAIN_WORD = re.compile(r"[A-Za-z]+|[0-9]+")
_ISA: dict = {}


def isa(types, wanted) -> bool:
    """True when one of ``types`` is ``wanted`` or a subclass of it."""
    try:
        return _ISA[types, wanted]
    except KeyError:
        pass
    except TypeError:  # an unhashable argument: answer without the cache
        return _isa(types, wanted)
    if len(_ISA) > 10_000:
        _ISA.clear()
    answer = _ISA[types, wanted] = _isa(types, wanted)
    return answer


def _isa(types, wanted) -> bool:
    wanted = {wanted} if isinstance(wanted, str) else set(wanted)
    return any(t in wanted or PARENTS.get(t) in wanted for t in types)


@lru_cache(maxsize=1)
def _special_cases() -> frozenset:
    return frozenset(nlp().tokenizer.rules)


@lru_cache(maxsize=65536)
def name_key(text: str) -> tuple[str, ...]:
    """A name as lower-case tokens, possessives dropped: what the linker matches sentences against."""
    words = text.split(" ")
    # plain words (letters or digits, one space apart, no special case such as "cannot") are what spaCy's
    # tokenizer would give; skipping it made a gazetteer of 80k names 4x faster to build
    if all(map(_PLAIN_WORD.fullmatch, words)) and _special_cases().isdisjoint(words):
        return tuple(w.lower() for w in words)
    return tuple(t.text.lower().replace("’", "'") for t in nlp().tokenizer(text) if t.text not in POSSESSIVE)




def countries(part_of: dict, nations: set) -> dict:
    """{place: its country}: a jurisdiction without a demonym is a place inside the first jurisdiction up
    its partOf chain that has one (countries have demonyms, cities and states none; the EU's members
    are countries, not places in it)."""
    out = {}
    for place, parent in part_of.items():
        if place in nations:
            continue
        seen = {place}
        while parent.iri not in nations and parent.iri in part_of and parent.iri not in seen:
            seen.add(parent.iri)
            parent = part_of[parent.iri]
        if parent.iri in nations:
            out[place] = parent
    return out


@dataclass
class Entity:
    iri: URIRef
    label: str
    types: frozenset = frozenset()
    new: bool = False
    aliases: list = field(default_factory=list)
    facts: list = field(default_factory=list)  # (predicate local name, Entity) stated when it was introduced
    guessed: bool = False  # a new name typed by default, no cue or suffix: the first role that says otherwise wins



class Gazetteer:
    """Known names: token tuples -> entities, demonyms -> jurisdictions."""

    def __init__(self, lexicon: dict | None = None):
        self.lexicon = lexicon or load_lexicon()
        self.suffixes = {s.lower() for s in self.lexicon.get("company_suffixes", [])}
        self.names: dict[tuple, list[tuple[Entity, int]]] = {}
        self.entities: dict[URIRef, Entity] = {}
        self.demonyms: dict[str, Entity] = {}
        self.home: dict[URIRef, Entity] = {}  # organization -> the jurisdiction it is based in
        self.provider: dict[URIRef, Entity] = {}  # service -> the organization that offers it
        self.maker: dict[URIRef, Entity] = {}  # product -> the organization that develops or offers it
        self.country: dict[URIRef, Entity] = {}  # a place inside a country (a city, a US state) -> the country
        self.by_label: dict[str, Entity] = {}
        self.first: set[str] = set()
        self.prefixes: set[tuple] = set()  # every proper prefix of a name's key: where a longer match may go on
        self.members: dict[str, list] = {}  # last word of a product's label -> [(product, the words before it)]
        self.max_len = 1
        self._fuzzy_keys: list[str] | None = None
        self._fuzzy_map: dict[str, Entity] = {}
        self._fuzzy_by_len: dict[int, tuple[list, list]] = {}  # key length -> (keys, their positions in _fuzzy_keys)

    @classmethod
    def from_store(cls, store: Store, lexicon: dict | None = None) -> "Gazetteer":
        """The store's names, read through its facts log (a fraction of a second where SPARQL over 80k
        entities took 20 s)."""
        return cls.from_facts(factlog.read(store, store.revision()), lexicon)

    @classmethod
    def from_facts(cls, facts: factlog.Facts, lexicon: dict | None = None) -> "Gazetteer":
        """Every entity with a label or alias and a class of :data:`KNOWN_TYPES`; where each organization is
        based, who offers each service, the demonyms (each the first by IRI when the data gives several)."""
        gaz, terms = cls(lexicon), facts.terms
        classes = {facts.id(model().iri(t)): t for t in KNOWN_TYPES}
        types: dict[int, set] = {}
        for e, c in zip(*facts.values(factlog.TYPE)):
            if c in classes:
                types.setdefault(e, set()).add(classes[c])
        names: dict[int, tuple] = {}
        for predicate, main in ((factlog.LABEL, True), (factlog.ALT_LABEL, False)):
            for e, name in zip(*facts.values(predicate)):
                if e in types:
                    names.setdefault(e, (set(), set()))[0 if main else 1].add(terms[name])
        for e in sorted(names, key=terms.__getitem__):
            labels, aliases = names[e]
            aliases = sorted(aliases)
            label = min(labels) if labels else aliases[0]
            gaz.add(Entity(URIRef(terms[e]), label, frozenset(types[e]), aliases=aliases))

        def known(pairs, subject=None, obj=None):
            """(subject, object) entities in IRI order, each subject's first."""
            found = {}
            for a, b in sorted(zip(*pairs), key=lambda ab: (terms[ab[0]], terms[ab[1]])):
                x, y = gaz.entities.get(URIRef(terms[a])), gaz.entities.get(URIRef(terms[b]))
                if x and y and (subject is None or subject & types[a]) and (obj is None or obj & types[b]):
                    found.setdefault(x.iri, y)
            return found

        gaz.home = known(facts.values(str(AIKG.basedIn)), obj={"Jurisdiction"})
        gaz.provider = known(facts.values(str(AIKG.offeredBy)), subject={"Service"}, obj={"Company", "Organization"})
        gaz.maker = {**gaz.provider, **known(facts.values(str(AIKG.developedBy)), obj={"Company", "Organization"})}
        nations = set()
        for j, d in sorted(zip(*facts.values(str(AIKG.demonym))), key=lambda jd: (terms[jd[0]], terms[jd[1]])):
            if URIRef(terms[j]) in gaz.entities:
                gaz.demonyms.setdefault(terms[d].lower(), gaz.entities[URIRef(terms[j])])
                nations.add(URIRef(terms[j]))
        gaz.country = countries(known(facts.values(str(AIKG.partOf)), subject={"Jurisdiction"},
                                       obj={"Jurisdiction"}), nations)
        return gaz

    def country_of(self, place: Entity) -> Entity:
        """The country a place lies in ("Shanghai" -> China); any other entity is its own."""
        return self.country.get(place.iri, place)

    def add(self, entity: Entity, extra_names=()) -> Entity:
        """Register an entity under its label, aliases and their variants; returns the registered one."""
        existing = self.entities.get(entity.iri)
        if existing is not None:
            entity = existing
        self.entities[entity.iri] = entity
        self.by_label.setdefault(entity.label.lower(), entity)
        for i, name in enumerate([entity.label, *entity.aliases, *extra_names]):
            key = name_key(name)
            if not key:
                continue
            rank = 0 if i == 0 else 1
            self._put(key, entity, rank)
            if i == 0 and len(key) > 1 and isa(entity.types, "Product") and key[-1].isalpha():
                self.members.setdefault(key[-1], []).append((entity, key[:-1]))
            if isa(entity.types, "Organization") and len(key) > 1 and key[-1] in self.suffixes:
                short = key[:-1]
                while len(short) > 1 and short[-1] == ",":  # "Amazon Web Services, Inc.": no trailing comma
                    short = short[:-1]
                self._put(short, entity, rank + 2)
            if key[0] == "the" and len(key) > 1:
                self._put(key[1:], entity, rank)
            if len(key) > 1 and key[-1].isdigit() and key[-2].isalpha() and isa(entity.types, "Product"):
                self._put(key[:-2] + (key[-2] + key[-1],), entity, 1)  # "Llama2", "Gaudi3": written as one word
        return entity

    def _put(self, key, entity, rank):
        entries = self.names.setdefault(key, [])
        if all(e.iri != entity.iri for e, _ in entries):
            entries.append((entity, rank))
            entries.sort(key=lambda x: x[1])
        self.first.add(key[0])
        for k in range(1, len(key)):
            self.prefixes.add(key[:k])
        self.max_len = max(self.max_len, len(key))
        text = " ".join(key)
        if self._fuzzy_keys is not None and len(text) >= 5 and text not in self._fuzzy_map:
            self._fuzzy_map[text] = entries[0][0]
            self._fuzzy_keys.append(text)
            keys, positions = self._fuzzy_by_len.setdefault(len(text), ([], []))
            keys.append(text)
            positions.append(len(self._fuzzy_keys) - 1)

    def lookup(self, name: str) -> Entity | None:
        entries = self.names.get(name_key(name))
        return entries[0][0] if entries else None

    def jurisdiction(self, name: str) -> Entity | None:
        """A jurisdiction by name, demonym or alias: a country, or a place of the reference graph."""
        lex = self.lexicon
        name = lex.get("country_aliases", {}).get(name, name)
        e = self.lookup(name)
        if e is not None and isa(e.types, "Jurisdiction"):
            return e
        dem = self.demonyms.get(name.lower())
        if dem is not None:
            return dem
        target = lex.get("demonyms", {}).get(name)
        if target:
            e = self.lookup(target)
            if e is not None and isa(e.types, "Jurisdiction"):
                return e
        return None

    def fuzzy(self, text: str, typ: str | None = None) -> Entity | None:
        """A close known name (typos, spacing), only with evidence that it is the same name.

        The evidence: a high similarity on names of 5+ letters; the same numbers ("Qwen 3" is
        not "Qwen 7", "21Vianet" not "24Vianet"); a type that fits when the mention's cue gives
        one ("Orion Labs" is no model); and a margin over the best other entity.
        """
        if len(text) < 5:
            return None
        if self._fuzzy_keys is None:
            self._fuzzy_map = {" ".join(k): es[0][0] for k, es in self.names.items() if len(" ".join(k)) >= 5}
            self._fuzzy_keys = list(self._fuzzy_map)
            for pos, key in enumerate(self._fuzzy_keys):
                keys, positions = self._fuzzy_by_len.setdefault(len(key), ([], []))
                keys.append(key)
                positions.append(pos)
        # fuzz.ratio is 100 * (1 - distance / (len1 + len2)) and the distance is at least the length
        # difference: only keys of about the same length can reach the threshold.
        query = text.lower()
        numbers = _NUMBERS.findall(query)
        n = len(query)
        slack = (100 - FUZZY_THRESHOLD) / 100
        scored = []  # (score, position, key) of every key over the threshold with the same numbers
        for size in range(int(n * (1 - slack) / (1 + slack)), int(n * (1 + slack) / (1 - slack)) + 2):
            bucket = self._fuzzy_by_len.get(size)
            if not bucket:
                continue
            keys, positions = bucket
            for key, score, i in process.extract(query, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD - 4,
                                                 limit=8):
                if _NUMBERS.findall(key) == numbers:
                    scored.append((score, positions[i], key))
        scored.sort(key=lambda c: (-c[0], c[1]))
        if not scored or scored[0][0] < FUZZY_THRESHOLD:
            return None
        best = self._fuzzy_map[scored[0][2]]
        rival = next((c for c in scored[1:] if self._fuzzy_map[c[2]].iri != best.iri), None)
        if rival is not None and scored[0][0] - rival[0] < FUZZY_MARGIN:
            return None  # two entities about as close: no evidence for either
        if typ is not None and best.types and not isa(best.types, typ):
            return None
        return best
