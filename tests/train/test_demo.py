"""The demo recipe end to end at toy scale: stages, metrics, fp16 checkpoint, manifest, card."""

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from models.cascade import build_model
from models.checkpoint import load_checkpoint, read_checkpoint, sha256_of
from models.counted import counted
from models.data.parsing import ParsingDataset
from models.errors import InputError
from models.train.card import top_probability_sentence
from models.train.demo import DemoRecipe, run_demo
from models.train.evaluation import evaluate_parsing, grading_reports
from models.train.machine import describe_machine
from models.train.stages import GRADING_AUGMENT

from .conftest import draw_patients

SETS = ("lfw_parts_fine", "fasseg_fine", "lfw_parts", "fasseg")


def _mini_copy(src: Path, dst: Path) -> None:
    """A few training and validation photos of a real parsing set, in the same layout."""
    ds = ParsingDataset.open(src)
    names = ds.split_names("train")[:2] + ds.split_names("val")[:2]
    (dst / "images").mkdir(parents=True)
    (dst / "masks").mkdir()
    shutil.copy(src / "classes.json", dst / "classes.json")
    if (src / "splits.csv").is_file():
        (dst / "splits.csv").write_text("name,split\n" + "".join(f"{n},{ds.splits[n]}\n" for n in names))
    for n in names:
        shutil.copy(src / "images" / f"{n}.jpg", dst / "images" / f"{n}.jpg")
        shutil.copy(src / "masks" / f"{n}.png", dst / "masks" / f"{n}.png")


def _stored(path: Path, part: str) -> dict[str, torch.Tensor]:
    """The weights of one network (`part`: "e1" or "e2") as a checkpoint stores them, floating ones
    as fp32 (as `load_checkpoint` gives them), read without building the network."""
    prefix = f"{part}."
    return {k[len(prefix):]: v.float() if v.is_floating_point() else v
            for k, v in read_checkpoint(path)["state_dict"].items() if k.startswith(prefix)}


def _input_size(path: Path) -> int:
    return read_checkpoint(path)["config"]["input_size"]


