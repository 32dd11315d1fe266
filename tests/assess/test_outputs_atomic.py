"""`palsy assess` outputs survive a crash or a full disk: staged, then moved in, the old
assessment.json first and the new one last; PNGs written through Python, any path."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

import app.report.outputs as outputs_module
from app.report.outputs import STAGING_PREFIX, check_writable, write_outputs
from models.pipeline.assess import assess
from models.pipeline.images import load_image, write_png
from models.pipeline.loader import wrap_model
from tests.assess.fakes import OracleNet, cartoon_photo
from tests.assess.masks import paint_patient


@pytest.fixture(scope="module")
def assessment():
    return assess({e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}, wrap_model(OracleNet()))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_run_failing_midway_leaves_the_previous_outputs_whole(assessment, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    write_outputs(assessment, out)
    before = _snapshot(out)
    assert {"assessment.json", "report.pdf"} <= set(before) and any(k.startswith("overlays/") for k in before)
    real = outputs_module.write_report

    def disk_full_in_the_pdf(path, *args, **kwargs):
        Path(path).write_bytes(b"%PDF-1.4 cut off")  # what a full disk leaves of a PDF
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs_module, "write_report", disk_full_in_the_pdf)
    with pytest.raises(OSError):
        write_outputs(assessment, out)
    assert _snapshot(out) == before  # nothing half-written under a final name, no staging left
    assert not list(out.glob(STAGING_PREFIX + "*"))
    monkeypatch.setattr(outputs_module, "write_report", real)
    paths = write_outputs(assessment, out)
    assert paths.report_pdf == out / "report.pdf" and paths.report_pdf.read_bytes().startswith(b"%PDF")
    assert (out / "overlays" / "rest_photo.png").is_file() and not list(out.glob(STAGING_PREFIX + "*"))


def test_a_run_killed_while_moving_in_leaves_no_earlier_report(assessment, tmp_path: Path, monkeypatch) -> None:
    """Killed among the renames: the old report.pdf stayed beside this run's overlays, a folder
    whose report did not match its pictures. Both of the old run's result files go first."""
    out = tmp_path / "out"
    write_outputs(assessment, out)
    real, moved_in = os.replace, []

    def killed_at_the_second_overlay_moved_in(src, dst):
        if Path(dst).parent == out / "overlays":
            moved_in.append(dst)
            if len(moved_in) == 2:
                raise KeyboardInterrupt  # as kill -9 here: nothing after it runs
        real(src, dst)

    monkeypatch.setattr(outputs_module.os, "replace", killed_at_the_second_overlay_moved_in)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(assessment, out)
    assert not (out / "assessment.json").exists() and not (out / "report.pdf").exists()


def test_a_killed_runs_staging_folder_is_cleared_later(assessment, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # by the PID in its name: a dead run's folder goes, a live run's (this process) stays
    stale, fresh = out / f"{STAGING_PREFIX}999999-aaaa", out / f"{STAGING_PREFIX}{os.getpid()}-bbbb"
    for folder in (stale, fresh):
        (folder / "overlays").mkdir(parents=True)
    hours_ago = time.time() - 2 * 3600
    os.utime(stale, (hours_ago, hours_ago))
    write_outputs(assessment, out)
    assert not stale.exists() and fresh.exists()  # a live one is another run's, still at work


def test_outputs_share_one_file_mode(assessment, tmp_path: Path) -> None:
    # assessment.json was 0600 beside 0644 PNGs and PDF: another account could open the report, not the JSON
    old = os.umask(0o022)
    try:
        paths = write_outputs(assessment, tmp_path / "out")
    finally:
        os.umask(old)
    files = [paths.assessment_json, paths.report_pdf, *sorted((tmp_path / "out" / "overlays").glob("*.png"))]
    assert {f.stat().st_mode & 0o777 for f in files} == {0o644}


def test_a_second_run_replaces_only_the_files_palsy_writes(assessment, tmp_path: Path) -> None:
    """The whole old overlays/ folder was moved away and deleted, with the user's files in it:
    now the run's own PNGs are replaced, an earlier run's PNG this one did not write goes,
    anything else in overlays/ stays."""
    out = tmp_path / "out"
    write_outputs(assessment, out)
    fresh_run = sorted(p.name for p in (out / "overlays").iterdir())
    overlays = out / "overlays"
    (overlays / "notes.txt").write_text("my precious notes")
    (overlays / "my_photo.png").write_bytes(b"not palsy's")
    (overlays / "keep").mkdir()
    (overlays / "keep" / "rest_photo.png").write_bytes(b"in a folder of my own")
    stale = overlays / "rest_attention_spatial_9.png"  # an overlay an earlier run wrote and this one does not
    stale.write_bytes(b"old")
    (overlays / "rest_photo.png").write_bytes(b"an earlier run's crop")

    paths = write_outputs(assessment, out)
    assert (overlays / "notes.txt").read_text() == "my precious notes"
    assert (overlays / "my_photo.png").read_bytes() == b"not palsy's"
    assert (overlays / "keep" / "rest_photo.png").read_bytes() == b"in a folder of my own"
    assert not stale.exists()
    assert load_image(overlays / "rest_photo.png").ndim == 3  # this run's crop
    ours = sorted(p.name for p in overlays.iterdir() if outputs_module.OVERLAY_NAME.fullmatch(p.name))
    assert ours == fresh_run and all((out / rel).is_file() for rel in paths.overlays["rest"]["attention"].values())
    assert (out / "assessment.json").is_file() and not list(out.glob(STAGING_PREFIX + "*"))


def test_png_written_to_any_path_and_read_back(tmp_path: Path) -> None:
    folder = tmp_path / os.fsdecode(b"M\xfcller")  # not UTF-8: OpenCV's imwrite crashed on it
    folder.mkdir()
    rgb = np.zeros((8, 10, 3), np.uint8)
    rgb[..., 0] = 200
    path = write_png(folder / "photo.png", rgb)
    assert np.array_equal(load_image(path), rgb)
    assert [p.name for p in folder.iterdir()] == ["photo.png"]  # no temporary file left


def test_check_writable(tmp_path: Path) -> None:
    assert check_writable(tmp_path / "new" / "out").is_dir()
    assert list((tmp_path / "new" / "out").iterdir()) == []
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError):
        check_writable(tmp_path / "file" / "out")


def test_a_young_staging_folder_of_another_computer_is_left_alone(assessment, tmp_path: Path) -> None:
    """Review: by its PID alone, a run on another station writing to the same shared folder
    (a PID this machine does not know) lost its staging folder mid-run."""
    out = tmp_path / "out"
    elsewhere, future = out / f"{STAGING_PREFIX}4000000-cccc", out / f"{STAGING_PREFIX}999999-dddd"
    for folder in (elsewhere, future):
        (folder / "overlays").mkdir(parents=True)
    ahead = time.time() + 2 * 3600  # written while a clock ran two hours ahead; its run is gone
    os.utime(future, (ahead, ahead))
    write_outputs(assessment, out)
    assert elsewhere.exists() and not future.exists()
