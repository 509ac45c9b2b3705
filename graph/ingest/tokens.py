"""Sentences as light token objects over spaCy's tokenizer (no trained model needed).

Reading spaCy's own token attributes is slow; each distinct token text is copied once into a
:class:`Token` and shared by all its occurrences.
"""
import re
from functools import lru_cache

__all__ = ["nlp", "Token", "Sentence", "sentences", "split_at_letter_names", "POSSESSIVE"]

POSSESSIVE = {"'s", "’s", "'", "’"}
# a name that opens lower case and capitalises inside ("miHoYo", "iFlyTek", "xAI"): no English word does
_CAMEL = re.compile(r"^[a-z]{1,3}[A-Z][A-Za-z0-9]*$")
NOT_NAME = re.compile(r"^(?:\$?\d[\d,.]*(?:st|nd|rd|th|s|m|bn|b|k|gb|tb|mw|gw|%)?|\d+-\w+"
                      r"|\S+-(?:based|backed|owned|made|headquartered|listed|funded|led|run|born|focused))$", re.I)
# ("U.S.-based": a place made an adjective, never the start of a name)


@lru_cache(maxsize=1)
def nlp():
    """A blank English pipeline with a rule-based sentencizer (no trained model needed)."""
    import spacy

    pipe = spacy.blank("en")
    pipe.add_pipe("sentencizer")
    return pipe


class Token:
    """The few attributes of a spaCy token the linker reads, copied once (spaCy's own are slow to read).

    Shared by every occurrence of the same text and trailing space: where it stands is the sentence's.
    """

    __slots__ = ("text", "whitespace_", "text_with_ws", "is_punct", "is_alpha", "like_num", "low", "word", "namelike",
                 "not_name", "is_word")

    def __init__(self, text: str, whitespace: str, is_punct: bool, is_alpha: bool, like_num: bool):
        self.text = text
        self.whitespace_ = whitespace
        self.text_with_ws = text + whitespace
        self.is_punct = is_punct
        self.is_alpha = is_alpha
        self.like_num = like_num
        self.low = text.lower().replace("’", "'")
        self.word = self.low.replace("“", '"').replace("”", '"')  # as a sentence template writes it
        self.namelike = bool(text) and (text[0].isupper() or (text[0].isdigit() and any(c.isalpha() for c in text))
                                        or _CAMEL.match(text) is not None) and text not in POSSESSIVE
        self.not_name = NOT_NAME.match(text) is not None
        self.is_word = is_alpha or any(c.isdigit() for c in text)


class Sentence:
    """One sentence: its tokens, their character offsets in the paragraph, its text."""

    __slots__ = ("tokens", "offsets", "text", "start_char")

    def __init__(self, tokens: list[Token], offsets: list[int], text: str):
        self.tokens = tokens
        self.offsets = offsets
        self.text = text
        self.start_char = offsets[0] if offsets else 0

    def __iter__(self):
        return iter(self.tokens)

    def __len__(self):
        return len(self.tokens)


_TOKENS: dict[int, Token] = {}  # 2 * spaCy's ORTH hash of the text + (followed by a space) -> its Token


def _token(vocab, orth: int, space: int) -> Token:
    if len(_TOKENS) > 200_000:
        _TOKENS.clear()
    text = vocab.strings[orth]
    lex = vocab[text]
    tok = _TOKENS[2 * orth + space] = Token(text, " " if space else "", lex.is_punct, lex.is_alpha, lex.like_num)
    return tok


def sentences(doc, text: str | None = None, punct_chars=None) -> list[Sentence]:
    """The sentences of a spaCy ``Doc`` as light :class:`Sentence` objects.

    ``text`` is the doc's text when the caller has it (``doc.text`` rebuilds it). With ``punct_chars``
    the sentences are split here by spaCy's sentencizer rule (its ``predict``, on the copied tokens),
    so a bare tokenizer's doc will do; without, the doc's own sentence starts are used.
    """
    from spacy.attrs import IDX, ORTH, SENT_START, SPACY

    vocab, cache = doc.vocab, _TOKENS
    if text is None:
        text = doc.text
    out: list[Sentence] = []
    toks: list[Token] = []
    offsets: list[int] = []

    def close():
        last = toks[-1]
        out.append(Sentence(toks, offsets, text[offsets[0]:offsets[-1] + len(last.text)]))

    if punct_chars is None:
        for orth, idx, space, start in doc.to_array([ORTH, IDX, SPACY, SENT_START]).tolist():
            if start == 1 and toks:
                close()
                toks, offsets = [], []
            toks.append(cache.get(2 * orth + space) or _token(vocab, orth, space))
            offsets.append(idx)
    else:
        seen_period = False
        for orth, idx, space in doc.to_array([ORTH, IDX, SPACY]).tolist():
            tok = cache.get(2 * orth + space) or _token(vocab, orth, space)
            in_punct = tok.text in punct_chars
            if seen_period and not tok.is_punct and not in_punct:
                close()
                toks, offsets = [], []
                seen_period = False
            elif in_punct:
                seen_period = True
            toks.append(tok)
            offsets.append(idx)
    if toks:
        close()
    return out


def as_sentence(sent) -> Sentence:
    if isinstance(sent, Sentence):
        return sent
    toks = [Token(t.text, t.whitespace_, t.is_punct, t.is_alpha, t.like_num) for t in sent]
    return Sentence(toks, [t.idx for t in sent], sent.text)


def split_at_letter_names(sent: Sentence, is_name) -> list[Sentence]:
    """A sentence split after a one-letter name that ends one ("post them on X. Only subscribers ..."): the
    tokenizer keeps "X." whole, as it does an initial ("J. Smith"). Only where ``is_name(letter)`` says the
    letter is a known name, a lower-case word comes before it and a capital after does the period end it."""
    toks, cut = sent.tokens, None
    for k in range(1, len(toks) - 1):
        t = toks[k]
        if len(t.text) == 2 and t.text[1] == "." and "A" <= t.text[0] <= "Z" \
                and toks[k - 1].is_alpha and toks[k - 1].text.islower() \
                and toks[k + 1].text[:1].isupper() and is_name(t.text[0]):
            cut = k
            break
    if cut is None:
        return [sent]
    letter = Token(toks[cut].text[0], "", False, True, False)
    stop = Token(".", toks[cut].whitespace_, True, False, False)
    at = sent.offsets[cut]
    head = Sentence(toks[:cut] + [letter, stop], sent.offsets[:cut] + [at, at + 1],
                    sent.text[:at + 2 - sent.start_char])
    tail = Sentence(toks[cut + 1:], sent.offsets[cut + 1:], sent.text[sent.offsets[cut + 1] - sent.start_char:])
    return [head, *split_at_letter_names(tail, is_name)]

