"""Eyes on the wrong sides of the rest mask: the note does not claim the photo was mirrored
(a close-up whose face was not found gave garbage masks and the same note)."""

from __future__ import annotations

from models.pipeline.measures import measure_function
from tests.assess.masks import paint_patient


def test_eyes_on_the_wrong_sides_name_both_causes_and_what_to_check() -> None:
    masks = paint_patient((0.5, 1.0))
    rest = masks["rest"].copy()
    rest[masks["rest"] == 4], rest[masks["rest"] == 5] = 5, 4  # eye labels on the wrong sides
    masks["rest"] = rest
    m = measure_function(masks)
    assert m.grade is None
    assert "the left and right eyes appear swapped in the mask: check that the photo is not mirrored " \
           "and that the face was found" in m.notes[0]
    assert "is the photo mirrored?" not in m.notes[0]
