"""The main window's menus and keyboard shortcuts, and which of them each page enables."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from app.help_dialogs import (
    CONFIRM_KEYS,
    about_window,
    history_keys,
    model_card_window,
    shortcuts_window,
)
from app.weights_info import weights_info
from app.widgets.key_action import KeyAwareAction
from app.widgets.screen_fit import opening_size


def platform_key(standard: QKeySequence.StandardKey, fallback: str) -> QKeySequence:
    """The platform's key for `standard`, or `fallback` where the platform has none (Qt maps
    no Quit key on Windows and no Preferences key on Linux or Windows)."""
    key = QKeySequence(standard)
    return key if not key.isEmpty() else QKeySequence(fallback)


class WindowActionsMixin:
    """Builds the QActions (kept on the window: `capture_action`, `export_action`, ...).

    Mixed into `MainWindow`, which provides the pages and the slots the actions call.
    """

    def _build_actions(self) -> None:
        def action(text: str, slot: Callable[[], Any], shortcut: str | QKeySequence | None = None) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        file_menu = self.menuBar().addMenu("&File")
        self.new_patient_action = action("&New patient\u2026", self.new_patient, QKeySequence.StandardKey.New)
        # the platform's Preferences key (Cmd+, on macOS) where it has one; Linux and Windows
        # have none, so Ctrl+, there; Quit likewise has none on Windows (and none offscreen),
        # where File -> Quit says Ctrl+Q
        self.settings_action = action("&Settings\u2026", self.open_settings,
                                      platform_key(QKeySequence.StandardKey.Preferences, "Ctrl+,"))
        self.quit_action = action("&Quit", self.quit_requested, platform_key(QKeySequence.StandardKey.Quit, "Ctrl+Q"))
        # the saved report of the visit on screen: in the system's viewer (which prints it), or a
        # copy where the user chooses (the stored one lies in the data folder, named by number)
        self.open_report_action = action("&Open report", self.open_report)
        self.copy_report_action = action("Save a &copy of the report\u2026", self.save_report_copy)
        for a in (self.new_patient_action, self.settings_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        for a in (self.open_report_action, self.copy_report_action):
            file_menu.addAction(a)
        file_menu.aboutToShow.connect(self.offer_report_actions)  # a grade confirmed again since, say
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        menu = self.menuBar().addMenu("&Assessment")
        # the Space key presses a focused button or box of the capture page, as anywhere in Qt, else
        # it captures; the menu's Capture always captures (it pressed the focused "Back to patients")
        self.capture_action = KeyAwareAction("&Capture", self)
        self.capture_action.setShortcut(QKeySequence("Space"))
        self.capture_action.triggered.connect(self._capture_triggered)
        self.addAction(self.capture_action)
        self.retake_action = action("&Retake", self.capture.retake, "R")
        # R is one key, typed by mistake too (type-ahead in the steps list): a retake is undone
        # (through a lambda: `triggered` would pass its checked flag as the session)
        self.undo_retake_action = action("&Undo retake", lambda: self.capture.undo_retake(), QKeySequence.StandardKey.Undo)
        self.capture.retaken.connect(self._offer_undo_retake)
        for a in (self.capture_action, self.retake_action, self.undo_retake_action):
            a.setAutoRepeat(False)  # a held key takes one photo, not one per repeat
        self.prev_action = action("&Previous step", self.capture.previous_step, "Left")
        self.next_action = action("Ne&xt step", self.capture.next_step, "Right")
        # each item of the menu its own letter: Alt+A then the letter runs it (C and U were taken twice)
        self.auto_capture_action = action("Au&to-capture at peak", self._auto_capture_switched, "A")
        self.auto_capture_action.setCheckable(True)  # mirrors the page's box, both ways
        self.capture.auto_box.toggled.connect(self.auto_capture_action.setChecked)
        self.reconnect_action = action("Reco&nnect camera", self._reconnect_camera, "F5")
        self.analyse_action = action("&Analyse", self.start_analysis, "Ctrl+Return")
        self.analyse_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])  # keypad Enter too
        self.cancel_action = action("Cancel analysis", self.cancel_analysis, "Escape")
        self.export_action = action("&Export PDF", self.export_pdf, "Ctrl+E")
        # Ctrl+Return analyses on the capture page; with Shift it confirms on the results page
        self.confirm_action = action("Con&firm grade", self._confirm_shortcut, CONFIRM_KEYS)
        self.confirm_action.setShortcuts([QKeySequence(CONFIRM_KEYS), QKeySequence("Ctrl+Shift+Enter")])
        for a in (self.capture_action, self.retake_action, self.undo_retake_action, self.prev_action, self.next_action,
                  self.auto_capture_action, self.reconnect_action):
            menu.addAction(a)
        menu.addSeparator()
        for a in (self.analyse_action, self.cancel_action, self.confirm_action, self.export_action):
            menu.addAction(a)

        view = self.menuBar().addMenu("&View")
        self.patients_action = action("&Patients", self.show_patients, "Ctrl+1")
        view.addAction(self.patients_action)
        # Ctrl+H; Cmd+Y on macOS, where Cmd+H would hide the application (history_keys)
        self.history_action = action("&History", self._history_shortcut, history_keys())
        view.addAction(self.history_action)
        self.find_patient_action = action("&Find patient", self.find_patient, QKeySequence.StandardKey.Find)
        view.addAction(self.find_patient_action)
        view.addSeparator()
        self.recent_messages_action = action("&Recent messages\u2026", self.show_recent_messages)
        view.addAction(self.recent_messages_action)

        help_menu = self.menuBar().addMenu("&Help")
        self.card_action = action("&Model card\u2026", self.show_model_card)
        self.shortcuts_action = action("&Keyboard shortcuts\u2026", self.show_shortcuts, QKeySequence.StandardKey.HelpContents)
        for a in (self.card_action, self.shortcuts_action, action("&About", self._about)):
            help_menu.addAction(a)

    def _page_changed(self, index: int) -> None:
        """The capture-step actions (and Analyse, Esc = cancel analysis) work on the capture page
        only, Ctrl+E on the results page only (Esc in the patients' search field cancelled an
        analysis nobody saw), Open report and Save a copy there once its report is saved; leaving
        the capture page stops the camera."""
        on_capture = self.stack.currentWidget() is self.capture
        for a in (self.capture_action, self.retake_action, self.undo_retake_action, self.prev_action, self.next_action,
                  self.analyse_action, self.cancel_action, self.auto_capture_action, self.reconnect_action):
            a.setEnabled(on_capture)
        self.export_action.setEnabled(self.stack.currentWidget() is self.results)
        self.confirm_action.setEnabled(self.stack.currentWidget() is self.results)
        self.offer_report_actions()
        self.clear_stale_message()  # a message about the page left does not stay on the new one
        if not on_capture and self.statusBar().currentMessage() == getattr(self, "_undo_message", None):
            self.statusBar().clearMessage()  # its Undo works on the capture page only: not offered elsewhere
        if not on_capture and self.capture.camera.running:
            self.capture.stop_camera()
        if not on_capture:
            self.drop_empty_draft()
        if self.stack.currentWidget() is self.patients:
            self.show_patient_title(None)
        if on_capture:  # its source starts as the page fills (after this change): then named
            QTimer.singleShot(0, self, self.source_started)
        # the keyboard starts on the new page (not on a widget of the page just hidden); after
        # this event-loop turn, once the page shows what it was switched to show
        QTimer.singleShot(0, self, self._focus_page)  # dropped if the window is gone

    def _offer_undo_retake(self, session: object, message: str) -> None:
        """A retake said in the status bar, with Undo for the assessment it was taken off."""
        self.notify(message)
        self.statusBar().offer([("Undo", lambda: self._undo_offered_retake(session))])
        self._undo_message = message  # taken away with the capture page (`_page_changed`)

    def _undo_offered_retake(self, session: object) -> None:
        """The status bar's Undo, while its message shows: only on the capture page (after Back
        to patients it put a photo back into a draft the patients page showed, or one already
        discarded for having none)."""
        if self.stack.currentWidget() is not self.capture:
            self.notify("Nothing put back: the assessment was left; resume it and take the photo again")
            return
        self.capture.undo_retake(session)

    def _capture_triggered(self) -> None:
        """Capture: by the Space key, a focused button of the page is pressed instead
        (`CapturePage.space_pressed`); from the menu, the photo is taken whatever has the keyboard."""
        if self.capture_action.from_key:
            self.capture.space_pressed()
        else:
            self.capture.capture_now()

    def _reconnect_camera(self) -> None:
        """F5 (or the menu): the source opened again, named in the status bar as it opens."""
        self.capture.retry_camera()
        self.source_started()

    def _auto_capture_switched(self) -> None:
        """A (or the menu): the page's box follows, and the status bar says which way it went,
        since a stray "a" typed in the steps list switches it too."""
        on = self.auto_capture_action.isChecked()
        self.capture.auto_box.setChecked(on)
        self.notify("Auto-capture at peak switched on (A switches it off)" if on
                    else "Auto-capture at peak switched off (A switches it on)")

    def _focus_page(self) -> None:
        if self._closed:
            return
        self.fit_width_to_page()  # the page filled now: as wide as it needs where the screen has room
        widget, self._focus_next = self._focus_next, None
        if widget is None or not self.stack.currentWidget().isAncestorOf(widget):
            widget = self.stack.currentWidget().initial_focus()
        if widget is None:
            return
        if not widget.hasFocus():
            widget.setFocus()
        # the style draws its focus mark (Fusion: only after a keyboard focus change, which
        # setFocus clears) on the control the keyboard starts on, the ticked grade among them
        self.setAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange, True)
        self.stack.ensure_visible(widget)  # also when it had the focus already: in view at a large font
        widget.update()

    def _confirm_shortcut(self) -> None:
        """Ctrl+Shift+Return: Confirm grade; on a read-only visit it says why nothing happens
        (as Ctrl+E does), where it did nothing, silently."""
        if self.results.read_only:
            self.notify("This visit is read-only: its grade was confirmed and cannot be confirmed again "
                        "(a new assessment grades the patient again)")
            return
        self.results.confirm()

    def find_patient(self) -> None:
        """Ctrl+F: the patients page's search field, its text selected to type over (from
        another page too, asked first as Back is)."""
        if self.stack.currentWidget() is not self.patients:
            self._focus_next = self.patients.search  # not the list, where the page would start
            self.show_patients()
            if self.stack.currentWidget() is not self.patients:  # the user chose to stay
                self._focus_next = None
                return
        self.patients.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.patients.search.selectAll()

    def _history_shortcut(self) -> None:
        """Ctrl+H (macOS: Cmd+Y): the history of the patient selected on the patients page (there), else of the
        patient being worked on; says so in the status bar when there is none."""
        if self.stack.currentWidget() is self.patients:
            patient_id = self.patients.selected()
            if not patient_id:
                self.notify("Select a patient to show their history")
                return
        else:
            patient_id = self.patient_id
            if not patient_id:
                self.notify("No patient to show the history of: choose one on the patients page")
                return
        self.show_history(patient_id)

    def show_model_card(self) -> QDialog:
        """The configured weights in plain words (the loaded checkpoint's record and figures), their
        cautions, then the card beside them. While none are loaded, the file's name and bytes say
        whether they are the demonstration weights (Settings' rule)."""
        handle = getattr(self, "model_handle", None)
        path = self.settings.model.weights_path
        if handle is None:
            dialog = model_card_window(self, path, is_demo=weights_info(path).is_demo)
        else:
            info = getattr(handle.model, "info", None)  # the loader's ModelInfo: the checkpoint's figures
            dialog = model_card_window(self, path, handle.meta, getattr(info, "metrics", None), handle.is_demo)
        dialog.open()
        return dialog

    def show_shortcuts(self) -> QDialog:
        tops = self.menuBar().actions()  # held: older PySide6 deleted the menus with a temporary list
        menus = [top.menu() for top in tops if top.menu() is not None]
        dialog = shortcuts_window(self, [a for menu in menus for a in menu.actions()])
        dialog.open()
        return dialog

    def show_recent_messages(self) -> QDialog:
        """The status bar's last messages in full, newest first (one cut short in the bar
        reads whole here, by keyboard: View > Recent messages)."""
        recent = list(reversed(self.statusBar().recent))
        # each message as the plain text it is, escaped: through Markdown a network path lost
        # its leading backslash, "*x*" its asterisks, and a line break broke the table; line
        # breaks and runs of spaces are kept
        cell = "<td style='white-space: pre-wrap; padding-right: 12px'>{}</td>"
        rows = "".join(f"<tr>{cell.format(html.escape(when))}{cell.format(html.escape(text))}</tr>"
                       for when, text in recent)
        text = (f"<h1>Recent messages</h1><table><tr><th align='left'>time</th><th align='left'>message</th></tr>{rows}</table>"
                if recent else "<h1>Recent messages</h1><p>No messages yet.</p>")
        dialog = QDialog(self)
        dialog.setWindowTitle("Recent messages")
        dialog.browser = QTextBrowser()  # read-only; Tab, arrows and Ctrl+C work in it
        dialog.browser.setOpenLinks(False)  # nothing in a message is a link to follow
        dialog.browser.setHtml(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(dialog.browser)
        layout.addWidget(buttons)
        dialog.resize(opening_size(dialog.screen(), 760, 420))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _about(self) -> QDialog:
        """The version, the data folder and the log file to send to support."""
        dialog = about_window(self, self.gateway.folder)
        dialog.open()
        return dialog
