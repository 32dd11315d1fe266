"""Wording of two record store messages (audit): the notes' length limit in good grammar, and a
full export destination that says to choose another destination, not another data folder."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from app.records import validate
from app.records.errors import storage_error_from_os
from models.errors import InputError


def test_notes_over_the_limit_are_plural() -> None:
    with pytest.raises(InputError) as info:
        validate.text("x" * 11, "notes", max_len=10, multiline=True)
    assert str(info.value) == "the notes are longer than 10 characters; shorten them."
    with pytest.raises(InputError, match="^the name is longer than 10 characters; shorten it.$"):
        validate.text("x" * 11, "name", max_len=10)


def test_a_full_export_destination_says_choose_another_destination(tmp_path: Path) -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    message = str(storage_error_from_os(full, "export to", tmp_path / "usb", destination=True))
    assert "the disk is full" in message and "choose another destination)" in message
    assert "data folder" not in message
    assert "choose another data folder)" in str(storage_error_from_os(full, "save", tmp_path / "photo.png"))


def test_an_export_onto_a_full_disk_names_the_destination(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.records.files as files
    from app.records import Store
    from app.records.errors import StorageError
    from app.records.export_folder import export_patient
    from tests.records.records_helpers import tiny_png

    with Store.open(tmp_path / "data") as store:
        store.create_patient("MRN-1", name="Full Disk")
        store.save_capture(store.start_assessment("MRN-1").id, "rest", tiny_png(1))

        def full(fd: int, data: bytes) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(files, "_write_all", full)
        with pytest.raises(StorageError) as info:
            export_patient(store, "MRN-1", tmp_path / "usb")
        message = str(info.value)
        assert f"cannot export to {tmp_path / 'usb'}: the disk is full" in message
        assert "choose another destination" in message and "data folder" not in message
        assert not (tmp_path / "usb").exists()  # the staging folder is gone, and the folder the export made
