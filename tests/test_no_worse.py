"""Ingesting news never makes a right answer wrong (issue 12 item 6).

The curated reference graph answers these questions; the documents below, written for this test,
carry the wordings that used to flip such answers: a ban only considered, a ban denied, a ban
elsewhere or on something else, an old ban lifted, a company's own product names, a market
report. After ingesting them every answer keeps its verdict.
"""
import pytest

from aikg.ingest.ingestor import ingest
from aikg.reach.answers import answer
from aikg.reach.projection import load_projection
from aikg.store.embedded import open_store

QUESTIONS = [
    ("Chinese enterprise customers", "GPT-4o", "2024-08-01"),
    ("Chinese enterprise customers", "H800", "2023-10-30"),
    ("Chinese enterprise customers", "H800", "2023-10-20"),
    ("Hong Kong customers", "A100", "2022-09-15"),
    ("US users", "GPT-3.5", "2024-06-01"),
    ("US users", "Gemini 1.5 Pro", "2025-06-01"),
    ("Italian users", "ChatGPT", "2023-04-15"),
    ("Italian users", "ChatGPT", "2023-06-01"),
    ("Hong Kong customers", "TWINSCAN NXT:2000i", "2024-01-01"),
    ("US customers", "Claude Opus 4", "2025-09-01"),
]

DOCUMENTS = {
    "considered.txt": "Lawmakers in Japan are weighing a ban on GPT-4o, a committee member said on Monday. "
                      "No decision has been made, and OpenAI may keep offering ChatGPT there.",
    "denied.md": "---\ntitle: Denial\npublished: 2024-07-02\n---\n\nOpenAI said it did not block GPT-4o in India "
                 "and has not restricted Azure OpenAI Service for customers in Hong Kong.",
    "elsewhere.txt": "Brazil banned the DeepSeek app on government phones in February 2025. "
                     "The ban does not cover ChatGPT or Gemini, officials added.",
    "lifted.txt": "Italy lifted its temporary block on ChatGPT on April 28, 2023, after OpenAI added age checks "
                  "and a form for users in the European Union to object to the use of their data.",
    "products.html": "<html><head><title>Launch week</title></head><body><p>Google's Gemini 1.5 Pro is available "
                     "through the Gemini API. OpenAI's GPT-4o powers ChatGPT, and Microsoft offers GPT-4o through "
                     "Azure OpenAI Service.</p><p>Nvidia's H800 was designed for buyers in China.</p></body></html>",
    "market.txt": "Chinese cloud providers bought fewer Nvidia chips in 2024, a market researcher estimated, "
                  "while ASML said demand for its TWINSCAN scanners in Asia stayed strong.",
}


def verdicts(path) -> dict:
    with open_store(str(path)) as store:
        proj = load_projection(store)
        return {q: answer(proj, *q).to_json()["verdict"] for q in QUESTIONS}


@pytest.fixture
def documents(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_ingesting_news_keeps_every_curated_answer(store_path, documents):
    before = verdicts(store_path)
    with open_store(str(store_path), write=True) as store:
        results, _ = ingest(store, [documents])
    assert all(r.status in ("added", "updated") for r in results), [(r.path, r.error) for r in results]
    assert sum(len(r.facts) for r in results) > 0  # the documents did say something
    after = verdicts(store_path)
    changed = {q: (before[q], after[q]) for q in QUESTIONS if before[q] != after[q]}
    assert changed == {}


def test_a_document_that_contradicts_a_curated_hop_marks_it_disputed_with_both_sources(store_path, tmp_path):
    doc = tmp_path / "denial.md"
    doc.write_text("---\ntitle: A denial\npublished: 2024-07-02\n---\n\n"
                   "GPT-4o is not available through Azure OpenAI Service, a spokesperson claimed.\n", encoding="utf-8")
    with open_store(str(store_path), write=True) as store:
        ingest(store, [doc])
        ans = answer(load_projection(store), "Chinese enterprise customers", "GPT-4o", "2024-08-01", k=10).to_json()
    hops = [s for r in ans["routes"] for s in r["steps"]
            if (s["from"]["label"], s["to"]["label"]) == ("Azure OpenAI Service", "GPT-4o")]
    assert hops, "the contradicted route is still shown, not silently dropped"
    assert all(h["disputed"] and not h["confirmed"] for h in hops)
    sources = hops[0]["sources"]
    assert any(s.get("negated") and s["document"] == "A denial" for s in sources)  # the document that denies it
    assert any(not s.get("negated") for s in sources)  # and the curated source that states it
    # a dispute is doubt, not a block: the answer says unconfirmed, never blocked
    assert ans["verdict"] in ("reachable", "unconfirmed")
