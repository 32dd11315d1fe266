"""`palsy synth --force` replaces the set in a folder: the old set's patient folders (those its
labels.csv lists, nothing else) go first, so a smaller set or fewer frames leave nothing behind."""

from __future__ import annotations

import csv
from pathlib import Path

from app.cli import main
from models.data.patients import PatientDataset


def _ids(root: Path) -> list[str]:
    with (root / "labels.csv").open(newline="") as handle:
        return [row["patient_id"] for row in csv.DictReader(handle)]


def _synth(out: Path, patients: int, seed: int, *extra: str) -> int:
    return main(["synth", "--out", str(out), "--patients", str(patients), "--seed", str(seed), "--size", "48",
                 "--workers", "1", *extra])


def test_force_with_fewer_patients_removes_the_old_sets_folders_only(tmp_path, capsys):
    out = tmp_path / "set"
    assert _synth(out, 7, 3) == 0
    old = _ids(out)
    (out / "notes.txt").write_text("mine")
    (out / "other").mkdir()  # a folder labels.csv does not list
    (out / "other" / "keep.png").write_bytes(b"x")
    assert _synth(out, 3, 4, "--force") == 0
    assert "removed the 7 patient folders of the set that was in" in capsys.readouterr().err
    new = _ids(out)
    assert len(new) == 3 and not set(old) & set(new)
    assert sorted(p.name for p in out.iterdir()) == sorted([*new, "labels.csv", "notes.txt", "other"])
    assert (out / "other" / "keep.png").read_bytes() == b"x"
    assert sorted(PatientDataset(out).patient_ids()) == sorted(new)


def test_force_with_fewer_frames_leaves_no_old_frame_behind(tmp_path):
    out = tmp_path / "set"
    assert _synth(out, 2, 5, "--frames", "2") == 0
    assert _synth(out, 2, 5, "--force") == 0
    for pid in _ids(out):
        assert not list((out / pid).glob("*_2.png")) and not list((out / pid / "masks").glob("*_2.png"))


def test_force_never_follows_an_id_out_of_the_folder(tmp_path):
    out = tmp_path / "set"
    outside = tmp_path / "outside"
    outside.mkdir()
    assert _synth(out, 2, 6) == 0
    with (out / "labels.csv").open("a", newline="") as handle:
        handle.write("../outside,III,left,train\n")  # an edited labels.csv
    assert _synth(out, 2, 7, "--force") == 0
    assert outside.is_dir()  # an id that is not a plain folder name is never followed
    assert sorted(p.name for p in out.iterdir()) == sorted([*_ids(out), "labels.csv"])


def test_without_force_an_existing_set_is_refused(tmp_path, capsys):
    out = tmp_path / "set"
    assert _synth(out, 2, 8) == 0
    capsys.readouterr()
    assert _synth(out, 2, 9) == 2
    assert "already holds a data set" in capsys.readouterr().err
