"""`matchmaker match --investor ID [--top N] [--json]`,
`matchmaker match --all [--top N] [--cap N] -o FILE.xlsx` and
`matchmaker leads list [--json]` / `matchmaker leads move ID STATUS`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from pydantic import ValidationError

from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import acting_user
from matchmaker.api.errors import refusal
from matchmaker.console import echo_items, echo_json, fail, perform, terminal_progress
from matchmaker.errors import DomainError, NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_
from matchmaker.investors.models import Investor
from matchmaker.matching import operations
from matchmaker.matching.models import Lead, LeadStatus
from matchmaker.matching.schemas import (
    InvestorProjectMatches,
    LeadList,
    LeadOut,
    ProfileIn,
    ProfileOut,
)
from matchmaker.money import format_yi


@click.command("match")
@click.option("--investor", "investor_id", type=int, help="Rank projects for this investor.")
@click.option("--all", "event", is_flag=True, help="Meeting suggestions for every investor.")
@click.option("--top", default=None, type=click.IntRange(1, 200),
              help="Matches per investor (default 20; 5 with --all).")
@click.option("--cap", default=8, show_default=True, type=click.IntRange(1, 1000),
              help="With --all: meetings per project at most.")
@click.option("--min-score", default=40, show_default=True, type=click.IntRange(0, 100),
              help="With --all: leave out pairs scoring less.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="With --all: the .xlsx file to write.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@with_appcontext
def match_command(investor_id: int | None, event: bool, top: int | None, cap: int,
                  min_score: int, output: Path | None, as_json: bool) -> None:
    """Ranked matches for one investor, or event-wide meeting suggestions as .xlsx."""

    if event == (investor_id is not None):
        raise click.UsageError("give either --investor ID or --all")
    if event:
        if output is None:
            raise click.UsageError("--all needs -o FILE.xlsx")
        progress = None if as_json else terminal_progress()
        if progress:
            progress("matching", 0, 0)
        meetings = operations.event_suggestions(
            per_investor=top or 5, per_project_cap=cap, min_score=min_score
        )
        if progress:
            progress("workbook", 1, 2)
        output.write_bytes(operations.meetings_workbook(meetings))
        if progress:
            progress("workbook", 2, 2)
        investors = len({m.investor.id for m in meetings})
        projects = len({m.project.id for m in meetings})
        if as_json:
            click.echo(json.dumps({"output": str(output), "meetings": len(meetings),
                                   "investors": investors, "projects": projects}))
        else:
            click.echo(f"{len(meetings)} meetings for {investors} investors over {projects} "
                       f"projects (at most {cap} per project) written to {output}")
        return
    investor = db.session.get(Investor, investor_id)
    if investor is None:
        fail(f"Error: no investor with id {investor_id}")
    if investor.profile is None:
        fail(f"Error: investor {investor_id} ({investor.name}) has no profile yet")
    try:
        matches = operations.match_projects(investor.profile, top=top or operations.DEFAULT_TOP)
    except DomainError as error:
        fail(f"Error: {error.translated()}")
    if as_json:
        document = InvestorProjectMatches.of(matches, investor=investor).dump()
        click.echo(json.dumps(document, ensure_ascii=False))
        return
    click.echo(f"{investor.name}: {len(matches)} matches")
    for rank, m in enumerate(matches, start=1):
        click.echo(f"{rank:>3}. [{m.score:>3}] {m.project.name} (id {m.project.id})")
        for reason in m.reasons:
            click.echo(f"       - {reason['text']}")


@click.group("leads")
def leads_group() -> None:
    """Registered interest (leads): list, move (as the leads page does)."""


@leads_group.command("list")
@click.option("--project", "project_id", type=int, default=None, help="One project's leads.")
@click.option("--region", default=None, help="A prefecture or county code.")
@click.option("--status", type=click.Choice([s.value for s in LeadStatus]), default=None)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 500), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer (GET /leads).")
@with_appcontext
def leads_list_command(project_id: int | None, region: str | None, status: str | None,
                       page: int, per_page: int, as_json: bool) -> None:
    """Leads, newest first."""
    found = operations.list_leads(project_id=project_id, region_code=region, status=status,
                                  page=page, per_page=per_page)
    items = [LeadOut.of(lead) for lead in found.leads]
    lines = (f"#{item.id}  {item.status:<9}  {item.investor.name}  ->  "
             f"#{item.project.id} {item.project.name}" for item in items)
    echo_items(as_json, LeadList(items=items, page=page, per_page=per_page), lines, "No leads.")


@leads_group.command("move")
@click.argument("lead_id", type=int)
@click.argument("status", type=click.Choice([s.value for s in LeadStatus]))
@click.option("--as", "email", default=None,
              help="The staff account the move is audited under (default: the operator).")
@click.option("--json", "as_json", is_flag=True, help="Print the lead as the API answers it.")
@with_appcontext
def leads_move_command(lead_id: int, status: str, email: str | None, as_json: bool) -> None:
    """Move a lead along new -> contacted -> meeting -> signed, or drop it."""

    def move() -> Lead:
        lead = db.session.get(Lead, lead_id)
        if lead is None:
            raise NotFound(N_("There is no lead %(id)s."), id=lead_id)
        return operations.move_lead(lead, status, user=acting_user(email, Role.STAFF))

    lead = perform(move, as_json=as_json)
    if as_json:
        echo_json(LeadOut.of(lead))
    else:
        click.echo(f"Lead #{lead.id} is now {lead.status.value}.")


@click.group("profile")
def profile_group() -> None:
    """An investor's profile (what it looks for), as its profile page shows and saves it."""


