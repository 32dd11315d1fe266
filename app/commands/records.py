"""`palsy records`: check the data folder, list the patients or the unfinished assessments,
export/import a patient, tell whether a PDF is a report stored there."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from app.local_time import local_minute_zoned
from models.counted import counted

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from app.data_folder_choice import DataFolderChoice
    from app.records import Store
    from app.records.import_folder import CheckedExport
    from app.records.rows import Assessment, AuditEntry, Patient, Report


# What a de-identified export holds: a data-protection officer reading "de-identified" would
# take the folder for anonymous, and its photos show the face.
PSEUDONYMISED = ("pseudonymise: drop name, date of birth, notes and reports; the face photos stay and identify "
                 "the patient")


VERIFY_EXITS = ("exit 0 current, 3 genuine but superseded (the records changed since: rely on a newer export), "
                "1 not stored, its visit marked entered in error, or its records disagreeing with their audit trail, "
                "2 not a readable PDF")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("records", help="check, export or import patient records; verify a report PDF")
    parser.add_argument("--data", metavar="DIR",
                        help="data folder (default: the one the app opens: Settings, else PALSY_HOME, else the "
                             "platform folder)")
    actions = parser.add_subparsers(dest="records_action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="verify the database, every photo's sha256 and that no file is unrecorded (changes nothing)"
    )
    check.add_argument("--json", action="store_true", help="print JSON")
    patients = actions.add_parser("patients", help="list every patient ID with its visits (no names)")
    patients.add_argument("--json", action="store_true", help="print JSON")
    drafts = actions.add_parser("drafts", help="list unfinished assessments (this station's, offered for resumption; "
                                 "then imported ones, not resumed here)")
    drafts.add_argument("--json", action="store_true", help="print JSON")
    export = actions.add_parser("export", help="export one patient as a folder (JSON + photos + reports)")
    export.add_argument("patient_id")
    export.add_argument("--out", required=True, metavar="DIR", help="destination folder")
    export.add_argument("--deidentify", action="store_true", help=PSEUDONYMISED)
    export.add_argument("--pseudonym", help="patient ID to use in a de-identified export")
    verify = actions.add_parser(
        "verify", help="tell whether a PDF is a report stored in the data folder, unaltered (by its sha256)",
        epilog=VERIFY_EXITS,
    )
    verify.add_argument("file", metavar="FILE.pdf", help="the report PDF to look up")
    verify.add_argument("--json", action="store_true", help="print JSON")
    backup = actions.add_parser(
        "backup", help="copy the data folder (database, photos, reports) into a new folder, safely while the app runs"
    )
    backup.add_argument("--out", required=True, metavar="DIR",
                        help="a new folder for the copy, or an empty one (an empty USB stick); the copy is "
                             "built hidden on that disk and appears only when checked")
    imp = actions.add_parser("import", help="import a patient folder made by `records export`")
    imp.add_argument("folder")
    imp.add_argument("--actor", default="", help="name recorded in the audit trail")
    for action in actions.choices.values():  # after the action, --data is refused with the order to use
        action.add_argument("--data", dest="data_after_action", metavar="DIR", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.records import Store
    from app.records.export_folder import export_patient

    if getattr(args, "data_after_action", None) is not None:
        from models.errors import InputError

        raise InputError(f"--data goes before the action: {data_first_command(args.data_after_action, args.records_action)}")
    choice = data_folder_choice(args.data)
    args.data = str(choice.folder)
    if args.records_action == "check":
        from app.records.errors import DatabaseDamagedError

        # Read-only: a check creates, upgrades and moves nothing (a mistyped --data stays an error,
        # exit 2); a damaged database is a problem the check found (exit 1).
        try:
            store = Store.open_existing(args.data, checked_as(choice))
        except DatabaseDamagedError as exc:
            from app.records.paths import DataLayout

            return _print_check(_damaged_report(str(exc), str(DataLayout.locate(args.data).root), None), args.json)
        with store:
            return _check(store, args.json)
    if args.records_action == "patients":
        with _open_for_reading(choice) as store:  # a listing: never a new empty data folder
            return _patients(store, args.json)
    if args.records_action == "drafts":
        # A listing: a mistyped --data or PALSY_HOME is an error, never a new empty data folder.
        with _open_for_reading(choice) as store:
            return _drafts(store, args.json)
    if args.records_action == "verify":
        with open_pdf(Path(args.file)) as pdf:  # a wrong file is refused before the store is opened
            with _open_for_reading(choice) as store:  # reads only: never a new empty data folder
                return _verify(store, args.file, pdf, args.json)
    if args.records_action == "backup":
        return _backup(choice, Path(args.out))
    if args.records_action == "export":
        # Reads the store only: a mistyped --data is an error, not a new empty data folder.
        with _open_for_reading(choice) as store:
            folder = export_patient(store, args.patient_id, args.out, deidentify=args.deidentify,
                                    pseudonym=args.pseudonym)
        print(folder)
        if args.deidentify:  # on stderr: stdout stays the folder alone, for scripts
            print(PSEUDONYMISED, file=sys.stderr)
        return 0
    return _import(choice, args.folder, args.actor)


def _import(choice: DataFolderChoice, export_folder: str, actor: str) -> int:
    """Import the patient exported in `export_folder`. The export is verified, and a patient the
    station cannot take refused, before the data folder is opened for writing: that open upgrades
    an older release's folder (said on stderr), and a typo or a refused import upgraded it all
    the same, locking out the stations still on that release. A data folder chosen in Settings
    is named on stderr; a new one is made without a word only where --data or the first run
    asks for it (`new_folder_refusal`)."""
    from app.data_folder_choice import named_how, new_folder_refusal
    from app.records import Store
    from app.records.errors import StorageError
    from app.records.import_folder import check_export, import_patient

    export = check_export(export_folder)
    refusal = new_folder_refusal(choice, export_folder)
    if refusal:
        raise StorageError(refusal)
    folder = str(choice.folder)
    if choice.named_by == "settings":  # the records move with Settings: say which folder took them
        print(f"importing into the data folder {folder} ({named_how(choice)})", file=sys.stderr)
    if _upgrade_pending(folder):
        _refuse_before_upgrade(choice, export)
    with Store.open(folder) as store:  # an import may start a new data folder
        if store.upgrade:
            print(store.upgrade.summary(), file=sys.stderr)
        done = store.recovery.summary(store.root) if store.recovery else ""
        if done:  # what the app's status bar says at its start
            print(done, file=sys.stderr)
        patient = import_patient(store, export, actor=actor)
        print(f"imported patient {patient.patient_id}")
        _warn_same_person(store, patient)
        return 0


def _refuse_before_upgrade(choice: DataFolderChoice, export: CheckedExport) -> None:
    """Refuse the export, before an older folder is upgraded, when the station cannot take its
    patient. The older records are read from an upgraded temporary copy; where the temporary
    folder cannot hold it, the check is left to the import after the upgrade (said on stderr),
    as before that check was made first: the import did not fail for a small temporary folder."""
    from app.records.import_folder import refuse_for_station
    from app.records.reading import TemporaryCopyError

    try:
        with _open_for_reading(choice) as older:
            refuse_for_station(older.db.connection(), export)
    except TemporaryCopyError as exc:
        print(f"{exc.args[0]} The export is checked after the upgrade instead.", file=sys.stderr)


def _upgrade_pending(folder: str) -> bool:
    """Whether opening the data folder `folder` for writing would upgrade its database."""
    from app.records.db import stored_schema_version
    from app.records.migrations import LATEST_VERSION
    from app.records.paths import DataLayout

    version = stored_schema_version(DataLayout.locate(folder).db_path)
    return version is not None and 0 < version < LATEST_VERSION


def data_first_command(folder: str, action: str, argv: Sequence[str] | None = None) -> str:
    """The command the user typed (`argv`, default this process's) with `--data FOLDER` moved
    before the action, quoted for the shell, to run as it is: `palsy records --data D export P1
    --out X` (naming the action alone dropped `P1 --out X`). Where `argv` holds no `records`
    command (`main` called with a list of its own) only the action is named."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "records" not in argv:
        words = ["records", "--data", folder, action]
    else:
        start = argv.index("records")
        rest, skip = [], False
        for word in argv[start + 1:]:
            if skip:
                skip = False
            elif word == "--data":
                skip = True
            elif not word.startswith("--data="):
                rest.append(word)
        words = [*argv[:start + 1], "--data", folder, *rest]
    return "palsy " + _shell_join(words)


def _shell_join(words: Sequence[str]) -> str:
    """`words` quoted for the shell the user types in: cmd.exe's quoting on Windows, POSIX's elsewhere."""
    if os.name == "nt":
        import subprocess

        return subprocess.list2cmdline(words)
    return " ".join(map(_posix_word, words))


def _posix_word(word: str) -> str:
    """`word` as a POSIX shell reads it back: as it is when it needs no quotes, in double quotes
    (as a user types a folder with spaces) when they hold it, else in shlex's single quotes."""
    import shlex

    if shlex.quote(word) == word:
        return word
    return shlex.quote(word) if any(c in word for c in '"$`\\!') else f'"{word}"'


def data_folder_choice(given: str | None) -> DataFolderChoice:
    """The data folder a `records` command works on: `given` (--data), else the one the window
    opens: the one chosen in Settings, else PALSY_HOME, else the platform's (`choose_data_folder`).
    Reading PALSY_HOME and the platform's folder only, a nightly backup kept copying the folder
    left behind when the data folder was moved in Settings. Says on stderr when PALSY_HOME names
    another folder, and when the settings file cannot tell which folder Settings chose (and so
    which one is used), as the window does."""
    from app.data_folder_choice import choose_data_folder, used_folder_line
    from app.gui_main import palsy_home_not_used

    choice = choose_data_folder(given)
    said = used_folder_line(choice) or (palsy_home_not_used(choice.folder) if choice.named_by == "settings" else "")
    if said:
        print(said, file=sys.stderr)
    return choice


def _warn_same_person(store: Store, patient: Patient) -> None:
    """Warn (stderr; the import stands, exit 0) when other patients of this station have the
    imported one's name and date of birth (`patient_identity.others_like`): maybe one person
    under two IDs. IDs only: no name on the terminal."""
    from app.records.patient_identity import others_like

    others = others_like(store.db.connection(), patient.patient_id, patient.name, patient.birth_date)
    if others:
        which = f"patient {others[0]} on this station has" if len(others) == 1 else \
            f"patients {', '.join(others)} on this station have"
        print(f"warning: {which} the same name and date of birth as the imported {patient.patient_id}: if they are "
              "one person, check which ID the hospital record gives, record new visits under that ID only, and "
              "note the other ID in each patient's notes (IDs cannot be changed and records are never merged).",
              file=sys.stderr)


def _open_for_reading(choice: DataFolderChoice) -> AbstractContextManager[Store]:
    """The store in an existing data folder, for a command that only reads it: nothing created,
    upgraded or moved, an older schema included (`app.records.reading.open_for_reading`)."""
    from app.records.reading import open_for_reading

    return open_for_reading(choice.folder, checked_as(choice))


def checked_as(choice: DataFolderChoice) -> str:
    """The data folder as the store's messages name it ("check ..."): with where it came from."""
    from app.data_folder_choice import named_how

    return f"the data folder ({named_how(choice)})"


def _patients(store: Store, as_json: bool) -> int:
    """Print every patient ID with its visits (for exports, backups checks, uninstalling)."""
    from app.local_time import local_date

    items = store.patient_summaries()
    if as_json:  # stored UTC times with their offset, as the other JSON outputs
        print(json.dumps(items, indent=2))
        return 0
    for item in items:
        # The local date, as the app and `verify` show it (the evening's visit in Los Angeles is
        # already tomorrow in UTC).
        last = f", last {local_date(item['last_visit'])}" if item["last_visit"] else ""
        print(f"{item['patient_id']}\t{counted(item['visits'], 'visit')}, {item['confirmed']} confirmed{last}")
    print(f"{counted(len(items), 'patient')} in {store.root}")
    return 0


def _drafts(store: Store, as_json: bool) -> int:
    """Print the unfinished assessments, newest first, then those an import brought from the
    station that began them (kept, not resumed here: `Store.imported_drafts`), marked so."""
    items = [
        {"assessment": d.assessment.id, "patient_id": d.assessment.patient_id,
         "updated_at": d.assessment.updated_at, "captured": [c.expression for c in d.captures],
         "missing": list(d.missing), "imported": imported}
        for imported, drafts in ((False, store.unfinished_assessments()), (True, store.imported_drafts()))
        for d in drafts
    ]
    if as_json:
        print(json.dumps(items, indent=2))
    for item in [] if as_json else items:
        elsewhere = (" - unfinished at the station that recorded it (imported): finished there, it stays there"
                     " (an import never merges); not resumed here" if item["imported"] else "")
        print(f"assessment {item['assessment']} patient {item['patient_id']} "
              f"({len(item['captured'])}/6 photos, last change {local_minute_zoned(item['updated_at'])}){elsewhere}")
    return 0


def _backup(choice: DataFolderChoice, out: Path) -> int:
    """Copy the data folder into `out`, checking the copy as `records check` does before it
    takes the name `out`: one summary line and 0 when it checks clean; the problems and 1 when
    not. A failure (a full disk, photos retaken all through the copy) leaves no partial copy and
    is one line naming `out`, exit 2."""
    from app.records import Store
    from app.records.backup import backup_data_folder, refuse_out

    refuse_out(out)  # before the store is opened: a user's mistake changes nothing
    with Store.open_existing(choice.folder, checked_as(choice)) as store:  # nothing created in a mistyped --data
        result = backup_data_folder(store, out, check=_check_report)
    report = result.report
    lost = [f"missing: {name} (its record names it, but the data folder does not hold it)" for name in result.missing]
    lost += [f"sha256 mismatch: {name} (the file in the data folder differs from its record)"
             for name in result.mismatched]
    if report["database_problems"] or report["file_problems"] or lost:
        for line in lost:
            print(line)
        _print_check(report, False)
        print(f"the backup in {result.folder} has problems (listed above); run `palsy records check` "
              "on the data folder")
        return 1
    print(f"backed up {counted(result.patients, 'patient')}, {counted(result.assessments, 'assessment')}, "
          f"{counted(result.files, 'file')} (from the data folder {store.root}, {result.bytes / 1_000_000:.1f} MB) "
          f"to {result.folder}; the copy checks clean")
    return 0


def _check(store: Store, as_json: bool) -> int:
    """Print the check report; 1 when there are problems, else 0.

    A damaged database (SQLite's integrity check fails, or a query meets damage) is reported
    with what to do, and its files are not judged: rows read from a damaged database may be
    missing, so sound photos would be reported unrecorded."""
    return _print_check(_check_report(store), as_json)


def _check_report(store: Store) -> dict:
    """The report of `records check` for `store` (see `_check`)."""
    from app.records.errors import DatabaseDamagedError, damaged_database_error

    try:
        problems = store.integrity_problems()
        if any(not p.startswith("broken reference") for p in problems):  # damage, not a stale reference
            advice = str(damaged_database_error(store.layout.db_path, "SQLite's integrity check failed"))
            return _damaged_report(advice, str(store.root), problems)
        problems += store.record_problems()
        notes = store.record_notes()
        found = store.verify_files() + store.unrecorded_files()
        patients = store.count_patients()
    except DatabaseDamagedError as exc:
        return _damaged_report(str(exc), str(store.root), None)
    return {
        "data_folder": str(store.root),
        "patients": patients,
        "database_problems": problems,
        "file_problems": [p.__dict__ for p in found if p.is_problem],
        # Unrecorded files younger than an hour: a save or an import in progress, not problems.
        "recent_files": [p.__dict__ for p in found if not p.is_problem],
        # Records an older release wrote as it then did, visits stamped by a clock set back
        # (`record_notes`): listed, not problems.
        "notes": notes,
    }


def _damaged_report(advice: str, folder: str | None, problems: list[str] | None) -> dict:
    """The check report of a damaged database: SQLite's findings (or the error that showed the
    damage) and what to do; the files are not judged."""
    return {"data_folder": folder, "patients": None, "database_problems": problems or [advice],
            "file_problems": [], "recent_files": [], "notes": [], "files_checked": False, "advice": advice}


def _print_check(report: dict, as_json: bool) -> int:
    """Print a check report (JSON, or a summary line and one line per problem); 1 when it holds
    problems, else 0."""
    if as_json:
        print(json.dumps(report, indent=2))
    elif report.get("files_checked") is False:
        print(f"the database is damaged: {counted(len(report['database_problems']), 'database problem')}; "
              "the files were not checked (the rows of a damaged database cannot be trusted)")
        for problem in report["database_problems"]:
            print(f"database: {problem}")
        if report["advice"] not in report["database_problems"]:
            print(report["advice"])
    else:
        recent, notes = report["recent_files"], report.get("notes", [])
        print(f"{counted(report['patients'], 'patient')} in {report['data_folder']}: "
              f"{len(report['database_problems'])} database and {counted(len(report['file_problems']), 'file problem')}"
              + (f" ({counted(len(recent), 'recent file')} not recorded yet, listed below: not counted)" if recent else "")
              + (f" ({counted(len(notes), 'note')} on records to know about, nothing to repair, listed below: not counted)"
                 if notes else ""))
        for problem in report["database_problems"]:
            print(f"database: {problem}")
        for problem in report["file_problems"] + recent:
            print(f"{problem['problem']}: {problem['detail']}")
        for note in notes:
            print(f"note: {note}")
    return 1 if report["database_problems"] or report["file_problems"] else 0


def open_pdf(path: Path) -> BinaryIO:
    """The PDF file to verify, open for reading; InputError (exit 2) when it is missing, a
    folder, not a regular file (a pipe would block the read forever, a device never end),
    unreadable or not a PDF. The open itself does not block."""
    import os
    import stat

    from app.records.imaging import PDF_MAGIC
    from models.errors import InputError

    if path.is_dir():
        raise InputError(f"{path} is a folder; give the report's PDF file")
    try:
        handle = os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)), "rb")
    except FileNotFoundError:
        raise InputError(f"{path} not found; give the path of the report PDF to check") from None
    except OSError as exc:
        raise InputError(f"cannot read {path} ({exc.strerror or exc}); check the file and its permissions") from None
    try:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise InputError(f"{path} is not a regular file (a pipe or device); give the report's PDF file")
        if not handle.read(len(PDF_MAGIC)).startswith(PDF_MAGIC):
            raise InputError(f"{path} is not a PDF file; give a report PDF exported by Palsy Grader")
    except OSError as exc:
        handle.close()
        raise InputError(f"cannot read {path} ({exc.strerror or exc}); check the file and its permissions") from None
    except BaseException:
        handle.close()
        raise
    return handle


