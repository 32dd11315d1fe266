"""Review r1 D4: the capture page's patient line gives way in the order docs/gui.md gives
("drops the date of birth, then shortens the name, before it touches the ID"). It cut the name
to "…" to keep ", born 1951-02-03", and a narrower line, without the date, showed the name whole
again. Swept from wide to narrow with the font's metrics, offscreen."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
from PySide6.QtGui import QFontMetrics

from app.pages.capture_logic import capture_line
from app.pages.patient_label import PatientLabel
from app.settings import CameraSettings
from app.widgets.elided_label import END_ISOLATE, ISOLATE, ElidedLabel
from tests.gui.conftest import app_font

ID = "MRN-000123"
BORN = ", born 1951-02-03"
NAMES = {
    "latin": "Maria Guadalupe Fernández de la Concepción",
    "cjk": "山田太郎左衛門之助",
    "arabic": "محمد عبد الرحمن الحسيني",
}
HEAD = "Patient: "


def _name_shown(name: str) -> str:
    """What an elided name shows of the name: without the ellipsis and the zero-width joiner
    Qt puts before it after an Arabic letter."""
    return name.replace("\u2026", "").rstrip("\u200c\u200d")


@pytest.mark.parametrize("points", [None, 15])
@pytest.mark.parametrize("script", sorted(NAMES))
def test_the_date_of_birth_goes_before_the_name_and_the_name_before_the_id(
        qtbot, script: str, points: float | None) -> None:  # noqa: ANN001
    full_name = NAMES[script]
    line = capture_line(PatientLabel(full_name, f" ({ID}{BORN})"), CameraSettings())
    assert (line.head, line.name, line.detail) == (HEAD, full_name, f" ({ID}{BORN})")
    with app_font(points) if points else nullcontext():
        label = ElidedLabel()
        qtbot.addWidget(label)
        label.setContentsMargins(0, 0, 0, 0)
        label.set_parts(line.head, line.name, line.detail)
        metrics = QFontMetrics(label.font())
        widest = metrics.horizontalAdvance(label.full_text()) + 8
        seen: list[tuple[int, str, str]] = []  # (width, name shown, what follows it)
        for width in range(widest, label.minimumWidth() - 1, -1):
            label.resize(width, 30)
            label._elide()  # noqa: SLF001 - the width given, as after a resize on screen
            text = label.text()
            assert text.startswith(HEAD + ISOLATE) and text.count(END_ISOLATE) == 1  # RTL isolates kept
            name, after = text[len(HEAD + ISOLATE):].split(END_ISOLATE)
            seen.append((width, name, after))

    phases = []
    previous = len(full_name)
    for width, name, after in seen:
        shown = _name_shown(name)
        assert full_name.startswith(shown), (width, name)
        where = f"{width} px: {HEAD}{name}{after!r}"
        if BORN in after:  # the date of birth only beside the whole name
            assert name == full_name and after == f" ({ID}{BORN})", where
            phase = 0
        elif f" ({ID})" == after:  # the date gone, the name whole or shortened
            assert name == full_name or name.endswith("\u2026"), where
            phase = 1 if name == full_name else 2 if shown else 3
        else:  # the ID shortened only once no letter of the name is left
            assert name == "\u2026" and ID not in after, where
            phase = 4
        assert len(shown) <= previous, f"the name came back longer at {where}"
        previous = len(shown)
        if phase < 4:  # the name and the whole ID drawn inside the width
            assert metrics.horizontalAdvance(HEAD + name + after) <= width, where
        phases.append(phase)
    assert phases == sorted(phases), "a narrower line went back to an earlier step"
    # every step is seen: whole, without the date, the name shortened, "…", the ID shortened
    assert set(phases) == {0, 1, 2, 3, 4}, set(phases)
