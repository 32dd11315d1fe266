"""The data set, the clinic run and the photo preparation warn through one printer (review: each
printed its own `palsy: warning: ...` line), the data set's once per process, the others each time."""

from __future__ import annotations

import pytest

from models import user_warnings
from models.data import parsing
from models.train import clinic
from models.train.face_prep import no_face_note, warn_no_face
from models.user_warnings import print_warning


@pytest.fixture(autouse=True)
def _nothing_said_yet(monkeypatch) -> None:
    """`once` remembers per process: each test starts with nothing said (a rerun, or another
    test warning first, would otherwise change what these see)."""
    monkeypatch.setattr(user_warnings, "_SAID", set())


def _err(capsys) -> list[str]:
    return capsys.readouterr().err.splitlines()


def test_a_warning_is_one_line_on_stderr_and_once_only_when_asked(capsys) -> None:
    print_warning("test: each time")
    print_warning("test: each time")
    print_warning("test: once", once=True)
    print_warning("test: once", once=True)
    assert _err(capsys) == ["palsy: warning: test: each time"] * 2 + ["palsy: warning: test: once"]


def test_the_three_printers_keep_their_lines_and_their_repeats(capsys) -> None:
    parsing._warn("test: a set")
    parsing._warn("test: a set")  # a command opens one set several times: said once
    clinic._warn("test: a run")
    clinic._warn("test: a run")
    warn_no_face(["p1/rest.jpg"], "a test")
    warn_no_face([], "a test")  # nothing to say
    assert _err(capsys) == ["palsy: warning: test: a set", "palsy: warning: test: a run",
                            "palsy: warning: test: a run", f"palsy: warning: {no_face_note(['p1/rest.jpg'], 'a test')}"]


def test_the_three_printers_share_one_wording(monkeypatch, capsys) -> None:
    monkeypatch.setattr(user_warnings, "PREFIX", "PREFIX ")
    parsing._warn("test: shared set")
    clinic._warn("test: shared run")
    warn_no_face(["p2/rest.jpg"], "a test")
    assert [line.split(" ", 1)[0] for line in _err(capsys)] == ["PREFIX"] * 3
