"""Each input is read once a run: `palsy train --resume` and `--config` with `--init` read their
checkpoint once for the check and the run, and a first `palsy train clinic` run decodes each
photo and mask once (the check keeps what the stages and the scoring read of it)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

import models.data.patients as patients_module
from app.cli import main
from models.checkpoint import read_checkpoint
from models.data.patients import PatientDataset
from models.train.clinic import run_clinic
from tests.train.test_clinic_rerun import _recipe, decoded  # noqa: F401 - `decoded` is a fixture
from tests.train.test_train_cli_checks import interrupted  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("one_thread", "whole_photos")  # the cache of whole photos: cartoon faces
CPU = torch.device("cpu")


@pytest.fixture
def loads(monkeypatch) -> Counter:
    """How many times each file is loaded by torch.load from now on (by resolved path)."""
    counts: Counter = Counter()
    real = torch.load

    def counting(f, *args, **kwargs):
        if isinstance(f, (str, Path)):
            counts[str(Path(f).resolve())] += 1
        return real(f, *args, **kwargs)

    monkeypatch.setattr(torch, "load", counting)
    return counts


def test_resume_reads_its_checkpoint_once(interrupted, loads, capsys):  # noqa: F811
    assert main(["train", "parsing", "--resume", str(interrupted), "--epochs", "0.05"]) == 0
    assert loads[str(interrupted.resolve())] == 1
    assert read_checkpoint(interrupted)["train_state"]["finished"]


def test_init_with_config_is_read_once(tiny_patients, tiny_weights, tmp_path, loads):
    out = tmp_path / "g.pt"
    argv = ["train", "grading", "--data", str(tiny_patients), "--init", str(tiny_weights), "--config", "compact",
            "--epochs", "0.05", "--batch-size", "2", "--out", str(out)]
    assert main(argv) == 0
    assert loads[str(tiny_weights.resolve())] == 1
    assert read_checkpoint(out)["training"]["init"]["file"] == tiny_weights.name


def test_a_first_clinic_run_decodes_each_photo_and_mask_once(tiny_patients, tiny_weights, tmp_path, decoded,  # noqa: F811
                                                             monkeypatch):
    masks: list[str] = []
    lock = threading.Lock()
    real = patients_module.read_mask

    def counting(path):
        with lock:
            masks.append(str(path))
        return real(path)

    monkeypatch.setattr(patients_module, "read_mask", counting)
    run_clinic(_recipe(tiny_patients, tiny_weights, tmp_path / "run"), CPU)
    samples = PatientDataset(tiny_patients).samples()
    assert Counter(decoded) == Counter(str(s.image) for s in samples)  # every photo, once
    assert Counter(masks) == Counter(str(s.mask) for s in samples)


def test_photos_kept_by_the_check_train_and_score_as_photos_decoded_again(tiny_patients, tiny_weights, tmp_path,
                                                                          decoded, monkeypatch):  # noqa: F811
    import models.train.decoded_photos as decoded_photos

    kept = run_clinic(replace(_recipe(tiny_patients, tiny_weights, tmp_path / "kept"), steps=2), CPU)
    assert len(decoded) == 108
    monkeypatch.setattr(decoded_photos, "KEEP_LIMIT_GB", 0.0)  # nothing kept: each step decodes as before
    again = run_clinic(replace(_recipe(tiny_patients, tiny_weights, tmp_path / "again"), steps=2), CPU)
    # the check decodes all 108; the train photos again in stage 1 and stage 2, the val and
    # test ones in the scoring's grading and parsing passes
    assert len(decoded) == 108 + 3 * 108
    assert json.loads((tmp_path / "kept" / "metrics.json").read_text()) == \
        json.loads((tmp_path / "again" / "metrics.json").read_text())
    for stage in ("stage1", "stage2"):
        a, b = (read_checkpoint(tmp_path / run / f"{stage}.pt")["state_dict"] for run in ("kept", "again"))
        assert all(torch.equal(a[k], b[k]) for k in a), stage
    assert kept["state"]["stage2"]["steps"] == again["state"]["stage2"]["steps"] == 2


def test_the_kept_arrays_are_those_a_step_would_decode(tiny_patients, decoded):  # noqa: F811
    from models.train.decoded_photos import DecodedPhotos, Wanted, check_and_keep
    from models.train.sources import PhotoReader

    # sizes below the photos' 64 px, so that the kept arrays are resized, as at a clinic's sizes
    dataset = PatientDataset(tiny_patients)
    photos = DecodedPhotos()
    assert check_and_keep(dataset, ("train", "val", "test"), photos, Wanted(45, 32, 32)) == 108
    served = {}
    for split in ("train", "val", "test"):
        for sample in dataset.samples(split):
            if split == "train":
                served[sample, "parsing"] = photos.shrunk(sample, 45, with_mask=True)
                served[sample, "grading"] = photos.shrunk(sample, 32, with_mask=False)
            else:
                served[sample, "fitted"] = photos.fitted(sample, 32, with_mask=True)
    assert len(decoded) == 108  # all served from the check's one decode
    reader = PhotoReader()
    for (sample, use), (image, mask) in served.items():
        image_again, mask_again = {"parsing": lambda s: reader.shrunk(s, 45, True),
                                   "grading": lambda s: reader.shrunk(s, 32, False),
                                   "fitted": lambda s: reader.fitted(s, 32, True)}[use](sample)
        assert np.array_equal(image, image_again) and image.shape[:2] != (64, 64), (sample, use)
        assert (mask is None and mask_again is None) or np.array_equal(mask, mask_again), (sample, use)
    # a training array is handed over once; asked again, or at another size, the photo is decoded
    sample = dataset.samples("train")[0]
    count = len(decoded)
    photos.shrunk(sample, 32, with_mask=False)
    photos.shrunk(sample, 40, with_mask=False)
    assert len(decoded) == count + 2


def test_the_kept_arrays_stay_under_their_limit(tiny_patients, decoded):  # noqa: F811
    from models.train.decoded_photos import DecodedPhotos, Wanted, check_and_keep

    dataset = PatientDataset(tiny_patients)
    photos = DecodedPhotos(limit_gb=10 * 32 * 32 * 3 / 1e9)  # ten grading arrays of 32 x 32
    check_and_keep(dataset, ("train",), photos, Wanted(grading_side=32))
    assert photos.kept_bytes == 10 * 32 * 32 * 3
    decoded.clear()
    for sample in dataset.samples("train"):
        photos.shrunk(sample, 32, with_mask=False)
    assert len(decoded) == len(dataset.samples("train")) - 10


def test_the_start_file_replaced_during_the_photo_check_is_recorded_as_the_one_trained_from(
        tiny_patients, tiny_weights, tmp_path, monkeypatch):
    """The start checkpoint is read before the photo check (minutes on a clinic): if another
    file is saved over it meanwhile, the records must still name the bytes stage 1 started
    from (a review of the read-once change found the new file's digest recorded)."""
    import shutil

    import models.train.clinic as clinic
    from models.cascade import build_model
    from models.checkpoint import save_checkpoint, sha256_of
    from models.config import get_config

    init = tmp_path / "init.pt"
    shutil.copy(tiny_weights, init)
    started_from = sha256_of(init)
    other = tmp_path / "other.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=7), other)
    real = clinic.check_and_keep

    def check_then_replace(*args, **kwargs):
        found = real(*args, **kwargs)
        shutil.copy(other, init)
        return found

    monkeypatch.setattr(clinic, "check_and_keep", check_then_replace)
    results = run_clinic(_recipe(tiny_patients, init, tmp_path / "run"), CPU)
    stage1 = read_checkpoint(tmp_path / "run" / "stage1.pt")["training"]["init"]
    assert stage1["sha256"] == results["init_sha256"] == started_from != sha256_of(init)


def test_a_checkpoint_changed_while_it_is_read_is_refused(tiny_weights, tmp_path, monkeypatch):
    import os

    import models.train.checkpoint_file as checkpoint_file
    from models.errors import CheckpointError

    real = checkpoint_file.read_checkpoint

    def read_then_touch(path, *args):
        payload = real(path, *args)
        os.utime(path, ns=(1, 1))  # written again meanwhile
        return payload

    monkeypatch.setattr(checkpoint_file, "read_checkpoint", read_then_touch)
    with pytest.raises(CheckpointError, match="changed while it was being read"):
        checkpoint_file.CheckpointFile(tiny_weights)
