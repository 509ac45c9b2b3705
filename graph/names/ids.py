"""Deterministic IRIs from normalised names and content."""
import hashlib
import re
import unicodedata

from rdflib import URIRef

from ..namespace import DOC, ENT, GRAPH

__all__ = ["slug", "own_product_names", "entity_iri", "restriction_iri", "document_iri", "document_graph",
           "statement_iri", "digest"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slug(name: str) -> str:
    """Lower-case ASCII words joined by hyphens: ``"GPT-4o"`` -> ``"gpt-4o"``.

    >>> slug("Azure OpenAI Service"), slug("TWINSCAN NXT:2000i"), slug("Zürich")
    ('azure-openai-service', 'twinscan-nxt-2000i', 'zurich')
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = _NON_ALNUM.sub("-", ascii_name.lower()).strip("-")
    return text or "x" + digest(name)[:12]


def digest(*parts: object) -> str:
    """SHA-256 hex of the parts, joined unambiguously."""
    h = hashlib.sha256()
    for part in parts:
        data = str(part).encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def own_product_names(company: str) -> tuple[str, str]:
    """The names of the product a company is named for ("DeepSeek app"): what a ban on the company,
    or a question about reaching it, is about.

    >>> own_product_names("DeepSeek")
    ('DeepSeek app', 'DeepSeek chatbot')
    """
    return f"{company} app", f"{company} chatbot"


def entity_iri(label: str) -> URIRef:
    return ENT[slug(label)]


def restriction_iri(*parts: object) -> URIRef:
    """A restriction named by what it restricts, where, by whom and from when."""
    return ENT["restriction-" + digest(*parts)[:16]]


def document_iri(content_hash: str) -> URIRef:
    return DOC[content_hash[:32]]


def document_graph(content_hash: str) -> URIRef:
    return GRAPH["doc/" + content_hash[:32]]


def statement_iri(graph: object, s: object, p: object, o: object) -> URIRef:
    return ENT["statement-" + digest(graph, s, p, o)[:24]]