def pdf_sha256(pdf: BinaryIO) -> str:
    """The sha256 of the whole open file, read in chunks."""
    import hashlib

    pdf.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: pdf.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def find_report(store: Store, sha256: str) -> tuple[Assessment, Report] | None:
    """The stored report whose recorded sha256 is `sha256`, with its assessment; None when no
    report of this data folder has it."""
    report = store.report_with_sha256(sha256)
    return None if report is None else (store.get_assessment(report.assessment_id), report)


def find_withdrawn_report(store: Store, sha256: str) -> tuple[Assessment, str] | None:
    """The visit marked entered in error whose audit trail records a report with this sha256,
    and when that report was stored; None otherwise. An export leaves such a visit's report out
    and keeps its entry, so a station that imported the patient has the entry and no report."""
    entry = store.report_entry_with_sha256(sha256)
    if entry is None:
        return None
    assessment = store.get_assessment(int(entry.entity_id))
    return (assessment, entry.at) if store.entered_in_error_at(assessment.id) is not None else None


def trail_disagreements_of(store: Store, assessment: Assessment, report: Report) -> list[str]:
    """How the records `verify` would certify this report by disagree with the append-only audit
    trail (`audit_agreement`, `patient_agreement`: the checks `palsy records check` makes, for
    this one visit): the visit's row against its own trail, the report's sha256 against the
    ones its trail recorded for this visit (a `reports` row forged, or moved to another visit),
    and the patient against the visit's trail (a visit moved to another patient) and its own.
    Empty when they agree. The `reports` table has no append-only triggers: one UPDATE
    certified a forged PDF, or named the wrong patient."""
    from app.records.audit_agreement import AUDITED_FIELDS, trail_disagreements
    from app.records.patient_agreement import AUDITED_FIELDS as PATIENT_FIELDS
    from app.records.patient_agreement import patient_disagreements
    from app.records.validate import id_key

    with store.db.read():  # one snapshot: a grade confirmed between two reads is no edit
        entries = sorted(store.audit_trail("assessment", assessment.id) + store.audit_trail("report", assessment.id),
                         key=lambda e: e.id)  # in the order written, as `records check` reads them
        patient = store.get_patient(assessment.patient_id)
        patient_trail = store.audit_trail("patient", assessment.patient_id)
    audit = [{"entity": e.entity, "entity_id": e.entity_id, "field": e.field, "new_value": e.new_value,
              "old_value": e.old_value, "reason": e.reason, "at": e.at} for e in entries]
    found = trail_disagreements(audit, {f: getattr(assessment, f) for f in AUDITED_FIELDS}, [report.sha256])
    named = {"patient_id": patient.patient_id, **{f: getattr(patient, f) for f in PATIENT_FIELDS},
             "audit": [{"entity": e.entity, "entity_id": e.entity_id, "field": e.field, "new_value": e.new_value,
                        "reason": e.reason, "at": e.at} for e in patient_trail]}
    return found + patient_disagreements(named, [{"number": assessment.id, "audit": audit}], id_key)


