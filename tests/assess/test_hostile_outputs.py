"""Output folders never lead outside themselves (audit finding 6): an OUT/overlays that is a
link is refused before anything is written or removed; the demo's patient folder is its own,
rendered afresh, and a folder with a real patient's files in it is refused, never read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from app.report.outputs import check_writable, write_outputs
from models.errors import InputError
from models.pipeline.assess import assess
from models.pipeline.demo_patient import DEMO_SIZE, demo_marker, render_demo_patient
from models.pipeline.images import write_png
from models.pipeline.loader import wrap_model
from models.pipeline.patient_dir import find_expression_photos
from tests.assess.fakes import OracleNet, cartoon_photo
from tests.assess.masks import paint_patient


@pytest.fixture(scope="module")
def assessment():
    return assess({e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}, wrap_model(OracleNet()))


def _victim(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "rest_photo.png").write_bytes(b"user data")  # named like an overlay
    (victim / "close_eyes_attention_zz.png").write_bytes(b"user data")  # an overlay name this run does not write
    (victim / "notes.txt").write_text("keep")
    return victim, {p.name: p.read_bytes() for p in victim.iterdir()}


def test_an_overlays_link_is_refused_and_its_target_untouched(assessment, tmp_path: Path) -> None:
    victim, before = _victim(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "overlays").symlink_to(victim, target_is_directory=True)
    with pytest.raises(InputError, match="overlays is a link to .*remove the link or choose another output folder"):
        check_writable(out)
    with pytest.raises(InputError, match="is a link"):
        write_outputs(assessment, out)
    assert {p.name: p.read_bytes() for p in victim.iterdir()} == before
    assert not (out / "assessment.json").exists() and not (out / "report.pdf").exists()


def test_an_overlays_link_made_while_the_network_ran_is_refused(assessment, tmp_path: Path, monkeypatch) -> None:
    import app.report.outputs as outputs_module

    victim, before = _victim(tmp_path)
    out = tmp_path / "out"
    write_outputs(assessment, out)  # a real overlays/ first
    real = outputs_module._write_into

    def then_a_link_appears(*args, **kwargs):
        paths = real(*args, **kwargs)
        for p in (out / "overlays").iterdir():
            p.unlink()
        (out / "overlays").rmdir()
        (out / "overlays").symlink_to(victim, target_is_directory=True)
        return paths

    monkeypatch.setattr(outputs_module, "_write_into", then_a_link_appears)
    with pytest.raises(InputError, match="is a link"):
        write_outputs(assessment, out)
    assert {p.name: p.read_bytes() for p in victim.iterdir()} == before


def test_demo_refuses_a_real_patient_folder_and_reads_nothing_there(tmp_path: Path) -> None:
    real = tmp_path / "real_patient"
    real.mkdir()
    (real / "rest.png").write_bytes(b"a real patient's photo")
    (real / "rest_2.jpg").write_bytes(b"another frame")
    sums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in real.iterdir()}
    with pytest.raises(InputError, match=r"holds files the demo did not write \(rest_2.jpg\)"):
        render_demo_patient(real)
    (real / "rest_2.jpg").unlink()
    with pytest.raises(InputError, match="holds photos the demo did not write"):  # same names as the demo's, no marker
        render_demo_patient(real)
    link = tmp_path / "demo_out" / "patient"
    link.parent.mkdir()
    link.symlink_to(real, target_is_directory=True)
    with pytest.raises(InputError, match="is a link"):
        render_demo_patient(link)
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in real.iterdir()} == {"rest.png": sums["rest.png"]}


def test_demo_patient_is_rendered_afresh_and_replaces_only_its_own(tmp_path: Path) -> None:
    victim = tmp_path / "elsewhere.txt"
    victim.write_text("keep")
    (tmp_path / ".patient.palsy-demo").symlink_to(victim)  # a marker that is a link is replaced, not written through
    folder = render_demo_patient(tmp_path / "patient", seed=3)
    assert victim.read_text() == "keep" and not demo_marker(folder).is_symlink()
    assert demo_marker(folder).is_file() and demo_marker(folder).parent == tmp_path
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{e}.png" for e in find_expression_photos(folder))
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert len(find_expression_photos(folder)) == 6
    again = render_demo_patient(folder, grade="V", seed=4)  # an earlier demo's folder is replaced
    assert set(p.name for p in again.iterdir()) == set(first) and (again / "rest.png").read_bytes() != first["rest.png"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".palsy-partial")]  # no staging left behind


def test_palsy_demo_with_a_linked_patient_folder_is_one_line(tmp_path: Path, capsys) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "rest.png").write_bytes(b"a real patient's photo")
    out = tmp_path / "demo_out"
    out.mkdir()
    (out / "patient").symlink_to(real, target_is_directory=True)
    assert main(["demo", "--out", str(out), "--quiet", "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("palsy: error:") and "is a link" in err and err.count("\n") == 1
    assert (real / "rest.png").read_bytes() == b"a real patient's photo"


def _six_photos(folder: Path, side: int, height: int | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("rest", "close_eyes", "raise_eyebrows", "open_mouth", "wrinkle_nose", "puff_cheeks"):
        write_png(folder / f"{name}.png", np.zeros((height or side, side, 3), np.uint8))


@pytest.mark.parametrize("beside", ["assessment.json", "out/assessment.json"])
def test_an_earlier_releases_demo_output_is_replaced(tmp_path: Path, beside: str) -> None:
    """`make run` (or `palsy self-test --keep DIR`) again after an upgrade: the old demo left
    the six 384-px photos without a marker beside its assessment; that folder is the demo's and
    is replaced, a Finder's .DS_Store in it notwithstanding."""
    out = tmp_path / "palsy-demo-output"
    old = out / "patient"
    _six_photos(old, DEMO_SIZE)
    (old / ".DS_Store").write_bytes(b"finder")
    (out / beside).parent.mkdir(parents=True, exist_ok=True)
    (out / beside).write_text("{}")
    before = (old / "rest.png").read_bytes()
    folder = render_demo_patient(old, seed=3)
    assert len(find_expression_photos(folder)) == 6 and demo_marker(folder).is_file()
    assert (folder / "rest.png").read_bytes() != before
    (folder / ".DS_Store").write_bytes(b"finder")  # clutter in the demo's own folder is no reason to refuse
    render_demo_patient(folder, seed=3)
    (folder / "rest_2.jpg").write_bytes(b"a frame someone added")
    with pytest.raises(InputError, match=r"rest_2.jpg"):  # anything else in it: still refused
        render_demo_patient(folder)


def test_a_real_patients_photos_assessed_into_the_same_folder_are_not_taken_for_a_demo(tmp_path: Path) -> None:
    """`palsy assess X/patient --out X` leaves the six names beside an assessment.json too; a
    camera's photos are not the demo's 384-px squares, so the demo refuses and keeps them."""
    out = tmp_path / "X"
    _six_photos(out / "patient", 640, 480)
    (out / "assessment.json").write_text("{}")
    before = (out / "patient" / "rest.png").read_bytes()
    with pytest.raises(InputError, match="holds photos the demo did not write"):
        render_demo_patient(out / "patient")
    assert (out / "patient" / "rest.png").read_bytes() == before
