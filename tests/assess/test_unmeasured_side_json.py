"""assessment.json's `affected_side`: null when nothing was measured, not "none" (no palsy side)."""

from __future__ import annotations

import json

from models.pipeline.assess import assess
from models.pipeline.loader import wrap_model
from tests.assess.fakes import OracleNet, cartoon_photo
from tests.assess.masks import paint_patient


def test_unmeasured_side_is_null_in_the_json() -> None:
    photos = {e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}
    measured = assess(photos, wrap_model(OracleNet()))
    assert measured.to_dict()["affected_side"] == "left" == measured.affected_side
    partial = {e: photos[e] for e in ("raise_eyebrows", "open_mouth")}  # no rest photo: nothing measured
    unmeasured = assess(partial, wrap_model(OracleNet()))
    assert unmeasured.measured.grade is None
    body = json.loads(json.dumps(unmeasured.to_dict()))
    assert body["affected_side"] is None and body["measured"]["grade"] is None
