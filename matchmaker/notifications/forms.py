"""Notifications' forms: marking read, the user's choices, an admin's retry and test."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField
from wtforms.validators import InputRequired

from matchmaker.forms import BaseForm


class ActionForm(BaseForm):
    """A button that posts (CSRF only)."""


LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


class PreferencesForm(BaseForm):
    locale = SelectField(_l("Language of e-mails"), validators=[InputRequired()])
    email_enabled = BooleanField(_l("Send me e-mails as well as notices on the site"))
    digest_enabled = BooleanField(_l("A daily e-mail of new projects that match my profile"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = [SelectChoice(code, LANGUAGE_NAMES.get(code, code))
                               for code in current_app.config["LANGUAGES"]]
