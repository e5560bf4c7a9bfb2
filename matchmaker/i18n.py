"""Messages from pure cores, translated at the door.

Pure cores (parser, scorer, amount parser) cannot call Flask-Babel. They mark their
English message templates with `N_` (so `pybabel extract -k N_` finds them) and return
`Message(template, params)`. The web page, API and CLI call `translate(message)`,
which uses the request's locale (or the app's default outside a request).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def N_(template: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction without translating it here."""
    return template


@dataclass(frozen=True)
class Message:
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:  # English, for logs and tests
        return self.template % self.params if self.params else self.template


def translate(message: Message | str, **params: Any) -> str:
    """Translate a Message (or a plain msgid with params) in the current locale."""
    from flask_babel import gettext

    if isinstance(message, Message):
        template, values = message.template, {**message.params, **params}
    else:
        template, values = message, params
    # Parameters that are Messages themselves (a reason inside a sentence) are translated too.
    values = {k: translate(v) if isinstance(v, Message) else v for k, v in values.items()}
    translated = gettext(template)
    return translated % values if values else translated
