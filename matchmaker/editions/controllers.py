"""Editions pages (organisers): list, create, edit, pin the current edition.
Thin: load, then `views.submit` (validate, call one operation, commit), redirect."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.editions import operations
from matchmaker.editions.forms import EditionForm
from matchmaker.editions.models import Edition
from matchmaker.extensions import db
from matchmaker.forms import BaseForm
from matchmaker.money import format_yi
from matchmaker.views import load, submit


def _input(form: EditionForm) -> operations.EditionInput:
    return operations.EditionInput(
        year=form.year.data,
        name=form.name.data or "",
        name_en=form.name_en.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        target=form.target.data or "",
        rates=form.rates.data or "",
    )


def _rates_text(edition: Edition) -> str:
    return ", ".join(f"{code}={rate}" for code, rate in sorted((edition.rates or {}).items()))


@roles_required(Role.ORGANIZER)
def index():
    form = EditionForm()
    outcome = submit(form, lambda: operations.create_edition(_input(form), user=current_user))
    if outcome:
        flash(_("The %(year)s edition is created.", year=outcome.result.year), "success")
        return redirect(url_for("editions.index"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "editions/index.html", form=form, editions=operations.list_editions(),
        current=operations.current_edition(),
        action_form=BaseForm(), rates_text=_rates_text,
    ), status


@roles_required(Role.ORGANIZER)
def edit(edition_id: int):
    edition = load(Edition, edition_id)
    form = EditionForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.year.data = edition.year
        form.name.data, form.name_en.data = edition.name, edition.name_en
        form.starts_on.data, form.ends_on.data = edition.starts_on, edition.ends_on
        form.target.data = format_yi(edition.target_yuan).replace(",", "")
        form.rates.data = _rates_text(edition)
    if submit(form, lambda: operations.update_edition(edition, _input(form), user=current_user)):
        flash(_("Edition saved."), "success")
        return redirect(url_for("editions.index"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("editions/edit.html", form=form, edition=edition), status


@roles_required(Role.ORGANIZER)
def pin(edition_id: int):
    edition = load(Edition, edition_id)
    if not submit(BaseForm(), lambda: operations.pin_edition(edition, user=current_user)):
        abort(400)
    flash(_("%(name)s is now the current edition on every page.", name=edition.name), "success")
    return redirect(url_for("editions.index"))


@roles_required(Role.ORGANIZER)
def unpin():
    if not submit(BaseForm(), lambda: operations.unpin_editions(user=current_user)):
        abort(400)
    flash(_("No edition is pinned: the latest year is current."), "success")
    return redirect(url_for("editions.index"))


def selector_choices() -> tuple[list[Edition], Edition | None]:
    """For the edition selector on every page: (editions, the current one)."""
    editions = list(db.session.scalars(sa.select(Edition).order_by(Edition.year.desc())))
    current = next((e for e in editions if e.pinned), editions[0] if editions else None)
    return editions, current
