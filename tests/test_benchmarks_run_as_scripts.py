"""`.venv/bin/python benchmarks/X.py` works as the README and docs write it, without
PYTHONPATH=.: every script that imports the repository's packages puts the repository on
sys.path first (six of them stopped with "No module named 'benchmarks'")."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "benchmarks", "models")


def _imports_the_repository(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] in PACKAGES
    return isinstance(node, ast.Import) and any(a.name.split(".")[0] in PACKAGES for a in node.names)


def _puts_the_repository_on_the_path(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and "sys.path.insert(0" in ast.unparse(node)


def test_each_script_puts_the_repository_on_its_path_before_importing_it() -> None:
    late = []
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        body = ast.parse(script.read_text(encoding="utf-8")).body
        first = next((i for i, node in enumerate(body) if _imports_the_repository(node)), None)
        if first is not None and not any(_puts_the_repository_on_the_path(node) for node in body[:first]):
            late.append(script.name)
    assert late == []


def test_a_script_runs_from_another_folder_without_pythonpath(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "synth_haar.py"), "--help"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout
