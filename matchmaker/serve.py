"""`matchmaker serve`: the production server.

gunicorn (pre-forked workers, each with a few threads) on Linux and macOS; waitress where
gunicorn cannot run (Windows) or when asked (`--server waitress`). Production settings
(ENV=production: a strong SECRET_KEY required, secure cookies, HSTS), no demo data, one
log line per request, graceful shutdown on SIGTERM (requests in flight finish, within
`--graceful-timeout`). The database must be migrated first (`matchmaker init`): with
several machines, migrations run once, by the operator, not by every server that starts.
"""

from __future__ import annotations

import logging
import os
import sys
import time

import click
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from matchmaker.app import create_app
from matchmaker.cache import identify_database
from matchmaker.console import fail
from matchmaker.extensions import db
from matchmaker.investors.resolution import investor_resolver
from matchmaker.matching.operations import ProfileInput, match_projects, matching_context
from matchmaker.search.core import SearchRequest
from matchmaker.search.index import current_index
from matchmaker.search.operations import search_projects

log = logging.getLogger(__name__)


def default_workers() -> int:
    """One worker per core, at least 2: the matching and search work is CPU-bound, and each
    worker holds its own search index in memory (see README for the figures)."""
    return max(2, os.cpu_count() or 1)


def production_app():
    """The app each worker serves (production settings unless MATCHMAKER_ENV says other)."""

    os.environ.setdefault("MATCHMAKER_ENV", "production")
    return create_app()


def check_database(app) -> str | None:
    """None when the database answers and is migrated to the newest revision."""


    with app.app_context():
        try:
            with db.engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
        except (sa.exc.SQLAlchemyError, OSError) as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            return f"cannot open the database set by MATCHMAKER_DATABASE_URL: {reason}"
        finally:
            db.engine.dispose()
        config = app.extensions["migrate"].migrate.get_config()
        heads = set(ScriptDirectory.from_config(config).get_heads())
        if current != heads:
            return "the database is not migrated to this version: run `matchmaker init` first"
    return None


WARM_QUERY = "光伏"  # a word that finds projects in any catalogue of the platform's kind


def warm_caches(app) -> float:
    """Build the search index and the matching matrix once, in the master, before the
    workers fork: they inherit both (copy-on-write) and answer their first search at once
    instead of each paying seconds at 100,000 projects. One search and one match run here
    too, so that what the first request of each kind makes lazily (the query vocabulary,
    filter masks, the candidate stage's tables, the pinyin and text dictionaries) is made
    once and inherited, not once per worker. Returns the seconds it took."""
    started = time.perf_counter()
    with app.app_context():
        try:
            identify_database()  # snapshots are written only for a database with an identity
            with current_index():
                pass
            matching_context()
            investor_resolver()
            search_projects(SearchRequest(q=WARM_QUERY))
            match_projects(ProfileInput(keywords=WARM_QUERY))
        finally:
            db.session.remove()
            db.engine.dispose()
    return time.perf_counter() - started


def _hide_server_banner() -> None:
    """gunicorn always writes `Server: gunicorn`; the platform names no software."""
    from gunicorn.http import wsgi

    original = wsgi.Response.default_headers

    def default_headers(self):
        return [h for h in original(self) if not h.lower().startswith("server:")]

    wsgi.Response.default_headers = default_headers


def run_gunicorn(app, *, host: str, port: int, workers: int, threads: int, timeout: int,
                 graceful_timeout: int) -> None:
    from gunicorn.app.base import BaseApplication

    _hide_server_banner()

    class Server(BaseApplication):
        def load_config(self):
            settings = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread" if threads > 1 else "sync",
                "timeout": timeout,
                "graceful_timeout": graceful_timeout,
                "keepalive": 5,
                "preload_app": True,  # import once, fork: faster start, shared pages
                "accesslog": None,  # the app logs each request (with its duration)
                "errorlog": "-",
                "loglevel": "info",
                "proc_name": "matchmaker",
                "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
                "post_fork": _post_fork,
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    Server().run()


def _post_fork(_server, _worker) -> None:
    # Connections opened before the fork must not be shared between processes.

    app = _APP[0]
    with app.app_context():
        db.engine.dispose(close=False)


_APP: list = []


def run_waitress(app, *, host: str, port: int, threads: int) -> None:
    import waitress

    waitress.serve(app, host=host, port=port, threads=threads, ident="",
                   trusted_proxy=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
                   trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"},
                   clear_untrusted_proxy_headers=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (behind a reverse proxy: keep 127.0.0.1).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes (default: one per core, at least 2).")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker.")
@click.option("--timeout", default=120, show_default=True, type=click.IntRange(5, 3600),
              help="Seconds before a stuck worker is restarted.")
@click.option("--graceful-timeout", default=30, show_default=True, type=click.IntRange(1, 600),
              help="Seconds requests in flight get to finish on shutdown (SIGTERM).")
@click.option("--warm/--no-warm", default=True, show_default=True,
              help="Build the search index and matching matrix before the workers fork.")
@click.option("--server", "server_name", type=click.Choice(["auto", "gunicorn", "waitress"]),
              default="auto", show_default=True)
def serve_command(host, port, workers, threads, timeout, graceful_timeout, warm, server_name) -> None:
    """Serve with the production server (gunicorn, or waitress); no demo data."""

    try:
        app = production_app()
    except RuntimeError as error:
        fail(f"Error: {error}")
    problem = check_database(app)
    if problem:
        fail(f"Error: {problem}")
    _APP[:] = [app]
    if warm:
        click.echo(f"caches ready in {warm_caches(app):.1f} s", err=True)
    workers = workers or default_workers()
    if server_name == "auto":
        server_name = "gunicorn" if sys.platform != "win32" else "waitress"
    click.echo(f"matchmaker serving on http://{host}:{port}/ with {server_name}"
               + (f" ({workers} workers x {threads} threads)" if server_name == "gunicorn" else
                  f" ({threads} threads)"), err=True)
    if server_name == "gunicorn":
        run_gunicorn(app, host=host, port=port, workers=workers, threads=threads,
                     timeout=timeout, graceful_timeout=graceful_timeout)
    else:
        run_waitress(app, host=host, port=port, threads=threads)
