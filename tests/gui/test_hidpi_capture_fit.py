"""The capture page at a large font and the quality badges' colours: at 1920x1080 @150 % with
a 15 pt font the window is 1177 pixels wide and the page needed 1209 (three badges a row and
"Auto-capture at peak expression  [A]" on one line): it scrolled sideways and cut Capture and
Next; white on the grey and green badges was 3.48:1 and 4.25:1, under WCAG AA's 4.5:1."""

from __future__ import annotations

from PySide6.QtGui import QColor

WINDOW_WIDTH = 1177  # 92 % of 1280 logical pixels (1920 at 150 %), as the window opens
WINDOW_CHROME = 40  # the window's and the page area's margins around the page


def test_the_capture_page_fits_a_1280_pixel_screen_at_15_pt(qtbot, font_15pt) -> None:
    from app.pages.capture import CapturePage

    page = CapturePage()
    qtbot.addWidget(page)
    assert page.badges.font().pointSizeF() == 15
    assert page.minimumSizeHint().width() <= WINDOW_WIDTH - WINDOW_CHROME  # it was 1159 offscreen, 1209 on X11
    assert "[A]" in page.auto_box.text()  # the key is still said, as on the other buttons
    assert page.auto_box.toolTip()


def test_three_badges_a_row_at_the_usual_font_two_at_a_large_one() -> None:
    from app.widgets.quality_badges import MAX_WIDTH, badges_per_row

    assert badges_per_row(MAX_WIDTH // 3) == 3
    assert badges_per_row(MAX_WIDTH // 3 + 1) == 2


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    c = QColor(colour)
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_helper_matches_the_audit() -> None:
    assert round(contrast("#7f8c8d", "#ffffff"), 2) == 3.48
    assert round(contrast("#2e8b57", "#ffffff"), 2) == 4.25


def test_badge_text_reads_at_wcag_aa_on_every_badge_colour(qtbot) -> None:
    from app.pages.quality_logic import Badge, LiveQuality
    from app.widgets.quality_badges import GREEN, GREY, RED, QualityBadges

    for colour in (GREEN, RED, GREY):
        assert contrast(colour, "#ffffff") >= 4.5, colour
    badges = QualityBadges()
    qtbot.addWidget(badges)
    assert all(f"background: {GREY}" in label.styleSheet() for label in badges.labels.values())
    names = list(badges.labels)
    badges.show_quality(LiveQuality((Badge(names[0], "One face", True, ""), Badge(names[1], "Face size", False, "")), None))
    assert f"background: {GREEN}" in badges.labels[names[0]].styleSheet()
    assert f"background: {RED}" in badges.labels[names[1]].styleSheet()


def test_a_check_the_frame_does_not_carry_leaves_no_hole_in_the_rows(qtbot) -> None:
    # Resolution, hidden for the demo source, left an empty place: a lone badge in the row at two a row
    from app.pages.quality_logic import LABELS, Badge, LiveQuality
    from app.widgets.quality_badges import QualityBadges

    badges = QualityBadges()
    qtbot.addWidget(badges)
    carried = [name for name in LABELS if name != "face_resolution"]
    badges.show_quality(LiveQuality(tuple(Badge(name, LABELS[name], True) for name in carried), None))
    grid = badges.layout()
    places = [grid.getItemPosition(grid.indexOf(badges.labels[name]))[:2] for name in carried]
    assert places == [(i // badges.per_row, i % badges.per_row) for i in range(len(carried))]
    assert badges.labels["face_resolution"].isHidden()
    badges.show_quality(None)  # no frame: every badge in its own place again
    places = [grid.getItemPosition(grid.indexOf(label))[:2] for label in badges.labels.values()]
    assert places == [(i // badges.per_row, i % badges.per_row) for i in range(len(LABELS))]
