"""Import of one patient export (`export_format`) into a store, all or nothing.

After `import_checks` (every file verified first, one at a time) and a refusal of a patient ID
this station already has (saying whether the export is of that person or of another,
`patient_identity`; nothing is merged), the files are written (and fsynced) into the data
folder before the write transaction, named for the assessment numbers the import will take,
and then every row is recorded in one short transaction, so the app and other programs can
save while the files are copied (if another program takes one of those numbers meanwhile, the
files are written again for the next ones; after three such tries, under the write lock). A
file already at its place in the data folder (one whose database was lost) is reused when
identical and refused when not; a failed import removes exactly the files it wrote, never one
it reused. The audit entries copied from the export keep their time and actor but their reason
starts with IMPORTED_MARK (this station did not see those changes happen), and a last entry
"record imported" names the export folder, its date and the sha256 of its patient.json.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.records import patient_identity, validate
from app.records.errors import DuplicateRecordError, StorageError, storage_error_from_os
from app.records.export_format import IMPORTED_MARK, MANIFEST
from app.records.files import atomic_write, remove_file, sha256_bytes, sha256_file
from app.records.import_checks import (
    check_audit_agreement,
    check_patient_agreement,
    listed_files,
    load_manifest,
    read_export_file,
    refused_as_invalid_export,
)
from app.records.paths import ensure_private_dir
from app.records.rows import Patient
from app.records.store import Store, _audit
from app.records.store_patients import lookalike_twin
from models.errors import InputError

log = logging.getLogger("palsy.records")

# Tries of an import whose files are written before its transaction (`import_patient`). A
# program that starts an assessment during each of them gets a last try that writes the files
# under the write lock, as every import did before: it always finishes.
_UNLOCKED_TRIES = 3


class _PlanOutdated(Exception):
    """The assessment numbers an import's files were named for were taken meanwhile (another
    window or program started an assessment), or a file it placed is gone: try again."""


@dataclass(frozen=True)
class CheckedExport:
    """An export folder whose patient.json and every file were verified (`check_export`)."""

    root: Path
    manifest: dict[str, Any]
    manifest_sha: str
    patient_id: str


def check_export(folder: Path | str) -> CheckedExport:
    """Read and verify the export in `folder` without any data folder: its patient.json, every
    file it lists (one at a time, each dropped at once) and its audit trail. InputError for a
    mistyped path or a damaged export. `records import` calls it before it opens the data
    folder, which an older release's folder it upgrades: a typo upgraded it all the same."""
    root = Path(folder).expanduser().resolve()
    manifest, manifest_sha = load_manifest(root)
    with refused_as_invalid_export(root / MANIFEST):
        pid = validate.patient_id(manifest["patient"].get("patient_id"))
    for entry, kind in listed_files(manifest.get("assessments") or []):
        read_export_file(root, entry, kind, decode=True)
    check_audit_agreement(manifest, root / MANIFEST)
    check_patient_agreement(manifest, root / MANIFEST)
    return CheckedExport(root, manifest, manifest_sha, pid)


def refuse_for_station(conn: sqlite3.Connection, export: CheckedExport) -> None:
    """Refuse the export when this station's records (`conn`) cannot take its patient ID: the
    ID is here already (DuplicateRecordError), looks the same as one here in letters of another
    alphabet, or is one this station refuses for new patients (InputError)."""
    root, pid = export.root, export.patient_id
    # the same patient already here is said as such first: the advice below would register them twice
    _refuse_existing(conn, pid, export.manifest)
    twin = lookalike_twin(conn, pid)
    if twin is not None:
        raise InputError(
            f"{root / MANIFEST}: the patient ID {pid} looks the same as the ID of patient {twin} on this station, in "
            f"letters of another alphabet; nothing was imported. If they are one person, record new visits under "
            f"{twin}; if not, the sending station's ID must be corrected before it can be imported here."
        )
    problem = validate.lookalike_problem(pid)
    if problem:  # the export is sound, its ID is not one this station takes
        raise InputError(
            f"{root / MANIFEST}: the patient ID {pid} {problem.split(':')[0]}; this station refuses new patient IDs "
            "that are easily taken for another patient's, and an ID cannot be changed in Palsy Grader. Nothing was "
            "imported: register the patient on this station with the ID typed again in plain letters and digits "
            "(the export's visits stay on the station that recorded them)."
        )


