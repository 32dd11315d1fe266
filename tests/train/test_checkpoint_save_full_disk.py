"""A checkpoint the disk cannot hold: `palsy train` ends with one line naming the file and what
to do, exit 2, never a traceback; the checkpoint already there is kept, and the line says a
resume goes on from it. On a full disk torch's zip writer fails a second time as it closes
("unexpected pos"), a RuntimeError that hides the OSError: `full_disk_save` raises that pair."""

from __future__ import annotations

import errno
import functools
import hashlib
from pathlib import Path

import pytest
import torch

from app.cli import main
from models.cascade import build_model
from models.checkpoint import read_checkpoint, save_checkpoint
from models.config import get_config
from models.train.loop import LoopSettings
from models.train.stages import DataSpec, train_parsing
from tests.train.loop_helpers import CancelAfter

pytestmark = pytest.mark.usefixtures("one_thread")


def full_disk_save(payload: object, handle) -> None:
    """torch.save on a full disk: part of the archive written, then ENOSPC, then the writer's own
    RuntimeError as it closes, with the OSError as its context."""
    handle.write(b"PK\x03\x04 part of an archive")
    try:
        raise OSError(errno.ENOSPC, "No space left on device")
    except OSError:
        raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 299136 vs 299032") from None


def _error_line(capsys) -> str:
    """The one `palsy: error:` line on stderr, the last (progress lines come before it)."""
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and err.count("palsy: error:") == 1, err
    return err.splitlines()[-1]


def _parsing(data: Path, out: Path) -> list[str]:
    return ["train", "parsing", "--data", str(data), "--input-size", "64", "--batch-size", "2", "--epochs", "0.05",
            "--out", str(out)]


def test_a_full_disk_at_the_save_is_one_line_naming_the_checkpoint(tiny_patients, tmp_path, monkeypatch, capsys):
    out = tmp_path / "runs" / "t.pt"
    monkeypatch.setattr(torch, "save", full_disk_save)
    assert main(_parsing(tiny_patients, out)) == 2
    err = _error_line(capsys)
    assert err == (f"palsy: error: cannot save the checkpoint {out} (No space left on device); free space or choose "
                   "another folder, then train again (no step of this run was saved)")
    assert sorted(p.name for p in out.parent.iterdir()) == ["t.jsonl"]  # no half-written file left


def test_the_checkpoint_kept_is_named_with_the_resume_that_goes_on_from_it(tiny_patients, tmp_path, monkeypatch, capsys):
    out = tmp_path / "t.pt"
    settings = LoopSettings("parsing", steps=40, seed=0, lr=2e-4)
    train_parsing([DataSpec(tiny_patients)], out, settings, torch.device("cpu"), input_size=64, batch_size=2,
                  progress=CancelAfter(2))
    before = hashlib.sha256(out.read_bytes()).hexdigest()
    monkeypatch.setattr(torch, "save", full_disk_save)
    assert main(["train", "parsing", "--resume", str(out), "--epochs", "0.05"]) == 2
    err = _error_line(capsys)
    assert err == (f"palsy: error: cannot save the checkpoint {out} (No space left on device); free space or choose "
                   f"another folder, then add --resume {out} to the same command to go on from step 2, the last one saved")
    monkeypatch.undo()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before
    assert read_checkpoint(out)["train_state"]["step"] == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_timed_save_that_fails_keeps_the_one_before(tiny_patients, tmp_path, monkeypatch, capsys):
    """A save after every step (the timed saves come every 5 minutes): the first is written,
    the second meets the full disk; the run's first checkpoint is what the line offers."""
    import models.train.loop

    real_save = torch.save
    saves = []

    def full_after_one(payload: object, handle) -> None:
        saves.append(payload["train_state"]["step"])
        (real_save if len(saves) == 1 else full_disk_save)(payload, handle)

    monkeypatch.setattr(models.train.loop, "LoopSettings", functools.partial(LoopSettings, checkpoint_every_s=0.0))
    monkeypatch.setattr(torch, "save", full_after_one)
    out = tmp_path / "t.pt"
    assert main(_parsing(tiny_patients, out)) == 2
    assert saves == [1, 2]
    assert _error_line(capsys) == (
        f"palsy: error: cannot save the checkpoint {out} (No space left on device); free space or choose another "
        f"folder, then add --resume {out} to the same command to go on from step 1, the last one saved")
    monkeypatch.undo()
    assert read_checkpoint(out)["train_state"]["step"] == 1


def test_save_checkpoint_raises_the_os_error_naming_the_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "w.pt"
    model = build_model(get_config("compact").with_input_size(64), seed=0)
    monkeypatch.setattr(torch, "save", full_disk_save)
    with pytest.raises(OSError) as caught:
        save_checkpoint(model, path)
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(path)
    assert list(tmp_path.iterdir()) == []


def test_a_runtime_error_without_an_os_error_behind_it_is_not_taken_for_the_disk(tmp_path, monkeypatch):
    def broken(payload: object, handle) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(torch, "save", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), tmp_path / "w.pt")
