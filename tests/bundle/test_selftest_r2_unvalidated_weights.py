"""Review r2 D10: `palsy self-test --weights research.pt` called weights that record no cautions
"clinic-trained, not validated", then quoted the program's caution saying they are neither
clinic-trained nor the demonstration weights ("...not for diagnosis.; data folder"). And the
report check looked only for the demonstration weights' red box: a report that lost the amber
"not validated" box of weights with cautions passed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.report.outputs import write_outputs
from app.selftest import SelfTestError, SelfTestResult, check_pdf
from models.pipeline.assess import assess
from models.pipeline.loader import wrap_model
from models.resources import UNVALIDATED_CAUTION
from tests.assess.fakes import OracleNet, cartoon_photo
from tests.assess.masks import paint_patient

FOLDERS = {"data": {"path": "/srv/palsy", "exists": True, "writable": True, "free_mb": 900}}


def test_research_weights_are_not_called_clinic_trained() -> None:
    result = SelfTestResult(ok=True, weights="research.pt", cautions=[UNVALIDATED_CAUTION], top_probability=0.5,
                            folders=FOLDERS)
    line = result.summary()
    assert "; weights research.pt: not validated (neither the demonstration nor clinic-trained weights)" in line
    assert "clinic-trained, not validated" not in line


def test_a_clinic_caution_loses_its_full_stop_before_the_next_part() -> None:
    caution = "Trained on 8 patients of this clinic; not a validated medical device."
    line = SelfTestResult(ok=True, weights="clinic.pt", cautions=[caution], top_probability=0.5,
                          folders=FOLDERS).summary()
    assert "clinic-trained, not validated (1 caution): Trained on 8 patients" in line
    assert ".;" not in line and "medical device; data folder" in line


@pytest.fixture(scope="module")
def body(tmp_path_factory: pytest.TempPathFactory) -> dict:
    photos = {e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}
    out = tmp_path_factory.mktemp("out")
    write_outputs(assess(photos, wrap_model(OracleNet())), out)
    return json.loads((out / "assessment.json").read_text(encoding="utf-8"))


def _report(body: dict, folder: Path, **model: object) -> Path:
    from app.report.pdf import write_report

    return write_report(folder / "report.pdf", {**body, "model": {**body["model"], **model}})


def test_the_report_of_weights_with_cautions_must_show_the_amber_box(body: dict, tmp_path: Path) -> None:
    sha = "5e1f" * 16  # the verified file's digest, which the report names
    boxed = _report(body, tmp_path, sha256=sha, cautions=[UNVALIDATED_CAUTION], demo=False)
    assert check_pdf(boxed, sha, demo=False, cautioned=True) >= 1
    (tmp_path / "demo").mkdir()
    unboxed = _report(body, tmp_path / "demo", sha256=sha, cautions=[], demo=True)  # the red box only: no amber one
    with pytest.raises(SelfTestError, match="not validated"):
        check_pdf(unboxed, sha, demo=False, cautioned=True)