@pytest.mark.usefixtures("one_thread")
def test_demo_recipe_at_toy_scale(shared_data, tmp_path):
    for name in SETS:
        _mini_copy(shared_data / name, tmp_path / "data" / name)
    # Progressive resizing as the real recipe does it: stages at 32 px, fine-tuned at 64 px.
    # One torch thread (run_demo sets the recipe's): the test shares its cores with other work.
    # Three held-out patients: every score below is compared with a rescoring, whatever the count.
    recipe = DemoRecipe(
        input_size=64, base_size=32, data_root=str(tmp_path / "data"), work=str(tmp_path / "work"), train_patients=6,
        eval_patients=3, compare_patients=3, threads=1, batch_size=2, stage1_minutes=0.02, stage1_fine_minutes=0.02,
        stage2_minutes=0.02, stage2_fine_minutes=0.02, compare_minutes=0.01, stage2_ordinal_weight=5.0, stage2_cache_variants=4,
        grading_at="input",  # the default, "base", is the --e1-from run's below
    )
    rendered = []

    def render(out: Path, n: int, seed: int) -> None:
        rendered.append(seed)
        draw_patients(out, n, seed)

    weights = tmp_path / "weights"
    results = run_demo(recipe, torch.device("cpu"), weights_dir=weights, render=render)
    assert rendered == [recipe.train_seed, recipe.eval_seed]
    manifest = json.loads((weights / "manifest.json").read_text())
    entry = manifest["files"]["demo_compact.pt"]
    assert entry == {"sha256": sha256_of(weights / "demo_compact.pt"), "config": "compact", "card": "demo_compact.md"}
    payload = read_checkpoint(weights / "demo_compact.pt")
    assert "train_state" not in payload
    assert all(t.dtype != torch.float32 for t in payload["state_dict"].values())  # fp16 storage
    assert payload["metrics"]["fasseg_val"]["classes"].keys() == {"background", "skin", "hair", "eyes", "nose", "mouth"}
    model, meta = load_checkpoint(weights / "demo_compact.pt")
    # The toy recipe's sizes are not the defaults, so the command line names them.
    assert model.config.input_size == 64 and meta["training"]["command"] == "palsy train demo --base-size 32 --grading-at input"
    # The shipped network is the 64-px fine-tune; stage 1, stage 2 and the comparison ran at 32 px.
    state = results["state"]
    assert {"stage1_fine", "stage2_fine"} <= state.keys() and state["stage2_fine"]["steps"] > 0
    assert _input_size(tmp_path / "work" / "stage1.pt") == 32
    assert _input_size(tmp_path / "work" / "compare_end_to_end.pt") == 32
    fine_e2 = _stored(tmp_path / "work" / "stage2_fine.pt", "e2")
    assert all(torch.equal(fine_e2[k].half().float(), v.float()) for k, v in model.e2.state_dict().items())
    e1_fine = _stored(tmp_path / "work" / "stage1_fine.pt", "e1")
    assert all(torch.equal(e1_fine[k].half().float(), v.float()) for k, v in model.e1.state_dict().items())  # E1 frozen in stage 2
    # Stage 2 and both comparison runs train with the recipe's ordinal term (0 by default; 5 here).
    for name in ("stage2", "stage2_fine", "compare_cascaded", "compare_end_to_end"):
        assert read_checkpoint(tmp_path / "work" / f"{name}.pt")["training"]["ordinal_weight"] == recipe.stage2_ordinal_weight > 0
    card = (weights / "demo_compact.md").read_text()
    assert f"cross-entropy + {recipe.stage2_ordinal_weight:g} x the ordinal term" in card
    assert "NOT for diagnosis" in card and "celebamask" in card.lower() and "end-to-end" in card
    assert f"- Wall time on {describe_machine(torch.device('cpu'))}: rendering" in card
    assert "trained at 32 px, then fine-tuned at 64 px" in card and card.count("minutes at 64 px from those weights") == 2
    assert results["state"]["compare_end_to_end"]["patient_level"]["confusion"]
    # The measured grade is scored too: from E1's masks and from the exact masks.
    metrics = results["state"]["metrics"]
    for key in ("synthetic_measured", "synthetic_measured_exact"):
        assert sum(map(sum, metrics[key]["confusion"])) + metrics[key]["unmeasured"] == recipe.eval_patients
    assert metrics["synthetic_measured_exact"]["unmeasured"] == recipe.eval_patients  # the cartoon faces never move
    assert "measured grade from E1's masks" in card and "measured grade from the exact masks at 64 px" in card
    # How high the top probability ran and how often the app flags it, from the same evaluation.
    top = top_probability_sentence(metrics["synthetic_grading_patient"]["top_probability"],
                               f"held-out synthetic patients (seed {recipe.eval_seed})")
    assert "the network's probability for its grade (its top probability, shown beside the network grade on the results page and in the report) is" in top and top in card
    # The metrics are those of the file as shipped (fp16), scored by `palsy evaluate`'s code.
    assert metrics["scored"] == "fp16 as shipped"
    reports = grading_reports(model, tmp_path / "work" / "patients_eval", "all", levels=("patient", "measured"))
    assert metrics["synthetic_grading_patient"] == reports["patient"] and metrics["synthetic_measured"] == reports["measured"]
    assert metrics["fasseg_val"] == evaluate_parsing(model, tmp_path / "data" / "fasseg", "val")
    # Stage 2's augmentation is the one the run recorded, not whatever the code says later.
    assert results["state"]["stage2"]["augment"]["rotation"] == GRADING_AUGMENT["rotation"]
    assert f"rotation ±{GRADING_AUGMENT['rotation']:g}°" in card
    # With --cache-variants, stage 2 and the cascaded comparison train on cached E1 features;
    # end-to-end cannot.
    for name in ("stage2", "stage2_fine", "compare_cascaded"):
        assert results["state"][name]["augment"]["cached"]["variants"] == recipe.stage2_cache_variants == 4
    assert "cached" not in results["state"]["compare_end_to_end"]["augment"]
    assert card.count("E2 trained on cached E1 features: 4 augmented copies") == 2
    # A rerun finds every stage done and only rewrites the shipped files; metrics recorded
    # before they were scored as shipped (older runs scored the fp32 stage checkpoint, without
    # the measured grade) are scored again, and the run's wall time is kept.
    state_path = tmp_path / "work" / "state.json"
    state = json.loads(state_path.read_text())
    del state["metrics"]["scored"], state["metrics"]["synthetic_measured"], state["metrics"]["synthetic_measured_exact"]
    state["run_wall_s"] = 4321.0
    state_path.write_text(json.dumps(state))
    again = run_demo(recipe, torch.device("cpu"), weights_dir=weights, render=render)
    assert rendered == [recipe.train_seed, recipe.eval_seed]
    assert again["state"]["stage1"] == results["state"]["stage1"]
    assert again["state"]["metrics"] == metrics
    assert again["run_wall_s"] == 4321.0 and "comparison below) 72.0 min" in (weights / "demo_compact.md").read_text()
    # With the metrics scored, a rerun only writes the files: it needs no derived file of the run.
    (tmp_path / "work" / "shipped_fp16.pt").unlink()
    shipped_at = (weights / "demo_compact.pt").stat().st_mtime_ns
    third = run_demo(recipe, torch.device("cpu"), weights_dir=weights, render=render)
    assert third["state"]["metrics"] == metrics and not (tmp_path / "work" / "shipped_fp16.pt").exists()
    # nothing changed since: the shipped file and the sha256 its manifest and card cite stay
    assert (weights / "demo_compact.pt").stat().st_mtime_ns == shipped_at and third["sha256"] == again["sha256"]
    assert read_checkpoint(weights / "demo_compact.pt")["metrics"] == metrics

    # --e1-from: a second run takes E1 from the shipped file instead of training stage 1; the
    # card tells where E1 came from and how that earlier run trained it.
    again = replace(recipe, work=str(tmp_path / "work2"), e1_from=str(weights / "demo_compact.pt"), compare_minutes=0.005,
                    grading_at=DemoRecipe.grading_at, stage2_cache_variants=DemoRecipe.stage2_cache_variants)
    second = run_demo(again, torch.device("cpu"), weights_dir=tmp_path / "weights2", render=render)
    st2 = second["state"]
    assert not (tmp_path / "work2" / "stage1.jsonl").exists() and not (tmp_path / "work2" / "stage1_fine.jsonl").exists()
    assert st2["stage1"]["reused_sha256"] == sha256_of(weights / "demo_compact.pt")
    assert st2["stage1"]["steps"] == state["stage1"]["steps"] and st2["stage1_fine"]["steps"] == state["stage1_fine"]["steps"]
    fresh_e2 = build_model(model.config.with_input_size(32), seed=recipe.seed).e2.state_dict()
    reused = _stored(tmp_path / "work2" / "stage1.pt", "e2")
    assert _input_size(tmp_path / "work2" / "stage1.pt") == 32 and all(torch.equal(fresh_e2[k], v) for k, v in reused.items())
    assert reused.keys() == fresh_e2.keys()
    model2, meta2 = load_checkpoint(tmp_path / "weights2" / "demo_compact.pt")
    assert all(torch.equal(model.e1.state_dict()[k], v) for k, v in model2.e1.state_dict().items())  # the same E1 ships
    assert meta2["training"]["command"] == f"palsy train demo --e1-from {again.e1_from} --base-size 32"
    card2 = (tmp_path / "weights2" / "demo_compact.md").read_text()
    assert "cached" not in st2["stage2"]["augment"] and "cached E1 features" not in card2  # the recipe's default: live
    assert "not retrained by this run: E1 taken from `demo_compact.pt`" in card2 and "palsy train demo --e1-from FILE" in card2
    assert f"Ran {counted(state['stage1']['steps'], 'step')} in" in card2 and "stage 1 ran in the earlier run" in card2
    # That run grades at the base size (the recipe's default, "base"): no stage-2 fine-tune; the shipped
    # cascade parses at 64 px with E2 from stage 2 grading at 32 px, and is scored so.
    assert "stage2_fine" not in st2 and not (tmp_path / "work2" / "stage2_fine.jsonl").exists()
    assert (model2.config.input_size, model2.config.grading_size, model2.config.e2_size) == (64, 32, 32)
    stage2_e2 = _stored(tmp_path / "work2" / "stage2.pt", "e2")
    assert all(torch.equal(stage2_e2[k].half().float(), v.float()) for k, v in model2.e2.state_dict().items())
    assert "The shipped cascade grades at 32 px" in card2 and "at input 64 px" in card2 and "E2 grading at 32 px" in card2
    assert "E2 grading at" not in card
    assert "The shipped cascade grades" not in card and "minutes at 64 px from those weights" in card2  # stage 1's
    assert st2["metrics"]["synthetic_grading_patient"] == grading_reports(
        model2, tmp_path / "work" / "patients_eval", "all", levels=("patient",))["patient"]
    # --e1-from a file that itself reused E1 names the run that trained E1, not the one that reused it.
    st2_path = tmp_path / "work2" / "state.json"
    moved = json.loads(st2_path.read_text())
    moved["stage1"]["source_machine"] = "the machine that trained E1"
    st2_path.write_text(json.dumps(moved))
    run_demo(again, torch.device("cpu"), weights_dir=tmp_path / "weights2", render=render)  # rewrites the shipped files
    chain_recipe = replace(again, work=str(tmp_path / "work3"), e1_from=str(tmp_path / "weights2" / "demo_compact.pt"))
    chained = run_demo(chain_recipe, torch.device("cpu"), weights_dir=tmp_path / "weights3", render=render)
    assert chained["state"]["stage1"]["source_machine"] == "the machine that trained E1" != second["machine"]
    assert chained["state"]["stage1"]["source_recipe"] == state["recipe"]  # the first run's, without e1_from
    assert chained["state"]["stage1"]["reused_sha256"] == sha256_of(tmp_path / "weights2" / "demo_compact.pt")
    assert "which an earlier run trained on the machine that trained E1" in (tmp_path / "weights3" / "demo_compact.md").read_text()
    # --e1-from FILE --keep-e2 --e1-polish-minutes M: stage 1 and stage 2 come from the file; the
    # whole E1 trains on at the input size; E2 ships unchanged; the card says all three.
    source = tmp_path / "weights2" / "demo_compact.pt"  # grades at 32 px, as the recipe does
    polish = replace(again, work=str(tmp_path / "work4"), e1_from=str(source), keep_e2=True, e1_polish_minutes=0.02)
    fourth = run_demo(polish, torch.device("cpu"), weights_dir=tmp_path / "weights4", render=render)
    st4 = fourth["state"]
    assert st4["stage1_polish"]["steps"] > 0 and (tmp_path / "work4" / "stage1_polish.jsonl").exists()
    assert st4["stage2"]["reused_sha256"] == sha256_of(source) and not (tmp_path / "work4" / "stage2.jsonl").exists()
    assert st4["stage2"]["steps"] == st2["stage2"]["steps"] and st4["stage2"]["source_machine"] == second["machine"]
    model4, meta4 = load_checkpoint(tmp_path / "weights4" / "demo_compact.pt")
    assert (model4.config.input_size, model4.config.e2_size) == (64, 32)
    assert all(torch.equal(model2.e2.state_dict()[k], v) for k, v in model4.e2.state_dict().items())  # E2 as shipped before
    assert any(not torch.equal(model2.e1.state_dict()[k], v) for k, v in model4.e1.state_dict().items())  # E1 trained on
    polished = _stored(tmp_path / "work4" / "stage1_polish.pt", "e1")
    assert all(torch.equal(polished[k].half().float(), v.float()) for k, v in model4.e1.state_dict().items())
    assert meta4["training"]["command"] == f"palsy train demo --e1-from {polish.e1_from} --keep-e2 --e1-polish-minutes 0.02 --base-size 32"
    card4 = (tmp_path / "weights4" / "demo_compact.md").read_text()
    assert "- E1 polish: the whole E1 trained on for 0.0 minutes at 64 px" in card4
    assert "not retrained by this run: E2 kept from `demo_compact.pt`" in card4
    assert "palsy train demo --e1-from FILE --keep-e2 --e1-polish-minutes 0.02" in card4
    assert "(E1 polish; stage 1 and stage 2 ran in earlier runs)" in card4
    assert f"{counted(st2['stage2']['steps'], 'step')} in" in card4
    assert st4["e1_earlier_polishes"] == [] and "E1 polish in an earlier run" not in card4
    # Polishing that file again: its polish is passed on, and the card lists it before this run's.
    shipped4 = tmp_path / "weights4" / "demo_compact.pt"
    fifth = run_demo(replace(polish, work=str(tmp_path / "work5"), e1_from=str(shipped4), glasses_p=0.5), torch.device("cpu"),
                     weights_dir=tmp_path / "weights5", render=render)
    earlier = fifth["state"]["e1_earlier_polishes"]
    assert [(p["steps"], p["sha256"], p["machine"]) for p in earlier] == [(st4["stage1_polish"]["steps"], sha256_of(shipped4), fourth["machine"])]
    assert read_checkpoint(tmp_path / "weights5" / "demo_compact.pt")["training"]["e1_earlier_polishes"] == earlier
    card5 = (tmp_path / "weights5" / "demo_compact.md").read_text()
    assert (f"- E1 polish in an earlier run (on {fourth['machine']}; its result: `demo_compact.pt`, sha256 "
            f"`{sha256_of(shipped4)[:16]}...`): the whole E1 trained on for 0.0 minutes at 64 px") in card5
    assert card5.index("E1 polish in an earlier run") < card5.index("- E1 polish in this run: the whole E1 trained on")
    assert "(E1 polish; stage 1, an earlier E1 polish and stage 2 ran in earlier runs)" in card5
    glasses = "augmentation and loss, wire-rim glasses drawn around the eyes of 50% of the training faces, poly LR"
    assert card5.count(glasses) == 1 and card5.index(glasses) > card5.index("- E1 polish in this run")
    assert fifth["state"]["recipe"]["glasses_p"] == 0.5 and "glasses" not in card4
    assert "`palsy train demo --e1-from FILE --keep-e2 --e1-polish-minutes 0.02 --glasses 0.5 --base-size 32`" in card5
    # --keep-e2 needs the file it keeps E2 from.
    with pytest.raises(InputError, match="--e1-from FILE with --keep-e2"):
        run_demo(replace(recipe, keep_e2=True), torch.device("cpu"), weights_dir=tmp_path / "w5", render=render)


