"""`--self-test --keep DIR`: a DIR that cannot be written (a file, under a file, read-only) is
refused before the test runs, one line and exit 2, as `--json` is; a disk that fills up during
a step is worded with what to do, in the FAILED line IT scripts read, not as Python's
"OSError: [Errno 28] ..."."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

import pytest

from app import cli, frozen_main, selftest


def _never(**_: object) -> selftest.SelfTestResult:
    raise AssertionError("the self-test ran although --keep could not be written")


def _read_only(*args: object, **kwargs: object) -> object:
    raise OSError(errno.EROFS, "Read-only file system")


RUNNERS = {
    "--self-test": (lambda argv: frozen_main.main(["--self-test", *argv]), "PalsyGrader --self-test: error: "),
    "palsy self-test": (lambda argv: cli.main(["self-test", *argv]), "palsy: error: "),
}


@pytest.mark.parametrize("route", sorted(RUNNERS))
@pytest.mark.parametrize("case", ["a file", "under a file", "read-only"])
def test_an_unwritable_keep_folder_is_refused_before_the_test(
    route: str, case: str, tmp_path: Path, quiet_home: None,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(selftest, "run_self_test", _never)
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    keep = {"a file": afile, "under a file": afile / "keep", "read-only": tmp_path / "ro" / "keep"}[case]
    if case == "read-only":
        (tmp_path / "ro").mkdir()
        monkeypatch.setattr(tempfile, "NamedTemporaryFile", _read_only)
    run, prefix = RUNNERS[route]
    assert run(["--keep", str(keep)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    expected = {
        "a file": f"--keep {afile} is a file; give a folder (it is made when missing)",
        "under a file": f"cannot write --keep {keep}: {afile} is a file, not a folder; give another folder",
        "read-only": f"cannot write --keep {keep}: the folder {tmp_path / 'ro'} cannot be written by this user "
                     "(Read-only file system); choose another folder",
    }
    assert lines[0] == prefix + expected[case]


def test_a_full_disk_in_a_step_is_worded_with_the_file_and_what_to_do(
    tmp_path: Path, quiet_home: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import models.pipeline.demo_patient

    def disk_full(folder: Path, **_: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "rest.png"))

    monkeypatch.setattr(models.pipeline.demo_patient, "render_demo_patient", disk_full)
    result = selftest.run_self_test(work=tmp_path / "keep")
    assert result.summary() == (
        "PalsyGrader self-test FAILED at step 'render demo patient': No space left on device "
        f"({tmp_path / 'keep' / 'patient' / 'rest.png'}); free space or choose another folder"
    )
