"""A de-identified export holds no free text, no staff names and no real calendar dates."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from app.records import Store
from app.records.export_folder import export_patient
from app.records.export_format import MANIFEST
from app.records.import_folder import import_patient
from app.records.validate import now_iso
from tests.records.records_helpers import tiny_png

SECRETS = ("Otto", "Lilienthal", "Anklam", "Dr Kim", "Kim", "nurse Ann", "1948-05-23", "unwell", "glider")


def _patient(store: Store) -> tuple[int, int]:
    """A patient with a confirmed assessment, free text wherever the store takes it, and a
    draft discarded with a reason that names the patient; the kept capture's quality note and the
    results text name the patient and the birth date."""
    store.create_patient("DEID-1", name="Otto Lilienthal", birth_date="1948-05-23", sex="male",
                         notes="from Anklam", actor="nurse Ann")
    store.update_patient("DEID-1", actor="nurse Ann", notes="glider pilot")
    done = store.start_assessment("DEID-1", actor="nurse Ann", created_at="2024-03-01T09:00:00.000+00:00").id
    store.save_capture(done, "rest", tiny_png(1), {"note": "Otto blinked", "sharpness": 0.7})
    # The retake is the kept capture: its quality note and the results text name the patient too.
    store.save_capture(done, "rest", tiny_png(2), {"note": "Otto again", "sharpness": 0.8}, actor="nurse Ann")
    store.record_results(done, {"grade": "III", "folder": "/photos/Lilienthal_Otto/DEID-1",
                                "source": "born 1948-05-23"}, model_grade="III")
    store.confirm_grade(done, "IV", "Dr Kim", notes="Otto glider accident")
    store.confirm_grade(done, "III", "Dr Kim", notes="second look")
    later = store.start_assessment("DEID-1", actor="nurse Ann", created_at="2024-03-15T09:00:00.000+00:00").id
    store.discard_assessment(later, actor="nurse Ann", reason="Otto felt unwell")
    return done, later


def test_deidentified_export_drops_free_text_and_staff_names(store: Store, tmp_path: Path) -> None:
    done, _ = _patient(store)
    folder = export_patient(store, "DEID-1", tmp_path / "out", deidentify=True, pseudonym="STUDY-7")
    text = (folder / MANIFEST).read_text()
    for secret in SECRETS:
        assert secret.lower() not in text.lower(), secret
    manifest = json.loads(text)
    [first] = manifest["assessments"]  # the discarded draft is left out
    assert first["clinician"] == "STAFF-2" and first["confirmed_grade"] == "III"
    assert first["result"]["folder"] == "/photos/_/STUDY-7"
    assert first["captures"][0]["quality"] == {"note": " again", "sharpness": 0.8}  # the kept capture, name gone
    assert first["result"]["source"] == "born "  # the birth date is an identifier inside free text too
    fields = [(e["actor"], e["field"], e["old_value"], e["new_value"]) for e in first["audit"]]
    assert ("STAFF-2", "confirmed_grade", "IV", "III") in fields  # coded changes are kept...
    assert ("STAFF-2", "clinician", "", "STAFF-2") in fields  # ...with staff as STAFF-n
    assert ("model", "model_grade", None, "III") in fields  # the program stays itself
    assert "notes" not in {f for _, f, _, _ in fields}  # free text is not
    assert all(e["reason"] == "" for a in manifest["assessments"] for e in a["audit"])
    assert manifest["patient"]["audit"] == [] and manifest["patient"]["notes"] == ""
    with Store.open(tmp_path / "research") as target:  # and it imports
        import_patient(target, folder)
        assert target.history("STUDY-7", include_discarded=True)[0].clinician == "STAFF-2"


def test_deidentified_export_removes_a_name_spelt_without_its_accents(store: Store, tmp_path: Path) -> None:
    store.create_patient("DEID-2", name="Zoë Łukasiewicz", actor="nurse Ann")
    done = store.start_assessment("DEID-2", actor="nurse Ann").id
    store.record_results(done, {"folder": "/photos/Zoe_Lukasiewicz/ZOË"}, model_grade="II")
    folder = export_patient(store, "DEID-2", tmp_path / "out", deidentify=True, pseudonym="STUDY-8")
    [assessment] = json.loads((folder / MANIFEST).read_text())["assessments"]
    assert assessment["result"]["folder"] == "/photos/_/"


def test_deidentified_export_removes_other_spellings_of_the_name(store: Store, tmp_path: Path) -> None:
    """A name recorded without accents but written with them, and decomposed text (a letter
    followed by a combining accent, as macOS file names are) go too; other words stay."""
    store.create_patient("DEID-3", name="Zoe Muller", actor="nurse Ann")
    done = store.start_assessment("DEID-3", actor="nurse Ann").id
    store.record_results(done, {"a": "/photos/Zoë_Quixote/x.jpg", "b": "/Users/dr/Zoe\u0308_Mu\u0308ller/x.jpg",
                                "c": "Zoological Mullerian"}, model_grade="II")
    folder = export_patient(store, "DEID-3", tmp_path / "out", deidentify=True, pseudonym="STUDY-9")
    [assessment] = json.loads((folder / MANIFEST).read_text())["assessments"]
    assert assessment["result"] == {"a": "/photos/_Quixote/x.jpg", "b": "/Users/dr/_/x.jpg", "c": "Zoological Mullerian"}


def test_deidentified_export_moves_every_date_by_one_shift(store: Store, tmp_path: Path) -> None:
    done, _ = _patient(store)
    later = store.start_assessment("DEID-1", actor="nurse Ann", created_at="2024-03-29T09:00:00.000+00:00").id
    folder = export_patient(store, "DEID-1", tmp_path / "out", deidentify=True)
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["dates_shifted"] is True
    first, second = manifest["assessments"]
    original = datetime.fromisoformat(store.get_assessment(done).created_at)
    shifted = datetime.fromisoformat(first["created_at"])
    shift = original - shifted
    assert shift.days >= 1 and shift.days <= 365 and shift.seconds == 0
    assert datetime.fromisoformat(second["created_at"]) == datetime.fromisoformat(
        store.get_assessment(later).created_at) - shift  # intervals are kept
    stamps = [manifest["exported_at"], manifest["patient"]["created_at"], first["captures"][0]["captured_at"],
              *(e["at"] for a in manifest["assessments"] for e in a["audit"])]
    for stamp in stamps:
        assert datetime.fromisoformat(stamp) <= datetime.fromisoformat(now_iso()) - shift
    assert "2024-03-01" not in json.dumps(manifest) and "2024-03-29" not in json.dumps(manifest)


def test_plain_export_keeps_text_names_and_dates(store: Store, tmp_path: Path) -> None:
    done, _ = _patient(store)
    manifest = json.loads((export_patient(store, "DEID-1", tmp_path / "out") / MANIFEST).read_text())
    assert manifest["dates_shifted"] is False
    first, discarded = manifest["assessments"]
    assert first["clinician"] == "Dr Kim" and first["created_at"] == store.get_assessment(done).created_at
    assert "Otto felt unwell" in [e["reason"] for e in discarded["audit"]]
