"""`palsy evaluate`: the JSON says what it scored, a set's own background name is left out of
the means, and an empty split is named plainly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from app.cli import main
from models.checkpoint import load_checkpoint
from models.data.patients import PatientDataset
from models.errors import InputError
from models.train.evaluation import evaluate_parsing, grade_photos

pytestmark = pytest.mark.usefixtures("one_thread")


def test_grading_json_names_the_split_and_the_patients(tiny_patients, tiny_weights, capsys):
    base = ["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--json"]
    assert main(base) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert (report["split"], report["n"]) == ("all", 18)  # "auto": every patient, training ones included
    assert "scored 18 patients: every patient of the set, training patients included" in captured.err
    assert main(base + ["--split", "test"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["split"], report["n"]) == ("test", 3) and sum(map(sum, report["confusion"])) == 3
    assert main(base + ["--level", "photo"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["split"], report["n"]) == ("all", 18) and sum(map(sum, report["confusion"])) == 18 * 6


def test_parsing_json_names_the_split_and_the_images(tiny_patients, tiny_weights, shared_data, capsys):
    assert main(["evaluate", "parsing", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert (report["split"], report["n"]) == ("all", 18 * 6)
    assert captured.err.startswith("scored 108 photos: every photo with a mask, training patients included")
    data = _small_set(shared_data, tiny_patients.parent / "set", "background")
    assert main(["evaluate", "parsing", "--data", str(data), "--weights", str(tiny_weights), "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert (report["split"], report["n"]) == ("val", 1)  # "auto" took the set's val part
    assert captured.err.startswith("scored 1 image: the val split")


def _small_set(shared_data: Path, out: Path, background: str) -> Path:
    """Three FASSEG photos whose class 0 is called `background` (mapped to the project's background)."""
    source = shared_data / "fasseg"
    for sub in ("images", "masks"):
        (out / sub).mkdir(parents=True)
    for name in ("v2_train_01", "v2_train_02", "v2_train_03"):
        shutil.copy(source / "images" / f"{name}.jpg", out / "images")
        shutil.copy(source / "masks" / f"{name}.png", out / "masks")
    spec = json.loads((source / "classes.json").read_text())
    spec["classes"][0] = background
    spec["maps_to"][background] = spec["maps_to"].pop("background")
    (out / "classes.json").write_text(json.dumps(spec))
    return out


def test_a_sets_own_background_name_is_left_out_of_the_means(tiny_weights, shared_data, tmp_path):
    # a class 0 called "bg" (maps_to ["background"]) was counted in mean F1 and mIoU
    model, _ = load_checkpoint(tiny_weights)
    usual = evaluate_parsing(model, _small_set(shared_data, tmp_path / "a", "background"), "all")
    renamed = evaluate_parsing(model, _small_set(shared_data, tmp_path / "b", "bg"), "all")
    assert renamed["classes"]["bg"] == usual["classes"]["background"]
    assert renamed["mean_f1"] == usual["mean_f1"] and renamed["miou"] == usual["miou"]
    others = [v["f1"] for k, v in usual["classes"].items() if k != "background"]
    assert usual["mean_f1"] == pytest.approx(sum(others) / len(others))


def test_an_empty_split_is_named_in_plain_words(tiny_patients, tiny_weights):
    model, _ = load_checkpoint(tiny_weights)
    for masks in tiny_patients.glob("*/masks"):
        shutil.rmtree(masks)
    with pytest.raises(InputError, match="no photos with masks in the split 'all'") as caught:
        evaluate_parsing(model, tiny_patients, "all")
    assert "no all photos" not in str(caught.value)
    patients = PatientDataset(tiny_patients)
    with pytest.raises(InputError, match="no patients with expression photos in the split 'test'"):
        grade_photos(model, [], patients, "test", torch.device("cpu"))


def test_evaluate_grades_a_mirrored_set_as_the_set(tiny_patients, tiny_weights, tmp_path):
    # `palsy evaluate` grades through `parse_and_grade`, as the app does: mirror-averaged E2
    import cv2

    mirrored = tmp_path / "mirrored"
    shutil.copytree(tiny_patients, mirrored)
    for photo in mirrored.glob("*/*.png"):  # the photos only: the grades do not read the masks
        cv2.imwrite(str(photo), cv2.imread(str(photo))[:, ::-1])
    model, _ = load_checkpoint(tiny_weights)
    with torch.no_grad():
        model.e2.classifier[-1].weight.mul_(300.0)  # spread the untrained E2's answers out
    graded = {}
    for root in (tiny_patients, mirrored):
        patients = PatientDataset(root)
        samples = patients.samples("test")
        graded[root] = [grade_photos(model, samples, patients, "test", torch.device("cpu"), mirror=m).probabilities
                        for m in (True, False)]
    assert torch.allclose(torch.from_numpy(graded[tiny_patients][0]), torch.from_numpy(graded[mirrored][0]), atol=1e-6)
    assert float(abs(graded[tiny_patients][1] - graded[mirrored][1]).max()) > 1e-4  # one pass: not alike
