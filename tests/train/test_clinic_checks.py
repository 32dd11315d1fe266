"""`palsy train clinic` on a messy clinic folder: damaged files found before any training, no
weights file before its figures and card, held-out patients re-scored rather than retrained,
what is left out said once and listed, the card's counts, intervals and warnings, the val
split scored, clinic stage files refused for grading (and scored by `palsy evaluate`)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import unicodedata
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

import models.train.clinic as clinic
from app.cli import main
from models.cascade import build_model
from models.checkpoint import save_checkpoint, sha256_of
from models.config import get_config
from models.data.patients import PatientDataset
from models.errors import CheckpointError, InputError
from models.pipeline.loader import clear_model_cache, load_model
from models.train.card import wilson_interval
from models.train.clinic import ClinicRecipe, run_clinic
from tests.train.conftest import draw_patients, whole_photo_preparation

pytestmark = pytest.mark.usefixtures("one_thread")
CPU = torch.device("cpu")


def _split_ids(root: Path, split: str) -> list[str]:
    return PatientDataset(root).patient_ids(split)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_damaged_photos_of_any_split_are_all_named_before_any_training(tiny_patients, tiny_weights, tmp_path):
    data = _copy(tiny_patients, tmp_path / "data")
    test_pid, val_pid = _split_ids(data, "test")[0], _split_ids(data, "val")[0]
    (data / test_pid / "open_mouth.png").write_bytes(b"")  # an interrupted copy
    whole = (data / val_pid / "rest.png").read_bytes()
    (data / val_pid / "rest.png").write_bytes(whole[: len(whole) // 2])  # truncated
    Image.open(data / test_pid / "rest.png").resize((40, 40)).save(data / test_pid / "rest.png")  # a thumbnail
    work = tmp_path / "run"
    with pytest.raises(InputError) as caught:
        run_clinic(ClinicRecipe(patients=str(data), init=str(tiny_weights), work=str(work), steps=1, batch_size=2), CPU)
    message = str(caught.value)
    assert message.startswith(f"3 of the 108 photos of {data} (or their masks) cannot be used: ") and "\n" not in message
    for words in ("open_mouth.png is an empty file", f"{val_pid}/rest.png is damaged or truncated", "too small (40 x 40"):
        assert words in message, message
    assert not (work / "stage1.pt").exists() and not (work / "stage2.pt").exists()  # nothing trained


def test_more_than_three_bad_files_are_counted(tiny_patients):
    for pid in _split_ids(tiny_patients, "test"):
        (tiny_patients / pid / "rest.png").write_bytes(b"")
        (tiny_patients / pid / "close_eyes.png").write_bytes(b"")
    with pytest.raises(InputError, match=r"^6 of the 108 photos .*; and 3 more; fix or remove them"):
        PatientDataset(tiny_patients).check_files()


def test_a_mask_of_another_size_is_refused_naming_both_sizes(tiny_patients):
    from models.train.evaluation import evaluate_parsing
    from models.train.sources import load_patient_parsing_source

    pid = _split_ids(tiny_patients, "train")[0]
    mask_path = tiny_patients / pid / "masks" / "rest.png"
    cv2.imwrite(str(mask_path), cv2.resize(cv2.imread(str(mask_path), cv2.IMREAD_UNCHANGED), (32, 32),
                                           interpolation=cv2.INTER_NEAREST))
    dataset = PatientDataset(tiny_patients)
    expected = rf"{mask_path} is 32 x 32 pixels but its photo {tiny_patients / pid / 'rest.png'} is 64 x 64 .*EXIF"
    with pytest.raises(InputError, match=expected):
        dataset.check_files()
    with pytest.raises(InputError, match=expected):
        load_patient_parsing_source(dataset, [pid], 64)
    model = build_model(get_config("compact").with_input_size(64), seed=0)
    with pytest.raises(InputError, match=expected):
        evaluate_parsing(model, tiny_patients, "train", CPU)


def test_patient_photos_are_read_as_palsy_assess_reads_them(tiny_patients):
    from models.train.sources import load_grading_source

    pid = _split_ids(tiny_patients, "train")[0]
    folder = tiny_patients / pid
    # transparent background: composited over white as `palsy assess` does (cv2 gave black)
    rgb = np.asarray(Image.open(folder / "rest.png").convert("RGB")).copy()
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    alpha[:, :8] = 0
    rgb[:, :8] = 0
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(folder / "rest.png")
    # .webp and .tif photos are patient photos, as they are for `palsy assess`
    for name, suffix in (("close_eyes", ".webp"), ("open_mouth", ".tif")):
        Image.open(folder / f"{name}.png").save(folder / f"{name}{suffix}", **({"lossless": True} if suffix == ".webp" else {}))
        (folder / f"{name}.png").unlink()
    dataset = PatientDataset(tiny_patients)
    names = sorted(path.name for _, path, _ in dataset.photos(pid))
    assert "close_eyes.webp" in names and "open_mouth.tif" in names and len(names) == 6
    source = load_grading_source(dataset, [pid], 64)
    rest = source.images[[path.name for _, path, _ in dataset.photos(pid)].index("rest.png")]
    assert (rest[:, :8] == 255).all()
    # a thumbnail is refused by training as `palsy assess` refuses it
    Image.open(folder / "wrinkle_nose.png").resize((40, 40)).save(folder / "wrinkle_nose.png")
    with pytest.raises(InputError, match="too small"):
        load_grading_source(PatientDataset(tiny_patients), [pid], 64)


def test_an_exif_rotated_photo_stays_aligned_with_its_mask(tmp_path):
    """A phone's portrait JPEG is stored sideways with an orientation tag; its mask is drawn on
    the upright view. Read upright (as cv2 did and `palsy assess` does), labels land on the face."""
    from models.data.patients import read_labelled_photo

    upright = np.zeros((96, 64, 3), np.uint8)  # taller than wide
    upright[10:30, 20:44] = 255  # a bright block near the top
    mask = np.zeros((96, 64), np.uint8)
    mask[10:30, 20:44] = 2
    stored = Image.fromarray(upright).transpose(Image.Transpose.ROTATE_90)  # sideways, 96 wide
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 clockwise to show
    stored.save(tmp_path / "rest.jpg", quality=95, exif=exif.tobytes())
    cv2.imwrite(str(tmp_path / "mask.png"), mask)
    image, read = read_labelled_photo(tmp_path / "rest.jpg", tmp_path / "mask.png")
    assert image.shape[:2] == read.shape == (96, 64)
    assert image[read == 2].mean() > 200 and image[read == 0].mean() < 40
    # the same mask against the photo without its tag: refused, saying width and height are swapped
    stored.save(tmp_path / "bare.jpg", quality=95)
    with pytest.raises(InputError, match="width and height swapped: the photo has an EXIF rotation tag"):
        read_labelled_photo(tmp_path / "bare.jpg", tmp_path / "mask.png")


def test_folders_are_matched_after_unicode_normalisation_and_stripping(tmp_path):
    root = draw_patients(tmp_path / "p", 6, seed=3)
    ids = PatientDataset(root).patient_ids()
    labels = (root / "labels.csv").read_text()
    for pid, name in zip(ids[:2], ("Müller Anna", "P-10"), strict=True):
        labels = labels.replace(pid, name)
    (root / "labels.csv").write_text(labels, encoding="utf-8")
    (root / ids[0]).rename(root / unicodedata.normalize("NFD", "Müller Anna"))  # as macOS writes it
    (root / ids[1]).rename(root / "P-10 ")  # a trailing space
    dataset = PatientDataset(root)
    dataset.check_photos()
    assert len(dataset.photos("Müller Anna")) == 6 and len(dataset.photos("P-10")) == 6
    assert dataset.ignored()["folders"] == []
    # a folder whose name differs more is named in the error
    (root / ids[2]).rename(root / (ids[2].upper() + "x"))
    with pytest.raises(InputError, match=rf"first {ids[2]} .*; a folder '{ids[2].upper()}x' is there: rename it"):
        PatientDataset(root).check_photos()


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory) -> dict:
    """One tiny clinic run (1 step a stage) on a folder with an unlabelled patient folder, a
    misnamed photo and a patient missing an expression; stdout and stderr captured."""
    root = tmp_path_factory.mktemp("messy")
    data = draw_patients(root / "data", 18, seed=1)
    shutil.copytree(data / "p001_000", data / "Unlabelled Patient")
    pid = PatientDataset(data).patient_ids("train")[0]
    (data / pid / "open_mouth.png").rename(data / pid / "open_mouth (1).png")
    (data / pid / "puff_cheeks.png").unlink()
    weights = root / "tiny.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), weights)
    out, err = io.StringIO(), io.StringIO()
    work = root / "run"
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.MonkeyPatch.context() as patch:
            patch.setattr(clinic, "clinic_preparation", whole_photo_preparation)
            results = run_clinic(ClinicRecipe(patients=str(data), init=str(weights), work=str(work), steps=1, batch_size=2), CPU)
    finally:
        torch.set_num_threads(before)
    return {"data": data, "pid": pid, "weights": weights, "work": work, "results": results, "out": out.getvalue(),
            "err": err.getvalue()}


def test_what_is_left_out_is_said_once_and_listed_on_the_card(messy_run):
    pid = messy_run["pid"]
    warnings = [line for line in messy_run["err"].splitlines() if line.startswith("palsy: warning: left out")]
    assert warnings == [
        f"palsy: warning: left out of the run: 1 folder (Unlabelled Patient) without a row in labels.csv; 1 file "
        f"({pid}/open_mouth (1).png) not named as an expression photo (rest, close_eyes, raise_eyebrows, open_mouth, "
        f"wrinkle_nose, puff_cheeks; .jpg, .png, ...)"]
    # the patient missing photos is kept: the line must not read as if it were dropped
    assert (f"palsy: warning: 2 expression photos missing ({pid}: open_mouth, puff_cheeks; patients kept, trained "
            "and scored on the photos they have)") in messy_run["err"].splitlines()
    card = (messy_run["work"] / "clinic.md").read_text()
    assert "## Left out of this run" in card
    assert "- Folders without a row in labels.csv (1): `Unlabelled Patient`." in card
    assert f"- Files not named as an expression photo (1): `{pid}/open_mouth (1).png`." in card
    assert f"(trained and scored on the others) (1): `{pid}: open_mouth, puff_cheeks`." in card


def test_the_card_gives_counts_intervals_start_sha_and_warnings(messy_run):
    card = (messy_run["work"] / "clinic.md").read_text()
    metrics = json.loads((messy_run["work"] / "metrics.json").read_text())
    n, correct = 3, int(np.trace(np.array(metrics["grading"]["patient"]["confusion"])))
    low, high = wilson_interval(correct, n)
    assert f"| network, per patient | 3 patients | {correct / n:.3f} ({low:.2f}-{high:.2f}) |" in card
    assert "| network, per photo | 18 photos |" in card
    assert f"Started from: {messy_run['weights']} (sha256 `{sha256_of(messy_run['weights'])}`)." in card
    assert "**Warning: very short training** (stage 1 1 step, stage 2 1 step; fewer than 200)" in card
    grades = messy_run["results"]["grades"]
    missing = [g for g, k in grades["test"].items() if not k]
    assert missing and f"The test split has no patient of grade {', '.join(missing)}" in card
    assert f"The test split has no patient of grade {', '.join(missing)}" in messy_run["err"]


def test_wilson_interval():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(3, 3)
    assert high == 1.0 and abs(low - 0.4385) < 1e-3  # the textbook value for 3 of 3
    low, high = wilson_interval(5, 10)
    assert abs(low - 0.2366) < 1e-3 and abs(high - 0.7634) < 1e-3


def test_the_val_patients_are_scored_and_reported(messy_run):
    metrics = json.loads((messy_run["work"] / "metrics.json").read_text())
    assert metrics["split"] == "test" and sum(map(sum, metrics["grading"]["patient"]["confusion"])) == 3
    val = metrics["val"]
    assert val["patients"] == 3 and sum(map(sum, val["grading"]["patient"]["confusion"])) == 3 and "parsing" in val
    card = (messy_run["work"] / "clinic.md").read_text()
    assert "## Validation patients (`palsy evaluate grading --split val`)" in card
    assert card.index("## Test patients") < card.index("## Validation patients")
    assert "The val patients are used for nothing during training" in card


def test_stages_end_with_their_loss_and_scoring_is_said_and_logged(messy_run):
    err, out = messy_run["err"], messy_run["out"]
    assert any(line.startswith("[parsing] step 1 100.0% loss=") and " lr=" in line for line in err.splitlines()), err
    assert any(line.startswith("[grading] step 1 100.0% loss=") for line in err.splitlines()), err
    assert "scoring the 3 test patients (18 photos)" in out and "scoring the 3 val patients" in out
    events = [json.loads(line) for line in (messy_run["work"] / "scoring.jsonl").read_text().splitlines()]
    assert [(e["event"], e["split"]) for e in events] == [("scoring", "test"), ("scored", "test"), ("scoring", "val"),
                                                          ("scored", "val")]
    assert not (messy_run["work"] / "scoring.pt").exists()


def test_a_clinic_stage_file_is_refused_for_grading(messy_run):
    clear_model_cache()
    work = messy_run["work"]
    for name in ("stage1.pt", "stage2.pt"):
        with pytest.raises(CheckpointError, match=rf"intermediate stage of a `palsy train clinic` run.*use {work / 'clinic.pt'}"):
            load_model(work / name, "cpu")
    assert load_model(work / "clinic.pt", "cpu").model is not None
    clear_model_cache()


def test_palsy_evaluate_scores_a_clinic_stage_file(messy_run, capsys):
    """Scoring an interrupted run's stage is a measurement: `palsy evaluate` reads it, saying what it is."""
    work, stage = messy_run["work"], messy_run["work"] / "stage2.pt"
    assert main(["evaluate", "grading", "--data", str(messy_run["data"]), "--weights", str(stage), "--json",
                 "--split", "test"]) == 0
    captured = capsys.readouterr()
    assert sum(map(sum, json.loads(captured.out)["confusion"])) == 3
    assert captured.err.strip() == (f"note: {stage} is an intermediate stage of the `palsy train clinic` run in "
                                    f"{work}: these figures are of that stage, not of {work / 'clinic.pt'}")
    # stage 1 of this run started from an untrained E2: still refused as face parsing only
    assert main(["evaluate", "grading", "--data", str(messy_run["data"]), "--weights", str(work / "stage1.pt")]) == 2
    assert "holds face parsing only" in capsys.readouterr().err


