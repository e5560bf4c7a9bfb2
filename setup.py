"""Build hook: the wheel carries the top-level `templates/`, `static/` and `data/` folders.

They stay at the top of the repository (where designers and data editors look for them);
at build time they are copied into the package as `matchmaker/_bundled/`, which
`matchmaker.config.resource_dir` prefers when it exists. Editable installs read the
checkout's folders directly.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED = ("templates", "static", "data")
ROOT = Path(__file__).resolve().parent


class BuildWithResources(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "matchmaker" / "_bundled"
        for name in BUNDLED:
            source = ROOT / name
            if source.is_dir():
                shutil.rmtree(target / name, ignore_errors=True)
                shutil.copytree(source, target / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithResources})
