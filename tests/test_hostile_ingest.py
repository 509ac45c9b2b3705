"""Hostile documents and interrupted writes (issue 11, items 4, 6 and 10)."""
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from aikg.cli import main
from aikg.ingest.reader import ReadError, read_document

BOMB = """---
a: &a ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
---
Nimbus Labs developed the Corvid-3 model.
"""
GOOD = "Nimbus Labs developed the Corvid-3 model, the startup said on Monday.\n"


def ingest(store, *paths):
    return CliRunner().invoke(main, ["--store", str(store), "ingest", *map(str, paths)], catch_exceptions=False)


def test_yaml_alias_bomb_is_refused_and_the_rest_ingests(empty_store_path, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bomb.md").write_text(BOMB)
    (docs / "good.txt").write_text(GOOD)
    result = ingest(empty_store_path, docs)
    lines = result.output.splitlines()
    assert any(line.startswith("failed") and "bomb.md" in line and "anchors or aliases" in line for line in lines)
    assert any(line.startswith("added") and "good.txt" in line for line in lines)
    assert result.exit_code == 1  # one document failed


def test_large_front_matter_is_refused(tmp_path):
    doc = tmp_path / "big.md"
    doc.write_text("---\n" + "".join(f"k{i}: {'v' * 60}\n" for i in range(400)) + "---\nText.\n")
    with pytest.raises(ReadError, match="front matter larger than"):
        read_document(doc)


def test_ordinary_front_matter_still_reads(tmp_path):
    doc = tmp_path / "ok.md"
    doc.write_text("---\ntitle: A plain title\npublished: 2024-03-05\n---\n" + GOOD)
    parsed = read_document(doc)
    assert parsed.title == "A plain title" and str(parsed.published) == "2024-03-05"


def test_a_fifo_named_like_a_document_is_skipped_not_waited_on(empty_store_path, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(GOOD)
    os.mkfifo(docs / "x.txt")
    (docs / "z.txt").write_text("Orchid Cloud gives its customers access to Corvid-3.\n")
    run = subprocess.run([sys.executable, "-m", "aikg", "--store", str(empty_store_path), "ingest", str(docs)],
                         capture_output=True, text=True, timeout=60)  # hung forever before
    lines = run.stdout.splitlines()
    assert any("x.txt" in line and "not a regular file" in line for line in lines)
    assert sum(line.startswith("added") for line in lines) == 2


def _default_store_env(home):
    """The environment of a user whose default store (the one created on first use) lives under ``home``."""
    env = {k: v for k, v in os.environ.items() if k != "AIKG_STORE"}
    return {**env, "XDG_DATA_HOME": str(home)}


@pytest.mark.parametrize("delay", [0.3, 0.6, 0.8, 0.95])
def test_an_interrupted_first_init_is_repaired_on_next_use(tmp_path, delay):
    env = _default_store_env(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "aikg", "init"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    answer = subprocess.run([sys.executable, "-m", "aikg", "path", "Chinese enterprise customers", "GPT-4o",
                             "--at", "2024-08-01"], env=env, capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0 and "REACHABLE" in answer.stdout, answer.stdout + answer.stderr
    assert [p.name for p in (tmp_path / "aikg").iterdir()] == ["store"]  # no scratch folder left behind


def test_a_killed_init_leaves_only_scratch_that_the_next_use_removes(tmp_path):
    scratch = tmp_path / "aikg" / ".store.init-999999"  # no such process: what a kill -9 mid-init leaves
    scratch.mkdir(parents=True)
    (scratch / "aikg-store.json").write_text("{")
    (scratch / "000001.sst").write_bytes(b"\x00" * 100)
    env = _default_store_env(tmp_path)
    answer = subprocess.run([sys.executable, "-m", "aikg", "path", "Chinese enterprise customers", "GPT-4o",
                             "--at", "2024-08-01"], env=env, capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0 and "REACHABLE" in answer.stdout, answer.stdout + answer.stderr
    assert [p.name for p in (tmp_path / "aikg").iterdir()] == ["store"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"])
def test_text_in_other_encodings_reads_right(tmp_path, encoding):
    text = "Société Générale en Zürich signed a deal with Nimbus Labs in São Paulo.\n"
    doc = tmp_path / "note.txt"
    doc.write_bytes(text.encode(encoding))
    assert read_document(doc).text.strip() == text.strip()


def test_binary_is_still_refused(tmp_path):
    blob = tmp_path / "x.txt"
    blob.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ReadError, match="binary"):
        read_document(blob)


def test_file_names_and_titles_cannot_forge_lines_or_drive_the_terminal(empty_store_path, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a\nfailed evil: forged.txt").write_text("\x1b]0;owned\x07Title \x1b[2J here\n\n" + GOOD)
    result = ingest(empty_store_path, docs)
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert [line.split()[0] for line in result.output.splitlines()] == ["added", "documents:"]
    assert "a\\nfailed evil: forged.txt" in result.output
