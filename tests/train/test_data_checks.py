"""Data-set mistakes are refused with one line naming the file, row or key, in training as in
evaluation: classes.json (ignore_index, maps_to keys, duplicate classes, empty lists), mask
values outside classes.json, splits.csv values, patients listed without photos or with an id
that is not a plain folder name; masks are found whatever their case, as photos are; small
patient sets get a patient in every automatic split."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli import main
from models.data.parsing import ParsingDataset
from models.data.patients import PatientDataset, assign_splits, fill_empty_splits
from models.errors import InputError
from models.train.losses import LabelSpace
from models.train.sources import (
    load_grading_source,
    load_parsing_source,
    load_patient_parsing_source,
)
from models.train.stages import DataSpec, build_parsing_sources

from .conftest import draw_patients

pytestmark = pytest.mark.usefixtures("one_thread")

FACE = ["skin", "left_brow", "right_brow", "left_eye", "right_eye", "nose", "upper_lip", "inner_mouth", "lower_lip"]
LFW_LIKE = {"classes": ["background", "skin", "hair"],
            "maps_to": {"background": ["background"], "skin": FACE, "hair": ["hair"]}, "ignore_index": 255}


def _parsing_set(root: Path, spec: dict | None = None, names: tuple[str, ...] = ("a", "b", "c"),
                 image_ext: str = ".jpg", mask_names: tuple[str, ...] | None = None, value: int = 1) -> Path:
    """A 3-class set of 16-px photos whose masks hold 0, `value` and 2."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for name, mask_name in zip(names, mask_names or tuple(f"{n}.png" for n in names), strict=True):
        cv2.imwrite(str(root / "images" / f"{name}{image_ext}"), np.full((16, 16, 3), 120, np.uint8))
        mask = np.zeros((16, 16), np.uint8)
        mask[4:8] = value
        mask[12:] = 2
        cv2.imwrite(str(root / "masks" / mask_name), mask)
    (root / "classes.json").write_text(json.dumps(LFW_LIKE if spec is None else spec))
    return root


