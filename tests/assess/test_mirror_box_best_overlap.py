"""The mirror-averaged face box is averaged with the mirrored detection of the same face: with
two people of similar size the mirrored search may rank the other one first, and comparing
with the largest alone then kept the unaveraged box (the crop of the mirrored photo was not
the mirrored crop)."""

from __future__ import annotations

import numpy as np
import pytest

from models.pipeline import face
from models.pipeline.face import FaceCropSettings, mirror_averaged_box

WIDTH = 400


def test_the_box_is_averaged_with_its_own_mirrored_face_not_the_largest(monkeypatch: pytest.MonkeyPatch) -> None:
    patient = (40, 100, 100, 100)
    # the mirrored frame's detections, in its own coordinates, largest first: the other person
    # (at x 250 in the photo) and the patient, found 2 px smaller
    mirrored = [(WIDTH - 250 - 104, 100, 104, 104), (WIDTH - 38 - 98, 100, 98, 98)]
    monkeypatch.setattr(face, "_detect", lambda grey, settings: mirrored)
    box = mirror_averaged_box(np.zeros((300, WIDTH), np.uint8), patient, FaceCropSettings())
    assert box == (39.0, 100.0, 99.0, 99.0)


def test_without_a_matching_mirrored_face_the_box_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(face, "_detect", lambda grey, settings: [(WIDTH - 250 - 104, 100, 104, 104)])
    box = mirror_averaged_box(np.zeros((300, WIDTH), np.uint8), (40, 100, 100, 100), FaceCropSettings())
    assert box == (40.0, 100.0, 100.0, 100.0)
