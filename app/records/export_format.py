"""The folder a patient export is, shared by export and import (a contract for other stations):

    <dest>/<patient ID or pseudonym>/
        patient.json      format "palsy-patient-export", version 1: schema_version (the
                          records' RECORD_FIELDS_VERSION, migrations.py), exported_at,
                          deidentified, dates_shifted, patient, assessments (grades, results,
                          captures, reports, audit trail), sha256 of each file
        photos/*.png|jpg  captured photos as stored, named NNNNNN_EXPRESSION_SHA12 after
                          the assessment's "number" (1..n in a de-identified export); none
                          for a discarded visit, which is its row and audit trail only
        reports/*.pdf     PDF reports (not in de-identified exports, none of a discarded visit)

Written by `export_folder.export_patient`, checked by `import_checks` and read into a store
by `import_folder.import_patient`.
"""

from __future__ import annotations

import re

EXPORT_FORMAT = "palsy-patient-export"
EXPORT_VERSION = 1
MANIFEST = "patient.json"
# The largest photo, report or patient.json an import reads. The biggest frame the camera
# settings allow (4096 x 4096 RGBA) is 64 MiB even as an uncompressed PNG; reports are a few MB.
MAX_FILE_BYTES = 100 * 2**20
# Starts the reason of every audit entry an import copies: the change was recorded elsewhere.
IMPORTED_MARK = "[imported]"
# How the manifest writes a file's checksum.
SHA256 = re.compile(r"[0-9a-f]{64}")
