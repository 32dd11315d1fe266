"""`import_patient` applies the store's own checks to what an export folder holds: file kinds,
sizes, regular files, dates, the schema version; copied audit entries are marked imported."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.records import Store
from app.records.export_folder import export_patient
from app.records.export_format import EXPORT_VERSION, IMPORTED_MARK, MANIFEST, MAX_FILE_BYTES
from app.records.import_folder import import_patient
from app.records.migrations import LATEST_VERSION, RECORD_FIELDS_VERSION
from models.errors import InputError
from models.labels import EXPRESSIONS
from tests.records.records_helpers import edit_manifest, tiny_png


def _list_as_photo(folder: Path, name: str, data: bytes) -> Path:
    """Put `data` in the export as photos/NAME and list it (with its sha256) as the rest photo."""
    path = folder / "photos" / name
    path.write_bytes(data)
    edit_manifest(folder, lambda m: m["assessments"][0]["captures"][0].update(
        file=f"photos/{name}", sha256=hashlib.sha256(data).hexdigest()))
    return path


def _refused(tmp_path: Path, folder: Path, match: str) -> None:
    """The import fails with an InputError matching `match` and leaves the store empty."""
    with Store.open(tmp_path / "station2") as target:
        with pytest.raises(InputError, match=match) as info:
            import_patient(target, folder)
        assert "\n" not in str(info.value)
        assert target.count_patients() == 0 and target.audit_trail() == []
        assert [p for p in target.root.rglob("*") if p.is_file() and "palsy.db" not in p.name] == []


@pytest.mark.parametrize(("name", "data"), [
    ("evil.sh", b"#!/bin/sh\necho pwned\n"),  # a script, with its own extension
    ("evil.png", b"#!/bin/sh\necho pwned\n"),  # a script named as a photo
    ("photo.sh", tiny_png(9)),  # a real PNG that would be stored as .sh
    ("photo.jpg", tiny_png(9)),  # PNG content under a JPEG name
])
def test_a_photo_that_is_not_a_png_or_jpeg_so_named_is_refused(tmp_path: Path, exported: Path, name: str, data: bytes) -> None:
    path = _list_as_photo(exported, name, data)
    _refused(tmp_path, exported, rf"{path}.* not a PNG or JPEG photo")


def test_a_jpeg_photo_is_imported_under_the_jpg_extension(tmp_path: Path, exported: Path) -> None:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()  # a real JPEG: import decodes every photo whole, as the app will read it
    Image.new("RGB", (16, 16), (120, 80, 60)).save(buffer, format="JPEG")
    jpeg = buffer.getvalue()
    _list_as_photo(exported, "photo.jpeg", jpeg)
    with Store.open(tmp_path / "station2") as target:
        import_patient(target, exported)
        [first] = target.history("IMP-1")
        assert target.get_capture(first.id, "rest").file_name.endswith(".jpg")
        assert target.load_capture(first.id, "rest") == jpeg


@pytest.mark.parametrize(("name", "data"), [
    ("r.html", b"<html><script>alert(1)</script></html>"),
    ("r.pdf", b"<html><script>alert(1)</script></html>"),
    ("r.html", b"%PDF-1.4 a PDF under another name"),
])
def test_a_report_that_is_not_a_pdf_so_named_is_refused(tmp_path: Path, exported: Path, name: str, data: bytes) -> None:
    path = exported / "reports" / name
    path.write_bytes(data)
    edit_manifest(exported, lambda m: m["assessments"][0]["reports"][0].update(
        file=f"reports/{name}", sha256=hashlib.sha256(data).hexdigest()))
    _refused(tmp_path, exported, rf"{path}.* not a PDF report")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path, exported: Path) -> None:
    path = exported / "photos" / "huge.png"
    with open(path, "wb") as handle:  # sparse: costs no disk and, refused by its size, no reading
        handle.truncate(MAX_FILE_BYTES + 1)
    edit_manifest(exported, lambda m: m["assessments"][0]["captures"][0].update(file="photos/huge.png", sha256="0" * 64))
    _refused(tmp_path, exported, rf"{path} in the export is 100 MiB or more, more than the 100 MiB")


def test_an_oversized_manifest_is_refused_unread(tmp_path: Path, exported: Path) -> None:
    with open(exported / MANIFEST, "r+b") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    _refused(tmp_path, exported, rf"{MANIFEST} in the export is 100 MiB or more")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("what", ["photo", "manifest"])
def test_a_fifo_in_the_export_is_refused_without_blocking(tmp_path: Path, exported: Path, what: str) -> None:
    if what == "photo":
        fifo = exported / "photos" / "fifo.png"
        os.mkfifo(fifo)
        edit_manifest(exported, lambda m: m["assessments"][0]["captures"][0].update(file="photos/fifo.png", sha256="0" * 64))
    else:
        fifo = exported / MANIFEST
        fifo.unlink()
        os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def run() -> None:
        with Store.open(tmp_path / "station2") as target:
            try:
                import_patient(target, exported)
                outcome.append(None)
            except BaseException as exc:  # handed to the test thread
                outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=20)
    blocked = worker.is_alive()
    if blocked:  # unblock the reader (a writer opens and closes the FIFO) so no thread leaks
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=20)
    assert not blocked, "import blocked on a FIFO"
    assert isinstance(outcome[0], InputError) and f"{fifo} in the export is not a regular file" in str(outcome[0])


def test_files_are_read_one_at_a_time(tmp_path: Path) -> None:
    size = 1_000_000
    with Store.open(tmp_path / "source") as source:
        source.create_patient("BIG-1")
        aid = source.start_assessment("BIG-1").id
        for seed, expression in enumerate(EXPRESSIONS):
            # random pixels: incompressible, about `size` bytes; a real PNG (import decodes each)
            source.save_capture(aid, expression, tiny_png(seed, size=577))
        folder = export_patient(source, "BIG-1", tmp_path / "usb")
    with Store.open(tmp_path / "station2") as target:
        tracemalloc.start()
        try:
            import_patient(target, folder)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert len(target.captures(target.history("BIG-1")[0].id)) == len(EXPRESSIONS)
    # One photo in memory, decoded once to check it (its bytes, Pillow's image and the array),
    # plus the store's own write of it (atomic_write reads it back in chunks); all six at once
    # would be six times the bytes before any decoding.
    assert peak < 5 * size, f"peak {peak} bytes for {len(EXPRESSIONS)} photos of {size} bytes"


def test_an_export_of_a_newer_schema_is_refused(tmp_path: Path, exported: Path) -> None:
    edit_manifest(exported, lambda m: m.update(schema_version=99))
    _refused(tmp_path, exported, r"made by a newer Palsy Grader \(records schema version 99; this one knows up to \d+\)")


def test_an_export_of_another_format_version_is_refused(tmp_path: Path, exported: Path) -> None:
    # Version 2 may lay its files out differently: read as version 1 it could be taken wrongly.
    edit_manifest(exported, lambda m: m.update(version=EXPORT_VERSION + 1))
    _refused(tmp_path, exported,
             rf"has export version {EXPORT_VERSION + 1}; this program reads version {EXPORT_VERSION}\.")


def test_a_file_named_outside_the_export_folder_is_refused(tmp_path: Path, exported: Path) -> None:
    # The sha256 matches, so only the path check stops a hand-edited patient.json from
    # importing any file the station can read.
    path = exported.parent / "outside.png"
    path.write_bytes(tiny_png(9))
    edit_manifest(exported, lambda m: m["assessments"][0]["captures"][0].update(
        file="../outside.png", sha256=hashlib.sha256(path.read_bytes()).hexdigest()))
    _refused(tmp_path, exported, r"the export names a file outside its folder \('\.\./outside\.png'\)")


def test_exports_declare_the_last_record_changing_schema_step(tmp_path: Path, exported: Path) -> None:
    # An index-only step (4: search without accents) changes no record: exports still say 3,
    # so a station one step behind imports them; a station at the latest imports either.
    manifest = json.loads((exported / MANIFEST).read_text())
    assert manifest["schema_version"] == RECORD_FIELDS_VERSION == 3 < LATEST_VERSION
    edit_manifest(exported, lambda m: m.update(schema_version=LATEST_VERSION))
    with Store.open(tmp_path / "station2") as target:
        assert import_patient(target, exported).patient_id == "IMP-1"


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(m: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        part: Any = m
        for key in parents:
            part = part[int(key)] if key.isdigit() else part[key]
        part[last] = value
    return change


@pytest.mark.parametrize(("path", "value", "message"), [
    ("assessments.0.created_at", "not a date", r"assessments\[0\].created_at \('not a date'\) is not an ISO 8601 date and time"),
    ("patient.created_at", "3000-01-01", r"patient.created_at \('3000-01-01'\) is not an ISO 8601 date and time"),
    ("patient.created_at", "3000-01-01T00:00:00+00:00", r"patient.created_at \(3000-01-01T00:00:00\+00:00\) lies in the future"),
    ("assessments.0.audit.0.at", "3000-01-01T00:00:00", r"assessments\[0\].audit\[0\].at .* lies in the future"),
    ("assessments.0.captures.0.captured_at", "yesterday", r"captures\[0\].captured_at \('yesterday'\) is not"),
    ("exported_at", "2999-12-31T23:59:59.000+00:00", r"exported_at .* lies in the future"),
    ("assessments.0.audit.0.entity", "patient", r"assessments\[0\].audit\[0\].entity is 'patient', not assessment or capture or report"),
    ("assessments.0.audit.0.actor", "Dr\u202eKim", r"assessments\[0\].audit\[0\].actor contains an invisible formatting character"),
    ("assessments.0.status", "signed", r"assessments\[0\].status 'signed' is not one of"),
])
def test_forged_times_and_audit_entries_are_refused(tmp_path: Path, exported: Path, path: str, value: str, message: str) -> None:
    edit_manifest(exported, _set(path, value))
    _refused(tmp_path, exported, message)


def test_copied_audit_entries_are_marked_imported_and_the_import_names_its_source(tmp_path: Path, exported: Path) -> None:
    backdated = {"at": "2001-01-01T00:00:00", "actor": "Dr Forged", "entity": "assessment", "field": "confirmed_grade",
                 "old_value": None, "new_value": "I", "reason": "looks fine"}
    edit_manifest(exported, lambda m: m["assessments"][0]["audit"].append(backdated))
    digest = hashlib.sha256((exported / MANIFEST).read_bytes()).hexdigest()
    with Store.open(tmp_path / "station2") as target:
        import_patient(target, exported, actor="admin")
        aid = target.history("IMP-1")[0].id
        copied = target.audit_trail("assessment", aid)
        assert copied and all(e.reason.startswith(IMPORTED_MARK) for e in copied)
        [forged] = [e for e in copied if e.actor == "Dr Forged"]
        # stored in the app's own form (UTC, milliseconds), so it sorts as a time
        assert (forged.at, forged.reason) == ("2001-01-01T00:00:00.000+00:00", "[imported] looks fine")
        created, original, imported = target.audit_trail("patient", "IMP-1")
        assert (created.actor, created.new_value, created.reason) == ("admin", "created", "")
        assert (original.actor, original.new_value, original.reason) == ("nurse", "created", IMPORTED_MARK)
        assert (imported.actor, imported.new_value, imported.at) == ("admin", "imported", created.at)
        assert str(exported) in imported.reason and digest[:16] in imported.reason
        assert f"marked {IMPORTED_MARK}" in imported.reason


def _png_header(width: int, height: int) -> bytes:
    """A small PNG whose header declares `width` x `height` (a decompression bomb's header)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (8000, 6000)])
def test_a_photo_over_the_pixel_limit_is_refused_by_its_header(tmp_path: Path, exported: Path, width: int,
                                                               height: int) -> None:
    # audit: a 900-megapixel photo was stored, and reopening it raised an uncaught DecompressionBombError
    path = _list_as_photo(exported, "rest.png", _png_header(width, height))
    _refused(tmp_path, exported, rf"{path} in the export is too large \(.*{width * height / 1e6:.0f} megapixels, limit 40\)")


@pytest.mark.parametrize(("data", "words"), [
    (_png_header(30000, 30000), "is too large (900 megapixels, limit 40)"),
    (_png_header(8000, 6000), "is too large (8000 x 6000 = 48 megapixels, limit 40)"),
    (tiny_png(3)[:40], "cannot be decoded: it is damaged"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "cannot be decoded: it is damaged"),
], ids=["bomb", "over-the-limit", "truncated", "garbage"])
def test_a_stored_photo_that_cannot_be_decoded_is_an_input_error_naming_it(tmp_path: Path, data: bytes,
                                                                            words: str) -> None:
    from app.records.imaging import decode_image

    with pytest.raises(InputError) as info:
        decode_image(data, "/data/photos/000001/000001_rest.png")
    assert str(info.value).startswith(f"/data/photos/000001/000001_rest.png {words}")


def test_a_stored_photo_over_the_limit_reads_back_as_an_input_error(store: Store) -> None:
    store.create_patient("BIG-1", name="Big")
    aid = store.start_assessment("BIG-1").id
    with pytest.raises(InputError, match="the photo is too large .*it was not saved"):
        store.save_capture(aid, "rest", _png_header(8000, 6000))
    capture = store.save_capture(aid, "rest", tiny_png(4))
    bomb = _png_header(30000, 30000)  # a photo stored before imports checked the size
    path = store.capture_path(capture)
    path.write_bytes(bomb)
    with store.db.write() as conn:
        conn.execute("UPDATE captures SET sha256 = ? WHERE id = ?", (hashlib.sha256(bomb).hexdigest(), capture.id))
    with pytest.raises(InputError, match=f"{path} is too large"):
        store.load_capture_image(aid, "rest")
