"""`palsy records` check / drafts / export / import, and its exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from tests.records.records_helpers import tiny_png


def test_records_cli_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "a"
    with Store.open(data) as store:
        store.create_patient("CLI-1", name="Ann Cli")
        aid = store.start_assessment("CLI-1").id
        store.save_capture(aid, "rest", tiny_png(3))
        photo = store.capture_path(store.get_capture(aid, "rest"))
    assert main(["records", "--data", str(data), "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["patients"] == 1
    assert main(["records", "--data", str(data), "drafts", "--json"]) == 0
    [draft] = json.loads(capsys.readouterr().out)
    assert (draft["assessment"], draft["captured"], len(draft["missing"])) == (aid, ["rest"], 5)
    assert main(["records", "--data", str(data), "export", "CLI-1", "--out", str(tmp_path / "usb")]) == 0
    folder = capsys.readouterr().out.strip()
    assert main(["records", "--data", str(tmp_path / "b"), "import", folder]) == 0
    assert "imported patient CLI-1" in capsys.readouterr().out
    # A user's mistake: one line on stderr, exit 2, no traceback.
    assert main(["records", "--data", str(tmp_path / "b"), "import", folder]) == 2
    err = capsys.readouterr().err
    assert err.startswith("palsy: error:") and "already exists" in err and "Traceback" not in err
    photo.write_bytes(b"\x89PNG\r\n\x1a\ndamaged")
    assert main(["records", "--data", str(data), "check"]) == 1
    assert "checksum" in capsys.readouterr().out
