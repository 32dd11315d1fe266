"""Review r2 D14: `palsy records export P1 --out X --data D` was refused with "--data goes
before the action: palsy records --data D export": the line to run dropped `P1 --out X`. The
whole command is quoted back, `--data D` moved before the action, each word quoted for the
shell (a `$` or `;` in a folder name would have run as shell syntax)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.commands.records import data_first_command


def test_the_action_keeps_its_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    folder, out = tmp_path / "data", tmp_path / "ex2"
    argv = ["records", "export", "P1", "--out", str(out), "--data", str(folder)]
    monkeypatch.setattr(sys, "argv", ["palsy", *argv])
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"palsy: error: --data goes before the action: palsy records --data {folder} export P1 --out {out}"]
    assert not folder.exists() and not out.exists()


def test_each_word_reads_back_as_typed_in_a_posix_shell() -> None:
    odd = "/srv/O'Brien $clinic; rm -rf"
    line = data_first_command(odd, "backup", ["records", "backup", "--out", "/mnt/a b", f"--data={odd}"])
    assert shlex.split(line) == ["palsy", "records", "--data", odd, "backup", "--out", "/mnt/a b"]
    spaced = data_first_command("/srv/clinic data", "check", ["records", "check", "--data", "/srv/clinic data"])
    assert spaced == 'palsy records --data "/srv/clinic data" check'
