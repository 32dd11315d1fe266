"""A refused `records import` names the field, not its value, for a date of birth and a
clinician: the line goes to palsy.log, which holds no names or birth dates (docs/bundle.md)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.records.export_format import MANIFEST
from tests.records.records_helpers import edit_manifest


def _set_birth_date(value: str) -> Any:
    return lambda m: m["patient"].update(birth_date=value)


def _set_clinician(m: dict[str, Any]) -> None:
    m["assessments"][0]["clinician"] = "Dr Mallory Hartwell"


@pytest.mark.parametrize(("change", "said", "secrets"), [
    (_set_birth_date("1961-02-30"), "(the date of birth is not a date)", ("1961-02-30",)),
    (_set_birth_date("2999-04-02"), "(the date of birth is in the future)", ("2999",)),
    (_set_clinician, "(its clinician is not the one its audit trail ends at)", ("Mallory", "Hartwell", "Dr Kim")),
], ids=["impossible date of birth", "future date of birth", "clinician"])
def test_the_refusal_names_the_field_not_the_value(
    tmp_path: Path, exported: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
    change: Any, said: str, secrets: tuple[str, ...],
) -> None:
    edit_manifest(exported, change)
    with caplog.at_level(logging.INFO):
        assert main(["records", "--data", str(tmp_path / "station2"), "import", str(exported)]) == 2
    err = capsys.readouterr().err
    assert said.rstrip(")") in err and str(exported / MANIFEST) in err  # enough to find the problem
    logged = caplog.text
    assert "records import failed" in logged
    for secret in secrets:
        assert secret not in err and secret not in logged, secret
