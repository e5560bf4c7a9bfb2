"""Forms of the catalogue pages: new catalogue, upload, commit choice, one project."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from matchmaker.forms import BaseForm, Finite


class CatalogueForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    publisher = StringField(_l("Publisher"), validators=[Optional(), Length(max=200)])
    usd_rate = DecimalField(
        _l("Exchange rate (yuan per US dollar)"), places=None,
        validators=[Optional(), Finite(), NumberRange(min=0.000001, max=1000)],
    )


class UploadForm(BaseForm):
    file = FileField(_l("Catalogue file (.xlsx or .csv)"), validators=[FileRequired()])


class CommitForm(BaseForm):
    confirm_withdraw = BooleanField(_l("Withdraw the projects missing from this file"))
    commit = SubmitField(_l("Import"))
    commit_valid = SubmitField(_l("Import the valid rows and skip the rejected ones"))


class ProjectForm(BaseForm):
    code = StringField(_l("Number (序号)"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Project name"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=300)])
    sectors = StringField(_l("Sectors (separate with 、)"), validators=[DataRequired()])
    location = StringField(_l("Location"), validators=[DataRequired(), Length(max=300)])
    total_investment = StringField(_l("Total investment (亿元 unless written, e.g. 5000万)"))
    investment_sought = StringField(
        _l("Investment sought (亿元 unless written, e.g. 5000万)"), validators=[DataRequired()]
    )
    cooperation_modes = StringField(_l("Cooperation modes (独资、合资、合作、PPP、股权合作)"))
    construction_content = TextAreaField(_l("Construction content"))
    market_outlook = TextAreaField(_l("Market outlook"))
    preparation_status = TextAreaField(_l("Preparation status"))
    owner = StringField(_l("Owner"), validators=[Optional(), Length(max=300)])
    contact_person = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=100)])
