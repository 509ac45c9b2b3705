"""The ``aikg`` command line: a thin layer over the library, the only place that prints.

Each command module registers its commands on ``main``; library errors
(:class:`graph.errors.AikgError`) become one-line messages with exit code 1.
"""
import sys

import click

from ..errors import AikgError
from .context import Context

__all__ = ["main"]


class Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AikgError as e:
            if ctx.obj is not None and ctx.obj.debug:
                raise
            raise click.ClickException(_one_line(str(e))) from None
        except KeyboardInterrupt:
            raise click.Abort() from None
        except (OSError, MemoryError, RecursionError) as e:
            if ctx.obj is not None and ctx.obj.debug:
                raise
            raise click.ClickException(_one_line(f"{type(e).__name__}: {e}")) from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


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


# Command modules register themselves on import.
from . import base  # noqa: E402,F401

for _name in ("ingest", "path", "serve"):
    try:
        __import__(f"{__name__}.{_name}")
    except ModuleNotFoundError as _e:  # a command module not written yet
        if _e.name != f"{__name__}.{_name}":
            raise

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
