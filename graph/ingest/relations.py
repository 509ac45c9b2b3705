"""Relations read off the dependency parse: trigger lemmas with argument roles.

The lexicon's ``dependencies`` list says, for each relation, which lemmas trigger it and which
grammatical roles around the trigger hold the fact's subject and object. A role is read from
the argument's side of the tree, after climbing coordination ("Nvidia, Oracle and SAP"),
apposition ("the firm, G42") and example lists ("investors including Nvidia"):

- ``nsubj``, ``obj``, ``nsubj:pass``, ``nmod:poss``, ``compound``: the argument depends on the trigger;
- ``obl:by``, ``nmod:in``: an oblique or nominal modifier with its preposition;
- ``head:amod``, ``head:acl``, ``head:compound``, ``head:appos``: the trigger modifies the argument
  ("Microsoft-backed OpenAI", "ChatGPT, developed by OpenAI", "ChatGPT maker OpenAI"); a past
  participle adds ``:pass`` ("head:acl:pass");
- ``gov:nsubj``: the subject of the verb the trigger is the object of ("X led a round in Y").

Names are parsed as single stand-in words (an organisation reads as "Google"), which the
treebank-trained parser handles far better than unseen names such as "miHoYo" or "GPT-4o".
Facts are typed against the relation's domain and range; a negated or hedged trigger yields none.
"""
from dataclasses import dataclass

from .gazetteer import isa
from .restrictions import TARGET_HEADS

__all__ = ["DependencyRule", "Name", "rules_from", "parse_text", "name_chains", "heads", "pairs",
           "governing_subjects", "restriction_parts", "of_use", "elsewhere", "main_subject", "written_owner"]

# well-known names of each class (the treebank is web text of the 2000s), a different one for each
# name of a sentence: repeated identical words ("Google, Google and Google") confuse the parser
STAND_INS = (("Organization", ("Google", "Microsoft", "Yahoo", "Amazon", "Apple", "Intel", "Sony", "Nokia")),
             ("Chip", ("Pentium", "Xeon", "Athlon", "Celeron")),
             ("Product", ("Skype", "Firefox", "Windows", "iTunes")),
             ("Jurisdiction", ("France", "Germany", "Canada", "Mexico")))
_LIST_CASES = {"include", "including", "like", "such", "among"}
_SUBJECTS = ("nsubj", "nsubj:pass", "nsubj:outer")
_TITLES = {"ceo", "chief", "executive", "officer", "president", "chairman", "chairwoman", "chair", "founder",
           "co-founder", "cofounder", "spokesperson", "spokesman", "spokeswoman", "head", "boss", "cfo", "cto"}
_NEGATIONS = {"not", "n't", "n’t", "never", "no"}
_LAUNCH = {"launch", "come", "release", "roll", "arrive", "debut", "ship", "available", "introduce"}
_EXPECT = {"expect", "set", "due", "go", "plan", "able"}
_HEDGE_AUX = {"may", "might", "could", "would", "should"}
_PARTICLE_VERBS = {"make", "build", "set", "take"}
_FUTURE_WORDS = {"due", "poised", "slated", "expected", "likely", "scheduled"}
_HEDGE_HEADS = {"plan", "unable", "expect", "consider", "aim", "seek", "hope", "want", "intend", "propose", "mull",
                "explore", "weigh", "try", "threaten", "discuss", "debate", "urge", "demand", "ask", "call", "study",
                "review", "due", "set", "likely", "poised", "slate", "schedule"}


@dataclass(frozen=True)
class DependencyRule:
    relation: str
    lemmas: frozenset
    subject: frozenset  # roles that hold the fact's subject
    object: frozenset
    subject_types: tuple
    object_types: tuple
    confidence: float
    governors: frozenset  # for gov:* roles, the verbs the trigger noun may depend on (empty: any)
    with_object: frozenset  # lemmas one of which the trigger's object must have (empty: no condition)
    mutual: bool = False  # "A and B partnered": subjects joined by "and" hold the relation with each other


def rules_from(lexicon: dict) -> dict[str, list[DependencyRule]]:
    """Trigger lemma -> its rules."""
    by_lemma: dict[str, list[DependencyRule]] = {}
    for spec in lexicon.get("dependencies", []):
        rule = DependencyRule(spec["relation"], frozenset(spec["lemmas"]), frozenset(spec["subject"]),
                              frozenset(spec["object"]), _tuple(spec["subject_types"]),
                              _tuple(spec["object_types"]), float(spec.get("confidence", 0.7)),
                              frozenset(spec.get("governors", ())), frozenset(spec.get("with_object", ())),
                              bool(spec.get("mutual")))
        for lemma in rule.lemmas:
            by_lemma.setdefault(lemma, []).append(rule)
    return by_lemma


def _tuple(value) -> tuple:
    return (value,) if isinstance(value, str) else tuple(value)


def stand_in(mention, k: int = 0) -> str | None:
    """The word a mention is parsed as (the k-th of its class's list), or None to keep its own words."""
    e = mention.entity
    if mention.kind != "entity" or e is None:
        return None
    if isa(e.types, "Jurisdiction"):
        words = mention.text.split()
        if words and words[0].lower() == "the":
            words = words[1:]
        if len(words) <= 1:
            return None  # "the US", "Chinese" read well as they are
    for cls, words in STAND_INS:
        if isa(e.types, cls):
            return words[k % len(words)]
    return None


def parse_text(sent, mentions) -> tuple[str, list[tuple[int, int, object]]]:
    """The sentence with every name replaced by its stand-in, and each mention's character span there."""
    starts = {m.start: m for m in mentions}
    parts: list[str] = []
    spans = []
    pos = 0
    i, toks = 0, sent.tokens
    named: dict = {}  # class -> its entities in order: a different word for each, the same for the same
    while i < len(toks):
        m = starts.get(i)
        if m is not None and m.end > i:
            cls = next((c for c, _ in STAND_INS if m.entity is not None and isa(m.entity.types, c)), None)
            entities = named.setdefault(cls, [])
            if getattr(m.entity, "iri", None) not in entities:
                entities.append(getattr(m.entity, "iri", None))
            word = stand_in(m, entities.index(getattr(m.entity, "iri", None)))
            text = word if word is not None else "".join(t.text_with_ws for t in toks[i:m.end]).rstrip()
            spans.append((pos, pos + len(text), m))
            text += toks[m.end - 1].whitespace_
            i = m.end
        else:
            text = toks[i].text_with_ws
            if toks[i].text in ("’s", "'s") and i and toks[i - 1].text.lower() in _HAS_SUBJECTS and i + 1 < len(toks) \
                    and (toks[i + 1].text.lower().endswith("ed") or toks[i + 1].text.lower() in _PARTICIPLES):
                text = " has" + toks[i].whitespace_  # "it’s tightened": has, which the tagger reads as "is"
            i += 1
        parts.append(text)
        pos += len(text)
    return "".join(parts), spans


_HAS_SUBJECTS = {"it", "he", "she", "that", "there", "who", "what", "which"}
_PARTICIPLES = {"been", "got", "gotten", "made", "become", "grown", "taken", "given", "seen", "won", "built", "led",
                "sold", "bought", "paid", "held", "kept", "cut", "put", "set", "shown", "begun"}


@dataclass(eq=False)
class Name:
    """A proper-noun chain the tagger found and the linker did not: an entity only if a relation
    role gives it a class ("investors including Inovia Capital": an organisation)."""

    text: str
    kind: str = "name"
    excluded: bool = False


