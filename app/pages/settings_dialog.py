"""Settings dialog: camera, weights (with checksum), device, clinic, data folder."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.pages.settings_logic import NO_CUDA_BUILD, cuda_unavailable_reason, data_folder_placeholder
from app.settings import (
    DEMO_SIDES,
    DEVICES,
    LIVE_SOURCES,
    SOURCE_KINDS,
    CameraSettings,
    ClinicSettings,
    ModelSettings,
    Settings,
    SettingsError,
    check_data_folder,
    check_logo,
    check_weights,
    declared_range,
    update_group,
)
from app.weights_info import weights_info
from app.widgets.elided_label import ElidedLabel
from app.widgets.file_dialog_history import without_folder_history
from app.widgets.fonts import SMALL, scale_font
from app.widgets.page_stack import PageArea
from app.widgets.plain_text import plain
from app.widgets.screen_fit import opening_size
from app.widgets.tones import ERROR, WARNING, set_tone
from app.widgets.wrapped_check import wrapped_check
from models.labels import GRADES

CHECKSUM_DELAY_MS = 400  # pause in typing the weights path before the file is hashed
SOURCE_LABELS = {"demo": "Demo patient (synthetic)", "camera": "Camera (OpenCV)", "video": "Video file", "folder": "Folder of photos"}


def _spin(group: type, name: str) -> QSpinBox:
    box = QSpinBox()
    declared = declared_range(group, name)
    if declared is not None:
        box.setRange(int(declared.low), int(declared.high))
    return box


def _path_row(edit: QLineEdit, pick) -> QWidget:
    """`edit` with its Browse… button, named after the field (a screen reader said "Browse…
    button" five times over with no word of what each picks)."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    button = QPushButton("Browse\u2026")
    name = f"Browse for the {edit.accessibleName().lower()}"
    button.setAccessibleName(name)
    button.setToolTip(name)
    button.clicked.connect(pick)
    layout.addWidget(edit, 1)
    layout.addWidget(button)
    return row


class SettingsDialog(QDialog):
    """Edits a copy of the settings; `result_settings` holds the validated values after Save."""

    def __init__(self, settings: Settings, parent: QWidget | None = None, folder_in_use: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.original = settings
        self.result_settings: Settings | None = None
        c, m, k = settings.camera, settings.model, settings.clinic

        self.source = QComboBox()
        for kind in SOURCE_KINDS:
            self.source.addItem(SOURCE_LABELS[kind], kind)
        self.index = _spin(CameraSettings, "index")
        self.width_spin = _spin(CameraSettings, "width")
        self.height_spin = _spin(CameraSettings, "height")
        self.fps = _spin(CameraSettings, "fps")
        self.video = QLineEdit()
        self.folder = QLineEdit()
        # the form's labels name the rows around these fields (with their Browse buttons), so
        # a screen reader would announce them unnamed
        self.video.setAccessibleName("Video file")
        self.folder.setAccessibleName("Photo folder")
        # the long boxes' words wrap (at 18 pt the dialog scrolled sideways, their ends cut)
        self.mirror, mirror_row = wrapped_check("Mirror the live camera preview (photos are never mirrored)")
        self.auto = QCheckBox("Auto-capture the peak-intensity frame")
        self.demo_grade = QComboBox()  # House-Brackmann I-VI; the setting stores 1-6
        self.demo_grade.addItems(list(GRADES))
        self.demo_side = QComboBox()
        self.demo_side.addItems(list(DEMO_SIDES))
        self.demo_seed = _spin(CameraSettings, "demo_seed")
        self._show_camera(c)
        camera_box = QGroupBox("Camera")
        cf = QFormLayout(camera_box)
        cf.addRow("Source", self.source)
        cf.addRow("Camera index", self.index)
        size = QHBoxLayout()
        size.addWidget(self.width_spin)
        size.addWidget(QLabel("\u00d7"))
        size.addWidget(self.height_spin)
        size.addWidget(QLabel("at"))
        size.addWidget(self.fps)
        size.addWidget(QLabel("fps"))
        cf.addRow("Resolution", size)
        video_row, folder_row = _path_row(self.video, self._pick_video), _path_row(self.folder, self._pick_folder)
        cf.addRow("Video file", video_row)
        cf.addRow("Photo folder", folder_row)
        demo = QHBoxLayout()
        demo.addWidget(QLabel("grade"))
        demo.addWidget(self.demo_grade)
        demo.addWidget(QLabel("side"))
        demo.addWidget(self.demo_side)
        demo.addWidget(QLabel("seed"))
        demo.addWidget(self.demo_seed)
        cf.addRow("Demo patient", demo)
        cf.addRow("", mirror_row)
        cf.addRow("", self.auto)
        # only the chosen source's fields are shown (all of them at once read as all needed)
        # (each row's field: QFormLayout.setRowVisible takes the widget or layout of a row)
        rows = {"camera": (self.index, size), "video": (video_row,), "folder": (folder_row,), "demo": (demo,)}

        def show_source_rows() -> None:
            chosen = self.source.currentData()
            for kind, fields in rows.items():
                for field in fields:
                    cf.setRowVisible(field, kind == chosen)
            cf.setRowVisible(mirror_row, chosen in LIVE_SOURCES)  # a stored photo is never mirrored

        self.source.currentIndexChanged.connect(show_source_rows)
        show_source_rows()

        self.weights = QLineEdit()
        self.weights.setAccessibleName("Weights file")
        self.weights.setPlaceholderText("shipped demonstration weights")
        self.device = QComboBox()
        self.device.addItems(list(DEVICES))
        self.mirror_parsing, mirror_parsing_row = wrapped_check(
            "Parse and grade each photo and its mirror (steadier grades; about twice the network's time)")
        self._show_model(m)  # before the weights field is watched: its file is hashed once, below
        # Typing a path hashes the file it names once, after a pause (CHECKSUM_DELAY_MS), not at
        # every keystroke; a path set at once (Browse) is checked at once.
        self._checksum_timer = QTimer(self)
        self._checksum_timer.setSingleShot(True)
        self._checksum_timer.setInterval(CHECKSUM_DELAY_MS)
        self._checksum_timer.timeout.connect(self._update_checksum)
        self.weights.textChanged.connect(self._weights_changed)
        self.checksum = plain(QLabel())  # names the weights file: shown as typed, never as HTML
        self.checksum.setWordWrap(True)
        scale_font(self.checksum, SMALL)
        mono = self.checksum.font()
        mono.setFamily("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.checksum.setFont(mono)
        self._explain_cuda()
        model_box = QGroupBox("Model")
        mf = QFormLayout(model_box)
        mf.addRow("Weights file", _path_row(self.weights, self._pick_weights))
        mf.addRow("Checksum", self.checksum)
        mf.addRow("Compute device", self.device)
        mf.addRow("", mirror_parsing_row)

        self.clinic = QLineEdit(k.clinic_name)
        self.logo = QLineEdit(k.logo_path)
        self.logo.setAccessibleName("Logo for reports")
        self.logo_note = plain(QLabel("Not found now: reports are refused until its drive is connected; clear the "
                                      "field for reports without a logo."))
        self.logo_note.setWordWrap(True)
        scale_font(self.logo_note, SMALL)
        set_tone(self.logo_note, WARNING)  # plain grey read as a hint, not as reports being refused
        self.clinician = QLineEdit(k.clinician)
        self.data_folder = QLineEdit(k.data_folder)
        self.data_folder.setAccessibleName("Data folder")
        self.data_folder.setPlaceholderText(data_folder_placeholder())
        # the folder this session's records go to; a new one is used from the next start
        # one line, a long path shortened in the middle and whole in the tooltip (a word-wrapped
        # label here was given one line's height and cut mid-line)
        self.folder_in_use = ElidedLabel(f"In use now: {folder_in_use}" if folder_in_use is not None else "",
                                         mode=Qt.TextElideMode.ElideMiddle)
        self.folder_in_use.setVisible(folder_in_use is not None)
        self.folder_note = plain(QLabel("A change takes effect at the next start."))
        self.folder_note.setVisible(folder_in_use is not None)
        clinic_box = QGroupBox("Clinic and storage")
        kf = QFormLayout(clinic_box)
        kf.addRow("Clinic name", self.clinic)
        kf.addRow("Logo for reports", _path_row(self.logo, self._pick_logo))
        kf.addRow("", self.logo_note)
        self._watch_missing_logo(kf, k.logo_path)
        kf.addRow("Default clinician", self.clinician)
        kf.addRow("Data folder", _path_row(self.data_folder, self._pick_data))
        kf.addRow("", self.folder_in_use)
        kf.addRow("", self.folder_note)

        self.error = plain(QLabel())  # errors quote the paths typed above
        set_tone(self.error, ERROR)  # readable on a dark palette too
        # the form's labels are separate widgets: a screen reader names each field by these
        for widget, name in ((self.source, "Camera source"), (self.demo_grade, "Demo patient grade"),
                             (self.demo_side, "Demo patient affected side"), (self.demo_seed, "Demo patient seed"),
                             (self.device, "Compute device"), (self.clinic, "Clinic name"),
                             (self.clinician, "Default clinician"), (self.index, "Camera index"),
                             (self.width_spin, "Camera width"), (self.height_spin, "Camera height"),
                             (self.fps, "Camera frames per second")):
            widget.setAccessibleName(name)
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        restore = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.setText("&Restore defaults")  # Alt+R
        restore.setToolTip("Camera and model settings back to their defaults; the source, camera index, video "
                           "and photo folder, the weights file and the clinic's name, logo, clinician and data "
                           "folder stay. Nothing is saved until Save.")
        restore.clicked.connect(self.restore_defaults)
        # the groups scroll and Save/Cancel (with the error above them) stay below them: at
        # 200 % with a taskbar (960×500 to draw on) the dialog was 529 high, Save off the screen
        groups = QWidget()
        groups_layout = QVBoxLayout(groups)
        groups_layout.setContentsMargins(0, 0, 0, 0)
        for box in (camera_box, model_box, clinic_box):
            groups_layout.addWidget(box)
        groups_layout.addStretch(1)
        # as the window's pages: the groups get the view or their minimum (then scroll), Tab
        # shows the whole control it goes to, and the area itself is no Tab stop (it drew no mark)
        self.scroll = PageArea(groups)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.error.hide()  # shown with an error only: empty, it left a gap above Save and Cancel
        self.buttons = buttons
        self._update_checksum()  # its line counts in the height the groups want
        self._groups, self._boxes = groups, (camera_box, model_box, clinic_box)
        self.resize(opening_size(self.screen(), *self._wanted_size()))
        # the camera source's rows (index, resolution) made the dialog, sized for the demo's one
        # row, scroll although the screen had room: it grows with them (after show_source_rows)
        self.source.currentIndexChanged.connect(self._grow_to_groups)
        self._opened_at = self.size()  # until shown: a wrapped check box's row is measured at its width then

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        QTimer.singleShot(0, self, self._fit_height_once_shown)

    def _fit_height_once_shown(self) -> None:
        """The height the groups want once their rows have their widths (before, a wrapped check
        box's one line counted as two: an empty band above Save), unless the user sized it."""
        if self._opened_at is None or self.size() != self._opened_at:
            self._opened_at = None
            return
        self._opened_at = None
        wanted = opening_size(self.screen(), self.width(), self._wanted_size()[1])
        if wanted.height() != self.height():
            self.resize(self.width(), wanted.height())

    def _wanted_size(self) -> tuple[int, int]:
        """The width and height that show the groups, Save and Cancel without scrolling."""
        groups, layout = self._groups, self.layout()
        # the groups' forms laid out before measuring: at 18 pt their minimum read 693 pixels
        # before and 996 after the dialog showed, and it opened scrolling sideways
        for box in self._boxes:
            box.layout().activate()
        groups.layout().invalidate()  # a size hint cached before the labels were filled in was 10 pixels short
        wanted = groups.sizeHint()
        room_for_path = self.folder_in_use.sizeHint().width() + 200  # the form's labels and margins
        # the groups, Save and Cancel and the dialog's margins, and no more: a fixed +120 left
        # an empty band above the buttons
        margins = layout.contentsMargins()
        # at least the groups' minimum: the wrapped check boxes no longer widen the hint, and at
        # 18 pt the checksum's line and the demo row then scrolled sideways
        width = max(wanted.width() + 40, groups.minimumSizeHint().width() + 40, 720, room_for_path)
        # the wrapped check boxes take as many lines as the width the dialog gets gives them
        inner = max(opening_size(self.screen(), width, 1).width() - margins.left() - margins.right(),
                    groups.minimumSizeHint().width())
        groups_high = groups.heightForWidth(inner) if groups.hasHeightForWidth() else wanted.height()
        height = groups_high + layout.spacing() + self.buttons.sizeHint().height() + margins.top() + margins.bottom()
        return width, height

    def _grow_to_groups(self) -> None:
        """Taller, within the screen, when the source chosen shows more rows than fit; never
        smaller (a size the user chose stays), and kept on the screen."""
        wanted = opening_size(self.screen(), self.width(), self._wanted_size()[1])
        if wanted.height() <= self.height():
            return
        self.resize(self.width(), wanted.height())
        screen = self.screen()
        if screen is not None and self.isVisible():
            room = screen.availableGeometry()
            if self.frameGeometry().bottom() > room.bottom():
                self.move(self.x(), max(room.top(), room.bottom() - self.frameGeometry().height() + 1))

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002, N802 - Qt naming
        """Tab from Save or Cancel into the groups: the control it lands on is scrolled into view
        too (the area scrolls only for moves between its own controls)."""
        moved = super().focusNextPrevChild(next)
        focused = self.focusWidget()
        if moved and focused is not None:
            self.scroll.show_widget(focused)  # nothing for a control outside the groups
        return moved

    def _show_camera(self, c: CameraSettings) -> None:
        """The camera group's fields show `c` (at opening, and for Restore defaults)."""
        self.source.setCurrentIndex(SOURCE_KINDS.index(c.source))
        for box, value in ((self.index, c.index), (self.width_spin, c.width), (self.height_spin, c.height),
                           (self.fps, c.fps), (self.demo_seed, c.demo_seed)):
            box.setValue(value)
        self.video.setText(c.video_path)
        self.folder.setText(c.folder_path)
        self.mirror.setChecked(c.mirror_preview)
        self.auto.setChecked(c.auto_capture)
        self.demo_grade.setCurrentIndex(c.demo_grade - 1)
        self.demo_side.setCurrentIndex(DEMO_SIDES.index(c.demo_side))

    def _show_model(self, m: ModelSettings) -> None:
        """The model group's fields show `m` (at opening, and for Restore defaults)."""
        self.weights.setText(m.weights_path)
        self.device.setCurrentIndex(DEVICES.index(m.device))
        self.mirror_parsing.setChecked(m.mirror_parsing)

    def restore_defaults(self) -> None:
        """The camera and model fields show their defaults, saved only by Save. The source (with
        its camera index, video file and photo folder), the weights file and the clinic's group
        stay as they are: the station's camera, the clinic's own weights, name, logo, clinician
        and data folder are choices, not preferences (the default source is the synthetic demo
        patient, which a camera station then photographed; a default weights file would grade
        with the demonstration weights; a default data folder would open other records at the
        next start)."""
        defaults = Settings()
        self._show_camera(replace(defaults.camera, source=self.source.currentData(), index=self.index.value(),
                                  video_path=self.video.text(), folder_path=self.folder.text()))
        self._show_model(replace(defaults.model, weights_path=self.weights.text()))
        self.error.hide()  # it spoke of values no longer shown

    def _watch_missing_logo(self, form: QFormLayout, saved: str) -> None:
        """The line under the logo field shows while the saved logo cannot be found now (a drive
        not connected today): reports are refused until it is back, but it blocks no other
        setting. It goes once the field is changed (a new logo is checked at Save)."""
        missing = bool(saved) and not os.path.isfile(saved)  # isfile: an odd path is not found, never an error
        form.setRowVisible(self.logo_note, missing)
        if missing:
            self.logo.textChanged.connect(lambda text: form.setRowVisible(self.logo_note, text.strip() == saved))

    def _explain_cuda(self) -> None:
        """`cuda` is disabled where this PyTorch has no CUDA at all, and says why either way
        when no GPU can be used now (a saved `cuda` stays selected: the user changes it)."""
        reason = cuda_unavailable_reason()
        if reason is None:
            return
        index = DEVICES.index("cuda")
        self.device.setItemData(index, reason, Qt.ItemDataRole.ToolTipRole)
        if reason == NO_CUDA_BUILD:
            self.device.model().item(index).setEnabled(False)
        self.device.setToolTip(f"cuda: {reason}")

    def _weights_changed(self) -> None:
        if self.weights.isModified():  # typed: wait for a pause; the last file's verdict goes now
            self.checksum.setText("checking…")
            self._checksum_timer.start()
        else:  # set by the program (Browse): check now
            self._checksum_timer.stop()
            self._update_checksum()

    def _update_checksum(self) -> None:
        self.checksum.setText(weights_info(self.weights.text().strip()).summary())

    def _pick_video(self) -> None:
        path, _ = without_folder_history(lambda: QFileDialog.getOpenFileName(
            self, "Video file", self.video.text(), "Videos (*.mp4 *.avi *.mov *.mkv)"))
        if path:
            self.video.setText(path)

    def _pick_folder(self) -> None:
        path = without_folder_history(lambda: QFileDialog.getExistingDirectory(self, "Folder of photos", self.folder.text()))
        if path:
            self.folder.setText(path)

    def _pick_weights(self) -> None:
        path, _ = without_folder_history(lambda: QFileDialog.getOpenFileName(
            self, "Weights file", self.weights.text(), "Palsy Grader weights (*.pt)"))
        if path:
            self.weights.setText(path)

    def _pick_logo(self) -> None:
        path, _ = without_folder_history(lambda: QFileDialog.getOpenFileName(
            self, "Clinic logo", self.logo.text(), "Images (*.png *.jpg *.jpeg)"))
        if path:
            self.logo.setText(path)

    def _pick_data(self) -> None:
        path = without_folder_history(lambda: QFileDialog.getExistingDirectory(self, "Data folder", self.data_folder.text()))
        if path:
            self.data_folder.setText(path)

    def collect(self) -> Settings:
        """The edited settings, validated (SettingsError on a bad value)."""
        camera = update_group(self.original.camera, {
            "source": self.source.currentData(), "index": self.index.value(), "width": self.width_spin.value(),
            "height": self.height_spin.value(), "fps": self.fps.value(), "video_path": self.video.text().strip(),
            "folder_path": self.folder.text().strip(), "mirror_preview": self.mirror.isChecked(),
            "auto_capture": self.auto.isChecked(), "demo_grade": self.demo_grade.currentIndex() + 1,
            "demo_side": self.demo_side.currentText(), "demo_seed": self.demo_seed.value(),
        })
        model: ModelSettings = update_group(self.original.model, {
            "weights_path": self.weights.text().strip(), "device": self.device.currentText(),
            "mirror_parsing": self.mirror_parsing.isChecked(),
        })
        clinic: ClinicSettings = update_group(self.original.clinic, {
            "clinic_name": self.clinic.text().strip(), "logo_path": self.logo.text().strip(),
            "clinician": self.clinician.text().strip(), "data_folder": self.data_folder.text().strip(),
        })
        if clinic.logo_path != self.original.clinic.logo_path:  # a saved one on a drive not connected blocks nothing
            check_logo(clinic.logo_path)
        if model.weights_path != self.original.model.weights_path:  # as the data folder: the saved one blocks no other change
            check_weights(model.weights_path)
        if clinic.data_folder != self.original.clinic.data_folder:  # the one in use is not refused again
            check_data_folder(clinic.data_folder)
        return replace(self.original, camera=camera, model=model, clinic=clinic)

    def accept(self) -> None:
        try:
            self.result_settings = self.collect()
        except SettingsError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        super().accept()
