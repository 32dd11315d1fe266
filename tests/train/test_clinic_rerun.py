"""`palsy train clinic` reruns and the patient folder reader (review fixes): the outputs of void
figures moved aside before rescoring, only the photos the remaining steps read checked (after
the "same run?" check), runs of an earlier version taken as they were recorded, folders found
as named on disk, system clutter skipped, twin folders refused, "n/a" of nothing."""

from __future__ import annotations

import json
import threading
import unicodedata
from pathlib import Path

import cv2
import pytest
import torch

import models.data.patients as patients_module
import models.train.clinic as clinic
from models.checkpoint import load_checkpoint
from models.data.patients import PatientDataset
from models.errors import InputError
from models.train.clinic import ClinicRecipe, run_clinic
from tests.train.conftest import draw_patients

pytestmark = pytest.mark.usefixtures("one_thread")
CPU = torch.device("cpu")
OUTPUTS = ("clinic.pt", "metrics.json", "clinic.md")


def _recipe(data: Path, weights: Path, work: Path, **kw) -> ClinicRecipe:
    return ClinicRecipe(patients=str(data), init=str(weights), work=str(work), steps=1, batch_size=2, **kw)


def _resave(photo: Path) -> None:
    """Same pixels, another file size: the fingerprint sees a changed photo."""
    cv2.imwrite(str(photo), cv2.imread(str(photo)), [cv2.IMWRITE_PNG_COMPRESSION, 0])


def _events(work: Path) -> list[tuple[str, str]]:
    return [(e["event"], e["split"]) for e in map(json.loads, (work / "scoring.jsonl").read_text().splitlines())]


@pytest.fixture
def decoded(monkeypatch) -> list[str]:
    """The paths of the photos decoded from now on (the reader of training, scoring and the check)."""
    paths: list[str] = []
    lock = threading.Lock()
    real = patients_module.load_image

    def counting(path, *args, **kwargs):
        with lock:
            paths.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(patients_module, "load_image", counting)
    return paths


def test_a_changed_test_photo_sets_the_old_outputs_aside_before_it_is_scored_again(tiny_patients, tiny_weights,
                                                                                   tmp_path, monkeypatch):
    work = tmp_path / "run"
    recipe = _recipe(tiny_patients, tiny_weights, work)
    run_clinic(recipe, CPU)
    old_metrics = (work / "metrics.json").read_text()
    _resave(tiny_patients / PatientDataset(tiny_patients).patient_ids("test")[0] / "rest.png")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(clinic, "grading_reports", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_clinic(recipe, CPU)
    # nothing in place claims the figures of the old test patients, and the state has none
    assert not any((work / name).exists() for name in OUTPUTS)
    assert all((work / f"{name}.stale").is_file() for name in OUTPUTS)
    assert (work / "metrics.json.stale").read_text() == old_metrics
    assert "metrics" not in json.loads((work / "state.json").read_text())
    monkeypatch.undo()
    results = run_clinic(recipe, CPU)
    assert all((work / name).is_file() for name in OUTPUTS)
    assert not any((work / f"{name}.stale").exists() for name in OUTPUTS)
    assert results["sha256"] in (work / "clinic.md").read_text()
    # the weights count the photos without a face that metrics.json names (no patient id in clinic.pt)
    assert load_checkpoint(work / "clinic.pt")[1]["metrics"] == clinic.weights_metrics(
        json.loads((work / "metrics.json").read_text()))


def test_a_rerun_checks_only_the_photos_its_remaining_steps_read(tiny_patients, tiny_weights, tmp_path, decoded):
    work = tmp_path / "run"
    recipe = _recipe(tiny_patients, tiny_weights, work)
    dataset = PatientDataset(tiny_patients)
    train = {str(s.image) for s in dataset.samples("train")}
    held_out = {str(s.image) for split in ("val", "test") for s in dataset.samples(split)}
    run_clinic(recipe, CPU)
    assert train | held_out <= set(decoded)
    decoded.clear()
    # a rerun of a finished run, and one with another option, decode nothing (refused at once)
    run_clinic(recipe, CPU)
    assert decoded == []
    with pytest.raises(InputError, match="holds a run with another recipe"):
        run_clinic(_recipe(tiny_patients, tiny_weights, work, stage1_share=0.3), CPU)
    assert decoded == []
    # a damaged val photo after the stages finished: found before scoring, no training photo decoded
    val_photo = tiny_patients / dataset.patient_ids("val")[0] / "rest.png"
    whole = val_photo.read_bytes()
    val_photo.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match=rf"^1 of the 36 val and test photos of {tiny_patients} .*"
                                         rf"{val_photo} is damaged or truncated"):
        run_clinic(recipe, CPU)
    assert not set(decoded) & train and set(decoded) == held_out
    assert not (work / "clinic.pt").exists() and (work / "clinic.pt.stale").is_file()


def test_the_photo_check_decodes_in_threads_and_names_problems_in_order(tiny_patients, monkeypatch):
    threads = set()
    real = patients_module.read_photo

    def noting(path):
        threads.add(threading.get_ident())
        return real(path)

    monkeypatch.setattr(patients_module, "read_photo", noting)
    dataset = PatientDataset(tiny_patients)
    first, last = dataset.samples("test")[0].image, dataset.samples("test")[-1].image
    first.write_bytes(b"")
    last.write_bytes(b"")
    with pytest.raises(InputError, match=rf"^2 of the 18 test photos .*: {first} is an empty.*; {last} is an empty"):
        dataset.check_files(splits=("test",), threads=4)
    assert len(threads) > 1


