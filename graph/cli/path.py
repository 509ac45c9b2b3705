"""``aikg path FROM TO``: can FROM reach TO on a date, and by which route?"""
from datetime import date

import click

from ..dates import iso_day
from ..errors import AikgError
from ..reach.answers import answer, diff
from ..reach.projection import load_projection
from ..reach.records import Answer, Diff, Restriction, Route
from . import emit_json, main

_VERDICTS = {"reachable": "REACHABLE", "unconfirmed": "UNCONFIRMED (open routes exist, none confirmed)",
             "blocked": "BLOCKED", "no_route": "NO ROUTE known"}


def _source_lines(sources, indent: str) -> list[str]:
    lines = []
    for s in sources:
        doc = s.document or "unknown source"
        quote = f' "{s.quote}"' if s.quote else ""
        denied = " (says the opposite)" if s.negated else ""
        lines.append(f"{indent}source: {doc}{denied}{quote}")
    return lines


def _restriction_text(r: Restriction) -> str:
    parts = [r.kind.label] if r.kind else []
    if r.imposed_by:
        parts.append(f"imposed by {r.imposed_by.label}")
    if r.applies_in:
        parts.append("in " + ", ".join(j.label for j in r.applies_in))
    if r.applies_to:
        parts.append("on " + ", ".join(j.label for j in r.applies_to))
    if r.effective_from:
        parts.append(f"from {r.effective_from}")
    if r.effective_until:
        parts.append(f"until {r.effective_until}")
    return f"{r.label} ({'; '.join(parts)})"


def _because(r: Restriction, actor: str) -> str:
    why = r.applies_because
    bits = []
    if why.ownership_chain is not None:
        chain = " → ".join(n.label for n in why.ownership_chain)
        bits.append(f"through ownership ({chain}, subsidiary of each next)")
    if why.jurisdiction is not None:
        bits.append(f"it applies in {why.jurisdiction.label}, which covers {actor}")
    if why.actor is not None:
        bits.append(f"it is aimed at {why.actor.label}")
    return "; ".join(bits) or "it applies to everyone"


def _route_lines(n: int, route: Route, actor: str) -> list[str]:
    steps = route.steps
    head = steps[0].src.label + "".join(f" —{s.relation.label}→ {s.dst.label}" for s in steps)
    tags = ["blocked" if route.blocked_by else "confirmed" if route.confirmed else "unconfirmed"]
    tags += ["DISPUTED"] if route.disputed else []
    lines = [f"  {n}. {head}  [{', '.join(tags)}]"]
    for s in steps:
        state = "BLOCKED" if s.blocked else ("confirmed" if s.confirmed else "not confirmed")
        if s.disputed:
            state += ", sources disagree"
        lines.append(f"     - {s.src.label} {s.relation.label} {s.dst.label} ({s.hop}, {state})")
        lines += _source_lines(s.sources, "         ")
    for c in route.context:
        bits = [f"{text} " + ", ".join(x.label for x in who)
                for text, who in (("offered by", c.offered_by), ("operated by", c.operated_by)) if who]
        for p in c.part_of:
            ops = ", ".join(x.label for x in p.operated_by)
            bits.append(f"part of {p.node.label}" + (f", operated by {ops}" if ops else ""))
        lines.append(f"     ({c.node.label}: {'; '.join(bits)})")
    for r in route.blocked_by:
        lines.append(f"     blocked by {_restriction_text(r)}, because {_because(r, actor)}")
        lines += _source_lines(r.sources, "         ")
    return lines


def explain(ans: Answer) -> str:
    """The answer as an explanation in prose-like lines."""
    actor = ans.origin.label
    lines = [f"Can {actor} reach {ans.target.label} on {ans.at}? {_VERDICTS[ans.verdict]}"]
    places = ans.actor.jurisdictions if ans.actor else ()
    if places:
        lines.append(f"{actor}: in " + ", ".join(j.label for j in places))
    if ans.without:
        lines.append("What if without " + ", ".join(n.label for n in ans.without)
                     + (" (and so without " + ", ".join(n.label for n in ans.removed) + ")"
                        if ans.removed else ""))
        for w in ans.withdrawn:
            lines.append(f"  {w.node.label} is no longer confirmed available in {w.place.label}"
                         f" (it was offered there through {', '.join(p.label for p in w.through)})")
    if ans.routes:
        lines.append("Open routes, best first:")
        for i, r in enumerate(ans.routes, 1):
            lines += _route_lines(i, r, actor)
    if ans.more_routes:
        n = ans.more_routes
        lines.append(f"  {n} more open route{'s' if n != 1 else ''} (--routes {len(ans.routes) + n})")
    if ans.blocked_routes:
        lines.append("Blocked routes:")
        for i, r in enumerate(ans.blocked_routes, 1):
            lines += _route_lines(i, r, actor)
    if not ans.routes and not ans.blocked_routes:
        lines.append("No route is known in the graph.")
    lines += [f"Note: {n}" for n in ans.notes]
    return "\n".join(lines)


