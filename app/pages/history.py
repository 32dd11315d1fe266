"""History page: all assessments of a patient, grade and regional function over time."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pyqtgraph.graphicsItems.DateAxisItem as date_axis
import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.pages.history_logic import (
    CANNOT_BE_UNDONE,
    HISTORY_COLUMNS,
    REASON_MAX_LEN,
    REGION_LABELS,
    axis_times,
    grade_number,
    history_points,
    history_row,
    marker_size,
    selected_row,
    smooth_lines,
    time_axis_range,
    visit_order,
    withdrawable,
    withdrawn_note,
    zones_differ,
)
from app.pages.patient import on_return
from app.pages.patient_label import PatientLabel, label_parts
from app.records_gateway import AssessmentInfo
from app.widgets.elided_label import ElidedLabel
from app.widgets.fonts import HEADING, SMALL, scale_font
from app.widgets.plain_text import plain
from app.widgets.plot_menus import plot_widget
from app.widgets.tones import MUTED, set_tone
from models.labels import GRADES
from models.pipeline.measures import HOUSE_MEASURE

REGION_PENS = ("#222222", "#1f77b4", "#2ca02c", "#9467bd", "#d62728", "#e377c2", "#17becf")  # first: House measure
# each series has its own marker too: the lines do not differ by colour alone (red and green
# ones, brow and commissure, look alike to a red-green colour-blind reader)
REGION_SYMBOLS = ("o", "s", "t", "d", "x", "star", "+")
# grade points: a confirmed grade is a filled green disc, one nobody confirmed a grey square
CONFIRMED_SYMBOL, CONFIRMED_BRUSH = "o", "#2e8b57"
UNCONFIRMED_SYMBOL, UNCONFIRMED_BRUSH = "s", "#bbbbbb"
GRADE_PLOT_TITLE = "Grade over time"
# the shapes' key, a legend under the grade plot (in the band under its axis that lines it up
# with the function plot's): in the title it was cut at 150 % and at 18 pt on a 1280x800
# screen ("■ not confirmed" gone), and it is the only key to them. A grey square is the
# network's grade (not the measured one the table gives beside it): the key says so
CONFIRMED_KEY, UNCONFIRMED_KEY = "confirmed", "network's grade, not confirmed"
GRADE_KEY = "Green disc: grade confirmed; grey square: network's grade, not confirmed"  # for a screen reader
FUNCTION_PLOT_TITLE = "Measured function over time"
GRADE_AXIS_LABEL = "House-Brackmann grade"
GRADE_AXIS_SHORT = "HB grade"  # where the plot is too low for the whole name (a large font, a small window)
TITLE_ROW = 30  # pixels pyqtgraph gives a plot's title: the least it keeps
# the plots' titles and legend follow the page's font, never below pyqtgraph's sizes (11 and
# 9 pt: the usual font keeps its look); the legend a size smaller than the text, so that at
# 15 pt on a 1280-pixel screen its names still go two a row
TITLE_PT, LEGEND_PT = 11.0, 9.0


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class EnglishDateAxis(pg.DateAxisItem):
    """pyqtgraph's date axis with English month and day names whatever the locale: its strftime
    `%b` follows LC_TIME, which Qt sets from the system, and the axis read "Dez" in an English app."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802 - pyqtgraph's name
        spec = next((s for s in self.zoomLevel.tickSpecs if s.spacing == spacing), None)
        if spec is None or ("%b" not in spec.format and "%a" not in spec.format):
            return super().tickStrings(values, scale, spacing)  # numbers only: no names to translate
        strings = []
        for value in values:
            try:
                day = date_axis.utcfromtimestamp(date_axis.adjustTimestampToPreferredUtcOffset(value, self.utcOffset))
                names = spec.format.replace("%b", MONTHS[day.month - 1]).replace("%a", WEEKDAYS[day.weekday()])
                strings.append(day.strftime(names))
            except (OverflowError, ValueError, OSError):  # far outside the dates a record holds
                strings.append("")
        return strings


