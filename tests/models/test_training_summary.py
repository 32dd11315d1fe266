"""The report's "Training data" sentences from the training records checkpoints keep."""

from models.pipeline.training_summary import describe_training

DEMO = {
    "recipe": {"config": "compact", "train_patients": 600},
    "command": "palsy train demo",
    "stage1": {
        "stage": "parsing",
        "steps": 7478,
        "elapsed_s": 1800.4,
        "data": {
            "patients_train": {"images": 3600, "split": "all", "weight": 3.0},
            "fasseg": {"images": 167, "split": "train", "weight": 1.0},
        },
    },
    "stage1_fine": {
        "stage": "parsing_fine",
        "steps": 912,
        "data": {
            "patients_train": {"images": 3600, "split": "all", "weight": 3.0},
            "fasseg": {"images": 167, "split": "train", "weight": 1.0},
        },
    },
    "stage2": {"stage": "grading", "steps": 4845, "elapsed_s": 960.1, "data": {"patients": 600, "photos": 3600, "folder": "patients_train"}},
    "data_licences": "research / non-commercial (FASSEG)",
    "excluded": "celebamask_samples (licence forbids redistribution)",
    "machine": "x86_64 2 threads",
}


def test_demo_record_reads_as_sentences_not_a_dict():
    text = describe_training(DEMO)
    assert text.startswith("Trained with 'palsy train demo'.")
    assert "Face parsing (7478 steps, 30 min): patients_train (3600 images), fasseg (167 images, train part)." in text
    assert "Face parsing, fine-tune (912 steps): the same data." in text
    assert "Grading (E1 frozen) (4845 steps, 16 min): 600 patients (3600 photos) from patients_train." in text
    assert "Licences: research / non-commercial (FASSEG)." in text
    assert "Not used: celebamask_samples" in text
    # The recipe's and the machine's raw entries stay out of the clinician's report.
    assert "{" not in text and "train_patients" not in text and "x86_64" not in text


def test_a_reused_stage_says_an_earlier_run_trained_it():
    record = {**DEMO, "command": "palsy train demo --e1-from old.pt",
              "stage1": {**DEMO["stage1"], "reused_from": "old.pt", "reused_sha256": "557e"}}
    text = describe_training(record)
    assert "Face parsing (7478 steps, 30 min, in an earlier run): patients_train" in text
    assert "Grading (E1 frozen) (4845 steps, 16 min): 600 patients" in text  # this run's own stage


def test_single_stage_data_mapping_and_stage_record():
    data = {"lfw_parts": {"images": 1500, "split": "train", "weight": 1.0}}
    assert describe_training(data) == "lfw_parts (1500 images, train part)"
    stage = {"stage": "end-to-end", "steps": 1, "settings": {"lr": 2e-4}, "data": {"patients": 1, "photos": 6}}
    assert describe_training(stage) == "Grading, end to end (1 step): 1 patient (6 photos)."


def test_missing_and_unrecognised_records():
    assert describe_training(None) == "not recorded"
    assert describe_training({}) == "not recorded"
    assert describe_training("none (untrained test network)") == "none (untrained test network)"
    long = describe_training("x" * 1000)
    assert len(long) == 400 and long.endswith("…")


def test_a_parsing_set_called_patients_is_a_set_not_a_patient_count():
    # a clinic's folder named "patients" (the README's example) printed a raw dict in the PDF
    stage = {"stage": "parsing", "steps": 32, "data": {"patients": {"images": 96, "split": "train", "weight": 1.0}}}
    assert describe_training(stage) == "Face parsing (32 steps): patients (96 images, train part)."
