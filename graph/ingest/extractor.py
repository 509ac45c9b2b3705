"""Sentence-level, rule-based relation extraction (offline, no trained model).

Each sentence becomes a *template*: lower-case words with every mention found
by :mod:`aikg.ingest.linker` replaced by a placeholder. The relation patterns of
``ontology/lexicon.yaml`` are regular expressions over templates; a match
fills subject and object slots (lists expand to several facts), which are
type-checked against the relation's domain and range. A match whose clause
holds a negation ("does not offer", "remains unsupported") yields a negated
statement, never a fact; a hedge ("may", "plans to") yields nothing.
Restrictions are frames around a trigger ("banned", "export licence"):
imposer, restricted products, jurisdictions and dates.
"""
import re
from dataclasses import dataclass, field, replace
from datetime import date

from ..dates import DateMention, find_dates
from ..lexicon import alternatives, group_end, top_level_alternative
from ..names.ids import entity_iri
from . import relations, restrictions
from .gazetteer import PARENTS, Entity, isa
from .linker import Linker, Mention
from .parse import parse
from .tokens import nlp, sentences, split_at_letter_names

__all__ = ["Fact", "RestrictionFrame", "Extraction", "Extractor", "EXTRACTOR_VERSION"]

EXTRACTOR_VERSION = "0.2.0"
MAX_SENTENCE_CHARS = 1500  # longer "sentences" are lists or markup: skip them

_LIST_GLUE = {",", "and", "or", "-", "the"}
_ORDERS_STOPPED = re.compile(
    r"\b(?:cancel|halt|stop|suspend|freeze)\w* (?:\w+ ){0,2}(?:orders|purchases|buying|ordering)\b", re.I)
_PH = "⟦{}⟧"
_ITEM = r"(?:⟦\d+⟧ 's )?⟦\d+⟧"
# a list starts at its first item (no slot begins right after a separator); a later item is no owner
# ("Vertex AI, Google Cloud's platform" is one item and an appositive)
_LIST = _ITEM + r"(?: (?:,|and|or|, and|, or|, as well as|as well as|and from|, and from|and through|or from)" \
        r"(?: (?:through|via|on|in|from))? " + _ITEM + "(?! 's))*"
_SLOT = r"(?=⟦)(?<!⟧ , )(?<!⟧ and )(?<!⟧ or )" + _LIST
_MACROS = {
    "{S}": f"(?P<s>{_SLOT})",
    "{O}": f"(?P<o>{_SLOT})",
    # the far side of an appositive, which may follow a comma ("X, Y's platform"; "its systems, the A and the B")
    "{SA}": f"(?P<s>{_LIST})",
    "{OA}": f"(?P<o>{_LIST})",
    "{G}": r"(?:(?:(?!⟦)\S+|⟦\d+⟧ 's) ){0,5}?",
    "{GL}": r"(?:(?:(?!⟦)\S+|⟦\d+⟧ 's) ){0,12}?",
    "{A}": r"(?:\S+ ){0,12}?",
    # a long gap that may hold a place-based modifier ("the Palo Alto, California-based start-up")
    "{GP}": r"(?:(?:(?!⟦)\S+|⟦\d+⟧ 's|⟦\d+⟧ (?:, ⟦\d+⟧ )?-(?:based|headquartered)) ){0,12}?",
    "{DET}": r"(?:(?:the|a|an|his|her|our|this|these) |⟦\d+⟧ 's )?",
}
_PLACEHOLDER = re.compile(r"⟦(\d+)⟧")
_RX_BASED = re.compile(r"(⟦\d+⟧) - (based|headquartered)")
_RX_THE = re.compile(r" the (?=⟦)")
_RX_RELATIVE = re.compile(r" , (?:which|who|whose) [^,]*?(?: , ⟦\d+⟧)* ,(?= )")
_RX_PARTICIPLE = re.compile(r" , [a-z]+ed [^,]*? ,(?= )")  # ", introduced in May at $30 ,"
_RX_APPOSITIVE = re.compile(r" , (?:a|an|the|its|⟦\d+⟧ 's) [^,]*? ,(?= )")
_RX_RELATIVE_END = re.compile(r" , (?:which|who) [^,]*? (?=\. $)")
_RX_OWNED_ITEM = re.compile(r"⟦\d+⟧ 's ⟦\d+⟧")
_RX_OWNER = re.compile(r"⟦\d+⟧ 's (?=⟦)")
_RX_CLAUSE = re.compile(r" (?:;|but|while|whereas|although) ")
_MISUSED_QUOTE = re.compile(r"(?<=\w)‘(?=s\b)")
_SPACED_POSSESSIVE = re.compile(r"(?<=[A-Za-z])([’']) (?=s\b)")
_CURRENCY = re.compile(r"\b(?:US|HK|NT|A|C|S|NZ)\$(?=\s?\d)")
_TICKER = re.compile(r"\s*\((?:NYSE|NASDAQ|Nasdaq|HKEX|HKG|SHA|SHE|TYO|KRX|KOSDAQ|LON|ETR|AMS|EPA|SIX|TSX)\s*:\s*"
                     r"[A-Z0-9.]{1,8}\)|\s[A-Z]{1,5}\.(?:O|N|OQ|HK|T|KS|SS|SZ|L|AS|PA|DE)\b")
# "BEIJING/SHANGHAI (Reuters) -", "LONDON (AP) —", "(Bloomberg) --": the agency is not a party to the news
_WIRE = re.compile(r"(?:\b[A-Z][A-Z .'/-]{2,40},?\s*)?(?:[A-Z][a-z]{2,8}\.? \d{1,2}\s*)?"
                   r"\((?:Reuters|AP|AFP|Bloomberg|Xinhua|Yonhap|Kyodo|UPI|dpa|ANI|PTI|IANS)(?:/[A-Z]+)?\)\s*(?:--|[-—–:])\s*")
_DATELINE = re.compile(r"^\s*(?:(?:[A-Z][A-Za-z0-9 .,/'-]{0,60}?\s*)?\([A-Z][A-Za-z/ .&]{1,30}\)\s*(?:--|[-—–])\s*"
                       r"|[A-Z][A-Z .'-]{2,40}(?:,\s*[A-Z][A-Za-z .]{2,30})?\s*(?::|--|[-—–])\s+)")  # "KUALA LUMPUR:"


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


_MAKER_NOUNS = {"maker", "creator", "developer", "builder"}
_OWNER_NOUNS = {"owner", "parent", "operator"}  # "TikTok owner ByteDance": whose service it is


def _fund_investments(facts: list[Fact], quote: str) -> list[Fact]:
    """An investment a sentence tells of a fund and its parent is both of theirs: "SoftBank's Vision Fund 2
    is investing in Perplexity" (SoftBank invests), "it invested through its Vision Fund 2" (the fund does)."""
    pairs = [(f.predicate, f.subject, f.object) for f in facts if isinstance(f.object, Entity) and not f.negated]
    funds = [(s, o) for p, s, o in pairs if p == "subsidiaryOf" and _FUND_WORDS & set(s.label.lower().split())]
    if not funds:
        return []
    out: list[Fact] = []
    have = {(s.iri, o.iri) for p, s, o in pairs if p == "investedIn"}
    for p, investor, target in pairs:
        for fund, parent in funds if p == "investedIn" else ():
            other = parent if investor.iri == fund.iri else fund if investor.iri == parent.iri else None
            if other is not None and (other.iri, target.iri) not in have:
                have.add((other.iri, target.iri))
                out.append(Fact(other, "investedIn", target, quote, 0.6, rule="fund"))
    return out


_FUND_WORDS = {"fund", "ventures", "capital", "vc", "investments"}


