"""`palsy records`: check the data folder, list the patients or the unfinished assessments,
export/import a patient."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from models.counted import counted

if TYPE_CHECKING:
    from app.records import Store


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("records", help="check, export or import patient records")
    parser.add_argument("--data", metavar="DIR", help="data folder (default: PALSY_HOME or the platform folder)")
    actions = parser.add_subparsers(dest="records_action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="verify the database, every photo's sha256 and that no file is unrecorded (changes nothing)"
    )
    check.add_argument("--json", action="store_true", help="print JSON")
    patients = actions.add_parser("patients", help="list every patient ID with its visits (no names)")
    patients.add_argument("--json", action="store_true", help="print JSON")
    drafts = actions.add_parser("drafts", help="list unfinished assessments (offered for resumption)")
    drafts.add_argument("--json", action="store_true", help="print JSON")
    export = actions.add_parser("export", help="export one patient as a folder (JSON + photos + reports)")
    export.add_argument("patient_id")
    export.add_argument("--out", required=True, metavar="DIR", help="destination folder")
    export.add_argument("--deidentify", action="store_true", help="no name, date of birth, notes or reports")
    export.add_argument("--pseudonym", help="patient ID to use in a de-identified export")
    imp = actions.add_parser("import", help="import a patient folder made by `records export`")
    imp.add_argument("folder")
    imp.add_argument("--actor", default="", help="name recorded in the audit trail")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.records import Store
    from app.records.transfer import export_patient, import_patient

    if args.records_action == "check":
        # Read-only: a check creates, upgrades and moves nothing (a mistyped --data stays an error).
        with Store.open_existing(args.data) as store:
            return _check(store, args.json)
    if args.records_action == "patients":
        with _open_for_reading(args.data) as store:  # a listing: never a new empty data folder
            return _patients(store, args.json)
    if args.records_action == "drafts":
        # A listing: a mistyped --data or PALSY_HOME is an error, never a new empty data folder.
        with _open_for_reading(args.data) as store:
            return _drafts(store, args.json)
    if args.records_action == "export":
        # Reads the store only: a mistyped --data is an error, not a new empty data folder.
        with _open_for_reading(args.data) as store:
            folder = export_patient(store, args.patient_id, args.out, deidentify=args.deidentify,
                                    pseudonym=args.pseudonym)
        print(folder)
        return 0
    with Store.open(args.data) as store:  # an import may start a new data folder
        patient = import_patient(store, args.folder, actor=args.actor)
        print(f"imported patient {patient.patient_id}")
        return 0


def _open_for_reading(folder: str | None) -> Store:
    """The store in an existing data folder, read-only (`Store.open_existing`: a missing folder or
    database is a StorageError naming it). A database of another schema version goes through
    `Store.open` as in the app: an older one is upgraded (after its `.vN.bak` copy), since the
    queries read the current schema; a newer one is refused with a message."""
    from app.records import Store
    from app.records.migrations import LATEST_VERSION, schema_version

    store = Store.open_existing(folder)
    try:
        current = schema_version(store.db.connection()) == LATEST_VERSION
    except BaseException:
        store.close()
        raise
    if current:
        return store
    store.close()
    return Store.open(folder, recover_files=False)


def _patients(store: Store, as_json: bool) -> int:
    """Print every patient ID with its visits (for exports, backups checks, uninstalling)."""
    items = store.patient_summaries()
    if as_json:
        print(json.dumps(items, indent=2))
        return 0
    for item in items:
        last = f", last {item['last_visit'][:10]}" if item["last_visit"] else ""
        print(f"{item['patient_id']}\t{item['visits']} visit(s), {item['confirmed']} confirmed{last}")
    print(f"{len(items)} patient(s) in {store.root}")
    return 0


def _drafts(store: Store, as_json: bool) -> int:
    """Print the unfinished assessments, newest first."""
    items = [
        {"assessment": d.assessment.id, "patient_id": d.assessment.patient_id,
         "updated_at": d.assessment.updated_at, "captured": [c.expression for c in d.captures],
         "missing": list(d.missing)}
        for d in store.unfinished_assessments()
    ]
    if as_json:
        print(json.dumps(items, indent=2))
    for item in [] if as_json else items:
        print(f"assessment {item['assessment']} patient {item['patient_id']} "
              f"({len(item['captured'])}/6 photos, last change {item['updated_at']})")
    return 0


def _check(store: Store, as_json: bool) -> int:
    """Print the check report; 1 when there are problems, else 0."""
    report = {
        "data_folder": str(store.root),
        "patients": store.count_patients(),
        "database_problems": store.integrity_problems(),
        "file_problems": [p.__dict__ for p in store.verify_files() + store.unrecorded_files()],
    }
    print(json.dumps(report, indent=2) if as_json else
          f"{counted(report['patients'], 'patient')} in {report['data_folder']}: "
          f"{len(report['database_problems'])} database and {counted(len(report['file_problems']), 'file problem')}")
    if not as_json:
        for problem in report["database_problems"]:
            print(f"database: {problem}")
        for problem in report["file_problems"]:
            print(f"{problem['problem']}: {problem['detail']}")
    return 1 if report["database_problems"] or report["file_problems"] else 0
