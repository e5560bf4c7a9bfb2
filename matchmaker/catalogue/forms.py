"""Forms of the catalogue pages: new catalogue, upload, commit choice, one project."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from matchmaker.amounts import AmountError, parse_rates
from matchmaker.catalogue.models import AttachmentKind, DocumentLanguage
from matchmaker.forms import BaseForm, Finite
from matchmaker.i18n import translate
from matchmaker.reference.labels import choices


class CatalogueForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    publisher = StringField(_l("Publisher"), validators=[Optional(), Length(max=200)])
    usd_rate = DecimalField(
        _l("Exchange rate (yuan per US dollar)"), places=None,
        validators=[Optional(), Finite(), NumberRange(min=0.0001, max=1000)],
    )
    rates = StringField(
        _l("Other exchange rates, yuan per unit (e.g. EUR=7.8, HKD=0.92, JPY=0.048, GBP=9.1)"),
        validators=[Optional(), Length(max=200)],
    )
    accepts_outside = BooleanField(_l("This catalogue also lists projects outside Guizhou"))

    def validate_rates(self, field) -> None:


        try:
            field.parsed = parse_rates(field.data or "")
        except AmountError as error:
            raise ValidationError(translate(error.message)) from error


class UploadForm(BaseForm):
    file = FileField(_l("Catalogue file (.xlsx or .csv)"), validators=[FileRequired()])


class CommitForm(BaseForm):
    confirm_withdraw = BooleanField(_l("Withdraw the projects missing from this file"))
    sought_from_total = BooleanField(
        _l("The sheet has no investment-sought column: use the total investment as the investment sought for every row")
    )
    keep_unclassified = BooleanField(
        _l("Keep rows whose sector is outside the green-industry taxonomy, without a sector (to classify later)")
    )
    recheck = SubmitField(_l("Check again with these choices"))
    commit = SubmitField(_l("Import"))
    commit_valid = SubmitField(_l("Import the valid rows and skip the rejected ones"))


class ProjectForm(BaseForm):
    code = StringField(_l("Number (序号)"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Project name"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=300)])
    summary_en = TextAreaField(_l("English summary"), validators=[Optional(), Length(max=5000)])
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


class ReviewForm(BaseForm):
    """Submit, approve, or return a catalogue with a comment (the comment only for returns)."""

    comment = TextAreaField(_l("Comment for the prefectures"), validators=[Optional(), Length(max=2000)])


class AttachmentForm(BaseForm):
    """Attach one or several files to a project (the operation checks type, size, limits)."""

    files = MultipleFileField(_l("Files (PDF, Word, Excel, PowerPoint, JPEG, PNG, WebP)"))
    kind = SelectField(_l("What the files are"), choices=choices(AttachmentKind))
    language = SelectField(_l("Language of the document"), choices=choices(DocumentLanguage))
    title = StringField(_l("Title in Chinese (optional, one file)"),
                        validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Title in English (optional, one file)"),
                           validators=[Optional(), Length(max=200)])


class ReplaceAttachmentForm(BaseForm):
    """A corrected file in place of an attachment's (same kind, title and language)."""

    file = FileField(_l("New file"), validators=[FileRequired()])
