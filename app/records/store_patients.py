"""Patients in the store: create, update, look up, search and count (with audit rows)."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from app.records import patient_identity, validate
from app.records.errors import DuplicateRecordError
from app.records.migrations import schema_version
from app.records.rows import Patient
from app.records.store_base import StoreBase, _audit

log = logging.getLogger("palsy.records")

_PATIENT_FIELDS = ("name", "birth_date", "sex", "affected_side", "notes")
SEARCH_LIMIT = 50
DIGIT_RUN_MIN = 3  # digits alone, at least this many, also match inside a patient ID


def _prefix_range(prefix: str) -> tuple[str, str]:
    """[low, high) bounds matching every string that starts with `prefix` (index-friendly)."""
    return prefix, prefix + "\U0010ffff"


def is_digit_run(key: str) -> bool:
    """True when a search key is DIGIT_RUN_MIN or more digits and nothing else: a patient number
    typed without its letters. Fewer digits would list most of the clinic."""
    return len(key) >= DIGIT_RUN_MIN and key.isdecimal()


def _add_ids_holding(conn: sqlite3.Connection, digits: str, found: dict[int, sqlite3.Row], limit: int) -> None:
    """Add to `found` (row id -> row), in ID order, the patients whose ID holds `digits` past its
    start (a prefix match is found already), until `found` holds `limit`. SQLite compares the
    IDs in the ID index and reads a patient's row only for a match."""
    for row in conn.execute("SELECT * FROM patients WHERE instr(id_key, ?) > 1 ORDER BY id_key", (digits,)):
        found.setdefault(row["id"], row)  # streamed in index order: stop as soon as enough
        if len(found) >= limit:
            break


def stale_search_terms(conn: sqlite3.Connection, *, accented_only: bool = False) -> list[tuple[int, str]]:
    """(row id, patient ID) of the patients whose stored name search terms are not the ones this
    program stores for their name at the database's schema version: a station of an older
    release, left running while another upgraded the folder, wrote its new patients' terms the
    old way (with accents: 'agnes' then does not find 'Ágnes').

    `records check` compares every patient (0.1-0.2 s for 10,000 patients on the 2-core machine).
    With `accented_only` (every `Store.open`) only the patients with a stored term that still has
    accents are compared: what such a station leaves. SQLite picks the non-ASCII terms, so a
    folder of Latin names, stored without accents, costs one scan of the index (about 10 ms)."""
    version = schema_version(conn)
    if version < 2:  # no search index before step 2
        return []
    accents_dropped = version >= 4
    if accented_only and not accents_dropped:
        return []
    stored: dict[int, set[str]] = {}
    if accented_only:
        refs = {ref for ref, term in conn.execute("SELECT patient_ref, term FROM patient_terms WHERE term GLOB '*[^ -~]*'")
                if validate.without_accents(term) != term}
        if not refs:
            return []
        if len(refs) > 500:  # many: one pass over all (an older SQLite allows 999 parameters)
            return stale_search_terms(conn)
        marks = ",".join("?" * len(refs))
        terms = conn.execute(f"SELECT patient_ref, term FROM patient_terms WHERE patient_ref IN ({marks})", list(refs))
        names = conn.execute(f"SELECT id, patient_id, name FROM patients WHERE id IN ({marks}) ORDER BY id", list(refs))
    else:
        terms = conn.execute("SELECT patient_ref, term FROM patient_terms")
        names = conn.execute("SELECT id, patient_id, name FROM patients ORDER BY id")
    for ref, term in terms:
        stored.setdefault(ref, set()).add(term)
    terms_of = validate.name_search_terms if accents_dropped else validate.name_terms
    dashes_folded = version >= 5  # step 5: a dash in a name separates its words
    return [(ref, pid) for ref, pid, name in names if stored.get(ref, set()) != terms_of(name, dashes_folded=dashes_folded)]


def lookalike_twin(conn: sqlite3.Connection, pid: str) -> str | None:
    """The stored patient ID that looks the same as `pid` but is another ID
    (`validate.id_skeleton`), or None. Only IDs with letters outside ASCII can look like another:
    an ASCII ID is compared with the stored IDs holding such letters, and with its own skeleton
    by index."""
    skeleton, key = validate.id_skeleton(pid), validate.id_key(pid)
    rows = conn.execute("SELECT patient_id, id_key FROM patients WHERE id_key = ? OR id_key GLOB '*[^ -~]*'", (skeleton,))
    return next((other for other, other_key in rows if other_key != key and validate.id_skeleton(other) == skeleton), None)


def _refuse_lookalike(conn: sqlite3.Connection, pid: str) -> None:
    """DuplicateRecordError when a stored patient's ID looks the same as `pid` (`lookalike_twin`)."""
    twin = lookalike_twin(conn, pid)
    if twin is not None:
        raise DuplicateRecordError(
            f"the patient ID {pid} looks the same as the ID of patient {twin}, in letters of another alphabet; "
            f"open {twin} from the search, or type the new ID again in the alphabet of the hospital record."
        )