def explain_diff(d: Diff) -> str:
    d1, d2 = d.between
    lines = [f"{d.origin.label} → {d.target.label}: {d.verdicts[0]} on {d1}, {d.verdicts[1]} on {d2}"]
    for title, changes in (("Opened", d.opened), ("Closed", d.closed)):
        lines.append(f"{title} between {d1} and {d2}: {len(changes)}")
        for i, change in enumerate(changes, 1):
            steps = change.route.steps
            lines.append(f"  {i}. " + steps[0].src.label + "".join(f" —{s.relation.label}→ {s.dst.label}"
                                                                    for s in steps))
            lines += [f"     why: {w}" for w in change.why]
    lines.append(f"Open on both dates: {d.unchanged_open}")
    lines += [f"Note: {n}" for n in d.notes]
    return "\n".join(lines)


@main.command()
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@click.option("--at", "at", metavar="YYYY-MM-DD", help="The date of the question (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (SPEC.md contract).")
@click.option("--between", nargs=2, metavar="D1 D2", help="List the routes that opened or closed between two dates.")
@click.option("--without", multiple=True, metavar="NAME", help="What if NAME (and what depends on it) did not exist.")
@click.option("--html", "html", type=click.Path(dir_okay=False), help="Also draw the answer as an HTML page.")
@click.option("--routes", "k", type=click.IntRange(1, 50), default=3, show_default=True,
              help="How many open routes to show.")
@click.pass_obj
def path(obj, source, target, at, as_json, between, without, html, k):
    """Can FROM reach TO on a date, by which route, and what blocks the others?

    FROM may be an entity, a jurisdiction ("China") or a phrase such as
    "Chinese enterprise customers", "Italian users" or "AWS customers".
    """
    if between and at is not None:
        raise click.UsageError("--at and --between cannot be combined: --between compares two dates")
    if between and html:
        raise click.UsageError("--html draws one date's answer; it cannot be combined with --between")
    when = _day(at, "--at") if at is not None else date.today().isoformat()
    days = [_day(d, "--between") for d in between] if between else None
    proj = load_projection(obj.store())
    _check_without(proj, source, target, without)
    if days:
        d1, d2 = days
        result = diff(proj, source, target, d1, d2, without=without)
        if as_json:
            emit_json(result.to_json())
        else:
            click.echo(explain_diff(result))
        return
    result = answer(proj, source, target, when, k=k, without=without)
    if html:
        from ..views.viz import render_path

        render_path(result, html, projection=proj)  # the projection gives nodes their class colours
    if as_json:
        emit_json(result.to_json())
    else:
        click.echo(explain(result))


def _day(value: str, option: str) -> str:
    """A date option's value; a bad one is a usage error (exit 2), as click gives for other bad values."""
    try:
        return iso_day(value, option)
    except AikgError as e:
        raise click.BadParameter(str(e).split(", got")[0] + f", not {value!r}", param_hint=option) from None


def _check_without(proj, source: str, target: str, without) -> None:
    """--without naming FROM or TO itself would silently change nothing: refuse it."""
    ends = set()
    for name in (source, target):
        try:
            ends.add(proj.lookup(name, suggest=False))
        except AikgError:
            pass  # a phrase ("Chinese users") or an unknown name: answer() says so
    for name in without:
        try:
            node = proj.lookup(name, suggest=False)
        except AikgError:
            continue  # answer() reports unknown names with candidates
        if node in ends:
            raise click.BadParameter(f"{name!r} is FROM or TO itself; --without takes what lies between",
                                     param_hint="--without")
