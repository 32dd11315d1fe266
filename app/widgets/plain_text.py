"""Text that people typed or files named, shown as text: Qt guesses whether a label's or a
tooltip's text is HTML, so a patient named '<img src=...><font color=red>…' showed a picture
and big coloured words, and a clinician's name could fake a grade in the review box."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QMessageBox

Shown = TypeVar("Shown", QLabel, QMessageBox)


def plain(widget: Shown) -> Shown:
    """`widget` (a label or a message box) with its text always shown as typed, never as HTML."""
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def plain_tooltip(text: str) -> str:
    """`text` as a tooltip, or the text of a static message box (`QMessageBox.critical`), that
    reads as typed: neither has a plain-text setting, so text that Qt would take for HTML is
    escaped (other text is left as it is)."""
    return GuiQt.convertFromPlainText(text) if GuiQt.mightBeRichText(text) else text
