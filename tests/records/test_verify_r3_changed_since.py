"""`records verify` exits 3 for every change to what the report prints that the window calls
"export it again" (review r3, findings 1, 2 and 9): the patient's affected side or sex, the
visit's notes, an earlier visit's grade, judged from THIS report's audit entry on; a withdrawn
visit is only "do not use this report"."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli import main
from app.commands.records import SUPERSEDED, VERIFY_EXITS, superseded_line
from app.export import EARLIER, PATIENT, THIS_VISIT
from app.records import Store

PDF = b"%PDF-1.4\n% a report of MRN-9's second visit\n%%EOF\n"


def _two_visits(store: Store) -> tuple[int, int]:
    """MRN-9, left side, female, with two confirmed visits; the second's report stored."""
    store.create_patient("MRN-9", name="Vera Verify", sex="female", affected_side="left")
    first = store.start_assessment("MRN-9").id
    store.record_results(first, {"grade": "III"}, model_grade="III")
    store.confirm_grade(first, "III", clinician="Dr A")
    second = store.start_assessment("MRN-9").id
    store.record_results(second, {"grade": "IV"}, model_grade="IV")
    store.confirm_grade(second, "IV", clinician="Dr A")
    store.save_report(second, PDF)
    return first, second


def _verify(capsys: pytest.CaptureFixture[str], data: Path, pdf: Path) -> tuple[int, dict, list[str]]:
    code = main(["records", "--data", str(data), "verify", str(pdf), "--json"])
    item = json.loads(capsys.readouterr().out)
    assert main(["records", "--data", str(data), "verify", str(pdf)]) == code
    return code, item, capsys.readouterr().out.splitlines()


CASES: list[tuple[str, Callable[[Store, int, int], object], list[str]]] = [
    ("side", lambda s, first, second: s.update_patient("MRN-9", actor="t", affected_side="right"), [PATIENT]),
    ("sex", lambda s, first, second: s.update_patient("MRN-9", actor="t", sex="male"), [PATIENT]),
    ("notes", lambda s, first, second: s.confirm_grade(second, "IV", clinician="Dr A", notes="typo fixed"),
     [THIS_VISIT]),
    ("earlier", lambda s, first, second: s.confirm_grade(first, "V", clinician="Dr Later"), [EARLIER]),
    ("earlier withdrawn", lambda s, first, second: s.withdraw_assessment(first, actor="t", reason="wrong patient"),
     [EARLIER]),
]


@pytest.mark.parametrize(("case", "change", "words"), CASES, ids=[c[0] for c in CASES])
def test_a_printed_change_after_the_report_exits_3_in_the_windows_words(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, change: Callable, words: list[str]) -> None:
    data, pdf = tmp_path / "data", tmp_path / "r.pdf"
    pdf.write_bytes(PDF)
    with Store.open(data) as store:
        first, second = _two_visits(store)
    code, item, lines = _verify(capsys, data, pdf)
    assert code == 0 and item["changed_since"] == [] and len(lines) == 1
    with Store.open(data) as store:
        change(store, first, second)
    code, item, lines = _verify(capsys, data, pdf)
    assert code == SUPERSEDED == 3
    assert item["changed_since"] == words and item["patient_corrected_later"] is (PATIENT in words)
    assert item["confirmed_again_later"] is False  # grade and clinician as the report shows them
    assert lines[1:] == [superseded_line(words)]


def test_unprinted_changes_or_ones_before_this_report_keep_exit_0(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, pdf = tmp_path / "data", tmp_path / "r.pdf"
    pdf.write_bytes(PDF)
    with Store.open(data) as store:
        first, second = _two_visits(store)
        store.update_patient("MRN-9", actor="t", notes="moved house")  # the patient's notes: not printed
        store.confirm_grade(first, "III", clinician="Dr A", notes="an earlier visit's note")  # not printed
        later = store.start_assessment("MRN-9").id  # a later visit is not in this report's history
        store.record_results(later, {"grade": "II"}, model_grade="II")
        store.confirm_grade(later, "II", clinician="Dr A")
    code, item, lines = _verify(capsys, data, pdf)
    assert (code, item["changed_since"], len(lines)) == (0, [], 1)


def test_a_newer_report_does_not_make_the_older_current(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Judged from THIS report's entry: a change between it and a newer export still counts."""
    data, pdf = tmp_path / "data", tmp_path / "r.pdf"
    pdf.write_bytes(PDF)
    with Store.open(data) as store:
        _, second = _two_visits(store)
        store.update_patient("MRN-9", actor="t", affected_side="right")
        store.save_report(second, PDF + b"% exported again\n")
    code, item, _ = _verify(capsys, data, pdf)
    assert code == 3 and item["changed_since"] == [PATIENT]
    newer = tmp_path / "newer.pdf"
    newer.write_bytes(PDF + b"% exported again\n")
    code, item, _ = _verify(capsys, data, newer)
    assert code == 0 and item["changed_since"] == []


def test_a_withdrawn_visit_is_only_do_not_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, pdf = tmp_path / "data", tmp_path / "r.pdf"
    pdf.write_bytes(PDF)
    with Store.open(data) as store:
        _, second = _two_visits(store)
        store.update_patient("MRN-9", actor="t", name="Vera Verified")
        store.confirm_grade(second, "V", clinician="Dr Later")
        store.withdraw_assessment(second, actor="t", reason="wrong patient")
    code, item, lines = _verify(capsys, data, pdf)
    assert code == 1 and item["patient_corrected_later"] is True and item["entered_in_error"] is not None
    assert len(lines) == 2 and lines[1].endswith("do not use this report")
    assert not any("export" in line for line in lines[1:])


def test_the_exit_statuses_are_in_the_help_and_the_readme(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["records", "verify", "--help"])
    assert " ".join(capsys.readouterr().out.split()).find(VERIFY_EXITS) >= 0
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    verify_row = next(line for line in readme.splitlines() if line.startswith("| `palsy records [--data DIR] verify"))
    assert "exit 0 current, 3 " in verify_row and "exit 0 yes" not in verify_row
