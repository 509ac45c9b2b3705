"""Sentence-level, rule-based relation extraction (offline, no trained model).

Each sentence becomes a *template*: lower-case words with every mention found
by :mod:`graph.linker` replaced by a placeholder. The relation patterns of
``ontology/lexicon.yaml`` are regular expressions over templates; a match
fills subject and object slots (lists expand to several facts), which are
type-checked against the relation's domain and range. A match whose clause
holds a negation ("does not offer", "remains unsupported") yields a negated
statement, never a fact; a hedge ("may", "plans to") yields nothing.
Restrictions are frames around a trigger ("banned", "export licence"):
imposer, restricted products, jurisdictions and dates.
"""
import re
from dataclasses import dataclass, field
from datetime import date

from .dates import DateMention, find_dates
from .linker import PARENTS, Entity, Linker, Mention, isa, nlp

__all__ = ["Fact", "RestrictionFrame", "Extraction", "Extractor", "EXTRACTOR_VERSION"]

EXTRACTOR_VERSION = "0.1.0"
MAX_SENTENCE_CHARS = 1500  # longer "sentences" are lists or markup: skip them

_PH = "⟦{}⟧"
_ITEM = r"(?:⟦\d+⟧ 's )?⟦\d+⟧"
# a list starts at its first item (no slot begins right after a separator); a later item is no owner
# ("Vertex AI, Google Cloud's platform" is one item and an appositive)
_SLOT = r"(?=⟦)(?<!⟧ , )(?<!⟧ and )(?<!⟧ or )" + _ITEM + \
        r"(?: (?:,|and|or|, and|, or|, as well as|as well as|and from|, and from|and through|or from)" \
        r"(?: (?:through|via|on|in|from))? " + _ITEM + "(?! 's))*"
_MACROS = {
    "{S}": f"(?P<s>{_SLOT})",
    "{O}": f"(?P<o>{_SLOT})",
    "{G}": r"(?:(?:(?!⟦)\S+|⟦\d+⟧ 's) ){0,5}?",
    "{GL}": r"(?:(?:(?!⟦)\S+|⟦\d+⟧ 's) ){0,12}?",
    "{A}": r"(?:\S+ ){0,12}?",
    "{DET}": r"(?:(?:the|a|an|his|her|our|this|these) |⟦\d+⟧ 's )?",
}
_PLACEHOLDER = re.compile(r"⟦(\d+)⟧")


@dataclass
class Fact:
    subject: Entity
    predicate: str  # local name in the aikg namespace
    object: Entity | date
    quote: str
    confidence: float
    negated: bool = False
    valid_from: date | None = None
    rule: str | None = None  # the pattern that matched, for debugging


@dataclass
class RestrictionFrame:
    kind: str
    imposer: Entity | None
    restricts: list[Entity]
    applies_in: list[Entity]
    quote: str
    confidence: float
    effective_from: date | None = None
    effective_until: date | None = None
    applies_to: list[Entity] = field(default_factory=list)


@dataclass
class Extraction:
    facts: list[Fact]
    restrictions: list[RestrictionFrame]
    entities: dict  # IRI -> Entity, every entity the facts use


@dataclass
class _Rule:
    relation: str
    subject: tuple
    object: tuple
    regex: re.Pattern
    confidence: float
    symmetric: bool
    negated: bool
    has_object: bool
    pattern: str
    named: bool  # anaphors may not fill the slots
    prefer: tuple  # classes tried first when an anaphor fills the object slot
    s_owner: bool
    o_owner: bool
    keywords: frozenset | None = None


def _compile(pattern: str) -> re.Pattern:
    text = pattern
    for macro, rx in _MACROS.items():
        text = text.replace(macro, rx)
    # a lookahead finds overlapping matches; trying only at word starts keeps it fast
    return re.compile("(?:^|(?<= ))(?=" + text + ")")


