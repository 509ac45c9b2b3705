"""The relation lexicon (``ontology/lexicon.yaml``) and what its regular expressions need to match.

The pattern analysis (``needed_words``) lets the extractor skip a rule on a sentence that lacks the words
every match of it must contain.
"""
import re
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import InputError
from .settings import ontology_dir, packaged_ontology_dir

__all__ = ["load_lexicon", "needed_words", "alternatives", "group_end", "top_level_alternative"]

# libyaml's safe loader when PyYAML was built with it: 5 ms for the lexicon, where the Python one takes 45 ms
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> dict:
    p = Path(path) if path else ontology_dir() / "lexicon.yaml"
    if not p.exists():  # an ontology dir without a lexicon falls back to the packaged one
        p = packaged_ontology_dir() / "lexicon.yaml"
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"cannot load lexicon {p}: {e}") from e
    if not isinstance(data, dict) or "relations" not in data:
        raise InputError(f"lexicon {p} has no relations")
    return data



def top_level_alternative(pattern: str) -> bool:
    """True when ``pattern`` has a ``|`` outside every group (then no item of it is mandatory)."""
    depth, k = 0, 0
    while k < len(pattern):
        c = pattern[k]
        if c == "\\":
            k += 2
            continue
        depth += {"(": 1, ")": -1}.get(c, 0)
        if c == "|" and depth == 0:
            return True
        k += 1
    return False


def group_end(pattern: str, i: int) -> int:
    """The index just past the ``)`` that closes the group opened at ``pattern[i]``."""
    level, j = 1, i + 1
    while j < len(pattern) and level:
        if pattern[j] == "\\":
            j += 2
            continue
        level += {"(": 1, ")": -1}.get(pattern[j], 0)
        j += 1
    return j


def alternatives(body: str) -> list[str]:
    """A group body split at its own top-level ``|``."""
    out, depth, start, k = [], 0, 0, 0
    while k < len(body):
        c = body[k]
        if c == "\\":
            k += 2
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(body[start:k])
            start = k + 1
        k += 1
    return out + [body[start:]]


def needed_words(pattern: str) -> list[tuple[str, ...]]:
    """Substrings a text must hold (one of each tuple) for a case-insensitive ``pattern`` to match in it.

    Only top-level literal words and groups of plain-word options count; anything else adds nothing.
    """
    if top_level_alternative(pattern):
        return []
    out: list[tuple[str, ...]] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
        elif c == "[":  # a character class: skip it whole ("]" first, or after "^", is a member)
            j = i + 1
            if pattern[j:j + 1] == "^":
                j += 1
            if pattern[j:j + 1] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
        elif c == "(":
            j = group_end(pattern, i)
            body, after = pattern[i + 1:j - 1], pattern[j:j + 1]
            i = j
            options = alternatives(body[2:])
            if body.startswith("?:") and after not in ("?", "*", "+", "{") and \
                    all(re.fullmatch(r"[a-z][a-z '-]*", o) for o in options):
                out.append(tuple(o.strip() for o in options))
        elif c.isalpha():
            m = re.match(r"[a-z][a-z '-]*", pattern[i:])
            if m is None:  # not a plain lower-case word: no requirement
                i += 1
                continue
            j = i + m.end()
            word = pattern[i:j]
            if pattern[j:j + 1] in ("?", "*", "+", "{"):  # the quantifier takes the last character
                word = word[:-1]
            if word.strip():
                out.append((word.strip(),))
            i = j
        else:
            i += 1
    return out

