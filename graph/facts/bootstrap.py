"""Creating and initialising stores."""
import os
import shutil
from pathlib import Path

from ..errors import StoreError
from ..store.base import Store
from ..store.embedded import MARKER, builtin_location, check_location, open_store
from ..store.safecache import pid_alive

__all__ = ["init_store", "ensure_store"]


def init_store(location: str, *, empty: bool = False) -> dict:
    """(Re)write the ontology and reference graphs in one transaction; other graphs stay.

    A new local store is built in a hidden folder beside its place and renamed
    into it when complete, so an interrupted first init leaves no half store
    for the next command to trip over (only a scratch folder, removed then).
    """
    from . import factlog  # noqa: F401  (it follows the store's writes, this one too)
    from .reference import initial_graphs  # rdflib parsing: only when a store is (re)initialised

    graphs = initial_graphs(empty=empty)  # parse first: a broken file changes nothing
    path = Path(location)
    if location.startswith(("http://", "https://")) or (path.exists() and any(path.iterdir())):
        with open_store(location, write=True, create=True) as store:
            store.replace_graphs(graphs)
            return _summary(location, graphs, store)
    scratch = path.parent / f".{path.name}.init-{os.getpid()}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_scratch(path)
        scratch.mkdir()
    except OSError as e:
        raise StoreError(f"cannot create store at {path}: {e.strerror or e}") from e
    try:
        with open_store(str(scratch), write=True, create=True) as store:
            store.replace_graphs(graphs)
            info = _summary(location, graphs, store)
        if path.exists():
            path.rmdir()  # empty: nothing of anyone's is lost
        os.rename(scratch, path)
    except OSError:
        if not (path / MARKER).exists():
            raise
        with open_store(location) as store:  # another process finished the same first init first
            info = _summary(location, graphs, store)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return info


def _summary(location: str, graphs: dict, store: Store) -> dict:
    return {"location": str(Path(location).resolve()) if not location.startswith(("http://", "https://"))
            else location, "graphs": {str(k): len(v or ()) for k, v in graphs.items()}, "triples": store.count()}


def _remove_stale_scratch(path: Path) -> None:
    """Scratch folders of first inits whose process is gone (killed mid-way)."""
    for old in path.parent.glob(f".{path.name}.init-*"):
        pid = old.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)


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
    if write:
        from . import factlog  # noqa: F401  (it follows the store's writes)
    return open_store(location, write=write, on_wait=on_wait)
