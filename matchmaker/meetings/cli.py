"""`matchmaker meetings list [--status S] [--json]`."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from matchmaker.extensions import db
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


commands = [meetings_group]
