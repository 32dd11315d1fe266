"""`palsy train --resume CKPT` alone goes on as the run it continues: with its precision (taken
from the checkpoint, never the machine's "auto") and its torch thread count (recorded, since
it changes the rounding of the CPU kernels' sums), so the weights equal an uninterrupted run's."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import models.train.loop as loop
import models.train.precision as precision
from app.cli import main
from models.checkpoint import read_checkpoint
from tests.train.loop_helpers import CancelAfter

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(autouse=True)
def auto_is_bf16(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--precision auto` means bf16 for parsing, whatever this machine's CPU has."""
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: True)


def _parsing(data: Path, out: Path, *extra: str) -> list[str]:
    return ["train", "parsing", "--data", str(data), "--input-size", "64", "--batch-size", "2", "--epochs", "0.2",
            "--out", str(out), *extra]


def _cut_after_3_steps(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run `argv` stopped after 3 steps (as a Ctrl-C would); the checkpoint it left."""
    with monkeypatch.context() as patched:
        patched.setattr(loop, "PrintProgress", lambda: CancelAfter(3))
        assert main(argv) == 0
    out = Path(argv[argv.index("--out") + 1])
    assert read_checkpoint(out)["train_state"]["step"] == 3
    return out


def _assert_same_weights(a: Path, b: Path) -> None:
    sa, sb = read_checkpoint(a)["state_dict"], read_checkpoint(b)["state_dict"]
    assert list(sa) == list(sb)
    for name in sa:
        assert torch.equal(sa[name], sb[name]), name


def test_a_bare_resume_keeps_the_runs_precision(tiny_patients, tmp_path, monkeypatch):
    straight = tmp_path / "straight.pt"
    assert main(_parsing(tiny_patients, straight, "--precision", "fp32")) == 0
    cut = _cut_after_3_steps(_parsing(tiny_patients, tmp_path / "cut.pt", "--precision", "fp32"), monkeypatch)
    assert main(["train", "parsing", "--resume", str(cut)]) == 0  # "auto" here would be bf16
    payload = read_checkpoint(cut)
    assert payload["train_state"]["finished"] is True
    assert payload["training"]["settings"]["precision"] == "fp32"
    _assert_same_weights(straight, cut)


@pytest.mark.parametrize("given", ["bf16", "auto"])
def test_a_resume_at_another_precision_is_refused(tiny_patients, tmp_path, monkeypatch, capsys, given):
    cut = _cut_after_3_steps(_parsing(tiny_patients, tmp_path / "cut.pt", "--precision", "fp32"), monkeypatch)
    capsys.readouterr()
    assert main(["train", "parsing", "--resume", str(cut), "--precision", given]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"palsy: error: --resume {cut} continues a run with other options: --precision bf16 (the run used fp32); "
                   "leave them out (the run's own are used) or start a new run with another --out")
    assert read_checkpoint(cut)["train_state"]["step"] == 3


def test_a_bare_resume_keeps_the_runs_thread_count(tiny_patients, tmp_path, monkeypatch):
    straight = tmp_path / "straight.pt"
    assert main(_parsing(tiny_patients, straight, "--precision", "fp32", "--threads", "1")) == 0
    cut = _cut_after_3_steps(_parsing(tiny_patients, tmp_path / "cut.pt", "--precision", "fp32", "--threads", "1"),
                             monkeypatch)
    torch.set_num_threads(2)  # torch's own choice on a 2-core machine
    assert main(["train", "parsing", "--resume", str(cut)]) == 0
    assert torch.get_num_threads() == 1
    assert read_checkpoint(cut)["training"]["settings"]["threads"] == 1
    _assert_same_weights(straight, cut)


def test_a_resume_on_other_threads_goes_on_with_a_note(tiny_patients, tmp_path, monkeypatch, capsys):
    cut = _cut_after_3_steps(_parsing(tiny_patients, tmp_path / "cut.pt", "--threads", "1"), monkeypatch)
    capsys.readouterr()
    assert main(["train", "parsing", "--resume", str(cut), "--threads", "2", "--epochs", "0.1"]) == 0  # one step more
    assert "note: --threads 2, but the run used 1: it goes on, though its weights will not be bit for bit" \
        in capsys.readouterr().err
    assert read_checkpoint(cut)["training"]["settings"]["threads"] == 2