VISITS_SHARE = 35  # per cent of the height the visits' table starts with: more rows than the 2-5 of before, and the
# plots keep the height their lines had before the legend went below them (at 40 % they lost 30 px)
VISITS_MIN_ROWS = 6  # visits' rows the table starts with where the share gives fewer and the plots leave room
LEGEND_MAX_COLUMNS = 3
MIN_PLOT_HEIGHT = 80  # pixels the function plot's lines keep, besides its legend, title and axis
LEGEND_ROW = 4  # the PlotItem's grid row under its bottom axis
# what a chart with nothing to plot says in its middle (empty axes with day ticks, some in the
# future, said nothing; a history of one draft read like one whose grades were lost)
NO_GRADES = "No graded visits yet"
NO_FUNCTION = "No measured function yet"  # grades plotted, but no visit measured the function


def unfinished_words(drafts: int) -> str:
    """"1 unfinished assessment: no grade yet" ("2 unfinished assessments: …")."""
    return f"{drafts} unfinished assessment{'' if drafts == 1 else 's'}: no grade yet"


def empty_chart_words(assessments: list[AssessmentInfo]) -> str:
    """What the charts say when no visit has a grade to plot: the unfinished assessments when
    those are all the patient has, else NO_GRADES."""
    drafts = sum(a.status == "draft" for a in assessments)
    return unfinished_words(drafts) if drafts and drafts == len(assessments) else NO_GRADES


def drafts_hint(assessments: list[AssessmentInfo]) -> str:
    """The line under the visits of a history of unfinished assessments only: what they lack
    and where they are taken up; "" otherwise."""
    drafts = sum(a.status == "draft" for a in assessments)
    if not drafts or drafts != len(assessments):
        return ""
    where = "it" if drafts == 1 else "them"
    return f"{unfinished_words(drafts)}. Resume or discard {where} on the patients page."


def css_size(font: QFont, factor: float = 1.0, least_pt: float = 0.0) -> str:
    """`font`'s size times `factor`, at least `least_pt` points, as pyqtgraph's text items take
    it ("12.75pt"; pixels for a font set in pixels)."""
    points = font.pointSizeF()
    if points > 0:
        return f"{max(points * factor, least_pt):g}pt"
    return f"{max(round(font.pixelSize() * factor), round(least_pt * 4 / 3))}px"  # 96 pixels an inch


def legend_columns(width: float, entry_widths: list[float], spacing: float = 8.0) -> int:
    """How many legend entries a row holds in `width` pixels without cutting a name: the
    most columns (up to LEGEND_MAX_COLUMNS) whose widest entries, column by column, fit;
    at least one."""
    for columns in range(min(LEGEND_MAX_COLUMNS, len(entry_widths)), 1, -1):
        widest = [max(entry_widths[start::columns]) for start in range(columns)]
        if sum(widest) + spacing * (columns - 1) <= width:
            return columns
    return 1


ENTERED_IN_ERROR_TEXT = "Entered in error\u2026"
ENTERED_IN_ERROR_TIP = ("Mark the selected visit as entered in error (recorded under the wrong patient): it leaves "
                        "this history and later reports; nothing is deleted")
DRAFT_TIP = "An unfinished assessment is discarded from the patients page (Discard), not marked entered in error"


