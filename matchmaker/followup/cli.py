"""`matchmaker followup show ID | stage ID STAGE | funds ID AMOUNT | state ID STATE`: the
follow-through page's actions at the console. `--as EMAIL` records under that account
(its scope applies); without it the console is an administrator.

Exit codes: 0 done; 1 the input was refused (the message says why); 2 usage error.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from matchmaker.accounts.models import User
from matchmaker.console import fail
from matchmaker.editions.operations import resolve_edition
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.followup import operations
from matchmaker.followup.exports import rates_workbook
from matchmaker.followup.funnel import edition_funnel
from matchmaker.followup.history import history
from matchmaker.followup.rates import edition_rates
from matchmaker.followup.schemas import FollowupOut
from matchmaker.money import format_yi
from matchmaker.notifications.operations import notify
from matchmaker.signing.models import Agreement


def _agreement(agreement_id: int) -> Agreement:
    agreement = db.session.get(Agreement, agreement_id) if 0 < agreement_id < 2**31 else None
    if agreement is None:
        fail(f"Error: there is no agreement {agreement_id}.")
    return agreement


def _user(email: str | None) -> User | None:
    if not email:
        return None
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        fail(f"Error: there is no account {email}.")
    return user


def _run(action) -> None:
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        fail(f"Error: {error.translated()}")
    db.session.commit()


def _show(agreement: Agreement, as_json: bool) -> None:
    followup = operations.followup_of(agreement)
    payments = operations.payments_of(agreement)
    lines = history(agreement)
    if as_json:
        click.echo(json.dumps(FollowupOut.of(agreement, followup, payments, lines).dump(),
                              ensure_ascii=False, indent=2))
        return
    stage = followup.stage.value if followup else "signed"
    funds = followup.funds_yuan if followup else 0
    click.echo(f"Agreement {agreement.id}: {stage}, funds in place {format_yi(funds)}亿元 of "
               f"{format_yi(agreement.amount_yuan)}亿元"
               f"{', ' + followup.state.value if followup else ''}")
    for line in lines:
        click.echo(f"  {line.text}")


_as = click.option("--as", "email", default=None,
                   help="The account the entry is recorded under (its scope applies).")
_json = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")


@click.group("followup")
def followup_group() -> None:
    """Follow-through of signed agreements: stages, funds in place, state."""


@followup_group.command("show")
@click.argument("agreement_id", type=int)
@_json
@with_appcontext
def show_command(agreement_id: int, as_json: bool) -> None:
    """An agreement's stages, funds in place, state and history."""
    _show(_agreement(agreement_id), as_json)


