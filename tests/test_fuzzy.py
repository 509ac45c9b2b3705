"""Fuzzy name matching needs evidence: invented names stay new, typos of known names still link (issue 11, item 9)."""
import random

import pytest

from aikg.gazetteer import Gazetteer
from aikg.store import EmbeddedStore


@pytest.fixture(scope="module")
def gaz(reference_store_path):
    with EmbeddedStore(reference_store_path) as store:
        return Gazetteer.from_store(store)


def invented_names(gaz, n=1000, seed=3):
    rng = random.Random(seed)
    versioned = [" ".join(k) for k in gaz.names if len(" ".join(k)) >= 5 and any(c.isdigit() for c in "".join(k))]
    syllables = ["ka", "lo", "mi", "ra", "ve", "zen", "dar", "nex", "ori", "sol", "tek", "lum"]
    names = set()
    while len(names) < n:
        if rng.random() < 0.5:
            base = rng.choice(versioned)
            pos = rng.choice([i for i, c in enumerate(base) if c.isdigit()])
            name = base[:pos] + str((int(base[pos]) + rng.randrange(1, 9)) % 10) + base[pos + 1:]
        else:
            name = "".join(rng.choice(syllables) for _ in range(3)).capitalize() + rng.choice([" Labs", " AI", ""])
        if gaz.lookup(name) is None:
            names.add(name)
    return sorted(names)


def test_invented_names_are_rarely_merged(gaz):
    names = invented_names(gaz)
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
