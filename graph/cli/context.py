"""Per-invocation state: where the store is, and opening it once."""
from dataclasses import dataclass, field

from ..store import Store, default_location
from ..bootstrap import ensure_store

__all__ = ["Context"]


@dataclass
class Context:
    location: str | None = None
    debug: bool = False
    _store: Store | None = field(default=None, repr=False)
    _writable: bool = False

    @property
    def where(self) -> str:
        return str(self.location or default_location())

    def store(self, *, write: bool = False) -> Store:
        """Open the store (creating the default one on first use) and keep it for this command."""
        if self._store is not None and (self._writable or not write):
            return self._store
        self.close()
        self._store = ensure_store(self.where, write=write)
        self._writable = write
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
