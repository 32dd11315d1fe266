"""Figures of nothing scored are null, not 0.0 (audit16 a2 finding 2: `palsy evaluate grading
--level measured --json` reported accuracy 0.0, within one 0.0 when no patient could be
measured, as if every grade had been measured wrong), and every caller that formats them says
"n/a" instead of failing."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from app.cli import main
from app.commands.evaluate import parsing_means_line
from models.labels import GRADES
from models.metrics import figure_text, grading_report, parsing_report
from models.train.clinic import _figures, final_figures_line, parsing_sentence
from tests.scripts import load_script
from tests.train.conftest import draw_patients
from tests.train.parsing_set_helpers import write_parsing_set

N = len(GRADES)
FIGURES = ("accuracy", "recall", "confidence", "dice", "quadratic_kappa", "within_one")


def _empty() -> dict:
    return grading_report(np.zeros((N, N), np.int64))


def test_an_empty_grading_matrix_has_no_figures() -> None:
    report = _empty()
    assert {key: report[key] for key in FIGURES} == dict.fromkeys(FIGURES)  # were 0.0 (kappa None)
    assert all(value is None for grade in report["per_grade"].values() for key, value in grade.items() if key != "support")
    assert json.loads(json.dumps(report, allow_nan=False))["accuracy"] is None
    one = grading_report(np.diag([1, 0, 0, 0, 0, 0]))  # one patient scored: figures again
    assert one["accuracy"] == one["within_one"] == one["recall"] == 1.0 and one["quadratic_kappa"] is None


def test_a_parsing_report_without_a_scored_class_has_no_means() -> None:
    names = ["background", "skin"]
    only_background = np.array([[9, 0], [0, 0]])
    report = parsing_report(only_background, names)
    assert report["mean_f1"] is None and report["miou"] is None  # were 0.0
    assert parsing_report(np.zeros((2, 2), np.int64), names) == {"classes": {}, "mean_f1": None, "miou": None}
    assert parsing_report(np.array([[5, 1], [0, 3]]), names)["mean_f1"] == pytest.approx(6 / 7)


def test_the_text_outputs_say_n_a() -> None:
    assert figure_text(None) == "n/a" and figure_text(0.5) == "0.500"
    line = parsing_means_line(parsing_report(np.array([[9, 0], [0, 0]]), ["background", "skin"]))
    assert line.startswith("mean F1 n/a  mIoU n/a") and "no other class" in line
    assert parsing_means_line({"mean_f1": 0.25, "miou": 0.125}) == "mean F1 0.250  mIoU 0.125 (background excluded)"
    assert parsing_sentence({"mean_f1": None, "miou": None}, "val").startswith("Parsing on the val patients' masks: mean F1 n/a")
    assert parsing_sentence({"mean_f1": 0.5, "miou": 0.4}, "test") == "Parsing on the test patients' masks: mean F1 0.500."
    assert final_figures_line(_empty()).startswith("test accuracy n/a, kappa n/a")
    scored = grading_report(np.diag([2, 1, 0, 0, 0, 0]))
    table = "\n".join(_figures({"patient": scored, "photo": scored, "measured": {**_empty(), "unmeasured": 3}}, "test"))
    assert "| measured function | 0 patients (3 not measurable) | n/a | n/a | n/a |" in table


@pytest.mark.usefixtures("one_thread")
def test_evaluate_json_writes_null_when_no_patient_was_measured(tmp_path: Path, tiny_weights, capsys) -> None:
    # The cartoon patients make one face for every expression: the measure grades none of them.
    patients = draw_patients(tmp_path / "patients", 3, seed=1)
    argv = ["evaluate", "grading", "--data", str(patients), "--weights", str(tiny_weights), "--json",
            "--level", "measured-exact", "--threads", "1"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["unmeasured"] == 3 and sum(map(sum, report["confusion"])) == 0
    assert {key: report[key] for key in FIGURES} == dict.fromkeys(FIGURES)


def test_the_pose_benchmark_writes_null_for_a_group_without_a_scored_class(tmp_path: Path, tiny_weights, monkeypatch,
                                                                           capsys) -> None:
    root = write_parsing_set(tmp_path / "fasseg", ("v2_a", "v2_b"), ".png")  # masks: background only
    (root / "splits.csv").write_text("name,split\nv2_a,val\nv2_b,val\n")
    (root / "meta.csv").write_text("name,set,pose\nv2_a,V2,frontal\nv2_b,V2,frontal\n")
    module = load_script("benchmarks/fasseg_poses.py")
    monkeypatch.setattr(module, "_predict_masks", lambda model, images, device, mirror: np.zeros(
        (len(images), *images[0].shape[:2]), np.int64))  # background predicted everywhere
    assert module.main(["--weights", str(tiny_weights), "--data", str(root), "--threads", "1"]) == 0
    groups = json.loads(capsys.readouterr().out)["groups"]
    assert groups["V2 frontal"]["mean_f1"] is None and groups["all"]["photos"] == 2


def test_the_gpu_probe_writes_null_for_an_empty_photo_report(tmp_path: Path, monkeypatch) -> None:
    module = load_script("benchmarks/gpu_grading_probe.py")
    monkeypatch.setattr(module, "write_reused_e1", lambda *args, **kwargs: None)
    monkeypatch.setattr(module, "PatientDataset", lambda root: SimpleNamespace(patient_ids=lambda split: ["p0"]))
    monkeypatch.setattr(module, "compare_run", lambda *args, **kwargs: {
        "steps": 1, "elapsed_s": 1.0, "patient_level": _empty(), "photo_level": _empty()})
    row = module.probe_size(64, tmp_path, tmp_path, tmp_path / "e1.pt", 0.01, None, tmp_path, tmp_path)
    assert row["photo_accuracy"] is None and row["accuracy"] is None