class PatientsMixin(StoreBase):
    """`Store` methods for patient rows and the name search index."""

    def create_patient(
        self,
        patient_id: str,
        *,
        name: str = "",
        birth_date: Any = None,
        sex: str | None = None,
        affected_side: str | None = None,
        notes: str = "",
        actor: str = "",
        created_at: str | None = None,
    ) -> Patient:
        """Add a patient; DuplicateRecordError when the ID exists as `validate.id_key` compares
        IDs (case, dashes and spacing aside), or when it looks the same as a stored ID in other
        letters (`validate.id_skeleton`: Cyrillic 'АВ12' beside 'AB12'). An ID that looks like
        another (`validate.new_patient_id`: mixed alphabets, a combining mark, a superscript digit)
        is refused with an InputError, an import's included. One person under another ID is not refused here: the patient form
        asks first (`same_person_candidates`)."""
        pid = validate.new_patient_id(patient_id)
        values = {
            "name": validate.text(name, "name", max_len=200),
            "birth_date": validate.birth_date(birth_date),
            "sex": validate.sex(sex),
            "affected_side": validate.side(affected_side),
            "notes": validate.text(notes, "notes", multiline=True),
        }
        stamp = created_at or validate.now_iso()
        try:
            with self.db.write() as conn:
                _refuse_lookalike(conn, pid)
                cur = conn.execute(
                    "INSERT INTO patients(patient_id, id_key, name, birth_date, sex, affected_side,"
                    " notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (pid, validate.id_key(pid), *values.values(), stamp, stamp),
                )
                self._set_terms(conn, cur.lastrowid, values["name"])
                _audit(conn, actor, "patient", pid, "record", None, "created", at=stamp)
        except sqlite3.IntegrityError:
            stored = self.db.query("SELECT patient_id FROM patients WHERE id_key = ?", (validate.id_key(pid),))
            same = (f" ({pid} is the same ID: IDs that differ only in capitals, dashes or spaces are one ID)"
                    if stored and stored[0][0] != pid else "")
            raise DuplicateRecordError(
                f"a patient with ID {stored[0][0] if same else pid} already exists{same}; open it from the search instead."
            ) from None
        log.info("patient %s created", pid)
        return self.get_patient(pid)

    def same_person_candidates(self, name: str, birth_date: Any, exclude_id: str | None = None) -> list[str]:
        """The IDs of the patients (by ID) with this date of birth and this name as the search
        compares names (`patient_identity.name_key`: case, accents and spacing aside), `exclude_id`
        excepted: perhaps the same person under another ID. None when the name or the date of
        birth is blank (nothing to compare: a patient registered by ID alone is no match)."""
        born = validate.birth_date(birth_date)
        if born is None:
            return []
        with self.db.read() as conn:
            return patient_identity.others_like(conn, exclude_id or "", name, born)

    @staticmethod
    def _set_terms(conn: sqlite3.Connection, ref: int, name: str) -> None:
        conn.execute("DELETE FROM patient_terms WHERE patient_ref = ?", (ref,))
        conn.executemany(
            "INSERT OR IGNORE INTO patient_terms(term, patient_ref) VALUES (?, ?)",
            [(term, ref) for term in validate.name_search_terms(name)],
        )

    def update_patient(self, patient_id: str, *, actor: str, **changes: Any) -> Patient:
        """Change name, birth_date, sex, affected_side or notes; each change is audited."""
        unknown = set(changes) - set(_PATIENT_FIELDS)
        if unknown:
            raise TypeError(f"unknown patient field(s): {', '.join(sorted(unknown))}")
        cleaners = {
            "name": lambda v: validate.text(v, "name", max_len=200),
            "birth_date": validate.birth_date,
            "sex": validate.sex,
            "affected_side": validate.side,
            "notes": lambda v: validate.text(v, "notes", multiline=True),
        }
        clean = {key: cleaners[key](value) for key, value in changes.items()}
        with self.db.write() as conn:
            row = self._patient_row(conn, patient_id)
            stamp = validate.now_iso()
            changed = {k: v for k, v in clean.items() if row[k] != v}
            for key, value in changed.items():
                conn.execute(f"UPDATE patients SET {key} = ? WHERE id = ?", (value, row["id"]))
                _audit(conn, actor, "patient", row["patient_id"], key, row[key], value, at=stamp)
            if changed:
                conn.execute("UPDATE patients SET updated_at = ? WHERE id = ?", (stamp, row["id"]))
            if "name" in changed:
                self._set_terms(conn, row["id"], changed["name"])
        if changed:
            log.info("patient %s updated: %s", row["patient_id"], ", ".join(sorted(changed)))
        return self.get_patient(row["patient_id"])

    def stale_search_terms(self, *, accented_only: bool = False) -> list[tuple[int, str]]:
        """`stale_search_terms` of this store's database, in one snapshot."""
        with self.db.read() as conn:
            return stale_search_terms(conn, accented_only=accented_only)

    def rebuild_stale_search_terms(self) -> int:
        """Store the terms of each patient whose terms still hold accents (`stale_search_terms`,
        `accented_only`) again from the name; the number rebuilt. `Store.open` calls it, so the
        next start repairs what a station of an older release wrote."""
        if not self.stale_search_terms(accented_only=True):
            return 0
        with self.db.write() as conn:  # again inside the write lock: another station may have done it
            stale = stale_search_terms(conn, accented_only=True)
            for ref, _ in stale:
                name = conn.execute("SELECT name FROM patients WHERE id = ?", (ref,)).fetchone()[0]
                self._set_terms(conn, ref, name)
        if stale:
            log.info("rebuilt the name search terms of %d patient(s) (%s): written the old way by an older "
                     "release", len(stale), ", ".join(pid for _, pid in stale[:10]) + (", ..." if len(stale) > 10 else ""))
        return len(stale)

    def get_patient(self, patient_id: str) -> Patient:
        """The patient with this ID (case-insensitive); RecordNotFoundError if none."""
        return Patient.from_row(self._patient_row(self.db.connection(), patient_id))

    def search_patients(self, prefix: str, limit: int = SEARCH_LIMIT) -> list[Patient]:
        """Patients whose ID, full name or any name word starts with `prefix` (case-insensitive;
        for names accent-insensitive too: 'elodie' and 'élo' find 'Élodie', `name_search_terms`).
        A `prefix` of DIGIT_RUN_MIN or more digits alone also finds the IDs holding those digits
        anywhere: people read the number off a wristband or a referral, without the 'MRN-'.

        ID matches come first (by ID), then name matches (by the matching name term), then the
        IDs holding the digits (by ID). Each walks an index in order and stops at `limit`, so a
        one-letter prefix on a large clinic costs no more than a precise one; the digits are
        looked for in the ID index alone (a few ms for 10,000 patients when nothing matches).
        An empty prefix lists the most recently updated.
        """
        key = validate.search_key(prefix)
        if limit <= 0:
            return []
        if not key:
            rows = self.db.query(  # by the moment: an older import kept times with other offsets than UTC
                "SELECT * FROM patients ORDER BY julianday(updated_at) DESC, updated_at DESC, id DESC LIMIT ?", (limit,))
            return [Patient.from_row(r) for r in rows]
        low, high = _prefix_range(key)
        with self.db.read() as conn:
            found = {
                r["id"]: r
                for r in conn.execute(
                    "SELECT * FROM patients WHERE id_key >= ? AND id_key < ? ORDER BY id_key LIMIT ?",
                    (low, high, limit),
                )
            }
            # The accent-free terms; then, when what was typed has accents, the typed form too: a
            # release from before schema step 4, left open while another station upgraded the
            # folder, stored its new patients' terms with their accents; then a German name's
            # other spelling ('mueller' finds Müller, 'müller' Mueller: `umlaut_spellings`).
            spelt = validate.umlaut_spellings(key)
            for term in dict.fromkeys((validate.without_accents(key), key, *spelt)):
                if len(found) >= limit:
                    break
                cursor = conn.execute(
                    "SELECT p.* FROM patient_terms t JOIN patients p ON p.id = t.patient_ref"
                    " WHERE t.term >= ? AND t.term < ? ORDER BY t.term, t.patient_ref",
                    _prefix_range(term),
                )
                for row in cursor:  # streamed in index order: stop as soon as enough
                    if term in spelt and not validate.umlaut_match(row["name"], key):
                        continue  # 'jol' for 'joel' found Jolanda
                    found.setdefault(row["id"], row)
                    if len(found) >= limit:
                        break
            if len(found) < limit and is_digit_run(key):
                _add_ids_holding(conn, key, found, limit)
        return [Patient.from_row(r) for r in found.values()]

    def patient_summaries(self) -> list[dict[str, Any]]:
        """Every patient by ID: visits (assessments not discarded), the last visit's date and
        the number confirmed; no name or other identifying field (`palsy records patients`)."""
        # The last visit by its moment, not its text (times an older import kept with another offset
        # than UTC); SQLite takes the bare column from the row of the one MAX().
        rows = self.db.query(
            "SELECT p.patient_id, COUNT(a.id) AS visits, SUM(a.status = 'confirmed') AS confirmed,"
            " a.created_at AS last_visit, MAX(julianday(a.created_at)) FROM patients p"
            " LEFT JOIN assessments a ON a.patient_ref = p.id AND a.status != 'discarded'"
            " GROUP BY p.id ORDER BY p.id_key"
        )
        return [{"patient_id": r["patient_id"], "visits": int(r["visits"]), "confirmed": int(r["confirmed"] or 0),
                 "last_visit": r["last_visit"]} for r in rows]

    def count_patients(self) -> int:
        """Number of patients."""
        return int(self.db.query("SELECT COUNT(*) FROM patients")[0][0])
