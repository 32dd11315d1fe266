"""Live camera preview: paints the newest frame with the face-position guide."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.widgets.qimage import rgb_to_qimage


class PreviewWidget(QWidget):
    """Shows frames scaled to fit, optionally mirrored (display only: stored photos never are),
    with an oval guide where the face should be and the detected face box."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._image: QImage | None = None
        self._frame_size = (0, 0)
        self._face_box: tuple[int, int, int, int] | None = None
        self._guide_ok = False
        self.mirror = True
        self.message = "No camera"
        self.setAccessibleName("Live camera preview")
        self._describe(self.message)

    def show_frame(self, rgb: np.ndarray, face_box: tuple[int, int, int, int] | None, guide_ok: bool,
                   frame_size: tuple[int, int] | None = None) -> None:
        """Display a frame (copied into a QImage here, on the GUI thread). `frame_size`: the
        (width, height) of the full frame `face_box` was found in, when `rgb` is its smaller
        display copy (`workers.display_copy`)."""
        image = rgb_to_qimage(rgb)
        self._image = image.flipped(Qt.Orientation.Horizontal) if self.mirror else image
        self._frame_size = tuple(frame_size) if frame_size is not None else (rgb.shape[1], rgb.shape[0])
        self._face_box = face_box
        self._guide_ok = guide_ok
        self._describe(guide_words(face_box, guide_ok))
        self.update()

    def clear(self, message: str = "No camera") -> None:
        self._image = None
        self.message = message
        self._describe(message)
        self.update()

    def _describe(self, words: str) -> None:
        """What the preview shows, for a screen reader: the guide's state is drawn (colour and
        line style, `guide_pen`), not said. Set when it changes, not at every frame (60 a second)."""
        if self.accessibleDescription() != words:
            self.setAccessibleDescription(words)

    def _target(self) -> QRectF:
        w, h = self._frame_size
        if not w or not h:
            return QRectF(self.rect())
        scale = min(self.width() / w, self.height() / h)
        tw, th = w * scale, h * scale
        return QRectF((self.width() - tw) / 2, (self.height() - th) / 2, tw, th)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(30, 30, 34))
        if self._image is None:
            painter.setPen(QColor(220, 220, 220))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message)
            return
        target = self._target()
        painter.drawImage(target, self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = guide_pen(self._guide_ok)
        colour = pen.color()
        painter.setPen(pen)
        # guide: an upright oval, 78 % of the frame height, centred
        gh = target.height() * 0.78
        gw = gh * 0.72
        painter.drawEllipse(QRectF(target.center().x() - gw / 2, target.center().y() - gh / 2, gw, gh))
        if self._face_box is not None:
            x, y, w, h = self._face_box
            scale = target.width() / self._frame_size[0]
            if self.mirror:
                x = self._frame_size[0] - x - w
            painter.setPen(QPen(colour, 2))
            painter.drawRect(QRectF(target.left() + x * scale, target.top() + y * scale, w * scale, h * scale))
        painter.end()


def guide_pen(guide_ok: bool) -> QPen:
    """The guide oval's pen: solid green when every live check passed, dashed amber until then.
    Not by colour alone: under red-green colour blindness the two colours look alike (yellow)."""
    if guide_ok:
        return QPen(QColor(60, 200, 90), 3, Qt.PenStyle.SolidLine)
    return QPen(QColor(240, 170, 40), 3, Qt.PenStyle.DashLine)


def guide_words(face_box: tuple[int, int, int, int] | None, guide_ok: bool) -> str:
    """The guide's state in words, as its pen draws it (`guide_pen`: solid green when every
    live check passed, the face's place and size among them; dashed amber: not yet)."""
    if guide_ok:
        return "Face in the guide, every check passed: ready to capture"
    if face_box is None:
        return "No face found: move into the guide"
    return "Face found, not ready: see the checks below the preview"
