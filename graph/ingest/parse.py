"""Part-of-speech tags, lemmas and dependency trees from the shipped English pipeline.

The pipeline in ``graph/data/parser`` is a spaCy tagger, lemmatizer and parser trained on
Universal Dependencies English EWT (CC BY-SA 4.0) by ``scripts/train_parser.py``; it is read
from the package, never downloaded. Its labels are UD's (``nsubj:pass``, ``obl``, ``nmod:poss``).
"""
from functools import lru_cache
from importlib import resources

__all__ = ["parser", "parse", "MODEL_PATH"]

MODEL_PATH = resources.files("aikg") / "data" / "parser"


@lru_cache(maxsize=1)
def parser():
    """The trained pipeline, loaded once (about 0.3 s)."""
    import spacy

    return spacy.load(str(MODEL_PATH))


def parse(texts: list[str], stand_ins: dict[str, str] | None = None) -> list:
    """One parsed ``Doc`` per sentence text, in order (batched: far cheaper than one call per text).

    Each text is one tree: the caller's sentence splitter has decided where sentences end, and a
    second split inside ("offers models - including X") would cut the paths between names.

    ``stand_ins`` maps words the treebank never saw ("chatbot", "startup", "GPUs": EWT is web text
    of the 2000s) to common words of the same part ("program", "company", "computers"). The parser
    reads the common word; the returned ``Doc`` holds the original word with its own lemma, so
    offsets, phrases and trigger lemmas are the text's."""
    if not texts:
        return []
    from spacy.tokens import Doc

    nlp = parser()
    stand_ins = stand_ins or {}
    docs, originals = [], []
    for doc in nlp.tokenizer.pipe(texts):
        swapped = {t.i: t.text for t in doc if t.text in stand_ins or t.lower_ in stand_ins}
        if swapped:
            doc = Doc(nlp.vocab, words=[_stand_in(t, stand_ins) if t.i in swapped else t.text for t in doc],
                      spaces=[bool(t.whitespace_) for t in doc])
        for tok in doc[1:]:
            tok.is_sent_start = False
        docs.append(doc)
        originals.append(swapped)
    out = []
    for doc, swapped in zip(nlp.pipe(docs, batch_size=64), originals):
        out.append(_restored(doc, swapped, stand_ins) if swapped else doc)
    return out


def _stand_in(tok, stand_ins: dict[str, str]) -> str:
    word = stand_ins.get(tok.text) or stand_ins[tok.lower_]
    return word.capitalize() if tok.i == 0 or tok.text[:1].isupper() and not tok.text.isupper() else word


def _restored(doc, swapped: dict[int, str], stand_ins: dict[str, str]):
    """The parsed doc again with the text's own words in place of the stand-ins, and their lemmas."""
    from spacy.tokens import Doc

    def lemma(t):
        if t.i not in swapped:
            return t.lemma_
        word = swapped[t.i]
        low = word.lower()
        plural = (stand_ins.get(word) or stand_ins[low]).endswith("s") and low.endswith("s")
        return low[:-1] if plural else low  # "chatbots" -> "chatbot"
    return Doc(doc.vocab, words=[swapped.get(t.i, t.text) for t in doc], spaces=[bool(t.whitespace_) for t in doc],
               tags=[t.tag_ for t in doc], pos=[t.pos_ for t in doc], morphs=[str(t.morph) for t in doc],
               lemmas=[lemma(t) for t in doc], heads=[t.head.i for t in doc], deps=[t.dep_ for t in doc])
