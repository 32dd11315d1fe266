"""`--self-test --json FILE` with a FILE that cannot be written (audit D6): refused in one line,
exit 2, before the test runs; a write failure after it is one line too, with no "passed" line;
the report replaces an old one atomically. The test itself is stubbed: these are about the FILE."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import cli, frozen_main, selftest


def _passed(**_: object) -> selftest.SelfTestResult:
    return selftest.SelfTestResult(ok=True, weights="demo_compact.pt", sha256="ab" * 32, pdf_pages=3)


def _never(**_: object) -> selftest.SelfTestResult:
    raise AssertionError("the self-test ran although --json could not be written")


RUNNERS = {
    "--self-test": (lambda argv: frozen_main.main(["--self-test", *argv]), "PalsyGrader --self-test: error: "),
    "palsy self-test": (lambda argv: cli.main(["self-test", *argv]), "palsy: error: "),
}


@pytest.mark.parametrize("route", sorted(RUNNERS))
@pytest.mark.parametrize("case", ["missing folder", "file as folder", "a folder"])
def test_unwritable_json_is_refused_before_the_test(
    route: str, case: str, tmp_path: Path, quiet_home: None,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(selftest, "run_self_test", _never)
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    target = {"missing folder": tmp_path / "no_such_dir" / "st.json",
              "file as folder": tmp_path / "plain" / "st.json",
              "a folder": tmp_path}[case]
    run, prefix = RUNNERS[route]
    assert run(["--json", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(prefix), err
    assert str(target) in lines[0]
    expected = {"missing folder": "does not exist", "a folder": "is a folder",
                "file as folder": "plain is a file, not a folder; give a path in an existing folder"}
    assert expected[case] in lines[0]


@pytest.mark.parametrize("route", sorted(RUNNERS))
def test_write_failure_after_the_test_is_one_line_without_passed(
    route: str, tmp_path: Path, quiet_home: None,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()

    def unplugged(**_: object) -> selftest.SelfTestResult:  # the folder goes away mid-test
        folder.rmdir()
        return _passed()

    monkeypatch.setattr(selftest, "run_self_test", unplugged)
    run, prefix = RUNNERS[route]
    assert run(["--json", str(folder / "st.json")]) == 2
    out, err = capsys.readouterr()
    assert "passed in" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(prefix), err
    assert "cannot write --json" in lines[0] and "the self-test passed but left no report" in lines[0]


def test_report_replaces_the_old_one_atomically(tmp_path: Path, quiet_home: None,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    import models.atomic_files

    monkeypatch.setattr(selftest, "run_self_test", _passed)
    report = tmp_path / "st.json"
    report.write_text('{"old": true}', encoding="utf-8")

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(models.atomic_files.os, "replace", disk_full)
        assert selftest.main(["--json", str(report)]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert json.loads(report.read_text(encoding="utf-8")) == {"old": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["st.json"]  # no temporary file left

    assert selftest.main(["--json", str(report)]) == 0
    assert capsys.readouterr().out.startswith("PalsyGrader self-test passed")
    assert json.loads(report.read_text(encoding="utf-8"))["ok"] is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["st.json"]


def test_failed_test_and_unwritable_report_keep_exit_1(tmp_path: Path, quiet_home: None,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()

    def failed(**_: object) -> selftest.SelfTestResult:
        folder.rmdir()
        return selftest.SelfTestResult(failed_step="weights", error="checksum mismatch")

    monkeypatch.setattr(selftest, "run_self_test", failed)
    assert selftest.main(["--json", str(folder / "st.json")]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == "PalsyGrader self-test FAILED at step 'weights': checksum mismatch"
    assert len(lines) == 2 and "cannot write --json" in lines[1]
