"""Entity recognition and linking against the store's own names (:mod:`aikg.ingest.gazetteer`).

Over the tokens of one sentence (:mod:`aikg.ingest.tokens`), :class:`Linker` finds
the longest known names, demonyms and place names, customer segments
("Chinese enterprise customers", "AWS customers"), generic products
("advanced chipmaking equipment"), anaphors ("the company", "it") and
unknown names that look like names (a digit, CamelCase, an acronym, or a
class cue such as "the cloud provider CoreWeave"). Unknown names become new
entities with a deterministic IRI; a later mention in the same run links to
the same node.
"""
import re
from collections import Counter
from dataclasses import dataclass
from typing import TypeGuard

from rdflib import URIRef

from ..lexicon import needed_words
from ..names.ids import entity_iri
from .gazetteer import PARENTS, Entity, Gazetteer, isa, name_key
from .tokens import NOT_NAME, POSSESSIVE, Token, as_sentence

__all__ = ["Mention", "Linker"]

_CAPITAL = re.compile(r"[A-Z]")
_YEAR_OR_THOUSANDS = re.compile(r"(?:19|20)\d\d|\d+,\d+")
_CAMEL = re.compile(r"[a-z][A-Z]")
_ALONE = re.compile(r"(?<=[a-z0-9,;:] )([A-Z][a-z]+[A-Za-z]*)(?=(?:'s|’s)?[ ,.;:](?! ?[A-Z0-9]))")
_SPACES = re.compile(r"\s+")
# besides the lexicon's Regulator suffixes (ministry, department, commission...), names that run on through "of"
_OF_HEADS = {"bank", "house", "chamber", "university", "institute", "academy", "court", "federation", "association"}
_AREA_WORDS = {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "greater",
               "downtown", "upstate", "metropolitan"}  # "Northern California" is still California
_AFTER_PRODUCT = {"to", "in", "from", "for", "on", "and", "or", "starting", "since", "until", "at", "is", "are", "was",
                  "were", "will", "would", "has", "had", "that", "which", "with", "by", "as", "after", "before"}


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
    subject: Entity | None = None  # for pronouns: the clause subject the parse found; the referent or none

    def resolve(self, wanted=None, avoid=()) -> Entity | None:
        if self.kind != "anaphor":
            return self.entity
        if self.subject is not None:  # "X agreed to drop its Grok": its is X's, whatever X is
            e = self.subject
            fits = e.iri not in avoid and (not wanted or isa(e.types, wanted)) \
                and (not self.wants or isa(e.types, self.wants))
            return e if fits else None
        for e in self.antecedents:
            if e.iri in avoid:
                continue
            if self.wants and not isa(e.types, self.wants):
                continue
            if not self.wants and isa(e.types, ("Jurisdiction", "CustomerSegment")) \
                    and self.text.lower() in ("it", "its") \
                    and not (wanted and "Jurisdiction" in wanted and isa(e.types, "Jurisdiction")):
                continue  # ... unless a place is what is asked for ("it tightened the rules": Washington)
            if wanted and not isa(e.types, wanted):
                continue
            return e
        return None



_ALTERNATIVES = {"alternative", "alternatives", "rival", "rivals", "competitor", "competitors", "clone", "clones",
                 "equivalent", "equivalents", "killer", "lookalike", "challenger", "challengers", "copycat", "copycats"}
_LIKENESS = {"like", "style", "esque", "type", "inspired", "rival", "rivaling", "rivalling"}
_PHRASE_BREAKS = {"of", "its", "their", "for", "with", "in", "on", "to", "from", "by", "and", "or", "that", "which"}


def _likeness(toks, low, end: int) -> bool:
    """A name glued to "-like", "-style" ... or followed by "alternative", "rival" ... ends at token ``end``."""
    if end < len(toks) and low[end] in _ALTERNATIVES:
        return True
    return end + 1 < len(toks) and toks[end].text == "-" and not toks[end - 1].whitespace_ and low[end + 1] in _LIKENESS


_VERSION = re.compile(r"\d+(?:\.\d+)*[a-z]?")  # "3", "3.5", "4o": a generation's number after a family's name
_BODIES = ("Ministry", "Department")


def _body_names(label: str) -> tuple:
    """The other way a ministry's name is written: "Finance Ministry" and "Ministry of Finance"."""
    words = label.split()
    if len(words) >= 2 and words[-1] in _BODIES:
        return (f"{words[-1]} of {' '.join(words[:-1])}",)
    if len(words) >= 3 and words[0] in _BODIES and words[1] == "of":
        return (f"{' '.join(words[2:])} {words[0]}",)
    return ()


def _is_place(m: Mention | None) -> TypeGuard[Mention]:
    return m is not None and m.kind == "entity" and m.entity is not None and isa(m.entity.types, "Jurisdiction")


def _is_word(tok: Token) -> bool:
    return tok.is_word


def _namelike(tok: Token) -> bool:
    return tok.namelike


