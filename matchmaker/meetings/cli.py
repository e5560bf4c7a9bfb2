"""`matchmaker meetings list | zone | schedule | prematch`: the negotiation zone from the console."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from matchmaker.console import fail
from matchmaker.editions.operations import resolve_edition
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.meetings import funnel, reminders
from matchmaker.meetings import zone as zones
from matchmaker.meetings.models import Meeting, MeetingStatus
from matchmaker.meetings.schemas import MeetingList, MeetingOut


@click.group("meetings")
def meetings_group() -> None:
    """The negotiation zone: meetings, the zone's slots and tables, scheduling."""


@meetings_group.command("list")
@click.option("--status", type=click.Choice([s.value for s in MeetingStatus]), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@with_appcontext
def list_command(status: str | None, as_json: bool) -> None:
    """Every meeting (the organisers' view), newest first."""
    query = sa.select(Meeting).order_by(Meeting.id.desc())
    if status:
        query = query.where(Meeting.status == MeetingStatus(status))
    found = db.session.scalars(query).all()
    if as_json:
        click.echo(json.dumps(MeetingList(items=[MeetingOut.of(m, events=False) for m in found])
                              .dump(), ensure_ascii=False, indent=2))
        return
    for m in found:
        table = f" table {m.table.number} slot {m.slot}" if m.table else ""
        click.echo(f"#{m.id} {m.status.value:<10} {m.investor.name} / {m.project.name}{table}")


def _edition(year: str | None):
    try:
        edition = resolve_edition(year)
    except DomainError as error:
        fail(f"Error: {error.translated()}")
    if edition is None:
        fail("Error: there is no forum edition yet (matchmaker editions create YEAR).")
    return edition


@meetings_group.command("zone")
@click.option("--edition", "year", default=None, help="The edition's year (default: current).")
@click.option("--days", required=True, help="YYYY-MM-DD,YYYY-MM-DD")
@click.option("--start", "day_start", default="09:00", show_default=True)
@click.option("--end", "day_end", default="17:00", show_default=True)
@click.option("--slot", "slot_minutes", type=int, default=30, show_default=True, help="minutes")
@click.option("--breaks", default="", help="12:00-13:30,15:00-15:15")
@click.option("--tables", type=int, default=10, show_default=True)
@click.option("--interpreters", default="", help="1-5:en,9:en")
@click.option("--investor-cap", type=int, default=8, show_default=True)
@click.option("--project-cap", type=int, default=8, show_default=True)
@with_appcontext
def zone_command(year, days, day_start, day_end, slot_minutes, breaks, tables, interpreters,
                 investor_cap, project_cap) -> None:
    """Set up the edition's negotiation zone: days, hours, slots, breaks, tables, caps."""
    edition = _edition(year)
    try:
        data = zones.ZoneInput(
            days=zones.parse_days(days), day_start=day_start, day_end=day_end,
            slot_minutes=slot_minutes, breaks=zones.parse_breaks(breaks), tables=tables,
            interpreters=zones.parse_interpreters(interpreters, tables),
            investor_cap=investor_cap, project_cap=project_cap)
        zone = zones.save_zone(edition, data, user=None)
    except DomainError as error:
        db.session.rollback()
        fail(f"Error: {error.translated()}")
    db.session.commit()
    click.echo(f"{edition.year}: {len(zone.slot_times())} slots x {len(zone.tables)} tables")


@meetings_group.command("schedule")
@click.option("--edition", "year", default=None, help="The edition's year (default: current).")
@click.option("--method", type=click.Choice(["auto", "greedy", "cpsat"]), default=None,
              help="Default: the ZONE_SCHEDULER setting (auto).")
@click.option("--seconds", type=float, default=None, help="CP-SAT's time limit.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@with_appcontext
def schedule_command(year, method, seconds, as_json) -> None:
    """Place the edition's accepted meetings into slot x table; say what could not be placed."""
    edition = _edition(year)
    try:
        result = zones.schedule_edition(edition, user=None, method=method, seconds=seconds)
    except DomainError as error:
        db.session.rollback()
        fail(f"Error: {error.translated()}")
    db.session.commit()
    data = {"placed": len(result.placed), "kept": result.kept,
            "unplaced": [{"meeting": m.id, "reason": reason} for m, reason in result.unplaced],
            "upper_bound": result.upper_bound, "solver": result.solver,
            "seconds": round(result.seconds, 3)}
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"placed {data['placed']} (kept {data['kept']}), not placed "
               f"{len(data['unplaced'])}, upper bound {data['upper_bound']}, "
               f"{data['solver']} {data['seconds']}s")
    for m, reason in result.unplaced:
        click.echo(f"  #{m.id} {m.investor.name} / {m.project.name}: {reason}")


@meetings_group.command("prematch")
@click.option("--edition", "year", default=None, help="The edition's year (default: current).")
@click.option("--top", type=int, default=5, show_default=True, help="k meetings per investor")
@click.option("--cap", type=int, default=8, show_default=True, help="at most c per project")
@click.option("--min-score", type=int, default=40, show_default=True)
@with_appcontext
def prematch_command(year, top, cap, min_score) -> None:
    """Propose the top k meetings per investor (at most c per project) from the match scores."""
    edition = _edition(year)
    try:
        made = zones.propose_from_matches(edition, top=top, cap=cap, min_score=min_score,
                                          user=None)
    except DomainError as error:
        db.session.rollback()
        fail(f"Error: {error.translated()}")
    db.session.commit()
    click.echo(f"{len(made)} meetings proposed")


@meetings_group.command("funnel")
@click.option("--edition", "year", default=None, help="The edition's year (default: current).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (the API's).")
@with_appcontext
def funnel_command(year, as_json) -> None:
    """The lead funnel: interest, meeting requested, held, negotiating, signed."""
    edition = _edition(year)
    data = funnel.as_json(funnel.funnel(edition))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(" / ".join(funnel.STAGES))
    for row in [data["total"], *data["by_prefecture"]]:
        counts = " ".join(f"{row[stage]:>6}" for stage in funnel.STAGES)
        click.echo(f"{(row['name'] or 'total'):<12} {counts}")


@meetings_group.command("remind")
@with_appcontext
def remind_command() -> None:
    """Remind both sides of meetings starting within a day / an hour (run every few minutes)."""
    sent = reminders.send_reminders()
    db.session.commit()
    click.echo(f"reminders: {sent['day']} day before, {sent['hour']} hour before")


@meetings_group.command("digest")
@with_appcontext
def digest_command() -> None:
    """The daily digest of new matching projects, for the users who asked for it."""
    written = reminders.send_digests()
    db.session.commit()
    click.echo(f"digests: {written}")


commands = [meetings_group]
