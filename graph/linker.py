"""Entity recognition and linking against the store's own names.

The gazetteer holds every ``rdfs:label`` and ``skos:altLabel`` of the store
(plus variants: company suffixes dropped, possessives ignored) and the
jurisdictions' ``aikg:demonym``. Over spaCy tokens of one sentence,
:class:`Linker` finds the longest known names, demonyms and place names,
customer segments ("Chinese enterprise customers", "AWS customers"),
generic products ("advanced chipmaking equipment"), anaphors ("the company",
"it") and unknown names that look like names (a digit, CamelCase, an acronym,
or a class cue such as "the cloud provider CoreWeave"). Unknown names become
new entities with a deterministic IRI; a later mention in the same run links
to the same node.
"""
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process
from rdflib import URIRef

from .errors import InputError
from .ids import entity_iri, slug
from .store import Store

__all__ = ["Entity", "Mention", "Gazetteer", "Linker", "load_lexicon", "isa", "nlp", "PARENTS"]

PARENTS = {"Company": "Organization", "Regulator": "Organization", "AIModel": "Product", "Service": "Product",
           "Chip": "Product", "Equipment": "Product"}
KNOWN_TYPES = set(PARENTS) | {"Organization", "Product", "Jurisdiction", "CustomerSegment"}
FUZZY_THRESHOLD = 92
_POSSESSIVE = {"'s", "’s", "'", "’"}
_CAPITAL = re.compile(r"[A-Z]")
_NOT_NAME = re.compile(r"^(?:\$?\d[\d,.]*(?:st|nd|rd|th|s|m|bn|b|k|gb|tb|mw|gw|%)?|\d+-\w+)$", re.I)
_AFTER_PRODUCT = {"to", "in", "from", "for", "on", "and", "or", "starting", "since", "until", "at", "is", "are", "was",
                  "were", "will", "would", "has", "had", "that", "which", "with", "by", "as", "after", "before"}


def isa(types, wanted) -> bool:
    """True when one of ``types`` is ``wanted`` or a subclass of it."""
    wanted = {wanted} if isinstance(wanted, str) else set(wanted)
    return any(t in wanted or PARENTS.get(t) in wanted for t in types)


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> dict:
    from .reference import ontology_dir

    p = Path(path) if path else ontology_dir() / "lexicon.yaml"
    if not p.exists():  # an ontology dir without a lexicon falls back to the packaged one
        p = Path(__file__).resolve().parent.parent / "ontology" / "lexicon.yaml"
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"cannot load lexicon {p}: {e}") from e
    if not isinstance(data, dict) or "relations" not in data:
        raise InputError(f"lexicon {p} has no relations")
    return data


@lru_cache(maxsize=1)
def nlp():
    """A blank English pipeline with a rule-based sentencizer (no trained model needed)."""
    import spacy

    pipe = spacy.blank("en")
    pipe.add_pipe("sentencizer")
    return pipe


@lru_cache(maxsize=65536)
def _key(text: str) -> tuple[str, ...]:
    return tuple(t.text.lower().replace("’", "'") for t in nlp().tokenizer(text) if t.text not in _POSSESSIVE)


@dataclass
class Entity:
    iri: URIRef
    label: str
    types: frozenset = frozenset()
    new: bool = False
    aliases: list = field(default_factory=list)
    facts: list = field(default_factory=list)  # (predicate local name, Entity) stated when it was introduced


@dataclass
class Mention:
    start: int  # token indices in the sentence, end exclusive
    end: int
    text: str
    entity: Entity | None = None
    kind: str = "entity"  # entity, anaphor, segment
    wants: str | None = None  # for anaphors: the class looked for (None: any)
    antecedents: tuple = ()  # for anaphors: recent entities, most recent first
    excluded: bool = False  # a place after "outside"
    base: Entity | None = None  # for segments: the place or provider in the name ("AWS" in "AWS customers")

    def resolve(self, wanted=None, avoid=()) -> Entity | None:
        if self.kind != "anaphor":
            return self.entity
        for e in self.antecedents:
            if e.iri in avoid:
                continue
            if self.wants and not isa(e.types, self.wants):
                continue
            if not self.wants and isa(e.types, ("Jurisdiction", "CustomerSegment")) and self.text.lower() in ("it", "its"):
                continue
            if wanted and not isa(e.types, wanted):
                continue
            return e
        return None


