"""Parsing F1 on the FASSEG hold-out, by pose: where the FASSEG figure is lost. Prints JSON.

    PYTHONPATH=. python benchmarks/fasseg_poses.py --weights resources/weights/demo_compact.pt [--data ../shared/data/fasseg]

The hold-out (`models.data.parsing.fasseg_split`) is three frontal V2 photos and all 26
photos of V3 person 04: two series, 13 head pans from -90 to +90 degrees each. The photos are
scored as `palsy evaluate parsing` scores them (letterboxed to the network input, E1
averaged over the photo and its mirror) and pooled per group: V2 frontal, then each V3 series
by |pan| (0-15, 30-60, 75-90 degrees). A capture station photographs frontal faces, so the
first and the 0-15 groups are the poses the app sees; `frontal or pan 0-15` pools them.
"""

from __future__ import annotations

import csv
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
from models.data.augment import fit_square  # noqa: E402
from models.data.parsing import ParsingDataset  # noqa: E402
from models.metrics import confusion_matrix, parsing_report  # noqa: E402
from models.resources import shared_data_dir  # noqa: E402
from models.train.evaluation import _predict_masks  # noqa: E402

FRONTAL = "frontal or pan 0-15"


def pose_group(name: str, data_set: str, pose: str) -> str:
    """The group of a FASSEG photo from its meta.csv row: 'V2 frontal' or 'V3 series S, pan A-B'."""
    if data_set == "V2":
        return "V2 frontal"
    series = name.split("personne")[1][2]  # personneXXSII: XX person, S series
    pan = abs(int(pose))
    band = "0-15" if pan <= 15 else "30-60" if pan <= 60 else "75-90"
    return f"V3 series {series}, pan {band}"


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(description=__doc__.split("\n\n")[0])  # a bad option is one line, exit 2
    parser.add_argument("--weights", required=True, type=existing_file)
    parser.add_argument("--data", type=existing_folder, default=None, help="the fasseg folder (default ../shared/data/fasseg)")
    parser.add_argument("--single-pass", action="store_true", help="one E1 pass per photo, no mirror average")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    root = Path(args.data) if args.data else shared_data_dir() / "fasseg"
    dataset = ParsingDataset.open(root)
    with open(root / "meta.csv", newline="") as f:
        meta = {row["name"]: row for row in csv.DictReader(f)}
    model, _ = load_checkpoint(args.weights)  # fp16 storage loads as fp32
    back = dataset.project_to_dataset()
    n = len(dataset.classes)
    confusions: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for name in dataset.split_names("val"):
        image, mask = fit_square(*dataset.load(name), model.config.input_size)
        predicted = back[_predict_masks(model, [image], torch.device("cpu"), not args.single_pass)][0]
        conf = confusion_matrix(mask, predicted, n)
        group = pose_group(name, meta[name]["set"], meta[name]["pose"])
        keys = [group, "all"] + ([FRONTAL] if group == "V2 frontal" or group.endswith("pan 0-15") else [])
        for key in keys:
            confusions[key] = confusions.get(key, np.zeros((n, n), dtype=np.int64)) + conf
            counts[key] = counts.get(key, 0) + 1
    report = {"weights": str(args.weights), "mirror_averaged": not args.single_pass, "groups": {}}
    for group in sorted(confusions, key=lambda g: (g in (FRONTAL, "all"), g == "all", g)):
        scores = parsing_report(confusions[group], dataset.classes)
        report["groups"][group] = {
            "photos": counts[group],
            "mean_f1": None if scores["mean_f1"] is None else round(scores["mean_f1"], 3),  # null: no class scored
            "f1": {c: round(v["f1"], 3) for c, v in scores["classes"].items() if c != "background"},
        }
    report["ran_on"] = ran_on(None, None)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
