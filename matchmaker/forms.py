"""The one base form every form subclasses: CSRF on, DomainErrors mapped onto fields."""

from __future__ import annotations

from flask_wtf import FlaskForm

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
