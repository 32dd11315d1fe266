"""`palsy synth` writes its \\r progress to a terminal only (as `palsy assess`): redirected to a
log file it was one long line of carriage returns."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.cli import main


@pytest.mark.parametrize("terminal", [False, True])
def test_progress_goes_to_a_terminal_only(capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, terminal: bool) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: terminal)
    assert main(["synth", "--out", str(tmp_path / "set"), "--patients", "2", "--seed", "1", "--size", "48",
                 "--workers", "1"]) == 0
    out, err = capsys.readouterr()
    assert "wrote 2 patients" in out
    if terminal:
        assert "\rrendered 2/2 patients" in err and err.endswith("\n")
    else:
        assert err == ""
