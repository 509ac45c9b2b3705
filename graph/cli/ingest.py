"""``aikg ingest``, ``aikg sources`` and ``aikg forget``."""
import os
import sys

import click

from ..ingest.ingestor import Ingestor, sources as find_sources
from ..ingest.reader import iter_paths
from . import emit_json, main, shown

_PROGRESS_MIN = 20  # files before a progress bar is worth showing


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the documents and their facts as JSON.")
@click.option("--dry-run", is_flag=True, help="Extract and report, write nothing.")
@click.pass_context
def ingest(ctx, paths, as_json, dry_run):
    """Extract facts from .txt, .md and .html files or folders into the store.

    Each document becomes one named graph with its source, quotes and
    confidence; re-ingesting the same content changes nothing. Exit code 1
    when a document failed (the others are stored all the same).
    """
    obj = ctx.obj
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise click.ClickException("no such file or folder: " + ", ".join(missing))
    files, skipped = iter_paths(paths)
    ingestor = Ingestor(obj.store(write=not dry_run), dry_run=dry_run)
    results = []
    stream = ingestor.ingest_files(files)
    if sys.stderr.isatty() and len(files) >= _PROGRESS_MIN:
        with click.progressbar(stream, length=len(files), label="ingesting", file=sys.stderr) as bar:
            results = list(bar)
    else:
        results = list(stream)
    for path in skipped:
        click.echo(f"skipped {shown(path)}: not a .txt, .md or .html file", err=True)
    failed = any(r.status == "failed" for r in results)
    if as_json:
        emit_json({"documents": [r.as_json() for r in results]})
        ctx.exit(1 if failed else 0)
    counts = {s: sum(r.status == s for r in results) for s in ("added", "unchanged", "failed")}
    new = {e for r in results for e in r.new_entities}
    for r in results:
        if r.status == "failed":
            click.echo(f"failed {shown(r.path)}: {shown(r.error)}")
        elif r.status == "added":
            click.echo(f"added {shown(r.path)}: {len(r.facts)} facts" + (f" ({shown(r.title)})" if r.title else ""))
    verb = "would add" if dry_run else "added"
    click.echo(f"documents: {counts['added']} {verb}, {counts['unchanged']} unchanged, {counts['failed']} failed; "
               f"facts: {sum(len(r.facts) for r in results if r.status == 'added')}; new entities: {len(new)}"
               + (f"; skipped: {len(skipped)}" if skipped else ""))
    ctx.exit(1 if failed else 0)


@main.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def sources(obj, name, as_json):
    """Documents that state facts about NAME, most facts first."""
    info = find_sources(obj.store(), name)
    if as_json:
        emit_json(info)
        return
    click.echo(f"{info['entity']['label']}  <{info['entity']['id']}>")
    if not info["documents"]:
        click.echo("  no document or curated source states a fact about it")
    for d in info["documents"]:
        when = f" ({d['published']})" if d["published"] else ""
        when += f" (read {d['retrieved']})" if d.get("retrieved") else ""
        click.echo(f"  {d['title'] or d['id']}{when}: {d['facts']} fact{'s' if d['facts'] != 1 else ''}")
        if d["path"] or d["url"]:
            click.echo(f"    {d['url'] or d['path']}")
        if d["quote"]:
            click.echo(f'    "{d["quote"]}"')


@main.command()
@click.argument("docs", nargs=-1, required=True, metavar="DOC...")
@click.option("--json", "as_json", is_flag=True, help="Print the documents removed as JSON.")
@click.pass_obj
def forget(obj, docs, as_json):
    """Remove ingested documents (by path, URL or id) and the facts they stated.

    DOC is a file's path as it was ingested, the document's URL, or the id
    that 'aikg sources NAME --json' and 'aikg ingest --json' print. All are
    removed in one write, or none when one of them is unknown. A path whose
    content other ingested files hold too forgets only that path: the
    document stays for the others.
    """
    from ..facts.forget import forget as forget_documents

    removed = forget_documents(obj.store(write=True), docs)
    if as_json:
        emit_json({"removed": [{"graph": g, "id": d, "label": label, "kept_for": kept}
                               for g, d, label, kept in removed]})
        return
    for _, d, label, kept in removed:
        if kept:
            click.echo(f"forgot a path of {shown(label)}  <{d}>; the document stays for {', '.join(map(shown, kept))}")
        else:
            click.echo(f"forgot {shown(label)}  <{d}>")