def damaged_text_of(store: Store, assessment: Assessment) -> list[str]:
    """Which audited cells of this report's visit and its patient hold bytes that are not
    valid UTF-8 ("the clinician of assessment 4"; never their text): damage, which `records
    check` lists as such, not an edit, so `verify` says it before comparing them with the trail."""
    from app.records.audit_agreement import AUDITED_FIELDS
    from app.records.patient_agreement import AUDITED_FIELDS as PATIENT_FIELDS
    from app.records.text_checks import VALID_TEXT, with_valid_text

    cells = [("a", c, f"the {c.replace('_', ' ')} of assessment {assessment.id}") for c in AUDITED_FIELDS] + [
        ("p", c, f"the {_SHOWN_PATIENT_FIELD.get(c, c.replace('_', ' '))} of its patient")
        for c in ("patient_id", *PATIENT_FIELDS)]
    with store.db.read() as conn:
        row = with_valid_text(conn).execute(
            f"SELECT {', '.join(f'{VALID_TEXT}(CAST({t}.{c} AS BLOB))' for t, c, _ in cells)}"
            " FROM assessments a JOIN patients p ON p.id = a.patient_ref WHERE a.id = ?", (assessment.id,)).fetchone()
    return [] if row is None else [label for (_, _, label), ok in zip(cells, row, strict=True) if not ok]


