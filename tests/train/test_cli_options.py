"""Options that were silently ignored or misdescribed: `--epochs`'s help, `--data DIR:WEIGHT` for
one patient folder, `evaluate parsing --level`, and what `evaluate parsing` scored."""

from __future__ import annotations

import shutil

import pytest

from app.cli import main

pytestmark = pytest.mark.usefixtures("one_thread")


def test_epochs_help_says_samples_are_drawn_with_replacement(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "drawn at random with replacement" in text and "passes over the training images" not in text


@pytest.mark.parametrize("mode, extra", [("grading", ["--init", "x.pt"]), ("end-to-end", [])])
def test_a_sampling_weight_for_one_patient_folder_is_refused(tiny_patients, tmp_path, capsys, mode, extra):
    argv = ["train", mode, "--data", f"{tiny_patients}:3", "--epochs", "1", "--out", str(tmp_path / "g.pt"), *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert f"--data {tiny_patients}:3: a sampling weight is for palsy train parsing" in err
    assert not (tmp_path / "g.pt").exists()


def test_evaluate_parsing_refuses_level(tiny_patients, tiny_weights, capsys):
    argv = ["evaluate", "parsing", "--data", str(tiny_patients), "--weights", str(tiny_weights), "--level", "photo"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == "palsy: error: --level is for palsy evaluate grading; palsy evaluate parsing scores E1's masks " \
                  "(drop --level photo)\n"


def test_evaluate_parsing_says_what_it_scored(shared_data, tiny_weights, tmp_path, capsys):
    source = shared_data / "lfw_parts"
    names = [line.split(",")[0] for line in (source / "splits.csv").read_text().splitlines()[1:]][:3]
    data = tmp_path / "lfw3"
    for sub in ("images", "masks"):
        (data / sub).mkdir(parents=True)
    for name in names:
        shutil.copy(source / "images" / f"{name}.jpg", data / "images")
        shutil.copy(source / "masks" / f"{name}.png", data / "masks")
    shutil.copy(source / "classes.json", data)
    weights = str(tiny_weights)
    assert main(["evaluate", "parsing", "--data", str(data), "--weights", weights]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == ("scored 3 images: every image of the set, training images included (it has no held-out part: "
                     "no splits.csv with val or test rows)")
    (data / "splits.csv").write_text(f"name,split\n{names[0]},train\n{names[1]},val\n{names[2]},val\n")
    assert main(["evaluate", "parsing", "--data", str(data), "--weights", weights]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "scored 2 images: the val split"
    assert main(["evaluate", "parsing", "--data", str(data), "--weights", weights, "--split", "all"]) == 0
    assert capsys.readouterr().out.startswith("scored 3 images: every image of the set, training images included\n")
