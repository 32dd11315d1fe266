"""The count-and-noun helper every message and card uses."""
from models.counted import counted


def test_one_is_singular_and_other_counts_plural():
    assert counted(1, "step") == "1 step"
    assert counted(0, "step") == "0 steps"
    assert counted(2, "patient") == "2 patients"
    assert counted(3, "person", "people") == "3 people"


def test_the_card_says_one_step_for_a_one_step_stage():
    from models.train.card import _polish_text

    text = _polish_text({"minutes": 0.1, "input_size": 64, "lr": 2.5e-4, "steps": 1, "elapsed_s": 3.0})
    assert "1 step in 3 s" in text
