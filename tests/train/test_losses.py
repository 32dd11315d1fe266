"""Partial-label cross-entropy on hand-made cases, and the label space behind it."""

import math

import numpy as np
import torch
import torch.nn.functional as F

from models.labels import CLASS_INDEX, IGNORE_INDEX, NUM_CLASSES
from models.train.losses import LabelSpace, ordinal_grade_loss, partial_label_cross_entropy


def _one_pixel(logits: list[float]) -> torch.Tensor:
    return torch.tensor(logits, dtype=torch.float32).view(1, -1, 1, 1)


def test_two_allowed_classes_give_minus_log_of_summed_probability():
    logits = _one_pixel([0.5, 1.0, -0.3, 2.0] + [0.0] * (NUM_CLASSES - 4))
    p = torch.softmax(logits.view(-1), 0)
    allowed = torch.zeros(1, NUM_CLASSES, dtype=torch.bool)
    allowed[0, [1, 3]] = True
    loss = partial_label_cross_entropy(logits, torch.zeros(1, 1, 1, dtype=torch.long), allowed)
    assert math.isclose(float(loss), -math.log(float(p[1] + p[3])), rel_tol=1e-6)


def test_singleton_sets_equal_ordinary_cross_entropy_and_skip_ignore():
    torch.manual_seed(0)
    logits = torch.randn(2, NUM_CLASSES, 5, 4)
    target = torch.randint(0, NUM_CLASSES, (2, 5, 4))
    target[0, 0, :] = IGNORE_INDEX
    allowed = LabelSpace().allowed_tensor()
    expected = F.cross_entropy(logits, target, ignore_index=IGNORE_INDEX)
    assert torch.allclose(partial_label_cross_entropy(logits, target, allowed), expected, atol=1e-6)


def test_all_ignored_gives_zero_with_gradient():
    logits = torch.randn(1, NUM_CLASSES, 2, 2, requires_grad=True)
    target = torch.full((1, 2, 2), IGNORE_INDEX)
    loss = partial_label_cross_entropy(logits, target, LabelSpace().allowed_tensor())
    loss.backward()
    assert float(loss.detach()) == 0.0 and logits.grad is not None


def test_allowing_every_class_costs_nothing():
    logits = torch.randn(1, NUM_CLASSES, 3, 3)
    allowed = torch.ones(1, NUM_CLASSES, dtype=torch.bool)
    assert float(partial_label_cross_entropy(logits, torch.zeros(1, 3, 3, dtype=torch.long), allowed)) < 1e-6


def test_label_space_tables_for_a_coarse_set():
    space = LabelSpace()
    # FASSEG-like: background, skin, hair(+brows), eyes(left+right)
    allowed = np.zeros((4, NUM_CLASSES), bool)
    allowed[0, 0] = allowed[1, 1] = True
    allowed[2, [CLASS_INDEX["hair"], CLASS_INDEX["left_brow"], CLASS_INDEX["right_brow"]]] = True
    allowed[3, [CLASS_INDEX["left_eye"], CLASS_INDEX["right_eye"]]] = True
    table = space.register(allowed)
    assert table[0] == 0 and table[1] == 1
    assert table[2] >= NUM_CLASSES and table[3] >= NUM_CLASSES and table[2] != table[3]
    assert table[4] == IGNORE_INDEX and table[IGNORE_INDEX] == IGNORE_INDEX
    rows = space.allowed_tensor()
    assert rows[table[2]].sum() == 3 and bool(rows[table[2], CLASS_INDEX["left_brow"]])
    swap = space.swap_table
    assert swap[CLASS_INDEX["left_eye"]] == CLASS_INDEX["right_eye"]
    assert swap[table[3]] == table[3]  # both eyes stay both eyes


def test_asymmetric_set_gets_a_mirrored_partner():
    space = LabelSpace()
    allowed = np.zeros((1, NUM_CLASSES), bool)
    allowed[0, [CLASS_INDEX["skin"], CLASS_INDEX["left_eye"]]] = True
    label = space.register(allowed)[0]
    partner = space.swap_table[label]
    assert partner != label
    assert space.sets[partner] == (CLASS_INDEX["skin"], CLASS_INDEX["right_eye"])


def test_ordinal_term_on_uniform_logits_matches_hand_computation():
    # Uniform softmax: P(grade > k) = (5 - k) / 6 for k = 0..4; true grade I -> every target 0.
    loss = ordinal_grade_loss(torch.zeros(1, 6), torch.tensor([0]))
    expected = -sum(math.log(1 - (5 - k) / 6) for k in range(5)) / 5
    assert math.isclose(float(loss), expected, rel_tol=1e-5)
    # True grade VI -> every target 1.
    loss = ordinal_grade_loss(torch.zeros(1, 6), torch.tensor([5]))
    assert math.isclose(float(loss), -sum(math.log((5 - k) / 6) for k in range(5)) / 5, rel_tol=1e-5)


def test_ordinal_term_grows_with_the_distance_of_a_confident_answer():
    truth = torch.tensor([0])
    costs = [float(ordinal_grade_loss(F.one_hot(torch.tensor([g]), 6).float() * 20, truth)) for g in range(6)]
    assert costs[0] < 1e-3
    assert all(a < b for a, b in zip(costs, costs[1:], strict=False))
    # Cross-entropy alone charges every wrong grade the same.
    ce = [float(F.cross_entropy(F.one_hot(torch.tensor([g]), 6).float() * 20, truth)) for g in range(1, 6)]
    assert max(ce) - min(ce) < 1e-4
