"""Review r2 D4: the program's caution for weights that record none said "nothing they carry
says on what they were trained or how they were checked", on a PDF and a model card that print
the training data those weights do carry (a research `palsy train grading` run); and the card
listed it under "Cautions recorded in these weights", though the file records none."""

from __future__ import annotations

from pathlib import Path

from app.weights_info import card_markdown
from models.resources import UNVALIDATED_CAUTION

RECORD = {"name": "compact", "training_data": "Trained with 'palsy train grading --data x'."}


def test_the_caution_does_not_deny_the_training_record_printed_beside_it() -> None:
    assert "on what they were trained" not in UNVALIDATED_CAUTION
    assert "no record of a validation" in UNVALIDATED_CAUTION and "not for diagnosis" in UNVALIDATED_CAUTION


def test_the_programs_caution_is_not_said_to_be_recorded_in_the_weights(tmp_path: Path) -> None:
    text = card_markdown(str(tmp_path / "research.pt"), {**RECORD, "cautions": [UNVALIDATED_CAUTION]}, {}, False)
    assert "## Caution\n" in text and UNVALIDATED_CAUTION in " ".join(text.split())
    assert "recorded in these weights" not in text


def test_a_clinics_own_cautions_keep_their_heading(tmp_path: Path) -> None:
    own = "Trained on 8 patients of this clinic; not a validated medical device."
    text = card_markdown(str(tmp_path / "clinic.pt"), {**RECORD, "cautions": [own]}, {}, False)
    assert "## Cautions recorded in these weights" in text