def test_no_weights_file_before_its_figures_and_card(tiny_patients, tiny_weights, tmp_path, monkeypatch):
    work = tmp_path / "run"
    recipe = ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=1, batch_size=2)

    def broken(*args, **kwargs):
        raise InputError("a photo went missing while scoring")

    monkeypatch.setattr(clinic, "grading_reports", broken)
    with pytest.raises(InputError, match="went missing"):
        run_clinic(recipe, CPU)
    assert not (work / "clinic.pt").exists() and not (work / "scoring.pt").exists()
    events = [json.loads(line) for line in (work / "scoring.jsonl").read_text().splitlines()]
    assert events[-1]["event"] == "scoring_failed" and "went missing" in events[-1]["error"]
    monkeypatch.undo()

    def no_card(results):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(clinic, "clinic_card", no_card)
    with pytest.raises(OSError):
        run_clinic(recipe, CPU)
    assert not (work / "clinic.pt").exists()
    monkeypatch.undo()
    results = run_clinic(recipe, CPU)
    assert results["sha256"] == sha256_of(work / "clinic.pt") and not (work / "clinic.pt.partial").exists()


def test_a_corrected_test_photo_is_scored_again_not_retrained(tiny_patients, tiny_weights, tmp_path):
    work = tmp_path / "run"
    recipe = ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=1, batch_size=2)
    run_clinic(recipe, CPU)
    stage2 = (work / "stage2.pt").stat().st_mtime_ns
    trained = json.loads((work / "state.json").read_text())["stage2"]
    photo = tiny_patients / _split_ids(tiny_patients, "test")[0] / "rest.png"
    cv2.imwrite(str(photo), cv2.imread(str(photo)), [cv2.IMWRITE_PNG_COMPRESSION, 0])  # same pixels, another size
    again = run_clinic(recipe, CPU)
    assert (work / "stage2.pt").stat().st_mtime_ns == stage2 and json.loads((work / "state.json").read_text())["stage2"] == trained
    events = [json.loads(line)["event"] for line in (work / "scoring.jsonl").read_text().splitlines()]
    assert events.count("scored") == 4  # test and val, twice
    assert again["sha256"] == sha256_of(work / "clinic.pt")
    # a changed training photo still refuses the folder: the stages were trained on the old one
    photo = tiny_patients / _split_ids(tiny_patients, "train")[0] / "rest.png"
    cv2.imwrite(str(photo), cv2.imread(str(photo)), [cv2.IMWRITE_PNG_COMPRESSION, 0])
    with pytest.raises(InputError, match="the training patients in .* changed since this run started"):
        run_clinic(recipe, CPU)


def test_out_on_a_file_says_a_file_is_in_the_way(tiny_patients, tiny_weights, tmp_path, capsys):
    afile = tmp_path / "a_file"
    afile.write_text("")
    argv = ["train", "clinic", "--data", str(tiny_patients), "--init", str(tiny_weights), "--minutes", "0.02",
            "--batch-size", "2", "--out", str(afile)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("palsy: error: File exists") and "choose another path" in err[-1]
    assert "free space" not in err[-1]


def test_evaluate_json_over_the_whole_set_says_so_on_stderr(tiny_patients, tiny_weights, capsys):
    assert main(["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--json"]) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)  # stdout stays pure JSON
    assert captured.err.strip() == ("scored 18 patients: every patient of the set, training patients included "
                                    "(--split test: the held-out ones)")
    assert main(["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--json",
                 "--split", "test"]) == 0
    assert capsys.readouterr().err == ""
