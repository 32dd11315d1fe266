"""Questions in a message box: yes/no with No as the default answer (the cautious one), and a
choice between named buttons with the first as the default and Esc as Cancel. The question
names patients and files: it is shown as typed, never as HTML (plain_text)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from app.widgets.plain_text import plain


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    """True when the user answers Yes; No, Esc and closing the box answer False."""
    box = plain(QMessageBox(QMessageBox.Icon.Question, title, text,
                            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent))
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    box.exec()
    answer = box.standardButton(box.clickedButton()) if box.clickedButton() is not None else QMessageBox.StandardButton.No
    box.deleteLater()
    return answer == QMessageBox.StandardButton.Yes


def ask_choice(parent: QWidget | None, title: str, text: str, choices: tuple[str, ...]) -> str | None:
    """One of `choices` (a button each, the first the default, pressed by Return), or None for
    Cancel, Esc or closing the box."""
    box = plain(QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent))
    buttons = [box.addButton(choice, QMessageBox.ButtonRole.AcceptRole) for choice in choices]
    box.setDefaultButton(buttons[0])
    box.setEscapeButton(box.button(QMessageBox.StandardButton.Cancel))
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return choices[buttons.index(clicked)] if clicked in buttons else None
