"""Load a script of the repository (benchmarks/, scripts/) as a module, to call its main();
run the CLI in a fresh process with its own home."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(relative: str) -> ModuleType:
    """The module of ROOT/`relative` (e.g. "benchmarks/assess.py"), freshly executed."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(f"script_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fresh_palsy(home: Path, *args: str, palsy_home: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh process with its own home, settings and platform data folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("PALSY_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    if palsy_home is not None:
        env["PALSY_HOME"] = str(palsy_home)
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
