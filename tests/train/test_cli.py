"""`palsy train` and `palsy evaluate` through the command line (DESIGN §8 JSON keys, exit codes)."""

import json

import pytest

from app.cli import main
from models.checkpoint import load_checkpoint, read_checkpoint
from models.train.evaluation import evaluate_parsing, grading_reports
from models.train.precision import cpu_has_bf16

from .conftest import draw_patients

pytestmark = pytest.mark.usefixtures("one_thread")


def test_evaluate_grading_json_keys(tiny_patients, tiny_weights, capsys):
    assert main(["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"accuracy", "recall", "confidence", "dice", "quadratic_kappa", "within_one", "per_grade", "confusion",
                           "top_probability", "split", "n"}  # the fused top probability per true grade, for the card
    assert (report["split"], report["n"]) == ("all", 18)  # what was scored: every patient of the set
    assert sum(map(sum, report["confusion"])) == 18  # one fused grade per patient
    assert main(["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--json", "--level", "photo"]) == 0
    assert sum(map(sum, json.loads(capsys.readouterr().out)["confusion"])) == 18 * 6


def test_evaluate_parsing_json_on_patients_and_on_fasseg(tiny_patients, tiny_weights, shared_data, capsys):
    assert main(["evaluate", "parsing", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"classes", "mean_f1", "miou", "split", "n"} and len(report["classes"]) == 11
    assert main(["evaluate", "parsing", "--data", str(shared_data / "fasseg"), "--weights", str(tiny_weights), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report["classes"]) == ["background", "skin", "hair", "eyes", "nose", "mouth"]
    assert 0.0 <= report["mean_f1"] <= 1.0


def test_evaluate_scores_mirror_averaged_masks_unless_single_pass(tiny_weights, tmp_path, capsys):
    tiny_patients = draw_patients(tmp_path / "six", 6, seed=1)  # one patient per grade: enough to compare two ways
    model, _ = load_checkpoint(tiny_weights)
    reports = {}
    for flag in ([], ["--single-pass"]):
        assert main(["evaluate", "parsing", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--json", *flag]) == 0
        reports[bool(flag)] = json.loads(capsys.readouterr().out)
        del reports[bool(flag)]["split"], reports[bool(flag)]["n"]  # what was scored, beside the scores
    assert reports[False] == json.loads(json.dumps(evaluate_parsing(model, tiny_patients, mirror=True)))
    assert reports[True] == json.loads(json.dumps(evaluate_parsing(model, tiny_patients, mirror=False)))
    assert reports[True] != reports[False]  # the untrained E1 is not mirror-equivariant
    expected_by_pass = {}  # one pass over the photos per way, for the levels the command line is asked for
    for level, single in (("measured", False), ("measured", True), ("patient", True)):
        args = ["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--json", "--level", level]
        assert main(args + (["--single-pass"] if single else [])) == 0
        if single not in expected_by_pass:
            expected_by_pass[single] = grading_reports(model, tiny_patients, mirror=not single, levels=("measured", "patient"))
        expected = expected_by_pass[single][level]
        shown = json.loads(capsys.readouterr().out)
        del shown["split"], shown["n"]
        assert shown == json.loads(json.dumps(expected))


def test_train_cli_then_evaluate(tiny_patients, tmp_path, capsys):
    out = tmp_path / "run.pt"
    args = ["train", "parsing", "--data", f"{tiny_patients}:1", "--input-size", "64", "--epochs", "0.05", "--out", str(out)]
    assert main(args + ["--batch-size", "4"]) == 0
    assert out.is_file() and out.with_suffix(".jsonl").is_file()
    args = ["train", "grading", "--data", str(tiny_patients), "--init", str(out), "--epochs", "0.05", "--out", str(tmp_path / "g.pt")]
    assert main(args + ["--precision", "bf16"]) == 0
    assert read_checkpoint(tmp_path / "g.pt")["training"]["settings"]["precision"] == "bf16"
    assert read_checkpoint(out)["training"]["settings"]["precision"] == ("bf16" if cpu_has_bf16() else "fp32")  # auto
    assert main(args + ["--out", str(tmp_path / "g2.pt")]) == 0
    assert read_checkpoint(tmp_path / "g2.pt")["training"]["settings"]["precision"] == "fp32"  # auto, grading
    assert read_checkpoint(tmp_path / "g2.pt")["training"]["ordinal_weight"] == 0.0  # the paper's loss by default
    assert main(args + ["--out", str(tmp_path / "g3.pt"), "--ordinal-weight", "5"]) == 0
    assert read_checkpoint(tmp_path / "g3.pt")["training"]["ordinal_weight"] == 5.0
    capsys.readouterr()
    assert main(["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(tmp_path / "g.pt"), "--split", "test"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("scored 3 patients: the test split\n") and "quadratic_kappa" in out
    # scored whole, the figures are said to include the training patients
    assert main(["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(tmp_path / "g.pt")]) == 0
    assert capsys.readouterr().out.startswith("scored 18 patients: every patient of the set, training patients included")


DEMO_ONLY = "--e1-from, --keep-e2, --e1-polish-minutes, --grading-at and --base-size are for palsy train demo"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["evaluate", "grading", "--data", "/nonexistent", "--weights", "x.pt"], "not found"),
        (["train", "parsing", "--minutes", "1"], "--data"),
        (["train", "grading", "--data", "/work/shared/data/fasseg", "--minutes", "1"], "--init"),
        (["train", "parsing", "--data", "/nonexistent", "--minutes", "1"], "not found"),
        (["train", "grading", "--data", "/nonexistent", "--e1-from", "x.pt"], DEMO_ONLY),
        (["train", "grading", "--data", "/nonexistent", "--grading-at", "base"], DEMO_ONLY),
        (["train", "parsing", "--data", "/nonexistent", "--keep-e2"], DEMO_ONLY),
        (["train", "parsing", "--data", "/nonexistent", "--e1-polish-minutes", "5"], DEMO_ONLY),
        (["train", "demo", "--e1-from", "/nonexistent/demo.pt"], "no such checkpoint file"),
        (["train", "demo", "--ordinal-weight", "-1"], "0 or more"),
        (["train", "demo", "--lr", "1e-3", "--epochs", "2"], "palsy train demo does not take --lr, --epochs: it follows its recipe"),
        (["train", "demo", "--init", "x.pt"], "palsy train demo does not take --init"),
        (["train", "grading", "--data", "/nonexistent", "--base-size", "256"], DEMO_ONLY),
        (["train", "demo", "--base-size", "100"], "--base-size 100: give a multiple of 32 from 32 to the input size (256)"),
        (["train", "demo", "--base-size", "512"], "--base-size 512: give a multiple of 32"),
        (["train", "demo", "--base-size", "256", "--grading-at", "input"], "--grading-at is for a base size below the input size"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_evaluate_grading_on_a_parsing_set_is_refused(tiny_weights, shared_data, capsys):
    assert main(["evaluate", "grading", "--data", str(shared_data / "fasseg"), "--weights", str(tiny_weights)]) == 2
    assert "labels.csv" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra, base, stage2, fine",
    [([], 128, 24.0, 0.0), (["--base-size", "256"], 256, 24.0, 0.0), (["--base-size", "64", "--grading-at", "input"], 64, 16.0, 8.0)],
)
def test_demo_base_size_reaches_the_recipe(extra, base, stage2, fine, monkeypatch, tmp_path):
    import models.train.demo as demo

    seen = []
    monkeypatch.setattr(demo, "run_demo", lambda recipe, **kwargs: seen.append(recipe))
    assert main(["train", "demo", "--e1-from", "x.pt", "--out", str(tmp_path), *extra]) == 0
    (recipe,) = seen
    assert (recipe.base_size, recipe.input_size, recipe.stage2_minutes, recipe.stage2_fine_minutes) == (base, 256, stage2, fine)
    assert recipe.e2_size == (256 if base == 256 or "--grading-at" in extra else base)