def _legacy_state(work: Path, data: Path) -> None:
    """state.json as a run of the version before the split fingerprints left it: one digest of
    everything, and figures of the test split only."""
    state = json.loads((work / "state.json").read_text())
    for key in ("training_data", "scoring_data"):
        state.pop(key)
    state["data"] = clinic._legacy_fingerprint(PatientDataset(data))
    state["metrics"].pop("val")
    (work / "state.json").write_text(json.dumps(state))


def test_a_run_of_an_earlier_version_is_taken_as_that_version_read_the_folder(tiny_patients, tiny_weights, tmp_path):
    work = tmp_path / "run"
    recipe = _recipe(tiny_patients, tiny_weights, work)
    run_clinic(recipe, CPU)
    _legacy_state(work, tiny_patients)
    test_figures = json.loads((work / "state.json").read_text())["metrics"]
    # a .tif the earlier reader never found (it read .jpg and .png only)
    pid = PatientDataset(tiny_patients).patient_ids("train")[0]
    cv2.imwrite(str(tiny_patients / pid / "rest_2.tif"), cv2.imread(str(tiny_patients / pid / "rest.png")))
    scored = len(_events(work))
    run_clinic(recipe, CPU)
    # accepted: the test figures kept, the val split (which that version did not score) scored
    state = json.loads((work / "state.json").read_text())
    assert {k: v for k, v in state["metrics"].items() if k != "val"} == test_figures
    assert state["metrics"]["val"]["patients"] == 3
    assert _events(work)[scored:] == [("scoring", "val"), ("scored", "val")]
    assert "data" not in state and "training_data" in state and "scoring_data" in state
    assert "## Validation patients" in (work / "clinic.md").read_text()
    # a legacy run whose patients did change is refused, saying why it cannot tell which
    run_clinic(recipe, CPU)
    _legacy_state(work, tiny_patients)
    _resave(tiny_patients / PatientDataset(tiny_patients).patient_ids("test")[0] / "rest.png")
    with pytest.raises(InputError, match="started by an earlier version, cannot tell training patients"):
        run_clinic(recipe, CPU)


def test_a_folder_found_by_a_case_insensitive_file_system_is_the_patients(tmp_path, monkeypatch):
    root = draw_patients(tmp_path / "p", 6, seed=2)
    pid = PatientDataset(root).patient_ids()[0]
    labels = (root / "labels.csv").read_text()
    (root / "labels.csv").write_text(labels.replace(pid, pid.upper()))  # the folder on disk stays lower case
    real_is_dir = Path.is_dir

    def case_insensitive(self: Path) -> bool:  # what macOS and Windows answer for ROOT/P002_000
        if self.parent == root and not real_is_dir(self):
            return any(c.name.casefold() == self.name.casefold() and real_is_dir(c) for c in root.iterdir())
        return real_is_dir(self)

    monkeypatch.setattr(Path, "is_dir", case_insensitive)
    dataset = PatientDataset(root)
    assert dataset.folder(pid.upper()) == root / pid
    assert len(dataset.photos(pid.upper())) == 6
    assert dataset.ignored() == {"folders": [], "files": [], "missing": []}


def test_system_clutter_is_not_reported_as_left_out(tmp_path):
    root = draw_patients(tmp_path / "p", 6, seed=2)
    ids = PatientDataset(root).patient_ids()
    (root / ids[0] / "Thumbs.db").write_bytes(b"x")
    (root / ids[1] / "desktop.ini").write_text("x")
    (root / ids[2] / "ehthumbs.db").write_bytes(b"x")
    (root / ids[2] / ".DS_Store").write_bytes(b"x")
    (root / ids[3] / "masks" / "Thumbs.db").write_bytes(b"x")
    (root / "__MACOSX" / ids[0]).mkdir(parents=True)
    (root / "__MACOSX" / ids[0] / "._rest.png").write_bytes(b"x")
    (root / "Unlabelled").mkdir()
    assert PatientDataset(root).ignored() == {"folders": ["Unlabelled"], "files": [], "missing": []}


def test_two_folders_that_may_be_one_patient_are_refused_even_when_one_is_exact(tmp_path):
    root = draw_patients(tmp_path / "p", 6, seed=2)
    pid = PatientDataset(root).patient_ids()[0]
    nfc, nfd = unicodedata.normalize("NFC", "Müller"), unicodedata.normalize("NFD", "Müller")
    (root / pid).rename(root / nfc)
    (root / nfd).mkdir()
    (root / "labels.csv").write_text((root / "labels.csv").read_text().replace(pid, nfc), encoding="utf-8")
    shown = r"'Mu\u0308ller' \('Mu\\u0308ller'\), 'M\xfcller' \('M\\xfcller'\)"  # the code points tell them apart
    with pytest.raises(InputError, match=rf"^2 folders of .* may be patient 'Müller': {shown}; keep one$"):
        PatientDataset(root).folder(nfc)


def test_figures_of_nothing_read_n_a():
    zero = [[0] * 6 for _ in range(6)]
    one = [[1 if i == j == 0 else 0 for j in range(6)] for i in range(6)]
    g = {"patient": {"confusion": one, "quadratic_kappa": 0.0}, "photo": {"confusion": one, "quadratic_kappa": 0.0},
         "measured": {"confusion": zero, "quadratic_kappa": 0.0, "unmeasured": 1}}
    table = "\n".join(clinic._figures(g, "test"))
    assert "| measured function | 0 patients (1 not measurable) | n/a | n/a | n/a |" in table
    assert "0.000 (0.00-1.00)" not in table
    assert "| network, per patient | 1 patients | 1.000 (0.21-1.00) | 0.000 | 1.000 (0.21-1.00) |" in table
