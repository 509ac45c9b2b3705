"""Core commands: init, sparql, show, stats, export, validate.

Library modules are imported inside each command, so loading this module (to
run any one command) costs only what that command needs.
"""
import sys
from pathlib import Path

import click

from ..errors import InputError
from . import emit_json, main


@main.command()
@click.option("--empty", is_flag=True, help="Ontology only, no reference data.")
@click.pass_obj
def init(obj, empty):
    """Create the store (or reload its ontology and reference graphs)."""
    from ..facts.bootstrap import init_store

    obj.close()
    info = init_store(obj.where, empty=empty)
    click.echo(f"initialised {info['location']}: {info['triples']} triples")


def _read_query(query: str) -> str:
    if query == "-":
        return sys.stdin.read()
    if query.startswith("@"):
        try:
            return Path(query[1:]).read_text(encoding="utf-8")
        except OSError as e:
            raise InputError(f"cannot read query file {query[1:]}: {e.strerror or e}") from e
        except UnicodeDecodeError:
            raise InputError(f"cannot read query file {query[1:]}: it is not UTF-8 text") from None
    return query


def _set_params(obj, text: str, params) -> str:
    from ..names.resolve import set_parameters

    values = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.UsageError(f"--param expects NAME=VALUE, got {item!r}")
        values[name.strip().lstrip("?$")] = value
    return set_parameters(obj.store(), text, values)


def _table(result) -> str:
    if result.kind == "ask":
        return "yes" if result.boolean else "no"
    from rdflib import URIRef

    from ..namespace import PREFIXES

    # Longest namespace first, so ent: wins over a shorter prefix of the same IRI.
    spaces = sorted(((ns, p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))

    def cell(t) -> str:
        if t is None:
            return ""
        if isinstance(t, URIRef):  # a table is for reading: ent:gpt-4o, not the whole IRI
            for ns, prefix in spaces:
                if t.startswith(ns) and t[len(ns):].replace("-", "").replace("_", "").isalnum():
                    return f"{prefix}:{t[len(ns):]}"
        return str(t)

    headers = result.variables
    rows = [[cell(t) for t in row] for row in result.rows]
    widths = [max([len(h)] + [min(len(r[i]), 80) for r in rows]) for i, h in enumerate(headers)]
    fmt = lambda cells: "  ".join(c[:80].ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    lines = [fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows]
    return "\n".join(lines) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})"


@main.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv", "turtle"]), default="table",
              show_default=True)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Set a query file's VALUES ?NAME default: an entity name, or a YYYY-MM-DD date.")
@click.pass_obj
def sparql(obj, query, fmt, params):
    """Run a read-only SPARQL query: QUERY text, @FILE.rq or - for stdin.

    The ontology's prefixes (aikg, ent, rdfs, skos, prov, ...) are predeclared.
    The files in ontology/queries take parameters, e.g.
    aikg sparql @ontology/queries/services_for_model.rq --param model="Claude 3.5 Sonnet"
    A query is stopped after $AIKG_QUERY_TIMEOUT seconds (30) or $AIKG_QUERY_MEMORY_MB (4096).
    """
    from ..sparql import results as res
    from ..sparql.guard import check_query
    from ..sparql.limits import query_bounds, watch

    text = _read_query(query)
    if params:
        text = _set_params(obj, text, params)
    check_query(text)
    seconds, max_bytes = query_bounds()
    with watch(seconds, max_bytes, say=lambda m: click.echo(f"Error: {m}", err=True)):
        result = obj.store().query(text, hide_bookkeeping=True)  # rows are read inside the bounds
    if result.kind == "graph":
        if fmt not in ("turtle", "table"):
            raise InputError("CONSTRUCT/DESCRIBE results print as turtle only")
        from ..views.exporting import turtle

        click.echo(turtle(result.graph), nl=False)
    elif fmt == "turtle":
        raise InputError("turtle output needs a CONSTRUCT or DESCRIBE query")
    elif fmt == "json":
        emit_json(res.sparql_json(result))
    elif fmt == "csv":
        click.echo(res.sparql_csv(result), nl=False)
    elif fmt == "tsv":
        click.echo(res.sparql_tsv(result), nl=False)
    else:
        click.echo(_table(result))


