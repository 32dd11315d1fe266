"""Unconfirmed review forms kept in the data folder (`app.review_drafts`, no Qt): written
owner-only and read back; a damaged, foreign or unreadable file is ignored, never in the way;
the session's `KeptReviews` writes them through and reads them back in a new process."""

from __future__ import annotations

import errno
import json
import logging
import os
from pathlib import Path

import pytest

import app.records.files as files
from app.pages.results_logic import (
    KEPT_FROM_BEFORE_NOTE,
    KEPT_REVIEW_NOTE,
    KeptReviews,
    ReviewForm,
    kept_review_note,
)
from app.records.errors import RecordNotFoundError
from app.records.files import TEMP_MARK, host_tag
from app.review_drafts import (
    DISK_FULL,
    DRAFTS_DIR,
    FOLDER_GONE,
    MAX_DRAFT_BYTES,
    READ_ONLY,
    TOO_LONG,
    VISIT_NOT_FOUND,
    ReviewDrafts,
    visit_key,
)

NOTES = "Synkinesis of the left mouth corner on eye closure; brow weaker than at the last visit"
FORM = ReviewForm("IV", "Dr Kim", NOTES)
VISITS = {7: visit_key("MRN-R", "2026-12-07T18:41:00"), 8: visit_key("MRN-S", "2026-12-07T18:50:00")}


def _visit_of(assessment_id: int) -> str:
    if assessment_id not in VISITS:
        raise RecordNotFoundError(f"assessment {assessment_id} not found")
    return VISITS[assessment_id]


@pytest.fixture
def drafts(tmp_path: Path) -> ReviewDrafts:
    (tmp_path / "data").mkdir()
    return ReviewDrafts(tmp_path / "data", _visit_of)


def test_a_form_is_kept_owner_only_in_the_data_folder_and_read_back(drafts: ReviewDrafts, tmp_path: Path) -> None:
    assert drafts.load(7) is None  # none kept
    assert drafts.save(7, FORM)
    path = drafts.path(7)
    assert path.parent == tmp_path / "data" / DRAFTS_DIR and path.is_file()
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    again = ReviewDrafts(tmp_path / "data", _visit_of)  # a new process over the same folder
    assert again.load(7) == FORM and again.load(8) is None
    assert drafts.save(7, ReviewForm(None, "", "unicode: 眼睑闭合不全"))  # none ticked yet
    assert again.load(7) == ReviewForm(None, "", "unicode: 眼睑闭合不全")
    assert drafts.remove(7) and not path.exists() and again.load(7) is None
    assert drafts.remove(7)  # none there: nothing to do
    assert [p.name for p in path.parent.iterdir()] == []  # no temporary file left either


@pytest.mark.parametrize("content", [
    b"{\"version\": 1, \"assessment\": 7, \"grade\": \"IV\", \"clin",  # cut short (a disk error)
    b"\xff\xfe not text",
    b"[1, 2, 3]",
    json.dumps({"version": 99, "assessment": 7, "visit": VISITS[7], "grade": "IV", "clinician": "", "notes": ""}).encode(),
    json.dumps({"version": 1, "assessment": 8, "visit": VISITS[7], "grade": "IV", "clinician": "", "notes": ""}).encode(),
    json.dumps({"version": 1, "assessment": 7, "visit": VISITS[7], "grade": "VII", "clinician": "", "notes": ""}).encode(),
    json.dumps({"version": 1, "assessment": 7, "visit": VISITS[7], "grade": "IV", "clinician": 3, "notes": ""}).encode(),
])
def test_a_damaged_draft_is_ignored_and_logged(drafts: ReviewDrafts, content: bytes,
                                                caplog: pytest.LogCaptureFixture) -> None:
    drafts.path(7).parent.mkdir()
    drafts.path(7).write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="app.review_drafts"):
        assert drafts.load(7) is None
    assert "review draft of assessment 7 ignored" in caplog.text
    assert drafts.save(7, FORM) and drafts.load(7) == FORM  # typing again replaces it


def test_an_unreadable_draft_is_ignored(drafts: ReviewDrafts) -> None:
    drafts.path(7).mkdir(parents=True)  # a folder where the file should be: reading it fails
    assert drafts.load(7) is None
    assert not drafts.save(7, FORM)  # nor written over: logged, the form stays in memory


