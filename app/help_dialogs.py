"""Help menu windows: the loaded weights' model card (in plain words first, then the card file
beside the weights), the keyboard shortcuts (from the window's own actions) and About (the
version and the files support asks for)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app import version_text
from app.frozen_main import kept_log, no_log_reason, runtime_versions
from app.weights_info import DISCLAIMER, card_markdown
from app.widgets.screen_fit import opening_size


def native_keys(keys: str | QKeySequence) -> str:
    """A shortcut as this platform writes it, for labels and tooltips: "Ctrl+E" on Windows and
    Linux, "⌘E" on macOS (where Qt maps Ctrl to Cmd, so a hard-coded "Ctrl+E" is wrong)."""
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


def history_keys(platform: str | None = None) -> QKeySequence:
    """View > History: Ctrl+H, except on macOS, where Ctrl becomes Cmd and Cmd+H is the
    system's Hide: there Cmd+Y, the history key of Safari and Chrome (free in this app)."""
    platform = sys.platform if platform is None else platform
    return QKeySequence("Ctrl+Y" if platform == "darwin" else "Ctrl+H")


def analyse_keys(platform: str | None = None) -> str:
    """The Analyse shortcut to show on its button: both Ctrl+Return and Ctrl+Enter work; the
    main key is labelled Enter on Windows and Linux keyboards, Return (↩) on a Mac's."""
    platform = sys.platform if platform is None else platform
    return "Ctrl+Return" if platform == "darwin" else "Ctrl+Enter"


CONFIRM_KEYS = "Ctrl+Shift+Return"


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(what it does, its keys) for every action with a shortcut, in menu order; the menu's
    mnemonic '&' and trailing '…' are dropped, several keys are joined with ' or '."""
    rows = []
    for action in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        if keys:
            rows.append((action.text().replace("&", "").rstrip("\u2026"), " or ".join(keys)))
    return rows


def _text_window(parent: QWidget, title: str, markdown: str, height: int | None = 640) -> QDialog:
    """A dialog showing `markdown`, `height` px tall, or as tall as its text when None (within
    the screen, `opening_size`)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    browser = QTextBrowser()
    browser.setOpenExternalLinks(False)  # offline product: nothing opens a browser
    browser.setMarkdown(markdown)
    browser.setAccessibleName(title)  # a screen reader announced a nameless text
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(browser)
    layout.addWidget(buttons)
    if height is None:  # the text's own height at the dialog's width and the font in use
        browser.document().setTextWidth(760 - 2 * (layout.contentsMargins().left() + browser.frameWidth() + 4))
        margins = layout.contentsMargins()
        height = (int(browser.document().size().height()) + 2 * browser.frameWidth() + layout.spacing()
                  + buttons.sizeHint().height() + margins.top() + margins.bottom() + 8)
    dialog.resize(opening_size(dialog.screen(), 760, height))  # the Close button stays on a small screen
    dialog.finished.connect(dialog.deleteLater)
    dialog.browser = browser  # for tests
    return dialog


def model_card_window(parent: QWidget, weights_path: str, record: Mapping[str, Any] | None = None,
                      metrics: Mapping[str, Any] | None = None, is_demo: bool = False) -> QDialog:
    """The configured weights in plain words, their cautions, then their model card for whoever
    trained them (`card_markdown`; the arguments are its own)."""
    return _text_window(parent, "Model card", card_markdown(weights_path, record, metrics, is_demo))


def shortcuts_window(parent: QWidget, actions: Iterable[QAction]) -> QDialog:
    rows = "\n".join(f"| {what} | {keys} |" for what, keys in shortcut_rows(actions))
    text = ("# Keyboard shortcuts\n\n| action | keys |\n|---|---|\n" + rows + "\n\n"
            "Tab moves between controls and leaves every table and notes box; Return on a selected "
            "row starts the patient's assessment or opens the visit. Capture, Retake, Undo retake, the steps, "
            "Auto-capture, Reconnect, Analyse and Cancel work on the capture page, Confirm grade "
            f"({native_keys(CONFIRM_KEYS)}) and Export on the results page, where Return in the Clinician box "
            "goes on to Notes and does not confirm. The photo there is the page's last Tab stop: + and - "
            "zoom it, the arrow keys move it, 0 or Home show the whole photo. Down or Return in the patient "
            "search goes to the list.")
    return _text_window(parent, "Keyboard shortcuts", text)


def about_window(parent: QWidget, data_folder: str | os.PathLike[str]) -> QDialog:
    """What support asks on the phone: the version and the records database version it writes
    (which release can open a folder it upgraded), the runtime, the data folder and the log file
    to send (or why there is none), with the disclaimer. The text can be selected and copied."""
    from app.records.migrations import LATEST_VERSION

    log_file = kept_log()
    log_line = f"`{log_file}`" if log_file is not None else f"no log is being kept: {no_log_reason()}"
    text = (f"# Palsy Grader\n\n{DISCLAIMER}\n\n"
            f"- **Version:** {version_text()}\n"
            f"- **Records database version:** {LATEST_VERSION}\n"
            f"- **Runtime:** {runtime_versions()}\n"
            f"- **Data folder:** `{os.fspath(data_folder)}`\n"
            f"- **Log file:** {log_line}\n")
    # as tall as its lines at the font in use: a fixed 300 px hid the log file's line at 15 pt
    return _text_window(parent, "About Palsy Grader", text, height=None)
