"""Name resolution on the reference graph: labels, aliases, spacing, and helpful misses."""
import pytest

from aikg.errors import Ambiguous, NotFound
from aikg.names.resolve import candidates, name_index, resolve
from aikg.namespace import ENT


@pytest.fixture(scope="module")
def index(reference_store_path):
    from aikg.store.embedded import EmbeddedStore

    with EmbeddedStore(reference_store_path) as s:
        yield s, name_index(s)


@pytest.mark.parametrize("name,local", [
    ("GPT-4o", "gpt-4o"),
    ("gpt 4o", "gpt-4o"),
    ("gpt4o", "gpt-4o"),            # spaces and punctuation ignored together
    ("  the Azure OpenAI-Service ", "azure-openai-service"),
    ("Azure in China", "azure-china"),  # an alias
])
def test_names_resolve(index, name, local):
    store, idx = index
    assert resolve(store, name, index=idx) == ENT[local]


def test_a_miss_suggests_main_labels_once_per_entity(index):
    store, idx = index
    with pytest.raises(NotFound) as err:
        resolve(store, "gpt4x", index=idx)
    close = err.value.candidates
    assert "GPT-4o" in close and "gpt-4o" not in close
    assert len(close) == len(set(close))
    assert "did you mean" in str(err.value) and "\n" not in str(err.value)


def test_candidates_are_empty_for_nonsense(index):
    _, idx = index
    assert candidates(idx, "qqqqzzzz") == []


def test_ambiguous_error_is_one_line(index):
    store, idx = index
    fake = dict(idx)
    fake["twin"] = [(ENT["a"], False, "Twin"), (ENT["b"], False, "Twin")]
    with pytest.raises(Ambiguous, match="ambiguous"):
        resolve(store, "twin", index=fake)


def test_probes_without_suggestions_skip_the_spacing_scan(index):
    """The actor parser probes many prefixes with suggest=False; only typed names get the full scan."""
    from aikg.names.resolve import match

    _, idx = index
    with pytest.raises(NotFound) as err:
        match(idx, "gpt4o", str, suggest=False)
    assert err.value.candidates == []
    assert match(idx, "gpt4o", str) == ENT["gpt-4o"]
