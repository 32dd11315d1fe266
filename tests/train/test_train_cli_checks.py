"""`palsy train parsing|grading|end-to-end`: a user's mistake is one line and exit 2 before any
training (DESIGN §8); a resume continues the very run it names, or says why it cannot."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import cv2
import pytest
import torch

from app.cli import main
from models.checkpoint import read_checkpoint
from models.train.loop import LoopSettings
from models.train.stages import DataSpec, train_parsing
from tests.train.loop_helpers import CancelAfter

CPU = torch.device("cpu")

pytestmark = pytest.mark.usefixtures("one_thread")




def _refused(argv: list[str], capsys) -> str:
    """Exit 2 with one line on stderr (from the command or from argparse); the line."""
    try:
        status = main(argv)
    except SystemExit as stop:  # argparse's usage error
        status = stop.code
    err = capsys.readouterr().err.strip()
    assert status == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def interrupted(tiny_patients, tmp_path) -> Path:
    """A parsing run through the CLI's defaults (seed 0, lr 2e-4, batch 2 given), cancelled after 2 of its steps."""
    out = tmp_path / "run.pt"
    settings = LoopSettings("parsing", steps=40, seed=0, lr=2e-4)
    train_parsing([DataSpec(tiny_patients)], out, settings, CPU, input_size=64, batch_size=2, progress=CancelAfter(2))
    assert read_checkpoint(out)["train_state"]["step"] == 2
    return out


def _parsing(data: Path, out: Path, *extra: str) -> list[str]:
    return ["train", "parsing", "--data", str(data), "--input-size", "64", "--batch-size", "2", "--out", str(out), *extra]


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--config", "foo"], "--config foo: unknown configuration; choose one of paper, compact"),
        (["--lr", "-1"], "argument --lr: must be a finite number above 0"),
        (["--lr", "nan"], "argument --lr: must be a finite number above 0"),
        (["--threads", "-1"], "argument --threads: must be 1 or more"),
        (["--seed", "-1"], "argument --seed: must be 0 to 4294967295"),
        (["--seed", "99999999999999999999"], "argument --seed: must be 0 to 4294967295"),
        (["--epochs", "-1"], "argument --epochs: must be a finite number above 0"),
        (["--epochs", "nan"], "argument --epochs: must be a finite number above 0"),
        (["--minutes", "-1"], "give a positive --minutes budget"),
        (["--minutes", "nan"], "give a positive --minutes budget"),
        (["--input-size", "0"], "--input-size 0: give a multiple of 32 from 32 to 1280"),
        # the largest size whose attention fits memory, not the configuration's 2048 px
        (["--input-size", "2080"], "--input-size 2080: give a multiple of 32 from 32 to 1280"),
        (["--ordinal-weight", "1"], "--ordinal-weight is for palsy train grading, end-to-end and demo"),
        (["--cache-variants", "2"], "--cache-variants is for palsy train grading, demo and clinic"),
    ],
)
def test_bad_options_are_one_line(tiny_patients, tmp_path, capsys, extra, words):
    argv = _parsing(tiny_patients, tmp_path / "x.pt", *extra)
    if "--epochs" not in extra and "--minutes" not in extra:
        argv += ["--epochs", "1"]
    assert words in _refused(argv, capsys)
    assert not (tmp_path / "x.pt").exists()


def test_a_data_weight_must_be_finite_and_positive(tiny_patients, tmp_path, capsys):
    for weight in ("nan", "inf", "-1", "0"):
        err = _refused(["train", "parsing", "--data", f"{tiny_patients}:{weight}", "--epochs", "1", "--out", str(tmp_path / "x.pt")], capsys)
        assert "the weight must be a finite number above 0" in err


def test_bad_out_and_log_paths_are_refused_before_training(tiny_patients, tmp_path, capsys, monkeypatch):
    import models.train.stages as stages

    monkeypatch.setattr(stages, "train", lambda *a, **k: pytest.fail("trained before the paths were checked"))
    folder = tmp_path / "folder"
    folder.mkdir()
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    assert f"--out {folder} is a folder" in _refused(_parsing(tiny_patients, folder, "--epochs", "1"), capsys)
    assert f"--log {folder} is a folder" in _refused(_parsing(tiny_patients, tmp_path / "x.pt", "--epochs", "1", "--log", str(folder)), capsys)
    err = _refused(_parsing(tiny_patients, afile / "x.pt", "--epochs", "1"), capsys)
    assert f"--out {afile / 'x.pt'}: {afile} is a file, not a folder" in err
    err = _refused(_parsing(tiny_patients, tmp_path / "x.pt", "--epochs", "1", "--log", str(afile / "x.jsonl")), capsys)
    assert f"{afile} is a file, not a folder" in err