class Gazetteer:
    """Known names: token tuples -> entities, demonyms -> jurisdictions."""

    def __init__(self, lexicon: dict | None = None):
        self.lexicon = lexicon or load_lexicon()
        self.names: dict[tuple, list[tuple[Entity, int]]] = {}
        self.entities: dict[URIRef, Entity] = {}
        self.demonyms: dict[str, Entity] = {}
        self.home: dict[URIRef, Entity] = {}  # organization -> the jurisdiction it is based in
        self.by_label: dict[str, Entity] = {}
        self.first: set[str] = set()
        self.max_len = 1
        self._fuzzy_keys: list[str] | None = None
        self._fuzzy_map: dict[str, Entity] = {}

    @classmethod
    def from_store(cls, store: Store, lexicon: dict | None = None) -> "Gazetteer":
        gaz = cls(lexicon)
        rows = store.query("""
            SELECT ?e ?name ?main ?type WHERE {
              { ?e rdfs:label ?name BIND(1 AS ?main) } UNION { ?e skos:altLabel ?name BIND(0 AS ?main) }
              ?e a ?type FILTER(STRSTARTS(STR(?type), STR(aikg:)))
              FILTER(isIRI(?e))
            }""").rows
        info: dict[URIRef, dict] = {}
        for e, name, main, typ in rows:
            local = str(typ).rsplit("#", 1)[-1]
            if local not in KNOWN_TYPES:
                continue
            d = info.setdefault(e, {"label": None, "aliases": set(), "types": set()})
            d["types"].add(local)
            if int(main.toPython()):
                d["label"] = d["label"] or str(name)
            else:
                d["aliases"].add(str(name))
        for e, d in info.items():
            label = d["label"] or next(iter(sorted(d["aliases"])), str(e).rsplit("/", 1)[-1])
            gaz.add(Entity(e, label, frozenset(d["types"]), aliases=sorted(d["aliases"])))
        for org, j in store.query("SELECT ?o ?j WHERE { ?o aikg:basedIn ?j . ?j a aikg:Jurisdiction }").rows:
            if org in gaz.entities and j in gaz.entities:
                gaz.home.setdefault(org, gaz.entities[j])
        for j, dem in store.query("SELECT ?j ?d WHERE { ?j aikg:demonym ?d }").rows:
            if j in gaz.entities:
                gaz.demonyms.setdefault(str(dem).lower(), gaz.entities[j])
        return gaz

    def add(self, entity: Entity, extra_names=()) -> Entity:
        """Register an entity under its label, aliases and their variants; returns the registered one."""
        existing = self.entities.get(entity.iri)
        if existing is not None:
            entity = existing
        self.entities[entity.iri] = entity
        self.by_label.setdefault(entity.label.lower(), entity)
        suffixes = {s.lower() for s in self.lexicon.get("company_suffixes", [])}
        for i, name in enumerate([entity.label, *entity.aliases, *extra_names]):
            key = _key(name)
            if not key:
                continue
            rank = 0 if i == 0 else 1
            self._put(key, entity, rank)
            if isa(entity.types, "Organization") and len(key) > 1 and key[-1] in suffixes:
                self._put(key[:-1], entity, rank + 2)
            if key[0] == "the" and len(key) > 1:
                self._put(key[1:], entity, rank)
        return entity

    def _put(self, key, entity, rank):
        entries = self.names.setdefault(key, [])
        if all(e.iri != entity.iri for e, _ in entries):
            entries.append((entity, rank))
            entries.sort(key=lambda x: x[1])
        self.first.add(key[0])
        self.max_len = max(self.max_len, len(key))
        text = " ".join(key)
        if self._fuzzy_keys is not None and len(text) >= 5 and text not in self._fuzzy_map:
            self._fuzzy_map[text] = entries[0][0]
            self._fuzzy_keys.append(text)

    def lookup(self, name: str) -> Entity | None:
        entries = self.names.get(_key(name))
        return entries[0][0] if entries else None

    def jurisdiction(self, name: str) -> Entity | None:
        """A jurisdiction by name, demonym, alias or known city."""
        lex = self.lexicon
        for table in (lex.get("country_aliases", {}), lex.get("places", {})):
            if name in table:
                name = table[name]
                break
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

    def fuzzy(self, text: str) -> Entity | None:
        """A close known name (typos, spacing), only above a high threshold and for names of 5+ letters."""
        if len(text) < 5:
            return None
        if self._fuzzy_keys is None:
            self._fuzzy_map = {" ".join(k): es[0][0] for k, es in self.names.items() if len(" ".join(k)) >= 5}
            self._fuzzy_keys = list(self._fuzzy_map)
        hit = process.extractOne(text.lower(), self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
        return self._fuzzy_map[hit[0]] if hit else None


def _is_word(tok) -> bool:
    return tok.is_alpha or any(c.isdigit() for c in tok.text)


def _namelike(tok) -> bool:
    t = tok.text
    return bool(t) and (t[0].isupper() or (t[0].isdigit() and any(c.isalpha() for c in t))) and t not in _POSSESSIVE


class Linker:
    """Finds mentions in sentences of one document; keeps the document's discourse state."""

    def __init__(self, gazetteer: Gazetteer):
        self.gaz = gazetteer
        lex = gazetteer.lexicon
        self.stop = {w.lower() for w in lex.get("stop_capitals", [])}
        self.seg_heads = {w.lower() for w in lex.get("segment_heads", [])}
        self.seg_mods = {w.lower() for w in lex.get("segment_modifiers", [])}
        self.type_cues = {}
        for typ, words in lex.get("type_cues", {}).items():
            for w in words:
                self.type_cues[tuple(str(w).lower().split())] = typ
        self.suffix_types = {}
        for typ, words in lex.get("name_suffixes", {}).items():
            for w in words:
                self.suffix_types[str(w).lower()] = typ
        self.anaphors = {}
        for typ, words in lex.get("anaphors", {}).items():
            for w in words:
                self.anaphors[str(w).lower()] = typ
        self.pronouns = {str(w).lower() for w in lex.get("pronouns", [])}
        self.generic = [(re.compile(r"\b" + rx + r"\b", re.I), typ)
                        for typ, rxs in lex.get("generic_products", {}).items() for rx in rxs]
        self.exclusion = [tuple(str(w).lower().split()) for w in lex.get("exclusion_cues", [])]
        self.recent: list[Entity] = []  # discourse: most recent first
        self.counts: dict = {}  # mentions so far per entity
        self.acronyms: dict[str, Entity] = {}
        self.lower_words: set[str] = set()
        self.new_entities: dict[URIRef, Entity] = {}
        self.gov_of: dict[URIRef, Entity] = {}

    # -- document state -------------------------------------------------------------

    def start_document(self, text: str) -> None:
        self.recent = []
        self.counts = {}
        self.acronyms = {}
        self.lower_words = set(re.findall(r"(?<![.!?]\s)\b([a-z][a-z-]+)\b", text))

    def remember(self, entity: Entity, mentioned: bool = True) -> None:
        self.recent = [entity] + [e for e in self.recent if e.iri != entity.iri][:30]
        if mentioned:
            self.counts[entity.iri] = self.counts.get(entity.iri, 0) + 1

    # -- mentions ---------------------------------------------------------------------

    def mentions(self, sent) -> list[Mention]:
        """Mentions in one spaCy sentence span (token indices relative to the span)."""
        toks = list(sent)
        n = len(toks)
        low = [t.text.lower().replace("’", "'") for t in toks]
        taken = [None] * n
        found: list[Mention] = []

        def claim(m: Mention):
            for k in range(m.start, m.end):
                taken[k] = m
            found.append(m)

        self._generic_products(sent, toks, claim, taken)
        i = 0
        while i < n:
            if taken[i] is not None:
                i += 1
                continue
            m = self._known(toks, low, i, taken)
            if m is not None:
                claim(m)
                i = m.end
                continue
            i += 1
        self._acronym_definitions(toks, found, claim, taken)
        self._possessed_products(toks, low, found, claim, taken)
        self._unknown_names(toks, low, claim, taken)
        self._demonyms_and_segments(toks, low, found, claim, taken)
        self._governments(toks, low, found, claim, taken)
        self._anaphors(toks, low, claim, taken)
        for m in found:
            if m.kind != "anaphor" and m.entity is not None and isa(m.entity.types, "Jurisdiction"):
                before = tuple(low[max(0, m.start - 3):m.start])
                if any(before[-len(c):] == c or before[-len(c) - 1:-1] == c for c in self.exclusion):
                    m.excluded = True
        found.sort(key=lambda m: m.start)
        self._absorb_heads(toks, low, found, taken)
        seen: list[Entity] = []
        for m in found:
            if m.kind == "anaphor":
                if m.text.lower() in self.pronouns:  # pronouns: the sentence first, then recency
                    local = [e for e in reversed(seen)]
                    rest = [e for e in self.recent if all(e.iri != x.iri for x in local)]
                else:  # "the company": the document's most talked-about candidate, recency breaking ties
                    local = []
                    rest = sorted(self.recent, key=lambda e: -self.counts.get(e.iri, 0))
                m.antecedents = tuple(local + rest)
                if m.text.lower() not in self.pronouns:
                    e = m.resolve()
                    if e is not None:
                        seen.append(e)
            elif m.entity is not None:
                seen.append(m.entity)
        return found

    _POSSESSED = {("api",): "Service", ("app",): "Service", ("memory", "chips"): "Chip",
                  ("chips",): "Chip", ("products",): "Product", ("memory",): "Chip"}

    def _possessed_products(self, toks, low, found, claim, taken):
        """"OpenAI's API", "its API", "Micron memory chips": a product named by its owner."""
        n = len(toks)
        for i in range(1, n):
            for head, typ in self._POSSESSED.items():
                j = i + len(head)
                if tuple(low[i:j]) != head or any(taken[k] is not None for k in range(i, j)):
                    continue
                if j < n and not (toks[j].is_punct or low[j] in _AFTER_PRODUCT):
                    continue
                start = i
                owner = None
                if low[i - 1] in _POSSESSIVE and i >= 2 and taken[i - 2] is not None:
                    m = taken[i - 2]
                    owner, start = m.entity, m.start
                elif taken[i - 1] is not None and taken[i - 1].kind == "entity":
                    m = taken[i - 1]
                    owner, start = m.entity, m.start
                elif low[i - 1] in ("its", "their"):
                    start = i - 1
                    local = [taken[k].entity for k in range(i - 1, -1, -1) if taken[k] is not None and taken[k].entity]
                    owner = next((e for e in local + self.recent if isa(e.types, "Organization")), None)
                if owner is None or not isa(owner.types, "Organization"):
                    continue
                if start < i - 1 and taken[start] is not None:
                    found.remove(taken[start])
                    for k in range(start, i):
                        taken[k] = None
                label = f"{owner.label} {' '.join(head)}"
                product = self.gaz.lookup(label)
                if product is None:
                    product = self._new_entity(label, typ)
                    if product.new and not product.facts:
                        product.facts.append(("offeredBy" if typ == "Service" else "developedBy", owner))
                claim(Mention(start, j, "".join(t.text_with_ws for t in toks[start:j]).strip(), product))
                break

    def government(self, jur: Entity) -> Entity:
        """The government of a jurisdiction: a known one ("Government of China") or a new Regulator."""
        dem = self._demonym_of(jur.label, jur)
        for name in (f"Government of {jur.label}", f"Government of the {jur.label}", f"{dem} government"):
            e = self.gaz.lookup(name)
            if e is not None and isa(e.types, "Organization"):
                self.gov_of[e.iri] = jur
                return e
        e = self._new_entity(f"Government of {jur.label}", "Regulator",
                             aliases=[f"{dem} government"] if dem != jur.label else [])
        self.gov_of[e.iri] = jur
        return e

    def _governments(self, toks, low, found, claim, taken):
        n = len(toks)
        for m in list(found):
            if m.kind != "entity" or m.entity is None or not isa(m.entity.types, "Jurisdiction"):
                continue
            j = m.end
            if j < n and low[j] in ("government", "authorities", "regulators", "cabinet") and taken[j] is None:
                gov = self.government(m.entity)
                found.remove(m)
                for k in range(m.start, j + 1):
                    taken[k] = None
                claim(Mention(m.start, j + 1, "".join(t.text_with_ws for t in toks[m.start:j + 1]).strip(), gov))

    def note(self, mentions: list[Mention]) -> None:
        """Update the discourse state after a sentence (subjects weigh most: noted last)."""
        for m in reversed(mentions):
            if m.kind == "anaphor":
                e = m.resolve()
                if e is not None:
                    self.remember(e, mentioned=False)
            elif m.entity is not None and not isa(m.entity.types, "Jurisdiction"):
                self.remember(m.entity)

    def _known(self, toks, low, i, taken) -> Mention | None:
        gaz = self.gaz
        if low[i] not in gaz.first and toks[i].text not in self.acronyms and low[i].rstrip("s") not in gaz.first:
            return None
        best = None
        j_max = min(len(toks), i + gaz.max_len + 2)
        key: list[str] = []
        j = i
        while j < j_max and taken[j] is None:
            if low[j] in _POSSESSIVE:
                if j == i or j + 1 >= len(toks):
                    break
                j += 1
                continue
            key.append(low[j])
            j += 1
            entries = gaz.names.get(tuple(key))
            if not entries and key[-1].endswith("s") and len(key[-1]) > 3:  # "H100s", "Blackwell GPUs"
                entries = gaz.names.get(tuple(key[:-1]) + (key[-1][:-1],))
            if entries:
                best = (j, entries)
        if best is None and toks[i].text in self.acronyms:
            return Mention(i, i + 1, toks[i].text, self.acronyms[toks[i].text])
        if best is None:
            return None
        end, entries = best
        # a match across a possessive only when it reaches further than the plain reading
        if any(low[k] in _POSSESSIVE for k in range(i, end)):
            k = next(k for k in range(i, end) if low[k] in _POSSESSIVE)
            plain = self._known(toks, low, k + 1, taken) if k + 1 < len(toks) else None
            if plain is not None and plain.end >= end:
                end, entries = self._plain(low, i, k)
                if entries is None:
                    return None
        entity = entries[0][0]
        text = "".join(t.text_with_ws for t in toks[i:end]).strip()
        if not isa(entity.types, "Jurisdiction") and text in self.gaz.lexicon.get("places", {}):
            place = self.gaz.jurisdiction(text)  # "Tokyo" the city, not the government it may stand for
            entity = place or entity
        if _CAPITAL.search(entity.label) and not any(c.isupper() or c.isdigit() for c in text):
            return None  # "meta" the word is not Meta the company
        if end - i == 1 and text.isupper() and len(text) <= 2 and text != entity.label and text not in entity.aliases:
            return None
        return Mention(i, end, text, entity)

    def _plain(self, low, i, k):
        entries = None
        end = i
        for j in range(i + 1, k + 1):
            hit = self.gaz.names.get(tuple(low[i:j]))
            if hit:
                entries, end = hit, j
        return end, entries

    def _generic_products(self, sent, toks, claim, taken):
        text = sent.text
        base = sent.start_char
        for rx, typ in self.generic:
            for m in rx.finditer(text):
                idx = [k for k, t in enumerate(toks) if t.idx - base >= m.start() and t.idx - base + len(t) <= m.end()]
                if not idx or any(taken[k] is not None for k in idx):
                    continue
                label = re.sub(r"^(?:most |older |newer )", "", m.group(0).lower())
                entity = self._new_entity(label, typ)
                claim(Mention(idx[0], idx[-1] + 1, m.group(0), entity))

    def _acronym_definitions(self, toks, found, claim, taken):
        """"Long Name (ACR)": the acronym names the same entity in the rest of the document."""
        for k in range(2, len(toks) - 2):
            if toks[k].text == "(" and toks[k + 2].text == ")" and toks[k + 1].text.isupper() and len(toks[k + 1].text) >= 2:
                acr = toks[k + 1].text
                prev = taken[k - 1]
                if prev is not None and prev.kind == "entity" and prev.entity is not None:
                    self.acronyms[acr] = prev.entity
                    if taken[k + 1] is None:
                        claim(Mention(k + 1, k + 2, acr, prev.entity))
                    continue
                if taken[k + 1] is not None and taken[k + 1].entity is not None:
                    continue
                # unknown long name: take the capitalised words (with "of", "and", ",") before the bracket
                s = k - 1
                while s > 0 and taken[s - 1] is None and (_namelike(toks[s - 1]) or toks[s - 1].text in ("of", "and", ",", "&")):
                    s -= 1
                while s < k and (not _namelike(toks[s]) or toks[s].text.lower() in self.stop):
                    s += 1
                if s >= k:
                    continue
                long_name = "".join(t.text_with_ws for t in toks[s:k]).strip()
                initials = "".join(w[0] for w in re.findall(r"[A-Za-z]+", long_name) if w[0].isupper())
                if initials[:1] != acr[:1]:
                    continue
                entity = self._new_entity(long_name, self._name_type(long_name.lower().split()) or "Organization",
                                          aliases=[acr])
                self.acronyms[acr] = entity
                claim(Mention(s, k, long_name, entity))
                claim(Mention(k + 1, k + 2, acr, entity))

    def _name_type(self, words) -> str | None:
        for w in words:
            typ = self.suffix_types.get(w.lower())
            if typ in ("Regulator",):
                return typ
        return self.suffix_types.get(words[-1].lower()) if words else None

    def _cue_type(self, low, start, end) -> tuple[str | None, int, int]:
        """A class cue right before ("the cloud provider X") or after ("X chatbot") a name."""
        for size in (3, 2, 1):
            after = tuple(low[end:end + size])
            if len(after) == size and after in self.type_cues:
                return self.type_cues[after], start, end + size
        for size in (3, 2, 1):
            before = tuple(low[max(0, start - size):start])
            if len(before) == size and before in self.type_cues:
                return self.type_cues[before], start, end
        return None, start, end

    def _unknown_names(self, toks, low, claim, taken):
        n = len(toks)
        i = 0
        while i < n:
            if taken[i] is not None or not _namelike(toks[i]) or toks[i].is_punct or _NOT_NAME.match(toks[i].text):
                i += 1
                continue
            j = i + 1
            while j < n and taken[j] is None and (
                    _namelike(toks[j]) or (toks[j].like_num and not re.fullmatch(r"(?:19|20)\d\d|\d+,\d+", toks[j].text)
                                           and len(toks[j].text) <= 5) or (toks[j - 1].whitespace_ == "" and toks[j].text in "-.:/+"
                                           and j + 1 < n and toks[j + 1].whitespace_ != " " and _is_word(toks[j + 1]))
                    or (toks[j - 1].whitespace_ == "" and _is_word(toks[j]))):
                j += 1
            while j > i and not _is_word(toks[j - 1]):
                j -= 1
            if i > 0 and toks[i - 1].text == "(" and i >= 2 and toks[i - 2].text.islower() and j - i == 1:
                i = j  # "deep-ultraviolet (DUV)": an abbreviation of a common noun
                continue
            words = [t.text for t in toks[i:j]]
            if i == 0 or toks[i - 1].text in ('"', "“", ":", "—", "(", "-"):
                while words and (words[0].lower() in self.stop or words[0].lower() in self.lower_words):
                    words.pop(0)
                    i += 1
            while words and (words[0].lower() in self.stop or _NOT_NAME.match(words[0])):
                words.pop(0)
                i += 1
            if not words or j <= i:
                i = max(i, j) if j > i else i + 1
                continue
            text = "".join(t.text_with_ws for t in toks[i:j]).strip()
            jur = self.gaz.jurisdiction(text)
            if jur is not None:
                claim(Mention(i, j, text, jur))
                i = j
                continue
            cue, _, _ = self._cue_type(low, i, j)
            shaped = (any(c.isdigit() for c in text) or re.search(r"[a-z][A-Z]", text)
                      or (text.isupper() and len(text) >= 2) or "." in text.strip("."))
            suffix = self._name_type([w.lower() for w in words])
            if not (cue or shaped or suffix) or text.lower() in self.stop:
                i = j
                continue
            known = self.gaz.fuzzy(text)
            if known is not None:
                claim(Mention(i, j, text, known))
                i = j
                continue
            typ = cue or suffix or ("Product" if any(c.isdigit() for c in text) else "Organization")
            entity = self._new_entity(text, typ)
            claim(Mention(i, j, text, entity))
            i = j

    def _new_entity(self, label: str, typ: str, aliases=()) -> Entity:
        label = re.sub(r"\s+", " ", label).strip()
        known = self.gaz.lookup(label)
        if known is not None:
            return known
        iri = entity_iri(label)
        if iri in self.gaz.entities:
            return self.gaz.entities[iri]
        types = frozenset({typ}) if typ else frozenset()
        entity = self.gaz.add(Entity(iri, label, types, new=True, aliases=list(aliases)))
        self.new_entities[iri] = entity
        return entity

    def _demonyms_and_segments(self, toks, low, found, claim, taken):
        n = len(toks)
        for i in range(n):
            m = taken[i]
            place = None
            if m is None and _namelike(toks[i]):
                place = self.gaz.jurisdiction(toks[i].text)
                if place is not None:
                    m = Mention(i, i + 1, toks[i].text, place)
                    claim(m)
            if m is None or m.start != i or m.entity is None:
                continue
            if m.kind == "entity" and isa(m.entity.types, "CustomerSegment") and m.base is None:
                words = m.text.split()
                while len(words) > 1 and (words[-1].lower() in self.seg_heads or words[-1].lower() in self.seg_mods):
                    words.pop()
                prefix = " ".join(words)
                if prefix != m.text:
                    m.base = self.gaz.jurisdiction(prefix) or self.gaz.lookup(prefix)
                    m.kind = "segment" if m.base is not None else m.kind
                continue
            # "<place|demonym|org|service> [modifiers] <head>": a customer segment
            j = m.end
            mods = []
            while j < n and low[j] in self.seg_mods and taken[j] is None and len(mods) < 2:
                mods.append(toks[j].text.lower())
                j += 1
            if j < n and low[j] in self.seg_heads and taken[j] is None and m.kind == "entity":
                base = m.entity
                if not (isa(base.types, ("Jurisdiction", "Organization", "Service"))):
                    continue
                surface = m.text if not isa(base.types, "Jurisdiction") else self._demonym_of(m.text, base)
                label = " ".join([surface, *mods, toks[j].text.lower()])
                seg = self.gaz.lookup(label)
                if seg is None or not isa(seg.types, "CustomerSegment"):
                    seg = self._new_entity(label, "CustomerSegment")
                for k in range(m.start, j + 1):
                    taken[k] = None
                found.remove(m)
                claim(Mention(m.start, j + 1, "".join(t.text_with_ws for t in toks[m.start:j + 1]).strip(), seg,
                              kind="segment", base=base))

    def _demonym_of(self, text: str, jur: Entity) -> str:
        if text.lower() in self.gaz.demonyms or text in self.gaz.lexicon.get("demonyms", {}):
            return text
        for dem, j in self.gaz.demonyms.items():
            if j.iri == jur.iri:
                return dem.capitalize()
        for dem, name in self.gaz.lexicon.get("demonyms", {}).items():
            if name == jur.label and dem[0].isupper() and not dem.isupper():
                return dem
        return text

    def _anaphors(self, toks, low, claim, taken):
        n = len(toks)
        for i in range(n):
            if taken[i] is not None:
                continue
            if low[i] in self.pronouns:
                wants = "Organization" if low[i] in ("they", "their") else None
                claim(Mention(i, i + 1, toks[i].text, kind="anaphor", wants=wants))
                continue
            if low[i] not in ("the", "this", "that"):
                continue
            if i >= 2 and low[i - 1] == "," and taken[i - 2] is not None and "'s" not in low[i + 1:i + 4]:
                continue  # "X, the most capable model": an appositive about X, not a reference back
            # "the company", "the new chips", "the chip-equipment maker", "The San Francisco-based start-up"
            for end in range(i + 2, min(n, i + 8) + 1):
                k_hit = None
                for k in range(max(i + 1, end - 4), end):
                    phrase = "".join(t.text_with_ws for t in toks[k:end]).strip().lower()
                    if phrase in self.anaphors and all(taken[x] is None for x in range(k, end)):
                        k_hit = k
                        break
                if k_hit is None:
                    if taken[end - 1] is not None and not (taken[end - 1].entity is not None
                                                           and isa(taken[end - 1].entity.types, "Jurisdiction")):
                        break  # another name stands between: "the Azure cloud"
                    continue
                if end < n and (low[end] in self.seg_heads or _namelike(toks[end]) or low[end] in self.anaphors):
                    break  # "the company Zhipu": the name follows
                phrase = "".join(t.text_with_ws for t in toks[k_hit:end]).strip().lower()
                claim(Mention(k_hit, end, "".join(t.text_with_ws for t in toks[k_hit:end]).strip(), kind="anaphor",
                              wants=self.anaphors[phrase]))
                break

    def _absorb_heads(self, toks, low, found, taken):
        """"H100 GPUs", "Azure OpenAI services", "the Pi chatbot": the class noun joins the mention."""
        for m in found:
            if m.kind != "entity" or m.entity is None:
                continue
            for size in (2, 1):
                after = tuple(low[m.end:m.end + size])
                if len(after) == size and after in self.type_cues and all(taken[k] is None for k in range(m.end, m.end + size)):
                    typ = self.type_cues[after]
                    if isa(m.entity.types, PARENTS.get(typ, typ)) or m.entity.new:
                        for k in range(m.end, m.end + size):
                            taken[k] = m
                        m.end += size
                        m.text = "".join(t.text_with_ws for t in toks[m.start:m.end]).strip()
                    break

