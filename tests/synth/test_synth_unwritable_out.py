"""`palsy synth` that cannot write its set (a full disk, a read-only drive, a file where a folder
of --out should be) says why in words and what to do, without errno numbers or Python's reprs."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from app.cli import main


def _error_line(capsys: pytest.CaptureFixture[str], out: Path) -> str:
    code = main(["synth", "--out", str(out), "--patients", "2", "--seed", "1", "--size", "32", "--workers", "1"])
    _, err = capsys.readouterr()
    assert code == 2
    [line] = err.splitlines()
    return line


@pytest.mark.parametrize(("number", "reason", "hint"), [
    (errno.ENOSPC, "No space left on device", "free space or choose another folder"),
    (errno.EROFS, "Read-only file system", "check the permissions or choose another folder"),
])
def test_a_refused_write_is_worded_with_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    number: int, reason: str, hint: str,
) -> None:
    out = tmp_path / "s"

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(number, reason, str(out))

    monkeypatch.setattr("models.data.synthetic.dataset.write_patient_dataset", refuse)
    line = _error_line(capsys, out)
    assert line == f"palsy: error: cannot write the data set into {out} ({reason}); {hint}"


def test_a_file_where_the_out_folder_should_be_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "s"
    line = _error_line(capsys, out)
    assert line == (f"palsy: error: cannot write the data set into {out}: {tmp_path / 'afile'} is a file, "
                    "not a folder; choose another --out folder")
