from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from matchmaker.accounts.models import Role
from matchmaker.forms import BaseForm
from matchmaker.reference.labels import choices


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class SignupForm(BaseForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    # Optional: naming a known company files a claim that staff or a member approve.
    organisation = StringField(_l("Your company (optional)"), validators=[Length(max=300)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


ROLE_CHOICES = choices(Role)


class UserForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[Length(max=100)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class EmptyForm(BaseForm):
    """A form with nothing but the CSRF token: for buttons that POST."""
