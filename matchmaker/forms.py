"""The one base form every form subclasses: CSRF on, DomainErrors mapped onto fields."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from matchmaker.errors import DomainError


class BaseForm(FlaskForm):
    def attach_error(self, error: DomainError) -> None:
        """Show an operation's error next to its field (or at the top of the form)."""
        field = getattr(self, error.field, None) if error.field else None
        message = error.translated()
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            self.form_errors.append(message)


class Finite:
    """A DecimalField's value is a finite number: 'NaN', 'sNaN' and 'Infinity' parse as
    Decimals, and comparing a signalling NaN (NumberRange) raises instead of failing."""

    def __call__(self, form, field) -> None:
        if isinstance(field.data, Decimal) and not field.data.is_finite():
            field.data = None
            raise ValidationError(_l("Enter a number."))
