"""Every shipped file is found through models/resources.py (sys._MEIPASS when frozen)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from models import resources

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {Path("models/resources.py")}
SUSPECT = re.compile(r"__file__|[\"']resources[/\\\"']")


def test_no_module_locates_resources_by_itself() -> None:
    offenders = []
    for package in ("app", "models"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative in ALLOWED:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if SUSPECT.search(line.split("#", 1)[0]):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], "use models.resources.resources_dir() instead:\n" + "\n".join(offenders)


def test_frozen_lookup_uses_meipass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resources.resources_dir() == ROOT / "resources"
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resources_dir() == tmp_path / "resources"
    assert resources.weights_dir() == tmp_path / "resources" / "weights"
