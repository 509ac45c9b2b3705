"""Refuse what a user's SPARQL must not do: federation, file or network access, writes.

Oxigraph answers ``SERVICE <http://...>`` with a real HTTP request, and
``LOAD <url>`` fetches a document, so both are refused before a query or
update reaches the store. The check tokenizes the text as SPARQL does
(strings, IRIs, prefixed names with ``\\#`` escapes, variables, comments) and
looks only at bare keywords, so ``?service``, ``aikg:Service`` or an IRI
containing "load" are not false alarms, and a keyword cannot hide in what a
simpler scanner would take for a comment.
"""
import re

from .errors import QueryError

__all__ = ["check_query", "check_update", "is_update", "keywords"]

_PN_CHARS = r"\w\-\u00B7-\uFFFF"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<comment>#[^\n\r]*)"
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\')'
    r'|(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)'
    rf"|(?P<pname>(?:[A-Za-z\u00C0-\uFFFF][{_PN_CHARS}.]*)?:(?:[{_PN_CHARS}:.]|{_PLX})*)"
    rf"|(?P<bnode>_:(?:[{_PN_CHARS}.])+)"
    rf"|(?P<var>[?$][{_PN_CHARS}]+)"
    r"|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"})
_SERVICE_MSG = "SERVICE (federated query) is refused: aikg makes no network requests for user queries"


def keywords(text: str) -> list[str]:
    """The bare words of a SPARQL text, upper-cased, in order.

    >>> keywords('SELECT ?service WHERE { ?service a aikg:Service . FILTER(?x = "LOAD") }')
    ['SELECT', 'WHERE', 'A', 'FILTER']
    """
    return [m.group().upper() for m in _TOKEN.finditer(text) if m.lastgroup == "word"]


def is_update(text: str) -> bool:
    return any(w in _UPDATE_WORDS for w in keywords(text))


def check_query(text: str) -> None:
    """Raise QueryError unless ``text`` is a read-only query without SERVICE."""
    words = keywords(text)
    if "SERVICE" in words:
        raise QueryError(_SERVICE_MSG)
    if any(w in _UPDATE_WORDS for w in words):
        raise QueryError("updates are refused here: this is a read-only query endpoint")


def check_update(text: str) -> None:
    """Raise QueryError if an update would reach outside the store (LOAD, SERVICE)."""
    words = keywords(text)
    if "SERVICE" in words:
        raise QueryError(_SERVICE_MSG)
    if "LOAD" in words:
        raise QueryError("LOAD is refused: aikg does not read files or URLs from user updates")