def name_chains(doc, spans, stop, suffixes=frozenset()) -> list[tuple[int, int, Name]]:
    """Character spans of proper-noun chains outside every mention ("Inovia Capital", "Hongshan"); a
    company suffix left alone after a name ("Luka Inc.") is none."""
    taken = set()
    for start, end, _ in spans:
        taken.update(range(start, end))
    out = []
    chain: list = []
    for tok in [*doc, None]:
        if tok is not None and tok.idx not in taken and (tok.text[:1].isupper() and (
                tok.tag_ in ("NNP", "NNPS") or chain and tok.tag_ in ("NN", "NNS"))  # "Brightwater Partners"
                or chain and tok.tag_ == "CD" and len(tok.text) <= 4):  # "Office 365"
            chain.append(tok)
            continue
        while chain and (chain[0].lower_ in stop or chain[0].tag_ == "CD"  # "July 31": no name once the month goes
                         or chain[0].is_sent_start and len(chain) == 1 and not _named_first(chain[0])):
            chain.pop(0)
        if chain and not any(t.lower_ in stop for t in chain) and len(chain) <= 4 \
                and not all(t.lower_ in suffixes or t.lower_.rstrip(".") in suffixes for t in chain):
            start, end = chain[0].idx, chain[-1].idx + len(chain[-1].text)
            out.append((start, end, Name(doc.text[start:end])))
        chain = []
    return out


def _named_first(tok) -> bool:
    """A capitalised first word is a name when the tagger calls it one and it acts or owns: the subject
    ("Microsoft has invested") or a possessor ("Nvidia's chips"), not "Earlier" or "Analysts"."""
    return tok.tag_ == "NNP" and (tok.dep_ in ("nsubj", "nsubj:pass") or any(c.dep_ == "case" and c.lower_ in
                                                                             ("'s", "’s") for c in tok.children))


def _case(tok) -> str | None:
    for c in tok.children:
        if c.dep_ in ("case", "mark") and c.i < tok.i:
            return c.lower_ if c.lower_ in _LIST_CASES or " " not in c.lemma_ else c.lemma_
    return None


_CLASS_NOUNS = {"chip", "accelerator", "gpu", "processor", "model", "chatbot", "assistant", "app", "service",
                "platform", "supercomputer", "cluster", "llm", "series", "family", "tool", "system", "bot",
                "datacentre", "datacenter", "centre", "center", "server", "cloud", "infrastructure", "instance",
                "machine"}
_GENITIVE = ("'s", "’s")
_PARTITIVE = {"some", "many", "several", "most", "all", "one", "two", "three", "few", "each", "both"}
_COMPARED = {"more", "fewer", "less", "over", "nearly", "almost"}
NAME = "<name>"  # the lemma of rules whose trigger is a name itself
_NAMING = {"call", "name", "dub", "know", "brand"}


def _up(tok):
    """The token an argument shares its role with, one step up, or None."""
    dep, head = tok.dep_, tok.head
    if head.i == tok.i:
        return None
    if dep == "conj" and _case(tok) is not None and _case(tok) != _case(head):
        return None  # "from Google and into Siri": a later item with a preposition of its own
    if dep in ("conj", "appos", "flat", "list"):
        return head
    if dep == "nmod" and _case(tok) == "of" and (head.lower_ in _PARTITIVE or head.tag_ == "CD"):
        return head  # "backed by some of the biggest names", "used 2,048 of its chips": the names back it
    if dep in ("obl", "nmod") and _case(tok) == "than" and head.lower_ in _COMPARED:
        return head  # "removed more than a hundred apps": the apps are what "more" stands for
    if dep in ("compound", "nmod:poss", "nmod:of", "nmod") and head.lemma_.lower() in _TITLES:
        return head  # "OpenAI CEO", "OpenAI's chief executive": the title ...
    if tok.lemma_.lower() in _TITLES \
            and dep in ("compound", "nmod:desc", "appos", "nmod:npmod", "amod", "obl:unmarked") \
            and (head.tag_ == "NNP" or head.lemma_.lower() in _TITLES):
        return head  # ... and the person holding it speaks for the company ("OpenAI CEO Sam Altman announced")
    if dep in ("nmod", "obl", "acl") and _case(tok) in _LIST_CASES:
        noun = _before_list(tok)  # "processors, including the GB200": the noun the list explains,
        return noun if noun is not None and noun.i != tok.i else head  # wherever the parser hung it
    if (dep in ("xcomp", "obj") or dep == "obl" and _case(tok) == "as") and head.lemma_.lower() in _NAMING \
            and head.dep_ == "acl":
        return head.head  # "a company called X", "a processor for China, known as X"
    if dep == "compound" and head.tag_ in ("NN", "NNS") and head.lemma_.lower() in _CLASS_NOUNS:
        return head  # "the Vexa X9 accelerator chip": the name is the chip
    if dep == "nsubj" and any(c.dep_ == "cop" for c in head.children) and head.tag_ in ("NN", "NNS"):
        return head  # "the Galaxy S24 is the first smartphone equipped with...": it is that smartphone
    return None


def _chain(tok, stop) -> list:
    """The tokens whose role an argument shares, nearest first: itself, the first of its
    coordination, the noun an appositive or example list explains ("investors including Nvidia":
    investors), the thing a naming participle names ("a company called DeepSeek")."""
    out = [tok]
    for _ in range(8):
        if tok.i == stop.i:
            break
        tok = _up(tok)
        if tok is None:
            break
        out.append(tok)
    return out


def _climb(tok, stop):
    return _chain(tok, stop)[-1]


def _direct(a, trigger) -> str | None:
    if a.head.i == trigger.i:
        dep = a.dep_
        if dep == "obl:agent":
            return "obl:by"
        if dep == "nsubj:outer":
            return "nsubj"  # "X is due to launch": the copula's outer subject is the subject
        if dep == "advmod" and a.lower_ in _COMPARED and any(_case(c) == "than" for c in a.children):
            return "obj"  # "removed more than 100 apps", the count read as an adverb
        if dep == "obj" and trigger.tag_ in ("NN", "NNS") and a.i == trigger.i + 1:
            return "is"  # "ChatGPT creator OpenAI" read as a noun's object: the name the noun is
        if dep in ("obl", "nmod", "obl:unmarked", "nmod:unmarked"):
            case = _case(a)
            if case in _LIST_CASES:
                return None  # an example list item has the role of the noun it explains
            return f"{dep.split(':')[0]}:{case}" if case else dep.split(":")[0]
        return dep
    return None


def _before_list(item):
    """The noun right before the "including"/"such as" that opens an example list holding item."""
    case = item if item.lower_ in _LIST_CASES else \
        next((c for c in item.children if c.dep_ == "case" and c.lower_ in _LIST_CASES), None)
    k = (case.i if case is not None else item.i) - 1
    doc = item.doc
    while k >= 0 and doc[k].dep_ in ("punct", "fixed", "case") or k >= 0 and doc[k].lower_ in ("such", "as"):
        k -= 1
    if k < 0 or doc[k].tag_ not in ("NN", "NNS"):
        return None
    noun = doc[k]
    while noun.tag_ == "NN" and noun.dep_ == "nmod" and noun.head.tag_ == "NNS":
        noun = noun.head  # "names in Chinese technology, including A": the plural names lists them
    return noun


def _comma_only(tok) -> bool:
    """A conjunct set off by a comma alone, with no "and" and no preposition of its own: the parser's
    reading of an appositive ("H100, Nvidia's flagship accelerator,")."""
    edge = tok.left_edge
    comma = edge.text == "," or (edge.i > 0 and tok.doc[edge.i - 1].text == ",")
    return comma and not any(c.dep_ in ("cc", "case") for c in tok.children)


