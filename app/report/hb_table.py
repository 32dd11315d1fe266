"""The House-Brackmann grading system as printed in Wang et al. 2019, Table 1."""

from __future__ import annotations

# (grade, description, gross, at rest, motion)
HB_TABLE: tuple[tuple[str, str, str, str, str], ...] = (
    ("I", "Normal", "Normal.", "Symmetry.", "Normal facial function"),
    (
        "II", "Slight dysfunction",
        "Slight weakness noticeable on close inspection; may have very slight synkinesis.",
        "Normal symmetry and tone.",
        "Forehead - moderate to good function; Eye - complete closure with minimum effort; Mouth - slight asymmetry.",
    ),
    (
        "III", "Moderate dysfunction",
        "Obvious but not disfiguring difference between two sides; noticeable but not severe synkinesis, "
        "contracture, and/or hemi-facial spasm.",
        "Normal symmetry and tone.",
        "Forehead - slight to moderate movement; Eye - complete closure with effort; Mouth - slightly weak with maximum effort.",
    ),
    (
        "IV", "Moderately severe dysfunction",
        "Obvious weakness and/or disfiguring asymmetry.",
        "Normal symmetry and tone.",
        "Forehead - none; Eye - incomplete closure; Mouth - asymmetric with maximum effort.",
    ),
    (
        "V", "Severe dysfunction",
        "Only barely perceptible motion.",
        "Asymmetry.",
        "Forehead - none; Eye - incomplete closure; Mouth - slight movement.",
    ),
    ("VI", "Total paralysis", "No perceptible motion.", "Asymmetry.", "No movement"),
)
