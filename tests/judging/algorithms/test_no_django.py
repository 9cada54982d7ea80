"""judging.algorithms is pure: importing every module of it, in a fresh interpreter, loads no Django."""

import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]

# A fresh interpreter (pytest-django has long loaded Django in this one) with an import hook that refuses
# Django, so an indirect import fails loudly with its traceback; then every module of the package is imported.
CHECK = """
import importlib, pkgutil, sys

class RefuseDjango:
    def find_spec(self, name, path=None, target=None):
        if name == "django" or name.startswith("django."):
            raise ImportError(f"judging.algorithms must not import Django (tried {name})")
        return None

sys.meta_path.insert(0, RefuseDjango())
import judging.algorithms as package
modules = [package.__name__] + [
    info.name for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + ".")
]
for name in modules:
    importlib.import_module(name)
assert not [name for name in sys.modules if name == "django" or name.startswith("django.")]
print(len(modules))
"""


def test_judging_algorithms_imports_no_django():
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert done.returncode == 0, done.stderr
    # The package, its two sub-packages and their eight modules: a new module is checked without changing this test.
    assert int(done.stdout) >= 11


def test_the_check_catches_a_django_import(tmp_path):
    # The same hook must fail for a module that does import Django, or the test above proves nothing.
    (tmp_path / "leaky.py").write_text("import django.utils\n")
    check = CHECK.replace("import judging.algorithms as package", "import leaky as package").replace(
        "package.__path__", "[]")
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
    )
    assert done.returncode != 0
    assert "must not import Django (tried django" in done.stderr
