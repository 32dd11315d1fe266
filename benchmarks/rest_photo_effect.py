"""The network grade with and without the rest photo. Prints JSON.

    PYTHONPATH=. python benchmarks/rest_photo_effect.py --data runs/demo/patients_eval \
        [--weights resources/weights/demo_compact.pt] [--threads 2]

The paper grades five expressions (section III-C); E2 here is trained on, and the patient grade
(`models.pipeline.fusion`) fuses, all six photos, the rest photo included. This scores both
fusions on the same pass over the photos, as `palsy evaluate grading` makes it (E1
mirror-averaged), with each expression's photo accuracy beside them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.cli import OneLineParser  # noqa: E402
from benchmarks.arg_checks import existing_file, existing_folder  # noqa: E402
from benchmarks.ran_on import ran_on  # noqa: E402
from models.checkpoint import load_checkpoint  # noqa: E402
from models.data.patients import PatientDataset  # noqa: E402
from models.labels import GRADES  # noqa: E402
from models.metrics import confusion_matrix, grading_report  # noqa: E402
from models.pipeline.fusion import fuse_patients  # noqa: E402
from models.resources import default_weights_path  # noqa: E402
from models.train.evaluation import grade_photos  # noqa: E402

NUM_GRADES = len(GRADES)


def patient_figures(patients: PatientDataset, ids: list[str], expressions: np.ndarray, probabilities: np.ndarray,
                    keep: np.ndarray) -> dict:
    """Accuracy, kappa and within one per patient, fusing the photos `keep` selects."""
    unique, fused = fuse_patients([i for i, k in zip(ids, keep, strict=True) if k], list(expressions[keep]), probabilities[keep])
    truth = np.array([patients.patients[p].grade for p in unique])
    report = grading_report(confusion_matrix(truth, fused.argmax(1), NUM_GRADES))
    return {"patients": len(unique), **{k: report[k] for k in ("accuracy", "quadratic_kappa", "within_one")}}


def main(argv: list[str] | None = None) -> dict:
    parser = OneLineParser(description=__doc__.splitlines()[0])  # a bad option is one line, exit 2
    parser.add_argument("--data", required=True, type=existing_folder, help="a patient set (palsy synth layout)")
    parser.add_argument("--weights", type=existing_file, default=None, help="a graded checkpoint (default: the shipped weights)")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    weights = Path(args.weights) if args.weights else default_weights_path()
    model, _ = load_checkpoint(weights)
    patients = PatientDataset(args.data)
    graded = grade_photos(model, patients.samples("all"), patients, "all", torch.device("cpu"))
    expressions = np.array(graded.expressions)
    predicted = graded.probabilities.argmax(1)
    per_expression = {
        e: float(np.mean(predicted[expressions == e] == graded.truth[expressions == e])) for e in dict.fromkeys(expressions)
    }
    report = {
        "benchmark": "rest_photo_effect",
        "weights": str(weights),
        "data": str(args.data),
        "six_photos": patient_figures(patients, graded.ids, expressions, graded.probabilities, np.ones(len(expressions), bool)),
        "five_expressions": patient_figures(patients, graded.ids, expressions, graded.probabilities, expressions != "rest"),
        "photo_accuracy_by_expression": per_expression,
        "ran_on": ran_on(None, None),
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