def _date_launches(facts: list[Fact], dates: "_Dates") -> None:
    """A product available somewhere is so from the day its sentence names, or from the publication date
    at the latest ("Meta AI launches in Europe"): never before, as an undated fact would say (in place)."""
    launched = [f for f in facts if f.predicate == "availableIn" and f.valid_from is None and not f.negated]
    if not launched:
        return
    days = [d.value for d in dates.current() if d.value is not None and d.precision == "day"]
    start = days[0] if days else dates.published
    for f in launched:
        f.valid_from = start


def _hardware_kind(kind: str, restricts: list, quote: str) -> str:
    """A block on chips or chipmaking tools alone is an export control: hardware is bought, not used online
    ("restrictions on Chinese access to advanced chips"); a halt that also stops orders bans buying them
    ("told firms to cancel orders and halt testing of the chip")."""
    hardware = [isa(e.types, "Chip") or isa(e.types, "Equipment") for e in restricts]
    online = any(isa(e.types, "Service") or isa(e.types, "AIModel") for e in restricts)
    if kind == "AccessBlock" and any(hardware) and not online:
        return "ExportControl"
    if kind == "Suspension" and any(hardware) and not online and _ORDERS_STOPPED.search(quote):
        return "Ban"
    return kind


def _headline(title: str | None) -> str | None:
    """A title without the site name a page appends ("X raises $1bn | Daily Tech") or a closing note, with a full stop
    of its own, so its last word does not run into the text; None for no title."""
    if not title or not title.strip():
        return None
    words = _SITE_SUFFIX.split(title.strip(), maxsplit=1)[0].strip()
    words = _NOTE.sub("", words).strip()  # "(updated)", "(video)": an editor's note, no part of the claim
    if not words:
        return None
    return words if words.endswith((".", "!", "?")) else words + "."


_GLUED_DASH = re.compile(r"(\w)- (?=\S)")
_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014]\s+|\s+-\s+(?=[^-]*$)")


def _sentences(paragraphs: list[str]):
    """Each paragraph's sentences. The default blank pipeline only tokenizes here: its sentencizer's
    rule runs on the copied tokens (same sentences, a third of the time); any other pipeline runs whole."""
    pipe = nlp()
    if pipe.pipe_names == ["sentencizer"]:
        punct = pipe.get_pipe("sentencizer").punct_chars
        for text, doc in zip(paragraphs, pipe.tokenizer.pipe(paragraphs)):
            yield sentences(doc, text, punct)
    else:
        for text, doc in zip(paragraphs, pipe.pipe(paragraphs)):
            yield sentences(doc, text)


def _is_date(text: str) -> bool:
    """A mention that is a date the linker took for a name ("Jan. 20"): never what a restriction restricts."""
    return any(ch.isdigit() for ch in text) and bool(find_dates(text))


def _earlier(frames, kind: str):
    """The document's latest earlier restriction of this kind with an imposer (None where there is none)."""
    same = [f for f in frames if f is not None and f.kind == kind and f.imposer is not None]
    return same[-1] if same else None


class _Dates:
    """The date mentions of a document's sentences, found only when a restriction asks for them."""

    def __init__(self, published: date | None):
        self.published = published
        self.quotes: list[str] = []
        self._found: dict[int, list[DateMention]] = {}

    def add(self, quote: str) -> None:
        self.quotes.append(quote)

    def _of(self, k: int) -> list[DateMention]:
        if k not in self._found:
            self._found[k] = find_dates(self.quotes[k], self.published)
        return self._found[k]

    def current(self) -> list[DateMention]:
        return self._of(len(self.quotes) - 1)

    def previous(self) -> list[DateMention]:
        """The resolved day dates of the latest earlier sentence that has any."""
        for k in range(len(self.quotes) - 2, -1, -1):
            days = [d for d in self._of(k) if d.value is not None and d.precision == "day"]
            if days:
                return days
        return []


@dataclass
class _Rule:
    relation: str
    subject: tuple
    object: tuple
    regex: re.Pattern | None  # every match, overlapping (only for rules without an anchor)
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
    anchor: str | frozenset | None = None  # where a match can start (see _anchor)
    body: re.Pattern | None = None  # the pattern matched at one position
    required: tuple = ()  # word sets a template must meet (see _required)


def _expand(pattern: str) -> str:
    text = pattern
    for macro, rx in _MACROS.items():
        text = text.replace(macro, rx)
    return text


def _compile(pattern: str) -> re.Pattern:
    """The pattern as one regex finding overlapping matches (a lookahead at every word start)."""
    return re.compile("(?:^|(?<= ))(?=" + _expand(pattern) + ")")


_WORDS = re.compile(r"[a-z][a-z'-]*(?: [a-z'-]+)* ?")


def _anchor(pattern: str) -> str | frozenset | None:
    """Where a match can start: "slot" (at a placeholder), a set of first words, or None (any word)."""
    if pattern.startswith(("{S}", "{O}", "{SA}", "{OA}")):
        return "slot"
    if pattern.startswith("(?:"):
        depth, j = 1, 3
        while j < len(pattern) and depth:
            depth += {"(": 1, ")": -1}.get(pattern[j], 0)
            j += 1
        options = pattern[3:j - 1].split("|")
        if pattern[j:j + 1] not in ("?", "*", "{") and all(_WORDS.fullmatch(o) for o in options):
            return frozenset(o.split(" ")[0] for o in options)
        return None
    m = re.match(r"[a-z][a-z'-]* ", pattern)
    return frozenset([m.group(0)[:-1]]) if m else None


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


_REQ_WORDS = re.compile(r"['’-]?[a-z][a-z'’-]*(?: [a-z'’-]+)* ?")
_COMMON = frozenset(("a an and are as at by can for from had has have in is it of on or the to was were which "
                     "with").split())


