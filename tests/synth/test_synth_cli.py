"""`palsy synth`: the patient data set layout, balanced grades, subject-wise splits."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from app.cli import main
from models.data.synthetic.dataset import plan_patients
from models.labels import EXPRESSIONS, GRADES, NUM_CLASSES


def _rows(root: Path) -> list[dict[str, str]]:
    with (root / "labels.csv").open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_cli_writes_layout_with_balanced_grades(tmp_path: Path) -> None:
    out = tmp_path / "set"
    assert (
        main(["synth", "--out", str(out), "--patients", "14", "--seed", "4", "--size", "48"]) == 0
    )
    rows = _rows(out)
    assert list(rows[0]) == ["patient_id", "grade", "side", "split"]
    assert len(rows) == 14 and len({r["patient_id"] for r in rows}) == 14
    counts = Counter(r["grade"] for r in rows)
    assert set(counts) == set(GRADES) and max(counts.values()) - min(counts.values()) <= 1
    for r in rows:
        assert (r["grade"] == "I") == (r["side"] == "none")
        assert r["side"] in ("left", "right", "none")
        for expression in EXPRESSIONS:
            image = cv2.imread(
                str(out / r["patient_id"] / f"{expression}.png"), cv2.IMREAD_UNCHANGED
            )
            mask = cv2.imread(
                str(out / r["patient_id"] / "masks" / f"{expression}.png"), cv2.IMREAD_UNCHANGED
            )
            assert image.shape == (48, 48, 3) and mask.shape == (48, 48)
            assert int(mask.max()) < NUM_CLASSES


def test_cli_frames_and_determinism(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert (
            main(
                [
                    "synth",
                    "--out",
                    str(out),
                    "--patients",
                    "2",
                    "--seed",
                    "9",
                    "--size",
                    "40",
                    "--frames",
                    "2",
                ]
            )
            == 0
        )
    pid = _rows(a)[0]["patient_id"]
    files = sorted(p.name for p in (a / pid).glob("*.png"))
    assert files == sorted(f"{e}_{k}.png" for e in EXPRESSIONS for k in (1, 2))
    one = cv2.imread(str(a / pid / "rest_1.png"))
    two = cv2.imread(str(a / pid / "rest_2.png"))
    again = cv2.imread(str(b / pid / "rest_1.png"))
    assert np.array_equal(one, again) and not np.array_equal(one, two)


def test_splits_are_subject_wise_and_proportional() -> None:
    entries = plan_patients(120, seed=1)
    splits = Counter(e.split for e in entries)
    assert splits == {"train": 80, "val": 20, "test": 20}
    ids = {s: {e.patient_id for e in entries if e.split == s} for s in splits}
    assert (
        not (ids["train"] & ids["val"])
        and not (ids["train"] & ids["test"])
        and not (ids["val"] & ids["test"])
    )
    for split in ("val", "test"):
        per_grade = Counter(e.grade for e in entries if e.split == split)
        assert set(per_grade) == set(GRADES), (split, per_grade)
    seeds = [e.seed for e in entries]
    assert len(set(seeds)) == len(seeds)


def test_cli_refuses_bad_input(tmp_path: Path, capsys) -> None:
    assert main(["synth", "--out", str(tmp_path / "x"), "--patients", "0", "--seed", "1"]) == 2
    assert "--patients" in capsys.readouterr().err
    assert (
        main(
            ["synth", "--out", str(tmp_path / "x"), "--patients", "1", "--seed", "1", "--size", "8"]
        )
        == 2
    )
    out = tmp_path / "y"
    assert main(["synth", "--out", str(out), "--patients", "1", "--seed", "1", "--size", "32"]) == 0
    assert main(["synth", "--out", str(out), "--patients", "1", "--seed", "1", "--size", "32"]) == 2
    assert "already holds" in capsys.readouterr().err


def test_samples_give_random_access_to_the_planned_photos(tmp_path: Path) -> None:
    from models.data.synthetic.dataset import SyntheticSamples

    entries = plan_patients(3, seed=2)
    samples = SyntheticSamples(entries, size=40, frames=2, expressions=("rest", "open_mouth"))
    assert len(samples) == 3 * 2 * 2
    rgb, mask, entry, expression, frame = samples[7]
    assert (entry, expression, frame) == (entries[1], "open_mouth", 1)
    assert rgb.shape == (40, 40, 3) and mask.shape == (40, 40)
    assert (
        main(
            [
                "synth",
                "--out",
                str(tmp_path / "s"),
                "--patients",
                "3",
                "--seed",
                "2",
                "--size",
                "40",
                "--frames",
                "2",
            ]
        )
        == 0
    )
    stored = cv2.imread(
        str(tmp_path / "s" / entry.patient_id / "masks" / "open_mouth_2.png"), cv2.IMREAD_UNCHANGED
    )
    assert np.array_equal(stored, mask)