def _keywords(pattern: str) -> frozenset | None:
    """Words one of which a sentence must hold for the pattern to match (None: no cheap test).

    The first mandatory top-level item that is a plain word or a group of plain-word alternatives.
    """
    text = re.sub(r"\{[A-Z]+\}", " ", pattern)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "(":
            depth, j = 1, i + 1
            while j < n and depth:
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            body, quant = text[i + 1:j - 1], text[j:j + 1]
            i = j
            if quant in ("?", "*") or not body.startswith("?:"):
                continue
            options = body[2:].split("|")
            if all(re.fullmatch(r"[a-z][a-z'-]*(?: [a-z'-]+)* ?", o) for o in options):
                return frozenset(o.split(" ")[0] for o in options)
        elif c.isalpha() or c == "-":
            m = re.match(r"-?[a-z][a-z'-]*", text[i:])
            if m and text[i + m.end():i + m.end() + 1] not in ("?", "*") and (i == 0 or text[i - 1] == " "):
                return frozenset([m.group(0)])
            i += m.end() if m else 1
        else:
            i += 1
    return None


def _types(value) -> tuple:
    return tuple(value) if isinstance(value, list) else (value,)


def _phrase_regex(words) -> re.Pattern | None:
    words = sorted({str(w).lower() for w in words}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?:^| )(" + "|".join(re.escape(w) for w in words) + r")(?= |$)")


