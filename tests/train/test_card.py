"""Model-card sentences that depend on the run's numbers and records."""

from models.train.card import _grade_step, _measured_advice, _rotation


def _grading(acc, kappa, within):
    return {"accuracy": acc, "quadratic_kappa": kappa, "within_one": within}


def test_rotation_comes_from_the_run_record():
    assert _rotation({"augment": {"rotation": 2.0}}) == "rotation ±2°"
    assert _rotation({"augment": {"rotation": 6.0}}) == "rotation ±6°"
    assert _rotation({}) == "rotation range not recorded by this run"


def test_measured_advice_follows_the_numbers():
    net = _grading(0.39, 0.74, 0.81)
    assert _measured_advice({"synthetic_grading_patient": net}, 128) == []
    similar = _measured_advice({"synthetic_grading_patient": net, "synthetic_measured": _grading(0.31, 0.71, 0.83)}, 128)[0]
    assert "neither is the better guide" in similar and "0.310" in similar
    better = _measured_advice({"synthetic_grading_patient": net, "synthetic_measured": _grading(0.6, 0.9, 0.95)}, 128)[0]
    assert "prefer the measured grade" in better
    worse = _measured_advice({"synthetic_grading_patient": net, "synthetic_measured": _grading(0.2, 0.4, 0.6)}, 128)[0]
    assert "network grade is the better of two weak grades" in worse
    exact = {"synthetic_grading_patient": net, "synthetic_measured": _grading(0.31, 0.71, 0.83), "synthetic_measured_exact": _grading(0.69, 0.95, 1.0)}
    assert "exact masks the same measure reaches 0.690 (kappa 0.950) at 128 px" in _measured_advice(exact, 128)[0]


def test_grade_step_scales_with_the_input():
    assert _grade_step(128) == "about a pixel"
    assert _grade_step(256) == "about 2 pixels"
    assert _grade_step(512) == "about 4 pixels"
