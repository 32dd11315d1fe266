"""`palsy evaluate` warns when the weights may have trained on the patients it scores: their
record lists held-out patients as trained, or a clinic run made before the rare-grade split
rule finds patients moved by it (a lone grade V went val -> train; to refill the emptied test
split a grade I training patient went to test, and was scored as unseen)."""

from __future__ import annotations

from pathlib import Path

from models.data.patients import PatientDataset, held_out_seen, patient_digest


def _labels(root: Path, rows: list[tuple[str, str]]) -> PatientDataset:
    root.mkdir()
    (root / "labels.csv").write_text("patient_id,grade,side\n" + "".join(f"{p},{g},left\n" for p, g in rows))
    return PatientDataset(root)


def test_a_clinic_record_without_splits_is_warned_of_when_the_split_rule_moved_patients(tmp_path: Path) -> None:
    # five grade I, one V, one VI: V and VI now train, and a grade I training patient refills test
    rare = _labels(tmp_path / "rare", [(f"a{i}", "I") for i in range(5)] + [("v0", "V"), ("w0", "VI")])
    assert rare.moved_by_split_rule == ["a3"] and rare.patients["a3"].split in ("val", "test")
    assert rare.patients["v0"].split == rare.patients["w0"].split == "train"
    said = held_out_seen({"command": "palsy train clinic"}, rare)
    assert said is not None and "before the automatic split gave each grade a training patient" in said
    assert held_out_seen({"command": "palsy train demo"}, rare) is None  # not a clinic's run
    # ten grade I, one V, one VI: V and VI moved into train, no training patient held out
    into_train = _labels(tmp_path / "into", [(f"a{i}", "I") for i in range(10)] + [("v0", "V"), ("w0", "VI")])
    assert into_train.moved_by_split_rule == [] and held_out_seen({"command": "palsy train clinic"}, into_train) is None
    plain = _labels(tmp_path / "plain", [(f"p{i}", "I II III IV V VI".split()[i % 6]) for i in range(36)])
    assert plain.moved_by_split_rule == [] and held_out_seen({"command": "palsy train clinic"}, plain) is None


def test_a_record_listing_held_out_patients_as_trained_is_warned_of(tmp_path: Path) -> None:
    data = _labels(tmp_path / "d", [(f"p{i}", "I II III IV V VI".split()[i % 6]) for i in range(36)])
    training = {"command": "palsy train clinic", "splits": {"train": [patient_digest(p) for p in data.patient_ids("test")[:2]]}}
    said = held_out_seen(training, data)
    assert said is not None and "trained on 2 of this set's held-out patients (2 test)" in said
    own = {"splits": {"train": [patient_digest(p) for p in data.patient_ids("train")]}}
    assert held_out_seen(own, data) is None
