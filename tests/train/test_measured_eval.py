"""The measured grade (DESIGN §7 step 4) scored by `palsy evaluate grading --level measured[-exact]`."""

import json

import pytest

from app.cli import main
from models.cascade import build_model
from models.config import get_config
from models.data.synthetic.dataset import write_patient_dataset
from models.labels import GRADES
from models.train.evaluation import grading_reports

pytestmark = pytest.mark.usefixtures("one_thread")


def test_measure_on_exact_masks_grades_synthetic_patients(tmp_path):
    # One patient per grade (plan_patients balances grades), rendered at 256 px.
    entries = write_patient_dataset(tmp_path / "syn", patients=6, seed=3, size=256)
    assert sorted(e.grade for e in entries) == sorted(GRADES)
    model = build_model(get_config("compact").with_input_size(256), seed=0)
    reports = grading_reports(model, tmp_path / "syn", "all")
    exact = reports["measured_exact"]
    assert exact["unmeasured"] == 0 and exact["coverage"] == 1.0
    assert sum(map(sum, exact["confusion"])) == 6
    # The generator's palsy is what the measure reads: within one grade for every patient.
    assert exact["within_one"] == 1.0 and exact["quadratic_kappa"] > 0.8
    # and the affected side: grade I has none; the others' sides are named, nearly all right
    assert exact["side"]["patients"] == len([e for e in entries if e.side in ("left", "right")]) == 5
    assert exact["side"]["named"] == exact["side"]["right"] + exact["side"]["opposite"] and exact["side"]["right"] >= 4
    # An untrained E1's masks: every patient is either graded or counted as unmeasured.
    measured = reports["measured"]
    assert sum(map(sum, measured["confusion"])) + measured["unmeasured"] == 6
    assert measured["coverage"] == (6 - measured["unmeasured"]) / 6


def test_cli_levels_and_patients_without_movement(tiny_patients, tiny_weights, capsys):
    argv = ["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--json"]
    assert main(argv + ["--level", "measured-exact"]) == 0
    report = json.loads(capsys.readouterr().out)
    # The cartoon patients make the same face for every expression: nothing moves, so the
    # measure gives no grade and every patient is counted as unmeasured.
    assert report["unmeasured"] == 18 and report["coverage"] == 0.0
    assert sum(map(sum, report["confusion"])) == 0
    assert main(["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--level", "measured"]) == 0
    # the text output says so instead of printing accuracy 0.000, kappa 0.000
    out = capsys.readouterr().out
    assert "no patient could be measured (18 without a measured grade)" in out and "accuracy" not in out


def test_measured_exact_needs_every_mask(tiny_patients, tiny_weights, capsys):
    next(tiny_patients.glob("*/masks/rest.png")).unlink()
    argv = ["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--level", "measured-exact"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "needs a mask for every photo" in err and len(err.splitlines()) == 1


def test_the_measured_affected_side_is_scored() -> None:
    # `palsy evaluate` never scored the side, so claims about it rested on a benchmark script
    from models.pipeline.measures import MeasuredFunction
    from models.train.evaluation import side_report

    def measured(side: str) -> MeasuredFunction:
        return MeasuredFunction("IV", 40.0, side, side)

    report = side_report([("left", measured("left")), ("right", measured("left")), ("left", measured("none")),
                          ("none", measured("right")), ("right", measured("right"))])
    assert report == {"patients": 4, "named": 3, "right": 2, "opposite": 1, "no_side": 1, "accuracy": 2 / 3,
                      "opposite_doubted": 0, "right_doubted": 0}
    assert side_report([])["accuracy"] is None
