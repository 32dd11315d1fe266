"""`palsy` output redirected on Windows: a patient ID the code page cannot hold never ends the
command with a traceback (app/cli.py, `tolerant_streams`)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store

ROOT = Path(__file__).resolve().parents[1]
PATIENT_ID = "MRN-Łódź-7"  # "Ł" and "ź" are not in cp1252


@pytest.fixture()
def data_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    with Store.open(folder) as store:
        store.create_patient(PATIENT_ID, name="Test Patient")
    return folder


def _redirected(encoding: str) -> io.TextIOWrapper:
    """What Windows gives `palsy ... > ids.txt`: a file stream in the ANSI code page."""
    return io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict")


def test_a_redirected_listing_is_utf8_and_lossless(data_folder, monkeypatch) -> None:
    monkeypatch.delenv("PYTHONIOENCODING", raising=False)
    out, err = _redirected("cp1252"), _redirected("cp1252")
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["records", "--data", str(data_folder), "patients"]) == 0
    out.flush()
    assert PATIENT_ID in out.buffer.getvalue().decode("utf-8")
    assert out.encoding == "utf-8"


def test_an_encoding_the_user_asked_for_escapes_instead_of_raising(data_folder) -> None:
    """The audit's reproduction: PYTHONIOENCODING=cp1252, as a redirect gets on Windows."""
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    result = subprocess.run([sys.executable, "-m", "app", "records", "--data", str(data_folder), "patients"],
                            capture_output=True, cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 0, result.stderr.decode("cp1252", "replace")
    assert b"Traceback" not in result.stderr and b"UnicodeEncodeError" not in result.stderr
    assert b"MRN-\\u0141\xf3d\\u017a-7" in result.stdout  # "ó" is in cp1252, the rest escaped


def test_a_console_keeps_its_encoding(monkeypatch) -> None:
    """An interactive console is left in its own encoding; only the error handler changes."""
    monkeypatch.delenv("PYTHONIOENCODING", raising=False)

    class Console(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    console = Console(io.BytesIO(), encoding="cp1252", errors="strict")
    monkeypatch.setattr(sys, "stdout", console)
    from app.cli import tolerant_streams

    tolerant_streams()
    print(PATIENT_ID, file=console)
    console.flush()
    assert console.encoding == "cp1252"
    assert console.buffer.getvalue().startswith(b"MRN-\\u0141\xf3d\\u017a-7")


def test_an_error_handler_other_than_strict_is_kept(monkeypatch) -> None:
    """Review: Linux's surrogateescape (a file name's non-UTF-8 bytes printed as they are) and a
    handler PYTHONIOENCODING names were replaced by backslashreplace."""
    from app.cli import tolerant_streams

    monkeypatch.delenv("PYTHONIOENCODING", raising=False)
    kept = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="surrogateescape")
    strict = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    monkeypatch.setattr(sys, "stdout", kept)
    monkeypatch.setattr(sys, "stderr", strict)
    tolerant_streams()
    assert (sys.stdout.errors, sys.stderr.errors) == ("surrogateescape", "backslashreplace")
    print("caf\udce9", end="")
    sys.stdout.flush()
    assert kept.buffer.getvalue() == b"caf\xe9"  # the name's own byte