_SHOWN_PATIENT_FIELD = {"patient_id": "patient ID", "birth_date": "date of birth"}


def damaged_text_line(file: str, store: Store, damaged: list[str]) -> str:
    """What `verify` says of a report whose records hold damaged text (exit 1)."""
    return (f"{file}: in the records in {store.root}, {' and '.join(damaged)} "
            f"{'is' if len(damaged) == 1 else 'are'} not valid text (stored bytes that are not UTF-8): the database "
            "is damaged, so this report cannot be checked against it. Run `palsy records check`, and restore "
            "palsy.db from a backup that checks clean; do not rely on this report until then")


def trail_disagreement_line(file: str, store: Store, found: list[str]) -> str:
    """What `verify` says of a report whose records disagree with their audit trail (exit 1):
    neither the patient nor the grade the records name can be relied on."""
    return (f"{file}: the records in {store.root} disagree with their audit trail for this report (edited outside "
            f"Palsy Grader: {'; '.join(found)}): run `palsy records check`; do not rely on this report")


def _not_relied_on(file: str, sha256: str | None, store: Store, key: str, found: list[str],
                   line: Callable[[str, Store, list[str]], str], as_json: bool) -> int:
    """`verify`'s answer for a stored report whose records cannot be relied on (`found`, under
    `key` in JSON, said by `line` in text): not certified, exit 1."""
    if as_json:
        print(json.dumps({"file": file, "sha256": sha256, "data_folder": str(store.root), "stored": False,
                          key: found}, indent=2))
    else:
        print(line(file, store, found))
    return 1


