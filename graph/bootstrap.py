"""Creating and initialising stores."""
from pathlib import Path

from .errors import StoreError
from .store import MARKER, Store, builtin_location, check_location, open_store

__all__ = ["init_store", "ensure_store"]


def init_store(location: str, *, empty: bool = False) -> dict:
    """(Re)write the ontology and reference graphs in one transaction; other graphs stay."""
    from .reference import initial_graphs  # rdflib parsing: only when a store is (re)initialised

    graphs = initial_graphs(empty=empty)  # parse first: a broken file changes nothing
    with open_store(location, write=True, create=True) as store:
        store.replace_graphs(graphs)
        return {"location": store.location, "graphs": {str(k): len(v or ()) for k, v in graphs.items()},
                "triples": store.count()}


def ensure_store(location: str, *, write: bool = False, on_wait=None) -> Store:
    """Open a store. The default folder is created with the reference data on first use; any other missing
    store is an error saying how to create it (a mistyped ``--store`` must not become a new empty store)."""
    check_location(location)
    if not location.startswith(("http://", "https://")):
        path = Path(location)
        if not (path / MARKER).exists() and (not path.exists() or not any(path.iterdir())):
            if path.absolute() != builtin_location().absolute():
                raise StoreError(f"no aikg store at {path}; create it with: aikg --store {path} init")
            init_store(location)
    return open_store(location, write=write, on_wait=on_wait)
