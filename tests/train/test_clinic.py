"""`palsy train clinic`: one command from a clinic's graded patients to weights and a card."""

import json
import shutil

import pytest
import torch

from app.cli import main
from models.checkpoint import load_checkpoint, sha256_of
from models.errors import CheckpointError, InputError
from models.train.clinic import ClinicRecipe, run_clinic
from models.train.machine import describe_machine

pytestmark = pytest.mark.usefixtures("one_thread")
CPU = torch.device("cpu")


def test_clinic_run_trains_both_stages_scores_the_test_patients_and_resumes(tiny_patients, tiny_weights, tmp_path, capsys,
                                                                           whole_photos):
    work = tmp_path / "clinic"
    recipe = ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=3, batch_size=2)
    results = run_clinic(recipe, CPU)
    state = json.loads((work / "state.json").read_text())
    # The patients have masks, so stage 1 fine-tunes E1 on them before stage 2.
    assert state["stage1"]["steps"] == 3 and state["stage2"]["steps"] == 3
    assert "cached" not in state["stage2"]["augment"]  # stage 2 live by default, as the demo recipe
    model, meta = load_checkpoint(work / "clinic.pt")
    assert model.config.input_size == 64 and meta["training"]["command"] == "palsy train clinic"
    assert results["sha256"] == sha256_of(work / "clinic.pt")
    metrics = json.loads((work / "metrics.json").read_text())
    confusion = metrics["grading"]["patient"]["confusion"]
    assert sum(map(sum, confusion)) == results["patients"]["test"] == 3  # 18 patients, 2/3 : 1/6 : 1/6
    assert "parsing" in metrics and 0.0 <= metrics["parsing"]["mean_f1"] <= 1.0
    card = (work / "clinic.md").read_text()
    assert "not for diagnosis" in card and "12 train / 3 val / 3 test patients" in card
    assert "Expression photos per split (with masks): train 72 (72); val 18 (18); test 18 (18)." in card
    assert f"Started from: {tiny_weights}" in card and results["sha256"] in card
    assert "cached E1 features" not in card
    assert f"on {describe_machine(torch.device('cpu'))}" in card and state["machine"].endswith(f"torch {torch.__version__}")
    # A rerun finds every stage done: nothing is trained again.
    before = (work / "stage2.pt").stat().st_mtime_ns
    weights_written = (work / "clinic.pt").stat().st_mtime_ns
    again = run_clinic(recipe, CPU)
    assert (work / "stage2.pt").stat().st_mtime_ns == before and again["state"]["stage2"] == state["stage2"]
    assert again["wall_s"] == results["wall_s"]  # the run's own wall time, not the time until the rerun
    # and the weights file is left as it was: reports made with it cite its sha256 (a rerun
    # used to write it again with a new time stamp, a new sha256 and a card to match)
    assert again["sha256"] == results["sha256"] == sha256_of(work / "clinic.pt")
    assert (work / "clinic.pt").stat().st_mtime_ns == weights_written
    assert results["sha256"] in (work / "clinic.md").read_text()
    # Another recipe in the same folder is refused rather than mixed in.
    with pytest.raises(InputError, match="another recipe"):
        run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=4), CPU)


