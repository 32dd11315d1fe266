"""Loading the model on a worker thread, and what the status bar and banner say about it."""

from __future__ import annotations

import gc
import logging
from typing import Any

from app.weights_info import CLINIC_WORDS, UNVALIDATED_WORDS
from app.widgets.plain_text import plain_tooltip
from app.workers import FunctionWorker
from models.resources import records_only_unvalidated, weights_cautions

log = logging.getLogger(__name__)

DEMO_BANNER = ("DEMONSTRATION MODEL \u2014 NOT FOR DIAGNOSIS. Grades come from demo weights: the grading network "
               "trained on synthetic faces, the face parser also on research photo sets; no palsy patient.")
# Weights that carry cautions (a clinic's own, `models.resources.weights_cautions`) get an amber
# banner: trained on real patients, yet not validated. The first caution says on what and how
# they scored; the tooltip lists them all, the card (Help > Model card) says the rest.
CAUTION_BANNER = CLINIC_WORDS + ": {first} \u2014 Help \u2192 Model card"  # the card says the same words
# Any other weights but the demonstration ones carry `models.resources.UNVALIDATED_CAUTION`.
UNVALIDATED_BANNER = (f"{UNVALIDATED_WORDS} \u2014 NOT FOR DIAGNOSIS: neither the demonstration weights nor "
                      "clinic-trained ones; nothing says how they were checked \u2014 Help \u2192 Model card")
# The red of the demonstration banner (main_window builds it with this) and, for cautions, the amber
# of the warning tone (app/widgets/tones.py, its colour on a dark palette) under dark text.
RED_BANNER_CSS = "#demoBanner { background: #b03a2e; color: white; font-weight: 700; padding: 6px 10px; }"
AMBER_BANNER_CSS = "#demoBanner { background: #f5b041; color: #2b1a00; font-weight: 700; padding: 6px 10px; }"


class WindowModelMixin:
    """`load_model` and its two outcomes: `model_handle` set, or `model_error` with the reason.

    Mixed into `MainWindow`, which owns the labels, the banner and `_run` (the worker threads).
    Only the latest load counts: each has a token, and the answer of a load superseded by a
    later choice of weights is dropped (the slowest load won, whichever was chosen last).
    """

    _load_token = 0

    def load_model(self) -> None:
        """Load the configured weights on a worker thread (torch is imported there). Until it
        answers there is no model: Analyse says it is loading rather than grade with the weights
        that were just replaced."""
        if self._closed:  # a load queued before the window closed: no thread after shutdown
            return
        weights, device = self.settings.model.weights_path, self.settings.model.device
        mirror = self.settings.model.mirror_parsing
        self._load_token += 1
        self.model_handle = None
        self.model_error = ""
        self.model_label.setText("model: loading\u2026")
        self.model_label.setToolTip("")
        self.show_graded_by()  # the result shown no longer matches "the weights loaded now"
        worker = FunctionWorker(lambda progress: self.services.load_model(weights, device, mirror))
        worker.load_token = self._load_token
        worker.returned.connect(self._model_loaded)
        worker.errored.connect(self._model_failed)
        self._run(worker)

    def _superseded(self) -> bool:
        """The answering load (the signal's sender) is not the latest one asked for. A direct
        call (no sender) counts as current."""
        token = getattr(self.sender(), "load_token", None)
        return token is not None and token != self._load_token

    def _model_loaded(self, handle: Any) -> None:
        if self._closed or self._superseded():
            return
        # torch brought ~10^5 long-lived objects; move them out of the collector's way so a
        # full collection during an analysis does not stall the GUI thread
        gc.collect()
        gc.freeze()
        # the log names the weights that grade this session's photos, next to any error of them
        log.info("model %s loaded from %s (sha256 %s, device %s)", handle.name, handle.path, handle.sha256, handle.device)
        self.model_handle = handle
        self.model_error = ""
        self.model_label.setText(f"model: {handle.name}")  # a file's name: a plain-text label (main_window)
        self.model_label.setToolTip(f"sha256 {handle.sha256}")
        self.device_label.setText(f"device: {handle.device}")
        self._show_model_banner(handle)  # the model's own line: settings problems are in `notice`
        self.overlays_after_load()

    def _show_model_banner(self, handle: Any) -> None:
        """Red for the demonstration weights, amber for weights with cautions (any others loaded
        from a file: `models.resources.shown_cautions`), hidden otherwise (a stand-in handle).
        Demonstration weights that carry cautions too (a clinic run the demo rule catches) keep
        the red banner, the cautions in its tooltip, as the report prints both boxes."""
        cautions = weights_cautions(getattr(handle, "meta", None))  # a stand-in handle (tests) has no meta
        listed = plain_tooltip("\n".join(f"\u2022 {text}" for text in cautions)) if cautions else ""
        if cautions and not handle.is_demo:
            self.banner.setStyleSheet(AMBER_BANNER_CSS)
            self.banner.setText(UNVALIDATED_BANNER if records_only_unvalidated(cautions)
                                else CAUTION_BANNER.format(first=cautions[0]))
            self.banner.setToolTip(listed)
            self.banner.show()
            return
        self._red_banner(DEMO_BANNER)
        self.banner.setToolTip(listed)
        self.banner.setVisible(bool(handle.is_demo))

    def _red_banner(self, text: str) -> None:
        self.banner.setStyleSheet(RED_BANNER_CSS)
        self.banner.setText(text)
        self.banner.setToolTip("")

    def _model_failed(self, message: str) -> None:
        if self._closed or self._superseded():
            return
        # a refusal the user can mend (a damaged file, a wrong path): the reason, no traceback (an
        # unexpected failure has its traceback from the worker); support reads it beside the banner
        model = self.settings.model
        log.warning("model not loaded from %s (device %s): %s", model.weights_path or "the shipped weights",
                    model.device, message)
        self.model_handle = None
        self.model_error = message
        self.model_label.setText("model: not loaded")
        self._red_banner(f"No model loaded: {message}")  # quotes the weights path: a plain-text label (main_window)
        self.banner.show()
        self.overlays_after_load()
