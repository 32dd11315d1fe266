"""Model-card sentences that depend on the run's numbers and records."""

from models.train.card import (
    _e1_moved_after_e2,
    _grade_step,
    _grading_verdict,
    _measured_advice,
    _rotation,
)


def _grading(acc, kappa, within):
    return {"accuracy": acc, "quadratic_kappa": kappa, "within_one": within}


def test_rotation_comes_from_the_run_record():
    assert _rotation({"augment": {"rotation": 2.0}}) == "rotation ±2°"
    assert _rotation({"augment": {"rotation": 6.0}}) == "rotation ±6°"
    assert _rotation({}) == "rotation range not recorded by this run"


def test_measured_advice_follows_the_numbers():
    net = _grading(0.39, 0.74, 0.81)
    assert _measured_advice({"synthetic_grading_patient": net}, 128) == []
    similar = _measured_advice({"synthetic_grading_patient": net, "synthetic_measured": _grading(0.36, 0.71, 0.83)}, 128)[0]
    assert "neither is the better guide" in similar and "0.360" in similar
    better = _measured_advice({"synthetic_grading_patient": net, "synthetic_measured": _grading(0.6, 0.9, 0.95)}, 128)[0]
    assert "prefer the measured grade" in better
    worse = _measured_advice({"synthetic_grading_patient": net, "synthetic_measured": _grading(0.2, 0.4, 0.6)}, 128)[0]
    assert "the network grade did better here" in worse
    # Kappa within 0.05: accuracy 0.05 higher at no lower kappa decides (the 2026-12-02 evening weights).
    shipped = _measured_advice({"synthetic_grading_patient": _grading(0.692, 0.915, 0.942),
                                "synthetic_measured": _grading(0.550, 0.887, 0.950)}, 256)[0]
    assert "the network grade did better here" in shipped
    close = _measured_advice({"synthetic_grading_patient": _grading(0.60, 0.90, 0.95),
                              "synthetic_measured": _grading(0.58, 0.91, 0.95)}, 256)[0]
    assert "neither is the better guide" in close
    exact = {"synthetic_grading_patient": net, "synthetic_measured": _grading(0.31, 0.71, 0.83), "synthetic_measured_exact": _grading(0.69, 0.95, 1.0)}
    assert "exact masks the same measure reaches 0.690 (kappa 0.950) at 128 px" in _measured_advice(exact, 128)[0]


def test_grade_step_scales_with_the_input():
    assert _grade_step(128) == "about a pixel"
    assert _grade_step(256) == "about 2 pixels"
    assert _grade_step(512) == "about 4 pixels"


def test_grading_verdict_against_the_targets():
    weak = _grading_verdict(_grading(0.40, 0.775, 0.842), 128)[0]
    assert weak.startswith("**Grading is weak**") and "about a pixel" in weak
    below = _grading_verdict(_grading(0.692, 0.915, 0.942), 128)[0]
    assert "is below the project's targets** (accuracy / kappa / within one 0.692 / 0.915 / 0.942 per patient against 0.90 / 0.95 / 0.99)" in below
    # The verdict says why more training alone will not reach the accuracy target, and where that is measured.
    assert "one photo at a time" in below and "benchmarks/grade_signal.py" in below and "What the synthetic patients hold" in below
    assert "meets" in _grading_verdict(_grading(0.91, 0.96, 0.99), 256)[0]
    assert "is below" in _grading_verdict(_grading(0.95, 0.96, 0.98), 256)[0]  # every target must hold


def test_comparison_note_only_when_both_arms_are_at_chance():
    from models.train.card import _comparison_note

    chance, learnt = {"quadratic_kappa": 0.03}, {"quadratic_kappa": 0.63}
    (note, blank) = _comparison_note(chance, {"quadratic_kappa": -0.04})
    assert "near chance" in note and "cascade_vs_end_to_end.py" in note and blank == ""
    assert _comparison_note(learnt, chance) == [] and _comparison_note(chance, learnt) == []


def test_limits_say_when_e1_moved_after_e2_learnt_from_it():
    assert _e1_moved_after_e2({"stage1": {}, "stage2": {}}) == []
    [line] = _e1_moved_after_e2({"stage1_polish": {"steps": 930}})
    assert "earlier E1" in line and "not the paper's cascade" in line
