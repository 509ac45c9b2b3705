"""One exception hierarchy; the CLI turns these into one-line messages."""

__all__ = ["AikgError", "StoreError", "StoreBusy", "NotFound", "Ambiguous", "QueryError", "InputError", "OntologyError"]


class AikgError(Exception):
    """Base of every error aikg reports to a user."""


class StoreError(AikgError):
    """The store cannot be opened, read or written."""


class StoreBusy(StoreError):
    """Another process holds the store's write lock."""


class NotFound(AikgError):
    """A name resolves to nothing; ``candidates`` lists close labels."""

    def __init__(self, message: str, candidates: list[str] | None = None):
        super().__init__(message)
        self.candidates = candidates or []


class Ambiguous(NotFound):
    """A name resolves to several entities."""


class QueryError(AikgError):
    """A SPARQL query is malformed or refused."""


class InputError(AikgError):
    """A file or value given by the user cannot be used."""


class OntologyError(InputError):
    """The ontology (``aikg.ttl``) cannot be read into the model code relies on."""