class EnteredInErrorDialog(QDialog):
    """The question of "Entered in error…" with the reason it requires: the confirming button
    stays disabled until a reason is typed (the audit trail keeps it); Cancel and Esc keep the visit.
    A question ending in CANNOT_BE_UNDONE shows that sentence on its own line, in bold (at the end
    of a long paragraph it went unread); all of it plain text."""

    def __init__(self, parent: QWidget | None, title: str, question: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        body, _sep, last = question.rpartition("\n\n")
        final = last == CANNOT_BE_UNDONE and bool(body)
        self.question = plain(QLabel(body if final else question))  # names the patient: shown as typed, never as HTML
        self.question.setWordWrap(True)
        self.warning = plain(QLabel(CANNOT_BE_UNDONE if final else ""))
        font = self.warning.font()
        font.setBold(True)
        self.warning.setFont(font)
        self.warning.setVisible(final)
        self.reason_edit = QLineEdit()
        self.reason_edit.setMaxLength(REASON_MAX_LEN)
        self.reason_edit.setPlaceholderText("for example: recorded under the wrong patient")
        self.reason_edit.setAccessibleName("Reason the visit was entered in error")
        reason_label = QLabel("&Reason (required):")
        reason_label.setBuddy(self.reason_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm_button = self.buttons.addButton("Mark entered in error", QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(lambda text: self.confirm_button.setEnabled(bool(text.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        if final:
            layout.addSpacing(self.fontMetrics().lineSpacing() // 2)  # with the layout's spacing, about a blank line
        layout.addWidget(self.warning)
        layout.addSpacing(self.fontMetrics().lineSpacing() // 2)  # the reason apart from the question
        layout.addWidget(reason_label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self.reason_edit.setFocus()

    def reason(self) -> str:
        """The reason typed, without surrounding spaces."""
        return self.reason_edit.text().strip()


def ask_entered_in_error(parent: QWidget | None, title: str, question: str) -> str | None:
    """The reason given when the user confirms (`EnteredInErrorDialog`), None for Cancel, Esc or
    closing the dialog."""
    dialog = EnteredInErrorDialog(parent, title, question)
    try:
        return dialog.reason() if dialog.exec() == QDialog.DialogCode.Accepted and dialog.reason() else None
    finally:
        dialog.deleteLater()


class HistoryPage(QWidget):
    """Table of assessments and a plot; Open shows one (read-only once confirmed, for review
    while it awaits one); "Entered in error…" withdraws an analysed or confirmed one."""

    open_requested = Signal(int)
    withdraw_requested = Signal(int)  # "Entered in error…" on the selected visit
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = ElidedLabel("History")
        scale_font(self.title, HEADING, bold=True)
        self.table = QTableWidget(0, len(HISTORY_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(HISTORY_COLUMNS))
        self.table.horizontalHeaderItem(HISTORY_COLUMNS.index("Function")).setToolTip(f"Measured function, by {HOUSE_MEASURE}")
        self.table.setAccessibleName("Assessments of this patient")
        # no row numbers: Qt's 1, 2, 3… read as visit or record numbers, which they are not
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # the date and time whole: stretched like the others it read "2026-12-06 …" at 15 pt
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move between rows
        self.table.doubleClicked.connect(lambda _i: self._open())
        on_return(self.table, self._open)
        self.table.itemSelectionChanged.connect(self._update_actions)
        # right click or the keyboard's menu key: Open and Entered in error… on the visit
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_visit_menu)
        self.grade_plot = plot_widget(background="w", axisItems={"bottom": EnglishDateAxis()})
        self.grade_plot.setLabel("left", GRADE_AXIS_LABEL)
        self.grade_plot.getAxis("left").setTicks([[(i + 1, g) for i, g in enumerate(GRADES)]])
        self.grade_plot.setYRange(0.5, 6.5)
        self.grade_plot.invertY(True)  # grade I (normal) at the top, as in the PDF report
        # confirmed and not confirmed differ by shape as well as colour (a colour-blind reader):
        # the legend under the plot says which is which, a row each where the plot is narrow
        self._graded = False  # grades are shown: the key is too
        self.grade_legend = pg.LegendItem(colCount=2)
        self.grade_plot.getPlotItem().layout.addItem(self.grade_legend, LEGEND_ROW, 1)
        self.grade_plot.getPlotItem().layout.setAlignment(self.grade_legend, Qt.AlignmentFlag.AlignTop)
        for symbol, brush, name in ((CONFIRMED_SYMBOL, CONFIRMED_BRUSH, CONFIRMED_KEY),
                                    (UNCONFIRMED_SYMBOL, UNCONFIRMED_BRUSH, UNCONFIRMED_KEY)):
            self.grade_legend.addItem(pg.ScatterPlotItem(symbol=symbol, brush=brush, pen=pg.mkPen("#555555"), size=9), name)
        self.grade_plot.setAccessibleDescription(GRADE_KEY)
        self.grade_plot.showGrid(y=True, alpha=0.3)
        self.function_plot = plot_widget(background="w", axisItems={"bottom": EnglishDateAxis()})
        self.function_plot.setLabel("left", "function %")
        self.function_plot.setYRange(0, 105, padding=0)
        self.function_plot.getAxis("left").setTicks([[(v, str(v)) for v in range(0, 101, 20)]])
        # the legend goes below the plot, as many entries a row as its width holds: in the plot
        # it hid a region at 100 %, and three a row cut "Brow elevati…" at 1024 pixels wide
        self.legend = pg.LegendItem(colCount=LEGEND_MAX_COLUMNS)
        function_item = self.function_plot.getPlotItem()
        function_item.layout.addItem(self.legend, LEGEND_ROW, 1)
        function_item.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)  # at its own height: _fit_legend
        function_item.legend = self.legend  # plot(name=...) adds its entry here, clear() removes it
        self.function_plot.setXLink(self.grade_plot)
        # a chart with nothing to plot says so in its middle (`_show_empty`)
        self.grade_message = self._chart_message(self.grade_plot)
        self.function_message = self._chart_message(self.function_plot)
        for plot, name in ((self.grade_plot, "Grade over time"), (self.function_plot, "Measured function over time")):
            plot.getPlotItem().hideButtons()  # pyqtgraph's "A" (auto-range) button: a control nobody needs here
            # no wheel zoom or drag pan: with no way back (no "A" button, no View All) a wheel turn
            # meant for the page rescaled the chart, grade axis too; the wheel scrolls the page
            plot.setMouseEnabled(False, False)
            # pictures, not controls: Tab passes them by (it stopped on them with no focus mark)
            plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            plot.setAccessibleName(name)
        self._plot_views = (self.grade_plot.viewport(), self.function_plot.viewport())
        for view in self._plot_views:
            view.installEventFilter(self)
        self.function_plot.installEventFilter(self)  # its width sets the legend's columns
        self.grade_plot.getAxis("left").geometryChanged.connect(self._fit_grade_label)
        self._fit_fonts()
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Show the selected assessment: confirmed ones read-only, analysed ones for review")
        self.open_button.clicked.connect(self._open)
        self.withdraw_button = QPushButton(ENTERED_IN_ERROR_TEXT)
        self.withdraw_button.setToolTip(ENTERED_IN_ERROR_TIP)
        self.withdraw_button.setEnabled(False)
        self.withdraw_button.clicked.connect(self._withdraw)
        self.back_button = QPushButton("Back to patients")
        self.back_button.clicked.connect(self.back_requested)
        # under the visits: "No assessments yet.", or how many visits marked entered in error are
        # not shown (a withdrawn visit left no trace, and an only visit withdrawn read "No assessments yet.")
        self.empty = plain(QLabel())
        self.empty.setWordWrap(True)
        set_tone(self.empty, MUTED)  # secondary, and readable on a dark palette too
        # "Entered in error…" on the left, apart from Open (beside it, the same look, a slip was easy);
        # Open stays rightmost; Tab goes left to right: Back, Entered in error…, Open
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addSpacing(self.fontMetrics().height() * 2)
        buttons.addWidget(self.withdraw_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        visits = QWidget()
        visits_layout = QVBoxLayout(visits)
        visits_layout.setContentsMargins(0, 0, 0, 0)
        visits_layout.addWidget(self.table, 1)
        visits_layout.addWidget(self.empty)
        self.plots = plots = QWidget()
        plots_layout = QHBoxLayout(plots)
        plots_layout.setContentsMargins(0, 0, 0, 0)
        plots_layout.addWidget(self.grade_plot, 1)
        plots_layout.addWidget(self.function_plot, 1)
        # the visits start with VISITS_SHARE % of the height, the plots with the rest, and the user moves the line
        # between them (the plots took two thirds: 2-5 visits of 41 showed)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(visits)
        self.splitter.addWidget(plots)
        # the share is set from the splitter's real height at each resize until the user moves the
        # line (set once before the page was shown, the splitter's growth went half to the table:
        # it took 56 % and the plots' lines kept 90 pixels at 1024x768)
        self._keep_share = True
        self.splitter.splitterMoved.connect(self._share_moved)
        self.splitter.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(buttons)
        self.assessments: list[AssessmentInfo] = []
        self.last_opened: int | None = None  # the visit last opened from this page: selected on return
        self._seen: frozenset[int] = frozenset()  # the visits listed when it was opened

    def show_history(self, patient_label: str | PatientLabel, assessments: list[AssessmentInfo],
                     withdrawn: int = 0) -> None:
        """Fill table and plots; `withdrawn`: how many of the patient's visits were marked entered
        in error (not among `assessments`), said under the table."""
        self.title.set_parts(*label_parts("History \u2013 ", patient_label))
        # whose visits: a screen reader reached the table as "Assessments of this patient"
        self.table.setAccessibleName(f"Assessments of {patient_label}")
        self.assessments = sorted(assessments, key=visit_order, reverse=True)  # newest first, by the moment
        # emptied first: filled over the rows it held, the date column (fitted to its contents)
        # was measured again at every item, 0.8 s for 500 visits against 15 ms into an empty table
        self.table.setRowCount(0)
        self.table.setRowCount(len(self.assessments))
        zoned = zones_differ(self.assessments)
        for row, a in enumerate(self.assessments):
            for col, text in enumerate(history_row(a, zoned)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, a.assessment_id)
                self.table.setItem(row, col, item)
        row = selected_row(self.assessments, self.last_opened, self._seen)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollToItem(self.table.item(row, 0))
        note = withdrawn_note(len(self.assessments), withdrawn)
        # a history of drafts only says what they lack (it said nothing, and the charts were empty)
        note = " ".join(part for part in (drafts_hint(self.assessments), note) if part)
        self.empty.setText(note)
        self.empty.setVisible(bool(note))  # empty, it took a line from the visits
        points = history_points(assessments)
        self.grade_plot.clear()
        self.function_plot.clear()
        graded = [(p.when.timestamp(), grade_number(p.grade), p.confirmed) for p in points if p.grade]
        self._graded = bool(graded)  # the grade plot's key shown with grades only
        if graded:
            x = np.array([g[0] for g in graded])
            y = np.array([g[1] for g in graded])
            # two pens and brushes shared by the points: one each made pyqtgraph draw every marker anew (60 ms at 500)
            pens = {True: pg.mkPen("#1b5e35"), False: pg.mkPen("#555555")}
            brushes = {True: pg.mkBrush(CONFIRMED_BRUSH), False: pg.mkBrush(UNCONFIRMED_BRUSH)}
            self.grade_plot.plot(x, y, pen=pg.mkPen("#4a7bd0", width=2), antialias=smooth_lines(len(graded)),
                                 symbol=[CONFIRMED_SYMBOL if g[2] else UNCONFIRMED_SYMBOL for g in graded],
                                 symbolSize=marker_size(len(graded), 11), symbolBrush=[brushes[g[2]] for g in graded],
                                 symbolPen=[pens[g[2]] for g in graded])
        series: dict[str, list[tuple[float, float]]] = {}
        for p in points:
            if p.function_percent is not None:
                series.setdefault(HOUSE_MEASURE, []).append((p.when.timestamp(), p.function_percent))
            for name, value in p.regions.items():
                if value is not None:
                    series.setdefault(REGION_LABELS.get(name, name.replace("_", " ")), []).append((p.when.timestamp(), value))
        for i, (name, values) in enumerate(series.items()):
            x = np.array([v[0] for v in values])
            y = np.array([v[1] for v in values])
            colour = REGION_PENS[i % len(REGION_PENS)]
            self.function_plot.plot(x, y, pen=pg.mkPen(colour, width=2), antialias=smooth_lines(len(values)),
                                    symbol=REGION_SYMBOLS[i % len(REGION_SYMBOLS)],
                                    symbolSize=marker_size(len(values), 9), symbolBrush=colour, symbolPen=colour, name=name)
        self._fit_legend()
        nothing = "" if graded or series else empty_chart_words(assessments)
        self._show_empty(self.grade_message, nothing if not graded else "")
        self._show_empty(self.function_message, nothing or ("" if series else NO_FUNCTION))
        for plot in (self.grade_plot, self.function_plot):  # no dates where no visit is plotted
            plot.getAxis("bottom").setTicks([] if nothing else None)
        # the function plot follows: the x axes are linked
        self.grade_plot.setXRange(*time_axis_range(axis_times(points)), padding=0)
        self.open_button.setEnabled(bool(self.assessments))
        self._update_actions()

    def _chart_message(self, plot: pg.PlotWidget) -> pg.TextItem:
        """A hidden line of text kept in the middle of `plot`'s drawing area (`_show_empty`)."""
        view = plot.getPlotItem().getViewBox()
        message = pg.TextItem(color="#555555", fill="w", anchor=(0.5, 0.5))  # white: legible over a grid line
        message.setParentItem(view)  # in the view's pixels, not the data's: centred whatever the range
        message.setVisible(False)

        def centre() -> None:
            message.setPos(view.width() / 2, view.height() / 2)

        view.sigResized.connect(centre)
        centre()
        return message

    def _show_empty(self, message: pg.TextItem, text: str) -> None:
        """`text` in the middle of its chart (in the page's font: `_fit_fonts`); none when ""."""
        message.setText(text)
        message.setVisible(bool(text))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        if not shiboken6.isValid(self):
            return False  # a page being torn down: its plots may be gone already
        if event.type() == QEvent.Type.Wheel and any(watched is view for view in self._plot_views):
            self._wheel_to_page(watched, event)  # not the chart's
            return True
        if event.type() != QEvent.Type.Resize:
            return False
        if watched is self.function_plot:
            self._fit_legend()
        elif isinstance(watched, QSplitter) and self._keep_share:
            self._apply_share()
        return False

    def _wheel_to_page(self, view: QWidget, event: QWheelEvent) -> None:
        """A wheel turn over a chart scrolls the page's scroll area (the window's `PageStack`)
        where there is one; the chart never takes it."""
        event.accept()
        area = self.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is None:
            return
        target = area.viewport()
        where = QPointF(target.mapFromGlobal(view.mapToGlobal(event.position())))
        QApplication.sendEvent(target, QWheelEvent(where, event.globalPosition(), event.pixelDelta(), event.angleDelta(),
                                                   event.buttons(), event.modifiers(), event.phase(), event.inverted()))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.FontChange:
            self._fit_fonts()
            self._fit_legend()
        super().changeEvent(event)

    def _fit_fonts(self) -> None:
        """The plots' text in the page's font: pyqtgraph's titles (11 pt) and legend (9 pt) kept
        their sizes beside 15 pt tick labels, and its time axes kept room for 18 pixels of text
        ("Jun" read "Iun" at 15 pt)."""
        font = self.font()
        title_size = css_size(font, least_pt=TITLE_PT)
        line = math.ceil(QFontMetricsF(font).height())
        for plot, title in ((self.grade_plot, GRADE_PLOT_TITLE), (self.function_plot, FUNCTION_PLOT_TITLE)):
            item = plot.getPlotItem()
            item.setTitle(title, size=title_size)
            title_row = max(TITLE_ROW, line + 8)
            item.titleLabel.setMaximumHeight(title_row)
            item.layout.setRowFixedHeight(0, title_row)
            for name in ("left", "bottom"):
                item.getAxis(name).setStyle(tickFont=font)
            bottom = item.getAxis("bottom")
            bottom.setHeight(line + bottom.style["tickTextOffset"][1] + max(0, bottom.style["tickLength"]))
            item.getAxis("left").label.setFont(font)
        for legend in (self.legend, self.grade_legend):
            legend.setLabelTextSize(css_size(font, SMALL, LEGEND_PT))
        for message in (self.grade_message, self.function_message):
            message.setFont(font)

    def _fit_grade_label(self) -> None:
        """The grade axis's name whole along the axis, shortened where the plot is too low for
        it (at 15 pt on a 1280x720 screen it ran past the axis's end into the corner)."""
        if not shiboken6.isValid(self):
            return  # a page being torn down
        axis = self.grade_plot.getAxis("left")
        whole = QFontMetricsF(axis.label.font()).horizontalAdvance(GRADE_AXIS_LABEL)
        text = GRADE_AXIS_LABEL if whole <= axis.geometry().height() else GRADE_AXIS_SHORT
        if axis.labelText != text:
            axis.setLabel(text)

    def _apply_share(self) -> None:
        """The visits VISITS_SHARE % of the splitter's height but at least VISITS_MIN_ROWS rows
        (where the plots' minimum leaves room), the plots the rest."""
        height = self.splitter.height() - self.splitter.handleWidth()
        if height <= 0:
            return
        table = self.table
        rows = (table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
                + VISITS_MIN_ROWS * table.verticalHeader().defaultSectionSize())
        visits = max(round(height * VISITS_SHARE / 100), rows)
        visits = max(0, min(visits, height - self.plots.minimumHeight()))
        self.splitter.setSizes([visits, height - visits])

    def _share_moved(self, _pos: int, _index: int) -> None:
        """The user moved the line: their split stays from now on."""
        self._keep_share = False

    def _fit_legend(self) -> None:
        """As many legend entries a row as the plot's width holds, each name whole; the grade
        plot keeps a band as high under its axis, so the two time axes line up."""
        spacing = self.legend.layout.horizontalSpacing()
        # each entry's own width: a label's current width is the column it fills (in one column,
        # the whole legend's), and measured so the legend never went back to two or three a row
        entries = [sample.boundingRect().width() + spacing + label.item.boundingRect().width()
                   for sample, label in self.legend.items]
        self.legend.setVisible(bool(entries))  # no function series: no empty band under the axis
        height = 0.0
        if entries:
            item = self.function_plot.getPlotItem()
            width = self.function_plot.width() - item.getAxis("left").width() - 2 * spacing
            self.legend.setColumnCount(legend_columns(width, entries, spacing))
            height = self.legend.layout.effectiveSizeHint(Qt.SizeHint.PreferredSize).height()
        # the grade plot's key while it shows grades: both entries a row, or one each where narrow
        keys = [sample.boundingRect().width() + spacing + label.item.boundingRect().width()
                for sample, label in self.grade_legend.items]
        self.grade_legend.setVisible(self._graded)
        if self._graded:
            item = self.grade_plot.getPlotItem()
            width = self.grade_plot.width() - item.getAxis("left").width() - 2 * spacing
            self.grade_legend.setColumnCount(legend_columns(width, keys, spacing))
            height = max(height, self.grade_legend.layout.effectiveSizeHint(Qt.SizeHint.PreferredSize).height())
        for plot, legend, shown in ((self.grade_plot, self.grade_legend, self._graded),
                                    (self.function_plot, self.legend, bool(entries))):
            # the same band under both time axes; each legend at its own height at the band's top:
            # stretched to the other's two rows, its markers sat centred in the band and its
            # labels at the top, 10 pixels apart. A hidden one takes none of it: the grade key's
            # entries kept 22 pixels under one axis only, and the empty charts' axes differed
            plot.getPlotItem().layout.setRowFixedHeight(LEGEND_ROW, height)
            legend.setMinimumHeight(0)
            legend.setMaximumHeight(legend.layout.effectiveSizeHint(Qt.SizeHint.PreferredSize).height() if shown else 0)
        # the plot keeps room for its lines above the legend, its title and its axis (at 200 %
        # three legend rows left the lines a few pixels); the page scrolls where this is too tall
        text = self.function_plot.fontMetrics().height()
        lines = max(MIN_PLOT_HEIGHT, len(GRADES) * text)  # a line for each grade's name: at 15 pt they ran together
        self.plots.setMinimumHeight(int(height) + lines + 4 * text)

    def initial_focus(self) -> QWidget:
        """Where the keyboard starts: the visits (arrows choose, Return opens)."""
        return self.table

    def selected_visit(self) -> AssessmentInfo | None:
        """The visit of the selected row, None when none is selected."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        chosen = self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((a for a in self.assessments if a.assessment_id == chosen), None)

    def _update_actions(self) -> None:
        """"Entered in error…" for a selected analysed or confirmed visit; a draft's tooltip
        says where it is discarded instead."""
        visit = self.selected_visit()
        self.withdraw_button.setEnabled(withdrawable(visit))
        draft = visit is not None and visit.status == "draft"
        self.withdraw_button.setToolTip(DRAFT_TIP if draft else ENTERED_IN_ERROR_TIP)

    def visit_menu(self) -> QMenu:
        """The selected visit's context menu: Open, Entered in error… (enabled as the buttons)."""
        menu = QMenu(self)
        menu.addAction("Open", self._open).setEnabled(self.open_button.isEnabled())
        withdraw = menu.addAction(ENTERED_IN_ERROR_TEXT, self._withdraw)
        withdraw.setEnabled(self.withdraw_button.isEnabled())
        withdraw.setToolTip(self.withdraw_button.toolTip())
        menu.setToolTipsVisible(True)
        return menu

    def _show_visit_menu(self, pos: QPoint) -> None:
        menu = self.visit_menu()
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _open(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        number = self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        visit = self.selected_visit()
        if visit is None or visit.status != "draft":  # a draft opens nothing: the place stays where it was
            self.last_opened = number
            self._seen = frozenset(a.assessment_id for a in self.assessments)
        self.open_requested.emit(number)

    def _withdraw(self) -> None:
        visit = self.selected_visit()
        if withdrawable(visit):
            self.withdraw_requested.emit(visit.assessment_id)