def confirmation_when_stored(store: Store, assessment: Assessment, report: Report) -> tuple[str, str]:
    """(confirmed grade, clinician) as they were when the report was stored: the audit trail's
    last values up to then (a grade confirmed again later is not the one the PDF shows). "Up to
    then" is `_after_report`'s rule: the order the entries were written in, up to the report's
    own entry (times alone took a confirmation in the report's millisecond for an earlier one,
    and a clock stepped back reorders them); times decide between an import's copies and for a
    report without its entry."""
    values = {"confirmed_grade": assessment.confirmed_grade or "", "clinician": assessment.clinician or ""}
    later = _after_report(store, assessment, report)
    for entry in store.audit_trail("assessment", assessment.id):  # oldest first
        if entry.field in values and not later(entry) and entry.new_value is not None:
            values[entry.field] = entry.new_value
    return values["confirmed_grade"], values["clinician"]


def report_imported_at(store: Store, assessment: Assessment, report: Report) -> str | None:
    """When the report came into this data folder by `records import` (the stored time of the
    patient's "imported" audit entry), or None when it was stored here. An imported report's
    audit entry is a copy, its reason marked IMPORTED_MARK: this station did not make it."""
    from app.records.export_format import IMPORTED_MARK

    entries = [e for e in store.audit_trail("report", assessment.id)
               if e.field == "report" and (e.new_value or "").lower() == report.sha256.lower()]
    if any(not e.reason.startswith(IMPORTED_MARK) for e in entries):
        return None  # stored here: its own entry is not a copy
    imports = [e.at for e in store.audit_trail("patient", assessment.patient_id)
               if e.field == "record" and e.new_value == "imported"]
    if imports:
        return imports[-1]
    return report.created_at if entries else None  # marked copies without the import's own entry