def _investor(investor_id: int) -> Investor:
    investor = db.session.get(Investor, investor_id)
    if investor is None or not investor.active:
        raise NotFound(N_("There is no investor %(id)s."), id=investor_id)
    return investor


def _show_profile(profile, as_json: bool) -> None:
    out = ProfileOut.of(profile)
    if as_json:
        echo_json(out)
        return
    click.echo(f"#{out.investor.id} {out.investor.name}")
    click.echo(f"  sectors:  {', '.join(out.sectors) or '-'}")
    click.echo(f"  regions:  {', '.join(out.regions) or '-'}")
    low = format_yi(out.min_yuan) + "亿元" if out.min_yuan is not None else "-"
    high = format_yi(out.max_yuan) + "亿元" if out.max_yuan is not None else "-"
    click.echo(f"  ticket:   {low} to {high}")
    click.echo(f"  modes:    {', '.join(out.modes) or '-'}")
    click.echo(f"  keywords: {out.keywords or '-'}")


@profile_group.command("show")
@click.argument("investor_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer.")
@with_appcontext
def profile_show_command(investor_id: int, as_json: bool) -> None:
    """What the investor looks for."""

    def profile_of():
        investor = _investor(investor_id)
        if investor.profile is None:
            raise NotFound(N_("%(name)s has no profile yet."), name=investor.name)
        return investor.profile

    _show_profile(perform(profile_of, as_json=as_json), as_json)


@profile_group.command("set")
@click.argument("investor_id", type=int)
@click.option("--sector", "sectors", multiple=True, help="A sector code (repeat for more).")
@click.option("--region", "regions", multiple=True, help="A region code (repeat for more).")
@click.option("--min", "min_yuan", default=None, help="Ticket from: '1亿', '5000万'.")
@click.option("--max", "max_yuan", default=None, help="Ticket up to.")
@click.option("--mode", "modes", multiple=True, help="sole, joint_venture, … (or 独资, 合资 …).")
@click.option("--keywords", default="")
@click.option("--as", "email", default=None,
              help="The account the change is audited under and checked against (staff, or "
                   "a confirmed member of the company); default: the operator.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer.")
@with_appcontext
def profile_set_command(investor_id: int, email: str | None, as_json: bool, **fields) -> None:
    """Save what the investor looks for (it replaces the previous profile)."""

    def save():
        try:
            body = ProfileIn.model_validate({k: list(v) if isinstance(v, tuple) else v
                                             for k, v in fields.items() if v is not None})
        except ValidationError as error:
            raise refusal(error) from None
        user = acting_user(email, Role.INVESTOR, Role.STAFF)
        return operations.save_profile(_investor(investor_id), body.profile(), user=user)

    _show_profile(perform(save, as_json=as_json), as_json)


commands: list = [match_command, leads_group, profile_group]
