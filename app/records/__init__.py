"""Patient records (DESIGN §9, storage): SQLite store, atomic photo files, audit trail,
crash recovery, export/import. No Qt here.
"""

from app.records.errors import (
    ChecksumError,
    DuplicateRecordError,
    RecordNotFoundError,
    RecordStateError,
    StorageError,
)
from app.records.paths import default_data_dir
from app.records.rows import Assessment, AuditEntry, Capture, Draft, FileProblem, Patient, Report
from app.records.store import Store

__all__ = [
    "Assessment",
    "AuditEntry",
    "Capture",
    "ChecksumError",
    "Draft",
    "DuplicateRecordError",
    "FileProblem",
    "Patient",
    "RecordNotFoundError",
    "RecordStateError",
    "Report",
    "StorageError",
    "Store",
    "default_data_dir",
]
