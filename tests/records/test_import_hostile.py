"""Security audit of 2026-12-05: hostile exports and files given to `palsy records`.

A manifest nested too deeply, an analysis result whose inner types are not what the app writes,
and a draft that carries a report are refused by `import` (one line, exit 2); a result damaged
in the database itself makes reopening the visit a message, and `check` lists both kinds of
row. `verify` refuses a pipe without blocking and does not hash a file whose size no stored
report has."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from app.analysis import AnalysisResult, ExpressionResult, Flag, RegionRow
from app.cli import main
from app.commands import records as records_command
from app.gateway_store import StoreGateway
from app.records import Store
from app.records.errors import StorageError
from app.records.export_format import MANIFEST
from app.records.import_folder import import_patient
from app.reopen import result_from_record
from models.labels import GRADES
from models.pipeline.measures import MeasuredFunction, RegionResult
from models.pipeline.quality import QualityCheck, QualityReport
from tests.records.records_helpers import edit_manifest

REPO = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n% a stored report\n%%EOF\n"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _import_refused(capsys: pytest.CaptureFixture[str], data: Path, folder: Path, needle: str) -> None:
    """`records import` is one line naming `needle`, exit 2, and records nothing."""
    code, out, err = _run(capsys, "records", "--data", str(data), "import", str(folder))
    assert code == 2 and not out and "Traceback" not in err
    [line] = err.splitlines()
    assert line.startswith("palsy: error:") and needle in line, line
    with Store.open(data) as store:
        assert store.count_patients() == 0


def _pipeline_result() -> dict[str, Any]:
    """A result as `models.pipeline.assess.Assessment.to_dict` writes it (its parts made by their
    own `to_dict`)."""
    region = RegionResult("brow", "Brow elevation", "raise_eyebrows", "D", 0.091, 0.158, 0.576, 57.6, "left", True, "")
    unmeasured = RegionResult("eye", "Eye closure", "close_eyes", "fraction", None, None, None, None, None, False, "no eyes")
    measured = MeasuredFunction("II", 76.8, "left", "left", {"brow": region, "eye": unmeasured}, ["eye: no eyes"])
    quality = QualityReport((QualityCheck("head_roll", None, "<= 8 deg", True, "roll not measurable"),
                             QualityCheck("sharpness", 40.9, ">= 20", True, "sharp")))
    probabilities = dict(zip(GRADES, (0.25, 0.26, 0.26, 0.22, 0.01, 0.0), strict=True))
    return {
        # the exported record's network grade (II, tied for the highest): `check` compares them
        "schema": "palsy-grader/assessment/1", "grade": "II", "probabilities": probabilities, "affected_side": "left",
        "measured": measured.to_dict(),
        "expressions": {"rest": {"grade": "III", "probabilities": probabilities, "frames": 1, "face_detected": True,
                                 "quality": quality.to_dict(), "overlays": {"photo": "overlays/rest_photo.png"}}},
        "flags": [{"code": "low_confidence", "message": "review carefully", "expression": None}],
        "model": {"name": "demo_compact", "config": "compact", "sha256": "e8" * 32, "path": "/w/demo.pt",
                  "training_data": {"command": "palsy train demo", "stage1": {"stage": "parsing"}}},
        "timing_ms": {"total": 812.4},
    }


def _gui_result() -> dict[str, Any]:
    """A result as the GUI's fallback `AnalysisResult.to_json` writes it."""
    photo = np.zeros((4, 4, 3), np.uint8)
    return AnalysisResult(
        grade="II", probabilities=dict.fromkeys(GRADES, 1 / 6), affected_side="right", measured_grade=None,
        function_percent=None, regions=[RegionRow("brow", 0.1, None, None, "not judged")],
        flags=[Flag("low_confidence", "review")],
        expressions={"rest": ExpressionResult("rest", photo, np.zeros((4, 4), np.uint8), {}, np.full(6, 1 / 6))},
        model={"name": "m"}, timing_ms={"total": 3.0},
    ).to_json()


def _set_result(folder: Path, result: Any) -> None:
    edit_manifest(folder, lambda m: m["assessments"][0].update(result=result))


