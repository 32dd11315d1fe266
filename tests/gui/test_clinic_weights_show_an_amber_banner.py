"""Weights that carry cautions (a clinic's own, `palsy train clinic`) show an amber banner with
the first caution and all of them in its tooltip: with them the red demonstration banner went,
and nothing on the screen said the weights were trained on a few patients and not validated."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor

from app.widgets.tones import contrast_ratio
from app.window_model import AMBER_BANNER_CSS, RED_BANNER_CSS, UNVALIDATED_BANNER
from models.cascade import build_model
from models.checkpoint import save_checkpoint
from models.config import get_config
from models.resources import UNVALIDATED_CAUTION
from tests.gui.gui_helpers import close_window, make_window

CAUTIONS = [
    "Trained on 8 patients of this clinic, tested on 2 (test accuracy 0.500, kappa 0.429); not a validated medical device.",
    "The face parser (segmentation and measured grade) was not trained on this clinic's faces: it is the demonstration "
    "parser, trained on public face photos and synthetic faces, no palsy patient.",
    "The test split has no patient of grade I, II, III, VI: the figures say nothing about those grades.",
]


def _clinic_weights(path: Path) -> Path:
    model = build_model(get_config("compact").with_input_size(64), seed=0)
    save_checkpoint(model, path, training={"command": "palsy train clinic"}, extra={"cautions": CAUTIONS})
    return path


def test_clinic_weights_show_the_first_caution_in_amber(qtbot, data_folder: Path, tmp_path: Path) -> None:
    window = make_window(qtbot, data_folder, _clinic_weights(tmp_path / "clinic.pt"))
    try:
        banner = window.banner
        assert banner.isVisible() and banner.styleSheet() == AMBER_BANNER_CSS
        assert banner.text() == f"Clinic-trained weights, not validated: {CAUTIONS[0]} \u2014 Help \u2192 Model card"
        assert all(text in banner.toolTip() for text in CAUTIONS)
        # a failed load afterwards is red again, without the cautions' tooltip
        window._model_failed("weights file not found")
        assert banner.styleSheet() == RED_BANNER_CSS and banner.toolTip() == "" and "No model loaded" in banner.text()
    finally:
        close_window(window)


def test_the_amber_banner_is_readable() -> None:
    assert contrast_ratio(QColor("#f5b041"), QColor("#2b1a00")) >= 4.5
    assert "#f5b041" in AMBER_BANNER_CSS and "#2b1a00" in AMBER_BANNER_CSS


def test_weights_without_cautions_show_the_amber_not_validated_banner(qtbot, data_folder: Path,
                                                                      tiny_weights: Path) -> None:
    # neither the demonstration weights nor a clinic's: no banner read as "validated"
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        banner = window.banner
        assert banner.isVisible() and banner.styleSheet() == AMBER_BANNER_CSS
        assert banner.text() == UNVALIDATED_BANNER and "NOT FOR DIAGNOSIS" in banner.text()
        assert UNVALIDATED_CAUTION in banner.toolTip()
        assert window.model_handle.meta["cautions"] == [UNVALIDATED_CAUTION]  # what the report prints
    finally:
        close_window(window)


def test_demonstration_weights_with_cautions_keep_the_red_banner_and_list_the_cautions(
        qtbot, data_folder: Path, tmp_path: Path) -> None:
    # a name the demo rule catches: red, as the report's red box; the cautions were hidden on screen
    window = make_window(qtbot, data_folder, _clinic_weights(tmp_path / "clinic_demo.pt"))
    try:
        banner = window.banner
        assert banner.isVisible() and banner.styleSheet() == RED_BANNER_CSS
        assert banner.text().startswith("DEMONSTRATION MODEL")
        assert all(text in banner.toolTip() for text in CAUTIONS)
    finally:
        close_window(window)


def test_the_model_card_lists_the_cautions_even_without_a_card_file(qtbot, data_folder: Path, tmp_path: Path) -> None:
    # the banner sends the reader to Help > Model card; a clinic.pt copied without clinic.md showed none
    window = make_window(qtbot, data_folder, _clinic_weights(tmp_path / "clinic.pt"))
    try:
        dialog = window.show_model_card()
        text = " ".join(dialog.browser.toPlainText().split())
        assert text.index("Cautions recorded in these weights") < text.index("Technical details")
        assert all(" ".join(caution.split()) in text for caution in CAUTIONS) and "No model card" in text
        dialog.close()
    finally:
        close_window(window)
