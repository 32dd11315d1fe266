"""A photo whose capture time an export left empty (a de-identified export writes none when it
cannot shift the time) is stored at import with the visit's start, not the moment of import:
the report dates the photos by these times and flags photos of two sittings."""

from __future__ import annotations

from pathlib import Path

from app.records import Store
from app.records.import_folder import import_patient
from tests.records.records_helpers import edit_manifest


def test_an_empty_capture_time_is_the_visits_start_at_import(tmp_path: Path, exported: Path) -> None:
    started: list[str] = []

    def drop_times(manifest: dict) -> None:
        visit = manifest["assessments"][0]
        visit["created_at"] = "2024-03-01T09:00:00.000+00:00"
        started.append(visit["created_at"])
        for capture in visit["captures"]:
            capture["captured_at"] = None

    edit_manifest(exported, drop_times)
    with Store.open(tmp_path / "station2") as target:
        import_patient(target, exported)
        [visit] = target.history("IMP-1")
        assert {c.captured_at for c in target.captures(visit.id)} == {started[0]}
