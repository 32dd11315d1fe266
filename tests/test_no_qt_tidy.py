"""House rule 1 (STYLE.md): models/ and the headless parts of app/ never import Qt, so the
command line, the records and the training run on a computer without a display and the
headless logic is tested without Qt. Each module is imported in a fresh interpreter (one
subprocess for all) and must leave PySide6 out of sys.modules.

The modules that may use Qt are listed here (QT_MODULES); every other module of models/ and
app/ is headless. A new widget module belongs in QT_MODULES; a module that needs Qt only for
one function imports it inside that function."""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT_MODULES = (
    "app.widgets", "app.widgets.*", "app.window_*", "app.main_window", "app.gui_main", "app.workers",
    "app.camera_controller", "app.gui_thread_gc", "app.help_dialogs", "app.settings_store", "app.instance_lock",
    "app.pages.capture", "app.pages.history", "app.pages.patient", "app.pages.results",
    "app.pages.settings_dialog",
)
# Imports each module named on the command line; when one pulled in PySide6, it is recorded and
# everything that import added is dropped, so that the next module is judged on its own.
_PROBE = """
import importlib, json, sys
found = {}
for name in sys.argv[1:]:
    before = set(sys.modules)
    try:
        importlib.import_module(name)
    except Exception as error:
        found[name] = f"import failed: {type(error).__name__}: {error}"
        continue
    if "PySide6" in sys.modules:
        found[name] = "PySide6 imported"
        for added in set(sys.modules) - before:
            del sys.modules[added]
print(json.dumps(found))
"""


def module_names() -> list[str]:
    """Every module of models/ and app/, as runtime_qt.py of the style audit lists them."""
    names = []
    for path in sorted([*ROOT.glob("models/**/*.py"), *ROOT.glob("app/**/*.py")]):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def headless_modules() -> list[str]:
    return [n for n in module_names() if not any(fnmatch.fnmatchcase(n, p) for p in QT_MODULES)]


HEADLESS = headless_modules()


@pytest.fixture(scope="module")
def qt_importers() -> dict[str, str]:
    """Headless module -> why it failed (PySide6 imported, or the import itself failed)."""
    done = subprocess.run([sys.executable, "-c", _PROBE, *HEADLESS], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_headless_list_holds_the_known_headless_parts() -> None:
    for name in ("app.records.validate", "app.report.pdf", "app.commands", "app.pages.patient_logic", "app.settings",
                 "app.analysis", "app.cli", "models.pipeline.assess", "models.train.loop"):
        assert name in HEADLESS, f"{name} is headless and must stay out of QT_MODULES"


@pytest.mark.parametrize("name", HEADLESS)
def test_a_headless_module_does_not_import_qt(name: str, qt_importers: dict[str, str]) -> None:
    assert name not in qt_importers, (
        f"{name}: {qt_importers.get(name)}; keep Qt out of models/ and the headless app/ (STYLE.md rule 1), "
        "or import it inside the function that needs it")