def test_clinic_without_anything_to_parse_needs_a_start(tiny_patients, tiny_weights, tmp_path):
    bare = tmp_path / "bare"
    shutil.copytree(tiny_patients, bare, ignore=shutil.ignore_patterns("masks"))
    with pytest.raises(InputError, match="needs face-parsing data"):
        run_clinic(ClinicRecipe(patients=str(bare), init=None, work=str(tmp_path / "w"), steps=1), CPU)
    # With a start checkpoint it skips stage 1 and trains E2 alone.
    results = run_clinic(ClinicRecipe(patients=str(bare), init=str(tiny_weights), work=str(tmp_path / "w2"), steps=2, batch_size=2), CPU)
    assert "stage1" not in results["state"] and results["state"]["stage2"]["steps"] == 2
    assert "parsing" not in results["state"]["metrics"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "clinic"], "needs --data PATIENT_DIR"),
        (["train", "clinic", "--data", "/work/shared/data/fasseg"], "not a patient data set"),
        (["train", "clinic", "--data", "{patients}", "--init", "/nonexistent.pt"], "not found"),
        (["train", "clinic", "--data", "{patients}", "--from-scratch", "--init", "x.pt"], "either --init or --from-scratch"),
        (["train", "clinic", "--data", "{patients}", "--epochs", "2"], "--minutes budget"),
        (["train", "parsing", "--data", "{patients}", "--from-scratch", "--minutes", "1"], "for palsy train clinic"),
        (["train", "clinic", "--data", "{patients}", "--batch-size", "0"], "--batch-size must be at least 1"),
        (["train", "clinic", "--data", "{patients}", "--minutes", "0"], "positive --minutes budget"),
        (["train", "clinic", "--data", "{patients}", "--lr", "0.01", "--log", "x.jsonl"], "does not take --lr, --log"),
        (["train", "clinic", "--data", "{patients}", "--config", "paper"], "are for palsy train clinic --from-scratch"),
    ],
)
def test_clinic_mistakes_exit_2_with_one_line(argv, message, tiny_patients, capsys):
    argv = [a.replace("{patients}", str(tiny_patients)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_clinic_cli_writes_weights_and_card(tiny_patients, tiny_weights, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "clinic", "--data", str(tiny_patients), "--init", str(tiny_weights), "--minutes", "0.02", "--out", str(out),
            "--batch-size", "2"]
    assert main(argv) == 0
    assert "3 test patients" in capsys.readouterr().out
    assert (out / "clinic.pt").is_file() and (out / "clinic.md").is_file() and (out / "metrics.json").is_file()


def test_the_card_names_a_gpu_by_its_name(monkeypatch):
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA H200")
    assert describe_machine(torch.device("cuda")).startswith("NVIDIA H200 (CUDA ")
    assert describe_machine(CPU).endswith(f", 1 thread, torch {torch.__version__}")  # one_thread


def test_a_clinic_run_resumes_only_on_the_same_data(tiny_patients, tiny_weights, tmp_path, monkeypatch):
    data = tmp_path / "clinic_patients"
    shutil.copytree(tiny_patients, data)
    work = tmp_path / "run"
    recipe = ClinicRecipe(patients=str(data), init=str(tiny_weights), work=str(work), steps=2, batch_size=2)
    run_clinic(recipe, CPU)
    # the same run named another way (trailing slash, relative from elsewhere) resumes
    monkeypatch.chdir(tmp_path)
    same = ClinicRecipe(patients="clinic_patients/", init=str(tiny_weights), work="run", steps=2, batch_size=2)
    assert run_clinic(same, CPU)["state"]["stage2"]["steps"] == 2
    with pytest.raises(InputError, match=r"another recipe \(differs in steps: 2 in the run, 5 asked\)"):
        run_clinic(ClinicRecipe(patients=str(data), init=str(tiny_weights), work=str(work), steps=5, batch_size=2), CPU)
    # a corrected grade after the stages ran: the card and the split would no longer match them
    labels = data / "labels.csv"
    lines = labels.read_text().splitlines()
    pid, grade, *rest = lines[1].split(",")
    lines[1] = ",".join([pid, "VI" if grade != "VI" else "I", *rest])
    labels.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="changed since this run started"):
        run_clinic(recipe, CPU)


def test_a_start_that_failed_does_not_block_its_folder(tiny_patients, tiny_weights, tmp_path):
    work = tmp_path / "run"
    with pytest.raises(CheckpointError):  # a wrong --init: refused before any stage ran
        run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_patients / "labels.csv"), work=str(work), steps=1), CPU)
    results = run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=2, batch_size=2), CPU)
    assert results["state"]["stage2"]["steps"] == 2


def test_a_listed_patient_without_photos_is_refused(tiny_patients, tiny_weights, tmp_path):
    data = tmp_path / "clinic_patients"
    shutil.copytree(tiny_patients, data)
    with (data / "labels.csv").open("a") as handle:
        handle.write("ghost_001,I,none\n")
    with pytest.raises(InputError, match="have no expression photos, first ghost_001"):
        run_clinic(ClinicRecipe(patients=str(data), init=str(tiny_weights), work=str(tmp_path / "run"), steps=1), CPU)


def test_an_interrupted_stage_keeps_its_run(tiny_patients, tiny_weights, tmp_path):
    work = tmp_path / "run"
    run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=2, batch_size=2), CPU)
    state = json.loads((work / "state.json").read_text())
    for key in ("stage1", "stage2", "metrics", "run_wall_s"):  # as if killed during stage 1: only its checkpoint is there
        state.pop(key, None)
    (work / "state.json").write_text(json.dumps(state))
    (work / "stage2.pt").unlink()
    with pytest.raises(InputError, match="another recipe"):
        run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=5, batch_size=2), CPU)
    # Resumed with its own options: one run over two starts (the refused one is not counted), and
    # the card says its wall time includes the pause between them.
    results = run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=2, batch_size=2), CPU)
    assert results["state"]["starts"] == 2
    assert results["sha256"] == sha256_of(work / "clinic.pt")  # written again from the retrained stage 2
    assert "from its first start to its end, over 2 starts (the pauses between them included)" in (work / "clinic.md").read_text()
