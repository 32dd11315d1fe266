"""`palsy assess` names the photos in the folder it did not grade (a name that is no
expression's): the patient was graded as if the clinician had put nothing else there."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from app.cli import main


def test_palsy_assess_names_a_photo_it_did_not_grade(capsys, patient_dir: Path, small_weights: Path, tmp_path: Path) -> None:
    folder = tmp_path / "with_an_odd_name"
    shutil.copytree(patient_dir, folder)
    shutil.copy(next(folder.glob("close_eyes.*")), folder / "eyes_closed.png")
    out = tmp_path / "out"
    code = main(["assess", str(folder), "--out", str(out), "--weights", str(small_weights), "--device", "cpu"])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    assert "flag ignored_files: eyes_closed.png is not an expression name" in stdout
    flags = {f["code"]: f["message"] for f in json.loads((out / "assessment.json").read_text())["flags"]}
    assert flags["ignored_files"].startswith("eyes_closed.png is not an expression name")
