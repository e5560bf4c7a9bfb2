"""The application factory."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy.exc
from flask import Flask, current_app, g, has_request_context, request, session, url_for
from flask_babel import get_locale, refresh
from flask_babel import lazy_gettext as _l
from flask_login import user_logged_in
from werkzeug.middleware.proxy_fix import ProxyFix

import matchmaker.models  # noqa: F401 - every model registered before use
from matchmaker import (
    accounts,
    cache,
    catalogue,
    door,
    investors,
    matching,
    meetings,
    notifications,
    search,
)
from matchmaker.accounts import limits
from matchmaker.accounts.blueprint import bp as accounts_bp
from matchmaker.accounts.models import User
from matchmaker.api import bp as api_bp
from matchmaker.catalogue import api as _catalogue_api  # noqa: F401 - each feature's API routes
from matchmaker.catalogue import tasks as _catalogue_tasks  # noqa: F401 - registers job kinds
from matchmaker.catalogue.blueprint import bp as catalogue_bp
from matchmaker.cli import register_commands
from matchmaker.config import default_instance_path, load_config, resource_dir
from matchmaker.db import MIGRATIONS_DIR
from matchmaker.editions.blueprint import bp as editions_bp
from matchmaker.editions.operations import current_edition
from matchmaker.editions.rates import rate_for
from matchmaker.errors import register_error_handlers
from matchmaker.extensions import babel, csrf, db, login, migrate
from matchmaker.followup import api as _followup_api  # noqa: F401
from matchmaker.followup.blueprint import bp as followup_bp
from matchmaker.health import bp as health_bp
from matchmaker.home.blueprint import bp as home_bp
from matchmaker.i18n import LANG_COOKIE, LANG_COOKIE_AGE
from matchmaker.investors import api as _investors_api  # noqa: F401
from matchmaker.investors.blueprint import bp as investors_bp
from matchmaker.jobs_pages import bp as jobs_bp
from matchmaker.matching import api as _matching_api  # noqa: F401
from matchmaker.matching import tasks as _matching_tasks  # noqa: F401 - registers job kinds
from matchmaker.matching.blueprint import bp as matching_bp
from matchmaker.meetings import api as _meetings_api  # noqa: F401
from matchmaker.meetings.blueprint import bp as meetings_bp
from matchmaker.money import format_amount_en, format_money, format_original, format_yi, yuan_str
from matchmaker.notifications import api as _notifications_api  # noqa: F401
from matchmaker.notifications.blueprint import bp as notifications_bp
from matchmaker.reference import labels
from matchmaker.reference.loaders import draft_english
from matchmaker.search import api as _search_api  # noqa: F401
from matchmaker.search.blueprint import bp as search_bp
from matchmaker.signing import api as _signing_api  # noqa: F401
from matchmaker.signing.blueprint import bp as signing_bp
from matchmaker.text import is_cjk

request_log = logging.getLogger("matchmaker.request")

# Features with an `init_app(app)`: signal subscriptions, session hooks, config checks.
FEATURES = (accounts, catalogue, search, investors, matching, notifications, meetings)

__all__ = ["MIGRATIONS_DIR", "create_app"]


def _profile_language(_app, user=None, **_extra) -> None:
    """Signing in brings the person's language (their profile's) to this device."""
    if user is not None and getattr(user, "locale", None):
        session["locale"] = user.locale


def select_locale() -> str:
    """The page's language: ?lang= (a switch), else the choice kept in the session (signing
    in puts the profile's language there) or the language cookie, else the browser's
    Accept-Language (the first visit; also every API call), else the default (Chinese)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work: the configured default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    for choice in (request.args.get("lang"), session.get("locale"), request.cookies.get(LANG_COOKIE)):
        if choice in languages:
            return choice
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        "matchmaker",
        instance_path=default_instance_path(),
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    load_config(app, test_config)
    app.extensions["matchmaker.pid"] = os.getpid()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    cache.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).resolve().parent / "translations"),
    )
    _init_login(app)
    limits.init_app(app)
    for feature in FEATURES:
        feature.init_app(app)
    door.register_converters(app)
    _register_blueprints(app)
    register_error_handlers(app)
    labels.init_app(app)
    _register_template_helpers(app)
    door.init_app(app)
    register_commands(app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:  # behind a reverse proxy: the client's address for logs and rate limits
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def _init_login(app: Flask) -> None:
    login.init_app(app)
    login.login_view = "accounts.login"
    login.login_message = _l("Please sign in to see this page.")
    login.login_message_category = "warning"

    @login.user_loader
    def load_user(session_id: str):
        # "<id>:<session version>": signing out, a password reset, a role change or
        # deactivation bumps the version, and every copy of an older cookie stops working.
        user_id, _sep, version = (session_id or "").partition(":")
        if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
            return None
        try:
            user = db.session.get(User, int(user_id)) if int(user_id) < 2**31 else None
        except sqlalchemy.exc.OperationalError:  # database down: the 503 page renders
            db.session.rollback()
            return None
        if user is None or user.session_version != int(version):
            return None
        return user


def _register_blueprints(app: Flask) -> None:
    csrf.exempt(health_bp)
    for blueprint in (health_bp, jobs_bp, home_bp, accounts_bp, editions_bp, catalogue_bp, search_bp,
                      investors_bp, matching_bp, signing_bp, followup_bp, notifications_bp, meetings_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, not cookies
    app.register_blueprint(api_bp)


def _register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def inject_helpers():
        locale = str(get_locale() or "zh")

        def localized(obj, field: str = "name") -> str:
            """The English name in English pages when there is one, else the Chinese."""
            if obj is None:
                return ""
            if locale == "en":
                return getattr(obj, f"{field}_en", None) or getattr(obj, field)
            return getattr(obj, field)

        def money(yuan, holder=None) -> str:
            """'162.35亿元' in Chinese; 'RMB 16.24 billion (≈ USD 2.29 billion at 7.10)' in
            English, at the US-dollar rate of `holder` (a catalogue, session or edition;
            by default the current edition), without the dollars when none is set."""
            usd = None
            if locale == "en":
                if holder is None:
                    if "money_edition" not in g:
                        g.money_edition = current_edition()
                    holder = g.money_edition
                rate = rate_for("USD", holder) if holder is not None else None
                usd = rate.yuan_per_unit if rate is not None else None
            return format_money(yuan, locale, usd)

        def usd_note(yuan, holder=None) -> str:
            """'≈ USD 2.29 billion at 7.10' (English pages' figures), '' without a rate."""
            text = money(yuan, holder) if locale == "en" and yuan is not None else ""
            return text[text.index("(") + 1:-1] if "(≈" in text else ""

        def lang_url(lang: str) -> str:
            """The language switch for this page: it keeps the choice (and the signed-in
            person's profile) and comes back here with the query and filters kept."""
            args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
            here = f"{request.path}?{urlencode(args)}" if args else request.path
            return url_for("home.switch_language", lang=lang, next=here)

        return {
            "lang_url": lang_url,
            "draft_name": draft_english,
            "money": money,
            "usd_note": usd_note,
            "rmb_en": format_amount_en,
            "format_yi": format_yi,
            "format_original": format_original,
            "yuan_str": yuan_str,
            "locale": locale,
            "localized": localized,
            "endpoints": app.view_functions,
        }

    user_logged_in.connect(_profile_language, app)

    @app.before_request
    def remember_locale():
        lang = request.args.get("lang")
        if lang in app.config["LANGUAGES"]:
            session["locale"] = lang
            g.remember_lang = lang
        # Flask-Babel caches the locale on `g`; a reused app context (tests, the CLI
        # serving requests) must not keep the previous request's language.
        refresh()
        g.locale = select_locale()

    @app.after_request
    def remember_lang_cookie(response):
        lang = g.get("remember_lang")
        if lang:
            response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_AGE, samesite="Lax",
                                secure=request.is_secure, httponly=True)
        return response

    @app.template_test("chinese")
    def has_chinese(value) -> bool:
        """`{% if text is chinese %}`: the text has Chinese characters (English pages mark it)."""
        return any(is_cjk(ch) for ch in str(value or ""))

    @app.template_filter("json_text")
    def json_text(value) -> str:
        """JSON for people: Chinese as written, not as \\u escapes (autoescaped)."""
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        if app.config.get("REQUEST_LOG"):
            started = g.get("request_started")
            elapsed = (time.perf_counter() - started) * 1000 if started else 0.0
            request_log.info(
                "%s %s %s %.1fms %s", request.method, request.full_path.rstrip("?"),
                response.status_code, elapsed, request.remote_addr or "-",
            )
        return response

    @app.after_request
    def security_headers(response):
        if app.config.get("HSTS_SECONDS"):
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={int(app.config['HSTS_SECONDS'])}"
            )
        # Only our own scripts and styles; inline style attributes are allowed for bar
        # widths in charts, inline scripts are not.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
            "form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