@followup_group.command("stage")
@click.argument("agreement_id", type=int)
@click.argument("stage")
@click.option("--date", "occurred_on", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--note", required=True, help="The evidence (licence, permit, report).")
@click.option("--reason", default="", help="Why, when correcting a date already recorded.")
@_as
@_json
@with_appcontext
def stage_command(agreement_id, stage, occurred_on, note, reason, email, as_json) -> None:
    """Record STAGE (registered, started, in_production; or 注册, 开工, 投产)."""
    agreement, user = _agreement(agreement_id), _user(email)
    data = operations.StageInput(stage=stage, occurred_on=occurred_on.date(), note=note,
                                 reason=reason)
    _run(lambda: operations.record_stage(agreement, data, user=user))
    _show(agreement, as_json)


@followup_group.command("funds")
@click.argument("agreement_id", type=int)
@click.argument("amount")
@click.option("--date", "paid_on", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--note", required=True, help="The evidence (bank slip, capital verification).")
@click.option("--over-reason", default="", help="Why, when the funds exceed the signed amount.")
@_as
@_json
@with_appcontext
def funds_command(agreement_id, amount, paid_on, note, over_reason, email, as_json) -> None:
    """Record a payment of funds in place: AMOUNT as '0.5' (亿元), '5000万元'."""
    agreement, user = _agreement(agreement_id), _user(email)
    data = operations.FundsInput(amount=amount, paid_on=paid_on.date(), note=note,
                                 over_reason=over_reason)
    _run(lambda: operations.record_funds(agreement, data, user=user))
    _show(agreement, as_json)


@followup_group.command("state")
@click.argument("agreement_id", type=int)
@click.argument("state")
@click.option("--reason", required=True)
@click.option("--date", "occurred_on", type=click.DateTime(["%Y-%m-%d"]), default=None)
@_as
@_json
@with_appcontext
def state_command(agreement_id, state, reason, occurred_on, email, as_json) -> None:
    """Set STATE (on_track, stalled, terminated) with a reason."""
    agreement, user = _agreement(agreement_id), _user(email)
    day: date | None = occurred_on.date() if occurred_on else None
    data = operations.StateInput(state=state, reason=reason, occurred_on=day)
    _run(lambda: operations.change_state(agreement, data, user=user))
    _show(agreement, as_json)


@followup_group.command("rates")
@click.option("--edition", default=None, help="The forum edition (a year; default: the current one).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report (.xlsx) to this file.")
@_json
@with_appcontext
def rates_command(edition: str | None, output: str | None, as_json: bool) -> None:
    """履约率, 开工率, 投产率, 资金到位率 of an edition, by prefecture (the page's figures)."""
    figures = edition_rates(_chosen_edition(edition))
    if output:
        Path(output).write_bytes(rates_workbook(figures))
    if as_json:
        click.echo(json.dumps(figures.as_json(), ensure_ascii=False, indent=2))
        return

    def pct(value) -> str:
        return f"{value}%" if value is not None else "—"

    for row in [figures.whole, *figures.breakdowns["prefecture"]]:
        click.echo(f"{row.name:<12} {row.count:>6} agreements {format_yi(row.signed_yuan):>12}亿元  "
                   f"fulfilled {pct(row.fulfilled_rate):>6}  started {pct(row.started_rate):>6}  "
                   f"in production {pct(row.in_production_rate):>6}  funds "
                   f"{format_yi(row.funds_yuan)}亿元 {pct(row.funds_rate)}")
    if output:
        click.echo(f"Report written to {output}")


def _chosen_edition(edition: str | None):
    try:
        chosen = resolve_edition(edition)
    except DomainError as error:
        fail(f"Error: {error.translated()}")
    if chosen is None:
        fail("Error: there is no edition of the forum yet.")
    return chosen


@followup_group.command("funnel")
@click.option("--edition", default=None, help="The forum edition (a year; default: the current one).")
@_json
@with_appcontext
def funnel_command(edition: str | None, as_json: bool) -> None:
    """Catalogue -> interest -> meetings -> signed -> started -> in production, with amounts."""
    funnel = edition_funnel(_chosen_edition(edition))
    if as_json:
        click.echo(json.dumps(funnel.as_json(), ensure_ascii=False, indent=2))
        return
    for step in funnel.steps:
        if step.projects is None:
            click.echo(f"{step.key:<14} not available (no meetings recorded on this platform)")
            continue
        click.echo(f"{step.key:<14} {step.projects:>7} projects {format_yi(step.amount_yuan):>14}亿元 "
                   f"({step.amount_kind})")
    click.echo(f"off-catalogue agreements (outside the funnel): {funnel.off_catalogue}")


@followup_group.command("remind")
@click.option("--edition", default=None, help="The forum edition (a year; default: the current one).")
@click.option("--days", type=click.IntRange(1, 3650), default=None,
              help="Days without progress (default: FOLLOWUP_REMINDER_DAYS).")
@with_appcontext
def remind_command(edition: str | None, days: int | None) -> None:
    """Notify each prefecture's staff (else the province's) of agreements with no progress
    for DAYS days: one notification each, linking to the to-do list."""
    chosen = _chosen_edition(edition)
    days = days or operations.reminder_days()
    reminders = operations.stale_by_staff(chosen, days)
    for user, agreements in reminders.items():
        notify([user], "followup_stale", {"count": len(agreements), "days": days,
                                          "edition": chosen.name},
               link=f"/followup/todo?edition={chosen.year}&days={days}")
    db.session.commit()
    total = len({a.id for agreements in reminders.values() for a in agreements})
    click.echo(f"{total} agreements without progress for {days} days; "
               f"{len(reminders)} staff accounts notified.")


commands: list = [followup_group]
