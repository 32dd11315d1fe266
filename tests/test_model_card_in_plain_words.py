"""Help > Model card opens with the weights in plain words (what they are, what they were trained
on, how they did on patients kept out of training, what that means, not for diagnosis), then the
cautions, then the card under a heading for whoever trained them: a therapist opening it met a
training recipe after the first paragraph. Built without Qt (`app.weights_info.card_markdown`;
tests/test_no_qt_tidy.py keeps the module headless)."""

from __future__ import annotations

import re
from pathlib import Path

import torch

from app.weights_info import (
    ASK_THE_TRAINER,
    DISCLAIMER,
    ONCE_LOADED,
    TECHNICAL_HEADING,
    card_markdown,
    held_out_figures,
)
from models.resources import default_weights_path

CAUTIONS = ["Trained on 8 patients of this clinic, tested on 4 (test accuracy 0.750, kappa 0.800); "
            "not a validated medical device."]
# `palsy train clinic`'s figures: the test split's, per patient (3 of 4 right, all 4 within one grade)
CLINIC_METRICS = {"split": "test", "grading": {"patient": {
    "accuracy": 0.75, "within_one": 1.0, "confusion": [[1, 1, 0, 0, 0, 0], [0, 2, 0, 0, 0, 0]] + [[0] * 6] * 4}}}
CLINIC_RECORD = {"name": "clinic", "training_data": {"command": "palsy train clinic"}, "cautions": CAUTIONS}


def _plain_part(text: str) -> str:
    return text.split(f"# {TECHNICAL_HEADING}")[0]


def test_the_demo_weights_read_plain_first_with_the_checkpoints_own_figures() -> None:
    checkpoint = torch.load(default_weights_path(), map_location="cpu", weights_only=True)
    record = {"name": "demo_compact", "training_data": checkpoint["training"], "demo": True}
    text = card_markdown("", record, checkpoint["metrics"], is_demo=True)
    plain = _plain_part(text)
    assert text.startswith("# These weights in plain words")
    figures = checkpoint["metrics"]["synthetic_grading_patient"]
    patients = sum(map(sum, figures["confusion"]))
    right, near = round(figures["accuracy"] * patients), round(figures["within_one"] * patients)
    for said in ("Demonstration weights, not for diagnosis.", "No real palsy patient was seen in training",
                 "trained on:** These weights were trained from scratch on synthetic patients",
                 f"On {patients} synthetic patients", f"right for {right} of them ({figures['accuracy'] * 100:.0f} %)",
                 f"within one grade for {near} ({figures['within_one'] * 100:.0f} %)",
                 f"wrong for {(1 - figures['accuracy']) * 100:.0f} %", "choose the grade yourself", DISCLAIMER):
        assert said in plain, said
    for recipe in ("Recipe", "seed", "palsy train demo", "sha256", "kappa"):  # the developer's words stay below
        assert recipe not in plain, recipe
    # the whole card follows, its title one level under the technical heading
    technical = text.split(f"# {TECHNICAL_HEADING}")[1]
    assert "\n## Palsy Grader demo weights" in technical and "\n### Recipe" in technical


def test_clinic_weights_say_clinic_trained_and_their_test_figures_then_the_cautions(tmp_path: Path) -> None:
    text = card_markdown(str(tmp_path / "clinic.pt"), CLINIC_RECORD, CLINIC_METRICS, is_demo=False)
    plain = _plain_part(text)
    assert "Clinic-trained weights, not validated." in plain
    assert "On 4 test patients kept out of training" in plain and "right for 3 of them (75 %)" in plain
    assert "within one grade for 4 (100 %)" in plain and "Trained with 'palsy train clinic'" in plain
    cautions = text.index("## Cautions recorded in these weights")
    assert text.index("Not for diagnosis") < cautions < text.index(TECHNICAL_HEADING)
    assert "No model card" in text.split(TECHNICAL_HEADING)[1]  # no clinic.md beside the file


def test_weights_without_figures_say_so_and_send_the_reader_to_whoever_trained_them(tmp_path: Path) -> None:
    record = {"name": "graded", "training_data": {"stage": "grading", "data": {"patients": 30, "photos": 180}}}
    plain = _plain_part(card_markdown(str(tmp_path / "graded.pt"), record, {}, is_demo=False))
    assert "Neither the shipped demonstration weights nor clinic-trained" in plain
    assert "30 patients (180 photos)" in plain  # the report's "Training data"
    assert "Not recorded: these weights carry no figures" in plain and ASK_THE_TRAINER in plain
    assert "wrong for" not in plain  # no figure is made up


def test_before_the_weights_load_nothing_is_claimed_about_them(tmp_path: Path) -> None:
    plain = _plain_part(card_markdown(str(tmp_path / "clinic.pt"), None, None, is_demo=False))
    assert "Not known yet: no weights are loaded" in plain
    assert "Not recorded" not in plain and "no figures" not in plain  # the checkpoint may well record them
    assert f"trained on:** {ONCE_LOADED}" in plain and f"kept out of training:** {ONCE_LOADED}" in plain
    assert "wrong for" not in plain  # no figure is made up either


def test_before_the_demo_weights_load_their_card_below_is_not_contradicted() -> None:
    text = card_markdown(str(default_weights_path()), None, None, is_demo=True)
    plain, technical = text.split(f"# {TECHNICAL_HEADING}")
    assert "held-out" in technical.lower()  # the card lists the figures
    assert f"kept out of training:** {ONCE_LOADED}" in plain and "no figures" not in plain


def test_the_summary_words_the_probability_and_its_flag_as_the_window_does() -> None:
    plain = _plain_part(card_markdown("", None, {"synthetic_grading_patient": {"accuracy": 0.708, "within_one": 0.942}}, True))
    assert "right for 71 % of them and within one grade for 94 %" in plain  # spaced, as the window prints percents
    assert "wrong for 29 % of those patients and more than one grade off for 6 %" in plain
    assert "A result whose probability (shown beside the network grade) is below 50 % is flagged " \
           "\u201cLow network confidence\u201d" in plain
    assert "top probability" not in plain and not re.search(r"\d%", plain)


def test_figures_in_a_form_not_read_here_are_not_shown() -> None:
    assert held_out_figures({"synthetic_grading_patient": {"accuracy": "0.9", "within_one": 1.0}}) is None
    assert held_out_figures({"grading": {"patient": {"accuracy": 1.5, "within_one": 1.0}}}) is None
    figures = held_out_figures({"synthetic_grading_patient": {"accuracy": 0.5, "within_one": 0.75}})
    assert figures is not None and figures.patients is None  # no confusion matrix: no count claimed
    plain = card_markdown("", None, {"synthetic_grading_patient": {"accuracy": 0.5, "within_one": 0.75}}, True)
    assert "On the synthetic patients (drawn faces, no real patient) kept out of training, the network's grade " \
           "was right for 50 % of them and within one grade for 75 %" in plain


def test_a_cards_code_block_keeps_its_lines(tmp_path: Path) -> None:
    weights = tmp_path / "clinic.pt"
    weights.with_suffix(".md").write_text("# Clinic card\n\n## Data\n\n```\n# not a heading\n```\n", encoding="utf-8")
    technical = card_markdown(str(weights), CLINIC_RECORD, CLINIC_METRICS, is_demo=False).split(TECHNICAL_HEADING)[1]
    assert "\n## Clinic card" in technical and "\n### Data" in technical and "\n# not a heading" in technical

