#!/usr/bin/env python3
"""Benchmark ingestion on a generated corpus of news-like articles.

Generates N articles (default 1,000) from templates written for this
benchmark (.txt, .md and .html, invented companies mixed with known ones),
then measures, in one process:

  baseline   read + sentence splitting only (reader and spaCy sentencizer)
  extract    read + linking + relation extraction, no store
  ingest     the whole pipeline into a fresh store (one transaction per document)

Each line gives the wall-clock rate and the rate per core (articles per CPU
second of this process, RocksDB's threads included): on a machine shared
with other work the second is the steadier one. The goal of issue 3 is at
least 100 articles/s per core for ``ingest``.

Usage: python scripts/bench_ingest.py [--articles 1000] [--keep DIR]
"""
import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from aikg.facts.bootstrap import init_store
from aikg.ingest.extractor import Extractor
from aikg.ingest.gazetteer import Gazetteer
from aikg.ingest.ingestor import Ingestor
from aikg.ingest.linker import Linker
from aikg.ingest.reader import read_document
from aikg.ingest.tokens import nlp
from aikg.store.embedded import open_store

KNOWN_ORGS = ["OpenAI", "Microsoft", "Nvidia", "TSMC", "Oracle", "Meta", "Anthropic", "Alibaba Cloud", "ASML"]
KNOWN_MODELS = ["GPT-4o", "Llama 3", "Claude 3 Opus", "Qwen3"]
KNOWN_SERVICES = ["Azure OpenAI Service", "Amazon Bedrock", "Vertex AI", "ChatGPT"]
PLACES = ["China", "Hong Kong", "Japan", "the Netherlands", "the European Union", "Italy", "India", "Brazil"]
DEMONYMS = ["Chinese", "Japanese", "Italian", "Indian", "European", "Brazilian"]
SYLLABLES = ["vor", "tex", "qua", "lin", "mar", "zen", "kor", "pal", "sy", "dro", "nex", "ra", "tiv", "lum", "ox"]

SENTENCES = [
    "{org} unveiled {model}, a new language model, on {weekday}.",
    "{model} was developed by {org} and is now available through {service}.",
    "{service}, which is offered by {org2}, provides access to {model}.",
    "{org2} has been one of {org}'s largest customers for years.",
    "{org} said on {weekday} that it had invested $1.5 billion in {neworg}.",
    "{demonym} tech firm {neworg} signed a partnership with {org2}.",
    "{neworg}, which is headquartered in {place}, trains its models on H100 GPUs.",
    "{chip} chips are manufactured by TSMC, the company said.",
    "Regulators said {service} is banned in {place} starting {weekday}.",
    "{org} does not offer {model} in {place}, a spokesperson said.",
    "{org2} may launch {model} in {place} next year, analysts said.",
    "Shares of {org} rose 3 percent in early trading after the announcement.",
    "The company plans to hire 500 engineers over the next two years.",
    "{demonym} enterprise customers can use {model} through {service}.",
    "Analysts expect demand for accelerators to stay strong through the end of the year.",
    "{neworg} is a subsidiary of {org}, according to filings.",
]


def name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def article(i: int, rng: random.Random) -> tuple[str, str]:
    org, org2 = rng.sample(KNOWN_ORGS, 2)
    published = date(2022, 1, 1) + timedelta(days=rng.randint(0, 900))
    fill = {
        "org": org, "org2": org2, "model": rng.choice(KNOWN_MODELS + [f"{name(rng)} {rng.randint(2, 9)}"]),
        "service": rng.choice(KNOWN_SERVICES + [f"{name(rng)} Cloud"]), "place": rng.choice(PLACES),
        "demonym": rng.choice(DEMONYMS), "neworg": name(rng) + rng.choice([" Labs", " AI", "", " Technologies"]),
        "chip": rng.choice(["H100", "H200", f"{name(rng).upper()[:3]}-{rng.randint(100, 990)}"]),
        "weekday": rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]),
    }
    paragraphs = []
    for _ in range(rng.randint(4, 7)):
        paragraphs.append(" ".join(rng.choice(SENTENCES).format(**fill) for _ in range(rng.randint(2, 4))))
    title = f"{org} and {fill['neworg']} in {fill['place']}: item {i}"
    kind = i % 4
    if kind == 3:
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        html = (f"<!DOCTYPE html><html><head><title>{title} | Bench Wire</title><script type=\"application/ld+json\">"
                f"{{\"datePublished\": \"{published.isoformat()}\"}}</script><script>var t = {i};</script></head>"
                f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>{title}</h1>{body}"
                f"</article><footer>Bench Wire footer {i}</footer></body></html>")
        return f"a{i:05d}.html", html
    if kind == 2:
        return f"a{i:05d}.md", (f"---\ntitle: \"{title}\"\npublished: {published.isoformat()}\n---\n\n"
                                + "\n\n".join(paragraphs) + "\n")
    return f"a{i:05d}.txt", f"{title}\nPublished: {published.isoformat()}\n\n" + "\n\n".join(paragraphs) + "\n"


def generate(folder: Path, n: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        fname, text = article(i, rng)
        p = folder / fname
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def timed(label: str, n: int, fn) -> tuple[float, float]:
    """(articles per wall-clock second, articles per CPU second)."""
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<10} {n} articles in {elapsed:6.2f} s = {n / elapsed:7.1f} articles/s; "
          f"{used:6.2f} CPU s = {n / used:7.1f} articles/s per core")
    return n / elapsed, n / used


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="write the generated corpus here and keep it")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="aikg-bench-"))
    try:
        folder = args.keep or tmp / "corpus"
        folder.mkdir(parents=True, exist_ok=True)
        paths = generate(folder, args.articles)
        words = sum(len(p.read_text().split()) for p in paths)
        print(f"corpus: {len(paths)} articles, {words / len(paths):.0f} words each on average")
        store_path = tmp / "store"
        init_store(str(store_path))
        store = open_store(str(store_path), write=True)
        gazetteer = Gazetteer.from_store(store)
        nlp()  # load once, outside the timings
        read_document(paths[3])

        def baseline():
            for p in paths:
                doc = read_document(p)
                for d in nlp().pipe([x for x in doc.text.split("\n") if x.strip()]):
                    list(d.sents)

        def extract():
            extractor = Extractor(Linker(gazetteer))
            for p in paths:
                doc = read_document(p)
                extractor.extract(doc.text, doc.published)

        results = []

        def full():
            results.extend(Ingestor(store).ingest_files(paths))

        base, base_cpu = timed("baseline", len(paths), baseline)
        timed("extract", len(paths), extract)
        rate, rate_cpu = timed("ingest", len(paths), full)
        store.close()
        facts = sum(len(r.facts) for r in results)
        failed = sum(r.status == "failed" for r in results)
        print(f"ingest: {facts} facts, {failed} failed; {rate / base:.2f}x the baseline's rate "
              f"({rate_cpu / base_cpu:.2f}x per core)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