@main.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def show(obj, name, as_json):
    """Everything known about NAME: types, aliases, facts with sources, restrictions."""
    from ..facts.describe import describe

    info = describe(obj.store(), name)
    if as_json:
        emit_json(info)
        return
    click.echo(f"{info['label']}  <{info['id']}>")
    click.echo("  types: " + ", ".join(info["types"]))
    if info["aliases"]:
        click.echo("  aliases: " + ", ".join(info["aliases"]))
    if info["definition"]:
        click.echo("  " + info["definition"])
    for f in info["facts"]:
        other = f["other"].get("label") or f["other"].get("value")
        predicate = f["predicate"]["label"]
        line = f"{predicate} {other}" if f["direction"] == "out" else f"{other} {predicate} this"
        when = [f"from {f['valid_from']}"] if f.get("valid_from") else []
        when += [f"until {f['valid_until']}"] if f.get("valid_until") else []
        click.echo(f"  - {line}" + (f" ({' '.join(when)})" if when else ""))
        for s in f["sources"]:
            where = s["title"] or s["source"]
            if s.get("url") and s["url"] != where:
                where += f" <{s['url']}>"
            where += f", published {s['published']}" if s.get("published") else ", undated"
            if s.get("retrieved"):
                where += f", read {s['retrieved']}"
            click.echo(f"      source: {where}" + (f' — "{s["quote"]}"' if s["quote"] else ""))
    for r in info["restrictions"]:
        when = f"from {r['effective_from'] or 'unknown'}"
        when += f" until {r['effective_until']}" if r["effective_until"] else ""
        where = ", ".join(n["label"] for n in r["applies_in"])
        by = r["imposed_by"]["label"] if r["imposed_by"] else "unknown"
        click.echo(f"  restricted: {r['label'] or r['kind'] or 'restriction'} in {where} by {by}, {when}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def stats(obj, as_json):
    """Counts of triples, graphs, documents and entities by class."""
    from ..views.stats import stats as store_stats

    info = store_stats(obj.store())
    if as_json:
        emit_json(info)
        return
    click.echo(f"store: {info['store']}")
    click.echo(f"triples: {info['triples']}  graphs: {info['graphs']}  documents: {info['documents']}  "
               f"entities: {info['entities']}")
    for cls, n in info["by_class"].items():
        click.echo(f"  {cls:<16} {n}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld", "csv", "graphml", "html"]),
              default="ttl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default stdout).")
@click.option("--focus", metavar="NAME", help="html: only the neighbourhood of NAME.")
@click.option("--depth", type=click.IntRange(min=0), help="html: hops around --focus (default 2).")
@click.option("--types", metavar="CLASS[,CLASS]", help="html: keep only entities of these classes.")
@click.option("--at", metavar="YYYY-MM-DD", help="html: only facts valid and restrictions in force on this date.")
@click.option("--limit", type=click.IntRange(min=1), help="html: most nodes drawn (default 2000); beyond it the "
              "most connected part around --focus is kept.")
@click.pass_obj
def export(obj, fmt, output, focus, depth, types, at, limit):
    """Export the whole graph as RDF, CSV, GraphML or an HTML view."""
    if fmt == "html":
        _export_html(obj, output, focus, depth, types, at, limit)
        return
    if any(v is not None for v in (focus, depth, types, at, limit)):
        raise click.UsageError("--focus, --depth, --types, --at and --limit apply to --format html only")
    from ..views.exporting import export as export_store

    text = export_store(obj.store(), fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def validate(ctx, as_json):
    """Check the store against the SHACL shapes; exit 1 on violations."""
    from ..facts.validate import validate as validate_store

    report = validate_store(ctx.obj.store())
    if as_json:
        emit_json(report)
    elif report["conforms"]:
        click.echo(f"conforms: {report['triples']} triples checked, no violations")
    else:
        n = len(report["violations"])
        click.echo(f"does not conform: {n} violation{'s' if n != 1 else ''} in {report['triples']} triples")
        for v in report["violations"]:
            where = f"{v['label']} <{v['focus']}>"
            path = f" {v['path']}" if v["path"] else ""
            value = f" = {v['value']}" if v["value"] else ""
            click.echo(f"  {v['severity']}: {where}{path}{value}: {v['message']}")
    if not report["conforms"]:
        ctx.exit(1)


def _export_html(obj, output, focus, depth, types, at, limit) -> None:
    from ..views.viz import DEFAULT_LIMIT, graph_page

    if not output:
        raise click.UsageError("--format html needs -o FILE")
    page = graph_page(obj.store(), focus=focus, depth=2 if depth is None else depth, types=types, at=at,
                      limit=limit or DEFAULT_LIMIT)
    for note in page.notes:
        click.echo(f"note: {note}", err=True)
    Path(output).write_text(page.html, encoding="utf-8")
    click.echo(f"wrote {output}: {page.nodes} nodes, {page.edges} edges", err=True)
