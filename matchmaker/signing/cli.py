"""`matchmaker signing totals [--json]` (the figures the dashboard shows), `matchmaker
signing session list | create | edit | open | close | reopen` (the session pages' actions)
and `matchmaker signing agreement amend | void` (corrections), through the same operations
as the pages and the API; `--json` prints the API's answer."""

from __future__ import annotations

import json
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from pydantic import ValidationError

from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import acting_user
from matchmaker.api.errors import refusal
from matchmaker.console import echo_json, perform
from matchmaker.editions.operations import ALL, resolve_edition
from matchmaker.errors import DomainError, NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_
from matchmaker.money import format_yi
from matchmaker.signing import operations
from matchmaker.signing.models import Agreement, SessionKind, SigningSession
from matchmaker.signing.schemas import AgreementOut, AmendIn, SessionIn, SessionList, session_out
from matchmaker.signing.totals import signed_totals


@click.group("signing")
def signing_group() -> None:
    """Signing sessions and signed totals."""


@signing_group.command("totals")
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document (the API's /signing/totals)."
)
@click.option(
    "--count-intent/--no-count-intent",
    default=None,
    help="Count letters of intent as signed (default: the SIGNING_COUNT_INTENT setting).",
)
@click.option("--edition", default=None,
              help="The forum edition (a year; default: the current edition), or 'all' for the "
                   "sum across editions.")
@with_appcontext
def totals_command(as_json: bool, count_intent: bool | None, edition: str | None) -> None:
    """Signed total, count, target and breakdowns; the press lines."""

    if count_intent is None:
        count_intent = bool(current_app.config["SIGNING_COUNT_INTENT"])
    try:
        chosen = resolve_edition(edition, allow_all=True)
    except DomainError as error:
        click.echo(f"Error: {error.translated()}", err=True)
        sys.exit(1)
    totals = signed_totals(count_intent=count_intent, edition=chosen)
    if as_json:
        data = totals.as_json()
        data["scope"] = "all_editions" if chosen is ALL else "edition"
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(totals.press_zh)
    click.echo(totals.press_en)
    target = f" of {format_yi(totals.target_yuan)}亿元 target" if totals.target_yuan > 0 else ""
    click.echo(
        f"Signed: {format_yi(totals.total_yuan)}亿元 in {totals.count} agreements{target}"
        f" (letters of intent {'counted' if totals.count_intent else 'not counted'}: "
        f"{totals.intent_count}, {format_yi(totals.intent_yuan)}亿元; voided: {totals.voided_count})"
    )
    for name, rows in totals.breakdowns().items():
        click.echo(f"\n{name}")
        for row in rows:
            click.echo(f"  {row.name:<30} {row.count:>6} {format_yi(row.total_yuan):>14}亿元")


# --- matchmaker signing session … / agreement … ---------------------------------------------

AS_OPTION = click.option("--as", "email", default=None,
                         help="The organiser account the change is audited under (default: "
                              "the operator, unaudited by name).")
JSON_OPTION = click.option("--json", "as_json", is_flag=True,
                           help="Print one JSON document (the API's answer).")


def _counted() -> bool:
    return bool(current_app.config["SIGNING_COUNT_INTENT"])


def _session(session_id: int) -> SigningSession:
    session = db.session.get(SigningSession, session_id)
    if session is None:
        raise NotFound(N_("There is no signing session %(id)s."), id=session_id)
    return session


def _show_session(session: SigningSession, as_json: bool) -> None:
    out = session_out(session, count_intent=_counted())
    if as_json:
        echo_json(out)
        return
    held = f" {out.held_on}" if out.held_on else ""
    click.echo(f"#{out.id}  {out.edition}{held}  {out.state:<7}  {out.count:>4} agreements  "
               f"{format_yi(out.total_yuan)}亿元  {out.name}")


@signing_group.group("session")
def session_group() -> None:
    """Signing sessions: list, create, edit, and their life cycle (open, close, reopen)."""


@session_group.command("list")
@click.option("--edition", default=None, help="A year (default: the current edition) or 'all'.")
@JSON_OPTION
@with_appcontext
def session_list_command(edition: str | None, as_json: bool) -> None:
    """The sessions of an edition with their counted totals."""
    chosen = perform(lambda: resolve_edition(edition, allow_all=True), as_json=as_json)
    query = sa.select(SigningSession).order_by(SigningSession.held_on, SigningSession.id)
    if getattr(chosen, "id", None) is not None:
        query = query.where(SigningSession.edition_id == chosen.id)
    sessions = list(db.session.scalars(query))
    if as_json:
        echo_json(SessionList(items=[session_out(s, count_intent=_counted()) for s in sessions]))
        return
    for session in sessions:
        _show_session(session, False)
    if not sessions:
        click.echo("No sessions.")


def _session_options(command):
    for option in reversed([
        click.option("--name", default=None),
        click.option("--name-en", default=None),
        click.option("--edition", default=None, help="The forum edition's year."),
        click.option("--kind", type=click.Choice([k.value for k in SessionKind]), default=None),
        click.option("--held-on", default=None, help="YYYY-MM-DD."),
        click.option("--venue", default=None),
        click.option("--target", default=None, help="'160' (亿元), '160亿元'."),
        click.option("--rates", default=None, help="The session's own rates: 'USD=7.1'."),
        AS_OPTION, JSON_OPTION, with_appcontext,
    ]):
        command = option(command)
    return command


