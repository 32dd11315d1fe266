""""Same as another expression" names the photo taken later in time, not the later step: with
steps taken out of order (Next past Close eyes, back to it after Puff cheeks), a double press
stored Puff cheeks' expression as Close eyes, and the genuine Puff cheeks photo was flagged;
retaking it as told never cleared the flag. A resumed draft orders its photos by the capture
time the record keeps for each."""

from __future__ import annotations

from app.pages.capture_logic import CapturedPhoto, CaptureSession, same_as_note
from tests.gui.test_capture_logic_repeated_photos import _face, _session


def test_the_photo_taken_later_is_flagged_when_steps_were_taken_out_of_order() -> None:
    session = _session()
    session.capture(_face(0))  # rest; the current step is Close eyes
    session.go_to(2)  # the patient needs a moment for Close eyes: Next, back to it later
    for seed in (2, 3, 4):  # raise eyebrows, open mouth, wrinkle nose
        session.capture(_face(seed))
    puff = _face(5)
    session.capture(puff)  # puff cheeks; the session wraps back to Close eyes
    assert session.expression == "close_eyes"
    session.capture(puff.copy())  # a second press: Puff cheeks' expression as Close eyes
    assert session.flagged_photos() == {"close_eyes": same_as_note("puff_cheeks")}
    session.retake("close_eyes")  # the user does what the flag says
    session.capture(_face(1))
    assert session.flagged_photos() == {}


def test_a_resumed_draft_orders_its_photos_by_their_stored_capture_time() -> None:
    first = _session()
    same = _face(5)
    first.capture(_face(0))  # rest
    first.go_to(5)
    first.capture(same)  # puff cheeks, taken first
    first.capture(same.copy())  # close eyes, taken second (a double press)
    records = first.sink
    stored = records.assessment(first.assessment_id)
    # the record's times, one hour apart so the order cannot tie
    stored.captured_at.update({"rest": "2026-12-07T09:00:00.000+00:00", "puff_cheeks": "2026-12-07T09:01:00.000+00:00",
                               "close_eyes": "2026-12-07T09:02:00.000+00:00"})
    resumed = CaptureSession(first.assessment_id, records)
    photos = {e: CapturedPhoto(e, records.load_photo(first.assessment_id, e), {}) for e in stored.captures}
    resumed.restore(dict(sorted(photos.items(), key=lambda item: resumed.steps.index(item[0]))))  # step order
    assert resumed.flagged_photos() == {"close_eyes": same_as_note("puff_cheeks")}