def test_one_size_recipe_folds_the_fine_tuning_minutes_into_each_stage():
    recipe = DemoRecipe().at_one_size()  # `palsy train demo --base-size 256`
    assert recipe.base_size == recipe.input_size == recipe.first_size == recipe.e2_size == 256
    assert not recipe.resizes and not recipe.fine_tunes_e2
    assert (recipe.stage1_minutes, recipe.stage1_fine_minutes) == (DemoRecipe.stage1_minutes + DemoRecipe.stage1_fine_minutes, 0.0)
    assert (recipe.stage2_minutes, recipe.stage2_fine_minutes) == (DemoRecipe.stage2_minutes + DemoRecipe.stage2_fine_minutes, 0.0)
    recipe.check()
    # --e1-from FILE --base-size 256 --minutes 5: stage 2 and the two comparison arms share the 5 minutes.
    scaled = replace(recipe, e1_from="x.pt").scaled_to(5.0)
    assert scaled.stage2_minutes + 2 * scaled.compare_minutes == pytest.approx(5.0)
    assert scaled.stage2_minutes / scaled.compare_minutes == pytest.approx(DemoRecipe.stage2_minutes / DemoRecipe.compare_minutes)


@pytest.mark.usefixtures("one_thread")
def test_demo_at_one_size_trains_and_ships_e2_at_the_input_size(shared_data, tmp_path, tiny_weights):
    for name in SETS:
        _mini_copy(shared_data / name, tmp_path / "data" / name)
    recipe = DemoRecipe(input_size=64, data_root=str(tmp_path / "data"), work=str(tmp_path / "work"), train_patients=6,
                        eval_patients=3, compare_patients=3, threads=1, batch_size=2, stage2_minutes=0.02, compare_minutes=0.005,
                        e1_from=str(tiny_weights)).at_one_size()
    results = run_demo(recipe, torch.device("cpu"), weights_dir=tmp_path / "weights",
                       render=lambda out, n, seed: draw_patients(out, n, seed))
    state = results["state"]
    assert "stage1_fine" not in state and "stage2_fine" not in state
    assert _input_size(tmp_path / "work" / "stage2.pt") == 64  # stage 2 at the input size
    assert _input_size(tmp_path / "work" / "compare_cascaded.pt") == 64
    model, meta = load_checkpoint(tmp_path / "weights" / "demo_compact.pt")
    assert (model.config.input_size, model.config.grading_size, model.config.e2_size) == (64, 0, 64)
    stage2_e2 = _stored(tmp_path / "work" / "stage2.pt", "e2")
    assert all(torch.equal(stage2_e2[k].half().float(), v.float()) for k, v in model.e2.state_dict().items())
    assert meta["training"]["command"] == f"palsy train demo --e1-from {tiny_weights} --base-size 64"
    card = (tmp_path / "weights" / "demo_compact.md").read_text()
    assert "`palsy train demo --e1-from FILE --base-size 64`" in card
    assert "E2 grading at" not in card and "The shipped cascade grades" not in card and "progressive resizing" not in card
    assert "trained 0.0 minutes at 64 px on the same 3 synthetic patients" in card  # the comparison, at the input size
