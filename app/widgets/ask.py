"""A yes/no question in a message box whose default answer is No (the cautious one)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    """True when the user answers Yes; No, Esc and closing the box answer False."""
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title, text, buttons, QMessageBox.StandardButton.No) == QMessageBox.StandardButton.Yes
