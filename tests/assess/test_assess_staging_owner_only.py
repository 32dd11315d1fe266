"""A `palsy assess` run killed before its results are moved in leaves them in a hidden staging
folder inside --out: that folder is the owner's alone, whatever the umask, while the results
moved in keep the umask's modes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import app.report.outputs as outputs_module
from app.report.outputs import write_outputs
from models.pipeline.assess import assess
from models.pipeline.loader import wrap_model
from tests.assess.fakes import OracleNet, cartoon_photo
from tests.assess.masks import paint_patient

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes")


@pytest.fixture(scope="module")
def assessment():
    return assess({e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}, wrap_model(OracleNet()))


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_staged_results_are_readable_by_their_owner_only(assessment, tmp_path: Path, monkeypatch, umask_022) -> None:
    seen: dict[str, int] = {}
    real = outputs_module._move_in

    def look_before_moving_in(stage: Path, folder: Path) -> None:
        seen["stage"] = stage.stat().st_mode & 0o777
        real(stage, folder)

    monkeypatch.setattr(outputs_module, "_move_in", look_before_moving_in)
    out = tmp_path / "out"
    write_outputs(assessment, out)
    assert seen["stage"] == 0o700
    assert (out / "assessment.json").stat().st_mode & 0o777 == 0o644  # the results themselves: as before
