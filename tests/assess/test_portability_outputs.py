"""Rerunning `palsy assess` into a folder whose report.pdf is open in a PDF reader on Windows
(Acrobat opens it without FILE_SHARE_DELETE: deleting or renaming it fails with a
PermissionError): the old results stay whole and the error says what to do. The lock is
simulated by failing every unlink and rename of that file, as Windows does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import app.report.outputs as outputs_module
from app.cli import main
from app.report.outputs import STAGING_PREFIX, write_outputs
from models.errors import InputError
from models.pipeline.assess import assess
from models.pipeline.loader import wrap_model
from tests.assess.fakes import OracleNet, cartoon_photo
from tests.assess.masks import paint_patient

LOCKED = "The process cannot access the file because it is being used by another process"


@pytest.fixture(scope="module")
def assessment():
    return assess({e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}, wrap_model(OracleNet()))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _hold_open(monkeypatch: pytest.MonkeyPatch, *held: Path) -> None:
    """Files another program has open on Windows: never deleted, renamed or replaced."""
    busy = {os.path.realpath(p) for p in held}
    real_unlink, real_replace = Path.unlink, os.replace

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if os.path.realpath(self) in busy:
            raise PermissionError(13, LOCKED, str(self))
        real_unlink(self, missing_ok=missing_ok)

    def replace(src, dst, **kwargs) -> None:  # noqa: ANN001
        for path in (src, dst):
            if os.path.realpath(os.fspath(path)) in busy:
                raise PermissionError(13, LOCKED, os.fspath(path))
        real_replace(src, dst, **kwargs)

    monkeypatch.setattr(Path, "unlink", unlink)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(outputs_module, "_on_windows", lambda: True)  # where a reader locks a file


def test_an_open_report_keeps_the_previous_results_and_says_close_it(assessment, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_outputs(assessment, out)
    before = _snapshot(out)
    _hold_open(monkeypatch, out / "report.pdf")
    with pytest.raises(InputError, match=r"^report.pdf is open in another program; close it and run again"):
        write_outputs(assessment, out)
    assert _snapshot(out) == before  # assessment.json was deleted first, the run then failed on the PDF
    assert not list(out.glob(STAGING_PREFIX + "*"))


def test_an_open_overlay_puts_back_the_files_moved_aside(assessment, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_outputs(assessment, out)
    before = _snapshot(out)
    _hold_open(monkeypatch, out / "overlays" / "open_mouth_segmentation.png")
    with pytest.raises(InputError, match="open_mouth_segmentation.png is open in another program"):
        write_outputs(assessment, out)
    assert _snapshot(out) == before  # assessment.json and report.pdf, moved aside first, are back


def test_a_failure_while_moving_in_puts_the_old_results_back(assessment, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_outputs(assessment, out)
    (out / "overlays" / "notes.txt").write_text("mine")
    before = _snapshot(out)
    real = os.replace

    def fails_on_the_new_pdf(src, dst, **kwargs):  # noqa: ANN001
        if Path(dst) == out / "report.pdf" and STAGING_PREFIX in str(src) and "previous" not in str(src):
            raise OSError(5, "Input/output error", str(dst))
        real(src, dst, **kwargs)

    monkeypatch.setattr(outputs_module.os, "replace", fails_on_the_new_pdf)
    with pytest.raises(OSError, match="Input/output error"):
        write_outputs(assessment, out)
    assert _snapshot(out) == before and not list(out.glob(STAGING_PREFIX + "*"))
    monkeypatch.setattr(outputs_module.os, "replace", real)
    write_outputs(assessment, out)
    assert (out / "overlays" / "notes.txt").read_text() == "mine" and (out / "report.pdf").read_bytes()[:4] == b"%PDF"


def test_palsy_assess_into_a_folder_with_an_open_report_exits_2_with_one_line(
        capsys, patient_dir: Path, small_weights: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "o"
    argv = ["assess", str(patient_dir), "--out", str(out), "--weights", str(small_weights), "--threads", "1"]
    assert main(argv) == 0
    before = _snapshot(out)
    capsys.readouterr()
    _hold_open(monkeypatch, out / "report.pdf")
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("palsy: error: report.pdf is open in another program; close it and run again")
    assert len(err.splitlines()) == 1
    assert _snapshot(out) == before


def test_elsewhere_a_file_that_cannot_be_moved_is_not_said_to_be_open(assessment, tmp_path, monkeypatch):
    """Review: on Linux and macOS a PermissionError is permissions or an immutable flag, not a
    program holding the file."""
    out = tmp_path / "out"
    write_outputs(assessment, out)
    before = _snapshot(out)
    _hold_open(monkeypatch, out / "report.pdf")
    monkeypatch.setattr(outputs_module, "_on_windows", lambda: False)
    with pytest.raises(InputError, match=r"^report.pdf cannot be replaced: check its permissions") as caught:
        write_outputs(assessment, out)
    assert "open in another program" not in str(caught.value)
    assert _snapshot(out) == before
