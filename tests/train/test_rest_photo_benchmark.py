"""benchmarks/rest_photo_effect.py scores the network grade with and without the rest photo on one
pass (README: E2 fuses six photos where the paper names five expressions)."""

from __future__ import annotations

import json

import numpy as np
import torch

from models.checkpoint import load_checkpoint
from models.data.patients import PatientDataset
from models.metrics import confusion_matrix, grading_report
from models.pipeline.fusion import fuse_patients
from models.train.evaluation import grade_photos
from tests.scripts import load_script
from tests.train.conftest import draw_patients


def test_the_five_expression_grade_leaves_the_rest_photo_out(tmp_path, tiny_weights, capsys) -> None:
    data = draw_patients(tmp_path / "patients", 6, seed=3)
    report = load_script("benchmarks/rest_photo_effect.py").main(["--data", str(data), "--weights", str(tiny_weights)])
    assert json.loads(capsys.readouterr().out) == report
    assert sorted(report["photo_accuracy_by_expression"]) == sorted(
        ["rest", "close_eyes", "raise_eyebrows", "open_mouth", "wrinkle_nose", "puff_cheeks"])
    # the five-expression figure, by hand: the photos of every expression but rest, fused by their mean
    model, _ = load_checkpoint(tiny_weights)
    patients = PatientDataset(data)
    graded = grade_photos(model, patients.samples("all"), patients, "all", torch.device("cpu"))
    keep = [e != "rest" for e in graded.expressions]
    unique, fused = fuse_patients([i for i, k in zip(graded.ids, keep, strict=True) if k],
                                  [e for e, k in zip(graded.expressions, keep, strict=True) if k], graded.probabilities[keep])
    truth = np.array([patients.patients[p].grade for p in unique])
    by_hand = grading_report(confusion_matrix(truth, fused.argmax(1), 6))
    assert report["five_expressions"]["patients"] == report["six_photos"]["patients"] == 6
    assert report["five_expressions"]["accuracy"] == by_hand["accuracy"]
    assert report["five_expressions"]["within_one"] == by_hand["within_one"]
