"""How often fuzzy name matching merges an invented name into a known entity.

Every name generated here is new (random syllables with company or product
endings, checked not to be a known name), so each fuzzy link is a wrong
merge. Real typos of known names are the other side: they should still link.

    python scripts/fuzzy_merge_rate.py            # 4,000 invented names, the reference gazetteer
"""
import argparse
import random
import tempfile
from pathlib import Path


def invented(gaz, n: int, seed: int = 5) -> list[str]:
    """New names, none of them a known name: half wholly new (syllables and a company ending), half a
    known versioned name with another number ("Qwen 3" -> "Qwen 7"), which names another product.
    (A one-letter change of a long name is a typo, not a new name, so it is not in the set.)"""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ra", "ve", "to", "zen", "qu", "dar", "nex", "ori", "sol", "vi", "tek", "lum"]
    endings = ["Labs", "AI", "Systems", "Robotics", "Cloud", "Technologies", "Inc", "Corp", "", ""]
    versioned = [" ".join(k) for k in gaz.names if len(" ".join(k)) >= 5 and any(c.isdigit() for c in "".join(k))]
    names: set[str] = set()
    while len(names) < n:
        if rng.random() < 0.5:
            base = rng.choice(versioned)
            pos = rng.choice([i for i, c in enumerate(base) if c.isdigit()])
            name = base[:pos] + str((int(base[pos]) + rng.randrange(1, 9)) % 10) + base[pos + 1:]
        else:
            name = "".join(rng.choice(syllables) for _ in range(rng.randrange(2, 4))).capitalize()
            name = (name + " " + rng.choice(endings)).strip()
        if gaz.lookup(name) is None:
            names.add(name)
    return sorted(names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=4000)
    args = ap.parse_args()
    from aikg.facts.bootstrap import init_store
    from aikg.ingest.gazetteer import Gazetteer
    from aikg.store.embedded import EmbeddedStore

    path = Path(tempfile.mkdtemp()) / "store"
    init_store(str(path))
    with EmbeddedStore(path) as store:
        gaz = Gazetteer.from_store(store)
    names = invented(gaz, args.n)
    merged = [(name, gaz.fuzzy(name)) for name in names]
    merged = [(name, e) for name, e in merged if e is not None]
    print(f"invented names: {len(names)}; fuzzily linked to a known entity: {len(merged)} "
          f"({100 * len(merged) / len(names):.2f}%)")
    for name, e in merged[:15]:
        print(f"  {name!r} -> {e.label!r}")
    typos = ["Antropic", "Microsfot", "Alibaba Cluod", "Hugging Fcae", "Mistrall AI", "Deepseek AI"]
    found = {t: (gaz.fuzzy(t).label if gaz.fuzzy(t) else None) for t in typos}
    print("real typos:", found)


if __name__ == "__main__":
    main()