def _after_report(store: Store, assessment: Assessment, report: Report) -> Callable[[AuditEntry], bool]:
    """Whether an audit entry was written after the report was stored (`confirmation_when_stored`,
    `changed_after`): the order the entries were written in, from the report's own entry on. Copies
    made by an import (reason marked IMPORTED_MARK) were written here in another order than they
    happened (the patient's first), so between two copies their times decide; and times decide
    for a report without its entry."""
    from app.records.export_format import IMPORTED_MARK

    stored = [e for e in store.audit_trail("report", assessment.id)
              if e.field == "report" and (e.new_value or "").lower() == report.sha256.lower()]

    def later(entry: AuditEntry) -> bool:
        if not stored:
            return entry.at > report.created_at
        if entry.reason.startswith(IMPORTED_MARK) and stored[0].reason.startswith(IMPORTED_MARK):
            return entry.at > stored[0].at
        return entry.id > stored[0].id
    return later


def changed_after(store: Store, assessment: Assessment, report: Report) -> list[str]:
    """What the records changed after this report was stored, of what it prints, in the
    window's words (`app.export.changed_since`, which judges the newest report): this visit's
    grade, clinician or notes; the patient's details (PRINTED_PATIENT_FIELDS); an earlier
    visit's grade history (PRINTED_HISTORY_FIELDS). A note on the patient or on another visit
    changes nothing printed."""
    from app.export import (
        EARLIER,
        PATIENT,
        PRINTED_HISTORY_FIELDS,
        PRINTED_PATIENT_FIELDS,
        THIS_VISIT,
    )
    from app.gateway_store import StoreGateway
    from app.pages.history_logic import visit_order

    later = _after_report(store, assessment, report)
    found: set[str] = set()
    if any(e.field in PRINTED_PATIENT_FIELDS and later(e) for e in store.audit_trail("patient", assessment.patient_id)):
        found.add(PATIENT)
    if any(later(e) for e in store.audit_trail("assessment", assessment.id)):
        found.add(THIS_VISIT)
    visits = StoreGateway(store, actor="").graded_visits(assessment.patient_id)
    this = [visit_order(v) for v in visits if v.assessment_id == assessment.id]
    earlier = [v.assessment_id for v in visits if v.assessment_id != assessment.id and this
               and visit_order(v) <= this[0]]
    if any(e.field in PRINTED_HISTORY_FIELDS and later(e)
           for aid in earlier for e in store.audit_trail("assessment", aid)):
        found.add(EARLIER)
    return [what for what in (THIS_VISIT, PATIENT, EARLIER) if what in found]


