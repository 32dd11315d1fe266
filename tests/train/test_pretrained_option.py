"""`--pretrained-resnet` / `--pretrained-vgg`: local torchvision files start the backbones of a
new run (loading itself: tests/models/test_checkpoint.py); the checkpoint records which files
(name, sha256, tensors loaded); combinations that would ignore them or overwrite trained
weights are refused with one line."""

from __future__ import annotations

import hashlib

import pytest
import torch

import models.train.stages as stages
from app.cli import main
from models.checkpoint import read_checkpoint
from models.errors import InputError
from models.train.loop import LoopSettings
from models.train.stages import DataSpec, Pretrained, train_grading, train_parsing

CPU = torch.device("cpu")
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def files(tmp_path, monkeypatch):
    """Two small stand-in files and a load_pretrained that records what it was asked to load."""
    calls = []

    def fake_load(model, resnet=None, vgg=None):
        calls.append((resnet, vgg))
        return {**({"e1_backbone": 7} if resnet else {}), **({"e2_features": 9} if vgg else {})}

    monkeypatch.setattr(stages, "load_pretrained", fake_load)
    (tmp_path / "r.pth").write_bytes(b"resnet")
    (tmp_path / "v.pth").write_bytes(b"vgg")
    return tmp_path / "r.pth", tmp_path / "v.pth", calls


def test_a_new_run_loads_the_files_and_records_them(tiny_patients, tmp_path, files):
    resnet, vgg, calls = files
    train_grading(tiny_patients, tmp_path / "e2e.pt", LoopSettings("end-to-end", steps=1), CPU, cascaded=False,
                  input_size=64, batch_size=2, pretrained=Pretrained(resnet, vgg))
    assert calls == [(resnet, vgg)]
    record = read_checkpoint(tmp_path / "e2e.pt")["training"]["pretrained"]
    assert record == {
        "resnet": {"file": "r.pth", "sha256": hashlib.sha256(b"resnet").hexdigest(), "tensors": 7},
        "vgg": {"file": "v.pth", "sha256": hashlib.sha256(b"vgg").hexdigest(), "tensors": 9},
    }
    train_parsing([DataSpec(tiny_patients, split="all")], tmp_path / "p.pt", LoopSettings("parsing", steps=1), CPU,
                  input_size=64, batch_size=2)
    assert "pretrained" not in read_checkpoint(tmp_path / "p.pt")["training"] and len(calls) == 1


def test_combinations_that_would_ignore_or_overwrite_are_refused(tiny_patients, tmp_path, files):
    resnet, vgg, calls = files
    spec = [DataSpec(tiny_patients, split="all")]
    with pytest.raises(InputError, match="does not train"):
        train_parsing(spec, tmp_path / "a.pt", LoopSettings("parsing", steps=1), CPU, input_size=64, pretrained=Pretrained(vgg=vgg))
    train_parsing(spec, tmp_path / "s1.pt", LoopSettings("parsing", steps=1), CPU, input_size=64, batch_size=2)
    with pytest.raises(InputError, match="overwrite the E1 of --init"):
        train_grading(tiny_patients, tmp_path / "b.pt", LoopSettings("grading", steps=1), CPU, init=tmp_path / "s1.pt",
                      pretrained=Pretrained(resnet=resnet))
    with pytest.raises(InputError, match="resumed run goes on from its own weights"):
        train_parsing(spec, tmp_path / "s1.pt", LoopSettings("parsing", steps=2), CPU, resume=tmp_path / "s1.pt",
                      pretrained=Pretrained(resnet=resnet))
    assert calls == []
    # E2 from VGG over a stage-1 E1 (the paper's cascade with a pretrained VGG16) is allowed.
    train_grading(tiny_patients, tmp_path / "c.pt", LoopSettings("grading", steps=1), CPU, init=tmp_path / "s1.pt",
                  batch_size=2, pretrained=Pretrained(vgg=vgg))
    assert calls == [(None, vgg)]


def test_a_resumed_run_keeps_the_record_of_its_pretrained_start(tiny_patients, tmp_path, files):
    resnet, _, _ = files
    spec = [DataSpec(tiny_patients, split="all")]
    train_parsing(spec, tmp_path / "p.pt", LoopSettings("parsing", steps=1), CPU, input_size=64, batch_size=2,
                  pretrained=Pretrained(resnet=resnet))
    first = read_checkpoint(tmp_path / "p.pt")["training"]["pretrained"]
    train_parsing(spec, tmp_path / "p.pt", LoopSettings("parsing", steps=2), CPU, batch_size=2, resume=tmp_path / "p.pt")
    assert read_checkpoint(tmp_path / "p.pt")["training"]["pretrained"] == first == {
        "resnet": {"file": "r.pth", "sha256": hashlib.sha256(b"resnet").hexdigest(), "tensors": 7}}


def test_vgg_over_an_init_whose_e2_was_trained_is_refused(tiny_patients, tmp_path, files):
    _, vgg, calls = files
    spec = [DataSpec(tiny_patients, split="all")]
    train_parsing(spec, tmp_path / "s1.pt", LoopSettings("parsing", steps=1), CPU, input_size=64, batch_size=2)
    train_grading(tiny_patients, tmp_path / "s2.pt", LoopSettings("grading", steps=1), CPU, init=tmp_path / "s1.pt",
                  batch_size=2)
    with pytest.raises(InputError, match="would overwrite the trained E2 of --init s2.pt"):
        train_grading(tiny_patients, tmp_path / "s3.pt", LoopSettings("grading", steps=1), CPU, init=tmp_path / "s2.pt",
                      batch_size=2, pretrained=Pretrained(vgg=vgg))
    assert calls == []


@pytest.mark.parametrize("mode", ["demo", "clinic"])
def test_demo_and_clinic_refuse_the_options(mode, tmp_path, capsys):
    assert main(["train", mode, "--pretrained-vgg", str(tmp_path / "v.pth"), "--out", str(tmp_path / "o")]) == 2
    assert "pretrained" in capsys.readouterr().err
