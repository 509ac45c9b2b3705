"""Print a seeded random sample of curated reference facts, each with its own sources, for a person to check.

    python scripts/audit_reference.py -n 40 --seed 2026
"""
import argparse
import random

from rdflib.namespace import RDFS

from aikg.facts.reference import fact_sources, load_reference
from aikg.namespace import AIKG


def _name(graph, term) -> str:
    label = graph.value(term, RDFS.label)
    return str(label) if label is not None else str(term).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40, help="facts to draw")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    graph, own = load_reference(), fact_sources()
    facts = sorted(own, key=lambda f: tuple(map(str, f)))
    for i, (s, p, o) in enumerate(random.Random(args.seed).sample(facts, min(args.n, len(facts))), 1):
        print(f"{i:3}. {_name(graph, s)} | {_name(graph, p)} | {_name(graph, o)}")
        for src in sorted(own[(s, p, o)]):
            read = graph.value(src, AIKG.retrieved)
            print(f"       source: {_name(graph, src)} <{src}>" + (f" (read {read})" if read else ""))


if __name__ == "__main__":
    main()
