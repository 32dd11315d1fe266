"""`grading_reports(levels=...)` makes only the reports asked for, each the same as in the full
set: `palsy evaluate grading --level patient` and the demo's comparison runs do not read
every patient's masks for a measured grade they throw away."""

import pytest
import torch

import models.train.comparison as comparison
import models.train.evaluation as evaluation
from models.cascade import build_model
from models.config import get_config
from models.train.evaluation import evaluate_grading, grading_reports

from .conftest import draw_patients

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def model():
    """An untrained compact network at 32 px (its passes are quick; what is compared is which
    reports are made, not their figures)."""
    return build_model(get_config("compact").with_input_size(32), seed=0).eval()


@pytest.fixture
def measured_calls(monkeypatch):
    """How many measured reports (one per mask kind) were made."""
    calls = []
    real = evaluation.measured_report

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluation, "measured_report", counted)
    return calls


def test_only_the_levels_asked_for_are_made_and_each_is_the_full_one(model, tmp_path, measured_calls):
    patients = draw_patients(tmp_path / "patients", 2, seed=1)
    full = grading_reports(model, patients)
    assert set(full) == {"patient", "photo", "measured", "measured_exact"} and len(measured_calls) == 2
    measured_calls.clear()
    network = grading_reports(model, patients, levels=("patient", "photo"))
    assert network == {"patient": full["patient"], "photo": full["photo"]} and not measured_calls
    # evaluate_grading makes only its level's report: none, then one measured report
    assert evaluate_grading(model, patients, level="patient") == full["patient"] and not measured_calls
    assert evaluate_grading(model, patients, level="measured-exact") == full["measured_exact"] and len(measured_calls) == 1
    with pytest.raises(ValueError, match="unknown report levels"):
        grading_reports(model, patients, levels=("measured-exact",))  # report keys, not --level names


def test_a_comparison_run_makes_no_measured_report(model, tmp_path, measured_calls, monkeypatch):
    patients = draw_patients(tmp_path / "patients", 2, seed=1)
    monkeypatch.setattr(comparison, "train_grading", lambda *args, **kwargs: (model, {"steps": 3}))
    summary = comparison.compare_run(patients, patients, tmp_path / "arm.pt", None, torch.device("cpu"), True, [], None)
    assert not measured_calls
    full = grading_reports(model, patients)
    assert (summary["steps"], summary["patient_level"], summary["photo_level"]) == (3, full["patient"], full["photo"])
