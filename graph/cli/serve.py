"""The ``serve`` command: a SPARQL 1.1 Protocol endpoint over the local store."""
import logging
import os
import sys

import click

from ..errors import InputError
from . import main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default; anything else exposes the store).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free one).")
@click.option("--allow-update", is_flag=True, help="Accept SPARQL updates (takes the store's write lock).")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a query may run before it is stopped with an error.")
@click.option("--limit", default=1_000_000, show_default=True, type=click.IntRange(min=1),
              help="Most rows (or triples) one answer may hold; larger results are refused with a 400, "
                   "never cut short.")
@click.option("--cors", metavar="ORIGIN", help="Allow browser clients from ORIGIN (or '*'), e.g. for YASGUI.")
@click.option("--workers", default=min(4, os.cpu_count() or 1), show_default=True, type=click.IntRange(min=1),
              help="Query processes (1 with --allow-update).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer requests whose Host is NAME (the bound address and, on loopback, "
                   "localhost always are).")
@click.pass_obj
def serve(obj, host, port, allow_update, timeout, limit, cors, workers, allow_hosts):
    """Serve the store over the SPARQL 1.1 Protocol (read-only unless --allow-update).

    Queries at /query or /sparql (GET or POST), updates at /update, a query page at /;
    GET /query without a query answers the service description (with VoID, also at /.well-known/void).
    SERVICE and LOAD are refused. One line per query is logged to stderr.
    Requests naming another Host are refused (DNS rebinding); browser writes must be
    same-origin; with $AIKG_SERVE_TOKEN set, updates need "Authorization: Bearer TOKEN".
    """
    import ipaddress

    from ..facts.bootstrap import ensure_store
    from ..server.endpoint import SparqlServer

    where = obj.where
    token = os.environ.get("AIKG_SERVE_TOKEN") or None
    try:
        exposed = not ipaddress.ip_address(host).is_loopback
    except ValueError:
        exposed = host not in ("localhost", "ip6-localhost")
    if exposed and allow_update and token is None:
        raise click.UsageError(f"--host {host} with --allow-update would let the network write to the store; "
                               "set AIKG_SERVE_TOKEN to require a token for updates")
    if where.startswith(("http://", "https://")):
        raise InputError(f"{where} is already a SPARQL server; serve a local store instead")
    ensure_store(where).close()  # create the default store on first use
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    log = logging.getLogger("aikg.server")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    server = SparqlServer(where, host=host, port=port, allow_update=allow_update, timeout=timeout, limit=limit,
                          cors=cors, workers=workers, allow_hosts=allow_hosts, token=token).start()
    if exposed:
        click.echo(f"WARNING: listening on {host}: every machine that can reach this one can query the store "
                   "(aikg is meant for loopback)", err=True)
    mode = "read-write" if allow_update else "read-only"
    click.echo(f"aikg SPARQL endpoint ({mode}) for {where} at {server.url}query (page at {server.url})", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        log.removeHandler(handler)
