"""The note on photos left out of a clinic run or `palsy evaluate` names both reasons the app
refuses a photo for: no face found, or a face too small (FaceTooSmallError is a NoFaceError, so
its photos are counted there too); "retake as frontal photos" alone did not say to come closer."""

from __future__ import annotations

from models.pipeline.face import FaceTooSmallError, NoFaceError
from models.train.face_prep import no_face_note


def test_the_note_covers_photos_whose_face_was_too_small() -> None:
    assert issubclass(FaceTooSmallError, NoFaceError)  # caught, and counted, as no face
    note = no_face_note(["P1/rest.jpg", "P2/close_eyes.jpg"], "the run")
    assert note.startswith("left out of the run: 2 photos where no face was found, or the face was too small "
                           "(P1/rest.jpg, P2/close_eyes.jpg), as palsy assess would refuse them")
    assert note.endswith("retake them as frontal photos of the face, filling about half the frame")
    one = no_face_note(["P1/rest.jpg"], "the figures")
    assert "1 photo where no face was found, or the face was too small (P1/rest.jpg)" in one
    assert one.endswith("retake it as a frontal photo of the face, filling about half the frame")
