"""`palsy records backup --out` below a regular file names that file and what to do: it said
"(File exists)", though nothing existed at the path given."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from tests.records.test_records_backup import filled


def test_a_file_in_the_way_of_the_backup_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, blocker = tmp_path / "data", tmp_path / "afile"
    with Store.open(data) as store:
        filled(store)
    blocker.write_text("not a folder")
    out = blocker / "bk"
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"palsy: error: cannot write the backup to {out}: {blocker} is a file, not a folder; the data folder was "
        "not changed and no partial copy was left. Give another --out folder.")
    assert blocker.read_text() == "not a folder"