def test_another_visits_draft_never_shows(drafts: ReviewDrafts, tmp_path: Path) -> None:
    """A database restored or replaced numbers another patient's visit 7: the form typed for
    the first visit 7 is not shown over it; nor over a visit that cannot be read."""
    assert drafts.save(7, FORM)
    visits_after = {7: visit_key("MRN-OTHER", "2027-01-02T09:00:00")}
    other = ReviewDrafts(tmp_path / "data", visits_after.__getitem__)
    assert other.load(7) is None

    def unreadable(_assessment_id: int) -> str:
        raise RecordNotFoundError("assessment 7 not found")

    assert ReviewDrafts(tmp_path / "data", unreadable).load(7) is None
    assert not ReviewDrafts(tmp_path / "data", unreadable).save(7, FORM)


def test_a_data_folder_gone_is_not_created_again(tmp_path: Path) -> None:
    gone = ReviewDrafts(tmp_path / "moved", _visit_of)
    assert not gone.save(7, FORM) and not (tmp_path / "moved").exists()


def test_kept_reviews_write_through_and_come_back_in_a_new_process(drafts: ReviewDrafts, tmp_path: Path) -> None:
    kept = KeptReviews(drafts)
    kept.keep(7, FORM)
    assert kept.unwritten and drafts.load(7) is None  # not yet: written once the typing pauses
    kept.flush()
    assert not kept.unwritten and drafts.load(7) == FORM
    assert not kept.from_before(7)  # typed in this session

    after_a_crash = KeptReviews(ReviewDrafts(tmp_path / "data", _visit_of))
    assert after_a_crash.get(7) == FORM and after_a_crash.from_before(7)
    assert after_a_crash.get(8) is None
    after_a_crash.drop(7)  # confirmed
    assert after_a_crash.get(7) is None and not after_a_crash.from_before(7)
    after_a_crash.flush()
    assert not drafts.path(7).exists()
    assert KeptReviews(ReviewDrafts(tmp_path / "data", _visit_of)).get(7) is None


def test_a_form_dropped_in_the_session_is_not_read_back(drafts: ReviewDrafts) -> None:
    """Once the session has the last word on a form (kept or dropped), its file, perhaps not
    removed yet, is not read again."""
    assert drafts.save(7, FORM)
    kept = KeptReviews(drafts)
    kept.drop(7)
    assert kept.get(7) is None  # not flushed yet: the file is still there, and not used


def test_the_note_says_when_the_review_was_typed() -> None:
    assert kept_review_note(False) == KEPT_REVIEW_NOTE and "earlier in this session" in KEPT_REVIEW_NOTE
    assert kept_review_note(True) == KEPT_FROM_BEFORE_NOTE and "before Palsy Grader closed" in KEPT_FROM_BEFORE_NOTE


def test_a_write_cut_short_by_a_crash_leaves_nothing_behind(drafts: ReviewDrafts) -> None:
    """A temporary file whose writer died is removed; a finished draft and another program's
    file are left alone."""
    assert drafts.save(7, FORM)
    dead = drafts.folder / f".000008.json{TEMP_MARK}999999999-0a1b2c3d-{host_tag()}"  # no such process
    dead.write_bytes(b'{"version": 1, "ass')
    mine = drafts.folder / f".000009.json{TEMP_MARK}{os.getpid()}-0a1b2c3d-{host_tag()}"  # a write in progress
    mine.write_bytes(b"{")
    assert drafts.remove_leftovers() == 1
    assert not dead.exists() and mine.exists() and drafts.load(7) == FORM


def test_forms_of_visits_settled_elsewhere_are_removed_at_start(drafts: ReviewDrafts) -> None:
    """A visit confirmed from another station or the command line while this one was closed:
    its typed notes do not linger in the data folder; one that still awaits review, or that
    cannot be read now, keeps its form."""
    assert drafts.save(7, FORM) and drafts.save(8, FORM)
    (drafts.folder / "notes.txt").write_text("not a draft")  # left alone
    awaiting = {7: False, 8: True}

    def awaits_review(number: int) -> bool:
        return awaiting[number]

    assert drafts.remove_settled(awaits_review) == 1
    assert not drafts.path(7).exists() and drafts.load(8) == FORM
    assert (drafts.folder / "notes.txt").exists()

    def unreadable(number: int) -> bool:
        raise RecordNotFoundError(f"assessment {number} not found")

    assert drafts.remove_settled(unreadable) == 0 and drafts.load(8) == FORM


