"""`palsy records check --data X` (refused, docs/records.md) says where --data goes, in one
line the user can run: it said "unrecognized arguments: --data X"."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main


@pytest.mark.parametrize("action", [["check"], ["patients", "--json"], ["backup", "--out", "B"]])
def test_data_after_the_action_is_refused_with_the_order_to_use(action: list[str], tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "data"
    assert main(["records", *action, "--data", str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"palsy: error: --data goes before the action: palsy records --data {folder} {action[0]}"]
    assert not folder.exists() and not (tmp_path / "B").exists()


def test_a_folder_with_spaces_is_quoted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "clinic data"
    assert main(["records", "check", "--data", str(folder)]) == 2
    assert capsys.readouterr().err.strip().endswith(f'palsy records --data "{folder}" check')


def test_the_help_of_an_action_does_not_offer_data(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["records", "check", "--help"])
    assert "--data" not in capsys.readouterr().out
