"""`palsy evaluate` without weights gives the command line's advice, as `palsy assess` does,
not the window's ("Settings")."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("palsy: error: "), lines
    assert "Settings" not in lines[0]
    return lines[0]


def test_no_shipped_weights_names_the_command_line_choices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import models.resources as resources

    monkeypatch.setattr(resources, "weights_dir", lambda: tmp_path / "empty")
    assert main(["evaluate", "parsing", "--data", str(tmp_path)]) == 2
    assert error_line(capsys) == (f"palsy: error: no weights available: the shipped demo_compact.pt is not installed "
                                  f"in {tmp_path / 'empty'}; run `palsy train demo` or pass --weights FILE")


def test_a_missing_weights_file_names_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "gone.pt"
    assert main(["evaluate", "parsing", "--data", str(tmp_path), "--weights", str(missing)]) == 2
    assert error_line(capsys) == f"palsy: error: weights file not found: {missing}; pass an existing .pt file with --weights"