def import_patient(store: Store, folder: Path | str | CheckedExport, *, actor: str = "") -> Patient:
    """Add the patient exported in `folder` to `store`; every file is verified first (unless
    `folder` is an export `check_export` verified).

    Refuses (DuplicateRecordError) a patient ID that already exists. All or nothing: on any
    error the store is left as it was. The copied audit entries are marked IMPORTED_MARK.

    The photos and reports are written (and fsynced) before the write transaction, named for
    the assessment numbers the import is going to take, as `save_capture` writes its file
    before its row; the rows then follow in one short transaction, so other windows and
    programs can keep saving while a large import copies its files to a slow disk. When
    another program takes one of those numbers meanwhile, the files this try wrote are removed
    and written again for the next free numbers (`_UNLOCKED_TRIES`, then once under the lock).
    """
    if isinstance(folder, CheckedExport):
        export = folder
        refuse_for_station(store.db.connection(), export)
    else:
        export = _checked_for_station(store, folder)
    root, manifest, manifest_sha, pid = export.root, export.manifest, export.manifest_sha, export.patient_id
    actor = validate.text(actor, "actor", max_len=200) or "import"
    assessments = manifest.get("assessments") or []
    _refuse_existing(store.db.connection(), pid, manifest)  # before any file is written; again under the lock
    stamp = validate.now_iso()
    for attempt in range(_UNLOCKED_TRIES + 1):
        try:
            _record_import(store, root, manifest, manifest_sha, pid, actor, stamp,
                           under_lock=attempt == _UNLOCKED_TRIES)
        except _PlanOutdated:
            log.info("assessment numbers were taken while patient %s was imported; writing its files again", pid)
            continue
        break
    log.info("patient %s imported with %d assessment(s)", pid, len(assessments))
    return store.get_patient(pid)


def _checked_for_station(store: Store, folder: Path | str) -> CheckedExport:
    """`check_export` of `folder`, with `refuse_for_station` before any file is read: a patient
    this station has, or an ID it refuses, is said as such even when the export's files are not
    sound."""
    root = Path(folder).expanduser().resolve()
    manifest, manifest_sha = load_manifest(root)
    with refused_as_invalid_export(root / MANIFEST):
        pid = validate.patient_id(manifest["patient"].get("patient_id"))
    refuse_for_station(store.db.connection(), CheckedExport(root, manifest, manifest_sha, pid))
    return check_export(root)


def _refuse_existing(conn: sqlite3.Connection, pid: str, manifest: dict[str, Any]) -> None:
    """Refuse an export whose patient ID this station has, saying whether it is of that same
    person or of a different one, and what a user can do (`patient_identity.existing_id_refusal`)."""
    refusal = patient_identity.existing_id_refusal(conn, pid, manifest)
    if refusal:
        raise DuplicateRecordError(refusal)


