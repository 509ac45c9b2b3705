"""The README's curl examples, run with real curl against ``aikg serve`` on the reference data."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from aikg.server.endpoint import SparqlServer

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def examples() -> list[tuple[str, list[str]]]:
    """Each ``$ curl ...`` of a console block: the command (continuations joined) and the lines it shows."""
    found = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        for chunk in re.split(r"\n(?=\$ )", block.strip()):
            if not chunk.startswith("$ curl"):
                continue
            lines = chunk.splitlines()
            command = lines.pop(0)[2:]
            while command.endswith("\\"):
                command = command[:-1] + " " + lines.pop(0).strip()
            found.append((command, [line for line in lines if line.strip()]))
    return found


def shows(expected: list[str], output: list[str]) -> bool:
    """Every expected line appears in order; ``...`` stands for anything, a line ending in ``...`` for its start."""
    at = 0
    for line in expected:
        if line.strip() == "...":
            continue
        prefix = line.endswith("...")
        want = line[:-3] if prefix else line
        while at < len(output) and not (output[at].startswith(want) if prefix else output[at] == want):
            at += 1
        if at == len(output):
            return False
        at += 1
    return True


EXAMPLES = examples()


def test_the_readme_has_curl_examples():
    assert len(EXAMPLES) >= 5


@pytest.fixture(scope="module")
def server(reference_store_path):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    with SparqlServer(reference_store_path, port=0, workers=1) as srv:
        yield srv


@pytest.mark.parametrize("command,expected", EXAMPLES, ids=[str(i) for i in range(len(EXAMPLES))])
def test_curl_example_prints_what_the_readme_shows(server, command, expected):
    port = server.url.split(":")[2].split("/")[0]
    command = command.replace("127.0.0.1:7878", f"127.0.0.1:{port}")
    run = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=60)
    output = [line.rstrip("\r") for line in run.stdout.splitlines()]
    assert shows(expected, output), f"{command}\n--- printed:\n{run.stdout[:2000]}"


def test_the_python_api_example_runs_and_prints_what_the_readme_says(tmp_path):
    """The README's Python API example, run as a user would (a fresh process in an empty folder)."""
    import sys

    section = README.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", section, re.S).group(1)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == shown.splitlines()
    assert (tmp_path / "demo-store").is_dir()
