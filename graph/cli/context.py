"""Per-invocation state: where the store is, and opening it once.

The store modules (pyoxigraph, rdflib) are imported when a command first
needs the store, so ``aikg --help`` and usage errors stay fast.
"""
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the annotation: the store modules load when a command needs them
    from ..store.base import Store

__all__ = ["Context"]


@dataclass
class Context:
    location: str | None = None
    debug: bool = False
    _store: "Store | None" = field(default=None, repr=False)  # opened on first use
    _writable: bool = False

    @property
    def where(self) -> str:
        from ..store.embedded import default_location

        return str(self.location or default_location())

    def store(self, *, write: bool = False):
        """Open the store (creating the default one on first use) and keep it for this command."""
        from ..facts.bootstrap import ensure_store

        if self._store is not None and (self._writable or not write):
            return self._store
        self.close()
        self._store = ensure_store(self.where, write=write, on_wait=_say_waiting)
        self._writable = write
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def _say_waiting(holder: str | None) -> None:
    import click

    click.echo(f"waiting for the store (held by {holder or 'another aikg process reading it'})...", err=True)
