"""Editions pages (organisers): list, create, edit, pin the current edition.
Thin: load, validate, call one operation, commit, redirect."""

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
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.forms import BaseForm
from matchmaker.money import format_yi


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
    if form.validate_on_submit():
        try:
            edition = operations.create_edition(_input(form), user=current_user)
        except DomainError as error:
            db.session.rollback()
            form.attach_error(error)
        else:
            db.session.commit()
            flash(_("The %(year)s edition is created.", year=edition.year), "success")
            return redirect(url_for("editions.index"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "editions/index.html", form=form, editions=operations.list_editions(),
        current=operations.current_edition(),
        action_form=BaseForm(), rates_text=_rates_text,
    ), status


@roles_required(Role.ORGANIZER)
def edit(edition_id: int):
    edition = db.session.get(Edition, edition_id) or abort(404)
    form = EditionForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.year.data = edition.year
        form.name.data, form.name_en.data = edition.name, edition.name_en
        form.starts_on.data, form.ends_on.data = edition.starts_on, edition.ends_on
        form.target.data = format_yi(edition.target_yuan).replace(",", "")
        form.rates.data = _rates_text(edition)
    if form.validate_on_submit():
        try:
            operations.update_edition(edition, _input(form), user=current_user)
        except DomainError as error:
            db.session.rollback()
            form.attach_error(error)
        else:
            db.session.commit()
            flash(_("Edition saved."), "success")
            return redirect(url_for("editions.index"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("editions/edit.html", form=form, edition=edition), status


@roles_required(Role.ORGANIZER)
def pin(edition_id: int):
    edition = db.session.get(Edition, edition_id) or abort(404)
    if not BaseForm().validate_on_submit():
        abort(400)
    operations.pin_edition(edition, user=current_user)
    db.session.commit()
    flash(_("%(name)s is now the current edition on every page.", name=edition.name), "success")
    return redirect(url_for("editions.index"))


@roles_required(Role.ORGANIZER)
def unpin():
    if not BaseForm().validate_on_submit():
        abort(400)
    operations.unpin_editions(user=current_user)
    db.session.commit()
    flash(_("No edition is pinned: the latest year is current."), "success")
    return redirect(url_for("editions.index"))


def selector_choices() -> tuple[list[Edition], Edition | None]:
    """For the edition selector on every page: (editions, the current one)."""
    editions = list(db.session.scalars(sa.select(Edition).order_by(Edition.year.desc())))
    current = next((e for e in editions if e.pinned), editions[0] if editions else None)
    return editions, current