def test_a_fresh_run_does_not_overwrite_an_interrupted_one(tiny_patients, interrupted, capsys):
    before = _digest(interrupted)
    err = _refused(_parsing(tiny_patients, interrupted, "--epochs", "1"), capsys)
    assert err.endswith(f"{interrupted} holds an interrupted parsing run (step 2); add --resume {interrupted} to go on, "
                        "or choose another --out")
    assert _digest(interrupted) == before


def test_a_finished_run_may_be_overwritten(tiny_patients, tmp_path, capsys):
    out = tmp_path / "done.pt"
    assert main(_parsing(tiny_patients, out, "--epochs", "0.05")) == 0
    assert read_checkpoint(out)["train_state"]["finished"] is True
    assert main(_parsing(tiny_patients, out, "--epochs", "0.05", "--seed", "1")) == 0
    assert read_checkpoint(out)["training"]["settings"]["seed"] == 1


def test_resume_alone_goes_on_with_the_runs_own_options(interrupted, tiny_patients, capsys):
    assert main(["train", "parsing", "--resume", str(interrupted)]) == 0  # no --data, no budget: the run's own
    payload = read_checkpoint(interrupted)  # --out defaults to the checkpoint resumed
    assert payload["train_state"]["step"] == 40 and payload["train_state"]["finished"] is True
    assert payload["train_state"]["data"] == [{"path": str(tiny_patients.resolve()), "weight": 1.0, "split": "train"}]
    assert payload["training"]["batch_size"] == 2 and payload["training"]["settings"]["seed"] == 0


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--input-size", "128"], ["--input-size 128 (the run used 64)"]),
        (["--seed", "3", "--lr", "0.001", "--batch-size", "4"],
         ["--seed 3 (the run used 0)", "--lr 0.001 (the run used 0.0002)", "--batch-size 4 (the run used 2)"]),
        (["--config", "paper"], ["--config paper (the run used compact)"]),
        (["--glasses", "0.5"], ["--glasses 0.5 (the run used 0.0)"]),
    ],
)
def test_resume_with_other_options_is_refused(interrupted, tiny_patients, capsys, extra, words):
    before = _digest(interrupted)
    err = _refused(["train", "parsing", "--resume", str(interrupted), "--epochs", "1", *extra], capsys)
    assert f"--resume {interrupted} continues a run with other options" in err
    assert all(w in err for w in words), err
    assert _digest(interrupted) == before  # the record is not rewritten with values that were not used


def test_resuming_into_another_interrupted_run_is_refused(interrupted, tiny_patients, tmp_path, capsys):
    other = tmp_path / "other.pt"
    shutil.copy(interrupted, other)
    err = _refused(["train", "parsing", "--resume", str(interrupted), "--out", str(other)], capsys)
    assert f"{other} holds an interrupted parsing run (step 2)" in err


def test_resume_with_other_data_is_refused(interrupted, tiny_patients, tmp_path, capsys):
    other = shutil.copytree(tiny_patients, tmp_path / "other")
    err = _refused(["train", "parsing", "--resume", str(interrupted), "--data", str(other), "--epochs", "1"], capsys)
    assert f"--data {other.resolve()}:1 (the run used {tiny_patients.resolve()}:1)" in err
    err = _refused(["train", "parsing", "--resume", str(interrupted), "--data", f"{tiny_patients}:2", "--epochs", "1"], capsys)
    assert "--data" in err and ":2 (the run used" in err
    # the same folder, named another way, is the same run
    assert main(["train", "parsing", "--resume", str(interrupted), "--data", f"{tiny_patients}/", "--batch-size", "2"]) == 0


def test_an_edited_data_record_is_one_line(interrupted, capsys):
    payload = torch.load(interrupted, weights_only=True)
    payload["train_state"]["data"] = [{"path": 3, "weight": "x"}]
    torch.save(payload, interrupted)
    err = _refused(["train", "parsing", "--resume", str(interrupted), "--epochs", "1"], capsys)
    assert "is damaged or was modified: train_state data entry" in err


def test_resume_without_recorded_data_asks_for_it(interrupted, capsys):
    payload = torch.load(interrupted, weights_only=True)
    del payload["train_state"]["data"]  # as written before the data folders were recorded
    torch.save(payload, interrupted)
    err = _refused(["train", "parsing", "--resume", str(interrupted), "--epochs", "1"], capsys)
    assert "does not record its data folders" in err and "give the --data of the run it continues" in err


