"""Helpers of the patient and settings dialogs live in headless modules (house rule 2), and the
patient form says whose side it asks for (the tidy audit)."""

from __future__ import annotations

import sys
import types

import pytest

from app.pages.patient_logic import PatientFormError, typed_birth_date, validate_patient
from app.pages.settings_logic import (
    NO_CUDA_BUILD,
    NO_GPU,
    cuda_unavailable_reason,
    data_folder_placeholder,
)


@pytest.mark.parametrize(("typed", "form"), [("19700315", "1970-03-15"), (" 1970-03-15 ", "1970-03-15"), ("", ""),
                                             ("1970315", "1970315")])
def test_a_typed_birth_date_is_read_without_qt(typed: str, form: str) -> None:
    assert typed_birth_date(typed) == form


def test_eight_digits_become_a_date_the_form_accepts_and_others_are_refused() -> None:
    assert validate_patient("P1", "A B", typed_birth_date("19700315"), "", "left", "").birth_date == "1970-03-15"
    with pytest.raises(PatientFormError, match="YYYY-MM-DD"):
        validate_patient("P1", "A B", typed_birth_date("1970W111"), "", "left", "")


def _torch(monkeypatch: pytest.MonkeyPatch, available: bool, built_with: str | None) -> None:
    fake = types.SimpleNamespace(cuda=types.SimpleNamespace(is_available=lambda: available),
                                 version=types.SimpleNamespace(cuda=built_with))
    monkeypatch.setitem(sys.modules, "torch", fake)


@pytest.mark.parametrize(("available", "built_with", "reason"), [
    (True, "12.4", None), (False, "12.4", NO_GPU), (False, None, NO_CUDA_BUILD)])
def test_why_cuda_cannot_be_used_is_told_without_qt(monkeypatch: pytest.MonkeyPatch, available: bool,
                                                    built_with: str | None, reason: str | None) -> None:
    _torch(monkeypatch, available, built_with)
    assert cuda_unavailable_reason() == reason


def test_a_missing_torch_means_no_cuda_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    assert cuda_unavailable_reason() == NO_CUDA_BUILD


def test_the_data_folder_placeholder_is_worded_without_qt(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "home"))
    assert data_folder_placeholder() == f"from PALSY_HOME: {tmp_path / 'home'}"
    monkeypatch.delenv("PALSY_HOME")
    assert data_folder_placeholder().startswith("the default: ")


def test_the_dialogs_still_offer_the_helpers_by_their_old_names() -> None:
    from app.pages import settings_dialog

    assert settings_dialog.cuda_unavailable_reason is cuda_unavailable_reason
    assert settings_dialog.data_folder_placeholder is data_folder_placeholder


def test_the_patient_form_asks_for_the_patients_side(qtbot) -> None:
    # "Affected side (if known)" left open whose side: the photo's left is the patient's right
    from PySide6.QtWidgets import QFormLayout, QLabel

    from app.pages.patient import PatientDialog
    from tests.doubles import MemoryRecords

    dialog = PatientDialog(MemoryRecords())
    qtbot.addWidget(dialog)
    form = dialog.findChild(QFormLayout)
    labels = [form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget() for row in range(form.rowCount())]
    texts = [label.text() for label in labels if isinstance(label, QLabel)]
    assert "Affected side (patient's, if known)" in texts
    assert dialog.side_combo.accessibleName() == "Affected side (patient's)"


def test_one_progress_protocol_and_one_device_rule() -> None:
    import app.analysis
    import models.pipeline.loader
    import models.pipeline.progress
    import models.train.loop
    from models.errors import InputError

    assert app.analysis.Progress is models.pipeline.progress.Progress
    assert models.train.loop.resolve_device is models.pipeline.loader.resolve_device
    with pytest.raises(InputError, match="unknown device 'tpu'; choose one of auto, cpu, cuda"):
        models.train.loop.resolve_device("tpu")
