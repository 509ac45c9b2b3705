"""Reading .txt, .md and .html documents, and what bad files become."""
from datetime import date

import pytest

from aikg.ingest.reader import ReadError, decode, iter_paths, read_document

HTML = """<!DOCTYPE html><html><head><title>Chip rules tighten | The Ledger</title>
<meta property="og:url" content="https://example.org/chip-rules">
<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2022-10-08T09:00:00Z"}</script>
<script>var tracker = "Nvidia is acquired by nobody"; function x(){}</script>
</head><body><nav><a href="/">Home</a> <a href="/subscribe">Subscribe</a></nav>
<div class="cookie">We use cookies to improve your experience. Accept all cookies.</div>
<article><h1>Chip rules tighten</h1>
<p>The Commerce Department said on Friday that sales of advanced accelerators to China now need a licence.</p>
<p>Nvidia, which designs the accelerators, said it would comply with the new rules and expects little impact.</p>
<p>Analysts expect other governments to follow with similar measures in the coming months.</p>
</article><footer>Copyright 2022 The Ledger. All rights reserved.</footer>
<script>document.write("footer script text");</script></body></html>"""


def test_txt_title_and_date_line(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("Cloud firm expands\nPublished: 2023-02-01\n\nThe body starts here. It has two sentences.\n")
    doc = read_document(p)
    assert doc.title == "Cloud firm expands"
    assert doc.published == date(2023, 2, 1)
    assert doc.text.startswith("The body starts here.")
    assert len(doc.content_hash) == 64


def test_txt_dated_byline_and_no_date(tmp_path):
    p = tmp_path / "b.txt"
    p.write_text("Headline here\n14 May 2023 | Wire desk\n\nText of the story.\n")
    assert read_document(p).published == date(2023, 5, 14)
    q = tmp_path / "c.txt"
    q.write_text("Headline only\n\nText with no date at all.\n")
    assert read_document(q).published is None


def test_markdown_front_matter(tmp_path):
    p = tmp_path / "a.md"
    p.write_text('---\ntitle: "A model ships"\npublished: 2024-01-09\nurl: https://example.org/x\n'
                 'source: wire\n---\n\n# Heading\n\nA [linked](http://x) **bold** sentence.\n')
    doc = read_document(p)
    assert (doc.title, doc.published, doc.url, doc.source) == ("A model ships", date(2024, 1, 9),
                                                               "https://example.org/x", "wire")
    assert "linked bold sentence" in doc.text and "http://x" not in doc.text


def test_html_boilerplate_and_scripts_stripped(tmp_path):
    p = tmp_path / "a.html"
    p.write_text(HTML)
    doc = read_document(p)
    assert doc.title == "Chip rules tighten"
    assert doc.published == date(2022, 10, 8)
    assert doc.url == "https://example.org/chip-rules"
    assert "Commerce Department" in doc.text
    for junk in ("tracker", "footer script", "cookies", "Subscribe"):
        assert junk not in doc.text


def test_html_date_from_time_element_and_meta(tmp_path):
    p = tmp_path / "t.html"
    p.write_text('<html><body><article><h1>T</h1><time datetime="2021-04-02">2 April</time>'
                 '<p>' + "A sentence about a chip maker and its new factory. " * 5 + '</p></article></body></html>')
    assert read_document(p).published == date(2021, 4, 2)
    m = tmp_path / "m.html"
    m.write_text('<html><head><meta property="article:published_time" content="2020-12-24T10:00:00Z"></head>'
                 '<body><article><p>' + "Some text about clouds and chips in Europe. " * 5
                 + '</p></article></body></html>')
    assert read_document(m).published == date(2020, 12, 24)


def test_html_made_of_scripts_only_fails_clearly(tmp_path):
    p = tmp_path / "s.html"
    p.write_text("<html><head><script>" + "var a = 1;" * 1000
                 + "</script></head><body><script>x()</script></body></html>")
    with pytest.raises(ReadError, match="no text"):
        read_document(p)


def test_empty_and_whitespace_files(tmp_path):
    for name, data in (("e.txt", b""), ("w.txt", b" \n\t\n")):
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(ReadError, match="empty"):
            read_document(p)


def test_binary_file(tmp_path):
    p = tmp_path / "b.txt"
    p.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ReadError, match="binary"):
        read_document(p)


def test_invalid_utf8_is_replaced_not_fatal(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes("Title\n\nThe caf\u00e9 opened. ".encode() + b"\xff\xfe bad bytes \xc3 here. " + b"More text. " * 20)
    doc = read_document(p)
    assert "caf\u00e9" in doc.text and "\ufffd" in doc.text


def test_latin1_file_is_decoded():
    text = "Les r\u00e9gulateurs fran\u00e7ais ont annonc\u00e9 une d\u00e9cision tr\u00e8s attendue. " * 10
    assert "r\u00e9gulateurs" in decode(text.encode("latin-1"))


def test_twenty_megabytes_is_refused_quickly(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as fh:
        fh.write(b"A sentence about chips and clouds. " * (20 * 1024 * 1024 // 35 + 1))
    with pytest.raises(ReadError, match="too large"):
        read_document(p)


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match="not found"):
        read_document(tmp_path / "gone.txt")


def test_folders_recursively_sorted_and_other_extensions_skipped(tmp_path):
    (tmp_path / "sub").mkdir()
    for i in range(1500):
        (tmp_path / "sub" / f"{i:04d}.txt").write_text("x")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text("x")
    found, skipped = iter_paths([tmp_path])
    assert len(found) == 1500 and found == sorted(found)
    assert [p.name for p in skipped] == ["notes.pdf"]
