"""Each records database version comes with a release version of its own: two builds that both
said 0.2.0 wrote versions 4 and 5, and a folder one upgraded was refused by the other."""

from __future__ import annotations

import pytest

import app
from app.cli import main
from app.records.migrations import LATEST_VERSION

# The first release that writes each records database version: append a row (and raise
# `app.__version__` and pyproject.toml) with each migration.
FIRST_RELEASE = {4: (0, 2, 0), 5: (0, 3, 0)}


def test_the_release_version_was_raised_with_the_last_migration() -> None:
    assert LATEST_VERSION in FIRST_RELEASE, "a migration was added: raise the version and add its row"
    assert tuple(int(part) for part in app.__version__.split(".")) >= FIRST_RELEASE[LATEST_VERSION]


def test_version_names_the_records_database_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.rstrip().endswith(f", records database version {LATEST_VERSION}")


def test_the_bundles_version_names_it_too(capsys: pytest.CaptureFixture[str]) -> None:
    from app import frozen_main

    with pytest.raises(SystemExit):
        frozen_main.main(["--version"])
    assert capsys.readouterr().out.rstrip().endswith(f", records database version {LATEST_VERSION}")
