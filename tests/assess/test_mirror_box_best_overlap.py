"""The face to crop is chosen the same way whichever way the photo faces: the frame and its
mirror are both searched, the larger first face of the two searches is taken and averaged with
the other search's face that overlaps it best (with two people of similar size the other search
may rank the other one first; comparing with its largest alone kept the unaveraged box)."""

from __future__ import annotations

import numpy as np
import pytest

from models.pipeline import face
from models.pipeline.face import FaceCropSettings, find_face

WIDTH = 400


def _frame() -> np.ndarray:
    """A grey frame whose mirror can be told from it (a marked top-left pixel)."""
    grey = np.zeros((300, WIDTH), np.uint8)
    grey[0, 0] = 255
    return grey


def _searches(monkeypatch: pytest.MonkeyPatch, own: list, mirrored: list) -> None:
    """`_detect` finds `own` in the frame and `mirrored` (its own coordinates) in its mirror."""
    monkeypatch.setattr(face, "_detect", lambda grey, settings: own if grey[0, 0] else mirrored)


def _mirror(box: tuple) -> tuple:
    x, y, w, h = box
    return (WIDTH - x - w, y, w, h)


def test_the_box_is_averaged_with_its_own_mirrored_face_not_the_largest(monkeypatch: pytest.MonkeyPatch) -> None:
    patient = (40, 100, 104, 104)
    # the mirrored frame's detections, largest first: the other person (at x 250 in the photo)
    # and the patient, found 4 px smaller
    _searches(monkeypatch, [patient], [_mirror((250, 100, 102, 102)), _mirror((42, 100, 100, 100))])
    box, faces = find_face(_frame(), FaceCropSettings())
    assert box == (41.0, 100.0, 102.0, 102.0)
    assert faces == [(41, 100, 102, 102)]


def test_without_a_matching_mirrored_face_the_box_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    _searches(monkeypatch, [(40, 100, 100, 100)], [_mirror((250, 100, 90, 90))])
    box, _ = find_face(_frame(), FaceCropSettings())
    assert box == (40.0, 100.0, 100.0, 100.0)


def test_a_false_box_found_in_one_orientation_loses_to_the_face_found_in_the_other(monkeypatch: pytest.MonkeyPatch) -> None:
    # The photo's search finds only a 63-px false box inside the face; the mirror's finds the
    # 152-px face. The photo and the mirrored photo must both crop the face.
    face_box, false_box = (48, 45, 152, 152), (65, 63, 63, 63)
    _searches(monkeypatch, [false_box], [_mirror(face_box)])
    box, faces = find_face(_frame(), FaceCropSettings())
    assert box == tuple(float(v) for v in face_box)
    assert faces == [face_box]  # the false box lies inside the face: not a second person
    _searches(monkeypatch, [_mirror(face_box)], [false_box])
    mirrored_box, _ = find_face(_frame(), FaceCropSettings())
    assert mirrored_box == tuple(float(v) for v in _mirror(face_box))


def test_a_face_only_the_mirrored_search_finds_is_cropped(monkeypatch: pytest.MonkeyPatch) -> None:
    _searches(monkeypatch, [], [_mirror((48, 45, 152, 152))])
    box, faces = find_face(_frame(), FaceCropSettings())
    assert box == (48.0, 45.0, 152.0, 152.0) and faces == [(48, 45, 152, 152)]
    _searches(monkeypatch, [], [])
    assert find_face(_frame(), FaceCropSettings()) is None


def test_a_synthetic_photo_and_its_mirror_get_mirrored_crops() -> None:
    # Patient 5 of `palsy synth --seed 31 --size 256`, eyes closed: the mirrored search missed
    # the face and found a 63-px false box, so the mirrored photo was cropped on it alone.
    from models.data.synthetic.dataset import entry_patient, plan_patients
    from models.data.synthetic.patient import render_expression
    from models.pipeline.face import crop_face

    rgb, _ = render_expression(entry_patient(plan_patients(12, 31)[5]), "close_eyes", 256, frame_seed=0)
    photo, mirrored = crop_face(rgb, 128), crop_face(np.ascontiguousarray(rgb[:, ::-1]), 128)
    x, y, side, _ = photo.crop_box
    assert side > 200  # the whole face, not the false box
    assert mirrored.crop_box == (256 - x - side, y, side, side)
    assert np.array_equal(mirrored.image, photo.image[:, ::-1])


def test_of_two_faces_of_one_size_the_one_nearer_the_centre_is_taken_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    near, far = (140, 100, 100, 100), (10, 100, 100, 100)  # centres 10 and 140 px from the centre line
    _searches(monkeypatch, [far], [_mirror(near)])
    assert find_face(_frame(), FaceCropSettings())[0] == tuple(float(v) for v in near)
    _searches(monkeypatch, [_mirror(near)], [far])
    assert find_face(_frame(), FaceCropSettings())[0] == tuple(float(v) for v in _mirror(near))
