"""Who an import is about (audit 2026-12-06, F3-F6): one person under two IDs is pointed out,
a refused ID says whether the export is of the same person or of a different one, with advice a
user can follow, and an export whose patient contradicts its own audit trail is refused. No
patient's name ever reaches the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.records import DuplicateRecordError, Store
from app.records.export_folder import export_patient
from app.records.import_folder import import_patient
from models.errors import InputError
from tests.records.records_helpers import edit_manifest, tiny_png

NAMES = ("Alice", "alice", "Able", "Bob", "Baker", "Jon", "Smyth", "John", "Smith", "Mary", "Major")


def _visit(store: Store, pid: str, seed: int = 1) -> int:
    aid = store.start_assessment(pid, actor="nurse").id
    store.save_capture(aid, "rest", tiny_png(seed))
    store.record_results(aid, {"grade": "III"}, model_grade="III")
    store.confirm_grade(aid, "III", "Dr A")
    store.save_report(aid, b"%PDF-1.4 report " + str(seed).encode())
    return aid


def _export(data: Path, out: Path, pid: str = "MRN-7", name: str = "Alice Able", birth_date: str = "1980-01-01",
            **fields: str) -> Path:
    with Store.open(data) as store:
        store.create_patient(pid, name=name, birth_date=birth_date, actor="nurse", **fields)
        _visit(store, pid)
        return export_patient(store, pid, out)


def _cli_import(capsys: pytest.CaptureFixture[str], data: Path, folder: Path) -> tuple[int, str, str]:
    code = main(["records", "--data", str(data), "import", str(folder)])
    out, err = capsys.readouterr()
    return code, out, err


def _no_names(*texts: str) -> None:
    for text in texts:
        assert not any(name in text for name in NAMES), text


# --- F3: one person under two IDs ---------------------------------------------------------

def test_an_import_warns_of_another_id_with_the_same_name_and_birth_date(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path / "a", tmp_path / "usb")
    station = tmp_path / "b"
    with Store.open(station) as store:
        store.create_patient("X-1", name="alice  able", birth_date="1980-01-01")
        store.create_patient("X-2", name="Alice Able", birth_date="1981-01-01")  # another date: not her
    code, out, err = _cli_import(capsys, station, folder)
    assert code == 0 and "imported patient MRN-7" in out
    assert err.startswith("warning: patient X-1 on this station has the same name and date of birth as the "
                          "imported MRN-7: if they are one person")
    assert "X-2" not in err and len(err.splitlines()) == 1
    _no_names(out, err)
    with Store.open(station) as store:
        assert store.get_patient("MRN-7").name == "Alice Able"  # the import stands


def test_names_are_compared_as_the_search_compares_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path / "a", tmp_path / "usb", name="Élodie  Müller")
    station = tmp_path / "b"
    with Store.open(station) as store:
        store.create_patient("X-1", name="ELODIE MULLER", birth_date="1980-01-01")  # case, accents, spaces
        store.create_patient("X-2", name="Ｅｌｏｄｉｅ Müller", birth_date="1980-01-01")  # full-width (NFKC)
        store.create_patient("X-3", name="Elodie Mullers", birth_date="1980-01-01")  # another name
    code, _, err = _cli_import(capsys, station, folder)
    assert code == 0 and "patients X-1, X-2 on this station have the same name and date of birth" in err
    assert "X-3" not in err


def test_no_warning_without_another_such_patient(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path / "a", tmp_path / "usb")
    station = tmp_path / "b"
    with Store.open(station) as store:
        store.create_patient("X-1", name="Alice Able")  # no date of birth: nothing to match
        store.create_patient("X-2", birth_date="1980-01-01")  # no name
    code, _, err = _cli_import(capsys, station, folder)
    assert code == 0 and err == ""


# --- F4, F5: a refused ID says which case it is ------------------------------------------

def test_a_different_person_with_the_id_is_refused_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path / "a", tmp_path / "usb")
    station = tmp_path / "b"
    with Store.open(station) as store:
        store.create_patient("mrn-7", name="Bob Baker", birth_date="1955-05-05")
    code, out, err = _cli_import(capsys, station, folder)
    assert code == 2 and out == ""
    assert "patient MRN-7 already exists on this station; nothing was imported" in err
    assert "a DIFFERENT person (other name or date of birth) has the ID mrn-7 on this station" in err
    assert "already on this station" not in err.split("DIFFERENT")[1]
    assert "Rename or remove" not in err and "hospital record" in err
    _no_names(err)
    with Store.open(station) as store:
        assert store.get_patient("MRN-7").name == "Bob Baker" and store.history("MRN-7") == []


@pytest.mark.parametrize(("name", "birth_date"), [("Alice Able", "1980-01-02"), ("Alice Abel", "1980-01-01")])
def test_one_field_apart_is_a_different_person(tmp_path: Path, name: str, birth_date: str) -> None:
    folder = _export(tmp_path / "a", tmp_path / "usb")
    with Store.open(tmp_path / "b") as store:
        store.create_patient("MRN-7", name=name, birth_date=birth_date)
        with pytest.raises(DuplicateRecordError, match="a DIFFERENT person"):
            import_patient(store, folder)


def test_the_same_export_twice_says_the_patient_is_already_here(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _export(tmp_path / "a", tmp_path / "usb")
    station = tmp_path / "b"
    assert _cli_import(capsys, station, folder)[0] == 0
    code, _, err = _cli_import(capsys, station, folder)
    assert code == 2 and "patient MRN-7 already exists on this station; nothing was imported" in err
    assert "this patient is already on this station, with every visit of this export" in err
    assert "DIFFERENT" not in err and "Rename or remove" not in err
    _no_names(err)


def test_the_same_patient_with_new_visits_says_how_many(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, station = tmp_path / "a", tmp_path / "b"
    assert _cli_import(capsys, station, _export(source, tmp_path / "usb1"))[0] == 0
    with Store.open(source) as store:
        _visit(store, "MRN-7", seed=2)
        _visit(store, "MRN-7", seed=3)
        again = export_patient(store, "MRN-7", tmp_path / "usb2")
    with Store.open(station) as store:  # the local record spelt differently is still this patient
        store.update_patient("MRN-7", actor="clerk", name="ALICE  ABLE")
    code, _, err = _cli_import(capsys, station, again)
    assert code == 2 and "this patient is already on this station, and the export holds 2 visits this station " \
        "does not have" in err
    assert "DIFFERENT" not in err
    _no_names(err)
    with Store.open(station) as store:
        assert len(store.history("MRN-7")) == 1  # nothing merged


def test_a_de_identified_export_cannot_be_told_apart(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a") as store:
        store.create_patient("MRN-7", name="Alice Able", birth_date="1980-01-01")
        _visit(store, "MRN-7")
        folder = export_patient(store, "MRN-7", tmp_path / "usb", deidentify=True, pseudonym="ANON-1")
    with Store.open(tmp_path / "b") as store:
        store.create_patient("ANON-1", name="Bob Baker", birth_date="1955-05-05")
        with pytest.raises(DuplicateRecordError, match="cannot be told") as refused:
            import_patient(store, folder)
    assert "DIFFERENT" not in str(refused.value) and "already on this station" not in str(refused.value)


# --- F6: the patient must match its own audit trail -----------------------------------------

def _corrected_export(tmp_path: Path, out: str = "usb") -> Path:
    """MRN-5, whose name, date of birth, sex and side were corrected after the first visit."""
    with Store.open(tmp_path / "a") as store:
        store.create_patient("MRN-5", name="Jon Smyth", birth_date="1960-02-03", sex="male",
                             affected_side="left", actor="nurse")
        _visit(store, "MRN-5")
        store.update_patient("MRN-5", actor="clerk", name="John Smith", birth_date="1960-03-02", sex="female",
                             affected_side="right")
        return export_patient(store, "MRN-5", tmp_path / out)


def _refused(tmp_path: Path, folder: Path, match: str) -> str:
    station = tmp_path / "b"
    with Store.open(station) as store:
        with pytest.raises(InputError, match=match) as refused:
            import_patient(store, folder)
        assert store.count_patients() == 0
    assert not any(p.is_file() for p in station.rglob("*") if p.parent != station)  # no photo or report written
    _no_names(str(refused.value))
    return str(refused.value)


def test_a_genuine_corrected_export_still_imports(tmp_path: Path) -> None:
    folder = _corrected_export(tmp_path)
    with Store.open(tmp_path / "b") as store:
        patient = import_patient(store, folder)
        assert (patient.name, patient.birth_date, patient.sex, patient.affected_side) == (
            "John Smith", "1960-03-02", "female", "right")
        assert store.record_problems() == []
        again = export_patient(store, "MRN-5", tmp_path / "usb2")  # its trail now holds "[imported]" copies
    with Store.open(tmp_path / "c") as store:
        import_patient(store, again)
        assert store.get_patient("MRN-5").name == "John Smith"


def test_an_export_given_another_persons_identity_is_refused(tmp_path: Path) -> None:
    folder = _corrected_export(tmp_path)
    edit_manifest(folder, lambda m: m["patient"].update(patient_id="MRN-6", name="Mary Major",
                                                        birth_date="1990-09-09"))
    message = _refused(tmp_path, folder, r"was altered or damaged: the patient does not match its own audit trail")
    assert "its name is not the last one" in message and "its date of birth is not the last one" in message
    assert "assessment 1's audit trail names patient MRN-5, not MRN-6" in message
    assert "nothing was imported" in message


@pytest.mark.parametrize(("field", "value", "words"), [
    ("name", "Mary Major", "its name"), ("name", "Jon Smyth", "its name"),  # back to the old name too
    ("birth_date", "1990-09-09", "its date of birth"), ("birth_date", None, "its date of birth"),
    ("sex", "male", "its sex"), ("affected_side", "left", "its affected side"),
])
def test_one_patient_field_edited_apart_from_its_trail_is_refused(
        tmp_path: Path, field: str, value: str | None, words: str) -> None:
    folder = _corrected_export(tmp_path)
    edit_manifest(folder, lambda m: m["patient"].update({field: value}))
    _refused(tmp_path, folder, f"{words} is not the last one its audit trail recorded")


def test_an_export_given_another_id_is_refused(tmp_path: Path) -> None:
    folder = _export(tmp_path / "a", tmp_path / "usb", pid="MRN-5", name="John Smith")  # never corrected
    edit_manifest(folder, lambda m: m["patient"].update(patient_id="MRN-6"))
    _refused(tmp_path, folder, r"assessment 1's audit trail names patient MRN-5, not MRN-6")


def test_an_id_spelt_in_other_case_is_the_same_id(tmp_path: Path) -> None:
    folder = _export(tmp_path / "a", tmp_path / "usb", pid="MRN-5", name="John Smith")
    edit_manifest(folder, lambda m: m["patient"].update(patient_id="mrn-5"))
    with Store.open(tmp_path / "b") as store:
        assert import_patient(store, folder).patient_id == "mrn-5"


def test_a_de_identified_export_still_imports(tmp_path: Path) -> None:
    _corrected_export(tmp_path)
    with Store.open(tmp_path / "a") as store:
        folder = export_patient(store, "MRN-5", tmp_path / "anon", deidentify=True, pseudonym="ANON-5")
    with Store.open(tmp_path / "b") as store:
        assert import_patient(store, folder).patient_id == "ANON-5"