# `verify`'s exit status for a genuine report that no longer shows the records as they stand
# (what `changed_after` finds), and its line.
SUPERSEDED = 3


def superseded_line(changed: list[str]) -> str:
    """The line `verify` prints for a report the records have moved past, naming what changed."""
    return (f"the records changed after this report was stored ({'; '.join(changed)}): rely on a report exported "
            "again (exit status 3)")


# Reports the app writes are a few hundred kB (docs/assess.md); a PDF up to this size is always hashed.
VERIFY_HASH_ALWAYS_BYTES = 64 * 2**20


def _verify(store: Store, file: str, pdf: BinaryIO, as_json: bool) -> int:
    """Print whether `file` (open as `pdf`) is a report stored in `store`: exit 0 when it is and
    still shows the records as they stand; 3 when it is genuine but the records changed since of
    what it prints (`changed_after`: rely on a newer export); 1 when it is not stored, its
    visit was marked entered in error, or the records that name it disagree with their audit
    trail (`trail_disagreements_of`: edited outside Palsy Grader; JSON "stored" false) (exit 2,
    a file that is not a readable PDF, is `open_pdf`'s). A file over VERIFY_HASH_ALWAYS_BYTES whose size no stored report file has is
    not one of them: it is not read (a 20 GB file beginning with %PDF would take minutes to hash), and
    its sha256 is not printed (JSON null). Smaller files are always hashed: a stored report's
    file that was damaged since no longer has the original's size, but its row's sha256 does."""
    import os

    from app.export import PATIENT
    from app.local_time import local_date, local_minute

    size = os.fstat(pdf.fileno()).st_size
    sizes = store.report_sizes() if size > VERIFY_HASH_ALWAYS_BYTES else None  # None: hash it
    sha256 = pdf_sha256(pdf) if sizes is None or size in sizes else None
    found = None if sha256 is None else find_report(store, sha256)
    withdrawn_elsewhere = None if found is not None or sha256 is None else find_withdrawn_report(store, sha256)
    if withdrawn_elsewhere is not None:
        return _verify_withdrawn_not_stored(store, file, sha256, *withdrawn_elsewhere, as_json)
    damaged = [] if found is None else damaged_text_of(store, found[0])
    if damaged:  # a cell that does not decode: damage, not an edit (`records check` lists it)
        return _not_relied_on(file, sha256, store, "damaged_text", damaged, damaged_text_line, as_json)
    disagreements = [] if found is None else trail_disagreements_of(store, *found)
    if disagreements:  # a row edited by hand: what it names (patient, grade) is not what the trail holds
        return _not_relied_on(file, sha256, store, "disagrees_with_audit_trail", disagreements,
                              trail_disagreement_line, as_json)
    item: dict = {"file": file, "sha256": sha256, "data_folder": str(store.root), "stored": found is not None}
    if found is not None:
        assessment, report = found
        grade, clinician = confirmation_when_stored(store, assessment, report)
        item.update({
            "patient_id": assessment.patient_id, "assessment": assessment.id,
            "assessment_date": local_date(assessment.created_at), "confirmed_grade": grade, "clinician": clinician,
            # --json keeps its format (local "YYYY-MM-DD HH:MM"); the line below names the zone
            "stored_at": local_minute(report.created_at), "report_file": report.file_name,
        })
        imported_at = report_imported_at(store, assessment, report)
        item["imported"] = imported_at is not None
        item["imported_at"] = None if imported_at is None else local_minute(imported_at)
        # a confirmation after the report is an audit entry after it by `_after_report`'s rule,
        # which `changed_after` shares: it names this visit then
        later = (assessment.confirmed_grade, assessment.clinician) != (grade, clinician)
        changed = changed_after(store, assessment, report)
        item["confirmed_again_later"] = later
        item["patient_corrected_later"] = PATIENT in changed
        item["changed_since"] = changed
        # when (not why: the reason may name the other patient)
        withdrawn = store.entered_in_error_at(assessment.id) if assessment.status == "discarded" else None
        item["entered_in_error"] = None if withdrawn is None else {"at": local_minute(withdrawn)}
    if as_json:
        print(json.dumps(item, indent=2))
    elif found is None:
        print(f"{file}: not a report stored in {store.root} (altered, from another data folder, or made by "
              "palsy assess / palsy demo, which do not store reports)")
    else:
        again = (f"; confirmed again later as {assessment.confirmed_grade} by {assessment.clinician}"
                 if item["confirmed_again_later"] else "")
        origin = ""
        if item["imported"]:
            origin = (f"; IMPORTED {local_minute_zoned(imported_at)} from another station's export: made and confirmed "
                      "there, not on this station, which only checked that it arrived unaltered")
        # the visit's start with its zone: read in another zone, a bare date differed from the PDF's
        print(f"{file}: stored report of patient {item['patient_id']}, assessment {item['assessment']} started "
              f"{local_minute_zoned(assessment.created_at)}, grade {grade} confirmed by {clinician}, stored "
              f"{local_minute_zoned(report.created_at)}{again}"
              f"{origin}")
        if withdrawn is not None:  # withdrawn: no export is offered again, so none is asked for
            print(_entered_in_error_line(withdrawn))
        elif changed:
            print(superseded_line(changed))
    # a report of a visit withdrawn since is genuine, and not to be relied on: exit 1 as for one not stored
    if found is None or item["entered_in_error"] is not None:
        return 1
    # genuine, and no longer what the records hold: a script reading the exit status alone took it as good
    return SUPERSEDED if item["changed_since"] else 0


