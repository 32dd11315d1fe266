"""`palsy synth`: the patient data set layout, balanced grades, subject-wise splits."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli import main
from app.commands.synth import default_workers
from models.data.synthetic.dataset import plan_patients, write_patient_dataset
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


def test_a_stored_frame_is_the_render_of_its_planned_patient(tmp_path: Path) -> None:
    from models.data.synthetic.dataset import entry_patient
    from models.data.synthetic.patient import render_expression

    entry = plan_patients(3, seed=2)[1]
    rgb, mask = render_expression(entry_patient(entry), "open_mouth", 40, frame_seed=1)
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


def test_parallel_rendering_writes_the_same_files_as_one_process(tmp_path: Path) -> None:
    serial = write_patient_dataset(tmp_path / "one", patients=5, seed=11, size=48, workers=1)
    done: list[tuple[int, int]] = []
    parallel = write_patient_dataset(tmp_path / "two", patients=5, seed=11, size=48, workers=2,
                                     progress=lambda d, n: done.append((d, n)))
    assert serial == parallel and done[-1] == (5, 5) and len(done) == 5
    one = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file())
    two = sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*") if p.is_file())
    assert one == two and len(one) == 5 * 2 * len(EXPRESSIONS) + 1
    for rel in one:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel


def test_a_worker_that_cannot_write_fails_the_set_without_a_labels_file(tmp_path: Path) -> None:
    out = tmp_path / "set"
    out.mkdir()
    (out / plan_patients(4, seed=2)[2].patient_id).write_text("a file where a patient folder goes")
    with pytest.raises(OSError):
        write_patient_dataset(out, patients=4, seed=2, size=40, workers=2)
    assert not (out / "labels.csv").exists()


def test_workers_default_and_bad_values(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert [default_workers(n) for n in (1, 15, 16, 40, 600)] == [1, 1, 2, 5, 8]
    assert main(["synth", "--out", str(tmp_path / "x"), "--patients", "2", "--seed", "1", "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err


def test_a_small_synthetic_set_gets_every_split_and_large_ones_keep_their_proportions() -> None:
    # 3 patients were planned 3 / 0 / 0: no patient to validate or test on
    from collections import Counter

    assert Counter(e.split for e in plan_patients(3, seed=1)) == {"train": 1, "val": 1, "test": 1}
    assert Counter(e.split for e in plan_patients(4, seed=2)) == {"train": 2, "val": 1, "test": 1}
    assert Counter(e.split for e in plan_patients(600, seed=1)) == {"train": 400, "val": 100, "test": 100}
    assert [e.split for e in plan_patients(2, seed=1)] == ["train", "train"]  # too few to split
