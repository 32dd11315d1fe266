"""scripts/holdout_data.py: the held-out parts of the parsing sets, copied alone, score as the originals."""

from __future__ import annotations

import json

from models.data.parsing import ParsingDataset
from tests.scripts import load_script


def _script():
    return load_script("scripts/holdout_data.py")


def test_copies_each_sets_held_out_part_and_nothing_else(shared_data, tmp_path, capsys) -> None:
    dest = tmp_path / "holdout"
    assert _script().main([str(shared_data), str(dest)]) == 0
    copied = json.loads(capsys.readouterr().out)
    assert set(copied) == {"fasseg", "fasseg_fine", "lfw_parts", "lfw_parts_fine"}  # CelebAMask samples have no val part
    for name, count in copied.items():
        source, copy = ParsingDataset.open(shared_data / name), ParsingDataset.open(dest / name)
        assert copy.split_names("val") == source.split_names("val") and len(source.split_names("val")) == count > 0
        assert copy.split_names("train") == []  # no training photo travels
        assert (copy.classes, copy.maps_to) == (source.classes, source.maps_to)
        first = source.split_names("val")[0]
        assert all((a == b).all() for a, b in zip(copy.load(first), source.load(first), strict=True))
    assert copied["fasseg"] == 29 and copied["lfw_parts"] == 500  # the hold-outs the model card scores
