"""A patient's history in the main window, and reopening a past assessment read-only
(its overlays recomputed from the stored photos on a worker thread)."""

from __future__ import annotations

from typing import Any

from app.workers import FunctionWorker
from models.errors import PalsyError


class WindowHistoryMixin:
    """`show_history` and `open_read_only`.

    Mixed into `MainWindow`, which owns the gateway, the history and results pages, the model
    handle and `_run`.
    """

    def show_history(self, patient_id: str) -> None:
        self.patient_id = patient_id
        self.history.show_history(self._patient_label(patient_id), self.gateway.history(patient_id))
        self.stack.setCurrentWidget(self.history)

    def open_read_only(self, assessment_id: int) -> None:
        """Show a past assessment as it was stored (no editing)."""
        from app.reopen import result_from_record

        info = self.gateway.assessment(assessment_id)
        result = result_from_record(info, self.gateway)
        if result is None:
            self.notify("This assessment has no results yet (it was never analysed)")
            return
        self.patient_id, self.assessment_id, self.result = info.patient_id, assessment_id, result
        self.stack.setCurrentWidget(self.results)
        self._show_read_only(info, result)
        self._recompute_overlays(info)

    def _show_read_only(self, info: Any, result: Any) -> None:
        self.results.show_result(result, self._patient_label(info.patient_id), info.status, info.confirmed_grade,
                                 info.clinician, info.notes, read_only=True)

    def _recompute_overlays(self, info: Any) -> None:
        """Masks and attention maps are not stored: recompute them from the stored photos on a
        worker (the stored grades and measurements are what is shown)."""
        if self.model_handle is None or not info.captures:
            return
        try:
            photos = {name: self.gateway.load_photo(info.assessment_id, name) for name in info.captures}
        except PalsyError as exc:
            self.notify(f"Stored photos could not be read: {exc}")
            return
        handle, analyse = self.model_handle, self.services.analyse
        self._reopen_id = info.assessment_id
        worker = FunctionWorker(lambda progress: analyse(photos, handle, progress))
        worker.returned.connect(self._overlays_recomputed)
        worker.errored.connect(self.notify)
        self._run(worker)

    def _overlays_recomputed(self, fresh: Any) -> None:
        if self._closed:
            return
        if self.result is None or self.assessment_id != getattr(self, "_reopen_id", None) or not self.results.read_only:
            return
        for name, expression in fresh.expressions.items():
            stored = self.result.expressions.get(name)
            if stored is not None:
                stored.photo, stored.mask, stored.attention = expression.photo, expression.mask, expression.attention
        self._show_read_only(self.gateway.assessment(self.assessment_id), self.result)
        self.notify("Overlays recomputed from the stored photos with the current model")
