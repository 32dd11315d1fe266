"""The demo card where no held-out patient got a measured grade (the cartoon faces never move,
so the exact masks measure none): the grading report's figures are then null, and the card
says "n/a" for them instead of failing to be written."""

import numpy as np

from models.labels import GRADES
from models.metrics import grading_report
from models.train.card import _grading_row, _measured_advice, _parsing_rows

N = len(GRADES)


def test_the_rows_and_the_advice_say_n_a_for_figures_of_nothing_scored():
    empty = {**grading_report(np.zeros((N, N), np.int64)), "unmeasured": 3}
    net = grading_report(np.diag([1, 1, 1, 0, 0, 0]))
    assert _grading_row("measured", empty) == "| measured | n/a | n/a | n/a | n/a | n/a | n/a |"
    assert _grading_row("network", net).startswith("| network | 1.000 | 1.000 | 1.000 | 1.000 | 1.000 | 1.000 |")
    assert _parsing_rows("fasseg", {"classes": {}, "mean_f1": None, "miou": None}) == "| fasseg | n/a | n/a |  |"
    metrics = {"synthetic_grading_patient": net, "synthetic_measured": empty, "synthetic_measured_exact": empty}
    (advice, _) = _measured_advice(metrics, 64)
    assert advice == ("In the app, the measured grade from these weights' masks graded none of the held-out patients "
                      "(no movement measured), so only the network grade was scored here: accuracy 1.000 (kappa 1.000, "
                      "within one 1.000); read it as a demonstration only. With exact masks the same measure graded "
                      "none of them either at 64 px.")
    # both scored: the figures side by side, as before
    (both, _) = _measured_advice({**metrics, "synthetic_measured": net, "synthetic_measured_exact": net}, 64)
    assert both.startswith("In the app, the measured grade from these weights' masks scored accuracy 1.000 (kappa "
                           "1.000, within one 1.000) against the network grade's 1.000 (1.000, 1.000): neither")
    assert both.endswith("With exact masks the same measure reaches 1.000 (kappa 1.000) at 64 px: sharper parsing of "
                         "brows and lips is what it lacks.")
