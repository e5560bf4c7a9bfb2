"""Configuration: defaults here, then instance/config.py, then MATCHMAKER_* variables."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the source checkout (or site-packages)
PACKAGE = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-secret-key-change-me"
MIN_SECRET_KEY_LENGTH = 32
MIN_SECRET_KEY_BITS = 128


def resource_dir(name: str) -> Path:
    """`templates`, `static` or `data`: the copy a wheel carries inside the package
    (`matchmaker/_bundled/NAME`, put there by setup.py at build time), else the top-level
    folder of the source checkout (editable installs, tests)."""
    bundled = PACKAGE / "_bundled" / name
    return bundled if bundled.is_dir() else ROOT / name


def default_instance_path() -> str:
    """MATCHMAKER_INSTANCE, else ./instance in the working directory - never the folder the
    package is installed in (a wheel would put the database inside site-packages)."""
    return os.environ.get("MATCHMAKER_INSTANCE") or str(Path.cwd() / "instance")


def secret_key_problem(key: object) -> str | None:
    """Why a SECRET_KEY may not sign production sessions, or None when it may.

    A guessable key lets anyone forge a session cookie (an admin's): 'x' was recovered from
    an anonymous cookie in 0.01 s. Required: at least 32 characters and an estimated 128
    bits (length x log2 of the distinct characters used; `secrets.token_hex(32)` has 256)."""
    if not isinstance(key, str | bytes) or not key:
        return "SECRET_KEY is empty"
    text = key.decode("latin-1") if isinstance(key, bytes) else key
    if text == DEV_SECRET_KEY:
        return "SECRET_KEY is the development key"
    if len(text) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY has {len(text)} characters; use at least {MIN_SECRET_KEY_LENGTH}"
    bits = len(text) * math.log2(max(len(set(text)), 2))
    if len(set(text)) < 8 or bits < MIN_SECRET_KEY_BITS:
        return "SECRET_KEY is too predictable (too few different characters)"
    return None


class Defaults:
    ENV = "development"
    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI: str | None = None  # set from the instance folder when None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024  # upload limit, bytes
    # Project attachments (feasibility studies, land documents, photos): one file at most
    # this big (and never above MAX_CONTENT_LENGTH), at most this many and this much per project.
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    ATTACHMENT_MAX_COUNT = 30
    ATTACHMENT_MAX_TOTAL_BYTES = 100 * 1024 * 1024
    # werkzeug's method for new password hashes; tests set a cheap one, production
    # refuses anything but scrypt (matchmaker.accounts.init_app).
    PASSWORD_HASH_METHOD = "scrypt"
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    DATA_DIR = str(resource_dir("data"))
    # Services shared by every worker and machine; none needed for one local process.
    REDIS_URL: str | None = None  # rate-limit counters, job queue
    RATE_LIMITS = True
    LOGIN_LIMIT = "10 per minute;50 per hour"  # per IP address, and per e-mail
    SIGNUP_LIMIT = "5 per minute;30 per hour"
    API_WRITE_LIMIT = "120 per minute"  # per token
    HSTS_SECONDS = 0  # production: one year (PRODUCTION_DEFAULTS)
    TRUSTED_PROXIES = 0  # reverse proxies in front that set X-Forwarded-For/-Proto/-Host
    REQUEST_LOG = True  # one line per request (method, path, status, time)
    # Matching weights (issue: matching); read by the matching feature.
    MATCH_WEIGHTS = {"sector": 35, "region": 20, "amount": 20, "mode": 10, "text": 15}
    # The candidate stage (same answers, a fraction of the work); False scores every project.
    MATCH_CANDIDATES = True
    # Yuan per US dollar for investors' ticket sizes typed in USD (shown with the result).
    MATCH_USD_RATE = "7.10"
    # The negotiation zone's scheduler: auto (greedy, then CP-SAT when it falls short on a
    # small enough instance), greedy or cpsat; CP-SAT's time limit in seconds.
    ZONE_SCHEDULER = "auto"
    ZONE_SOLVER_SECONDS = 10
    # Letters of intent are shown apart and not counted as signed unless chosen.
    SIGNING_COUNT_INTENT = False
    # Follow-through: an agreement with no progress for this many days is on its
    # prefecture's to-do list (and `matchmaker followup remind` tells its staff).
    FOLLOWUP_REMINDER_DAYS = 90
    # Snapshots of the search index and the matching matrix (issue 17): written after each
    # full build, mapped by every worker that starts (shared pages, no rebuild). None: the
    # folder `snapshots` in the instance folder (MATCHMAKER_SNAPSHOT_DIR to move it).
    SNAPSHOTS = True
    SNAPSHOT_DIR: str | None = None


def _parse_env_value(raw: str):
    try:
        return json.loads(raw)
    except ValueError:
        return raw


PRODUCTION_DEFAULTS = {
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
    "PREFERRED_URL_SCHEME": "https",
    "HSTS_SECONDS": 31_536_000,  # Strict-Transport-Security: one year
}


def load_config(app, test_config: dict | None) -> None:
    app.config.from_object(Defaults)
    before = dict(app.config)
    app.config.from_pyfile("config.py", silent=True)
    overridden = {k for k, v in app.config.items() if k not in before or before[k] is not v}
    for key, raw in os.environ.items():
        if not key.startswith("MATCHMAKER_") or key in ("MATCHMAKER_INSTANCE",):
            continue
        name = key.removeprefix("MATCHMAKER_")
        if name == "DATABASE_URL":
            name = "SQLALCHEMY_DATABASE_URI"
        app.config[name] = _parse_env_value(raw) if name not in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI") else raw
        overridden.add(name)
    if test_config:
        app.config.update(test_config)
        overridden |= set(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "matchmaker.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is empty: set MATCHMAKER_SECRET_KEY")
    if app.config["ENV"] == "production":
        problem = secret_key_problem(app.config["SECRET_KEY"])
        if problem:
            raise RuntimeError(
                f"Refusing to start in production: {problem}. Set MATCHMAKER_SECRET_KEY, e.g. "
                "to the output of: python3 -c 'import secrets; print(secrets.token_hex(32))'"
            )
        # Production defaults (an instance config or MATCHMAKER_* may still override them).
        for name, value in PRODUCTION_DEFAULTS.items():
            if name not in overridden:
                app.config[name] = value
