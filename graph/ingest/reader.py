"""Reading documents: text, title, publication date, URL and content hash.

``.txt`` (a short first line is the title, a ``Date:``/``Published:`` line or a
dated byline gives the date), ``.md`` (YAML front matter: title, published,
url, source) and ``.html`` (boilerplate stripped by trafilatura; the date from
JSON-LD ``datePublished``, meta tags or ``<time datetime>``). Bytes are
decoded as UTF-8 when they are UTF-8, else by charset-normalizer's guess;
undecodable bytes become U+FFFD, never an exception.
"""
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from ..dates import parse_date
from ..errors import InputError
from ..settings import env_number

__all__ = ["Document", "ReadError", "EXTENSIONS", "MAX_BYTES", "read_document", "read_bytes", "decode",
           "iter_paths", "content_hash"]

EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
# Larger files are refused, not truncated: a cut article would yield a partial, silent fact set.
MAX_BYTES = 5 * 1024 * 1024  # the default; $AIKG_MAX_DOCUMENT_BYTES overrides it (checked where it is read)


class ReadError(InputError):
    """A document cannot be read or has nothing to read."""


@dataclass(frozen=True)
class Document:
    path: str
    text: str
    content_hash: str
    title: str | None = None
    published: date | None = None
    url: str | None = None
    source: str | None = None
    format: str = "txt"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def iter_paths(paths) -> tuple[list[Path], list[Path]]:
    """Expand files and folders (recursively, sorted): (readable documents, skipped files)."""
    found: list[Path] = []
    skipped: list[Path] = []
    seen: set[Path] = set()

    def add(p: Path):
        if p in seen:
            return
        seen.add(p)
        (found if p.suffix.lower() in EXTENSIONS else skipped).append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        add(Path(root) / name)
        else:
            add(p)  # a missing file is reported when read
    return found, skipped


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xef\xbb\xbf", "utf-8"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _wide(data: bytes) -> str | None:
    """The encoding of UTF-16/32 text (by its BOM, or ASCII-range text with every other byte zero)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding if encoding != "utf-8" else None
    head = data[:4096]
    if len(head) >= 8 and len(head) % 2 == 0:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    return None


def decode(data: bytes) -> str:
    """UTF-8 when it is (BOM allowed), UTF-16/32 by BOM or shape, Windows-1252 for Western
    single-byte text, else the best guess; bad bytes replaced.

    >>> decode("Société Générale".encode("latin-1")), decode("Zürich".encode("utf-16"))
    ('Société Générale', 'Zürich')
    """
    wide = _wide(data)
    if wide:
        text = data.decode(wide, errors="replace")
        return text[1:] if text.startswith("\ufeff") else text
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    high = sum(b >= 0x80 for b in data[:200_000])
    if not _UTF8_MULTIBYTE.search(data) and high <= 0.3 * min(len(data), 200_000):
        # no UTF-8 sequence at all, high bytes a minority: Latin-1/Windows-1252 Western text
        return data.decode("cp1252", errors="replace")
    lossy = data.decode("utf-8", errors="replace")
    # UTF-8 with a few stray bytes (valid multi-byte characters, or hardly any damage): keep UTF-8,
    # the guessers misfire on such files
    if lossy.count("\ufffd") <= max(2, len(lossy) // 1000) or any("\x7f" < c < "\ufffd" for c in lossy[:100_000]):
        return lossy
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None or not best.encoding:
        return lossy
    return data.decode(best.encoding, errors="replace")


_CONTROLS = bytes(b for b in range(32) if b < 9 or 13 < b)  # control bytes other than tab, newlines, \f, \r


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROLS))
    return bool(head) and controls / len(head) > 0.1


def read_document(path: str | os.PathLike, *, max_bytes: int | None = None) -> Document:
    """Read one file; :class:`ReadError` for a missing, empty, binary or oversized one."""
    path = Path(path)
    limit = env_number("AIKG_MAX_DOCUMENT_BYTES", MAX_BYTES, kind=int, minimum=1) if max_bytes is None else max_bytes
    try:
        # O_NONBLOCK: a FIFO or device named like a document must not block the ingest (and its lock)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ReadError("not a regular file (a pipe, socket or device): not read")
            if info.st_size > limit:
                raise ReadError(f"file too large: {info.st_size / 1e6:.1f} MB (limit {limit / 1e6:.1f} MB)")
            data = fh.read(limit + 1)
    except FileNotFoundError as e:
        raise ReadError("file not found (removed before it was read?)") from e
    except IsADirectoryError as e:
        raise ReadError("is a directory") from e
    except OSError as e:
        raise ReadError(f"cannot read file: {e.strerror or e}") from e
    if len(data) > limit:
        raise ReadError(f"file too large: more than {limit / 1e6:.1f} MB (limit)")
    return read_bytes(data, str(path))


def read_bytes(data: bytes, path: str) -> Document:
    if not data.strip():
        raise ReadError("empty document")
    if not _wide(data) and _looks_binary(data):
        raise ReadError("binary file, not text")
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    digest = content_hash(data)
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm") or (suffix not in (".md", ".markdown") and _is_html(text)):
        doc = _read_html(text, path, digest)
    elif suffix in (".md", ".markdown"):
        doc = _read_markdown(text, path, digest)
    else:
        doc = _read_text(text, path, digest)
    if not doc.text.strip():
        raise ReadError("no text found in document")
    return doc


def _is_html(text: str) -> bool:
    head = text[:1000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html"))


# libyaml's parser when PyYAML has it (10x faster), with the same safe constructors
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_DATE_LINE = re.compile(r"^\s*(?:date|published|posted|updated)\s*:\s*(.+?)\s*$", re.I)
_BYLINE_DATE = re.compile(r"^\s*([A-Z0-9][\w ,.]{5,30}?\d{4})\b")


def _read_text(text: str, path: str, digest: str) -> Document:
    lines = text.split("\n")
    title = published = None
    body_start = 0
    header = [(i, ln) for i, ln in enumerate(lines[:12]) if ln.strip()]
    if header:
        i, first = header[0]
        if len(first.strip()) <= 200 and not _DATE_LINE.match(first):
            title = first.strip()
            body_start = i + 1
    for i, ln in header[:6]:
        m = _DATE_LINE.match(ln)
        if m:
            published = parse_date(m.group(1))
        elif len(ln) < 80 and i > 0:
            b = _BYLINE_DATE.match(ln)
            if b:
                published = parse_date(b.group(1))
        if published:
            body_start = max(body_start, i + 1)
            break
    body = "\n".join(lines[body_start:]).strip()
    return Document(path, body or text.strip(), digest, title, published, None, None, "txt")


MAX_FRONT_MATTER = 16 * 1024


def _front_matter(block: str) -> dict:
    """The YAML front matter as a dict; refused when large or using anchors and aliases.

    Aliases let a few hundred bytes expand to gigabytes (a "billion laughs"), and
    front matter needs neither them nor more than a few lines.

    >>> _front_matter("title: A\\ndate: 2024-05-01")
    {'title': 'A', 'date': datetime.date(2024, 5, 1)}
    """
    if len(block) > MAX_FRONT_MATTER:
        raise ReadError(f"front matter larger than {MAX_FRONT_MATTER // 1024} KB: refused")
    try:
        for token in yaml.scan(block, Loader=_YAML_LOADER):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                raise ReadError("front matter uses YAML anchors or aliases: refused")
        loaded = yaml.load(block, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _read_markdown(text: str, path: str, digest: str) -> Document:
    meta: dict = {}
    body = text
    m = re.match(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", text, re.S)
    if m:
        meta = _front_matter(m.group(1))
        body = text[m.end():]
    published = meta.get("published") or meta.get("date")
    if isinstance(published, datetime):
        published = published.date()
    elif published is not None and not isinstance(published, date):
        published = parse_date(str(published))
    title = meta.get("title")
    if not title:
        h = re.search(r"^#\s+(.+)$", body, re.M)
        title = h.group(1).strip() if h else None
    body = re.sub(r"^#{1,6}\s+", "", body, flags=re.M)  # headings become plain lines
    body = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", body)  # links keep their text
    body = re.sub(r"(\*\*|__|`)", "", body)
    url = meta.get("url")
    source = meta.get("source")
    return Document(path, body.strip(), digest, str(title).strip() if title else None, published,
                    str(url) if url else None, str(source) if source else None, "md")


_META_DATE_NAMES = ("article:published_time", "og:published_time", "datepublished", "date", "dc.date",
                    "dc.date.issued", "dcterms.created", "pubdate", "publish-date", "parsely-pub-date",
                    "sailthru.date")


def _html_metadata(tree) -> tuple[str | None, date | None, str | None]:
    title = published = url = None
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, dict):
                continue
            for obj in [item] + [g for g in item.get("@graph", []) if isinstance(g, dict)]:
                published = published or parse_date(str(obj.get("datePublished") or "")[:32])
                title = title or obj.get("headline")
                url = url or (obj.get("url") if isinstance(obj.get("url"), str) else None)
    for meta in tree.xpath("//meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        value = meta.get("content") or ""
        if not published and key in _META_DATE_NAMES:
            published = parse_date(value[:32])
        elif key == "og:title" and not title:
            title = value
        elif key == "og:url" and not url:
            url = value
    if not published:
        for t in tree.xpath("//time[@datetime]"):
            published = parse_date(t.get("datetime")[:32])
            if published:
                break
    if not url:
        canon = tree.xpath('//link[@rel="canonical"]/@href')
        url = canon[0] if canon else None
    if not title:
        h1 = tree.xpath("//h1")
        title = h1[0].text_content().strip() if h1 else None
    if not title:
        t = tree.xpath("//title")
        title = re.split(r"\s+[|–—-]\s+", t[0].text_content().strip())[0] if t else None
    return (str(title).strip() if title else None), published, url


def _read_html(text: str, path: str, digest: str) -> Document:
    import lxml.html
    import trafilatura

    try:
        tree = lxml.html.fromstring(text)
        title, published, url = _html_metadata(tree)
    except (ValueError, lxml.etree.ParserError):
        tree, title, published, url = None, None, None, None
    body = trafilatura.extract(text, include_comments=False, include_tables=False, deduplicate=False) or ""
    lines = body.split("\n")
    if lines and title and lines[0].strip() == title:
        lines = lines[1:]
    return Document(path, "\n".join(lines).strip(), digest, title, published, url, None, "html")
