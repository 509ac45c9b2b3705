"""A store folder never runs code: hostile files in its caches are ignored and the caches rebuilt."""
import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from aikg.facts import factlog
from aikg.reach.projection import CACHE_VERSION, load_projection
from aikg.store import safecache
from aikg.store.embedded import open_store

from reach_fixtures import make_store


class Trap:
    """Unpickling this creates ``marker``: proof that code from the store folder ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def hostile_pickle(marker) -> bytes:
    return pickle.dumps(Trap(marker))


def npz_with_objects(marker, names) -> bytes:
    """A zip of .npy arrays, each an object array holding the trap (np.save pickles objects)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in names:
            one = io.BytesIO()
            np.save(one, np.array([Trap(marker)], dtype=object), allow_pickle=True)
            z.writestr(name + ".npy", one.getvalue())
    return buf.getvalue()


@pytest.fixture
def store(tmp_path):
    path = make_store(tmp_path / "store")
    with open_store(str(path)) as s:
        expected = load_projection(s).graph.number_of_edges()  # writes both caches
    return path, expected


def answer(path) -> tuple:
    with open_store(str(path)) as s:
        return load_projection(s).graph.number_of_edges(), s.revision()


def assert_rebuilt(path, marker, expected):
    edges, revision = answer(path)
    assert not Path(marker).exists()
    assert edges == expected
    cache = path / "cache"
    manifest = json.loads((cache / "projection.json").read_text())
    assert manifest["revision"] == revision and manifest["format"] == CACHE_VERSION
    safecache.load(cache / manifest["data"], cache)  # the rebuilt file reads back cleanly
    assert not list(path.rglob("*.pickle"))


def data_file(path) -> Path:
    cache = path / "cache"
    return cache / json.loads((cache / "projection.json").read_text())["data"]


def facts_files(path) -> list:
    return [f[4] for f in factlog._files(path / "cache" / factlog.LOG)]


@pytest.mark.parametrize("plant", ["pickle", "objects"])
def test_hostile_projection_data_does_not_run(store, tmp_path, plant):
    path, expected = store
    marker = tmp_path / "ran"
    target = data_file(path)
    target.write_bytes(hostile_pickle(marker) if plant == "pickle" else
                       npz_with_objects(marker, ["src", "dst", "state", "rel", "flags"]))
    assert_rebuilt(path, marker, expected)


def test_a_manifest_pointing_outside_the_folder_is_not_followed(store, tmp_path):
    path, expected = store
    marker = tmp_path / "ran"
    outside = tmp_path / "evil.npz"
    outside.write_bytes(npz_with_objects(marker, ["state"]))
    cache = path / "cache"
    manifest = json.loads((cache / "projection.json").read_text())
    for data in ("../../evil.npz", str(outside)):
        (cache / "projection.json").write_text(json.dumps({**manifest, "data": data}))
        assert_rebuilt(path, marker, expected)
    # a name of the right shape, but a link out of the folder
    link = data_file(path)
    link.unlink()
    link.symlink_to(outside)
    assert_rebuilt(path, marker, expected)


def test_a_legacy_projection_pickle_is_never_loaded(store, tmp_path):
    path, expected = store
    marker = tmp_path / "ran"
    for name in ("projection-v4.pickle", "projection.pickle"):
        (path / "cache" / name).write_bytes(hostile_pickle(marker))
    (path / "cache" / "projection.json").unlink()
    assert_rebuilt(path, marker, expected)


@pytest.mark.parametrize("plant", ["pickle", "objects"])
def test_hostile_facts_log_files_do_not_run(store, tmp_path, plant):
    path, expected = store
    marker = tmp_path / "ran"
    (path / "cache" / "projection.json").unlink()  # so the build reads the facts log
    for f in facts_files(path):
        f.write_bytes(hostile_pickle(marker) if plant == "pickle" else
                      npz_with_objects(marker, ["terms", "terms_end", "names", "names_end", "present", "tri"]))
    assert_rebuilt(path, marker, expected)
    assert facts_files(path)  # rebuilt as a new base


def test_a_legacy_facts_log_of_pickles_is_removed_unread(store, tmp_path):
    path, expected = store
    marker = tmp_path / "ran"
    old = path / "cache" / "facts-v1"
    old.mkdir()
    (old / "00000001.none.abc.base.pickle").write_bytes(hostile_pickle(marker))
    for f in facts_files(path):
        f.unlink()
    (path / "cache" / "projection.json").unlink()
    assert_rebuilt(path, marker, expected)
    assert not old.exists()


def test_the_traps_do_run_when_unpickled(tmp_path):
    """The planted files are real attacks: loading them the old way runs them."""
    marker = tmp_path / "ran"
    pickle.loads(hostile_pickle(marker))
    assert marker.exists()


def test_cache_versions_follow_the_format():
    assert safecache.version("a", ("b",)) != safecache.version("a", ("c",))
    assert len(CACHE_VERSION) == 12 and factlog.LOG.startswith("facts-")


_KILLED_WRITER = """
import os, sys, time
from pathlib import Path
from aikg.store import safecache
os.replace = lambda *a: (print("ready", flush=True), time.sleep(120))  # stop between the write and the rename
safecache.write_bytes(Path(sys.argv[1]), b"x" * 4096)
"""


def test_a_killed_cache_write_leaves_no_temporary_file_behind(store):
    import signal
    import subprocess
    import sys

    path, expected = store
    cache = path / "cache"
    child = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(cache / "projection.json")],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    child.send_signal(signal.SIGKILL)
    child.wait()
    left = list(cache.glob(".*.tmp"))
    assert len(left) == 1  # what kill -9 leaves
    live = cache / f".projection.json-{os.getpid()}-inuse.tmp"  # a write in progress in a live process
    live.write_bytes(b"")
    with open_store(str(path), write=True) as s:
        s.update("INSERT DATA { GRAPH <urn:test:more> { <urn:a> <urn:b> <urn:c> } }")
    assert answer(path)[0] == expected  # the caches are written again
    assert list(cache.glob(".*.tmp")) == [live]