def _one_line_refusal(root: Path, capsys, *needles: str) -> None:
    """`palsy train parsing` on `root` exits 2 with one line holding every needle, before a step."""
    out = root.parent / f"{root.name}.pt"
    assert main(["train", "parsing", "--data", str(root), "--input-size", "32", "--epochs", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err
    assert not out.exists()


# --- classes.json: ignore_index (defect 2) ----------------------------------------------------

@pytest.mark.parametrize("value", ["abc", 300, -1, 1.5, True, None])
def test_an_ignore_index_that_is_not_an_integer_0_to_255_is_refused(tmp_path, capsys, value):
    # "abc" was a ValueError traceback, 300 an IndexError, -1 silently ignored pixels of value 255
    root = _parsing_set(tmp_path / "s", {**LFW_LIKE, "ignore_index": value})
    with pytest.raises(InputError, match=r"classes\.json: ignore_index .* is not an integer from 0 to 255"):
        ParsingDataset.open(root)
    _one_line_refusal(root, capsys, "classes.json", "ignore_index")


def test_an_ignore_index_that_is_a_class_index_is_refused(tmp_path):
    root = _parsing_set(tmp_path / "s", {**LFW_LIKE, "ignore_index": 1})
    with pytest.raises(InputError, match="ignore_index 1 is the index of class 'skin'"):
        ParsingDataset.open(root)


def test_a_valid_own_ignore_index_still_trains(tmp_path):
    root = _parsing_set(tmp_path / "s", {**LFW_LIKE, "ignore_index": 100}, value=100)
    data = ParsingDataset.open(root)
    assert data.ignore_index == 100
    mask = load_parsing_source(data, data.names, LabelSpace(), 64).masks[0]
    assert (mask[4:8] == 255).all()  # the set's ignore value is the project's


# --- classes.json: maps_to and classes (defect 3) ----------------------------------------------

def test_a_maps_to_key_that_is_not_a_class_is_refused_with_a_hint(tmp_path, capsys):
    spec = json.loads(json.dumps(LFW_LIKE))
    spec["maps_to"]["skn"] = spec["maps_to"].pop("skin")  # the typo used to train LFW skin as pure skin
    root = _parsing_set(tmp_path / "s", spec)
    with pytest.raises(InputError, match=r"maps_to key 'skn' is not one of its classes .*did you mean 'skin'"):
        ParsingDataset.open(root)
    _one_line_refusal(root, capsys, "classes.json", "'skn'")


def test_a_class_listed_twice_is_refused(tmp_path):
    root = _parsing_set(tmp_path / "s", {**LFW_LIKE, "classes": ["background", "skin", "skin"]})
    with pytest.raises(InputError, match="class 'skin' is listed twice"):
        ParsingDataset.open(root)


def test_an_empty_maps_to_list_is_refused(tmp_path, capsys):
    spec = json.loads(json.dumps(LFW_LIKE))
    spec["maps_to"]["skin"] = []
    root = _parsing_set(tmp_path / "s", spec)
    with pytest.raises(InputError, match=r"maps_to\['skin'\] is an empty list"):
        ParsingDataset.open(root)
    _one_line_refusal(root, capsys, "'skin'", "empty list")


def test_a_maps_to_value_that_is_not_a_list_is_refused(tmp_path):
    spec = json.loads(json.dumps(LFW_LIKE))
    spec["maps_to"]["skin"] = "skin"  # read as ['s', 'k', 'i', 'n'] before
    with pytest.raises(InputError, match=r"maps_to\['skin'\] must be a list of project class names"):
        ParsingDataset.open(_parsing_set(tmp_path / "s", spec))


# --- mask values outside classes.json (defect 4) -----------------------------------------------

def test_a_mask_value_outside_the_classes_is_refused_in_training_as_in_evaluation(tmp_path, tiny_weights, capsys):
    root = _parsing_set(tmp_path / "s")
    first = root / "masks" / "a.png"
    mask = cv2.imread(str(first), cv2.IMREAD_UNCHANGED)
    mask[0, 0] = 7  # trained as "ignore" before, refused by evaluate
    cv2.imwrite(str(first), mask)
    with pytest.raises(InputError, match=r"a\.png: mask value 7 is not a class of this set \(0\.\.2, 255 = ignore\)"):
        build_parsing_sources([DataSpec(root)], 64)
    _one_line_refusal(root, capsys, str(first), "mask value 7")
    assert main(["evaluate", "parsing", "--data", str(root), "--weights", str(tiny_weights), "--split", "all"]) == 2
    assert "mask value 7 is not a class of this set" in capsys.readouterr().err


# --- splits.csv (defect 5) ---------------------------------------------------------------------

def test_split_names_are_read_whatever_their_case_and_spaces(tmp_path):
    root = _parsing_set(tmp_path / "s")
    (root / "splits.csv").write_text("Name , Split\na, Train \nb,VAL\nc,test\n")
    data = ParsingDataset.open(root)
    assert data.split_names("train") == ["a"] and data.split_names("val") == ["b"] and data.split_names("test") == ["c"]


def test_an_unknown_split_name_is_refused_naming_its_row(tmp_path, capsys):
    root = _parsing_set(tmp_path / "s")
    (root / "splits.csv").write_text("name,split\na,train\nb,validation\nc,train\n")  # `validation` left b out of training
    with pytest.raises(InputError, match=r"splits\.csv line 3: split 'validation' of 'b' is not one of train, val, test"):
        ParsingDataset.open(root)
    _one_line_refusal(root, capsys, "splits.csv line 3", "'validation'")


# --- patients without photos, patient ids that are not folder names (defect 6) ---------------

def _with_row(root: Path, row: str) -> Path:
    with (root / "labels.csv").open("a", newline="") as handle:
        handle.write(row + "\n")
    return root


def test_a_listed_patient_without_a_folder_is_refused_by_training_and_evaluation(tmp_path, tiny_weights, capsys):
    root = _with_row(draw_patients(tmp_path / "p", 6, seed=3), "ghost_01,III,left")
    dataset = PatientDataset(root)
    message = r"1 patient\(s\) of .*labels\.csv have no expression photos, first ghost_01"
    with pytest.raises(InputError, match=message):
        load_grading_source(dataset, dataset.patient_ids("all"), 64)
    with pytest.raises(InputError, match=message):
        load_patient_parsing_source(dataset, dataset.patient_ids("all"), 64)
    for argv in (["evaluate", "grading", "--data", str(root), "--weights", str(tiny_weights)],
                 ["evaluate", "parsing", "--data", str(root), "--weights", str(tiny_weights)],
                 ["train", "parsing", "--data", str(root), "--epochs", "1", "--out", str(tmp_path / "x.pt")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "first ghost_01" in err, err


@pytest.mark.parametrize("pid", ["../outside", "sub/p1", "sub\\p1", "..", "."])
def test_a_patient_id_that_is_not_a_plain_folder_name_is_refused(tmp_path, pid):
    root = _with_row(draw_patients(tmp_path / "p", 2, seed=3), f"{pid},III,left")
    with pytest.raises(InputError, match=r"line 4: patient_id .* is not a plain folder name"):
        PatientDataset(root)


def test_a_patient_id_outside_the_root_is_never_followed(tmp_path):
    draw_patients(tmp_path / "other", 1, seed=4)  # a real patient folder beside the set
    root = draw_patients(tmp_path / "p", 2, seed=3)
    _with_row(root, "../other/p004_000,III,left")
    with pytest.raises(InputError, match="not a plain folder name"):
        PatientDataset(root)


# --- case of mask names (defect 7) -------------------------------------------------------------

def test_parsing_masks_are_found_whatever_the_case_of_stem_and_extension(tmp_path):
    root = _parsing_set(tmp_path / "s", names=("REST", "Open", "x"), image_ext=".JPG",
                        mask_names=("rest.png", "OPEN.PNG", "x.PNG"))
    data = ParsingDataset.open(root)
    assert data.names == ["Open", "REST", "x"]
    assert data.mask_path("REST").name == "rest.png" and data.mask_path("Open").name == "OPEN.PNG"
    assert data.load("x")[1].shape == (16, 16)


def test_a_set_without_masks_names_a_photo_without_one(tmp_path):
    root = _parsing_set(tmp_path / "s", mask_names=("a.jpg", "b.jpg", "c.jpg"))  # masks saved as JPEG
    with pytest.raises(InputError, match=r"holds no image/mask pairs \(images/a\.jpg has no masks/a\.png"):
        ParsingDataset.open(root)


def test_patient_masks_are_found_whatever_their_case(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    folder = root / "p005_000"
    (folder / "rest.png").rename(folder / "REST.PNG")  # photo upper case, mask lower case
    (folder / "masks" / "open_mouth.png").rename(folder / "masks" / "OPEN_MOUTH.PNG")  # and the other way round
    photos = {expression: mask for expression, _, mask in PatientDataset(root).photos("p005_000")}
    assert photos["rest"] == folder / "masks" / "rest.png"
    assert photos["open_mouth"] == folder / "masks" / "OPEN_MOUTH.PNG"
    assert all(mask is not None for mask in photos.values())


# --- automatic split of small sets (defect 10) -------------------------------------------------

@pytest.mark.parametrize("grades", [[0, 0, 1, 1, 2, 2], [1, 1, 1, 2, 2, 2], [0, 1, 2], [4, 5, 4], [0, 0, 0, 0, 0]])
def test_small_sets_get_a_patient_in_every_split(grades):
    splits = assign_splits({f"p{i}": g for i, g in enumerate(grades)})
    assert set(splits.values()) == {"train", "val", "test"}
    assert splits == assign_splits({f"p{i}": g for i, g in enumerate(grades)})  # deterministic


def test_large_sets_keep_the_two_thirds_one_sixth_proportions():
    grades = {f"p{i:03d}": i % 6 for i in range(600)}
    assert Counter(assign_splits(grades).values()) == {"train": 400, "val": 100, "test": 100}
    assert Counter(assign_splits({f"p{i}": i % 6 for i in range(18)}).values()) == {"train": 12, "val": 3, "test": 3}


def test_fill_empty_splits_leaves_full_and_tiny_sets_alone():
    full = {"a": "train", "b": "val", "c": "test", "d": "train"}
    assert fill_empty_splits(full, dict.fromkeys(full, 0), order=str) == full
    assert fill_empty_splits({"a": "train", "b": "train"}, {"a": 0, "b": 1}, order=str) == {"a": "train", "b": "train"}


def test_a_small_patient_set_without_a_split_column_has_test_patients(tmp_path):
    root = draw_patients(tmp_path / "p", 6, seed=6)
    rows = list(csv.DictReader((root / "labels.csv").open()))
    for row, grade in zip(rows, ["I", "I", "II", "II", "III", "III"], strict=True):  # 6 / 0 / 0 by the cycle alone
        row["grade"] = grade
    with (root / "labels.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    dataset = PatientDataset(root)
    assert all(dataset.patient_ids(split) for split in ("train", "val", "test"))
