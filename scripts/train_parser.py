#!/usr/bin/env python3
"""Rebuild the shipped English tagger, lemmatizer and dependency parser from UD English EWT.

    python scripts/train_parser.py TREEBANK [--steps 6000] [--work DIR] [--stand-ins] [--install]

TREEBANK is a checkout (or a bare git folder) of Universal Dependencies English EWT
(CC BY-SA 4.0; github UniversalDependencies/UD_English-EWT). Its train file may be absent from
a snapshot: the train split is then joined from ``not-to-release/sources`` in the order of
``not-to-release/file-lists/files.train``. The pipeline is spaCy's CNN tok2vec (no vectors)
with ``tagger`` (Penn tags), ``trainable_lemmatizer`` and ``parser``; it prints UAS/LAS and
tag/lemma accuracy on the EWT test split and, with ``--install``, copies the best model
into ``graph/data/parser`` (the package's data).
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "graph" / "data" / "parser"
PIPELINE = "tagger,trainable_lemmatizer,parser"


def _read(treebank: Path, rel: str) -> str | None:
    """A file of the treebank from a work tree or, failing that, from its git HEAD."""
    if (treebank / rel).is_file():
        return (treebank / rel).read_text(encoding="utf-8")
    git = subprocess.run(["git", "--git-dir", str(_git_dir(treebank)), "show", f"HEAD:{rel}"],
                         capture_output=True, text=True)
    return git.stdout if git.returncode == 0 else None


def _git_dir(treebank: Path) -> Path:
    return treebank / ".git" if (treebank / ".git").exists() else treebank


def split(treebank: Path, name: str) -> str:
    """The .conllu text of a split: the released file, or its documents joined in list order."""
    text = _read(treebank, f"en_ewt-ud-{name}.conllu")
    if text:
        return text
    listing = _read(treebank, f"not-to-release/file-lists/files.{name}")
    if not listing:
        sys.exit(f"error: {treebank} has neither en_ewt-ud-{name}.conllu nor its file list")
    parts = []
    for rel in listing.split():
        doc = _read(treebank, f"not-to-release/sources/{rel}")
        if doc is None:
            sys.exit(f"error: {rel} is listed for {name} but missing from the treebank")
        parts.append(doc.strip() + "\n\n")
    return "".join(parts)


def with_stand_ins(conllu: str, seed: int = 0) -> str:
    """The treebank plus a copy of each sentence naming someone, every name (a run of proper nouns
    hanging together) made one stand-in word of the kind ingestion parses ("Google", "Firefox",
    "Pentium", "France"): the parser then reads those words in every role a name can take."""
    import random

    from aikg.ingest.relations import STAND_INS

    words = [w for _, ws in STAND_INS for w in ws]
    rng = random.Random(seed)
    out = [conllu.rstrip() + "\n\n"]
    for block in conllu.strip().split("\n\n"):
        lines = block.split("\n")
        rows = [ln.split("\t") for ln in lines if ln and not ln.startswith("#")]
        if not rows or any(not r[0].isdigit() for r in rows):
            continue  # multiword tokens or empty nodes: left as they are
        copy = _collapse_names(rows, words, rng)
        if copy is not None:
            text = "".join(r[1] + ("" if "SpaceAfter=No" in r[9] else " ") for r in copy).strip()
            out.append(f"# text = {text}\n" + "\n".join("\t".join(r) for r in copy) + "\n\n")
    return "".join(out)


def _collapse_names(rows, words, rng):
    """The sentence with each name made one token (None when it names no one)."""
    n = len(rows)
    head = [int(r[6]) for r in rows]
    spans, i = [], 0
    while i < n:
        if rows[i][3] != "PROPN":
            i += 1
            continue
        j = i + 1
        while j < n and (rows[j][3] == "PROPN" or rows[j][4] == "HYPH" and j + 1 < n and rows[j + 1][3] == "PROPN"):
            j += 1
        inside = set(range(i + 1, j + 1))  # 1-based ids
        outer = [k for k in range(i, j) if head[k] not in inside]
        if len(outer) == 1 and not any(head[k] - 1 in range(i, j) for k in range(n) if k not in range(i, j)
                                       and head[k] - 1 != outer[0]):
            spans.append((i, j, outer[0]))
        i = j
    if not spans:
        return None
    keep, new_id = [], {}
    for i, row in enumerate(rows):
        span = next((s for s in spans if s[0] <= i < s[1]), None)
        if span is None or i == span[2]:
            new_id[i + 1] = len(keep) + 1
            keep.append(i)
        else:
            new_id[i + 1] = None
    for i, j, h in spans:
        for k in range(i, j):
            new_id[k + 1] = new_id[h + 1]
    out = []
    for i in keep:
        r = list(rows[i])
        span = next((s for s in spans if s[2] == i), None)
        if span is not None:
            word = rng.choice(words)
            last = rows[span[1] - 1]
            r[1], r[2], r[3], r[4], r[5] = word, word, "PROPN", "NNP", "Number=Sing"
            r[9] = "SpaceAfter=No" if "SpaceAfter=No" in last[9] else "_"
        r[0] = str(new_id[i + 1])
        r[6] = "0" if head[i] == 0 else str(new_id[head[i]])
        r[8] = "_"
        out.append(r)
    return out


def spacy_cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "spacy", *args], check=True)


def train(config: Path, work: Path, corpus: Path, steps: int) -> None:
    spacy_cli("init", "config", str(config), "--lang", "en", "--pipeline", PIPELINE,
              "--optimize", "efficiency", "--force")
    spacy_cli("train", str(config), "--output", str(work / "out"),
              "--paths.train", str(corpus / "train.spacy"), "--paths.dev", str(corpus / "dev.spacy"),
              f"--training.max_steps={steps}", "--training.eval_frequency=500",
              "--training.patience=0", "--nlp.batch_size=256")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("treebank", type=Path)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--work", type=Path, help="folder kept for the corpora and checkpoints")
    ap.add_argument("--install", action="store_true", help="copy the trained model into graph/data/parser")
    ap.add_argument("--no-train", action="store_true", help="evaluate (and install) the model already in --work")
    ap.add_argument("--stand-ins", action="store_true",
                    help="add a copy of each training sentence with its names made ingestion's stand-in words")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="aikg-parser-"))
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name in ("train", "dev", "test"):
        conllu = corpus / f"{name}.conllu"
        if not conllu.exists():
            text = split(args.treebank, name)
            conllu.write_text(with_stand_ins(text) if args.stand_ins and name == "train" else text, encoding="utf-8")
        if not (corpus / f"{name}.spacy").exists():
            spacy_cli("convert", str(conllu), str(corpus), "--converter", "conllu", "-n", "10")
    config = work / "config.cfg"
    if not args.no_train:
        train(config, work, corpus, args.steps)
    best = work / "out" / "model-best"
    scores = work / "test-scores.json"
    spacy_cli("evaluate", str(best), str(corpus / "test.spacy"), "--output", str(scores))
    result = json.loads(scores.read_text())
    print(f"EWT test: UAS {100 * result['dep_uas']:.1f}  LAS {100 * result['dep_las']:.1f}  "
          f"tag {100 * result['tag_acc']:.1f}  lemma {100 * result['lemma_acc']:.1f}  "
          f"({result['speed']:.0f} words/s)")
    if args.install:
        if TARGET.exists():
            shutil.rmtree(TARGET)
        shutil.copytree(best, TARGET)
        meta = json.loads((TARGET / "meta.json").read_text())
        meta.update(name="aikg_ewt", version="1.0.0", license="CC BY-SA 4.0",
                    sources=[{"name": "Universal Dependencies English Web Treebank (EWT)",
                              "url": "https://github.com/UniversalDependencies/UD_English-EWT",
                              "license": "CC BY-SA 4.0"}],
                    test_scores={k: result[k] for k in ("dep_uas", "dep_las", "tag_acc", "lemma_acc")},
                    description="spaCy tagger, lemmatizer and parser for aikg, trained on UD English EWT"
                                + (" plus a copy of each named sentence with its names made aikg's stand-in words"
                                   if args.stand_ins else ""))
        (TARGET / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        print(f"installed into {TARGET}")


if __name__ == "__main__":
    main()
