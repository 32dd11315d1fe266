"""The model card names the network's top probability as the results page and the report show
it (its probability for its grade, beside the network grade) and the flag by its title: the card
said the app and the report call it "its confidence", which neither does."""

from __future__ import annotations

from models.pipeline.flag_wording import FLAG_TITLES
from models.resources import default_weights_path
from models.train.card import top_probability_sentence

NAMED = ("the network's probability for its grade (its top probability, shown beside the network grade on the "
         "results page and in the report) is ")
FLAG = f'"{FLAG_TITLES["low_confidence"]}"'

# 8 patients of grades I-IV, all below the threshold; 4 of grades V-VI, one below it
TOP = {"II": {"patients": 8, "min": 0.26, "max": 0.36, "flagged": 8},
       "V": {"patients": 4, "min": 0.45, "max": 0.7, "flagged": 1}}


def test_the_card_sentence_uses_the_windows_words() -> None:
    text = top_probability_sentence(TOP, "test patients")
    assert text == ("With these weights " + NAMED + "0.26-0.36 for grades I-IV (8 patients, all below the app's "
                    f"threshold of 0.50 for {FLAG}) and 0.45-0.70 for grades V-VI (4 patients, 1 below it) among "
                    f"the 12 test patients, so such results are mostly flagged {FLAG} (9 of 12).")
    assert "confidence)" not in text and "flagged low confidence" not in text


def test_the_shipped_card_says_the_same() -> None:
    card = default_weights_path().with_suffix(".md").read_text(encoding="utf-8")
    assert "call its confidence" not in card
    assert NAMED + "about 0.25-0.35 for grades I-IV" in card and f"nearly always flagged {FLAG}." in card
