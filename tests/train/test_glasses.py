"""Wire-rim glasses drawn on stage-1 training faces (`models.data.glasses`) and their wiring."""

import numpy as np
import pytest

from models.data.augment import Augmenter
from models.data.glasses import draw_glasses
from models.labels import CLASS_INDEX, NUM_CLASSES
from models.train.losses import LabelSpace
from models.train.sources import ParsingBatcher, ParsingSource

EYES = np.array([CLASS_INDEX["left_eye"], CLASS_INDEX["right_eye"]])


def _face(eyes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """A flat skin-coloured 200 x 200 face with one or two eye blobs 60 px apart."""
    image = np.full((200, 200, 3), (200, 160, 140), np.uint8)
    mask = np.full((200, 200), CLASS_INDEX["skin"], np.uint8)
    mask[95:105, 60:80] = CLASS_INDEX["right_eye"]  # the subject's right eye, on the image's left
    if eyes == 2:
        mask[95:105, 120:140] = CLASS_INDEX["left_eye"]
    return image, mask


def test_glasses_are_drawn_around_the_eyes_and_the_mask_is_untouched():
    image, mask = _face()
    before, mask_before = image.copy(), mask.copy()
    out = draw_glasses(image, mask, EYES, np.random.default_rng(0))
    assert np.array_equal(image, before) and np.array_equal(mask, mask_before)  # inputs not modified
    changed = np.any(out != image, axis=2)
    ys, xs = np.nonzero(changed)
    assert changed.sum() > 100  # two rims, a bridge and temples
    assert ys.min() > 60 and ys.max() < 140  # at eye height
    assert xs.min() < 70 and xs.max() > 130  # across both eyes
    assert not changed[:50].any() and not changed[160:].any()  # forehead and chin stay as they were
    assert np.array_equal(out, draw_glasses(image, mask, EYES, np.random.default_rng(0)))  # same rng, same glasses
    assert not np.array_equal(out, draw_glasses(image, mask, EYES, np.random.default_rng(1)))


def test_one_eye_gets_one_rim_and_no_eye_gets_nothing():
    image, mask = _face(eyes=1)
    changed = np.any(draw_glasses(image, mask, EYES, np.random.default_rng(0)) != image, axis=2)
    ys, xs = np.nonzero(changed)
    assert changed.any() and xs.max() < 100  # around the one eye only
    mask[:] = CLASS_INDEX["skin"]
    assert draw_glasses(image, mask, EYES, np.random.default_rng(0)) is image


def test_labels_within_finds_every_label_that_means_an_eye():
    space = LabelSpace()
    allowed = np.zeros((3, NUM_CLASSES), bool)  # a coarse set: background, skin, eyes (both)
    allowed[0, CLASS_INDEX["background"]] = True
    allowed[1, CLASS_INDEX["skin"]] = True
    allowed[2, EYES] = True
    table = space.register(allowed)
    eyes = space.labels_within(EYES)
    assert sorted(eyes.tolist()) == sorted([*EYES.tolist(), int(table[2])])
    assert int(table[1]) not in eyes and int(table[2]) >= NUM_CLASSES


def test_batcher_draws_glasses_on_that_fraction_of_faces_only():
    image, mask = _face()
    source = ParsingSource("faces", [image], [mask])
    still = Augmenter(64, scale=(1.0, 1.0), rotation=0.0, shift=0.0, mirror_p=0.0, jitter=0.0)
    plain, plain_masks = ParsingBatcher([source], [1.0], still, 4)(np.random.default_rng(0))
    again, _ = ParsingBatcher([source], [1.0], still, 4, glasses_p=0.0, eye_labels=EYES)(np.random.default_rng(0))
    worn, worn_masks = ParsingBatcher([source], [1.0], still, 4, glasses_p=1.0, eye_labels=EYES)(np.random.default_rng(0))
    assert np.array_equal(plain.numpy(), again.numpy())  # 0 draws nothing extra from the rng
    assert np.array_equal(plain_masks.numpy(), worn_masks.numpy())  # labels as they were
    assert all(not np.array_equal(plain[k].numpy(), worn[k].numpy()) for k in range(4))
    with pytest.raises(ValueError, match="labels that mean an eye"):
        ParsingBatcher([source], [1.0], still, 4, glasses_p=0.5)


def test_train_parsing_records_the_fraction(tiny_patients, tmp_path, one_thread):
    from app.cli import main
    from models.checkpoint import read_checkpoint

    out = tmp_path / "p.pt"
    args = ["train", "parsing", "--data", str(tiny_patients), "--input-size", "64", "--epochs", "0.02", "--out", str(out)]
    assert main(args + ["--glasses", "0.5"]) == 0
    assert read_checkpoint(out)["training"]["glasses_p"] == 0.5


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "grading", "--data", "/nonexistent", "--glasses", "0.3"], "--glasses is for palsy train parsing and palsy train demo"),
        (["train", "clinic", "--data", "/nonexistent", "--glasses", "0.3"], "--glasses is for palsy train parsing and palsy train demo"),
        (["train", "demo", "--glasses", "2"], "--glasses 2 must be a fraction from 0 to 1"),
        (["train", "parsing", "--data", "/work/shared/data/fasseg", "--minutes", "1", "--glasses", "-0.1"], "--glasses -0.1 must be a fraction from 0 to 1"),
    ],
)
def test_glasses_mistakes_exit_2_with_one_line(argv, message, capsys):
    from app.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
