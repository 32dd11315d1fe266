"""pyproject.toml declares no package data that matches nothing: the data the app reads
(weights, fonts, icons) lives in resources/, outside the packages, so the project is installed
editable from its checkout (`make`) and clinics use the bundle (README, Requirements)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_data_pattern_matches_a_file_in_the_packages() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages = [ROOT / name.rstrip("*") for name in setuptools["packages"]["find"]["include"]]
    for package, patterns in setuptools.get("package-data", {}).items():
        for pattern in patterns:
            assert any(any(top.rglob(pattern)) for top in packages), (
                f"package-data {package!r}: {pattern!r} matches no file in {', '.join(p.name for p in packages)}")


def test_the_readme_says_how_the_project_is_installed() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "installed editable from its checkout" in readme and "Clinics install the bundle" in readme
