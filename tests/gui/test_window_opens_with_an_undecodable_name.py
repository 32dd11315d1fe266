"""One patient's name whose stored bytes are not valid UTF-8 (bit rot, or a tool that wrote
another encoding): the window opened with "Could not decode to UTF-8 column 'name'" and
"Palsy Grader cannot start" for the whole station. It opens, and lists the name with a
replacement character (audit 17 s1, finding 6)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.records import Store
from tests.gui.gui_helpers import close_window, make_window


def test_the_window_opens_and_lists_a_name_that_does_not_decode(qtbot, data_folder: Path, tiny_weights: Path) -> None:  # noqa: ANN001
    with Store.open(data_folder) as store:
        store.create_patient("MRN-1001", name="Ada Lovelace", actor="test")
        store.create_patient("MRN-1002", name="Otto Lilienthal", actor="test")
    conn = sqlite3.connect(data_folder / "palsy.db")
    try:
        conn.execute("UPDATE patients SET name = CAST(x'4e616d65ff' AS TEXT) WHERE patient_id = 'MRN-1002'")
        conn.commit()
    finally:
        conn.close()
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        table = window.patients.table
        shown = {table.item(row, col).text() for row in range(table.rowCount()) for col in range(table.columnCount())
                 if table.item(row, col) is not None}
        assert {"MRN-1001", "MRN-1002", "Ada Lovelace", "Name\ufffd"} <= shown
    finally:
        close_window(window)