def _next_assessment_id(conn: sqlite3.Connection) -> int:
    """The number SQLite gives the next assessment row (one above the highest: no AUTOINCREMENT)."""
    return int(conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM assessments").fetchone()[0])


def _record_import(
    store: Store, root: Path, manifest: dict[str, Any], manifest_sha: str, pid: str, actor: str, stamp: str,
    *, under_lock: bool,
) -> None:
    """One try of `import_patient`: place the files, then record every row in one transaction.

    Unless `under_lock`, the files are written before the transaction and _PlanOutdated is
    raised (the files this try wrote removed) when their assessment numbers were taken
    meanwhile. Whatever ends the transaction without a commit removes exactly the files this
    try wrote, never an identical one that was already in place and reused.
    """
    info = manifest["patient"]
    assessments = manifest.get("assessments") or []
    placed = None if under_lock else _place_files(store, root, assessments, _next_assessment_id(store.db.connection()))
    began = False
    try:
        with _refuse_clashes(root / MANIFEST), store.db.write() as conn, _removed_unless_recorded(lambda: placed, conn):
            began = True
            if placed is None:
                placed = _place_files(store, root, assessments, _next_assessment_id(conn))
            elif not placed.still_valid(conn):
                raise _PlanOutdated
            # From here every row naming a placed file is this try's own: its numbers were free
            # under the lock (or the files were written under it).
            placed.numbers_free = True
            _refuse_existing(conn, pid, manifest)
            with refused_as_invalid_export(root / MANIFEST):  # the store's own checks of each value
                # Created here and now by `actor` (its audit entry says so); the row keeps its dates.
                store.create_patient(
                    pid,
                    name=info.get("name", ""),
                    birth_date=info.get("birth_date"),
                    sex=info.get("sex"),
                    affected_side=info.get("affected_side"),
                    notes=info.get("notes", ""),
                    actor=actor,
                    created_at=stamp,
                )
                ref = conn.execute("SELECT id FROM patients WHERE id_key = ?", (validate.id_key(pid),)).fetchone()[0]
                conn.execute(
                    "UPDATE patients SET created_at = COALESCE(?, created_at), updated_at = COALESCE(?, updated_at)"
                    " WHERE id = ?",
                    (info.get("created_at"), info.get("updated_at"), ref),
                )
                copied = 0
                for entry in info.get("audit") or []:
                    _copy_audit(conn, entry, pid)
                    copied += 1
                for offset, item in enumerate(assessments):
                    copied += _import_assessment(conn, ref, placed.first_id + offset, item,
                                                 placed.photos[offset], placed.reports[offset])
            kind = "de-identified export" if manifest.get("deidentified") else "export"
            _audit(conn, actor, "patient", pid, "record", None, "imported",
                   f"from {kind} {root} of {manifest['exported_at']} ({MANIFEST} sha256 {manifest_sha[:16]}); "
                   f"its {copied} audit entries are copied, marked {IMPORTED_MARK}", at=stamp)
    except BaseException:
        if placed is not None and not began:  # BEGIN refused (busy, folder gone): the lock is not held
            placed.remove_written(store.db.connection())
        raise


@contextmanager
def _refuse_clashes(manifest_path: Path) -> Iterator[None]:
    """An IntegrityError (the import was rolled back) as an InputError about the export."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise InputError(
            f"{manifest_path} lists a record twice, or one that clashes with another ({exc}); "
            "nothing was imported. Export the patient again."
        ) from None


def _copy_audit(conn: Any, entry: dict[str, Any], entity_id: Any) -> None:
    """Copy one audit entry of the export with its time and actor, its reason marked: another
    station recorded that change, this one only copied it."""
    reason = validate.text(entry.get("reason"), "audit reason")
    _audit(conn, validate.text(entry.get("actor"), "audit actor"), entry["entity"], entity_id, entry["field"],
           entry.get("old_value"), entry.get("new_value"), f"{IMPORTED_MARK} {reason}".rstrip(), at=entry["at"])


def _import_assessment(
    conn: Any, ref: int, aid: int, item: dict[str, Any], photos: list[str], reports: list[str]
) -> int:
    """Insert one assessment as number `aid` with the rows of its files, already in place
    under the relative names `photos` and `reports` (the manifest's order); return the number
    of audit entries copied."""
    result = item.get("result")
    conn.execute(
        "INSERT INTO assessments(id, patient_ref, status, model_grade, measured_grade, confirmed_grade,"
        " clinician, notes, result_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            aid, ref, item["status"],
            validate.optional_grade(item.get("model_grade"), "model grade"),
            validate.optional_grade(item.get("measured_grade"), "measured grade"),
            validate.optional_grade(item.get("confirmed_grade"), "confirmed grade"),
            validate.text(item.get("clinician"), "clinician name", max_len=200),
            validate.text(item.get("notes"), "notes", multiline=True),
            None if result is None else validate.json_text(result, "analysis result"),
            item.get("created_at") or validate.now_iso(),
            item.get("updated_at") or validate.now_iso(),
        ),
    )
    for capture, relative in zip(item.get("captures") or [], photos, strict=True):
        conn.execute(
            "INSERT INTO captures(assessment_id, expression, file_name, sha256, quality_json, captured_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (aid, validate.expression(capture.get("expression")), relative, capture["sha256"],
             validate.json_text(capture.get("quality"), "quality record"),
             # a de-identified export leaves a time it could not shift empty: the visit's start,
             # not the moment of import (the report dates the photos by these)
             capture.get("captured_at") or item.get("created_at") or validate.now_iso()),
        )
    for report, relative in zip(item.get("reports") or [], reports, strict=True):
        conn.execute(
            "INSERT INTO reports(assessment_id, file_name, sha256, created_at) VALUES (?, ?, ?, ?)",
            (aid, relative, report["sha256"], report.get("created_at") or validate.now_iso()),
        )
    entries = item.get("audit") or []
    for entry in entries:
        _copy_audit(conn, entry, aid)
    return len(entries)


class _PlacedFiles:
    """Where one try of an import put the listed files: the number of its first assessment,
    the relative names of each assessment's photos and reports (the manifest's order), and the
    files this try wrote, as opposed to identical ones already in place that it reuses."""

    def __init__(self, store: Store, first_id: int) -> None:
        self.store = store
        self.first_id = first_id
        self.photos: list[list[str]] = []
        self.reports: list[list[str]] = []
        self.written: list[Path] = []
        # Set once the write lock is held and the numbers are known to be free: a failure then
        # removes every written file (any row naming one is this try's own, uncommitted).
        self.numbers_free = False

    def put(self, root: Path, entry: dict[str, Any], kind: str, stem: str) -> str:
        """Read one listed file (checked again: it may have changed since the first pass; only
        this file is in memory) and place it in the store as `STEM_SHA12.EXT`; return that name."""
        data, ext = read_export_file(root, entry, kind)
        relative = f"{stem}_{entry['sha256'][:12]}.{ext}"
        _write_into_store(self.store, relative, data, self.written)
        return relative

    def still_valid(self, conn: sqlite3.Connection) -> bool:
        """Under the write lock: no assessment took a number the files are named for, and each
        file is still in place (an old one reused may have been moved to `recovered/` meanwhile
        by another program's start-up)."""
        if conn.execute("SELECT 1 FROM assessments WHERE id >= ? LIMIT 1", (self.first_id,)).fetchone():
            return False
        root = self.store.layout.root
        return all(os.path.isfile(root / name) for names in (*self.photos, *self.reports) for name in names)

    def remove_written(self, conn: sqlite3.Connection | None = None) -> None:
        """Remove the files this try wrote, except those a committed row names: another import
        of the same photos, numbered alike, may have reused one of them and committed first
        (its rows then name the file, which must stay). With `conn` inside this import's write
        transaction, the lock makes that check exact; `conn` None removes them all. Best effort: what remains is an
        unrecorded file that `palsy records check` lists and the next start moves to `recovered/`.
        Outside the write lock (`conn` a plain connection) the check is a read: good enough
        where the lock could not be had at all."""
        root = self.store.layout.root
        for path in self.written:
            if conn is not None and not self.numbers_free and _named_by_a_row(conn, path.relative_to(root).as_posix()):
                continue
            remove_file(path)
        self.written = []


def _named_by_a_row(conn: sqlite3.Connection, relative: str) -> bool:
    return conn.execute("SELECT 1 FROM captures WHERE file_name = ? UNION ALL SELECT 1 FROM reports WHERE file_name = ?"
                        " LIMIT 1", (relative, relative)).fetchone() is not None


@contextmanager
def _removed_unless_recorded(placed: Callable[[], _PlacedFiles | None], conn: sqlite3.Connection) -> Iterator[None]:
    """Inside an import's write transaction: when the try fails (its numbers were taken, a
    duplicate, any error), remove the files it wrote that no committed row names, while the
    write lock is still held, so no other import can commit a row naming one of them between
    the check and the removal. (After a rollback the lock is gone: removing then deleted photos
    another import of the same export had reused and committed.) A failed COMMIT leaves them:
    unrecorded files that `records check` lists and recovery moves to `recovered/`."""
    try:
        yield
    except BaseException:
        files = placed()
        if files is not None:
            files.remove_written(conn)
        raise


def _place_files(store: Store, root: Path, assessments: list[dict[str, Any]], first_id: int) -> _PlacedFiles:
    """Write every listed file into the data folder, named for assessment numbers from
    `first_id` on, one at a time. On failure the files written so far are removed again, under
    the write lock and only where no row names them (another import of the same photos may have
    reused one and be committing it); when the lock cannot be had they stay as unrecorded files."""
    placed = _PlacedFiles(store, first_id)
    try:
        for offset, item in enumerate(assessments):
            aid = first_id + offset
            placed.photos.append([
                placed.put(root, capture, "photo",
                           f"photos/{aid:06d}/{aid:06d}_{validate.expression(capture.get('expression'))}")
                for capture in item.get("captures") or []
            ])
            placed.reports.append([
                placed.put(root, report, "report", f"reports/{aid:06d}/{aid:06d}_report")
                for report in item.get("reports") or []
            ])
    except BaseException:
        try:
            with store.db.write() as conn:
                placed.remove_written(conn)
        except StorageError:
            log.warning("an import's placed files stay unrecorded (the database is busy); recovery moves them later")
        raise
    return placed


def _write_into_store(store: Store, relative: str, data: bytes, written: list[Path]) -> None:
    """Write an imported file, its path added to `written` (the files a failed import removes)
    before the write starts: a Ctrl-C during the write or its read-back then leaves no file the
    import's cleanup does not know.

    A file already there (a data folder whose database was lost still holds its photos) is
    kept as it is when it holds the same bytes and refused when it does not: its bytes are
    never lost, and a failed import never removes it (it is not added to `written`).
    """
    target = store.layout.resolve(relative)
    if target.exists():
        try:
            same = sha256_file(target) == sha256_bytes(data)
        except OSError as exc:
            raise storage_error_from_os(exc, "read", target) from exc
        if same:
            try:  # young again: crash recovery at another program's start moves old unrecorded files away
                os.utime(target)
            except OSError:
                pass
            return
        raise DuplicateRecordError(
            f"{target} already holds a different file; nothing was imported. Move that file out of "
            "the data folder (run `palsy records check` to see whether it is recorded) and import again."
        )
    ensure_private_dir(target.parent, inside=store.layout.root)
    written.append(target)
    atomic_write(target, data)
