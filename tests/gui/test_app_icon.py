"""The application icon (resources/icons, drawn by scripts/make_icon.py): found through the
resource lookup, loaded by Qt, given to the application, and shipped in the bundle."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app.gui_main import app_icon_path, apply_app_icon
from installer import spec_helpers
from models.resources import resources_dir

ICONS = resources_dir() / "icons"


@pytest.fixture()
def restored_icon(qapp: QApplication) -> Iterator[QApplication]:
    before = qapp.windowIcon()
    yield qapp
    qapp.setWindowIcon(before)


def test_icon_is_found_and_loads(restored_icon: QApplication) -> None:
    path = app_icon_path()
    assert path == ICONS / "app.png" and path.is_file()
    icon = QIcon(str(path))
    assert not icon.isNull() and icon.pixmap(64, 64).width() == 64
    assert apply_app_icon(restored_icon)
    assert not restored_icon.windowIcon().isNull()


def test_frozen_app_finds_the_icon_under_meipass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restored_icon: QApplication
) -> None:
    shutil.copy(ICONS / "app.png", tmp_path / "app.png")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    assert app_icon_path() == tmp_path / "bundle" / "resources" / "icons" / "app.png"
    assert not apply_app_icon(restored_icon)  # not there: no icon, no error
    (tmp_path / "bundle" / "resources" / "icons").mkdir(parents=True)
    shutil.copy(ICONS / "app.png", app_icon_path())
    assert apply_app_icon(restored_icon)


def test_executable_icons_hold_every_size() -> None:
    png = Image.open(ICONS / "app.png")
    assert png.size == (256, 256) and png.mode == "RGBA"
    ico = Image.open(ICONS / "app.ico")
    assert {(s, s) for s in (16, 24, 32, 48, 64, 128, 256)} <= ico.info["sizes"]
    icns = Image.open(ICONS / "app.icns")
    assert (256, 256, 1) in icns.info["sizes"]


def test_bundle_collects_the_icons() -> None:
    """build.spec's datas (resource_datas) carry resources/icons; the spec passes app.ico / app.icns to PyInstaller."""
    datas = spec_helpers.resource_datas(resources_dir())
    shipped = {Path(src).name for src, dest in datas if dest == "resources/icons"}
    assert shipped == {"app.png", "app.ico", "app.icns"}


def test_make_icon_script_writes_the_three_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.scripts import load_script

    load_script("scripts/make_icon.py").main(["--out", str(tmp_path)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.icns", "app.ico", "app.png"]
    assert not QIcon(str(tmp_path / "app.png")).isNull()
    assert capsys.readouterr().out.count("wrote") == 3