def role(arg, trigger) -> str | None:
    """The grammatical role of an argument token around a trigger token, or None."""
    if arg.i == trigger.i:
        return "self"
    if _bracketed_after(arg, trigger):
        return "head:acl:pass" if trigger.tag_ == "VBN" else "head:acl"
    if trigger.dep_ == "conj" and arg.dep_ == "nmod:poss" and arg.head.i == trigger.head.i and arg.i < arg.head.i \
            and not any(c.dep_ == "nmod:poss" or c.dep_ == "case" and c.lower_ in _GENITIVE for c in trigger.children):
        return "nmod:poss"  # "its A100 and H100 chips": one owner before the coordination owns both
    if arg.head.i == trigger.i and arg.dep_ == "appos" and trigger.tag_.startswith("NNP"):
        # "Zhipu AI, a Chinese startup,": what a name's own appositive says of it; "the EU, Japan and
        # the US" read as an appositive is a list
        return None if _listed(trigger) or _listed(arg) else "appos"
    chain = _chain(arg, trigger)
    verb = chain[-1]
    if verb.dep_ in ("obj", "conj") and verb.head.lower_ in ("including", "include", "includes") \
            and verb.head.dep_ in ("advcl", "acl", "xcomp") and verb.head.i != trigger.i:
        noun = _before_list(verb.head)  # "from investors including X", parsed as a verb "including"
        if noun is not None and noun.i != trigger.i:
            return role(noun, trigger)
    if chain[-1].i == trigger.i:
        if len(chain) > 1 and _case(chain[-2]) in _LIST_CASES:
            # "raised $270m from investors including X", "offers models, including X": X is one of the
            # noun just before the list, however the parser hung the list
            noun = _before_list(chain[-2])
            if noun is not None and noun.i != trigger.i:
                return role(noun, trigger)
            if any(c.dep_ == "obj" for c in trigger.children):
                return "obj"
        return "is"
    if trigger.dep_ == "acl:relcl" and trigger.head.i == chain[-1].i:
        pronoun = next((c for c in trigger.children if c.tag_ in ("WP", "WDT") and c.dep_.startswith("nsubj")), None)
        if pronoun is not None:  # "Anthropic, who got an investment from Amazon": the relative's subject
            return pronoun.dep_
    if trigger.i == arg.i - 1 and trigger.tag_ in ("NN", "NNS") and trigger.head.i in (arg.i, arg.head.i):
        return "head:compound"  # "the Chinese startup Zhipu", however the parser attached the two
    edge = trigger.left_edge
    if trigger.dep_ == "appos" or trigger.dep_ == "acl" and (edge.text == "," or edge.i > 0
                                                              and trigger.doc[edge.i - 1].text == ","):
        # "MiniMax and Alibaba, owner of X",
        # "Samsung, SK hynix and Intel Dalian, now owned by SK hynix": the aside is the last conjunct's
        last = max((c for c in trigger.head.children if c.dep_ == "conj" and c.i < trigger.i), key=lambda c: c.i,
                   default=None)
        if last is not None and (arg.i == trigger.head.i or arg.dep_ == "conj" and arg.head.i == trigger.head.i):
            return "head:appos" if arg.i == last.i else None
    for k, a in enumerate(chain):
        direct = _direct(a, trigger)
        if direct is not None:
            return direct
        if trigger.head.i == a.i and all(c.dep_ != "conj" for c in chain[:k]):
            # "ChatGPT-maker OpenAI, and rivals like DeepSeek": the modifier is the first conjunct's alone
            dep = "appos" if trigger.dep_ == "conj" and _comma_only(trigger) else trigger.dep_
            return f"head:{dep}:pass" if trigger.tag_ == "VBN" else f"head:{dep}"
    return _indirect(_climb(arg, trigger), trigger)


def _bracketed_after(arg, trigger) -> bool:
    """"TikTok (owned by ByteDance)": a bracketed participle says something of the name right before the
    bracket, wherever the parser hung it."""
    edge = trigger.left_edge
    return trigger.dep_.startswith("acl") and trigger.tag_ in ("VBN", "VBG") and edge.text == "(" \
        and edge.i > 0 and arg.i == edge.i - 1 and arg.tag_.startswith("NNP")


def _listed(tok) -> bool:
    """A word with items joined to it ("the EU, Japan and the US"): one of a list."""
    return any(c.dep_ == "conj" for c in tok.children)


def _indirect(a, trigger) -> str | None:
    """The role of an argument hung one step away from the trigger: on a noun before it, on its object,
    on the verb that governs it."""
    if a.head.dep_ == "compound" and a.head.head.i == trigger.i and a.dep_ == "nmod:poss":
        return "nmod:poss"  # "Nvidia's flagship accelerator": Nvidia's accelerator
    if a.head.dep_ == "compound" and a.head.head.i == trigger.i and a.dep_ in ("amod", "compound"):
        return "compound:" + a.dep_  # "Chinese tech giant": the demonym hangs on the first noun
    up = a
    for _ in range(3):  # "raised $4 billion (in funding) from investors": from hangs off the sum
        if up.dep_ != "nmod" or up.head.i == trigger.i:
            break
        top = _climb(up.head, trigger)  # "launching its chatbot, X, in Europe": the object's appositive
        if top.dep_ in ("obj", "obl") and top.head.i == trigger.i:  # "collaborating on a chip with X"
            return top.dep_ + ":nmod:" + (_case(a) or "")
        up = up.head
    gov = trigger.head
    if gov.i != trigger.i and gov.dep_ == "acl:relcl" and gov.head.i == a.i and trigger.dep_ in ("obj", "obl") \
            and any(c.dep_ == "nsubj" and c.tag_ in ("WDT", "WP") for c in gov.children):
        return "gov:nsubj"  # "the government that tightened restrictions": its antecedent acts
    if gov.i != trigger.i and trigger.dep_ == "advcl" and a.head.i == gov.i and a.dep_ == "nsubj":
        # "Backed by Nvidia, CoreWeave runs...": the subject of the clause the participle opens
        return "adv:nsubj:pass" if trigger.tag_ == "VBN" else "adv:nsubj"
    if gov.i != trigger.i and trigger.dep_ in ("obj", "nsubj:pass", "nsubj", "obl", "xcomp", "advcl"):
        via = _direct(a, gov)  # "X led the round", "the round was led by X", "counts X among its investors"
        if via is not None:
            return "gov:" + via
        if gov.dep_ == "xcomp" and a.head.i == gov.head.i and a.dep_ == "nsubj" \
                and not any(c.dep_.startswith("nsubj") for c in gov.children):
            return "gov:nsubj"  # "A and B agreed to set up a venture": who agreed sets it up
        if a.head.dep_ == "conj" and a.head.head.i == gov.i and a.head.tag_.startswith("VB") \
                and not any(c.dep_.startswith("nsubj") for c in a.head.children):
            via = _direct(a, a.head)  # "the round was led by X and joined by Y": the verbs share the round
            return "gov:" + via if via is not None else None
    return None


_PRONOUNS = {"it", "they"}
_SPEECH = {"add", "say", "note", "explain", "stress", "warn", "claim", "insist", "argue", "noting", "adding", "saying"}
_POSSESSIVES = {"its", "their"}
_CLAUSES = {"advcl", "acl", "ccomp", "csubj", "parataxis"}


def main_subject(heads):
    """The entity named as the subject of a parsed sentence's main verb, or None."""
    return next((m.entity for h, m in heads if h.dep_ in _SUBJECTS and h.head.dep_ == "ROOT"
                 and getattr(m, "entity", None) is not None and getattr(m, "kind", None) == "entity"), None)


def _opposed(tok) -> bool:
    """A name set against the others ("its race against ChatGPT", "OpenAI versus Google"): in no relation."""
    return any(c.dep_ == "case" and c.lower_ in ("against", "versus", "vs", "vs.") for c in tok.children)


