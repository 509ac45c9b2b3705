"""The ``aikg`` command line: a thin layer over the library, the only place that prints.

Each command module registers its commands on ``main``; library errors
(:class:`aikg.errors.AikgError`) become one-line messages with exit code 1.

Command modules are imported only when one of their commands runs (or its
``--help`` is asked for): spaCy, pySHACL, NetworkX and friends cost seconds to
import, and ``aikg --help`` or ``aikg show`` need none of them. ``COMMANDS``
names each command's module and its one-line help for the command list; a
test checks it against the commands the modules register.
"""
import importlib
import json
import os
import re
import sys

import click

from ..errors import AikgError
from .context import Context

__all__ = ["main", "COMMANDS", "load_all", "emit_json"]

# command name -> (module under aikg.cli that registers it, the first paragraph of its help)
COMMANDS = {
    "init": ("base", "Create the store (or reload its ontology and reference graphs)."),
    "ingest": ("ingest", "Extract facts from .txt, .md and .html files or folders into the store."),
    "sources": ("ingest", "Documents that state facts about NAME, most facts first."),
    "forget": ("ingest", "Remove ingested documents (by path, URL or id) and the facts they stated."),
    "path": ("path", "Can FROM reach TO on a date, by which route, and what blocks the others?"),
    "sparql": ("base", "Run a read-only SPARQL query: QUERY text, @FILE.rq or - for stdin."),
    "show": ("base", "Everything known about NAME: types, aliases, facts with sources, restrictions."),
    "stats": ("base", "Counts of triples, graphs, documents and entities by class."),
    "export": ("base", "Export the whole graph as RDF, CSV, GraphML or an HTML view."),
    "validate": ("base", "Check the store against the SHACL shapes; exit 1 on violations."),
    "serve": ("serve", "Serve the store over the SPARQL 1.1 Protocol (read-only unless --allow-update)."),
}


class Group(click.Group):
    """Commands load on demand (see ``COMMANDS``); library errors become one-line messages."""

    def list_commands(self, ctx):
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx, name):
        if name not in self.commands and name in COMMANDS:
            try:
                _load(COMMANDS[name][0])
            except ImportError as e:  # a dependency of this command is missing or broken
                if ctx is not None and ctx.params.get("debug"):
                    raise
                raise click.ClickException(_one_line(f"aikg {name} cannot run: a module it needs is missing or "
                                                     f"broken ({e}); reinstall aikg")) from None
        return self.commands.get(name)

    def format_commands(self, ctx, formatter):
        # As click's, but from COMMANDS' help for modules not imported yet.
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            command = self.commands.get(name) or click.Command(name, help=COMMANDS[name][1])
            if not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AikgError as e:
            if ctx.obj is not None and ctx.obj.debug:
                raise
            raise click.ClickException(_one_line(str(e))) from None
        except KeyboardInterrupt:
            raise click.Abort() from None
        except BrokenPipeError:  # the reader (| head) left: stop quietly, as Unix tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except (OSError, MemoryError, RecursionError) as e:
            if ctx.obj is not None and ctx.obj.debug:
                raise
            raise click.ClickException(_one_line(_for_people(e))) from None

    def parse_args(self, ctx, args):
        return super().parse_args(ctx, _global_first(args))


def emit_json(data) -> None:
    """Every command's ``--json``: indented, non-ASCII kept."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown(text) -> str:
    r"""Text from documents or file names made safe for one terminal line: control, line-breaking
    and bidi-override characters are written as escapes, so none can forge a line or drive the terminal.

    >>> shown("a.txt\nfailed b.txt: \x1b[31mred")
    'a.txt\\nfailed b.txt: \\x1b[31mred'
    """
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def _one_line(text: str) -> str:
    return shown(" ".join(text.split()))


def _for_people(e: OSError | MemoryError | RecursionError) -> str:
    """An OS or resource error as a sentence, without Python's class names."""
    if isinstance(e, MemoryError):
        return "out of memory"
    if isinstance(e, RecursionError):
        return "the input is nested too deeply"
    text = e.strerror or str(e) or "input/output error"
    names = [str(f) for f in (e.filename, e.filename2) if f is not None]
    return f"{text}: {' -> '.join(names)}" if names else text


def _global_first(args: list) -> list:
    """``aikg show X --store P`` as ``aikg --store P show X``: --store is global but people put it anywhere.
    Only before a ``--`` that ends the options; a value that happens to be "--store" after it is kept."""
    args = list(args)
    moved, i = [], 0
    while i < len(args):
        a = args[i]
        if a == "--":
            break
        if a == "--store" and i > 0:
            if i + 1 == len(args):
                raise click.UsageError("--store needs a value: a store folder or a SPARQL endpoint URL")
            moved += args[i:i + 2]
            del args[i:i + 2]
            continue
        if a.startswith("--store=") and i > 0:
            moved.append(a)
            del args[i]
            continue
        i += 1
    return moved + args


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "store", envvar="AIKG_STORE", metavar="PATH_OR_URL",
              help="Store folder or SPARQL endpoint URL (env AIKG_STORE; default ~/.local/share/aikg/store).")
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@click.version_option(package_name="aikg")
@click.pass_context
def main(ctx, store, debug):
    """aikg: a knowledge graph of the AI industry.

    Ask who can reach which AI model or chip, through whom, despite which
    restriction, since when, and says who.
    """
    ctx.obj = Context(location=store, debug=debug)
    ctx.call_on_close(ctx.obj.close)


def _load(module: str) -> None:
    """Import a command module; its ``@main.command()`` decorators register its commands."""
    importlib.import_module(f"{__name__}.{module}")


def load_all() -> None:
    """Import every command module (tests and documentation tools want the real commands)."""
    for module in sorted({m for m, _ in COMMANDS.values()}):
        _load(module)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
