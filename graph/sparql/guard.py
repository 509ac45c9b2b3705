"""Refuse what a user's SPARQL must not do: federation, file or network access, writes.

Oxigraph answers ``SERVICE <http://...>`` with a real HTTP request, and
``LOAD <url>`` fetches a document, so both are refused before a query or
update reaches the store. The decision is taken on the parse tree (rdflib's
SPARQL grammar), not on words in the text: ``SERVICE:x{...}`` with an empty
prefix glued to the keyword, comments, escapes and nesting in subqueries or
update WHERE clauses all come out as the same ``ServiceGraphPattern`` node.
A text that does not parse is refused, never passed on. As a second, cheaper
layer the bare keywords of the text are checked too.

Before parsing, the text is bounded in size, nesting depth and UNION
branches: Oxigraph's recursive parser crashes the process on a few
thousand nested brackets, and rdflib's is slow on huge texts.
"""
import re
import sys
import threading

from ..errors import QueryError

# rdflib's grammar (pyparsing) is not safe to run from two threads at once: the first concurrent parses
# leave its parse actions broken for good ("Param.postParse2() missing 1 required positional argument"),
# and every later query in that process fails. The server checks requests on several threads.
_PARSING = threading.Lock()

__all__ = ["check_query", "check_update", "is_update", "keywords", "MAX_CHARS", "MAX_DEPTH", "MAX_UNIONS"]

MAX_CHARS = 256 * 1024
MAX_DEPTH = 64
MAX_UNIONS = 1000

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
_REFUSED = {"ServiceGraphPattern": "SERVICE", "Load": "LOAD"}
_SERVICE_MSG = "SERVICE (federated query) is refused: aikg makes no network requests for user queries"
_LOAD_MSG = "LOAD is refused: aikg does not read files or URLs from user updates"
_OPEN, _CLOSE = "{([", "})]"


def keywords(text: str) -> list[str]:
    """The bare words of a SPARQL text, upper-cased, in order.

    >>> keywords('SELECT ?service WHERE { ?service a aikg:Service . FILTER(?x = "LOAD") }')
    ['SELECT', 'WHERE', 'A', 'FILTER']
    """
    return [m.group().upper() for m in _TOKEN.finditer(text) if m.lastgroup == "word"]


def _scan(text: str) -> set[str]:
    """Bound the text before any parser sees it; return its bare keywords.

    ``SERVICE:x`` is a prefixed name to this scan; the parse sees the SERVICE.

    >>> sorted(_scan('PREFIX : <http://x/> SELECT * { SERVICE:x { ?s ?p ?o } }'))
    ['PREFIX', 'SELECT']
    """
    if len(text) > MAX_CHARS:
        raise QueryError(f"the query is {len(text):,} characters long; the limit is {MAX_CHARS:,}")
    words, depth, deepest, unions = set(), 0, 0, 0
    for m in _TOKEN.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind == "word":
            word = tok.upper()
            words.add(word)
            unions += word == "UNION"
        elif kind == "other":
            if tok in _OPEN:
                depth += 1
                deepest = max(deepest, depth)
            elif tok in _CLOSE:
                depth -= 1
    if deepest > MAX_DEPTH:
        raise QueryError(f"the query nests brackets {deepest} deep; the limit is {MAX_DEPTH}")
    if unions >= MAX_UNIONS:
        raise QueryError(f"the query has {unions:,} UNIONs; the limit is {MAX_UNIONS - 1:,}")
    return words


def _nodes(tree, found: set) -> set:
    """Names of the grammar rules in a parse tree (rdflib CompValue nodes)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            found.add(node.name)
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or hasattr(node, "asList"):
            stack.extend(node)
    return found


def _parse(text: str) -> tuple[str, set]:
    """("query" | "update", rule names) of a bounded text; QueryError if it is not SPARQL."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if not text.strip():
        raise QueryError("the query is empty")
    if sys.getrecursionlimit() < 6000:  # rdflib's grammar recurses ~60 frames per bracket
        sys.setrecursionlimit(6000)
    try:
        with _PARSING:
            return "query", _nodes(parseQuery(text), set())
    except ParseException as query_error:
        try:
            with _PARSING:
                return "update", _nodes(parseUpdate(text), set())
        except ParseException as update_error:
            e = max(query_error, update_error, key=lambda x: x.loc)  # the reading that got further
            near = " ".join(e.line[e.col - 1:].split())[:40]
            raise QueryError(f"SPARQL syntax error: error at {e.lineno}:{e.col} near {near!r}: {e.msg}") from None
        except RecursionError:
            raise QueryError("the query nests too deeply to check") from None
    except RecursionError:
        raise QueryError("the query nests too deeply to check") from None


def _inspect(text: str) -> tuple[str, set]:
    _refuse(_scan(text) & {"SERVICE", "LOAD"})  # the cheap layer first: its message beats a parse error
    kind, rules = _parse(text)
    _refuse({_REFUSED[r] for r in rules if r in _REFUSED})
    return kind, rules


def _refuse(found: set) -> None:
    if "SERVICE" in found:
        raise QueryError(_SERVICE_MSG)
    if "LOAD" in found:
        raise QueryError(_LOAD_MSG)


def is_update(text: str) -> bool:
    """Whether ``text`` parses as a SPARQL update (QueryError if it parses as neither)."""
    return _inspect(text)[0] == "update"


def check_query(text: str) -> None:
    """Raise QueryError unless ``text`` is a read-only query without SERVICE.

    >>> try:
    ...     check_query('PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:x{ ?s ?p ?o } }')
    ... except QueryError as e:
    ...     print(e)
    SERVICE (federated query) is refused: aikg makes no network requests for user queries
    """
    if _inspect(text)[0] == "update":
        raise QueryError("updates are refused here: this is a read-only query endpoint")


def check_update(text: str) -> None:
    """Raise QueryError if an update would reach outside the store (LOAD, SERVICE)."""
    _inspect(text)