def governing_subjects(heads) -> list:
    """(pronoun mention, the named mention that is the subject of a clause governing it, earlier in
    the sentence ("Microsoft confirmed that it would offer...": it is Microsoft, not the last name read;
    "Samsung chose Baidu's chatbot for its phones": its is Samsung's)), None for a subject that is a
    name no mention holds. ``heads`` as :func:`heads` gives them."""
    named = {root.i: m for root, m in heads if getattr(m, "entity", None) is not None}
    out: list = []
    for tok, m in heads:
        if getattr(m, "kind", None) != "anaphor":
            continue
        word = m.text.lower()
        if not (word in _PRONOUNS and tok.dep_.startswith("nsubj")
                or word in _POSSESSIVES and tok.dep_ == "nmod:poss"):
            continue
        for anc in tok.ancestors:
            if anc.dep_ == "advcl" and anc.tag_ == "VBG" and anc.lemma_.lower() in _SPEECH:
                anc = anc.doc[anc.i].sent.root  # "X said ..., adding that it had": the speaker, wherever hung
            before = [c for c in anc.children if c.dep_ in _SUBJECTS and c.right_edge.i < tok.i and not _aside(c, tok)]
            subject = next((c for c in before if c.i in named
                            and not (word in ("it", "its") and _plural(named[c.i]))), None)
            if subject is not None:
                out.append((m, named[subject.i]))
                named[tok.i] = named[subject.i]  # "adding that it had invested ... through its fund": its is it's
                break
            if any(c.tag_ in ("NNP", "NNPS") and not _titled(c) for c in before):
                out.append((m, None))  # "X agreed to drop its Grok", X a name nobody knows: not the last name read
                break
            if word in _POSSESSIVES and anc.dep_.split(":")[0] in _CLAUSES \
                    and any(c.dep_ in ("mark", *_SUBJECTS) for c in anc.children):
                break  # "partnered with Anthropic to bring its models": a clause of its own ("agreed to
                # drop its ..." is an xcomp: its subject is the verb's above)
    return out


def _titled(tok) -> bool:
    """A person named with a title ("CEO Robin Li"): someone who speaks for a company, not one."""
    doc = tok.doc
    return any(t.lemma_.lower() in _TITLES for t in doc[max(0, tok.left_edge.i - 3):tok.i]) \
        or any(c.lemma_.lower() in _TITLES for c in tok.children)


def _plural(m) -> bool:
    """"Chinese chipmakers" (a customer segment) is no "it"."""
    return "CustomerSegment" in getattr(m.entity, "types", ())


def _aside(subject, tok) -> bool:
    """The pronoun sits in the subject's own phrase or in an aside set off after it by commas ("Claude.ai,
    the web version of its assistant, ..."): it is not the subject's."""
    doc = subject.doc
    after = next((t.i for t in doc[subject.i + 1:] if t.dep_ != "punct" or t.text == ","), len(doc))
    if after >= len(doc) or doc[after].text != ",":
        return False
    closing = next((t.i for t in doc[after + 1:] if t.text == ","), len(doc))
    return tok.i < closing


