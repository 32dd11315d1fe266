"""The patient list and the history's visits show no row numbers (audit s15/v2 #11: Qt's
1, 2, 3… beside the rows; the newest visit was "1" although its report prints "Record:
assessment 6", a number that looked like a visit number but was not)."""

from __future__ import annotations

from PySide6.QtWidgets import QTableWidget

from app.pages.history import HistoryPage
from app.pages.patient import PatientPage
from app.records_gateway import PatientInfo
from tests.gui.test_small_screens import _visits


def _no_row_numbers(table: QTableWidget) -> None:
    """No numbers' strip: the header is hidden and the first column starts at the frame."""
    assert table.rowCount() >= 2
    assert not table.verticalHeader().isVisible()
    assert table.viewport().x() == table.frameWidth()


def test_the_patient_list_has_no_row_numbers(qtbot, store_gateway) -> None:
    for pid in ("P-1", "P-2", "P-3"):
        store_gateway.save_patient(PatientInfo(pid, f"Person {pid}"), is_new=True)
    page = PatientPage(store_gateway)
    qtbot.addWidget(page)
    page.resize(900, 500)
    page.show()
    qtbot.waitExposed(page)
    page.refresh()
    _no_row_numbers(page.table)
    assert page.table.accessibleName() == "Patients"  # still named for a screen reader
    page.close()


def test_the_history_visits_have_no_row_numbers(qtbot) -> None:
    page = HistoryPage()
    qtbot.addWidget(page)
    page.resize(1000, 600)
    page.show()
    qtbot.waitExposed(page)
    page.show_history("Jane Doe (MRN-1)", _visits(3))
    _no_row_numbers(page.table)
    assert page.table.accessibleName() == "Assessments of Jane Doe (MRN-1)"
    page.close()
