"""Help > Model card shows the loaded weights in plain words at the top of the dialog (their kind,
their held-out figures read from the checkpoint, that the clinician chooses the grade), then the
cautions, then the card file under "Technical details": the therapist read a training recipe."""

from __future__ import annotations

from pathlib import Path

from app.weights_info import ONCE_LOADED, TECHNICAL_HEADING
from models.cascade import build_model
from models.checkpoint import save_checkpoint
from models.config import get_config
from tests.gui.gui_helpers import close_window, make_window

CAUTIONS = ["Trained on 8 patients of this clinic, tested on 5 (test accuracy 0.600, kappa 0.500); "
            "not a validated medical device."]
# 3 of 5 test patients right, 4 of 5 within one grade
METRICS = {"split": "test", "grading": {"patient": {
    "accuracy": 0.6, "within_one": 0.8, "confusion": [[2, 1, 0, 0, 0, 0], [0, 1, 0, 1, 0, 0]] + [[0] * 6] * 4}}}


def _clinic_weights(path: Path) -> Path:
    model = build_model(get_config("compact").with_input_size(64), seed=0)
    save_checkpoint(model, path, training={"command": "palsy train clinic"}, metrics=METRICS,
                    extra={"cautions": CAUTIONS})
    path.with_suffix(".md").write_text("# Model card: clinic-trained Palsy Grader weights\n\n## Recipe\n\n"
                                       "- Stage 2 (grading, E1 frozen): 40 steps, poly LR from 0.0002.\n",
                                       encoding="utf-8")
    return path


def test_the_dialog_opens_on_the_plain_summary(qtbot, data_folder: Path, tmp_path: Path) -> None:
    window = make_window(qtbot, data_folder, _clinic_weights(tmp_path / "clinic.pt"))
    try:
        dialog = window.show_model_card()
        browser = dialog.browser
        text = " ".join(browser.toPlainText().split())
        assert text.startswith("These weights in plain words What they are: Clinic-trained weights, not validated.")
        assert browser.document().firstBlock().blockFormat().headingLevel() == 1
        # the figures the checkpoint records, not the card's
        assert "On 5 test patients kept out of training, the network's grade was right for 3 of them (60 %)" in text
        assert "within one grade for 4 (80 %)" in text and "choose the grade yourself" in text
        summary_end = text.index("Not for diagnosis:")
        assert summary_end < text.index("Cautions recorded in these weights") < text.index(CAUTIONS[0])
        assert text.index(CAUTIONS[0]) < text.index(TECHNICAL_HEADING) < text.index("poly LR from 0.0002")
        assert browser.verticalScrollBar().value() == 0  # it opens at the plain words
        dialog.close()
    finally:
        close_window(window)


def test_weights_without_figures_card_or_load_say_not_recorded(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        dialog = window.show_model_card()
        text = " ".join(dialog.browser.toPlainText().split())
        assert "Not recorded: these weights carry no figures from patients kept out of training" in text
        assert text.index(TECHNICAL_HEADING) < text.index("No model card")
        dialog.close()
        window.model_handle = None  # loading other weights, or refused: nothing is claimed of them
        dialog = window.show_model_card()
        text = " ".join(dialog.browser.toPlainText().split())
        assert "What they are: Not known yet: no weights are loaded" in text
        assert f"How well they did on patients kept out of training: {ONCE_LOADED}" in text
        assert "Not recorded" not in text
        dialog.close()
    finally:
        close_window(window)