def _verify_withdrawn_not_stored(store: Store, file: str, sha256: str, assessment: Assessment, stored_at: str,
                                 as_json: bool) -> int:
    """Say that `file` is the report of a visit marked entered in error that the audit trail
    records and this data folder does not store (an export leaves it out): do not use it, exit
    1 as for a stored one. Without that, an importing station called it altered."""
    from app.local_time import local_date, local_minute

    withdrawn = store.entered_in_error_at(assessment.id)
    item = {
        "file": file, "sha256": sha256, "data_folder": str(store.root), "stored": False,
        "patient_id": assessment.patient_id, "assessment": assessment.id,
        "assessment_date": local_date(assessment.created_at), "stored_at": local_minute(stored_at),
        "entered_in_error": {"at": local_minute(withdrawn)},  # when, not why, as for a stored report
    }
    if as_json:
        print(json.dumps(item, indent=2))
        return 1
    print(f"{file}: report of patient {assessment.patient_id}, assessment {assessment.id} of "
          f"{item['assessment_date']}, stored {local_minute_zoned(stored_at)}: the audit trail in {store.root} records it, "
          "but the PDF is not kept there (exports leave out the report of a visit marked entered in error)")
    print(_entered_in_error_line(withdrawn))
    return 1


def _entered_in_error_line(withdrawn: str) -> str:
    """The warning `verify` gives for a report of a visit marked entered in error since."""
    return (f"this visit was marked entered in error {local_minute_zoned(withdrawn)} (recorded under the wrong "
            "patient, or not to be used): do not use this report")
