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


def parse(texts: list[str]) -> list:
    """One parsed ``Doc`` per sentence text, in order (batched: far cheaper than one call per text).

    Each text is one tree: the caller's sentence splitter has decided where sentences end, and a
    second split inside ("offers models - including X") would cut the paths between names."""
    if not texts:
        return []
    nlp = parser()
    docs = []
    for doc in nlp.tokenizer.pipe(texts):
        for tok in doc[1:]:
            tok.is_sent_start = False
        docs.append(doc)
    return list(nlp.pipe(docs, batch_size=64))
