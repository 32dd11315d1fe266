"""Resuming a draft whose stored photo cannot be decoded: the notice quotes the reason without
its full stop inside the brackets ("... (rest.png is damaged); retake it", not "damaged.)")."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from app.records.errors import StorageError
from app.window_assessment import WindowAssessmentMixin


class Gateway:
    def assessment(self, assessment_id: int) -> Any:
        return SimpleNamespace(patient_id="P1", created="2026-12-06T10:00:00+00:00", captures={"rest": "rest.png"},
                               status="draft")

    def capture_qualities(self, assessment_id: int) -> dict[str, Any]:
        return {}

    def load_photo(self, assessment_id: int, expression: str) -> Any:
        raise StorageError("rest.png is damaged or truncated (the end of the file is missing).")


def test_the_notice_has_no_full_stop_inside_the_brackets() -> None:
    notices: list[str] = []
    window = SimpleNamespace(session=None, gateway=Gateway(), notify=notices.append,
                             _open_capture=lambda patient_id, assessment_id, photos, standing=None: None)
    window._reopen = lambda *args: WindowAssessmentMixin._reopen(window, *args)
    window._still_a_draft = lambda assessment_id, status: WindowAssessmentMixin._still_a_draft(window, assessment_id, status)
    WindowAssessmentMixin.resume_assessment(window, 7, asked=True)  # type: ignore[arg-type]
    assert notices == ["The Rest photo could not be read (rest.png is damaged or truncated (the end of the file is "
                       "missing)); retake it"]