def lemmas(tok) -> tuple:
    """The trained lemma and, as a fallback for a lemmatizer slip ("investing" -> "investe"),
    the word itself and its regular de-inflections."""
    low = tok.lower_
    out = [tok.lemma_.lower(), low]
    for suffix in ("ing", "ed", "es", "s"):
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            stem = low[:-len(suffix)]
            out += [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                out.append(stem[:-1])  # "planned" -> "plan"
            break
    return tuple(out)


def _negated_or_hedged(tok) -> bool:
    if tok.lemma_.lower() in ("own", "control") and any(c.lower_ in _PART_OWNED for c in tok.children):
        return True  # "half-owned by X", "jointly owned": a share, not control
    for c in tok.children:
        if c.dep_ in ("advmod", "aux", "neg", "det") and c.lower_ in _NEGATIONS:
            return True
        if c.dep_ == "aux" and c.lower_ in _HEDGE_AUX:
            return True
        if c.dep_ in ("mark", "advmod", "amod", "cop") and c.lower_ in _FUTURE_WORDS:
            return True  # "is due to launch", however the parser hangs "due"
    return False


def _withheld(tok) -> bool:
    """A launch said not to happen ("will not come to the EU", "is not expected to launch there"),
    not merely hedged ("may not launch")."""
    if tok.lemma_.lower() not in _LAUNCH:
        return False
    for t in (tok, tok.head if tok.dep_ == "xcomp" and tok.head.lemma_.lower() in _EXPECT else None):
        if t is not None and any(c.dep_ in ("advmod", "aux", "neg") and c.lower_ in _NEGATIONS for c in t.children):
            return not any(c.dep_ == "aux" and c.lower_ in _HEDGE_AUX - {"would"} for c in t.children)
    return False


_ASIDE_MARKS = {"though", "although", "while", "whereas", "after", "before", "when", "since", "because", "as", "once"}
_DATE_CUES = {"starting", "beginning", "effective", "from", "ending"}
_SUBORDINATE = {"advcl", "acl", "acl:relcl", "ccomp", "csubj", "parataxis"}


def elsewhere(doc, trigger, text: str) -> bool:
    """A date (by its words) told in a clause of its own that does not hold the trigger ("X was among the
    removed apps even though it had launched on June 29": June 29 is the launch's)."""
    words = text.split()
    if words and words[0].lower() in _DATE_CUES | {"on", "since", "until", "by", "in", "as"}:
        words = words[1:]  # the cue the date finder keeps ("on June 29")
    if not words:
        return False
    text = " ".join(words)
    for tok in doc:
        if tok.text != words[0] or not doc.text.startswith(text, tok.idx):
            continue
        for anc in tok.ancestors:
            if anc.i == trigger.i or trigger in anc.subtree and anc.dep_ not in _SUBORDINATE:
                return False
            if anc.dep_ not in _SUBORDINATE or anc.lower_ in _DATE_CUES:  # "starting July 9" is a date's own
                continue
            if anc.head.i == trigger.i and not any(c.dep_ == "mark" and c.lower_ in _ASIDE_MARKS for c in anc.children):
                continue  # "restrict users from using its API starting July 9": the trigger's own clause
            return trigger not in anc.subtree
        return False
    return False


def _clause_of(tok):
    """The verb or predicate heading the clause a trigger sits in ("ChatGPT is banned": banned)."""
    while tok.dep_ in ("obj", "nsubj:pass", "xcomp", "compound", "amod") and tok.head.i != tok.i:
        tok = tok.head
    return tok


def of_use(tok) -> bool:
    """A demonym on a use or sale ("Chinese access to chips"): the place the restriction covers."""
    return tok.dep_ in ("amod", "compound") and _is_use(tok.head)


def _shared_subject(tok):
    """The subject a verb shares with the verbs it hangs from ("X is due ... but is not expected to launch")."""
    for _ in range(4):
        near = [*tok.children, *(g for c in tok.children if c.dep_ in ("mark", "aux", "cop") for g in c.children)]
        subject = next((c for c in near if c.dep_ in _SUBJECTS), None)  # "X is due to launch": on "due"
        if subject is not None or tok.dep_ not in ("xcomp", "conj"):
            return subject
        tok = tok.head
    return None


def blocked(trigger) -> bool:
    """A negated or hedged trigger ("did not invest", "plans to invest", "may launch", "is
    considering a ban", "could impose a ban"), or another verb ("is made up of", "set up")."""
    if _negated_or_hedged(trigger):
        return True
    up = trigger
    for _ in range(4):  # "Nvidia supposedly working on the B20 chip for China": hearsay over the clause
        if any(c.dep_ == "advmod" and c.lower_ in _HEARSAY for c in up.children):
            return True
        if up.head.i == up.i:
            break
        up = up.head
    if trigger.lemma_.lower() in _PARTICLE_VERBS and any(c.dep_ == "compound:prt" for c in trigger.children):
        return True
    head = trigger.head
    if head.i != trigger.i and trigger.dep_ in ("xcomp", "ccomp", "obj", "nsubj:pass"):
        particle = any(c.dep_ == "compound:prt" for c in head.children)  # "set up a venture" is no "set to"
        return head.lemma_.lower() in _HEDGE_HEADS and not particle or _negated_or_hedged(head)
    return False


def heads(doc, spans) -> list:
    """(root token, mention) of each mention of a parsed sentence, found once for all the readings
    below; a description without its own "the", "this" or possessive is no reference back to one."""
    out = []
    for start, end, m in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        if getattr(m, "kind", None) == "name" and any(c.lemma_.lower() in _TITLES for c in span.root.children):
            continue  # "chief executive Sam Altman": a person, no organisation
        if getattr(m, "kind", None) == "anaphor" and m.text.lower() not in _PRONOUNS | {"its", "their", "them"} \
                and not any(c.dep_ in ("det", "nmod:poss") and c.lower_ not in ("a", "an") for c in span.root.children):
            continue  # "a diverse, off the shelf AI platform": "the" belongs to "shelf"; no reference back
        out.append((span.root, m))
    return out


def pairs(doc, heads, by_lemma):
    """(rule, subject mention, object mention, trigger token) for every rule met in a parsed sentence."""
    heads = [(h, m) for h, m in heads if not _opposed(h)]
    if len(heads) < 2:
        return []
    out = []
    named = {h.i for h, m in heads if m.kind != "name"}  # a bare proper noun has no modifiers to trust
    for tok in doc:
        rules = next((by_lemma[w] for w in lemmas(tok) if w in by_lemma), None)
        if tok.i in named:  # a name is its own trigger for what its modifiers say ("OpenAI's ChatGPT")
            rules = [*(rules or ()), *by_lemma.get(NAME, ())]
        if not rules or blocked(tok):
            continue
        roles = [(role(h, tok), m) for h, m in heads]
        owner = written_owner(tok, heads)
        objects_of = None
        for rule in rules:
            if rule.with_object:
                if objects_of is None:
                    objects_of = {w for c in tok.children if c.dep_ == "obj" for w in lemmas(c)}
                if objects_of.isdisjoint(rule.with_object):
                    continue
            gov_ok = not rule.governors or not rule.governors.isdisjoint(lemmas(tok.head))
            subjects = [m for r, m in roles if r in rule.subject and (gov_ok or not r.startswith("gov:"))]
            objects = [m for r, m in roles if r in rule.object and (gov_ok or not r.startswith("gov:"))]
            if NAME in rule.lemmas and owner is not None:  # "AMD's MI308": its owner as written, however parsed
                objects = [m for m in objects if m is owner]
            for s in subjects:
                for o in objects:
                    if s is not o:  # mentions are plain objects: identity is sameness
                        out.append((rule, s, o, tok))
            if rule.mutual and not objects and not any(_case(c) in ("with", "between") for c in tok.children):
                # "A and B announced partnerships with C": with C, not with each other
                out += [(rule, s, o, tok) for k, s in enumerate(subjects) for o in subjects[k + 1:]]
    return out


# -- restrictions ----------------------------------------------------------------------

_THROUGH = {"use", "usage", "access", "sale", "export", "shipment", "download", "purchase", "installation", "app",
            "application", "service", "version", "deployment", "availability", "supply", "import", "testing",
            "order", "rollout", "launch", "utilize", "utilise", "employ", "buy", "sell", "offer", "provide", "deploy",
            "install", "acquire", "ship", "transit", "transhipment", "transshipment", "re-export"}
_QUANTITY = {"more", "than", "a", "an", "over", "about", "some", "hundred", "hundreds", "dozens", "thousands", "of",
             "nearly", "almost", "around", "several", "many"}
_PHRASE_DROP = {"det", "case", "punct", "nmod:poss", "cc", "advmod", "nummod"}


def written_owner(tok, heads):
    """The mention written right before a name as its owner ("AMD's MI308": AMD), or None."""
    if tok.i < 2 or tok.doc[tok.i - 1].lower_ not in _GENITIVE:
        return None
    return next((m for h, m in heads if h.i == tok.i - 2), None)


def _counted(tok) -> list:
    """The nouns a count stands for among a word's dependents ("removed more than 100 apps": apps)."""
    return [n for c in tok.children if c.lower_ in _COMPARED for n in c.children if _case(n) == "than"]


def _is_use(tok) -> bool:
    """A use, sale, export or the like, by its lemma or, after a lemmatizer slip, its word ("utilizing")."""
    return not _THROUGH.isdisjoint(lemmas(tok))


def _through(tok):
    """An argument of a use, sale or export ("the use of DeepSeek", "using Copilot") stands for it."""
    for _ in range(3):
        head = tok.head
        if head.i != tok.i and _is_use(head) and tok.dep_ in ("nmod", "nmod:poss", "compound", "obj", "obl"):
            tok = head
        else:
            break
    return tok


def _own_words(spans) -> dict:
    """Start offset of each stand-in in the parsed text -> the name's own words."""
    return {start: getattr(m, "text", None) for start, _, m in spans}


def phrase(tok, spans=()) -> str:
    """A noun's own words, its left modifiers and itself ("government devices", "civil servants"),
    names in their own words again ("Nvidia chips", not the stand-in's)."""
    own = _own_words(spans)
    words = [t for t in tok.subtree if t.i <= tok.i]
    while words and words[0].dep_ in _PHRASE_DROP | {"amod"} and words[0].lower_ in ("all", "its", "their", "the",
                                                                                      "any", "some", "other"):
        words.pop(0)
    while words and (words[0].dep_ in _PHRASE_DROP or words[0].tag_ == "CD" or words[0].lower_ in _QUANTITY):
        words.pop(0)  # "more than a hundred apps": the apps
    return " ".join(own.get(t.idx) or t.text for t in words if t.dep_ != "punct")


def _goods_phrase(tok, spans) -> str:
    """Goods as named: "advanced chips"; a bare noun keeps the participle that says which ("apps
    offering ChatGPT-like services")."""
    words = phrase(tok, spans)
    participle = next((c for c in tok.children if c.dep_ == "acl" and c.tag_ in ("VBG", "VBN") and c.i > tok.i), None)
    if " " in words or participle is None:
        return words
    own = _own_words(spans)
    tail = []
    for t in tok.doc[tok.i + 1:participle.right_edge.i + 1]:
        if t.text in ",;()" or t.dep_ in ("case", "mark") and t.i > participle.i or len(tail) == 6:
            break  # "apps offering ChatGPT-like services" (from its China store)
        tail.append(own.get(t.idx) or t.text)
    return " ".join([words, *tail]).replace(" - ", "-")


def restriction_parts(doc, spans, heads, triggers: dict) -> list[dict]:
    """For each restriction trigger in a parsed sentence: its kind and the mentions (or, for targets,
    noun phrases) in the roles of imposer, restricted thing, place and target."""
    out = []
    for tok in doc:
        kind, withheld = _trigger_kind(doc, tok, triggers)
        if kind is None:
            continue
        ended = tok.dep_ in ("obj", "nsubj:pass", "nsubj") and not _ENDING.isdisjoint(lemmas(tok.head)) \
            and tok.lemma_.lower() not in _PERMISSIONS  # a licence revoked is a restriction imposed
        parts = {"kind": kind, "trigger": tok, "ended": ended, "withheld": withheld, "restricts": [], "imposer": [],
                 "place": [], "target": [], "goods": [], "seat": [], "apps": set(), "joint": False,
                 "extends": False, "more": [], "told": instructed_not(tok) is not None, "bound": [], "made": [],
                 "self": _stopped_use(tok) is not None and not any(w in triggers for w in lemmas(tok)),
                 "owned": set(), "used": set(), "similar": False,
                 "transit": any(t.lemma_.lower() in _TRANSIT for t in tok.subtree)}
        taken = _role_parts(parts, heads, tok)
        if parts["told"] and not parts["bound"]:
            _told_people(parts, spans, tok)
        _more_places(parts, heads, tok)
        _noun_parts(parts, spans, tok, taken)
        _extension(parts, heads, spans, tok)
        _made_by(parts, heads, tok)
        if similar_steps(tok):
            _similar_by(parts, heads, tok)
        out.append(parts)
    return out


def _told_people(parts, spans, tok) -> None:
    """The people a verb of telling addresses when it names no organisation ("asked its employees to avoid
    using X"), by the heads a ban on government use names, as phrases (in place, in "more")."""
    for c in tok.children:
        if c.dep_ in ("iobj", "obj", "nsubj:pass") and c.lower_ in TARGET_HEADS:
            parts["more"].append(phrase(c, spans))


def _trigger_kind(doc, tok, triggers: dict) -> tuple[str | None, bool]:
    """The kind of restriction a token triggers (None for none) and whether it is a launch held back."""
    kind = next((triggers[w] for w in lemmas(tok) if w in triggers), None) or next(
        (triggers[f"{w} {c.lower_}"] for w in lemmas(tok) for c in tok.children if f"{w} {c.lower_}" in triggers),
        None)  # a particle verb: "clamp down", "crack down"
    if kind is None and similar_steps(tok):
        return "Ban", False  # "similar steps by other countries": the restriction told of, elsewhere
    withheld = kind is None and _withheld(tok)
    if withheld:
        return "AccessBlock", True  # "Apple Intelligence will not come to the EU": its maker holds it back
    if kind is None and tok.lemma_.lower() in _PERMIT and tok.tag_.startswith("VB") and _denied(tok):
        return "Ban", False  # "X is not allowed in China"
    if kind is None and _stopped_use(tok) is not None and not blocked(tok):
        return "Ban", False  # "the government stopped using X": a ban it sets itself
    if kind is None and instructed_not(tok) is not None and not blocked(tok):
        return "Ban", False  # "X were told not to offer Y": whoever told them bans it for them
    if kind is None or blocked(tok) or (tok.tag_.startswith("VB") and tok.lemma_.lower() in _NOUN_ONLY):
        return None, False
    if kind != "ExportControl" and any(c.lemma_.lower() == "export" for c in [*tok.children, tok.head]):
        kind = "ExportControl"
    if kind == "ExportControl" and tok.lemma_.lower() in _EXPORT_ONLY and not any(
            t.lemma_.lower() in ("export", "chip", "semiconductor", "equipment", "shipment") for t in doc):
        return None, False
    return kind, False


def _denied(tok) -> bool:
    """A permission said not to be given ("is not allowed", "are not permitted"), not merely hedged."""
    return any(c.dep_ in ("advmod", "neg") and c.lower_ in _NEGATIONS for c in tok.children) \
        and not any(c.dep_ == "aux" and c.lower_ in _HEDGE_AUX for c in tok.children)


def similar_steps(tok) -> bool:
    """A noun of action said to be like the restriction told of ("similar steps", "similar measures")."""
    return tok.lemma_.lower() in _STEPS and any(c.dep_ == "amod" and c.lower_ == "similar" for c in tok.children)


def _similar_by(parts, heads, tok) -> None:
    """The places an example list names as taking the similar steps ("similar steps made by other countries,
    including Italy, ..., and also Australia"): each imposes its own (in place, as joint imposers)."""
    marker = next((t for t in tok.subtree if t.lower_ in ("including", "like", "such") and t.i > tok.i), None)
    if marker is None:
        return
    inside = {t.i for t in tok.subtree}
    places = [m for h, m in heads if h.i > marker.i and h.i in inside and h.dep_ not in ("amod", "compound")
              and isa(getattr(getattr(m, "entity", None), "types", ()), "Jurisdiction")]
    if places:
        parts["imposer"], parts["joint"], parts["similar"] = places, len(places) > 1, True


def _stopped_use(tok):
    """The use a subject gave up ("stopped using X", "ceased buying X"): the use verb, or None."""
    if tok.lemma_.lower() not in _STOP or not tok.tag_.startswith("VB") or tok.head.lemma_.lower() in _INSTRUCT:
        return None  # "instructed firms to stop offering X": the instruction's, read there
    return next((u for u in tok.children if u.dep_ == "xcomp" and _is_use(u)), None)


def _said_of(trigger):
    """The subject of a copula whose predicate holds the relative clause the trigger is the object of
    ("X are just some of the big names that have implemented bans"), or None."""
    tok = trigger.head if trigger.dep_ == "conj" else trigger  # "bans or restrictions"
    gov = tok.head
    if tok.dep_ != "obj" or gov.dep_ != "acl:relcl" or not any(
            c.dep_ == "nsubj" and c.tag_ in ("WDT", "WP") for c in gov.children):
        return None
    noun = gov.head
    if noun.dep_ in ("nmod", "obl") and _case(noun) in ("of", "among"):
        noun = noun.head  # "some of the names", "among the firms"
    if not any(c.dep_ == "cop" for c in noun.children):
        return None
    return next((c for c in noun.children if c.dep_ == "nsubj"), None)


def _made_by(parts, heads, tok) -> None:
    """Goods a restriction names by their maker ("stopped using the hardware and software made by X and
    another company, Y"): the goods' words and the makers' mentions, in "made" (in place)."""
    used = [tok, *(u for u in tok.children if _is_use(u))]
    for c in (c for u in used for c in u.children if c.dep_ in ("obj", "nmod", "obl") and c.tag_ in ("NN", "NNS")):
        verb = next((v for v in c.children if v.dep_ == "acl" and v.lemma_.lower() in _MAKING), None)
        agent = next((a for a in verb.children if a.dep_ in ("obl:agent", "obl")
                      and _case(a) == "by"), None) if verb is not None else None
        if agent is None:
            continue
        words = [c, *(x for x in c.children if x.dep_ == "conj" and x.tag_ in ("NN", "NNS"))]
        makers = [m for h, m in heads if any(t.i == agent.i for t in _chain(h, verb))]
        if makers:
            parts["made"].append((" and ".join(w.lower_ for w in words), makers))


_GENERIC = {"ai", "technology", "tool", "tools", "chatbot", "model", "assistant", "software"}
_MAKING = {"make", "produce", "manufacture", "supply", "build", "develop", "design", "sell"}


def instructed_not(tok):
    """The use a verb of telling forbids ("were told not to offer", "instructed firms to stop offering"):
    the use verb, or None."""
    if tok.lemma_.lower() not in _INSTRUCT:
        return None
    for x in tok.children:
        if x.dep_ not in ("xcomp", "advcl") or not any(c.lower_ == "to" for c in x.children):
            continue  # the parser hangs "to stop offering" as either
        if _is_use(x) and any(c.lower_ in ("not", "never") for c in x.children):
            return x
        if x.lemma_.lower() in _STOP:  # "to stop offering X", "to cancel orders of X", "to halt testing of X"
            use = next((u for u in x.children if u.dep_ in ("xcomp", "obj") and _is_use(u)), None)
            return x if use is not None and use.dep_ == "obj" else use
    return None


def _order_giver(trigger):
    """Who gives the order a trigger describes: the owner of the decision ("Australia's decision to ban
    X"), the subject of the verb whose object the order is ("X issued an order banning Y"), or the
    subject a relative clause's antecedent is said of ("X and Y are among the firms that have imposed
    bans or restrictions on Z")."""
    subject = _said_of(trigger)
    if subject is not None:
        return subject
    noun = trigger.head
    if trigger.dep_ != "acl" or noun.i == trigger.i or noun.tag_ not in ("NN", "NNS"):
        return None
    owner = next((c for c in noun.children if c.dep_ == "nmod:poss" and c.tag_.startswith("NNP")), None)
    if owner is not None or noun.dep_ != "obj":
        return owner
    return next((c for c in noun.head.children if c.dep_ == "nsubj"), None)


def _ordered_passive(h, trigger) -> bool:
    """The object of a verb whose passive infinitive is the trigger ("ordered X to be blocked",
    "asked for X to be removed"): what the trigger hits."""
    return trigger.dep_ == "xcomp" and any(c.dep_ == "aux:pass" for c in trigger.children) \
        and h.dep_ == "obj" and h.head.i == trigger.head.i


def _among_hit(h, trigger) -> bool:
    """A name the copula says is one of the things a participle trigger hit ("Among the apps pulled was X",
    "X was one of the apps removed", "Other features that are being delayed are X and Y"), however the parser
    split the two sides; a later item of a list shares its first item's role."""
    noun = trigger.head
    if trigger.dep_ not in _MODIFIES or trigger.tag_ not in ("VBN", "VBD") or noun.i == trigger.i:
        return False
    first = h.head if h.dep_ == "conj" else h
    pair = [(noun, first), (first, noun)]
    return any(a.dep_ == "nsubj" and a.head.i == b.i and any(c.dep_ == "cop" for c in b.children) for a, b in pair)


_MODIFIES = ("acl", "amod", "acl:relcl")  # a participle on a noun, bare or in a relative clause


def _named_as_app(h, trigger) -> bool:
    """A name the sentence calls an app ("the apps X and Y", "social media platform X", "apps such as X")."""
    chain = _chain(h, trigger)
    if any(t.lemma_.lower() in _APP_NOUNS and t.tag_ in ("NN", "NNS") for t in chain[1:]):
        return True
    return any(c.dep_ in ("compound", "amod") and c.lemma_.lower() in _APP_NOUNS for t in chain for c in t.children)


def _restriction_role(parts, h, m, tok, giver, product):
    """The token a mention stands in for around a restriction trigger and its role there (None for none):
    the grammatical role, else the readings news wording needs beyond it."""
    t = _through(h)
    if t.i == tok.i:
        t = h  # "not able to launch X": the trigger itself is a launch; X is its object
    r = role(t, tok)
    if r is None and product and h.dep_ in ("compound", "nmod:poss") and h.head.i != tok.i:
        t = _through(h.head)  # "from utilizing ChatGPT technology": the technology's role, if its own
        r = _direct(t, tok) or (role(t, tok) if t.dep_ != "compound" else None)
    if r is None and t.i != h.i and t.dep_ == "acl" and role(t.head, tok) in _TARGET:
        r = "acl"  # "a ban on staffers using Copilot": what the targets may not use
    if r is None and h.dep_ == "nmod" and _case(h) in ("in", "across") and h.head.head.i == tok.i:
        r = "obl:in"  # "removed from app stores in China"
    if r is None and h.dep_ == "nmod:poss" and h.head.lemma_.lower() in _GENERIC and h.head.i != tok.i:
        r = _direct(h.head, tok)  # "restrictions on OpenAI's generative AI": the maker's, what is restricted
        parts["owned"].add(id(m))
    if r is None and giver is not None and any(c.i == giver.i for c in _chain(h, tok)):
        r = "gov:nsubj"  # "Texas Gov. X issued an order banning Y"
    if _ordered_passive(h, tok):
        r = "nsubj:pass"  # "the regulator ordered X to be blocked": X is blocked
    if r is None and _among_hit(h, tok):
        r = "head:acl:pass"  # "Among the apps pulled was X"
        if tok.head.lemma_.lower() in _APP_NOUNS:
            parts["apps"].add(id(m))
    if r is None and h.dep_ == "conj" and h.head.i != tok.i:  # "the shipment of X and Y": Y as X
        return _restriction_role(parts, h.head, m, tok, giver, product)
    return t, r


def _role_parts(parts, heads, tok) -> set:
    """The mentions in each role around the trigger (in place); the tokens they took."""
    withheld = parts["withheld"]
    giver = _order_giver(tok)
    taken = set()
    imposers = []
    for h, m in heads:
        product = isa(getattr(getattr(m, "entity", None), "types", ()), "Product")
        t, r = _restriction_role(parts, h, m, tok, giver, product)
        if r is None:
            continue
        taken.add(_climb(t, tok).i)
        if t.i != h.i:
            parts["used"].add(id(m))  # "the use of X", "access to X": X is something one uses
        if parts["self"] and r == "nsubj":
            parts["bound"].append(m)  # "the government stopped using X": it binds itself
        if parts["told"] and r in ("nsubj:pass", "obj", "iobj") and not product:
            parts["bound"].append(m)  # "Tencent and Ant Group have been told not to offer": whom it binds
            continue
        if _named_as_app(h, tok):
            parts["apps"].add(id(m))
        if product:  # a product is what is restricted, in the roles a restricted thing takes
            if r in _RESTRICTED | {"obl", "obl:to", "nmod:to", "is"} or r.startswith(("head:", "obj:")) \
                    or t.i != h.i and (r.split(":")[0] in ("obl", "advcl", "xcomp", "acl", "obj") or r == "nmod:for") \
                    or withheld and r in _SUBJECTS:
                parts["restricts"].append(m)  # ("access to the H100", "from utilizing ChatGPT technology")
            continue
        if t.i != h.i and _case(h) in ("to", "in", "into"):  # "exports of chips to China": where
            parts["place"].append(m)
            parts["target"].append(m)
        elif t.i != h.i and (r in _RESTRICTED or r.startswith(("obl", "advcl", "xcomp", "acl"))):
            parts["restricts"].append(m)
        elif r in _RESTRICTED:
            parts["restricts"].append(m)
            parts["place"].append(m)  # a place may stand there too ("exports to China" reads as a target)
        if withheld and r in ("nsubj", "nsubj:pass"):
            parts["restricts"].append(m)
        elif r in _IMPOSER:
            parts["imposer"].append(m)
            imposers.append(h)
        if r in _PLACE:
            parts["place"].append(m)
        if r in _TARGET:
            parts["target"].append(m)
    # the imposer's own place ("Texas Gov. X", "Seoul's city government"): where its rules hold
    at = {h.i for h in imposers}
    parts["seat"] = [m for h, m in heads if h.dep_ in ("compound", "nmod:poss", "amod") and h.head.i in at]
    # "Australia and Italy have placed restrictions": each imposes its own
    parts["joint"] = len(imposers) > 1 and all(h.dep_ == "conj" and h.head.i in at for h in imposers[1:])
    if parts["told"] and not parts["restricts"]:  # "told to stop offering services powered by X"
        inside = {t.i for t in instructed_not(tok).subtree}
        parts["restricts"] = [m for h, m in heads if h.i in inside and any(  # a company there stands for its app
            isa(getattr(getattr(m, "entity", None), "types", ()), c) for c in ("Product", "Company"))]
    if withheld and not parts["restricts"]:  # "X is due in the US but is not expected to launch in the EU"
        subject = _shared_subject(tok)
        parts["restricts"] = [m for h, m in heads if subject is not None and h.i == subject.i]
    return taken


def _more_places(parts, heads, tok) -> None:
    """Places the roles leave out: a store's country, a demonym on the use, a "where" clause (in place)."""
    if not parts["place"]:  # "removed apps from its China store": the place names the store
        parts["place"] = [m for h, m in heads if h.dep_ in ("compound", "amod") and (
            role(h.head, tok) in _PLACE or h.head.dep_ == "nmod" and _case(h.head) in ("from", "in")
            and tok.i in [a.i for a in list(h.head.ancestors)[:None if h.head.lemma_.lower() in _STORES else 3]])]
    parts["place"] += [m for h, m in heads if of_use(h) and role(h.head, tok) is not None]  # "Chinese access to"
    where = next((c for c in _clause_of(tok).children if c.lower_ == "where" and c.i < tok.i), None)
    if where is not None:  # "in China, where X is banned": the name before the comma, wherever the parser hung it
        before = where.i - 2 if where.i >= 2 and where.nbor(-1).text == "," else where.i - 1
        parts["place"] += [m for h, m in heads if h.i == before]
    if not parts["place"]:  # "exports of chips made by Nvidia to China": a destination deeper in the phrase
        inside = {t.i for t in tok.subtree}
        parts["place"] = [m for h, m in heads if h.i in inside and _case(h) in ("to", "in", "across")]


def _noun_parts(parts, spans, tok, taken) -> None:
    """Targets and restricted goods named by a plain noun phrase ("on government devices", "the use of
    X in state administration", "exports of advanced chips and chip tools"), in place."""
    uses = any(c.dep_ in ("advcl", "xcomp") and _is_use(c) for c in tok.children)
    used = [c for c in tok.children if _is_use(c)]
    used += [x for c in used for x in c.children if x.dep_ == "conj"]  # "the export, transit and sale of"
    for c in [*tok.children, *(g for c in used for g in c.children), *_counted(tok)]:
        if c.i in taken or c.tag_ not in ("NN", "NNS"):
            continue
        r = "obj" if c.head.i != tok.i and c.head.head.i == tok.i and _case(c) == "than" else _direct(c, c.head)
        through = c.head.i != tok.i
        for item in [c, *(x for x in c.children if x.dep_ == "conj" and x.tag_ in ("NN", "NNS"))]:
            if (r in _RESTRICTED or r == "obl" or through and r in ("nmod:of", "compound")) \
                    and item.lemma_.lower() in GOODS:  # a bare "obl" is the parser's object after a count
                parts["goods"].append((_goods_phrase(item, spans), GOODS[item.lemma_.lower()]))
            elif r in _TARGET or r in ("obl:in", "nmod:in") or r == "nsubj:pass" and uses:
                parts["target"].append(phrase(item, spans))  # "staffers were barred from using X"


def _extension(parts, heads, spans, tok) -> None:
    """"The ban applies to schools", "the ban also extends to apps such as X and Y": more of a restriction
    told before, its new targets (phrases, in "more") and the names in its example list (in place)."""
    verb = tok.head
    if tok.dep_ != "nsubj" or not refers_back(tok) or verb.lemma_.lower() not in _EXTEND:
        return
    parts["extends"] = True
    for c in verb.children:
        if not (c.dep_ == "obj" or c.dep_ == "obl" and _case(c) == "to"):
            continue
        inside = {t.i for t in c.subtree}  # "the ban also covers ChatGPT"
        parts["restricts"] += [m for h, m in heads if h.i in inside
                               and isa(getattr(getattr(m, "entity", None), "types", ()), "Product")]
        for x in [c, *(x for x in c.children if x.dep_ == "conj" and x.tag_ in ("NN", "NNS"))]:
            if x.lemma_.lower() in GOODS:  # "the restrictions target AI chips and chip-making equipment": what
                parts["goods"].append((_goods_phrase(x, spans), GOODS[x.lemma_.lower()]))
            elif c.lemma_.lower() not in GOODS and x.tag_ == "NNS":  # "the ban applies to schools": whom
                parts["more"].append(phrase(x, spans))
    marker = next((t for t in verb.subtree if t.lower_ in ("such", "including", "like") and t.i > tok.i), None)
    if marker is not None:  # "... such as X, Y and Z": however the parser hung the list, the names after it,
        end = next((t.i for t in tok.doc[marker.i:] if t.text == "," and t.i + 1 < len(tok.doc)  # up to an aside
                    and tok.doc[t.i + 1].lower_ in ("a", "an", "which", "who")), len(tok.doc))
        parts["restricts"] = [m for h, m in heads if marker.i < h.i < end and h.i in {t.i for t in verb.subtree}
                              and getattr(m, "kind", None) in ("name", "entity")]
        if parts["restricts"]:
            parts["goods"] = []  # "other apps, such as X and Y": the apps are X and Y
        parts["apps"].update(id(m) for m in parts["restricts"])


_EXTEND = {"apply", "extend", "cover", "include", "target"}
_STEPS = {"step", "measure", "move", "action"}
_PERMISSIONS = {"licence", "license", "permit", "exemption", "waiver"}  # what is ended is the freedom
_TRANSIT = {"transit", "transhipment", "transshipment", "tranship", "transship"}  # goods passing through
_PERMIT = {"allow", "permit", "authorize", "authorise"}
_HEARSAY = {"supposedly", "allegedly", "purportedly", "rumoredly", "rumouredly"}
_PART_OWNED = {"half", "partly", "partially", "jointly", "minority", "co"}
_INSTRUCT = {"tell", "order", "instruct", "ask", "direct", "urge", "require", "warn"}
_STOP = {"stop", "cease", "halt", "end", "cancel", "suspend", "avoid"}
_STORES = {"store", "shop", "market", "marketplace", "shelf"}  # "removed apps offering X from its China store"
_APP_NOUNS = {"app", "application", "platform", "chatbot", "assistant", "feature"}
_BACK = {"the", "this", "that", "these", "those", "such"}


def agentless(trigger) -> bool:
    """A passive trigger that names no agent ("staffers were restricted from using X")."""
    return trigger.tag_ == "VBN" and any(c.dep_ in ("aux:pass", "nsubj:pass") for c in trigger.children) \
        and not any(c.dep_ == "obl:agent" or _case(c) == "by" for c in trigger.children)


def refers_back(trigger) -> bool:
    """A trigger that speaks of a restriction already told of: a participle on the things it hit ("the
    removed apps", "among the apps pulled") or a definite noun ("the ban"), not "a nationwide ban"."""
    if trigger.tag_ in ("VBN", "VBD") and trigger.dep_ in _MODIFIES:
        return True  # "the apps that were removed", "features that are being delayed"
    return trigger.tag_ in ("NN", "NNS") and any(c.dep_ == "det" and c.lower_ in _BACK for c in trigger.children)


_RESTRICTED = {"obj", "nsubj:pass", "nmod:on", "nmod:of", "nmod:against", "obl:on", "compound", "head:acl:pass",
               "head:amod:pass", "nmod:to", "obl:from", "gov:obl:on", "gov:obl:against"}  # "issued a ban on X"
_IMPOSER = {"nsubj", "obl:by", "nmod:poss", "nmod:by", "gov:nsubj", "amod", "compound", "nmod:from",
            "gov:obl:by"}  # "the licence was revoked by X"
_PLACE = {"obl:in", "nmod:in", "obl:across", "obl:to", "nmod:to", "obl:throughout", "nmod:across", "obl:within",
          "obl:from", "nmod:for", "obl:for"}
_TARGET = {"obl:on", "nmod:on", "obl:for", "nmod:for", "obj", "nmod:to", "obl:to", "nmod:among", "obl:among",
           "obl:from", "obl:at", "gov:obl:on", "gov:obl:for"}
# head nouns of goods a restriction may name without a product's name, and the class they make
GOODS = {"chip": "Chip", "semiconductor": "Chip", "gpu": "Chip", "processor": "Chip", "accelerator": "Chip",
         "equipment": "Equipment", "tool": "Equipment", "machine": "Equipment", "scanner": "Equipment",
         "app": "Service", "application": "Service", "chatbot": "Service", "service": "Service", "model": "AIModel"}
_ENDING = {"lift", "end", "scrap", "rescind", "revoke", "repeal", "overturn", "drop", "reverse", "remove", "ease"}
_NOUN_ONLY = {"control", "curb", "requirement", "embargo", "permit"}
_EXPORT_ONLY = {"control", "curb", "requirement", "licence", "license", "permit"}
