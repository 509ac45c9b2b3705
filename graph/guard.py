"""Refuse what a user's SPARQL must not do: federation, file or network access, writes.

The check runs on the query's tokens with strings, IRIs and comments blanked
out, so a literal "SERVICE" or an IRI containing it is not a false alarm.
"""
import re

from .errors import QueryError

__all__ = ["check_query", "check_update", "is_update"]

_LEXICAL = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*',
)
_UPDATE = re.compile(r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b", re.IGNORECASE)
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_LOAD = re.compile(r"\bLOAD\b", re.IGNORECASE)


def _code(text: str) -> str:
    return _LEXICAL.sub(" ", text)


def is_update(text: str) -> bool:
    return bool(_UPDATE.search(_code(text)))


def check_query(text: str) -> None:
    """Raise QueryError unless ``text`` is a read-only query without SERVICE."""
    code = _code(text)
    if _SERVICE.search(code):
        raise QueryError("SERVICE (federated query) is refused: aikg makes no network requests for user queries")
    if _UPDATE.search(code):
        raise QueryError("updates are refused here: this is a read-only query endpoint")


def check_update(text: str) -> None:
    """Raise QueryError if an update would reach outside the store (LOAD, SERVICE)."""
    code = _code(text)
    if _SERVICE.search(code):
        raise QueryError("SERVICE (federated query) is refused: aikg makes no network requests for user queries")
    if _LOAD.search(code):
        raise QueryError("LOAD is refused: aikg does not read files or URLs from user updates")