def _required(pattern: str) -> list[frozenset]:
    """For each mandatory word item of a pattern, the words one of which a matching template holds.

    Conservative: only plain words (or groups of plain-word options) known to start and end at a
    word boundary count; anything unclear adds no requirement. A match implies every set meets the
    template's words, so a template missing one cannot match.
    """
    if top_level_alternative(pattern):
        return []
    out: list[frozenset] = []
    n = len(pattern)
    i, at_start = 0, True  # at_start: a word surely starts here (or the pattern does)
    while i < n:
        c = pattern[i]
        if c == "{":
            j = pattern.index("}", i) + 1
            if pattern[i:j] in ("{S}", "{O}", "{SA}", "{OA}"):
                at_start = False  # a slot ends with its placeholder; gaps end after a space or match nothing
            i = j
        elif c == " ":
            at_start, i = True, i + 1
        elif c == "(":
            j = group_end(pattern, i)
            body, after = pattern[i + 1:j - 1], pattern[j:j + 1]
            optional = after in ("?", "*", "{")
            i = j + (1 if after in ("?", "*", "+") else 0)
            if after == "{":
                i = pattern.index("}", j) + 1
            options = alternatives(body[2:]) if body.startswith("?:") else [body]
            spaced = all(o.endswith(" ") for o in options)  # the group ends where a word starts
            if body.startswith("?:") and not optional and at_start and \
                    all(_REQ_WORDS.fullmatch(o) and (o.endswith(" ") or " " in o or pattern[i:i + 1] == " ")
                        for o in options):
                out.append(frozenset(o.split(" ")[0] for o in options))
            at_start = (at_start or not optional) if spaced else False
        elif c.isalpha():
            m = re.match(r"[a-z][a-z'-]*", pattern[i:])
            j = i + (m.end() if m else 1)
            if m and at_start and pattern[j:j + 1] == " ":
                out.append(frozenset([m.group(0)]))
            at_start, i = False, j
        else:
            at_start, i = False, i + (2 if c == "\\" else 1)
    return out


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
        self._goods: dict = {}  # this document's goods named by a phrase ("advanced chips"), by label
        self._previous_subject = None
        lex = linker.gaz.lexicon
        self.rules: list[_Rule] = []
        for spec in lex.get("relations", []):
            for item in spec.get("patterns", []):
                pattern, named = (item["pattern"], bool(item.get("named"))) if isinstance(item, dict) else (item, False)
                anchor = _anchor(pattern)
                self.rules.append(_Rule(spec["relation"], _types(spec["subject"]), _types(spec["object"]),
                                        _compile(pattern) if anchor is None else None,
                                        float(spec.get("confidence", 0.7)),
                                        bool(spec.get("symmetric")), bool(spec.get("negated")),
                                        "{O}" in pattern or "{OA}" in pattern,
                                        pattern, named, _types(spec.get("prefer_object", [])),
                                        "{S} (?:'s" in pattern or "{SA} (?:'s" in pattern,
                                        "{O} (?:'s" in pattern or "{OA} (?:'s" in pattern, _keywords(pattern),
                                        anchor, re.compile(_expand(pattern))))
                rule = self.rules[-1]
                rule.required = tuple(x for x in [rule.keywords, rule.anchor if isinstance(rule.anchor, frozenset)
                                                  else None, *_required(pattern)] if x)
        # rules indexed by a word one of which a template must hold (the rest are always tried)
        self._always: list[int] = []
        self._by_word: dict[str, list[int]] = {}
        for i, rule in enumerate(self.rules):
            if not rule.required:
                self._always.append(i)
                continue
            # indexed by its most telling set: the one with fewest common words, then the smallest
            words = min(rule.required, key=lambda ws: (len(ws & _COMMON), len(ws)))
            for w in words:
                self._by_word.setdefault(w, []).append(i)
        self.negation = _phrase_regex(lex.get("negation", []))
        self.hedges = _phrase_regex(lex.get("hedges", []))
        self.restriction_triggers = []
        for spec in lex.get("restrictions", []):
            self.restriction_triggers.append((spec["kind"], _phrase_regex(spec["triggers"])))
        # a template can hold a trigger only if it holds the trigger's longest word
        self._trigger_words = frozenset(max(str(t).lower().split(" "), key=len) for spec in lex.get("restrictions", [])
                                        for t in spec["triggers"])
        self.start_cues = _phrase_regex(lex.get("start_cues", []))
        self.dependency_rules = relations.rules_from(lex)
        self.parse_words = {str(k): str(v) for k, v in (lex.get("parse_words") or {}).items()}
        self.restriction_lemmas = {lemma: spec["kind"] for spec in lex.get("restrictions", [])
                                   for lemma in spec.get("lemmas", [])}
        self.end_cues = _phrase_regex(lex.get("end_cues", []))

    # -- document -----------------------------------------------------------------

    def extract(self, text: str, published: date | None = None, title: str | None = None) -> Extraction:
        """Facts and restriction frames of one document; its headline, when the text does not open with it,
        is read first as a paragraph of its own (news puts its main fact there)."""
        headline = _headline(title)
        if headline and not text.lstrip().startswith(headline[:40]):
            text = headline + "\n\n" + text
        linker = self.linker
        linker.start_document(text)
        self._goods = {}
        self._previous_subject = None  # the named subject of the previous sentence's main verb
        facts: list[Fact] = []
        frames: list[RestrictionFrame] = []
        text = _MISUSED_QUOTE.sub("’", text)  # "OpenAI‘s": a left quote typed for an apostrophe
        text = _SPACED_POSSESSIVE.sub(r"\1", text)  # "AWS’ s custom silicon division": a stray space
        text = _TICKER.sub("", text)  # "Alibaba (NYSE:BABA)", "Apple AAPL.O": symbols, not names
        text = _CURRENCY.sub("$", text)  # "US$1 billion": an amount, not a name "US 1"
        text = _GLUED_DASH.sub(r"\1 - ", text)  # "ByteDance- TikTok's parent-": a dash typed as a hyphen
        text = _WIRE.sub("\n", text)  # "... MILAN, Feb 3 (Reuters) -Italy's ...": a dateline glued to a headline
        paragraphs = [_DATELINE.sub("", p, count=1) for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
        dates = _Dates(published)
        sentence_jurisdictions: list[Entity] = []
        # first every sentence's mentions (the linker reads the document in order), then one
        # batched parse of the sentences that could hold a relation, then the rules
        read = []
        for sents in _sentences(paragraphs):
            for sent in (piece for whole in sents for piece in split_at_letter_names(whole, self._letter_name)):
                quote = sent.text.strip()
                if not quote or len(quote) > MAX_SENTENCE_CHARS:
                    continue
                mentions = linker.mentions(sent)
                read.append((sent, quote, mentions))
                linker.note(mentions)
        parsed = self._parse([(sent, mentions) for sent, _, mentions in read])
        for k, (sent, quote, mentions) in enumerate(read):
            dates.add(quote)
            template, slots = self._template(sent, mentions)
            before = len(facts)
            if len(slots) >= 1:
                facts.extend(self._intro_facts(mentions, quote))
                facts.extend(self._described_makers(sent, mentions, quote))
                facts.extend(self._segment_examples(sent, mentions, quote))
                facts.extend(self._its_products(sent, mentions, quote))
                facts.extend(self._agent_named(sent, mentions, quote))
                if len(slots) >= 2:  # every relation needs two entities (a list counts as several)
                    found = self._relations(template, slots, quote)
                    reduced = self._reduced(template)
                    if reduced != template:
                        found += self._relations(reduced, slots, quote)
                    facts.extend(found)
                if k in parsed:
                    facts.extend(self._dependency_facts(*parsed[k], quote))
                facts.extend(_fund_investments(facts[before:], quote))
                self._learn(facts[before:])
                _date_launches(facts[before:], dates)
                read_frames = self._parsed_restrictions(*parsed[k], quote, dates, frames) if k in parsed else []
                self._previous_subject = relations.main_subject(parsed[k][2]) if k in parsed else None
                parsed_frames = [f for f in read_frames if f is not None and (
                    f.applies_in or f.applies_to or f.kind == "ExportControl" and f.imposer is not None)]
                ended = any(f is None for f in read_frames)  # "Italy lifted its ban": nothing in force
                frame = None if parsed_frames or ended else self._restriction(template, slots, quote, dates, frames)
                frames.extend(parsed_frames or ([frame] if frame is not None else []))
                sentence_jurisdictions += [m.entity for m in mentions if m.kind == "entity" and m.entity
                                           and isa(m.entity.types, "Jurisdiction") and not m.excluded
                                           and not restrictions.adjective_place(m.text, linker.gaz)]
            elif k in parsed:  # no name, but a restriction told of before may go on ("The ban applies to ...")
                frames.extend(f for f in self._parsed_restrictions(*parsed[k], quote, dates, frames) if f is not None)
        self._complete_frames(frames, sentence_jurisdictions)
        restrictions.drop_placeless(frames)
        restrictions.anchor_dates(frames, published)
        restrictions.used_products(frames)
        # access is to a product: a firm that is also its cloud ("Amazon Web Services") is no model or chip
        facts = [f for f in self._dedupe(facts) if not (f.predicate == "providesAccessTo" and isinstance(
            f.object, Entity) and isa(f.object.types, "Organization"))]
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
        toks = sent.tokens
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
            w = t.word
            if prev_joinable and (w == "-" or words[-1].endswith("-")) and not words[-1].startswith("⟦"):
                words[-1] += w
            elif w == "-" and toks[i - 1].whitespace_ == "" and i > 0 and words:
                words.append("-")
            else:
                words.append(w)
            prev_joinable = t.whitespace_ == ""
            i += 1
        text = " " + " ".join(words) + " "
        if "⟧ - " in text:
            text = _RX_BASED.sub(r"\1 -\2", text)
        if " the ⟦" in text:
            text = _RX_THE.sub(" ", text)
        return text[1:], slots

    @staticmethod
    def _reduced(template: str) -> str:
        """The main clause: non-restrictive relative clauses and appositives cut out."""
        if " , " not in template:
            return template
        out = _RX_RELATIVE.sub("", template)
        out = _RX_APPOSITIVE.sub("", out)
        out = _RX_PARTICIPLE.sub("", out)
        out = _RX_RELATIVE_END.sub(" ", out)
        return out

    # -- relations ------------------------------------------------------------------

    def _slot_entities(self, group: str, slots, wanted, avoid=(), *, owner: bool = False,
                       anaphors: bool = True) -> list[Entity]:
        if " 's ⟦" in group:
            group = _RX_OWNER.sub("", group)  # "Google Cloud 's Vertex AI": the possessed one
        return self._entities([slots[int(idx)] for idx in _PLACEHOLDER.findall(group)], wanted, avoid,
                              owner=owner, anaphors=anaphors)

    def _entities(self, mentions, wanted, avoid=(), *, owner: bool = False, anaphors: bool = True,
                  refine: bool = True, settle: bool = True, noun: str | None = None) -> list[Entity]:
        """The entities of the class ``wanted`` that mentions name (anaphors resolved, places of segments);
        a new name of a general class takes the one its ``noun`` says ("X, a chip"), else the first wanted."""
        out = []
        for m in mentions:
            if m.excluded:
                continue
            if m.kind == "name":  # a proper noun the linker left: typed by the role, where it names one class
                typ = "Organization" if "Organization" in wanted else "Company" if "Company" in wanted \
                    else wanted[0] if wanted in (("Product",), ("Service",)) else None
                if typ is not None:
                    e = self.linker.gaz.lookup(m.text) or self.linker.gaz.fuzzy(m.text, typ) \
                        or self.linker.implied_entity(m.text, typ)
                    if isa(e.types, wanted):
                        out.append(e)
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
            if owner and m.kind == "entity" and not isa(e.types, wanted) and isa(e.types, "Service"):
                # "Google Cloud's platform": a service owns what its provider offers
                provider = self.linker.gaz.provider.get(e.iri)
                if provider is not None and isa(provider.types, wanted) and provider.iri not in avoid:
                    e = provider
            if not isa(e.types, wanted):
                # a new name typed only by a guess takes the class its slot needs
                refined = [w for w in wanted if PARENTS.get(w) in e.types]
                if e.guessed and settle:  # "OpenAI's ChatGPT" read into an empty store: the role says what it is
                    refined = [w for w in wanted if w in ("Product", "Organization") or PARENTS.get(w) in
                               ("Product", "Organization")]
                if (refine or e.guessed and settle) and e.new and e.types <= {"Product", "Organization"} and refined:
                    said = self.linker.type_cues.get((noun,)) if noun else None
                    e.types = frozenset({said if said in refined else refined[0]})
                    e.guessed = False
                else:
                    continue
            out.append(e)
        return out

    # -- the dependency parse -------------------------------------------------------

    def _parse(self, read) -> dict:
        """Sentence index -> (parsed doc, mention spans, their root tokens) for the sentences worth parsing."""
        wanted = [(k, *relations.parse_text(sent, mentions)) for k, (sent, mentions) in enumerate(read)
                  if self._worth_parsing(sent, mentions)]
        docs = parse([text for _, text, _ in wanted], self.parse_words)
        out = {}
        for (k, _, spans), doc in zip(wanted, docs):
            spans = spans + relations.name_chains(doc, spans, self.linker.stop, self.linker.gaz.suffixes)
            roots = relations.heads(doc, spans)
            for m, subject in relations.governing_subjects(roots):
                if subject is None:
                    m.antecedents = ()  # the subject is a name we cannot resolve: no guess at another
                else:
                    m.subject = subject.entity
            out[k] = (doc, spans, roots)
        return out

    def _parsed_restrictions(self, doc, spans, heads, quote, dates, earlier=()) -> list[RestrictionFrame | None]:
        """Restriction frames read off the parse: who imposes what, where and on whom; None for a
        restriction the sentence says was lifted (no start is known, so nothing is written)."""
        out: list[RestrictionFrame | None] = []
        told_of = False  # "... when the ban was imposed": the sentence speaks of a restriction told before
        for parts in relations.restriction_parts(doc, spans, heads, self.restriction_lemmas):
            if parts["ended"]:
                out.append(None)
                continue
            restricts = self._restricted(parts, quote)
            told_of = told_of or not restricts and relations.refers_back(parts["trigger"])
            if parts["similar"]:  # "similar steps by Italy and Australia": what was restricted, by each of them
                out += self._similar(parts, restricts, [*earlier, *out], quote)
                continue
            if parts["extends"]:  # "The ban applies to schools": the restriction told before, further
                out += self._extended(parts, restricts, [*earlier, *out], quote)
                continue
            if parts["told"]:  # "X have been told not to offer it": the restriction told before, on them
                out += self._told(parts, restricts, [*earlier, *out], quote)
                continue
            if not restricts:
                continue
            restricted = {e.iri for e in restricts}
            candidates = self._imposers(parts, restricted)
            places, applies_to = self._where_and_whom(parts, heads, restricted, quote)
            own = [d for d in dates.current() if not relations.elsewhere(doc, parts["trigger"], d.text)]
            start, until = self._frame_dates(quote, own, dates.previous)
            # "Australia and Italy have placed restrictions": each imposes its own, where it rules
            for imposer in (candidates if parts["joint"] else candidates[:1]) or [None]:
                where = places if not parts["joint"] or len(candidates) < 2 else []
                out.append(self._parsed_frame(parts, imposer, restricts, where, applies_to, heads, quote,
                                              (start, until), [*earlier, *out]))
        told = next((f.imposer for f in reversed(earlier) if f is not None and f.imposer is not None), None)
        for fr in out if told_of else ():
            if fr is not None and fr.imposer is None:  # "halting sales to China when the ban was imposed"
                fr.imposer = told
        return out

    def _extended(self, parts, restricts, earlier, quote) -> list[RestrictionFrame]:
        """The earlier restriction a sentence goes on about, for the products or the actors it adds."""
        event = next((f for f in reversed(earlier) if f is not None and f.imposer is not None), None)
        more = [self.linker.implied_entity(t, "CustomerSegment") for t in parts["more"]]
        if event is None or not (restricts or more):
            return []
        restricts = [e for e in restricts if isa(e.types, "Product")]
        return [RestrictionFrame(event.kind, event.imposer, restricts or event.restricts, list(event.applies_in),
                                 quote, 0.6, event.effective_from, event.effective_until,
                                 more or list(event.applies_to))]

    def _similar(self, parts, restricts, earlier, quote) -> list[RestrictionFrame]:
        """Places said to have taken steps like the restriction told of: each restricts the same thing at home."""
        event = next((f for f in reversed(earlier) if f is not None and f.restricts), None)
        restricts = restricts or (event.restricts if event is not None else [])
        out = []
        for place in self._entities(parts["imposer"], ("Jurisdiction",)):
            if event is not None and any(place.iri == p.iri for p in event.applies_in):
                continue  # the restriction told of itself
            out.append(RestrictionFrame(event.kind if event is not None else "Ban", self.linker.government(place),
                                        restricts, [self.linker.gaz.country_of(place)], quote, 0.5))
        return out if restricts else []

    def _told(self, parts, restricts, earlier, quote) -> list[RestrictionFrame]:
        """Companies told not to offer or use something: bound by the restriction the document told of
        (its imposer, place and product where the sentence names none)."""
        bound = [e for e in self._entities(parts["bound"], ("Organization", "CustomerSegment"))
                 if not isa(e.types, "Regulator")] \
            or [self.linker.implied_entity(t, "CustomerSegment") for t in parts["more"]]  # "its employees"
        event = next((f for f in reversed(earlier) if f is not None and f.imposer is not None), None)
        if not bound or event is None and not restricts:
            return []
        candidates = self._imposers(parts, {e.iri for e in restricts})
        imposer = candidates[0] if candidates else event.imposer if event is not None else None
        places, _ = self._where_and_whom(parts, [], {e.iri for e in restricts}, quote)
        if event is not None:
            restricts = restricts or event.restricts
            places = places or list(event.applies_in)
        home = self._home(imposer)
        places = places or ([home] if home is not None else [])  # "Japanese regulators have instructed"
        return [RestrictionFrame("Ban", imposer, restricts, places, quote, 0.6,
                                 event.effective_from if event is not None else None, None, bound)]

    def _restricted(self, parts, quote) -> list[Entity]:
        """What a parsed restriction restricts: products, a company's app, goods a noun names."""
        linker, kind = self.linker, parts["kind"]
        restricts: list[Entity] = []
        for m in parts["restricts"]:
            if _is_date(m.text):
                continue  # "Jan. 20" read as a name
            # "the apps X and Y", "a ban on the use of X": a name the store does not know is an app
            named_app = id(m) in parts["apps"] or id(m) in parts["used"] and kind != "ExportControl"
            found = self._entities([m], ("Product",) if m.kind == "name" and named_app else ("Product", "Company"))
            for e in found or (self._entities([m], ("Organization",)) if named_app else []):
                if isa(e.types, "Organization") and named_app and e.new \
                        and e.types <= {"Company", "Organization"}:
                    e = replace(e, types=frozenset({"Product"}))  # here only: other readings keep theirs
                elif isa(e.types, "Company") and id(m) in parts["owned"]:  # "OpenAI's generative AI"
                    e = restrictions.document_product(e, linker)
                elif isa(e.types, "Company"):  # "Italy blocked DeepSeek": the company's app
                    e = restrictions.company_offering(e, quote, linker) if kind != "ExportControl" else None
                if e is not None and kind == "ExportControl" and isa(e.types, "Service"):
                    continue  # an online service is no export
                if e is not None and all(e.iri != x.iri for x in restricts):
                    restricts.append(e)
        for words, makers in parts["made"]:  # "the hardware and software made by X": X's hardware and software
            for maker in self._entities(makers, ("Organization",)):
                e = self._goods_entity(f"{maker.label} {words}", "Product")
                if all(e.iri != x.iri for x in restricts):
                    restricts.append(e)
        for label, typ in parts["goods"]:  # "advanced chips", "Nvidia chips", "chip tools"
            if len(label.split()) > 1 or kind == "ExportControl":
                e = self._goods_entity(label, typ)
                if isa(e.types, "Product") and all(e.iri != x.iri for x in restricts):
                    restricts.append(e)
        return restricts

    def _goods_entity(self, label: str, typ: str) -> Entity:
        """Goods a restriction names by a phrase: a known entity of that name, else one of this document's
        own, kept out of the linker's names so that "chips" in the next document stays a plain word."""
        known = self.linker.gaz.lookup(label)
        if known is not None:
            return known
        if label not in self._goods:
            self._goods[label] = Entity(entity_iri(label), label, frozenset({typ}), new=True)
        return self._goods[label]

    def _imposers(self, parts, restricted) -> list[Entity]:
        """Who imposes: named organisations first ("the US House of Representatives"), then places'
        governments; a pronoun for the place the previous sentence spoke of."""
        linker = self.linker
        candidates = [e for m in parts["imposer"] for e in self._entities([m], ("Organization", "Jurisdiction"))
                      if e.iri not in restricted and not isa(e.types, "CustomerSegment")]
        said_before = self._previous_subject
        if parts["imposer"] and all(getattr(m, "kind", None) == "anaphor" for m in parts["imposer"]) \
                and said_before is not None and isa(said_before.types, ("Jurisdiction", "Regulator")):
            candidates = [said_before]  # "Washington has stepped up ... Over the years, it has tightened"
        if not parts["joint"]:
            candidates.sort(key=lambda e: (isa(e.types, "Jurisdiction"), not isa(e.types, "Regulator")))
        out: list[Entity] = []
        for e in candidates:
            e = linker.government(e) if isa(e.types, "Jurisdiction") else e
            if all(e.iri != x.iri for x in out):
                out.append(e)
        return out

    def _named_place(self, parts, place) -> bool:
        """Whether the sentence names the place itself, not only people from there ("the sale of chips to
        Chinese customers" is halted by the seller, not by the Chinese government)."""
        gaz = self.linker.gaz
        for m in [*parts["place"], *parts["seat"]]:
            e = getattr(m, "entity", None)
            if getattr(m, "kind", None) != "segment" and e is not None \
                    and place.iri in (e.iri, getattr(gaz.country_of(e), "iri", None)):
                return True
        return False

    def _where_and_whom(self, parts, heads, restricted, quote) -> tuple[list[Entity], list[Entity]]:
        """The places a parsed restriction names and the actors it covers."""
        linker = self.linker
        places: list[Entity] = []
        of_use = {id(m) for h, m in heads if relations.of_use(h)}
        for m in parts["seat"]:  # "Texas Gov. X": a state's or city's own rule holds there, not country-wide
            places += [e for e in self._entities([m], ("Jurisdiction",)) if e.iri not in restricted]
        for m in parts["place"] if not places else ():
            for e in self._entities([m], ("Jurisdiction",)):
                if e.iri in linker.gaz.country:  # "exports to Shenzhen": rules apply to its country
                    e = linker.gaz.country_of(e)
                elif restrictions.adjective_place(getattr(m, "text", ""), linker.gaz) and id(m) not in of_use:
                    continue  # "the Chinese startup": where someone comes from
                if e.iri not in restricted and all(e.iri != x.iri for x in places):
                    places.append(e)
        applies_to: list[Entity] = []
        for t in parts["target"]:
            if isinstance(t, str):
                if t.split()[-1].lower() in restrictions.TARGET_HEADS:
                    applies_to.append(linker.implied_entity(t, "CustomerSegment"))
                continue
            if t.kind == "segment" and t.entity is not None:
                applies_to.append(t.entity)
        return places, applies_to or restrictions.target_actors(quote, linker)

    def _parsed_frame(self, parts, imposer, restricts, places, applies_to, heads, quote, dated,
                      earlier) -> RestrictionFrame:
        """One parsed restriction with the gaps its sentence leaves filled: the imposer's home as the
        place of a regulator's ban, a place's government as the imposer, the earlier restriction told of."""
        linker, kind = self.linker, parts["kind"]
        kind = _hardware_kind(kind, restricts, quote)
        restricted = {e.iri for e in restricts}
        home = self._home(imposer) if imposer is not None else None
        if kind == "ExportControl" and parts["transit"] and home is not None:
            places = [home, *(p for p in places if p.iri != home.iri)]  # transit through its own land: there
        elif kind == "ExportControl":
            places = [p for p in places if home is None or p.iri != home.iri]
        elif not places and home is not None and isa(imposer.types, "Regulator"):
            places = [home]  # "Italy's regulator banned X": in Italy
        if imposer is None and kind in ("Ban", "Suspension") and places and self._named_place(parts, places[0]):
            imposer = linker.government(places[0])
        if imposer is None and parts["withheld"]:
            imposer = linker.gaz.maker.get(restricts[0].iri)
        if imposer is None:  # the parse left it unattached: a government or regulator the sentence names
            imposer = next((e for h, m in heads for e in [getattr(m, "entity", None)]
                            if e is not None and isa(e.types, "Regulator") and e.iri not in restricted), None)
            home = self._home(imposer)
            if not places and home is not None and kind != "ExportControl":
                places = [home]  # "China's internet regulator told firms to halt testing of X": in China
        if imposer is None and kind == "ExportControl":  # "the curbs": the ones the document spoke of
            imposer = getattr(_earlier(earlier, kind), "imposer", None)
        start, until = dated
        if imposer is None and kind != "ExportControl" and not places and not applies_to \
                and relations.refers_back(parts["trigger"]):
            # "Spark was among the removed apps": the removal the document told of, its places too
            event = _earlier(earlier, kind)
            if event is not None:
                imposer, places = event.imposer, list(event.applies_in)
                start = start or event.effective_from
        if imposer is None and kind != "ExportControl" and not places and applies_to \
                and relations.agentless(parts["trigger"]):
            # "House staffers were restricted from using X": by the body the document named whose people they are
            named = {w for t in applies_to for w in t.label.split() if w[:1].isupper()}
            event = next((f for f in reversed(earlier) if f is not None and f.imposer is not None
                          and not named.isdisjoint(f.imposer.label.split())), None)
            if event is not None:
                imposer, places = event.imposer, list(event.applies_in)
        if parts["self"]:  # "the government stopped using X": it is who the ban binds
            applies_to = [e for e in self._entities(parts["bound"], ("Organization",)) if e.iri not in restricted]
        return RestrictionFrame(kind, imposer, restricts, places, quote, 0.7, start, until, applies_to)

    def _worth_parsing(self, sent, mentions) -> bool:
        """Two names, or one and a capitalised word the linker left (a name only a role can type), or a
        restriction trigger: the parse is most of ingestion's cost, so other sentences skip it."""
        if len(mentions) >= 2:
            return True
        if not mentions:  # names no store knows yet ("Microsoft has invested in OpenAI" read into an empty store),
            # or a restriction told before going on ("The ban applies to schools")
            return sum(t.namelike and not t.not_name for t in sent.tokens[1:]) >= 2 or \
                sent.tokens[0].namelike and any(t.namelike for t in sent.tokens[1:]) or \
                not self._trigger_words.isdisjoint(t.low for t in sent.tokens)
        covered = set(range(mentions[0].start, mentions[0].end))
        toks = sent.tokens
        return any(t.namelike and k not in covered for k, t in enumerate(toks)) or \
            not self._trigger_words.isdisjoint(t.low for t in toks)

    def _dependency_facts(self, doc, spans, heads, quote) -> list[Fact]:
        out = []
        for rule, s, o, trigger in relations.pairs(doc, heads, self.dependency_rules):
            owner = s.kind == "anaphor" and s.text.lower() in ("its", "their")
            own = relations.NAME in rule.lemmas  # a name read through its own modifiers ("Apple's AirDrop")
            possessive = o.kind == "anaphor" and o.text.lower() in ("its", "their")
            if possessive and "Jurisdiction" in rule.object_types:
                continue  # "its platform Facebook": the owner's, never a place's
            guesses = [(e, e.types) for m in (s, o) for e in [getattr(m, "entity", None)]
                       if e is not None and e.guessed]
            # a guessed class is settled only by an owner written with 's ("OpenAI's ChatGPT"), not by "Oracle X"
            # or by a verb's object ("access it using VPNs": no chip)
            written = own and relations.written_owner(trigger, heads) is o
            subjects = self._entities([s], rule.subject_types, owner=owner, refine=not own, settle=written,
                                      noun=trigger.lemma_.lower())
            objects = self._entities([o], rule.object_types, {e.iri for e in subjects}, owner=possessive)
            if own and not written:  # "DGX B200": a modifier the store
                # does not know is no maker; "Nvidia's A100" written with "'s" is
                objects = [e for e in objects if not (e.new and e.types == frozenset({"Organization"}))]
            if not (subjects and objects):
                for e, types in guesses:  # a guess is settled only by a fact it takes part in
                    e.types, e.guessed = types, True
            for a in subjects:
                for b in objects:
                    if a.iri != b.iri:
                        out.append(Fact(a, rule.relation, b, quote, rule.confidence,
                                        rule=f"dep:{trigger.lemma_ if relations.NAME not in rule.lemmas else 'name'}:"
                                             f"{rule.relation}"))
        return out

    def _polarity(self, template: str, start: int, end: int) -> str:
        window = template[max(0, start - 40):end]
        clause = _RX_CLAUSE.split(window)[-1] if start > 0 else window
        if self.negation and self.negation.search(clause):
            return "negated"
        if self.hedges and self.hedges.search(clause):
            return "hedged"
        return "asserted"

    @staticmethod
    def _starts(template: str) -> tuple[dict, list[int]]:
        """Word -> its start offsets in the template, and the offsets of placeholders."""
        where: dict[str, list[int]] = {}
        slots: list[int] = []
        pos = 0
        for w in template.split(" "):
            if w.startswith("⟦"):
                slots.append(pos)
            where.setdefault(w, []).append(pos)
            pos += len(w) + 1
        return where, slots

    def _relations(self, template, slots, quote) -> list[Fact]:
        out: list[Fact] = []
        where, slot_starts = self._starts(template)
        candidates = set(self._always)
        for w in where.keys() & self._by_word.keys():
            candidates.update(self._by_word[w])
        one_slot = len(slots) < 2
        words = where.keys()
        for i in sorted(candidates):
            rule = self.rules[i]
            if rule.has_object and one_slot:
                continue
            missing = False
            for ws in rule.required:
                if words.isdisjoint(ws):
                    missing = True
                    break
            if missing:
                continue
            # the rule's matches, at most one per start word (overlapping), in order
            anchor = rule.anchor
            if anchor is None:
                matches = list(rule.regex.finditer(template))
            else:
                starts = slot_starts if anchor == "slot" else sorted(p for w in anchor for p in where.get(w, ()))
                match = rule.body.match
                matches = [m for m in map(match, [template] * len(starts), starts) if m is not None]
            for m in matches:
                gd = m.groupdict()
                s_group = gd.get("s")
                o_group = gd.get("o")
                if s_group is None:
                    continue
                span_end = max(m.end("s"), m.end("o")) if o_group else m.end("s")
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
                # "OpenAI's ChatGPT and Google's Gemini": an item with an owner of its own is not the slot owner's
                if rule.o_owner and " 's ⟦" in s_group:
                    s_group = _RX_OWNED_ITEM.sub("", s_group)
                if rule.s_owner and " 's ⟦" in o_group:
                    o_group = _RX_OWNED_ITEM.sub("", o_group)
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
        for before, m in zip([None, *mentions], mentions):
            if m.kind == "segment" and m.base is not None and m.entity is not None:
                pred = "basedIn" if isa(m.base.types, "Jurisdiction") else "customerOf"
                out.append(Fact(m.entity, pred, m.base, quote, 0.6, rule="segment"))
            home = self._named_home(m)
            if home is not None:  # "Irish Data Protection Commission", "China Mobile", "SB OpenAI Japan"
                out.append(Fact(m.entity, "basedIn", home, quote, 0.6, rule="name"))
            brand = self._brand(m, before)
            if brand is not None:  # "Nvidia H100", "Intel Gaudi 3", "Apple Intelligence"
                for pred in ("developedBy", "offeredBy") if isa(m.entity.types, "Service") else ("developedBy",):
                    out.append(Fact(m.entity, pred, brand, quote, 0.6, rule="brand"))
            e = m.entity
            if e is not None and e.new and e.facts:
                for pred, obj in e.facts:
                    out.append(Fact(e, pred, obj, quote, 0.6))
                e.facts = []  # once, at the first mention
        return out

    def _described_makers(self, sent, mentions, quote) -> list[Fact]:
        """"the ChatGPT creator", "the Ernie maker" with no name after it: the one the store knows made it,
        named by what it made."""
        toks, out = sent.tokens, []
        for m in mentions:
            e = m.entity
            if m.kind != "entity" or e is None or not isa(e.types, "Product") or m.start == 0 \
                    or m.end + 1 > len(toks) or toks[m.end].low not in _MAKER_NOUNS \
                    or toks[m.start - 1].low not in ("the", "its", "their") \
                    or m.end + 1 < len(toks) and toks[m.end + 1].namelike:
                continue  # "ChatGPT maker OpenAI" is read by the parse, with its name
            maker = self.linker.gaz.maker.get(e.iri)
            if maker is not None:
                out.append(Fact(e, "developedBy", maker, quote, 0.6, rule="described maker"))
        return out

    def _letter_name(self, letter: str) -> bool:
        """Whether a capital letter alone is a name the store knows ("X", the social network)."""
        return self.linker.gaz.lookup(letter) is not None

    def _agent_named(self, sent, mentions, quote) -> list[Fact]:
        """"ChatGPT creator OpenAI", "TikTok parent company ByteDance": a product, a noun saying who someone is
        to it, and that someone's name, read off the words (the parse of a long sentence may not hold them)."""
        toks, out = sent.tokens, []
        for m, x in zip(mentions, mentions[1:]):
            e, o = m.entity, x.entity
            if m.kind != "entity" or x.kind != "entity" or e is None or o is None or not isa(e.types, "Product") \
                    or not isa(o.types, "Organization") or isa(o.types, "Jurisdiction") or e.iri == o.iri:
                continue
            between = [t.low for t in toks[m.end:x.start]]
            if between and between[-1] in ("company", "firm", "group"):
                between = between[:-1]
            if len(between) != 1:
                continue
            if between[0] in _MAKER_NOUNS:
                out.append(Fact(e, "developedBy", o, quote, 0.6, rule="agent noun"))
            elif between[0] in _OWNER_NOUNS and isa(e.types, "Service"):
                out.append(Fact(e, "offeredBy", o, quote, 0.6, rule="agent noun"))
        return out

    def _its_products(self, sent, mentions, quote) -> list[Fact]:
        """"... to train and deploy Claude, its foundation model": a product the sentence's subject calls
        its own, in an appositive of a class noun (however the parser hung it), is the subject's."""
        toks, out = sent.tokens, []
        for k, m in enumerate(mentions[:-1]):
            e, its = m.entity, mentions[k + 1]
            if m.kind != "entity" or e is None or not isa(e.types, "Product") or its.kind != "anaphor" \
                    or its.text.lower() not in ("its", "their") or its.start != m.end + 1 or toks[m.end].text != ",":
                continue
            end = next((x for x in range(its.end, min(its.end + 4, len(toks)))
                        if (toks[x].low,) in self.linker.type_cues), None)
            if end is None or end + 1 < len(toks) and toks[end + 1].is_word:
                continue  # "Claude, its model for ...": not a closed appositive
            # the nearest organisation before it that acts (not an owner written with 's): the clause's subject
            owner = next((x.entity for x in reversed(mentions[:k]) if x.kind == "entity" and x.entity is not None
                          and isa(x.entity.types, "Organization") and not isa(x.entity.types, "Jurisdiction")
                          and (x.end >= len(toks) or toks[x.end].low not in ("'s", "’s"))), None)
            if owner is None or owner.iri == e.iri:
                continue
            for pred in ("developedBy", "offeredBy") if isa(e.types, "Service") else ("developedBy",):
                out.append(Fact(e, pred, owner, quote, 0.6, rule="its appositive"))
        return out

    def _segment_examples(self, sent, mentions, quote) -> list[Fact]:
        """"U.S. firms such as ChatGPT creator OpenAI", "Chinese rivals like DeepSeek": the organisations a
        placed group's example list names are based where the group is."""
        toks, out = sent.tokens, []
        for k, m in enumerate(mentions):
            if m.kind != "segment" or m.base is None or not isa(m.base.types, "Jurisdiction"):
                continue
            j = m.end + (2 if [t.low for t in toks[m.end:m.end + 2]] == ["such", "as"] else
                         1 if m.end < len(toks) and toks[m.end].low in ("like", "including") else 0)
            if j == m.end:
                continue
            for x in mentions[k + 1:]:
                gap = toks[j:x.start]
                if any(t.low not in _LIST_GLUE and t.low not in self.linker.agent_cues for t in gap):
                    break  # the list has ended
                j = x.end
                if x.kind == "entity" and x.entity is not None and isa(x.entity.types, "Product"):
                    continue  # "ChatGPT creator OpenAI": the product describes the name after it
                if x.kind == "entity" and x.entity is not None and isa(x.entity.types, "Organization") \
                        and not isa(x.entity.types, "Jurisdiction"):
                    out.append(Fact(x.entity, "basedIn", m.base, quote, 0.6, rule="segment example"))
        return out

    def _named_home(self, m) -> Entity | None:
        """The country an organisation's own name opens or closes with, or ends "of" ("Bank of America")."""
        if m.kind != "entity" or m.entity is None or not isa(m.entity.types, "Organization"):
            return None
        words = m.text.split()
        if len(words) < 2:
            return None
        gaz = self.linker.gaz
        for edge in (words[0], words[-1], " ".join(words[:2]), " ".join(words[-2:])):
            place = gaz.jurisdiction(edge)
            if place is not None and place.iri not in gaz.country and place.iri != m.entity.iri:
                return place
        return None

    def _brand(self, m, before=None) -> Entity | None:
        """The company whose name opens a product's name as written ("Nvidia H100 GPUs"), or stands right
        before it ("Intel Gaudi 3") when the store gives the product no other maker."""
        if m.kind != "entity" or m.entity is None or not isa(m.entity.types, "Product") \
                or isa(m.entity.types, "Organization"):  # "Amazon Web Services" the firm: a unit, not a brand
            return None
        owner = getattr(before, "entity", None)
        if before is not None and before.kind == "entity" and before.end == m.start and owner is not None \
                and isa(owner.types, "Company") and self.linker.gaz.maker.get(m.entity.iri, owner).iri == owner.iri:
            return owner
        words = m.text.split()
        for size in (2, 1):
            if len(words) > size:
                owner = self.linker.gaz.lookup(" ".join(words[:size]))
                if owner is not None and isa(owner.types, "Company") and owner.iri != m.entity.iri:
                    return owner
        return None

    # -- restrictions ---------------------------------------------------------------

    def _restriction(self, template, slots, quote, dates: "_Dates", frames) -> RestrictionFrame | None:
        """A restriction read off the sentence's template, where the parse gave none: the trigger, the
        names before and after it, and the gaps filled as the parsed reading fills them."""
        hit = self._template_trigger(template)
        if hit is None:
            return None
        kind, t_start, t_end = hit
        positions = [(mm.start(), int(mm.group(1))) for mm in _PLACEHOLDER.finditer(template)]
        positions = [(pos, i) for pos, i in positions if not _is_date(slots[i].text)]  # "Jan. 20" as a name
        before = [slots[i] for pos, i in positions if pos < t_start]
        # what follows the trigger, up to the end of its clause
        tail = re.split(r" (?:;|but|while|whereas|although|, a|, an|, and the|, where|, according to|, which) ",
                        template[t_end:t_end + 200])[0]
        after = [slots[i] for pos, i in positions if t_end <= pos < t_end + len(tail)]
        passive = template[t_start:t_end].split()[0].endswith("ed")
        restricts = self._template_restricted(before, after, passive, quote)
        if kind == "ExportControl":  # an online service is no export ("controls ... a year after ChatGPT's launch")
            restricts = [e for e in restricts if not isa(e.types, "Service")]
        if not restricts:
            return None
        kind = _hardware_kind(kind, restricts, quote)
        restricted = {e.iri for e in restricts}
        places, applies_to = self._template_places(slots)
        imposer = self._template_imposer(kind, template, slots, before, t_start, passive, frames)
        linker = self.linker
        if not applies_to:
            applies_to = restrictions.target_actors(quote, linker)
        home = self._home(imposer) if kind == "ExportControl" else None
        applies_in: list[Entity] = []
        for p in places:
            if (home is None or p.iri != home.iri) and p.iri not in restricted \
                    and all(p.iri != x.iri for x in applies_in):
                applies_in.append(p)
        if imposer is None and kind in ("Ban", "Suspension") and applies_in:
            imposer = linker.government(applies_in[0])
        start, until = self._frame_dates(quote, dates.current(), dates.previous)
        return RestrictionFrame(kind, imposer, restricts, applies_in, quote, 0.7, start, until, applies_to)

    def _template_trigger(self, template) -> tuple[str, int, int] | None:
        """The first asserted restriction trigger of a template: its kind and span, or None."""
        if self._trigger_words.isdisjoint(template.split(" ")):
            return None
        hit = None
        for kind, rx in self.restriction_triggers:
            m = rx.search(template) if rx is not None else None
            if m and (hit is None or m.start() < hit[1]):
                hit = (kind, m.start(1), m.end(1))
        if hit is None or self._polarity(template, hit[1], hit[2]) != "asserted":
            return None
        return hit

    def _template_restricted(self, before, after, passive, quote) -> list[Entity]:
        """What: products after the trigger, else before it ("X is banned in Y"), else a company's app."""
        restricts = [e for m in after for e in [m.resolve("Product")] if e is not None and isa(e.types, "Product")
                     and not m.excluded]
        if not restricts and passive:  # "ChatGPT is banned in China"; a name before any pronoun, never an owner's
            def products(mentions):
                return [e for m in mentions for e in [m.resolve("Product")]
                        if e is not None and isa(e.types, "Product")]
            restricts = products(m for m in before if m.kind != "anaphor") or products(  # "its platform Facebook"
                m for m in before if m.kind == "anaphor" and m.text.lower() not in ("its", "their"))
        if not restricts:  # "Italy blocked DeepSeek": the company's app
            companies = [m.entity for m in (after or (before if passive else [])) if m.kind == "entity"
                         and m.entity is not None and isa(m.entity.types, "Company") and not m.excluded]
            restricts = [p for p in (restrictions.company_offering(c, quote, self.linker) for c in companies[:3])
                         if p]
        return restricts

    def _template_places(self, slots) -> tuple[list[Entity], list[Entity]]:
        """The places a template names (not as adjectives of origin) and the segments it names."""
        places: list[Entity] = []
        applies_to: list[Entity] = []
        for m in slots:
            if m.excluded or m.kind == "anaphor" or m.entity is None:
                continue
            e = m.entity
            if isa(e.types, "Jurisdiction"):
                if not restrictions.adjective_place(m.text, self.linker.gaz):
                    places.append(e)
            elif isa(e.types, "CustomerSegment"):
                applies_to.append(e)
                based = self.linker.gaz.jurisdiction(m.text.split()[0])
                if based is not None:
                    places.append(based)
        return places, applies_to

    def _template_imposer(self, kind, template, slots, before, t_start, passive, frames) -> Entity | None:
        """Who imposes it: a regulator (or, for a provider's own block, a company) before the trigger, a
        demonym or possessive place next to it, a place the sentence opens with, the earlier export rule."""
        linker = self.linker
        for m in reversed(before):
            e = m.resolve("Organization")
            if e is None or m.kind == "segment":
                continue
            if isa(e.types, "Regulator") or (kind in ("AccessBlock", "Suspension") and isa(e.types, "Organization")):
                return e
        if kind == "ExportControl":
            # "a Dutch export licence": the demonym next to the trigger names the government
            near = [m for m in before[-1:] if m.entity is not None and isa(m.entity.types, "Jurisdiction")]
            word_before = template[:t_start].split()[-1:] if t_start else []
            if near and word_before and word_before[0].startswith("⟦"):
                return linker.government(near[0].entity)
        m = re.search(r"(⟦\d+⟧) 's (?:\S+ ){0,2}$", template[:t_start])
        if m:
            owner = slots[int(m.group(1)[1:-1])]
            place = owner.entity if owner.kind != "anaphor" else \
                next((e for e in owner.antecedents if isa(e.types, "Jurisdiction")), None)
            if place is not None and isa(place.types, "Jurisdiction"):
                return linker.government(place)
        if not passive:  # "Washington placed a licensing requirement on ..."
            place = restrictions.subject_place(template, slots, t_start, lambda e: isa(e.types, "Jurisdiction"))
            if place is not None:
                return linker.government(place)
        if kind == "ExportControl":
            return getattr(_earlier(frames, kind), "imposer", None)
        return None

    def _frame_dates(self, quote: str, dates, previous):
        """Start and end of a restriction; ``previous()`` gives the last earlier sentence's day dates."""
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
            previous_dates = previous()
            start = previous_dates[-1].value if previous_dates else None
        return start, until

    def _complete_frames(self, frames, jurisdictions):
        """A restriction whose sentence names no place applies where the document's restrictions point."""
        for fr in frames:
            if fr.applies_in or fr.imposer is None:  # without an imposer, the document's places are a guess
                continue
            if fr.applies_to and isa(fr.imposer.types, "Company"):
                continue  # "Samsung banned ChatGPT among employees": its own people, wherever they are
            home = self._home(fr.imposer)
            counts: dict = {}
            for j in jurisdictions:
                if home is None or j.iri != home.iri:
                    counts[j.iri] = (counts.get(j.iri, (0, j))[0] + 1, j)
            if counts:
                fr.applies_in = [max(counts.values(), key=lambda x: x[0])[1]]
                fr.confidence = 0.5

    def _learn(self, facts: list[Fact]) -> None:
        """Where an organisation the store does not place sits, as the document says ("South Korea's
        Ministry of Foreign Affairs"): later restrictions it imposes apply there; and who makes a
        product the store gives no maker: a launch it holds back is its maker's doing."""
        home, maker = self.linker.gaz.home, self.linker.gaz.maker
        for f in facts:
            if f.negated or not isinstance(f.object, Entity):
                continue
            if f.predicate == "basedIn" and f.subject.iri not in home \
                    and isa(f.subject.types, "Organization") and isa(f.object.types, "Jurisdiction"):
                home[f.subject.iri] = f.object
            elif f.predicate in ("developedBy", "offeredBy") and f.subject.iri not in maker \
                    and isa(f.object.types, "Organization"):
                maker[f.subject.iri] = f.object

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
