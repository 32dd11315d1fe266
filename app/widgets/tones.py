"""Text colours that stay readable on the palette in use: an error, a success, a warning or a
muted line, chosen by the window background's lightness and checked for a WCAG contrast of at
least 4.5:1 (hard-coded #444, #555, #1e6b3a and #c0392b were near invisible on a dark
palette). A label given a tone follows a later change of the application's palette."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

MIN_CONTRAST = 4.5  # WCAG 2 AA for body text

ERROR = "error"
SUCCESS = "success"
WARNING = "warning"
MUTED = "muted"  # secondary text: WindowText blended a little toward the background

# (on a light background, on a dark one); each is checked against the palette in use and
# replaced by WindowText where it falls short (a palette with unusual colours)
_TONES = {
    ERROR: ("#a93226", "#ff8a80"),
    SUCCESS: ("#1e6b3a", "#7dcea0"),
    WARNING: ("#8a5300", "#f5b041"),
}
_MUTED_BLEND = 0.3  # how far toward the background a muted line goes, at most


def relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black .. 1 white)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1 .. 21)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _backgrounds(palette: QPalette) -> tuple[QColor, QColor]:
    # a page is drawn on Window; its scroll area's viewport may fill with Base
    return palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.Base)


def _readable(colour: QColor, palette: QPalette) -> bool:
    return all(contrast_ratio(colour, bg) >= MIN_CONTRAST for bg in _backgrounds(palette))


def is_dark(palette: QPalette) -> bool:
    """The palette draws on a dark window background."""
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t)


def tone_colour(kind: str, palette: QPalette | None = None) -> QColor:
    """The colour of `kind` (ERROR, SUCCESS, WARNING, MUTED) on `palette` (the application's by
    default): contrast at least 4.5:1 against its window and base colours whenever its own
    WindowText has that much."""
    palette = palette if palette is not None else QApplication.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    if kind == MUTED:
        window = palette.color(QPalette.ColorRole.Window)
        for step in range(int(_MUTED_BLEND * 20), 0, -1):  # the lightest blend still readable
            colour = _blend(text, window, step / 20)
            if _readable(colour, palette):
                return colour
        return text
    light, dark = _TONES[kind]
    colour = QColor(dark if is_dark(palette) else light)
    return colour if _readable(colour, palette) else text


def tone_css(kind: str, palette: QPalette | None = None) -> str:
    """`tone_colour` as a style sheet / HTML colour ("#rrggbb")."""
    return tone_colour(kind, palette).name()


class _ToneKeeper(QObject):
    """Sets a widget's style sheet from the application palette, again when that palette changes."""

    def __init__(self, widget: QWidget, kind: str, extra_css: str) -> None:
        super().__init__(widget)
        self.kind = kind
        self.extra_css = extra_css
        widget.installEventFilter(self)
        self.apply(widget)

    def apply(self, widget: QWidget) -> None:
        css = f"color: {tone_css(self.kind)};"
        if self.extra_css:
            css += f" {self.extra_css}"
        if widget.styleSheet() != css:  # the same sheet again would re-polish, and change the palette again
            widget.setStyleSheet(css)  # no selector: the widget itself

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        # the application's palette changed (a dark theme switched on); a widget hears of it as
        # its own PaletteChange too, which its style sheet also causes (then the sheet is the same)
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange) and isinstance(watched, QWidget):
            self.apply(watched)
        return False


def set_tone(widget: QWidget, kind: str, extra_css: str = "") -> None:
    """Colour `widget`'s text as `kind` (ERROR, SUCCESS, WARNING, MUTED), readable on the
    application's palette now and after it changes; `extra_css` adds declarations
    ("font-weight: 700;"). The widget's style sheet is replaced."""
    # its own keeper only: a child's (a label inside a tinted frame) is that child's
    keeper = widget.findChild(_ToneKeeper, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if keeper is None:
        _ToneKeeper(widget, kind, extra_css)
    else:
        keeper.kind, keeper.extra_css = kind, extra_css
        keeper.apply(widget)
