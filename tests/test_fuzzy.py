"""Fuzzy name matching needs evidence: invented names stay new, typos of known names still link (issue 11, item 9)."""
import pytest

from aikg.ingest.gazetteer import Gazetteer
from aikg.store.embedded import EmbeddedStore

from scripts_module import load_script


@pytest.fixture(scope="module")
def gaz(reference_store_path):
    with EmbeddedStore(reference_store_path) as store:
        return Gazetteer.from_store(store)


def _merge_rate_script():
    """scripts/fuzzy_merge_rate.py, which reports the same measure on a larger set of names."""
    return load_script("fuzzy_merge_rate")


def test_invented_names_are_rarely_merged(gaz):
    names = _merge_rate_script().invented(gaz, 1000, seed=3)
    merged = [(n, gaz.fuzzy(n).label) for n in names if gaz.fuzzy(n) is not None]
    assert len(merged) / len(names) < 0.01, merged[:10]


@pytest.mark.parametrize("typo, label", [("Antropic", "Anthropic"), ("Alibaba Cluod", "Alibaba Cloud"),
                                         ("Mistrall AI", "Mistral AI")])
def test_typos_of_known_names_still_link(gaz, typo, label):
    assert gaz.fuzzy(typo).label == label


def test_another_version_number_is_another_name(gaz):
    assert gaz.fuzzy("Llama 7") is None and gaz.fuzzy("24Vianet") is None


def test_a_type_that_does_not_fit_is_no_match(gaz):
    assert gaz.fuzzy("Antropic", "Organization").label == "Anthropic"
    assert gaz.fuzzy("Antropic", "AIModel") is None
