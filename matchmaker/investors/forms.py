"""Forms of the investor pages: list import, merging, claims, review."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, Optional

from matchmaker.forms import BaseForm


class InvestorImportForm(BaseForm):
    file = FileField(_l("Investor list (.xlsx or .csv: name, name_en, aliases, kind, country)"))
    merge_duplicates = BooleanField(
        _l("Merge rows that are possible duplicates into the known company (as an alias)")
    )
    skip_invalid = BooleanField(_l("Import the valid rows and skip the rejected ones"))


class MergeForm(BaseForm):
    survivor = IntegerField(_l("Keep this investor (id)"), validators=[DataRequired()])
    other = IntegerField(_l("Merge this investor into it (id)"), validators=[DataRequired()])


class ResolveForm(BaseForm):
    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=300)])


class ReviewForm(BaseForm):
    name = StringField(_l("Name (correct it if needed)"), validators=[Optional(), Length(max=300)])


class DecisionForm(BaseForm):
    decision = HiddenField(validators=[DataRequired()])
