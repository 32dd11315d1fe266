"""One fusion rule for the app and `palsy evaluate`: an expression's frames are averaged first,
then the expressions (DESIGN §7 step 3), so extra frames of one expression do not outvote the rest."""

from __future__ import annotations

import numpy as np
import pytest

import models.train.evaluation as evaluation
from models.data.parsing import read_mask
from models.data.synthetic.dataset import write_patient_dataset
from models.labels import GRADES
from models.pipeline.fusion import expression_means, fuse_patients, patient_probabilities
from models.train.evaluation import PhotoPass, grading_reports

GRADE_I = np.array([0.6, 0.3, 0.1, 0.0, 0.0, 0.0])
GRADE_IV = np.array([0.0, 0.0, 0.1, 0.9, 0.0, 0.0])


def test_frames_are_averaged_within_their_expression_first() -> None:
    expressions = ["rest", "rest", "rest", "open_mouth"]
    probabilities = np.array([GRADE_I, GRADE_I, GRADE_I, GRADE_IV])
    means = expression_means(expressions, probabilities)
    assert list(means) == ["rest", "open_mouth"] and np.allclose(means["rest"], GRADE_I)
    fused = patient_probabilities(means)
    assert np.allclose(fused, (GRADE_I + GRADE_IV) / 2) and GRADES[int(fused.argmax())] == "IV"
    assert GRADES[int(probabilities.mean(0).argmax())] == "I"  # what a mean over photos would say


def test_fuse_patients_groups_by_patient_and_sorts_them() -> None:
    ids = ["b", "a", "b", "a", "b"]
    expressions = ["rest", "rest", "rest", "close_eyes", "close_eyes"]
    probabilities = np.array([GRADE_I, GRADE_IV, GRADE_I, GRADE_I, GRADE_IV])
    unique, fused = fuse_patients(ids, expressions, probabilities)
    assert unique == ["a", "b"]
    assert np.allclose(fused, [(GRADE_IV + GRADE_I) / 2, (GRADE_I + GRADE_IV) / 2])
    with pytest.raises(ValueError, match="3 expressions for 5"):
        expression_means(expressions[:3], probabilities)


def test_evaluate_fuses_patients_as_the_app_does(tmp_path, monkeypatch) -> None:
    """Three rest frames and one frame of each other expression; the network answers grade I on
    the rest frames, the true grade on close_eyes and raise_eyebrows, and nothing in particular on
    the others. The mean over expressions names the true grade; a mean over the eight photos would
    let the three rest frames outvote them (grade I for every patient)."""
    root = tmp_path / "set"
    write_patient_dataset(root, patients=6, seed=3, size=96, frames=3)
    for extra in [*root.glob("*/*_[23].png"), *root.glob("*/masks/*_[23].png")]:
        if not extra.name.startswith("rest_"):
            extra.unlink()

    def fake_pass(model, samples, patients, split, device, mirror=True, progress=None, photos=None):
        probabilities = np.full((len(samples), len(GRADES)), 1 / len(GRADES))
        for i, sample in enumerate(samples):
            answer = {"rest": 0, "close_eyes": sample.grade, "raise_eyebrows": sample.grade}.get(sample.expression)
            if answer is not None:
                probabilities[i] = 0.1 / (len(GRADES) - 1)
                probabilities[i, answer] = 0.9
        masks = np.stack([read_mask(s.mask) for s in samples])
        return PhotoPass([s.patient_id for s in samples], np.array([s.grade for s in samples]), probabilities, masks,
                         None, [s.expression for s in samples])

    monkeypatch.setattr(evaluation, "grade_photos", fake_pass)
    reports = grading_reports(model=None, data=root)
    assert reports["patient"]["accuracy"] == 1.0
