"""A clinic's own weights carry their cautions (meta `cautions`): what they were trained and
tested on, that they are not validated, whose face parser they hold and the run's warnings. The
card alone reached only those who opened it; the app, `palsy assess` and the report read these."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

import models.train.clinic as clinic
from models.checkpoint import load_checkpoint
from models.pipeline.loader import clear_model_cache, load_model
from models.resources import (
    UNREADABLE_CAUTIONS,
    UNVALIDATED_CAUTION,
    default_weights_path,
    shown_cautions,
    weights_cautions,
)
from models.train.clinic import DEMO_PARSER, ClinicRecipe, run_clinic
from tests.train.parsing_set_helpers import write_parsing_set

pytestmark = pytest.mark.usefixtures("one_thread", "whole_photos")
CPU = torch.device("cpu")
PARSER = "The face parser (segmentation and measured grade) was not trained on this clinic's faces"


def _without_masks(patients: Path, folder: Path) -> Path:
    shutil.copytree(patients, folder, ignore=shutil.ignore_patterns("masks"))
    return folder


def test_a_run_on_the_demo_parser_says_so_in_its_weights(tiny_patients, tiny_weights, tmp_path, monkeypatch):
    # the start weights stand in for the shipped demo: E1 stays frozen through stage 2
    monkeypatch.setattr(clinic, "default_weights_path", lambda: tiny_weights)
    bare = _without_masks(tiny_patients, tmp_path / "bare")
    work = tmp_path / "run"
    results = run_clinic(ClinicRecipe(patients=str(bare), init=str(tiny_weights), work=str(work), steps=2, batch_size=2), CPU)
    _, meta = load_checkpoint(work / "clinic.pt")
    cautions = weights_cautions(meta)
    assert cautions == results["cautions"]
    assert cautions[0].startswith("Trained on 12 patients of this clinic, tested on 3 (test accuracy ")
    assert cautions[0].endswith("not a validated medical device.")
    assert cautions[1] == f"{PARSER}: it is {DEMO_PARSER}."
    assert any(c.startswith("Very short training (stage 2 2 steps") for c in cautions)
    assert cautions[1] in (work / "clinic.md").read_text()  # the card says it too
    # the model record of every assessment carries them
    clear_model_cache()
    assert load_model(work / "clinic.pt", "cpu").info.to_dict()["cautions"] == cautions


def test_another_start_names_its_parser_and_the_clinics_masks_name_none(tiny_patients, tiny_weights, tmp_path):
    bare = _without_masks(tiny_patients, tmp_path / "bare")
    results = run_clinic(ClinicRecipe(patients=str(bare), init=str(tiny_weights), work=str(tmp_path / "a"), steps=2,
                                      batch_size=2), CPU)
    assert f"{PARSER}: it is the parser of the start weights tiny.pt." in results["cautions"]
    # a parser trained on other faces only (a further parsing set) is not the clinic's either
    faces = write_parsing_set(tmp_path / "faces", ("0", "1", "2", "3"), ".png")
    results = run_clinic(ClinicRecipe(patients=str(bare), parsing=(str(faces),), init=str(tiny_weights),
                                      work=str(tmp_path / "p"), steps=2, batch_size=2), CPU)
    assert (f"{PARSER}: it is a parser trained on the face-parsing sets faces, starting from tiny.pt."
            in results["cautions"])
    # with masks stage 1 trains E1 on the clinic's own faces: no parser caution, the rest stays
    results = run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(tmp_path / "b"),
                                      steps=2, batch_size=2), CPU)
    assert not any(c.startswith(PARSER) for c in results["cautions"])
    assert results["cautions"][0].startswith("Trained on 12 patients of this clinic, tested on 3")


def test_weights_without_cautions_record_none_yet_load_as_not_validated(tiny_weights):
    assert weights_cautions(load_checkpoint(tiny_weights)[1]) == []  # written before the key existed
    assert weights_cautions(None) == [] and weights_cautions({"cautions": []}) == []
    clear_model_cache()
    # neither the demonstration weights nor a clinic's: what they show says they are not validated
    assert load_model(tiny_weights, "cpu").info.to_dict()["cautions"] == [UNVALIDATED_CAUTION]
    assert shown_cautions({}, demo=True) == []  # the demonstration weights' red warning says it


def test_cautions_in_a_form_not_written_here_are_still_cautions() -> None:
    # an edited or foreign file: dropping them made the weights look validated (no banner, no box)
    assert weights_cautions({"cautions": "one sentence"}) == ["one sentence"]
    assert weights_cautions({"cautions": ["  ", 3, " kept "]}) == ["kept", UNREADABLE_CAUTIONS]
    assert weights_cautions({"cautions": [{"text": "a"}]}) == [UNREADABLE_CAUTIONS]
    assert weights_cautions({"cautions": 5}) == [UNREADABLE_CAUTIONS]


@pytest.mark.skipif(not default_weights_path().is_file(), reason="the shipped demo weights are not in this checkout")
def test_the_shipped_demo_weights_carry_none():
    assert weights_cautions(load_checkpoint(default_weights_path())[1]) == []


def test_a_rerun_of_a_run_without_cautions_writes_them(tiny_patients, tiny_weights, tmp_path, monkeypatch):
    recipe = ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(tmp_path / "run"), steps=2,
                          batch_size=2)
    with monkeypatch.context() as before:  # weights written without cautions
        before.setattr(clinic, "clinic_cautions", lambda results: [])
        run_clinic(recipe, CPU)
    assert weights_cautions(load_checkpoint(tmp_path / "run" / "clinic.pt")[1]) == []
    results = run_clinic(recipe, CPU)  # nothing is trained again; the weights file is written with them
    assert weights_cautions(load_checkpoint(tmp_path / "run" / "clinic.pt")[1]) == results["cautions"] != []
