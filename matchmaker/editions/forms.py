"""Forms of the editions pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from matchmaker.forms import BaseForm


class EditionForm(BaseForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=300)])
    starts_on = DateField(_l("First day"), validators=[Optional()])
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    target = StringField(_l("Signing target (亿元)"), validators=[Optional(), Length(max=40)])
    rates = StringField(
        _l("Exchange rates, yuan per unit (e.g. USD=7.1, EUR=7.8, HKD=0.92)"),
        validators=[Optional(), Length(max=200)],
    )
