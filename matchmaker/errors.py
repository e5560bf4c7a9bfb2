"""Domain errors raised by operations, and the HTTP error handlers.

Operations raise a `DomainError` with a translatable message (and, for forms, the field it
belongs to); the web page shows it next to the field, the API answers
`{"error": {"code", "message"}}` with the error's status, and the CLI prints it and exits 1.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy.exc
from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from matchmaker.i18n import Message, translate


class DomainError(Exception):
    code = "invalid"
    status = 400

    def __init__(self, message: Message | str, *, field: str | None = None, **params: Any):
        self.message = message if isinstance(message, Message) else Message(message, params)
        self.field = field
        super().__init__(str(self.message))

    def translated(self) -> str:
        return translate(self.message)


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


def wants_json() -> bool:
    return request.path.startswith("/api/")


def api_error(code: str, message: str, status: int, **extra: Any):
    body: dict[str, Any] = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), status


def register_error_handlers(app) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        if wants_json():
            extra = {"field": error.field} if error.field else {}
            return api_error(error.code, error.translated(), error.status, **extra)
        return (
            render_template("error.html", status=error.status, message=error.translated()),
            error.status,
        )

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        message = _("The form expired or was not sent from this site. Reload the page and try again.")
        if wants_json():
            return api_error("csrf", message, 400)
        return render_template("error.html", status=400, message=message), 400


    @app.errorhandler(sqlalchemy.exc.OperationalError)
    @app.errorhandler(sqlalchemy.exc.InterfaceError)
    def handle_database_down(error):
        """The database cannot be reached (or is locked): 503, try again; never a 500."""
        try:  # the app's Flask-SQLAlchemy (errors sits below extensions: no import)
            current_app.extensions["sqlalchemy"].session.rollback()
        except sqlalchemy.exc.SQLAlchemyError:
            pass
        app.logger.error("database unavailable: %s", str(error).splitlines()[0])
        message = _("The database is not available right now; nothing was saved. Try again shortly.")
        if wants_json():
            body = api_error("unavailable", message, 503)[0]
        else:
            body = render_template("error.html", status=503, message=message)
        return body, 503, {"Retry-After": "5"}

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        messages = {
            400: _("The request could not be understood."),
            401: _("Please sign in first."),
            403: _("You do not have permission to do this."),
            404: _("Not found."),
            405: _("This method is not allowed here."),
            413: _("The file is too large."),
            429: _("Too many requests; try again shortly."),
            500: _("Something went wrong on our side; nothing was saved. Please try again."),
        }
        message = messages.get(error.code or 500, error.description or "")
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            return api_error(code, message, error.code or 500)
        return render_template("error.html", status=error.code, message=message), error.code
