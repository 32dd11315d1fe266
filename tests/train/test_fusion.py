"""One fusion rule for the app and `palsy evaluate`: an expression's frames are averaged first,
then the expressions (DESIGN §7 step 3), so extra frames of one expression do not outvote the rest."""

from __future__ import annotations

import numpy as np
import pytest

import models.train.evaluation as evaluation
from models.data.parsing import read_mask
from models.data.patients import PatientDataset
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
    # Differing frames of one expression: their mean, not any one frame.
    means = expression_means(["rest"] * 3, np.array([GRADE_I, GRADE_IV, GRADE_I]))
    assert np.allclose(means["rest"], (2 * GRADE_I + GRADE_IV) / 3)


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


def test_the_patient_confusion_has_true_grades_in_rows(tmp_path, monkeypatch) -> None:
    """A network that answers grade I for everyone: row g of the patient confusion holds every
    patient of true grade g in column I, and a grade's support is how many patients truly have it."""
    root = tmp_path / "set"
    write_patient_dataset(root, patients=6, seed=3, size=96, frames=1)

    def grade_one_pass(model, samples, patients, split, device, mirror=True, progress=None, photos=None):
        probabilities = np.tile([0.9, 0.02, 0.02, 0.02, 0.02, 0.02], (len(samples), 1))
        masks = np.stack([read_mask(s.mask) for s in samples])
        return PhotoPass([s.patient_id for s in samples], np.array([s.grade for s in samples]), probabilities, masks,
                         None, [s.expression for s in samples])

    monkeypatch.setattr(evaluation, "grade_photos", grade_one_pass)
    reports = grading_reports(model=None, data=root)
    truth = {s.patient_id: s.grade for s in PatientDataset(root).samples("all")}
    n_true = np.bincount(list(truth.values()), minlength=len(GRADES))
    assert (n_true[1:] > 0).any()  # some patients are not grade I, so a transposed matrix differs
    patient = reports["patient"]
    for g, name in enumerate(GRADES):
        assert patient["confusion"][g][0] == n_true[g]
        assert sum(patient["confusion"][g]) == n_true[g]
        assert patient["per_grade"][name]["support"] == n_true[g]
    assert patient["accuracy"] == pytest.approx(n_true[0] / n_true.sum())