class Extractor:
    """Compiled lexicon + a linker; :meth:`extract` runs over one document's text."""

    def __init__(self, linker: Linker):
        self.linker = linker
        lex = linker.gaz.lexicon
        self.rules: list[_Rule] = []
        for spec in lex.get("relations", []):
            for item in spec.get("patterns", []):
                pattern, named = (item["pattern"], bool(item.get("named"))) if isinstance(item, dict) else (item, False)
                self.rules.append(_Rule(spec["relation"], _types(spec["subject"]), _types(spec["object"]),
                                        _compile(pattern), float(spec.get("confidence", 0.7)),
                                        bool(spec.get("symmetric")), bool(spec.get("negated")), "{O}" in pattern,
                                        pattern, named, _types(spec.get("prefer_object", [])),
                                        "{S} (?:'s" in pattern, "{O} (?:'s" in pattern, _keywords(pattern)))
        self.negation = _phrase_regex(lex.get("negation", []))
        self.hedges = _phrase_regex(lex.get("hedges", []))
        self.restriction_triggers = []
        for spec in lex.get("restrictions", []):
            self.restriction_triggers.append((spec["kind"], _phrase_regex(spec["triggers"])))
        self.start_cues = _phrase_regex(lex.get("start_cues", []))
        self.end_cues = _phrase_regex(lex.get("end_cues", []))

    # -- document -----------------------------------------------------------------

    def extract(self, text: str, published: date | None = None) -> Extraction:
        linker = self.linker
        linker.start_document(text)
        facts: list[Fact] = []
        frames: list[RestrictionFrame] = []
        paragraphs = [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
        previous_dates: list[DateMention] = []
        sentence_jurisdictions: list[Entity] = []
        for doc in nlp().pipe(paragraphs):
            for sent in doc.sents:
                quote = sent.text.strip()
                if not quote or len(quote) > MAX_SENTENCE_CHARS:
                    continue
                mentions = linker.mentions(sent)
                dates = find_dates(quote, published)
                template, slots = self._template(sent, mentions)
                if len(slots) >= 1:
                    facts.extend(self._intro_facts(mentions, quote))
                    found = self._relations(template, slots, quote, dates)
                    reduced = self._reduced(template)
                    if reduced != template:
                        found += self._relations(reduced, slots, quote, dates)
                    facts.extend(found)
                    frame = self._restriction(template, slots, quote, dates, previous_dates, frames)
                    if frame is not None:
                        frames.append(frame)
                    sentence_jurisdictions += [m.entity for m in mentions if m.kind == "entity" and m.entity
                                               and isa(m.entity.types, "Jurisdiction") and not m.excluded]
                linker.note(mentions)
                previous_dates = [d for d in dates if d.value is not None and d.precision == "day"] or previous_dates
        self._complete_frames(frames, sentence_jurisdictions)
        facts = self._dedupe(facts)
        entities: dict = {}
        for f in facts:
            for e in (f.subject, f.object):
                if isinstance(e, Entity):
                    entities[e.iri] = e
        for fr in frames:
            for e in [fr.imposer, *fr.restricts, *fr.applies_in, *fr.applies_to]:
                if e is not None:
                    entities[e.iri] = e
        return Extraction(facts, frames, entities)

    # -- templates ------------------------------------------------------------------

    def _template(self, sent, mentions: list[Mention]) -> tuple[str, list[Mention]]:
        toks = list(sent)
        starts = {m.start: m for m in mentions}
        words: list[str] = []
        slots: list[Mention] = []
        i = 0
        prev_joinable = False
        while i < len(toks):
            m = starts.get(i)
            if m is not None:
                words.append(_PH.format(len(slots)))
                slots.append(m)
                if m.kind == "anaphor" and m.text.lower() in ("its", "their"):
                    words.append("'s")
                i = m.end
                prev_joinable = False
                continue
            t = toks[i]
            w = t.text.lower().replace("’", "'").replace("“", '"').replace("”", '"')
            if prev_joinable and (w == "-" or words[-1].endswith("-")) and not words[-1].startswith("⟦"):
                words[-1] += w
            elif w == "-" and toks[i - 1].whitespace_ == "" and i > 0 and words:
                words.append("-")
            else:
                words.append(w)
            prev_joinable = t.whitespace_ == ""
            i += 1
        text = " " + " ".join(words) + " "
        text = re.sub(r"(⟦\d+⟧) - (based|headquartered)", r"\1 -\2", text)
        text = re.sub(r" the (?=⟦)", " ", text)
        return text[1:], slots

    @staticmethod
    def _reduced(template: str) -> str:
        """The main clause: non-restrictive relative clauses and appositives cut out."""
        out = re.sub(r" , (?:which|who|whose) [^,]*?(?: , ⟦\d+⟧)* ,(?= )", "", template)
        out = re.sub(r" , (?:a|an|the|its|⟦\d+⟧ 's) [^,]*? ,(?= )", "", out)
        out = re.sub(r" , (?:which|who) [^,]*? (?=\. $)", " ", out)
        return out

    # -- relations ------------------------------------------------------------------

    def _slot_entities(self, group: str, slots, wanted, avoid=(), *, owner: bool = False,
                       anaphors: bool = True) -> list[Entity]:
        out = []
        group = re.sub(r"⟦\d+⟧ 's (?=⟦)", "", group)  # "Google Cloud 's Vertex AI": the possessed one
        for idx in _PLACEHOLDER.findall(group):
            m = slots[int(idx)]
            if m.excluded:
                continue
            if m.kind == "anaphor":
                possessive = m.text.lower() in ("its", "their")
                if (possessive and not owner) or (not anaphors and not possessive):
                    continue
            if "Jurisdiction" in wanted and m.entity is not None and isa(m.entity.types, "CustomerSegment"):
                place = m.base if m.base is not None and isa(m.base.types, "Jurisdiction") else \
                    self.linker.gaz.home.get(m.entity.iri)  # "users in Hong Kong": where they are
                if place is not None:
                    out.append(place)
                continue
            e = m.resolve(wanted, avoid)
            if e is None:
                continue
            if not isa(e.types, wanted):
                # a new name typed only by a guess takes the class its slot needs
                refined = [w for w in wanted if PARENTS.get(w) in e.types]
                if e.new and e.types <= {"Product", "Organization"} and refined:
                    e.types = frozenset({refined[0]})
                else:
                    continue
            out.append(e)
        return out

    def _polarity(self, template: str, start: int, end: int) -> str:
        window = template[max(0, start - 40):end]
        clause = re.split(r" (?:;|but|while|whereas|although) ", window)[-1] if start > 0 else window
        if self.negation and self.negation.search(clause):
            return "negated"
        if self.hedges and self.hedges.search(clause):
            return "hedged"
        return "asserted"

    def _relations(self, template, slots, quote, dates) -> list[Fact]:
        out: list[Fact] = []
        words = set(template.split())
        for rule in self.rules:
            if rule.has_object and len(slots) < 2:
                continue
            if rule.keywords is not None and words.isdisjoint(rule.keywords):
                continue
            for m in rule.regex.finditer(template):
                gd = m.groupdict()
                s_group = gd.get("s")
                o_group = gd.get("o")
                if s_group is None:
                    continue
                span_end = max(m.start() + len(x) + template[m.start():].find(x) for x in (s_group, o_group or "") if x)
                polarity = self._polarity(template, m.start(), span_end)
                if polarity == "hedged":
                    continue
                negated = rule.negated or polarity == "negated"
                if o_group is None:  # "A and B have a partnership": pairs within the list
                    members = self._slot_entities(s_group, slots, rule.subject)
                    for a in range(len(members)):
                        for b in range(a + 1, len(members)):
                            if members[a].iri != members[b].iri:
                                out.append(Fact(members[a], rule.relation, members[b], quote, rule.confidence, negated,
                                                rule=rule.pattern))
                    continue
                ana = not rule.named
                named_o = self._slot_entities(o_group, slots, rule.object, anaphors=False)
                subjects = self._slot_entities(s_group, slots, rule.subject, {e.iri for e in named_o},
                                               owner=rule.s_owner, anaphors=ana)
                objects = []
                if rule.prefer:
                    objects = self._slot_entities(o_group, slots, rule.prefer, {e.iri for e in subjects},
                                                  owner=rule.o_owner, anaphors=ana)
                objects = objects or self._slot_entities(o_group, slots, rule.object, {e.iri for e in subjects},
                                                         owner=rule.o_owner, anaphors=ana)
                for s in subjects:
                    for o in objects:
                        if s.iri == o.iri:
                            continue
                        out.append(Fact(s, rule.relation, o, quote, rule.confidence, negated, rule=rule.pattern))
        return out

    def _intro_facts(self, mentions, quote) -> list[Fact]:
        """Facts a new entity brought with it: "Chinese chipmakers" basedIn China, "OpenAI API" offeredBy OpenAI."""
        out = []
        for m in mentions:
            if m.kind == "segment" and m.base is not None and m.entity is not None:
                pred = "basedIn" if isa(m.base.types, "Jurisdiction") else "customerOf"
                out.append(Fact(m.entity, pred, m.base, quote, 0.6, rule="segment"))
            e = m.entity
            if e is not None and e.new and e.facts:
                for pred, obj in e.facts:
                    out.append(Fact(e, pred, obj, quote, 0.6))
                e.facts = []  # once, at the first mention
        return out

    # -- restrictions ---------------------------------------------------------------

    def _restriction(self, template, slots, quote, dates, previous_dates, frames) -> RestrictionFrame | None:
        hit = None
        for kind, rx in self.restriction_triggers:
            if rx is None:
                continue
            m = rx.search(template)
            if m and (hit is None or m.start() < hit[1]):
                hit = (kind, m.start(1), m.end(1))
        if hit is None:
            return None
        kind, t_start, t_end = hit
        polarity = self._polarity(template, t_start, t_end)
        if polarity != "asserted":
            return None
        positions = [(mm.start(), int(mm.group(1))) for mm in _PLACEHOLDER.finditer(template)]
        before = [slots[i] for pos, i in positions if pos < t_start]
        # what follows the trigger, up to the end of its clause
        tail = re.split(r" (?:;|but|while|whereas|although|, a|, an|, and the|, where|, according to|, which) ",
                        template[t_end:t_end + 200])[0]
        after = [slots[i] for pos, i in positions if t_end <= pos < t_end + len(tail)]
        linker = self.linker
        # who imposes it: a regulator (or, for a provider's own block, a company) before the trigger
        imposer = None
        for m in reversed(before):
            e = m.resolve("Organization")
            if e is None or m.kind == "segment":
                continue
            if isa(e.types, "Regulator") or (kind in ("AccessBlock", "Suspension") and isa(e.types, "Organization")):
                imposer = e
                break
        # what: products after the trigger, else before it ("X is banned in Y")
        restricts = [e for m in after for e in [m.resolve("Product")] if e is not None and isa(e.types, "Product")
                     and not m.excluded]
        passive = template[t_start:t_end].split()[0].endswith("ed")
        if not restricts and passive:  # "ChatGPT is banned in China"
            restricts = [e for m in before for e in [m.resolve("Product")] if e is not None and isa(e.types, "Product")]
        if not restricts:
            return None
        restricted = {e.iri for e in restricts}
        places: list[Entity] = []
        applies_to: list[Entity] = []
        for m in slots:
            if m.excluded or m.kind == "anaphor" or m.entity is None:
                continue
            e = m.entity
            if isa(e.types, "Jurisdiction"):
                places.append(e)
            elif isa(e.types, "CustomerSegment"):
                applies_to.append(e)
                based = linker.gaz.jurisdiction(m.text.split()[0])
                if based is not None:
                    places.append(based)
        if imposer is None:
            if kind in ("ExportControl",):
                # "a Dutch export licence": the demonym next to the trigger names the government
                near = [m for m in before[-1:] if m.entity is not None and isa(m.entity.types, "Jurisdiction")]
                word_before = template[:t_start].split()[-1:] if t_start else []
                if near and word_before and word_before[0].startswith("⟦"):
                    imposer = linker.government(near[0].entity)
            if imposer is None:
                m = re.search(r"(⟦\d+⟧) 's (?:\S+ ){0,2}$", template[:t_start])
                if m:
                    owner = slots[int(m.group(1)[1:-1])]
                    place = owner.entity if owner.kind != "anaphor" else \
                        next((e for e in owner.antecedents if isa(e.types, "Jurisdiction")), None)
                    if place is not None and isa(place.types, "Jurisdiction"):
                        imposer = linker.government(place)
            if imposer is None and kind in ("ExportControl",) and frames:
                same = [f for f in frames if f.kind == kind and f.imposer is not None]
                imposer = same[-1].imposer if same else None
        home = self._home(imposer) if kind == "ExportControl" else None
        applies_in = []
        for p in places:
            if (home is None or p.iri != home.iri) and p.iri not in restricted and all(p.iri != x.iri for x in applies_in):
                applies_in.append(p)
        if imposer is None and kind in ("Ban", "Suspension") and applies_in:
            imposer = linker.government(applies_in[0])
        start, until = self._frame_dates(quote, dates, previous_dates)
        return RestrictionFrame(kind, imposer, restricts, applies_in, quote, 0.7, start, until, applies_to)

    def _frame_dates(self, quote: str, dates, previous_dates):
        start = until = None
        best = 99
        lower = quote.lower()
        for d in dates:
            if d.value is None or d.precision != "day":
                continue
            before = lower[max(0, d.start - 24):d.start]
            cue = (d.cue or "").lower()
            if cue in ("until", "till", "through") or (self.end_cues and self.end_cues.search(before[-14:])):
                until = until or d.value
                continue
            rank = 0 if cue in ("starting", "from", "effective", "beginning", "as of") or "effect" in before else \
                1 if cue == "since" else 2 if cue == "on" else 3
            if rank < best:
                start, best = d.value, rank
        if start is None and re.search(r"\b(?:since then|from then on|from that date|since that date)\b", lower):
            start = previous_dates[-1].value if previous_dates else None
        return start, until

    def _complete_frames(self, frames, jurisdictions):
        """A restriction whose sentence names no place applies where the document's restrictions point."""
        for fr in frames:
            if fr.applies_in:
                continue
            home = self._home(fr.imposer)
            counts: dict = {}
            for j in jurisdictions:
                if home is None or j.iri != home.iri:
                    counts[j.iri] = (counts.get(j.iri, (0, j))[0] + 1, j)
            if counts:
                fr.applies_in = [max(counts.values(), key=lambda x: x[0])[1]]
                fr.confidence = 0.5

    def _home(self, org: Entity | None) -> Entity | None:
        """Where an imposer sits: its government's jurisdiction or its basedIn in the store."""
        if org is None:
            return None
        return self.linker.gov_of.get(org.iri) or self.linker.gaz.home.get(org.iri)

    @staticmethod
    def _dedupe(facts: list[Fact]) -> list[Fact]:
        best: dict = {}
        for f in facts:
            key = (f.subject.iri, f.predicate, f.object.iri if isinstance(f.object, Entity) else f.object, f.negated)
            if key not in best or f.confidence > best[key].confidence:
                best[key] = f
        positive = {k[:3] for k in best if not k[3]}
        return [f for k, f in best.items() if not (k[3] and k[:3] in positive)]
