"""The parsing-layout reader on the real sets in /work/shared/data."""

import numpy as np
import pytest

from models.data.parsing import ParsingDataset, fasseg_split
from models.errors import InputError
from models.labels import CLASS_INDEX, CLASSES, IGNORE_INDEX, NUM_CLASSES
from models.train.losses import LabelSpace
from models.train.sources import load_parsing_source


def test_fasseg_mapping_and_inverse(shared_data):
    ds = ParsingDataset.open(shared_data / "fasseg")
    allowed = ds.allowed_matrix()
    assert allowed.shape == (6, NUM_CLASSES)
    hair = ds.classes.index("hair")
    assert set(np.flatnonzero(allowed[hair])) == {CLASS_INDEX["hair"], CLASS_INDEX["left_brow"], CLASS_INDEX["right_brow"]}
    back = ds.project_to_dataset()
    assert back[CLASS_INDEX["right_eye"]] == ds.classes.index("eyes")
    assert back[CLASS_INDEX["inner_mouth"]] == ds.classes.index("mouth")
    assert back[CLASS_INDEX["left_brow"]] == hair


def test_lfw_splits_and_skin_covers_the_face_parts(shared_data):
    ds = ParsingDataset.open(shared_data / "lfw_parts")
    assert len(ds.split_names("train")) == 1500 and len(ds.split_names("val")) == 500
    back = ds.project_to_dataset()
    assert back[CLASS_INDEX["nose"]] == 1 and back[CLASS_INDEX["hair"]] == 2


def test_celebamask_cannot_be_scored_because_lists_overlap(shared_data):
    ds = ParsingDataset.open(shared_data / "celebamask_samples")
    assert ds.allowed_matrix().shape == (19, NUM_CLASSES)
    with pytest.raises(InputError, match="partition"):
        ds.project_to_dataset()


def test_fine_masks_keep_ignore_through_the_label_space(shared_data):
    ds = ParsingDataset.open(shared_data / "fasseg_fine")
    assert ds.classes == list(CLASSES) and all(ds.maps_to[c] == [c] for c in CLASSES)  # the project's own labels
    name = ds.split_names("train")[0]
    _, mask = ds.load(name)
    assert (mask == IGNORE_INDEX).any()
    source = load_parsing_source(ds, [name], LabelSpace(), long_side=10_000)
    np.testing.assert_array_equal(source.masks[0], mask)  # identity for the project label set


def test_coarse_masks_are_translated_into_the_label_space(shared_data):
    ds = ParsingDataset.open(shared_data / "fasseg")
    space = LabelSpace()
    name = ds.split_names("train")[0]
    _, mask = ds.load(name)
    translated = load_parsing_source(ds, [name], space, long_side=10_000).masks[0]
    eyes = translated[mask == ds.classes.index("eyes")]
    assert eyes.size and (eyes >= NUM_CLASSES).all()
    assert set(space.sets[int(eyes[0])]) == {CLASS_INDEX["left_eye"], CLASS_INDEX["right_eye"]}
    assert (translated[mask == ds.classes.index("skin")] == CLASS_INDEX["skin"]).all()


def test_fasseg_holdout_is_the_same_in_both_copies_and_by_person(shared_data):
    coarse = ParsingDataset.open(shared_data / "fasseg")
    fine = ParsingDataset.open(shared_data / "fasseg_fine")
    val = set(coarse.split_names("val"))
    assert len(val) == 29  # person 04 (26 photos) + three V2 frontal images
    assert not val & set(coarse.split_names("train"))
    assert not val & set(fine.split_names("train"))
    assert set(fine.split_names("val")) <= val
    assert {n for n in fine.split_names("val") if n.startswith("v2_")} == {"v2_train_03", "v2_train_08", "v2_train_13"}
    persons = lambda names: {n[11:13] for n in names if n.startswith("v3_")}  # noqa: E731
    assert persons(val) == {"04"} and "04" not in persons(coarse.split_names("train"))


def test_fasseg_split_rule_on_names():
    assert fasseg_split("v3_personne04110_panm15") == "val"
    assert fasseg_split("v3_personne05110_panm15") == "train"
    assert fasseg_split("v2_train_08") == "val"
    assert fasseg_split("v2_train_09") == "train"
    assert fasseg_split("aaron_eckhart_0001") is None


def test_missing_classes_json_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="classes.json"):
        ParsingDataset.open(tmp_path)


def _tiny_set(root, classes_json: bytes, splits_csv: bytes):
    from PIL import Image

    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for name in ("a", "b"):
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(root / "images" / f"{name}.png")
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(root / "masks" / f"{name}.png")
    (root / "classes.json").write_bytes(classes_json)
    (root / "splits.csv").write_bytes(splits_csv)
    return root


def test_files_saved_by_windows_tools_with_a_bom_are_read(tmp_path):
    bom = b"\xef\xbb\xbf"
    root = _tiny_set(tmp_path / "set", bom + b'{"classes": ["background", "skin"]}', bom + b"name,split\r\na,train\r\nb,val\r\n")
    data = ParsingDataset.open(root)
    assert data.splits == {"a": "train", "b": "val"}


def test_bad_splits_csv_is_a_clear_error(tmp_path):
    spec = b'{"classes": ["background", "skin"]}'
    with pytest.raises(InputError, match=r"line 1: lacks the columns \[.split.\]; expected name,split; separate its columns "
                                         r"with commas or with semicolons, not both"):
        ParsingDataset.open(_tiny_set(tmp_path / "mixed", spec, b"name,kind;split\na,b;train\n"))
    with pytest.raises(InputError, match="not UTF-8.*CSV UTF-8"):
        ParsingDataset.open(_tiny_set(tmp_path / "latin", spec, "name,split\nMüller,train\n".encode("cp1252")))
