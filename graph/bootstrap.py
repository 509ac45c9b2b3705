"""Creating and initialising stores."""
from pathlib import Path

from .store import MARKER, Store, open_store

__all__ = ["init_store", "ensure_store"]


def init_store(location: str, *, empty: bool = False) -> dict:
    """(Re)write the ontology and reference graphs in one transaction; other graphs stay."""
    from .reference import initial_graphs  # rdflib parsing: only when a store is (re)initialised

    graphs = initial_graphs(empty=empty)  # parse first: a broken file changes nothing
    with open_store(location, write=True, create=True) as store:
        store.replace_graphs(graphs)
        return {"location": store.location, "graphs": {str(k): len(v or ()) for k, v in graphs.items()},
                "triples": store.count()}


def ensure_store(location: str, *, write: bool = False) -> Store:
    """Open a store; a local folder that does not exist yet is created with the reference data."""
    if not location.startswith(("http://", "https://")):
        path = Path(location)
        if not (path / MARKER).exists() and (not path.exists() or not any(path.iterdir())):
            init_store(location)
    return open_store(location, write=write)
