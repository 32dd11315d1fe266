"""Settings -> Save of a logo: a JPEG with one mistyped EXIF tag is accepted, and any failure of
the logo check is shown on the dialog's error line (audit: the check raised struct.error, which
the dialog did not catch, so Save did nothing and said nothing)."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.pages.settings_dialog import SettingsDialog
from app.settings import Settings
from models.pipeline import images


def _logo_with_mistyped_exif_tag(path: Path) -> Path:
    """EXIF orientation 6 and Model 'EOS', then Model's tag number changed to MaxSampleValue (a
    SHORT) in the bytes: Pillow opens it, `ImageOps.exif_transpose` raised struct.error."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x0110] = "EOS"
    buffer = io.BytesIO()
    Image.fromarray(np.full((64, 96, 3), 200, np.uint8)).save(buffer, "JPEG", exif=exif.tobytes())
    path.write_bytes(buffer.getvalue().replace(b"\x01\x10\x00\x02", b"\x01\x19\x00\x02", 1))
    return path


def test_a_logo_with_a_mistyped_exif_tag_is_saved(qtbot, tmp_path: Path) -> None:
    logo = _logo_with_mistyped_exif_tag(tmp_path / "logo.jpg")
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.logo.setText(str(logo))
    dialog.accept()
    assert dialog.result_settings is not None and dialog.result_settings.clinic.logo_path == str(logo)


def test_a_logo_check_that_fails_says_so_on_the_dialog(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logo = _logo_with_mistyped_exif_tag(tmp_path / "logo.jpg")

    def failing(*args: object, **kwargs: object) -> np.ndarray:
        raise struct.error("required argument is not an integer")

    monkeypatch.setattr(images, "load_image", failing)
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.logo.setText(str(logo))
    dialog.accept()
    assert dialog.result_settings is None
    assert "logo.jpg cannot be read (required argument is not an integer); choose a PNG" in dialog.error.text()
