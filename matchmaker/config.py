"""Configuration: defaults here, then instance/config.py, then MATCHMAKER_* variables."""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-secret-key-change-me"


class Defaults:
    ENV = "development"
    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI: str | None = None  # set from the instance folder when None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024  # upload limit, bytes
    # werkzeug's method for new password hashes; tests set a cheap one, production
    # refuses anything but scrypt (matchmaker.accounts.init_app).
    PASSWORD_HASH_METHOD = "scrypt"
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    DATA_DIR = str(ROOT / "data")
    # Matching weights (issue: matching); read by the matching feature.
    MATCH_WEIGHTS = {"sector": 35, "region": 20, "amount": 20, "mode": 10, "text": 15}
    # Yuan per US dollar for investors' ticket sizes typed in USD (shown with the result).
    MATCH_USD_RATE = "7.10"
    # Letters of intent are shown apart and not counted as signed unless chosen.
    SIGNING_COUNT_INTENT = False


def _parse_env_value(raw: str):
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def load_config(app, test_config: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for key, raw in os.environ.items():
        if not key.startswith("MATCHMAKER_") or key in ("MATCHMAKER_INSTANCE",):
            continue
        name = key.removeprefix("MATCHMAKER_")
        if name == "DATABASE_URL":
            name = "SQLALCHEMY_DATABASE_URI"
        app.config[name] = _parse_env_value(raw) if name not in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI") else raw
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "matchmaker.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if app.config["ENV"] == "production" and app.config["SECRET_KEY"] == DEV_SECRET_KEY:
        raise RuntimeError(
            "Refusing to start in production with the development SECRET_KEY: "
            "set MATCHMAKER_SECRET_KEY"
        )
