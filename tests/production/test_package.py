"""The wheel installs anywhere: templates, static files and data travel inside it, the
instance folder is the working directory's, and the installed `matchmaker serve` answers.

Audit: `pip install .` gave a package without templates/static/data whose `matchmaker init`
died on `…/site-packages/data/sectors.json` and whose database went into site-packages."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.package,  # the slowest module: skip it while you work, CI runs it
    pytest.mark.skipif(not (ROOT / "setup.py").exists(), reason="not a source checkout"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment outside the checkout with the built wheel installed
    (dependencies from pip's cache or PyPI)."""
    base = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(ROOT)])
    wheel = next((base / "dist").glob("matchmaker-*.whl"))
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", str(wheel)])
    site = base / "site"
    site.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MATCHMAKER_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    return {"venv": venv, "python": python, "site": site, "env": env, "wheel": wheel}


def test_the_wheel_carries_templates_static_and_data(installed):
    import zipfile

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for needed in ("matchmaker/_bundled/templates/base.html", "matchmaker/_bundled/static/css/site.css",
                   "matchmaker/_bundled/data/sectors.json", "matchmaker/_bundled/data/regions.json",
                   "matchmaker/_bundled/data/demo/catalogue-2023.xlsx",
                   "matchmaker/translations/zh/LC_MESSAGES/messages.mo"):
        assert needed in names, needed
    assert any(n.startswith("matchmaker/migrations/versions/") for n in names)


def test_init_demo_and_serve_from_the_installed_wheel(installed):
    site, env = installed["site"], installed["env"]
    matchmaker = str(installed["venv"] / "bin" / "matchmaker")
    out = _run([matchmaker, "init"], cwd=site, env=env)
    assert "reference data loaded" in out.stdout
    assert (site / "instance" / "matchmaker.sqlite").is_file()  # the working directory's
    purelib = _run([str(installed["python"]), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                   env=env).stdout.strip()
    assert not list(Path(purelib).rglob("*.sqlite"))
    demo = _run([matchmaker, "demo"], cwd=site, env=env)
    assert "220 projects" in demo.stdout

    port = _free_port()
    serve_env = {**env, "MATCHMAKER_SECRET_KEY": os.urandom(32).hex()}
    server = subprocess.Popen([matchmaker, "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
                              cwd=site, env=serve_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as ready:
                    assert json.load(ready)["status"] == "ready"
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the installed server did not answer in 60 s"
                time.sleep(0.3)
        query = urllib.parse.quote("光伏")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/projects?q={query}", timeout=30) as page:
            html = page.read().decode()
            assert page.status == 200 and "Server" not in page.headers
            assert "光伏" in html and 'href="/static/css/site.css' in html
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/site.css", timeout=10) as css:
            assert css.status == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert server.returncode == 0, output  # SIGTERM: a graceful stop
    assert "GET /projects?q=" in output  # one log line per request