def test_a_form_retyped_in_this_session_is_no_longer_from_before(drafts: ReviewDrafts, tmp_path: Path) -> None:
    """Brought back from the data folder, then typed over: its note says "earlier in this
    session", not "typed before Palsy Grader closed" (audit16 r1, defect 4)."""
    assert drafts.save(7, FORM)
    kept = KeptReviews(ReviewDrafts(tmp_path / "data", _visit_of))
    assert kept.get(7) == FORM and kept.from_before(7)
    kept.keep(7, ReviewForm("II", "Dr Lee", "rewritten entirely today"))
    assert not kept.from_before(7)
    assert kept_review_note(kept.from_before(7)) == KEPT_REVIEW_NOTE


def test_a_form_that_cannot_be_written_is_said_once_and_does_not_survive_a_close(tmp_path: Path) -> None:
    """A copy the data folder cannot take (here: the folder gone) is returned by `flush` once
    while it keeps failing, and `survives_close` says the form is in memory only; said again
    after a write that worked (audit16 r1, defect 2)."""
    kept = KeptReviews(ReviewDrafts(tmp_path / "data", _visit_of))  # tmp_path/data not made: gone
    kept.keep(7, FORM)
    assert not kept.survives_close(7)  # not written yet
    assert kept.flush() == {7: FOLDER_GONE}
    assert not kept.survives_close(7) and kept.unwritten
    kept.keep(7, ReviewForm("IV", "Dr Kim", NOTES + " and more"))
    assert kept.flush() == {}  # said already
    (tmp_path / "data").mkdir()  # the folder back
    assert kept.flush() == {} and kept.survives_close(7) and not kept.unwritten
    (tmp_path / "data" / DRAFTS_DIR / "000007.json").unlink()
    (tmp_path / "data" / DRAFTS_DIR).rmdir()
    (tmp_path / "data").rmdir()
    kept.keep(7, FORM)
    assert kept.flush() == {7: FOLDER_GONE}  # failing again: said again
    assert KeptReviews().survives_close(7) is False  # no data folder at all: memory only


def _failing_write(code: int):  # noqa: ANN202
    def write(_fd: int, _data: bytes) -> None:
        raise OSError(code, os.strerror(code))
    return write


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, DISK_FULL), (getattr(errno, "EDQUOT", errno.ENOSPC), DISK_FULL),
                                               (errno.EACCES, READ_ONLY), (errno.EROFS, READ_ONLY)])
def test_a_form_not_written_says_why_until_it_is(drafts: ReviewDrafts, monkeypatch: pytest.MonkeyPatch,
                                                 code: int, reason: str) -> None:
    """A full disk (or quota), a read-only folder: the reason in plain words, no path, kept for
    the window's notice; the file kept before is untouched."""
    assert drafts.save(7, FORM)
    with monkeypatch.context() as patched:
        patched.setattr(files, "_write_all", _failing_write(code))  # the real atomic_write, failing
        saved = drafts.save(7, ReviewForm("II", "Dr Lee", "typed on a full disk"))
    assert not saved and saved.reason == reason and drafts.load(7) == FORM
    assert sorted(p.name for p in drafts.folder.iterdir()) == ["000007.json"]  # no temporary file left
    assert drafts.save(7, FORM) and drafts.save(7, FORM).reason == ""


def test_notes_too_long_a_folder_gone_or_a_visit_not_found_say_why(drafts: ReviewDrafts, tmp_path: Path) -> None:
    too_long = drafts.save(7, ReviewForm("IV", "Dr Kim", "x" * MAX_DRAFT_BYTES))
    assert not too_long and too_long.reason == TOO_LONG and "shorten" in TOO_LONG
    assert not drafts.path(7).exists()
    assert drafts.save(9, FORM).reason == VISIT_NOT_FOUND  # not in this database
    assert ReviewDrafts(tmp_path / "moved", _visit_of).save(7, FORM).reason == FOLDER_GONE


def test_a_data_folder_that_cannot_even_be_looked_at_is_a_reason_not_a_crash(
        drafts: ReviewDrafts, monkeypatch: pytest.MonkeyPatch) -> None:
    """A share gone stale: the write fails with EIO and so does looking at the folder. `save`
    raised then (and Back or closing the window with it, review r1 #2); it says the folder is gone."""
    from app.review_drafts import FOLDER_GONE

    def stale(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    with monkeypatch.context() as patched:
        patched.setattr(files, "_write_all", _failing_write(errno.EIO))
        patched.setattr(Path, "is_dir", stale)
        saved = drafts.save(7, FORM)
    assert not saved and saved.reason == FOLDER_GONE