class Linker:
    """Finds mentions in sentences of one document; keeps the document's discourse state."""

    def __init__(self, gazetteer: Gazetteer):
        self.gaz = gazetteer
        lex = gazetteer.lexicon
        self.stop = {w.lower() for w in lex.get("stop_capitals", [])}
        self.not_entity_heads = {w.lower() for w in lex.get("not_entity_heads", [])}
        self.seg_heads = {w.lower() for w in lex.get("segment_heads", [])}
        self.customer_heads = {w.lower() for w in lex.get("customer_heads", [])}
        self.seg_mods = {w.lower() for w in lex.get("segment_modifiers", [])}
        self.type_cues = {}
        for typ, words in lex.get("type_cues", {}).items():
            for w in words:
                self.type_cues[tuple(str(w).lower().split())] = typ
        # after a name these say who someone is to it ("ChatGPT maker", "TikTok owner"): they describe another
        self.agent_cues = {str(w).lower() for w in lex.get("agent_nouns", [])}
        self.tiers = {str(w) for w in lex.get("product_tiers", [])}
        self.platforms = {str(w) for w in lex.get("platforms", [])}
        self.platform_nouns = {str(w).lower() for w in lex.get("platform_nouns", [])}
        self.suffix_types = {}
        for typ, words in lex.get("name_suffixes", {}).items():
            for w in words:
                self.suffix_types[str(w).lower()] = typ
        self.arm_words = {str(w).lower() for w in lex.get("arm_suffixes", [])}
        self.anaphors = {}
        for typ, words in lex.get("anaphors", {}).items():
            for w in words:
                self.anaphors[str(w).lower()] = typ
        self.pronouns = {str(w).lower() for w in lex.get("pronouns", [])}
        self.generic = [(re.compile(r"\b" + rx + r"\b", re.I), typ)
                        for typ, rxs in lex.get("generic_products", {}).items() for rx in rxs]
        # words a sentence must hold for a pattern to match: most sentences name no generic product,
        # and one search for any pattern's first needed words tells so
        self._generic_needs = [needed_words(rx.pattern[2:-2]) for rx, _ in self.generic]
        firsts = [words[0] if words else None for words in self._generic_needs]
        self._generic_any = None if any(f is None for f in firsts) else \
            re.compile("|".join(re.escape(w) for f in firsts for w in f))
        self.exclusion = [tuple(str(w).lower().split()) for w in lex.get("exclusion_cues", [])]
        self.recent: list[Entity] = []  # discourse: most recent first
        self.described: dict[str, list[Entity]] = {}
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
        self.described = {}  # head noun -> entities an appositive called so ("X, the ... start-up"), latest last
        self.lower_words = set(re.findall(r"(?<![.!?]\s)\b([a-z][a-z-]+)\b", text))
        # capitalised words the text also writes on their own inside a sentence ("orders from Nvidia, and")
        alone = Counter(_ALONE.findall(text))
        self.alone_words = {w for w, n in alone.items() if n >= 2}  # once may be a product line ("on Galaxy")

    def remember(self, entity: Entity, mentioned: bool = True) -> None:
        recent, iri = self.recent, entity.iri
        if not (recent and recent[0] is entity):  # (already first: nothing moves)
            same = str.__eq__  # str's own comparison: URIRef's is slow Python
            self.recent = [entity] + [e for e in recent if not same(e.iri, iri)][:30]
        if mentioned:
            self.counts[entity.iri] = self.counts.get(entity.iri, 0) + 1

    # -- mentions ---------------------------------------------------------------------

    def mentions(self, sent) -> list[Mention]:
        """Mentions in one sentence (a :class:`Sentence` or a spaCy span; token indices relative to it)."""
        sent = as_sentence(sent)
        toks = sent.tokens
        n = len(toks)
        low = [t.low for t in toks]
        taken = [None] * n
        found: list[Mention] = []

        def claim(m: Mention):
            for k in range(m.start, m.end):
                old = taken[k]
                if old is not None and old is not m:  # a longer name swallows a place read first ("Bank of America")
                    found[:] = [x for x in found if x is not old]
                    for q in range(old.start, old.end):
                        taken[q] = None
                taken[k] = m
            found.append(m)

        self._generic_products(sent, toks, claim, taken)
        first, acronyms = self.gaz.first, self.acronyms
        i = 0
        while i < n:
            if taken[i] is not None or (low[i] not in first and toks[i].text not in acronyms
                                        and low[i].rstrip("s") not in first):
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
        self._place_institutions(toks, low, found, taken)
        self._family_members(toks, low, found, claim, taken)
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
        aside = self._appositives(toks, low, taken)
        self._descriptions(toks, low, taken)
        seen: list[tuple[Entity, int]] = []  # (entity, where the appositive holding it ends, else -1)
        for m in found:
            closes = next((end for start, end in aside if start <= m.start < end), -1)
            if m.kind == "anaphor":
                if m.text.lower() in self.pronouns:  # pronouns: the sentence first, then recency
                    # ... but not what an appositive closed before it said in passing: in "X, the
                    # group's unit, offers it through its platform", "its" is X's
                    local = [e for e, end in reversed(seen) if not 0 <= end <= m.start]
                    local_iris = {x.iri for x in local}
                    rest = [e for e in self.recent if e.iri not in local_iris]
                else:  # "the start-up": what an appositive called so, else the document's most
                    # talked-about candidate, recency breaking ties
                    local = list(reversed(self.described.get(m.text.lower().split()[-1], [])))
                    described = {x.iri for x in local}  # then earlier names ("its Copilot ... the tool")
                    local += [e for e, _ in reversed(seen) if e.iri not in described]
                    local_iris = {x.iri for x in local}
                    rest = sorted((e for e in self.recent if e.iri not in local_iris),
                                  key=lambda e: -self.counts.get(e.iri, 0))
                m.antecedents = tuple(e for e in local + rest if self._may_be_from(e, m.base))
                if m.text.lower() not in self.pronouns:
                    e = m.resolve()
                    if e is not None:
                        seen.append((e, closes))
            elif m.entity is not None:
                seen.append((m.entity, closes))
        return found

    def _descriptions(self, toks, low, taken) -> None:
        """"Inflection AI, the Palo Alto-based start-up behind Pi": the head noun of an appositive after a
        name describes it; a later "the start-up" refers back to it before any other company."""
        n = len(toks)
        for i in range(1, n - 2):
            if toks[i].text != "," or low[i + 1] not in ("the", "a", "an"):
                continue
            named = taken[i - 1]
            if named is None or named.kind != "entity" or named.entity is None or named.end != i \
                    or isa(named.entity.types, ("Jurisdiction", "CustomerSegment")):
                continue
            for k in range(i + 2, min(n, i + 14)):
                if toks[k].text in (".", ";", "!", "?") or (taken[k] is not None and taken[k].kind != "entity"):
                    break
                # the longest anaphor phrase starting here ("start-up" is three tokens)
                phrase = next((p for end in range(min(n, k + 4), k, -1)
                               for p in ["".join(t.text_with_ws for t in toks[k:end]).strip().lower()]
                               if p in self.anaphors and all(taken[x] is None for x in range(k, end))
                               and not (end < n and toks[end].namelike)), None)
                if phrase is not None:
                    self.described.setdefault(phrase.split()[-1], []).append(named.entity)
                    break

    def _appositives(self, toks, low, taken) -> list[tuple[int, int]]:
        """Token spans of appositives: after "<name> ," a phrase opened by a determiner or a possessor
        ("the group's cloud unit", "a start-up") up to the next comma."""
        spans = []
        n = len(toks)
        for i in range(1, n - 2):
            if toks[i].text != "," or taken[i - 1] is None:
                continue
            j = i + 1
            opener = low[j] in ("a", "an", "the", "its", "their")
            if not opener and taken[j] is not None:
                after = taken[j].end
                opener = after < n and low[after] in POSSESSIVE
            if not opener:
                continue
            k = next((k for k in range(j + 1, min(n, j + 25)) if toks[k].text == ","), None)
            if k is not None:
                spans.append((j, k))
        return spans

    _POSSESSED = {("api",): "Service", ("app",): "Service", ("memory", "chips"): "Chip",
                  ("chips",): "Chip", ("memory",): "Chip"}  # not "its products": anything an owner sells
    _POSSESSED_FIRST = frozenset(h[0] for h in _POSSESSED)

    def _possessed_products(self, toks, low, found, claim, taken):
        """"OpenAI's API", "its API", "Micron memory chips": a product named by its owner."""
        n = len(toks)
        heads = self._POSSESSED_FIRST
        for i in range(1, n):
            if low[i] not in heads:
                continue
            for head, typ in self._POSSESSED.items():
                j = i + len(head)
                if tuple(low[i:j]) != head or any(taken[k] is not None for k in range(i, j)):
                    continue
                if j < n and not (toks[j].is_punct or low[j] in _AFTER_PRODUCT):
                    continue
                start = i
                owner = None
                if low[i - 1] in POSSESSIVE and i >= 2 and taken[i - 2] is not None:
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

    def _family_members(self, toks, low, found, claim, taken):
        """"the Claude 3 family: Opus, Sonnet and Haiku": a bare capitalised word that ends the label of a
        known product ("Claude 3 Opus") names it when the rest of that label ("Claude 3") was named
        earlier in the sentence, and no other product fits."""
        members = self.gaz.members
        n = len(toks)
        for i in range(1, n):
            if taken[i] is not None or low[i] not in members or not toks[i].namelike or low[i] in self.stop:
                continue
            if i + 1 < n and toks[i + 1].namelike and taken[i + 1] is None:
                continue  # "Opus Max": a longer name, not a member
            named = {k for m in found if m.start < i and m.entity is not None
                     for k in map(name_key, [m.entity.label, *m.entity.aliases])}
            hits = {e.iri: e for e, prefix in members[low[i]] if prefix in named}
            if len(hits) == 1:
                claim(Mention(i, i + 1, toks[i].text, next(iter(hits.values()))))

    def government(self, jur: Entity) -> Entity:
        """The government of a jurisdiction: a known one ("Chinese government") or a new Regulator,
        labelled as news names it ("Czech government", not "Government of Czech Republic"). A city stands
        for the organisation the store names after it ("Brussels": the European Commission), else for its
        country's government ("Shanghai": the Chinese government)."""
        if jur.iri in self.gaz.country:
            for e, _ in self.gaz.names.get(name_key(jur.label), ()):
                if isa(e.types, "Organization"):
                    self.gov_of[e.iri] = self.gaz.home.get(e.iri) or self.gaz.country[jur.iri]
                    return e
        jur = self.gaz.country_of(jur)
        dem = self._demonym_of(jur.label, jur)
        usual = self.gaz.lexicon.get("government_labels", {}).get(jur.label) or \
            (f"{dem} government" if dem != jur.label else f"Government of {jur.label}")
        formal = f"Government of {jur.label}"
        for name in (usual, f"{dem} government", formal, f"Government of the {jur.label}"):
            e = self.gaz.lookup(name)
            if e is not None and isa(e.types, "Organization"):
                self.gov_of[e.iri] = jur
                return e
        e = self._new_entity(usual, "Regulator", aliases=[formal] if formal != usual else [])
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
                if e is not None:  # "the company" keeps its referent salient; a pronoun does not count
                    self.remember(e, mentioned=m.text.lower() not in self.pronouns)
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
            if low[j] in POSSESSIVE:
                if j == i or j + 1 >= len(toks):
                    break
                j += 1
                continue
            key.append(low[j])
            j += 1
            t = tuple(key)
            entries = gaz.names.get(t)
            if not entries and key[-1].endswith("s") and len(key[-1]) > 3:  # "H100s", "Blackwell GPUs"
                entries = gaz.names.get(t[:-1] + (key[-1][:-1],))
            if entries:
                best = (j, entries)
            if t not in gaz.prefixes:  # no longer name starts so
                break
        if best is None and toks[i].text in self.acronyms:
            return Mention(i, i + 1, toks[i].text, self.acronyms[toks[i].text])
        if best is None:
            return None
        end, entries = best
        # a match across a possessive only when it reaches further than the plain reading
        if any(low[k] in POSSESSIVE for k in range(i, end)):
            k = next(k for k in range(i, end) if low[k] in POSSESSIVE)
            plain = self._known(toks, low, k + 1, taken) if k + 1 < len(toks) else None
            described = end < len(toks) and (low[end],) in self.type_cues  # "Meta's AI model": its model
            if plain is not None and plain.end >= end or described:
                end, entries = self._plain(low, i, k)
                if entries is None:
                    return None
        entity = entries[0][0]
        text = "".join(t.text_with_ws for t in toks[i:end]).strip()
        if not self._place_reads(entity, toks, low, i, end, taken):
            return None
        if _CAPITAL.search(entity.label) and not any(c.isupper() or c.isdigit() for c in text):
            return None  # "meta" the word is not Meta the company
        if _class_noun_after_name(entity, text, taken, i):
            return None
        if end - i == 1 and text.isupper() and len(text) <= 2 and text != entity.label and text not in entity.aliases:
            return None
        if end - i == 1 and len(text) <= 2 and i >= 2 and toks[i - 1].text == "-" and not toks[i - 2].whitespace_ \
                and not toks[i - 1].whitespace_ and toks[i - 2].namelike:
            return None  # "Spectrum-X": the tail of a longer name, not X the network
        if _likeness(toks, low, end):
            return None  # "ChatGPT-like services", "a ChatGPT alternative": something like it, not it
        if end < len(toks) and taken[end] is None and isa(entity.types, "Product"):
            # a product of its own, named after a known one
            if _VERSION.fullmatch(toks[end].text) and not toks[end - 1].text.endswith(","):
                return None  # "Claude 3" the store does not know is a generation, not Claude
            k = end
            while k < len(toks) and taken[k] is None and toks[k].namelike and low[k] not in self.gaz.first:
                k += 1
            if k > end and k < len(toks) and (low[k],) in self.type_cues:
                return None  # "the Claude iOS app"
            if toks[end].text in self.tiers:  # "X Premium": a plan of X the store does not know, a service
                plan = f"{text} {toks[end].text}"
                return Mention(i, end + 1, plan, self.gaz.lookup(plan) or self._new_entity(plan, "Service"))
        return Mention(i, end, text, entity)

    def _place_reads(self, entity, toks, low, i, end, taken) -> bool:
        """Whether the name of a place inside a country (a city, a US state) names the place here: not
        when the document also writes it as a lower-case word ("Reading" and "reading"), nor when it is
        part of a longer name, a person's or an institution's ("Andrew Jackson", "Washington Post",
        "Shanghai Jiao Tong University"). A country is what it names unless a longer name holds it on
        both sides ("South China Morning Post")."""
        if entity.iri not in self.gaz.country:  # a country, unless it sits inside a longer name on both sides
            return not (0 < i and end < len(toks) and taken[i - 1] is None and taken[end] is None
                        and self._name_word(toks[i - 1], low[i - 1]) and self._name_word(toks[end], low[end])
                        and toks[i - 1].whitespace_ and toks[end - 1].whitespace_)  # "South China Morning Post"
        if end - i == 1 and low[i] in self.lower_words:
            return False
        if not self._same_country_after(entity, low, end):
            return False  # "Santa Clara, California" is not the Cuban city of that name
        if end < len(toks) and taken[end] is None and self._name_word(toks[end], low[end]) \
                and toks[end - 1].whitespace_:
            return False
        return not (i > 0 and taken[i - 1] is None and self._name_word(toks[i - 1], low[i - 1])
                    and low[i - 1] not in _AREA_WORDS and toks[i - 1].whitespace_)

    def _same_country_after(self, place: Entity, low, end) -> bool:
        """False when "<place>, <jurisdiction>" names a jurisdiction of another country than the place's."""
        if end + 1 >= len(low) or low[end] != ",":
            return True
        for size in range(min(4, len(low) - end - 1), 0, -1):
            key = tuple(low[end + 1:end + 1 + size])
            after = next((e for e, _ in self.gaz.names.get(key, ()) if isa(e.types, "Jurisdiction")), None)
            if after is not None:
                return self.gaz.country_of(after).iri == self.gaz.country_of(place).iri
        return True

    def _name_word(self, tok: Token, low: str) -> bool:
        """A capitalised word that is not a common word of the document or a stop word."""
        return tok.namelike and tok.is_alpha and not tok.not_name and low not in self.stop \
            and low not in self.lower_words

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
        folded = text.casefold()
        if self._generic_any is not None and not self._generic_any.search(folded):
            return
        base = sent.start_char
        offsets = sent.offsets
        for (rx, typ), needs in zip(self.generic, self._generic_needs):
            if needs and not all(any(w in folded for w in words) for words in needs):
                continue
            for m in rx.finditer(text):
                idx = [k for k, t in enumerate(toks)
                       if offsets[k] - base >= m.start() and offsets[k] - base + len(t.text) <= m.end()]
                if not idx or any(taken[k] is not None for k in idx):
                    continue
                label = re.sub(r"^(?:most |older |newer )", "", m.group(0).lower())
                entity = self._new_entity(label, typ)
                claim(Mention(idx[0], idx[-1] + 1, m.group(0), entity))

    def _acronym_definitions(self, toks, found, claim, taken):
        """"Long Name (ACR)": the acronym names the same entity in the rest of the document."""
        for k in range(2, len(toks) - 2):
            if toks[k].text == "(" and toks[k + 2].text == ")" and toks[k + 1].text.isupper() \
                    and len(toks[k + 1].text) >= 2:
                acr = toks[k + 1].text
                prev = taken[k - 1]
                if prev is not None and prev.kind == "entity" and prev.entity is not None \
                        and prev.entity.iri in self.gaz.country:
                    continue  # a dateline, "LONDON (AP)": the agency, not the city's acronym
                if prev is not None and prev.kind == "entity" and prev.entity is not None:
                    self.acronyms[acr] = prev.entity
                    if taken[k + 1] is None:
                        claim(Mention(k + 1, k + 2, acr, prev.entity))
                    continue
                if taken[k + 1] is not None and taken[k + 1].entity is not None:
                    continue
                # unknown long name: take the capitalised words (with "of", "and", ",") before the bracket
                s = k - 1
                while s > 0 and taken[s - 1] is None \
                        and (_namelike(toks[s - 1]) or toks[s - 1].text in ("of", "and", ",", "&")):
                    s -= 1
                while s < k and (not _namelike(toks[s]) or toks[s].text.lower() in self.stop):
                    s += 1
                if s >= k:
                    continue
                long_name = "".join(t.text_with_ws for t in toks[s:k]).strip()
                if toks[k - 1].text.lower() in self.not_entity_heads:
                    continue  # "General Data Protection Regulation (GDPR)": a law, not a body
                initials = "".join(w[0] for w in re.findall(r"[A-Za-z]+", long_name) if w[0].isupper())
                if initials[:1] != acr[:1]:
                    continue
                entity = self._new_entity(long_name, self._name_type(long_name.lower().split()) or "Organization",
                                          aliases=[acr])
                self.acronyms[acr] = entity
                claim(Mention(s, k, long_name, entity))
                claim(Mention(k + 1, k + 2, acr, entity))

    def _name_type(self, words) -> str | None:
        # "Office 365": a product's version, no body; a lone "Office" or "Agency" names none either
        numbered = bool(words) and any(c.isdigit() for c in words[-1])
        for w in words:
            typ = self.suffix_types.get(w.lower())
            if typ in ("Regulator",) and not numbered and len(words) > 1:
                return typ
        while len(words) > 1 and words[-1].isdigit():  # "Vision Fund 2"
            words = words[:-1]
        typ = self.suffix_types.get(words[-1].lower()) if words else None
        return None if typ == "Regulator" and (numbered or len(words) < 2) else typ

    def _appositive_cue(self, toks, low, j: int) -> str | None:
        """The class an appositive right after a name gives it ("RTX Pro 6000D, a chip designed for China")."""
        if j + 2 >= len(toks) or low[j] != "," or low[j + 1] not in ("a", "an"):
            return None
        for k in range(j + 2, min(j + 6, len(toks))):
            if toks[k].is_punct:
                return None
            if (low[k],) in self.type_cues and (k + 1 >= len(toks) or (low[k], low[k + 1]) not in self.type_cues):
                return self.type_cues[(low[k],)]
        return None

    def _platform(self, text: str, low, j: int) -> bool:
        """An operating system named to say where something runs ("a standalone iOS app"), no product."""
        return text in self.platforms and j < len(low) and low[j] in self.platform_nouns

    def _ticker(self, toks, low, i, j, taken) -> bool:
        """A stock symbol written after its company's possessive, as some wires do ("Alibaba Group’s BABA
        cloud computing division"): capitals alone, then a common word that says no class ("TPU chips" does)."""
        text = toks[i].text
        if j - i != 1 or not (3 <= len(text) <= 5 and text.isalpha() and text.isupper()) or i < 2 or j >= len(toks):
            return False
        owner = taken[i - 2]
        return low[i - 1] in ("'s", "’s") and owner is not None and owner.entity is not None \
            and isa(owner.entity.types, "Organization") and toks[j].text.islower() and toks[j].is_alpha \
            and (low[j],) not in self.type_cues

    def _brand_first(self, toks, i, j) -> bool:
        """Whether a name's first word is a maker's own name, written before a model code: "Nvidia H100",
        "Intel Gaudi 3" (not "Llama 2" or "Claude 3 Opus": a bare number is a generation), when the text
        also names the maker alone."""
        first = toks[i].text
        if j - i < 2 or not first.isalpha() or not first[:1].isupper() or first not in self.alone_words:
            return False
        rest = [t.text for t in toks[i + 1:j]]
        return not rest[0][:1].isdigit() and any(c.isdigit() for w in rest for c in w)

    def _cue_type(self, low, start, end) -> tuple[str | None, int, int]:
        """A class cue right before ("the cloud provider X") or after ("X chatbot") a name."""
        for size in (3, 2, 1):
            after = tuple(low[end:end + size])
            if len(after) == size and after in self.type_cues and after[-1] not in self.agent_cues:
                return self.type_cues[after], start, end + size
        for size in (3, 2, 1):
            before = tuple(low[max(0, start - size):start])
            if len(before) == size and before in self.type_cues:
                return self.type_cues[before], start, end
        return None, start, end

    def _place_institutions(self, toks, low, found, taken):
        """"Italy's Data Protection Agency": a body with a generic name is one country's, not whichever
        country's body of that name the store met first."""
        for k, m in enumerate(found):
            e = m.entity
            if m.kind != "entity" or e is None or e.aliases and not e.new or not (
                    isa(e.types, "Regulator") or "Organization" in e.types
                    and not _OF_HEADS.isdisjoint(e.label.lower().split())):
                continue  # a known body with other names is a specific one already ("House of Representatives": too)
            qualified = self._placed_name(toks, low, m.start, taken, e.label)
            if qualified is not None:
                typ = "Regulator" if isa(e.types, "Regulator") else "Organization"
                found[k] = Mention(m.start, m.end, m.text, self.gaz.lookup(qualified)
                                   or self._new_entity(qualified, typ))
                for q in range(m.start, m.end):
                    taken[q] = found[k]

    def _placed_name(self, toks, low, i, taken, text) -> str | None:
        """A generic institution's name with the place the text gives it ("Italy's Data Protection Agency",
        "South Korean Ministry of Foreign Affairs"), or None when no place comes right before it or the
        name holds one already."""
        if any(self.gaz.jurisdiction(w) is not None for w in text.replace(",", " ").split()):
            return None
        owner = taken[i - 2] if i >= 2 and low[i - 1] in POSSESSIVE else None
        if _is_place(owner):
            return f"{owner.text}'s {text}"
        before = taken[i - 1] if i >= 1 else None
        if _is_place(before) and before.entity is not None and before.text != before.entity.label:
            place = re.sub(r"^(?:the|The)\s+", "", before.text)
            return f"{place} {text}"  # a demonym or a short name, not the country's own name
        return None

    def _may_be_from(self, e: Entity, place: Entity | None) -> bool:
        """Whether an antecedent may be what a description placed somewhere calls it: not one the
        store places in another country ("the U.S. company" is not Baidu)."""
        if place is None:
            return True
        home = self.gaz.home.get(e.iri)
        return home is None or self.gaz.country_of(home).iri == self.gaz.country_of(place).iri

    def _unknown_names(self, toks, low, claim, taken):
        n = len(toks)
        words = [t.text for t in toks if t.is_word and len(t.text) > 3]
        # a headline capitalises its words ("Alibaba Embraces Llama2"): there only a cue or a suffix makes a name
        headline = len(words) >= 4 and sum(w[0].isupper() for w in words) > 0.6 * len(words)
        i = 0
        while i < n:
            tok = toks[i]
            if taken[i] is not None or not tok.namelike or tok.is_punct or tok.not_name:
                i += 1
                continue
            j = i + 1
            while j < n and taken[j] is None and (
                    toks[j].namelike or (toks[j].like_num and not _YEAR_OR_THOUSANDS.fullmatch(toks[j].text)
                                         and len(toks[j].text) <= 5)
                    or (toks[j - 1].whitespace_ == "" and toks[j].text in "-.:/+"
                        and j + 1 < n and toks[j + 1].whitespace_ != " " and toks[j + 1].is_word)
                    or (toks[j - 1].whitespace_ == "" and toks[j].is_word)):
                j += 1
            while j > i and not toks[j - 1].is_word:
                j -= 1
            if j - i >= 2 and low[j - 1] == "ai" and j < n and (low[j],) in self.type_cues:
                j -= 1  # "the B20 AI chip": AI says what the chip is for, it is no part of the name
            # "Ministry of Foreign Affairs", "Bank of America": an institution's name runs on through "of"
            institution = False
            while j + 1 < n and low[j] == "of" and taken[j] is None and toks[j + 1].namelike \
                    and (taken[j + 1] is None or _is_place(taken[j + 1]) and taken[j + 1].start == j + 1) \
                    and (self.suffix_types.get(low[j - 1]) == "Regulator" or low[j - 1] in _OF_HEADS):
                j = taken[j + 1].end if taken[j + 1] is not None else j + 2  # "Bank of America": the place joins
                institution = True
                while j < n and taken[j] is None and toks[j].namelike and low[j] not in self.stop:
                    j += 1
            if i > 0 and toks[i - 1].text == "(" and i >= 2 and toks[i - 2].text.islower() and j - i == 1:
                i = j  # "deep-ultraviolet (DUV)": an abbreviation of a common noun
                continue
            words = [t.text for t in toks[i:j]]
            if i == 0 or toks[i - 1].text in ('"', "“", ":", "—", "(", "-"):
                # a capital the sentence's start explains: "Finance is..." but not "The Ministry of Finance"
                while words and (words[0].lower() in self.stop or words[0].lower() in self.lower_words
                                 and not (len(words) > 1 and words[1].lower() == "of")):
                    words.pop(0)
                    i += 1
            while words and (words[0].lower() in self.stop or NOT_NAME.match(words[0])):
                words.pop(0)
                i += 1
            if not words or j <= i:
                i = max(i, j) if j > i else i + 1
                continue
            text = "".join(t.text_with_ws for t in toks[i:j]).strip()
            jur = self.gaz.jurisdiction(text)
            if jur is not None and self._place_reads(jur, toks, low, i, j, taken):
                claim(Mention(i, j, text, jur))
                i = j
                continue
            if j < n and low[j] in self.not_entity_heads or _likeness(toks, low, j):
                i = j  # "the AI Act", "a custom 4N process node", "ChatGPT-like apps": no name here
                continue
            prev = taken[i - 1] if i else None
            after_org = j - i == 1 and prev is not None and prev.end == i and prev.kind == "entity" \
                and prev.entity is not None and isa(prev.entity.types, "Organization")
            if after_org and low[i].rstrip(".") in self.gaz.suffixes:
                claim(Mention(prev.start, j, f"{prev.text} {toks[i].text}", prev.entity))  # "Luka Inc.": the same firm
                i = j
                continue
            if after_org and (low[i] in self.arm_words or self.suffix_types.get(low[i]) == "Company"):
                text = f"{prev.text} {toks[i].text}"  # "Salesforce Ventures", "Intel Semiconductor": a firm of its own
                claim(Mention(prev.start, j, text, self.gaz.lookup(text) or self._new_entity(text, "Company")))
                i = j
                continue
            if self._brand_first(toks, i, j):  # "Nvidia H100" where the text also names Nvidia alone
                brand = toks[i].text
                claim(Mention(i, i + 1, brand, self.gaz.lookup(brand) or self._new_entity(brand, "Company")))
                i += 1
                continue
            longer = {e.iri: e for e in self.recent if e.label.lower().startswith(text.lower() + " ")
                      and not isa(e.types, ("Jurisdiction", "Product"))}  # "Nvidia" is not the "Nvidia H100"
            if len(longer) == 1:  # "Prosperity7 Ventures ... controls Prosperity7": the short form of a name
                claim(Mention(i, j, text, next(iter(longer.values()))))  # the document used before
                i = j
                continue
            cue, _, cue_end = self._cue_type(low, i, j)
            cue = cue or self._appositive_cue(toks, low, j)
            if cue and i == 0 and j - i == 1 and cue_end > j and cue_end < n and toks[cue_end].namelike:
                i = j  # "Tech giant Meta", "Chip designer Arm": a sentence's first word describing the name after
                continue
            if self._ticker(toks, low, i, j, taken) or self._platform(text, low, j):
                i = j  # "Alibaba Group’s BABA cloud division": a stock symbol; "an iOS app": which devices
                continue
            shaped = (any(c.isdigit() for c in text) or _CAMEL.search(text)
                      or (text.isupper() and len(text) >= 2) or "." in text.strip("."))
            if cue and cue_end > j and low[cue_end - 1].endswith("s") and not shaped and text in self.alone_words \
                    and isa(frozenset({cue}), "Product"):
                cue = "Company"  # "Nvidia chips" where the text names Nvidia alone: whose chips, not a chip
            suffix = self._name_type([w.lower() for w in words])
            if not (cue or shaped or suffix or institution) or text.lower() in self.stop \
                    or headline and not (cue or suffix or institution):
                i = j
                continue
            known = self.gaz.fuzzy(text, cue or suffix)
            if known is not None:
                claim(Mention(i, j, text, known))
                i = j
                continue
            typ = cue or suffix or ("Product" if any(c.isdigit() for c in text) else "Organization")
            if cue == "Regulator" and cue_end > j:  # "the finance ministry": the body's noun is its name's
                text = f"{text} {' '.join(t.text.capitalize() for t in toks[j:cue_end])}"
                j = cue_end
            claim(Mention(i, j, text, self._named(text, typ, guessed=not (cue or suffix))))
            i = j

    def _named(self, text: str, typ: str, guessed: bool) -> Entity:
        """The entity a new name names: a body known by its other form ("the Finance Ministry" after "the
        Ministry of Finance"), else a new one of the class ``typ`` (a guess, if no cue or suffix gave it)."""
        aliases = _body_names(text) if typ == "Regulator" else ()
        known = next((e for e in map(self.gaz.lookup, aliases) if e is not None), None)
        if known is not None:
            return known
        entity = self._new_entity(text, typ, aliases)
        entity.guessed = entity.new and guessed and not entity.facts
        return entity

    def implied_entity(self, label: str, typ: str) -> Entity:
        """An entity a restriction implies but no name marks ("DeepSeek app" for a ban on DeepSeek,
        "government devices" as its target): a known one of that label, else a new one."""
        return self._new_entity(label, typ)

    def _new_entity(self, label: str, typ: str, aliases=()) -> Entity:
        label = _SPACES.sub(" ", label).strip()
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
                if place is not None and self._place_reads(place, toks, low, i, i + 1, taken):
                    m = Mention(i, i + 1, toks[i].text, place)
                    claim(m)
            if m is None or m.start != i or m.entity is None:
                continue
            if m.kind == "entity" and isa(m.entity.types, "CustomerSegment") and m.base is None:
                # the place or provider the name starts with, the longest that is known
                # ("Google Cloud customers": Google Cloud, not Google; "Chinese enterprise customers": China)
                words = m.text.split()
                while len(words) > 1 and (words[-1].lower() in self.seg_heads or words[-1].lower() in self.seg_mods):
                    words.pop()
                    prefix = " ".join(words)
                    m.base = self.gaz.jurisdiction(prefix) or self.gaz.lookup(prefix)
                    if m.base is not None:
                        m.kind = "segment"
                        break
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
                if not isa(base.types, "Jurisdiction") and low[j] not in self.customer_heads:
                    continue  # "OpenAI researchers" work there; "OpenAI users" are its customers
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
                    if low[end - 1] in _PHRASE_BREAKS:
                        break  # "the latest version of its model": the phrase ended at "version"
                    continue
                if end < n and (low[end] in self.seg_heads or _namelike(toks[end]) or low[end] in self.anaphors):
                    break  # "the company Zhipu": the name follows
                phrase = "".join(t.text_with_ws for t in toks[k_hit:end]).strip().lower()
                place = next((taken[x].entity for x in range(i + 1, k_hit) if taken[x] is not None), None)
                claim(Mention(k_hit, end, "".join(t.text_with_ws for t in toks[k_hit:end]).strip(), kind="anaphor",
                              wants=self.anaphors[phrase], base=place))  # "the U.S. company": one based there
                break

    def _absorb_heads(self, toks, low, found, taken):
        """"H100 GPUs", "Azure OpenAI services", "the Pi chatbot": the class noun joins the mention."""
        for m in found:
            if m.kind != "entity" or m.entity is None:
                continue
            for size in (2, 1):
                after = tuple(low[m.end:m.end + size])
                if len(after) == size and after in self.type_cues and after[-1] not in self.agent_cues \
                        and all(taken[k] is None for k in range(m.end, m.end + size)):
                    typ = self.type_cues[after]
                    if isa(m.entity.types, PARENTS.get(typ, typ)) or m.entity.new:
                        for k in range(m.end, m.end + size):
                            taken[k] = m
                        m.end += size
                        m.text = "".join(t.text_with_ws for t in toks[m.start:m.end]).strip()
                    break



def _class_noun_after_name(entity, text, taken, i) -> bool:
    """"TPUv5p chips": a lower-case word right after a product's name is its class noun, even when an
    earlier document left a product of that bare label ("chips", from "exports of chips")."""
    before = taken[i - 1] if i else None
    return not any(c.isupper() or c.isdigit() for c in entity.label) and before is not None \
        and before.end == i and before.entity is not None and isa(before.entity.types, "Product")
