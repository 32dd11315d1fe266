"""The model card's "confidence" column is the macro precision (the paper's name for it), while
the app's "low network confidence" is the network's top probability: the card's tables say which,
and the shipped card says how low the top probability runs, so that the flag on nearly every grade
I-IV result does not read as a contradiction of the card."""

from __future__ import annotations

from pathlib import Path

from models.checkpoint import read_checkpoint
from models.resources import default_weights_path, weights_dir
from models.train.card import write_card

LABELLED = "| accuracy | recall | confidence (precision) | Dice | quadratic kappa | within one |"


def _card_from_the_shipped_record(path: Path) -> str:
    """A card written from the shipped checkpoint's own training record and metrics (the run's
    wall times and the comparison arms, which the checkpoint does not keep, filled in)."""
    payload = read_checkpoint(default_weights_path())
    training, metrics = payload["training"], payload["metrics"]
    arm = {"steps": 10, "patient_level": metrics["synthetic_grading_patient"],
           "photo_level": metrics["synthetic_grading_photo"]}
    state = {**training, "metrics": metrics, "render": {"seconds": 89.0}, "compare_cascaded": arm, "compare_end_to_end": arm}
    write_card(path, {"recipe": training["recipe"], "state": state, "sha256": "0" * 64, "size_mb": 12.35,
                      "meta_config": payload["config"], "run_wall_s": 60.0, "training_wall_s": 60.0,
                      "precision": training["precision"], "machine": training["machine"]})
    return path.read_text(encoding="utf-8")


def test_written_cards_label_the_confidence_column_as_the_precision(tmp_path: Path) -> None:
    card = _card_from_the_shipped_record(tmp_path / "card.md")
    assert card.count(LABELLED) == 2  # the held-out table and the cascaded / end-to-end one
    assert "| confidence |" not in card


def test_the_shipped_card_labels_the_precision_and_states_the_top_probability() -> None:
    card = (weights_dir() / "demo_compact.md").read_text(encoding="utf-8")
    assert card.count(LABELLED) == 2 and "| confidence |" not in card
    assert "the network's probability for its grade (its top probability, shown beside the network grade on the " \
           "results page and in the report) is about 0.25-0.35 for grades I-IV" in card
    assert 'nearly always flagged "Low network confidence"' in card
