"""`palsy assess`: what the summary, assessment.json and the report say agree (the recorded side's
flag, the demonstration model), and flag texts in words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main
from models.pipeline.flag_wording import SIDE_DISAGREEMENT, review_flags

DIFFERS = "Affected side differs from the patient record"


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(str(path)).pages).split())


def _run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def measured_left(monkeypatch: pytest.MonkeyPatch) -> None:
    """A measure that names the left side weaker (the test network is untrained)."""
    import models.pipeline.assess as pipeline
    from models.pipeline.measures import MeasuredFunction

    monkeypatch.setattr(pipeline, "measure_function", lambda masks: MeasuredFunction("IV", 38.0, "left", "left"))


def test_the_side_disagreement_is_in_assessment_json_once(
    capsys, patient_dir: Path, small_weights: Path, tmp_path: Path, measured_left: None
) -> None:
    # the flag was added to the printed summary only, after assessment.json was written
    base = ["assess", str(patient_dir), "--weights", str(small_weights), "--device", "cpu"]
    code, stdout, err = _run(capsys, *base, "--out", str(tmp_path / "a"), "--affected-side", "right")
    assert code == 0, err
    body = json.loads((tmp_path / "a" / "assessment.json").read_text())
    assert body["registered_side"] == "right"
    sides = [f for f in body["flags"] if f["code"] == SIDE_DISAGREEMENT]
    assert len(sides) == 1
    assert sides[0]["message"].startswith("the patient record says the right side is affected, the photos measured the left")
    assert stdout.count(f"flag {SIDE_DISAGREEMENT}:") == 1
    assert _pdf_text(tmp_path / "a" / "report.pdf").count(DIFFERS) == 1

    code, stdout, err = _run(capsys, *base, "--out", str(tmp_path / "b"))  # unknown: nothing to check
    assert code == 0, err
    body = json.loads((tmp_path / "b" / "assessment.json").read_text())
    assert body["registered_side"] == "unknown"
    assert SIDE_DISAGREEMENT not in [f["code"] for f in body["flags"]] and f"flag {SIDE_DISAGREEMENT}" not in stdout


def test_review_flags_do_not_repeat_a_stored_side_disagreement() -> None:
    stored = [{"code": SIDE_DISAGREEMENT, "message": "the patient record says the right side is affected, ..."}]
    assert [t for t, _ in review_flags(stored, "right", "left")] == [DIFFERS]
    assert [t for t, _ in review_flags([], "right", "left")] == [DIFFERS]


def test_add_registered_side_flags_once_and_follows_the_last_side() -> None:
    import numpy as np

    from models.pipeline.assess import Assessment, add_registered_side
    from models.pipeline.measures import MeasuredFunction

    a = Assessment("IV", np.full(6, 1 / 6), {}, MeasuredFunction("IV", 38.0, "left", "left"), [], {}, {})
    assert "registered_side" not in a.to_dict()
    add_registered_side(a, "right")
    add_registered_side(a, "right")
    assert [f.code for f in a.flags] == [SIDE_DISAGREEMENT] and a.to_dict()["registered_side"] == "right"
    add_registered_side(a, "left")
    assert a.flags == [] and a.to_dict()["registered_side"] == "left"


def test_the_summary_says_when_the_demonstration_model_graded(
    capsys, patient_dir: Path, small_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the PDF and the GUI said so, the printed summary did not
    import models.pipeline.loader as loader

    base = ["assess", str(patient_dir), "--weights", str(small_weights), "--device", "cpu"]
    code, stdout, err = _run(capsys, *base, "--out", str(tmp_path / "real"))
    assert code == 0, err
    assert "DEMONSTRATION MODEL" not in stdout
    monkeypatch.setattr(loader, "is_demo_weights", lambda *args, **kwargs: True)
    monkeypatch.setattr(loader, "_CACHE", {})  # load afresh, so the record says demo
    code, stdout, err = _run(capsys, *base, "--out", str(tmp_path / "demo"))
    assert code == 0, err
    assert stdout.splitlines()[0] == "DEMONSTRATION MODEL \u2014 NOT FOR DIAGNOSIS (tiny)"
    assert "DEMONSTRATION MODEL" in _pdf_text(tmp_path / "demo" / "report.pdf")