@pytest.mark.parametrize("mode", ["grading", "end-to-end"])
def test_resume_from_another_modes_checkpoint_names_both(interrupted, tiny_patients, tmp_path, capsys, mode):
    argv = ["train", mode, "--data", str(tiny_patients), "--resume", str(interrupted), "--epochs", "1", "--out", str(tmp_path / "g.pt")]
    err = _refused(argv, capsys)
    assert f"holds a checkpoint of palsy train parsing, not {mode}" in err


def test_config_must_match_the_init_checkpoint(tiny_patients, tiny_weights, tmp_path, capsys):
    argv = ["train", "grading", "--data", str(tiny_patients), "--init", str(tiny_weights), "--config", "paper", "--epochs", "1",
            "--out", str(tmp_path / "g.pt")]
    err = _refused(argv, capsys)
    assert f"--config paper, but --init {tiny_weights} holds a 'compact' network" in err


def test_grading_records_its_stage_1_checkpoint(tiny_patients, tiny_weights, tmp_path):
    out = tmp_path / "g.pt"
    argv = ["train", "grading", "--data", str(tiny_patients), "--init", str(tiny_weights), "--epochs", "0.05", "--out", str(out)]
    assert main(argv) == 0
    assert read_checkpoint(out)["training"]["init"] == {"file": tiny_weights.name, "sha256": _digest(tiny_weights)}
    # a resume keeps the record, and refuses another stage-1 file
    assert main(argv + ["--resume", str(out)]) == 0
    assert read_checkpoint(out)["training"]["init"]["sha256"] == _digest(tiny_weights)


def test_grading_on_an_empty_train_split_is_one_line(tiny_weights, tmp_path, capsys):
    from tests.train.conftest import draw_patients

    root = draw_patients(tmp_path / "alltest", 3, seed=2)
    rows = list(csv.DictReader((root / "labels.csv").open()))
    with (root / "labels.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*rows[0], "split"])
        writer.writeheader()
        writer.writerows({**r, "split": "test"} for r in rows)
    for mode in ("grading", "end-to-end"):
        argv = ["train", mode, "--data", str(root), "--epochs", "1", "--out", str(tmp_path / "g.pt")]
        err = _refused(argv + (["--init", str(tiny_weights)] if mode == "grading" else []), capsys)
        assert "has no training patients (the train split is empty)" in err


def test_a_mask_value_outside_the_label_set_names_the_file(tiny_patients, tmp_path, capsys):
    data = shutil.copytree(tiny_patients, tmp_path / "badmask")
    mask_path = sorted(data.glob("*/masks/rest.png"))[0]
    mask = cv2.imread(str(mask_path), cv2.IMREAD_UNCHANGED)
    mask[0, 0] = 20
    cv2.imwrite(str(mask_path), mask)
    err = _refused(_parsing(data, tmp_path / "x.pt", "--epochs", "1"), capsys)
    assert f"{mask_path}: mask value 20 is not a class of this set (0..10, 255 = ignore)" in err


def test_two_data_folders_with_one_name_keep_two_entries(tiny_patients, tmp_path):
    twin = shutil.copytree(tiny_patients, tmp_path / "dup" / tiny_patients.name)
    out = tmp_path / "d.pt"
    assert main(["train", "parsing", "--data", str(tiny_patients), "--data", f"{twin}:2", "--input-size", "64", "--batch-size", "2",
                 "--epochs", "0.02", "--out", str(out)]) == 0
    data = read_checkpoint(out)["training"]["data"]
    assert len(data) == 2 and sorted(v["weight"] for v in data.values()) == [1.0, 2.0]
    assert f"dup/{tiny_patients.name}" in data


def test_a_fresh_run_over_an_old_log_marks_its_start(tiny_patients, tmp_path):
    out = tmp_path / "p.pt"
    for _ in range(2):
        assert main(_parsing(tiny_patients, out, "--epochs", "0.05")) == 0
    records = [json.loads(line) for line in out.with_suffix(".jsonl").read_text().splitlines()]
    assert [r["resumed"] for r in records if r.get("event") == "start"] == [False, False]


def test_a_run_without_a_budget_names_only_options_that_exist():
    """The refusal names --epochs and --minutes: the CLI has no --steps (it did say --epochs/steps)."""
    from models.errors import InputError

    with pytest.raises(InputError) as refused:
        LoopSettings(stage="parsing")
    assert str(refused.value) == "give a training budget: --epochs or --minutes"
