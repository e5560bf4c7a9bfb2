from flask import current_app, redirect, render_template, request, session
from flask_login import current_user
from werkzeug.exceptions import NotFound

from matchmaker.editions.selection import selected_edition
from matchmaker.extensions import db
from matchmaker.home.operations import headline_figures
from matchmaker.i18n import LANG_COOKIE, LANG_COOKIE_AGE
from matchmaker.validation import local_path


def index():
    edition = selected_edition()
    figures = headline_figures(count_intent=current_app.config["SIGNING_COUNT_INTENT"], edition=edition)
    return render_template("home/index.html", figures=figures, edition=edition)


def switch_language(lang: str):
    """The language link: keep the choice (session, a year-long cookie, and the profile of a
    signed-in person, so their other devices follow) and go back to the page, its query and
    filters kept (`next`, a path on this site)."""
    if lang not in current_app.config["LANGUAGES"]:
        raise NotFound()
    session["locale"] = lang
    if current_user.is_authenticated and getattr(current_user, "locale", None) != lang:
        current_user.locale = lang  # a preference, not a business write: no operation
        db.session.commit()
    response = redirect(local_path(request.args.get("next")) or "/")
    response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_AGE, samesite="Lax",
                        secure=request.is_secure, httponly=True)
    return response