def _parse(schema, data: dict):
    """Options as the API's input schema: the same checks and the same messages (an
    InputError, which `perform` turns into exit 1)."""
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise refusal(error) from None


def _session_in(fields: dict) -> SessionIn:
    return _parse(SessionIn, {name: value for name, value in fields.items() if value is not None})


@session_group.command("create")
@_session_options
def session_create_command(email: str | None, as_json: bool, **fields) -> None:
    """Create a session (planned; open it when the signing starts)."""
    session = perform(lambda: operations.create_session(
        _session_in(fields).session_input(), user=acting_user(email, Role.ORGANIZER)),
        as_json=as_json)
    _show_session(session, as_json)


@session_group.command("edit")
@click.argument("session_id", type=int)
@_session_options
def session_edit_command(session_id: int, email: str | None, as_json: bool, **fields) -> None:
    """Change a session's details; options left out keep their value."""

    def edit() -> SigningSession:
        session = _session(session_id)
        return operations.update_session(session, _session_in(fields).session_input(session),
                                         user=acting_user(email, Role.ORGANIZER))

    _show_session(perform(edit, as_json=as_json), as_json)


def _state_command(action: str, change, help_text: str):
    @click.argument("session_id", type=int)
    @AS_OPTION
    @JSON_OPTION
    @with_appcontext
    def command(session_id: int, email: str | None, as_json: bool, reason: str = "") -> None:
        def run() -> SigningSession:
            session = _session(session_id)
            change(session, reason, acting_user(email, Role.ORGANIZER))
            return session

        _show_session(perform(run, as_json=as_json), as_json)

    command.__doc__ = help_text
    if action == "reopen":
        command = click.option("--reason", required=True,
                               help="Why the closed session is reopened (kept).")(command)
    return session_group.command(action)(command)


_state_command("open", lambda s, _r, user: operations.open_session(s, user=user),
               "Open a session: agreements can be recorded.")
_state_command("close", lambda s, _r, user: operations.close_session(s, user=user),
               "Close a session: its agreements are frozen.")
_state_command("reopen", lambda s, reason, user: operations.reopen_session(s, reason, user=user),
               "Reopen a closed session, with the reason.")


@signing_group.group("agreement")
def agreement_group() -> None:
    """Corrections of recorded agreements (amend with a reason, void)."""


def _agreement(agreement_id: int) -> Agreement:
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound(N_("There is no agreement %(id)s."), id=agreement_id)
    return agreement


def _show_agreement(agreement: Agreement, as_json: bool) -> None:
    if as_json:
        echo_json(AgreementOut.of(agreement))
        return
    state = " (voided)" if agreement.voided else ""
    click.echo(f"#{agreement.id}  {agreement.investor.name}  {format_yi(agreement.amount_yuan)}亿元  "
               f"{agreement.kind.value}  {agreement.project_name}{state}")


@agreement_group.command("amend")
@click.argument("agreement_id", type=int)
@click.option("--reason", required=True, help="Why (kept in the history).")
@click.option("--investor", default=None, help="An investor id or name.")
@click.option("--project", "project", type=int, default=None, help="A catalogue project id.")
@click.option("--project-name", default=None, help="An off-catalogue project's name.")
@click.option("--amount", default=None, help="'5亿元', '5000万', 'USD 670 million'.")
@click.option("--kind", default=None)
@click.option("--signed-at", default=None, help="ISO 8601 with its time zone.")
@click.option("--confirm-large", is_flag=True, help="Confirm an amount above 10,000亿元.")
@AS_OPTION
@JSON_OPTION
@with_appcontext
def amend_command(agreement_id: int, reason: str, email: str | None, as_json: bool,
                  investor: str | None, confirm_large: bool, **fields) -> None:
    """Correct an agreement; options left out keep their value."""
    sent = {name: value for name, value in fields.items() if value is not None}
    if investor is not None:
        sent["investor"] = int(investor) if investor.isdigit() else investor

    def amend() -> Agreement:
        body = _parse(AmendIn, {**sent, "reason": reason, "confirm_large": confirm_large})
        agreement = _agreement(agreement_id)
        return operations.amend_agreement(agreement, body.agreement_input(agreement), body.reason,
                                          user=acting_user(email, Role.ORGANIZER))

    _show_agreement(perform(amend, as_json=as_json), as_json)


@agreement_group.command("void")
@click.argument("agreement_id", type=int)
@click.option("--reason", required=True, help="Why (kept; the agreement leaves the totals).")
@AS_OPTION
@JSON_OPTION
@with_appcontext
def void_command(agreement_id: int, reason: str, email: str | None, as_json: bool) -> None:
    """Void an agreement: it stays, struck out, and leaves the totals."""
    voided = perform(lambda: operations.void_agreement(
        _agreement(agreement_id), reason, user=acting_user(email, Role.ORGANIZER)), as_json=as_json)
    _show_agreement(voided, as_json)


commands: list = [signing_group]
