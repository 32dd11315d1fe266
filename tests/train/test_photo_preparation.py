"""The photo preparation a checkpoint records (`models.train.face_prep`): the default letterbox
prepares photos exactly as before; "face_crop" trains and scores on the crop `palsy assess`
makes, leaves out (and names) the photos the app would refuse, and detects once per photo."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

import models.train.face_prep as face_prep
from app.cli import main
from models.cascade import build_model
from models.checkpoint import save_checkpoint
from models.config import get_config
from models.data.augment import fit_square
from models.data.patients import PatientDataset
from models.data.synthetic.dataset import write_patient_dataset
from models.errors import InputError
from models.pipeline.face import NoFaceError, crop_face
from models.train.decoded_photos import DecodedPhotos, Wanted, check_and_keep
from models.train.evaluation import evaluate_parsing, grading_reports
from models.train.face_prep import (
    FACE_CROP,
    LETTERBOX,
    RECORD_KEY,
    clinic_preparation,
    cut_mask,
    preparation_of,
    preparation_record,
)
from models.train.sources import (
    PhotoReader,
    load_grading_source,
    load_patient_parsing_source,
    read_sample,
    shrink,
)

pytestmark = pytest.mark.usefixtures("one_thread")
CPU = torch.device("cpu")
GREY = "syn7_00001/rest.png"  # the photo turned into a blank grey frame: no face, the app refuses it


@pytest.fixture
def framed(tmp_path: Path) -> Path:
    """3 synthetic patients (train, val, test) whose 128-px faces sit in 200 x 260 grey frames
    (masks alike), one photo a blank grey frame."""
    root = tmp_path / "framed"
    write_patient_dataset(root, patients=3, seed=7, size=128)
    for path in root.glob("*/*.png"):
        face = cv2.imread(str(path))
        frame = np.full((200, 260, 3), 128, np.uint8)
        frame[40:168, 90:218] = face
        cv2.imwrite(str(path), frame)
        mask = cv2.imread(str(path.parent / "masks" / path.name), cv2.IMREAD_UNCHANGED)
        framed_mask = np.zeros((200, 260), np.uint8)
        framed_mask[40:168, 90:218] = mask
        cv2.imwrite(str(path.parent / "masks" / path.name), framed_mask)
    cv2.imwrite(str(root / GREY), np.full((200, 260, 3), 128, np.uint8))
    return root


def _weights(path: Path, record: dict | None = None) -> Path:
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), path, training=record)
    return path


def _same(a: tuple, b: tuple) -> bool:
    return all((x is None and y is None) or (x is not None and y is not None and np.array_equal(x, y))
               for x, y in zip(a, b, strict=True))


def test_the_default_preparation_reads_photos_as_before(framed):
    """Old checkpoints and the demo recipe: the whole photo, shrunk or letterboxed, as before."""
    samples = PatientDataset(framed).samples("all")
    reader, decoded = PhotoReader(), DecodedPhotos()
    assert reader.preparation == decoded.preparation == LETTERBOX
    check_and_keep(PatientDataset(framed), ("train", "val", "test"), decoded,
                   Wanted(parsing_side=96, grading_side=64, scoring_size=64), threads=1)
    for sample in samples:
        for with_mask in (True, False):
            whole = read_sample(sample, with_mask)
            assert _same(reader.shrunk(sample, 96, with_mask), shrink(*whole, 96))
            assert _same(reader.fitted(sample, 64, with_mask), fit_square(*whole, 64))
        if sample.patient_id == "syn7_00001":  # train: the kept shrunk arrays
            assert _same(decoded.shrunk(sample, 96, True), shrink(*read_sample(sample, True), 96))
            assert _same(decoded.shrunk(sample, 64, False), shrink(*read_sample(sample, False), 64))
        else:
            assert _same(decoded.fitted(sample, 64, True), fit_square(*read_sample(sample, True), 64))
    assert preparation_of({"training": {}}) == preparation_of({}) == LETTERBOX


def test_face_crop_is_the_crop_palsy_assess_makes(framed):
    sample = next(s for s in PatientDataset(framed).samples("all") if s.patient_id == "syn7_00000")
    image, mask = read_sample(sample, True)
    crop = crop_face(image, 64, name="x")
    assert crop.crop_box[2] < min(image.shape[:2])  # a real crop, not the whole frame
    got_image, got_mask = PhotoReader(FACE_CROP).fitted(sample, 64, with_mask=True)
    assert np.array_equal(got_image, crop.image)
    assert np.array_equal(got_mask, cut_mask(mask, crop.crop_box, 64))
    assert set(np.unique(got_mask)) <= set(np.unique(mask))  # nearest-neighbour: no blended labels
    assert not np.array_equal(got_image, fit_square(image, None, 64)[0])
    shrunk, _ = PhotoReader(FACE_CROP).shrunk(sample, 96, with_mask=False)
    assert np.array_equal(shrunk, crop_face(image, 96).image)


def test_face_crop_leaves_out_the_photos_the_app_refuses(framed, capsys):
    patients = PatientDataset(framed)
    reader = PhotoReader(FACE_CROP)
    grey = next(s for s in patients.samples("all") if s.image.name == "rest.png" and s.patient_id == "syn7_00001")
    with pytest.raises(NoFaceError):
        reader.fitted(grey, 64, with_mask=False)
    source = load_grading_source(patients, patients.patient_ids("train"), 64, photos=reader)
    parsing = load_patient_parsing_source(patients, patients.patient_ids("train"), 96, photos=reader)
    assert source.no_face == parsing.no_face == [GREY] and len(source) == len(parsing) == 5
    assert GREY in capsys.readouterr().err
    model = build_model(get_config("compact").with_input_size(64), seed=0)
    reports = grading_reports(model, framed, "all", CPU, preparation=FACE_CROP)
    assert all(r["photo_preparation"] == FACE_CROP and r["no_face"] == [GREY] for r in reports.values())
    assert sum(map(sum, reports["photo"]["confusion"])) == 17
    parsing_report = evaluate_parsing(model, framed, "all", CPU, preparation=FACE_CROP)
    assert parsing_report["no_face"] == [GREY]
    assert "photo_preparation" not in grading_reports(model, framed, "all", CPU)["patient"]  # letterbox: as before


def test_a_clinic_check_detects_each_photo_once_and_keeps_the_crops(framed, monkeypatch):
    calls: list[str] = []
    real = face_prep.crop_face

    def counting(image, size, settings=None, name="photo"):
        calls.append(name)
        return real(image, size, settings, name=name)

    monkeypatch.setattr(face_prep, "crop_face", counting)
    patients = PatientDataset(framed)
    decoded = DecodedPhotos(preparation=FACE_CROP)
    check_and_keep(patients, ("train", "val", "test"), decoded, Wanted(parsing_side=96, grading_side=64,
                                                                       scoring_size=64), threads=1)
    assert len(calls) == 18 and decoded.no_face() == [GREY]
    assert load_grading_source(patients, patients.patient_ids("train"), 64, photos=decoded).no_face == [GREY]
    reader = PhotoReader(FACE_CROP)
    for sample in patients.samples("val") + patients.samples("test"):
        assert _same(decoded.fitted(sample, 64, True), reader.fitted(sample, 64, True))
    assert len(calls) == 18 + 12  # the check's once, then only the plain reader's
    model = build_model(get_config("compact").with_input_size(64), seed=0)
    assert grading_reports(model, framed, "test", CPU, photos=decoded)["patient"]["photo_preparation"] == FACE_CROP
    assert len(calls) == 30  # the scoring read the kept crops


def test_a_full_cache_still_looks_for_every_photos_face(framed):
    # past the cache's limit nothing was detected: no face found in nothing, a card that undercounted
    # and a faceless test split found only after training
    decoded = DecodedPhotos(limit_gb=0, preparation=FACE_CROP)
    check_and_keep(PatientDataset(framed), ("train", "val", "test"), decoded,
                   Wanted(parsing_side=96, grading_side=64, scoring_size=64), threads=1)
    assert decoded.full() and decoded.no_face() == [GREY]


def test_evaluate_prepares_photos_as_the_checkpoint_records(framed, tmp_path, capsys):
    old = _weights(tmp_path / "old.pt")
    clinic = _weights(tmp_path / "clinic.pt", {RECORD_KEY: FACE_CROP})
    assert main(["evaluate", "grading", "--data", str(framed), "--weights", str(old)]) == 0
    assert "letterboxed whole" in capsys.readouterr().out.splitlines()[-1]
    assert main(["evaluate", "grading", "--data", str(framed), "--weights", str(old), "--json"]) == 0
    assert "photo_preparation" not in json.loads(capsys.readouterr().out)  # DESIGN §8 keys, as before
    assert main(["evaluate", "grading", "--data", str(framed), "--weights", str(clinic), "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["photo_preparation"] == FACE_CROP and report["no_face"] == [GREY]
    assert sum(map(sum, report["confusion"])) == 3 and GREY in captured.err
    assert main(["evaluate", "parsing", "--data", str(framed), "--weights", str(clinic)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("scored 17 photos:")  # the grey one left out
    assert "face crop palsy assess makes" in lines[-1] and "1 photo where no face was found" in lines[-1]
    with pytest.raises(InputError, match="does not know"):
        preparation_of({"training": {RECORD_KEY: "stretch"}})


def test_a_clinic_run_keeps_the_preparation_it_started_with():
    assert clinic_preparation(None, started=False) == FACE_CROP  # a new run: the app's crop
    assert clinic_preparation(None, started=True) == LETTERBOX  # started by an earlier version: as its stages
    assert clinic_preparation(LETTERBOX, started=True) == LETTERBOX
    assert preparation_record(LETTERBOX) == {} and preparation_record(FACE_CROP) == {RECORD_KEY: FACE_CROP}
    with pytest.raises(InputError):
        clinic_preparation("stretch", started=False)


def test_a_clinic_run_on_the_face_crop_trains_and_scores_without_the_refused_photo(framed, tmp_path, monkeypatch,
                                                                                    capsys):
    """The plumbing a clinic run uses (its `DecodedPhotos` made with the face crop, as clinic.py is
    to make it): both stages and the scoring read the crops, and leave out the grey photo."""
    import models.train.clinic as clinic
    from models.train.clinic import ClinicRecipe, run_clinic

    # (once clinic.py chooses the face crop itself, this stand-in changes nothing)
    monkeypatch.setattr(clinic, "DecodedPhotos", lambda *args, **kwargs: DecodedPhotos(preparation=FACE_CROP))
    weights = _weights(tmp_path / "w.pt")
    run_clinic(ClinicRecipe(patients=str(framed), init=str(weights), work=str(tmp_path / "run"), steps=1,
                            batch_size=2), CPU)
    assert GREY in capsys.readouterr().err
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["grading"]["patient"]["photo_preparation"] == FACE_CROP
    assert metrics["grading"]["patient"]["no_face"] == []  # the grey photo is a train photo


def _grey_out(root: Path, split: str) -> str:
    """Every photo of the `split` patient a blank grey frame (no face); its id."""
    [pid] = PatientDataset(root).patient_ids(split)
    for path in (root / pid).glob("*.png"):
        cv2.imwrite(str(path), np.full((200, 260, 3), 128, np.uint8))
    return pid


def test_a_test_split_without_a_face_is_refused_before_any_training(framed, tmp_path):
    # the run trained both stages, then stopped at "no face found in any test photo", for ever
    from models.train.clinic import ClinicRecipe, run_clinic

    _grey_out(framed, "test")
    work = tmp_path / "run"
    with pytest.raises(InputError, match="no face found in any test photo"):
        run_clinic(ClinicRecipe(patients=str(framed), init=str(_weights(tmp_path / "w.pt")), work=str(work), steps=1,
                                batch_size=2), CPU)
    assert not (work / "stage1.pt").exists() and not (work / "stage2.pt").exists()


def test_a_val_split_without_a_face_is_not_scored_and_the_stages_record_the_crop(framed, tmp_path):
    from models.checkpoint import load_checkpoint
    from models.train.clinic import ClinicRecipe, run_clinic

    _grey_out(framed, "val")
    work = tmp_path / "run"
    run_clinic(ClinicRecipe(patients=str(framed), init=str(_weights(tmp_path / "w.pt")), work=str(work), steps=1,
                            batch_size=2), CPU)
    metrics = json.loads((work / "metrics.json").read_text())
    assert metrics["val"] is None and metrics["grading"]["patient"]["photo_preparation"] == FACE_CROP
    for stage in ("stage1.pt", "stage2.pt"):  # `palsy evaluate stage2.pt` prepares photos as it was trained
        assert face_prep.preparation_of(load_checkpoint(work / stage)[1]) == FACE_CROP


def test_the_card_says_the_photos_were_face_crops_and_how_many_were_left_out(framed, tmp_path):
    from models.train.clinic import ClinicRecipe, run_clinic

    work = tmp_path / "run"
    run_clinic(ClinicRecipe(patients=str(framed), init=str(_weights(tmp_path / "w.pt")), work=str(work), steps=1,
                            batch_size=2), CPU)
    card = (work / "clinic.md").read_text()
    assert ("- Photos: the face crop `palsy assess` makes (trained and scored on what the app grades); 1 photo with "
            "no face found left out, as the app would refuse them.") in card