# --- finding 2: a deeply nested patient.json ---------------------------------------------------
def test_a_deeply_nested_manifest_is_one_line_and_exit_2(
    tmp_path: Path, exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (exported / MANIFEST).write_text("[" * 200_000 + "]" * 200_000)
    _import_refused(capsys, tmp_path / "station2", exported, "is damaged (cut short or edited)")


# --- finding 3: the inner types of an analysis result --------------------------------------------
@pytest.mark.parametrize(("result", "field"), [
    ([1, 2, 3], "assessments[0].result should be an object"),
    ({"grade": "III", "probabilities": "x"}, "assessments[0].result.probabilities should be an object"),
    ({"grade": "III", "probabilities": {"III": "0.9"}}, "result.probabilities.III should be a number"),
    ({"grade": "VII"}, "result.grade should be one of I, II"),
    ({"grade": "III", "measured": {"function_percent": "50"}}, "result.measured.function_percent should be a number"),
    ({"grade": "III", "measured": None}, "result.measured should be an object"),
    ({"grade": "III", "measured": {"regions": "r"}}, "result.measured.regions should be an object"),
    ({"grade": "III", "measured": {"regions": {"brow": {"percent": [50]}}}},
     "result.measured.regions.brow.percent should be a number"),
    ({"grade": "III", "measured": {"regions": {}, "notes": "n"}}, "result.measured.notes should be a list of texts"),
    ({"grade": "III", "expressions": {"rest": {"probabilities": [1]}}},
     "result.expressions.rest.probabilities should be an object"),
    ({"grade": "III", "expressions": {"rest": {"quality": {"checks": {"one_face": "ok"}}}}},
     "result.expressions.rest.quality.checks.one_face should be an object"),
    ({"grade": "III", "flags": {"code": "x"}}, "result.flags should be a list"),
    ({"grade": "III", "flags": ["low_confidence"]}, "result.flags[0] should be an object"),
    ({"grade": "III", "model": "demo"}, "result.model should be an object"),
    ({"grade": "III", "timing_ms": {"total": "fast"}}, "result.timing_ms.total should be a number"),
])
def test_a_result_whose_inner_types_the_app_never_writes_is_refused_naming_the_field(
    tmp_path: Path, exported: Path, capsys: pytest.CaptureFixture[str], result: Any, field: str
) -> None:
    _set_result(exported, result)
    _import_refused(capsys, tmp_path / "station2", exported, field)


@pytest.mark.parametrize("result", [_pipeline_result(), _gui_result(), {"grade": "II"}, None])
def test_a_result_as_the_app_writes_it_is_imported_and_reopens(tmp_path: Path, exported: Path, result: Any) -> None:
    _set_result(exported, result)
    with Store.open(tmp_path / "station2") as store:
        import_patient(store, exported)
        gateway = StoreGateway(store)
        [visit] = gateway.history("IMP-1")
        reopened = result_from_record(visit, gateway)
        assert (reopened is None) == (result is None)
    assert main(["records", "--data", str(tmp_path / "station2"), "check"]) == 0


def _damaged_by_hand(data: Path) -> int:
    """A data folder whose one confirmed assessment's result was changed in palsy.db by hand
    (probabilities a list). Its number."""
    with Store.open(data) as store:
        store.create_patient("MRN-1")
        aid = store.start_assessment("MRN-1").id
        store.record_results(aid, {"grade": "III"}, model_grade="III")
        store.confirm_grade(aid, "III", "Dr Kim")
    conn = sqlite3.connect(data / "palsy.db")
    with conn:
        conn.execute("UPDATE assessments SET result_json = ? WHERE id = ?", ('{"grade":"III","probabilities":[1]}', aid))
    conn.close()
    return aid


def test_reopening_a_result_damaged_in_the_database_is_a_message_the_window_shows(tmp_path: Path) -> None:
    aid = _damaged_by_hand(tmp_path / "data")
    with Store.open(tmp_path / "data") as store:
        gateway = StoreGateway(store)
        with pytest.raises(StorageError, match=rf"assessment {aid} cannot be opened: .*result.probabilities should be an object"):
            result_from_record(gateway.assessment(aid), gateway)

        from app.window_history import WindowHistoryMixin

        notices: list[str] = []
        window = SimpleNamespace(gateway=gateway, notify=notices.append)
        WindowHistoryMixin.open_read_only(window, aid)  # the history's slot: no exception escapes
        [notice] = notices
        assert "result.probabilities should be an object" in notice


def test_check_lists_a_result_damaged_in_the_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aid = _damaged_by_hand(tmp_path / "data")
    code, out, _ = _run(capsys, "records", "--data", str(tmp_path / "data"), "check")
    assert code == 1
    assert f"database: assessment {aid} of patient MRN-1: its stored analysis result is damaged" in out
    assert "result.probabilities should be an object" in out


# --- finding 5: a draft with a report -------------------------------------------------------------
@pytest.mark.parametrize("status", ["draft", "analysed", "discarded"])
def test_an_unconfirmed_assessment_with_a_report_is_refused(
    tmp_path: Path, exported: Path, capsys: pytest.CaptureFixture[str], status: str
) -> None:
    edit_manifest(exported, lambda m: m["assessments"][0].update(status=status))
    _import_refused(capsys, tmp_path / "station2", exported, f"assessments[0] (assessment 1) is {status} but has a report")


def test_check_lists_a_draft_with_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("MRN-1")
        aid = store.start_assessment("MRN-1").id
        store.record_results(aid, {"grade": "III"}, model_grade="III")
        store.confirm_grade(aid, "III", "Dr Kim")
        store.save_report(aid, PDF)
    assert main(["records", "--data", str(data), "check"]) == 0
    capsys.readouterr()
    conn = sqlite3.connect(data / "palsy.db")
    with conn:
        conn.execute("UPDATE assessments SET status = 'draft' WHERE id = ?", (aid,))
    conn.close()
    code, out, _ = _run(capsys, "records", "--data", str(data), "check", "--json")
    assert code == 1
    # The edited status also disagrees with the audit trail (reported on its own line).
    problem, trail = json.loads(out)["database_problems"]
    assert f"assessment {aid} of patient MRN-1 is draft but has a stored report" in problem
    assert "does not match its own audit trail (its status is 'draft'" in trail


# --- finding 4: verify on a pipe, and on a huge file -----------------------------------------------
def _stored_report(data: Path) -> Path:
    """A data folder with one stored report; the path of that report's file."""
    with Store.open(data) as store:
        store.create_patient("MRN-1")
        aid = store.start_assessment("MRN-1").id
        store.record_results(aid, {"grade": "III"}, model_grade="III")
        store.confirm_grade(aid, "III", "Dr Kim")
        return store.root / store.save_report(aid, PDF).file_name


def test_verify_refuses_a_pipe_without_blocking(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _stored_report(data)
    fifo = tmp_path / "report.pdf"
    os.mkfifo(fifo)
    child = f"from app.cli import main; raise SystemExit(main(['records', '--data', {str(data)!r}, 'verify', {str(fifo)!r}]))"
    try:
        done = subprocess.run([sys.executable, "-c", child], cwd=REPO, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("verify blocked on a pipe")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert "is not a regular file" in line


def test_verify_does_not_hash_a_file_whose_size_no_stored_report_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    stored = _stored_report(data)
    hashed: list[int] = []
    real = records_command.pdf_sha256
    monkeypatch.setattr(records_command, "pdf_sha256", lambda pdf: hashed.append(1) or real(pdf))
    big = tmp_path / "big.pdf"
    with open(big, "wb") as handle:  # sparse: 2 GiB that would take seconds to hash
        handle.write(PDF)
        handle.truncate(2 * 2**30)
    code, out, _ = _run(capsys, "records", "--data", str(data), "verify", str(big), "--json")
    assert code == 1 and json.loads(out)["stored"] is False and json.loads(out)["sha256"] is None
    assert hashed == []

    same_size = tmp_path / "same size.pdf"
    same_size.write_bytes(PDF[:-2] + b"X\n")  # as long as the stored one, one byte altered: hashed
    code, out, _ = _run(capsys, "records", "--data", str(data), "verify", str(same_size))
    assert code == 1 and hashed == [1] and "not a report stored" in out

    copy = tmp_path / "copy.pdf"
    copy.write_bytes(PDF)
    stored.unlink()  # a stored report's size unknown: every PDF is hashed, the copy still found
    code, out, _ = _run(capsys, "records", "--data", str(data), "verify", str(copy))
    assert code == 0 and hashed == [1, 1] and "stored report of patient MRN-1" in out



def test_verify_knows_a_genuine_copy_when_the_stored_file_was_damaged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A small PDF is always hashed: the stored file, cut short since, no longer has the
    original's size, but its row's sha256 still names the genuine copy (review of the size check)."""
    data = tmp_path / "data"
    stored = _stored_report(data)
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(stored.read_bytes())
    stored.write_bytes(stored.read_bytes()[:10])  # damaged in the data folder
    code, out, _ = _run(capsys, "records", "--data", str(data), "verify", str(copy), "--json")
    assert code == 0 and json.loads(out)["stored"] is True
