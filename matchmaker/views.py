"""The one door helper of the pages: validate a form, call one operation, commit on success;
on a `DomainError` roll back and put the error on its field, for the page to re-render.

    @roles_required(Role.STAFF)
    def move_lead(lead_id):
        lead = load(Lead, lead_id)
        form = LeadStatusForm()
        if submit(form, lambda: operations.move_lead(lead, form.status.data, user=current_user)):
            flash(_("Lead moved."), "success")
        else:
            flash_errors(form)
        return redirect(...)

Controllers never repeat the try / rollback / commit ladder: one commit per request, made
here, after the operation (which only adds and flushes) succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import abort, flash

from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.forms import BaseForm

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What `submit` did: `done` (true when the operation succeeded; committed unless
    `commit_if` said otherwise), the operation's `result`, or the `error` it raised
    (already on the form)."""

    done: bool
    result: T | None = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.done


def submit(
    form: BaseForm,
    operation: Callable[[], T],
    *,
    commit_if: Callable[[T], bool] | None = None,
) -> Outcome[T]:
    """On a valid POST of `form`: run `operation` (one business action, which adds and
    flushes), commit, and return a true Outcome. A GET, an invalid form or a `DomainError`
    (rolled back, its message on its field or at the top of the form) return a false one.

    `commit_if(result)` false rolls the work back though the operation succeeded (a dry
    run, an import whose report says nothing is committed): the Outcome is still true."""
    if not form.validate_on_submit():
        return Outcome(False)
    try:
        result = operation()
    except DomainError as error:
        db.session.rollback()
        form.attach_error(error)
        return Outcome(False, error=error)
    if commit_if is None or commit_if(result):
        db.session.commit()
    else:
        db.session.rollback()
    return Outcome(True, result)


def flash_errors(form: BaseForm, category: str = "warning") -> None:
    """Every error of the form as flash messages, for forms that post from a list page and
    redirect back to it (there is no page to re-render them on)."""
    for message in form.form_errors:
        flash(str(message), category)
    for name, errors in form.errors.items():
        if name is None:
            continue
        for message in errors:
            flash(str(message), category)


def load(model: type[T], object_id: Any) -> T:
    """The row with this primary key, or 404."""
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found
