"""Applications, their documents and status history, and consents."""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any

from domain.applications import (
    FIELDS,
    HOLDER_FIELDS,
    OPEN,
    PERSONAL_FIELDS,
    Application,
    Document,
    StatusChange,
    application_number,
)
from domain.outbox import Owed
from storage.db import Database, IntegrityError, Row, one
from storage.outbox import add_owed

_APP_FIELDS = [f.name for f in fields(Application)]


def _application(row: Row) -> Application:
    data = {k: row[k] for k in _APP_FIELDS}
    data["guide_answers"] = json.loads(data["guide_answers"])
    data["vin_warning"] = bool(data["vin_warning"])
    data["anonymised"] = bool(data["anonymised"])
    data["requested_documents"] = tuple(json.loads(data["requested_documents"]))
    data["documents_to_follow"] = tuple(json.loads(data["documents_to_follow"]))
    return Application(**data)


def _change(row: Row) -> StatusChange:
    return StatusChange(row["from_status"], row["to_status"], row["actor_id"], row["comment"],
                        row["at"], row["event"], tuple(json.loads(row["kinds"])))


def _document(row: Row) -> Document:
    return Document(**{f.name: row[f.name] for f in fields(Document)})


class DuplicateFile(Exception):
    """The same file (file_unique_id) is already attached to this application."""


class ApplicationRepo:
    def __init__(self, db: Database):
        self.db = db

    async def get(self, application_id: int) -> Application | None:
        row = await self.db.lookup("SELECT * FROM applications WHERE id = ?", (application_id,))
        return _application(row) if row else None

    async def get_owned(self, application_id: int, user_id: int) -> Application | None:
        """The application only if it belongs to this user: callback data is never trusted."""
        row = await self.db.lookup("SELECT * FROM applications WHERE id = ? AND user_id = ?",
                                   (application_id, user_id))
        return _application(row) if row else None

    async def draft_of(self, user_id: int) -> Application | None:
        row = await self.db.lookup(
            "SELECT * FROM applications WHERE user_id = ? AND status = 'draft'", (user_id,))
        return _application(row) if row else None

    async def create_draft(self, user_id: int, prefill: dict[str, Any], now: int) -> Application:
        columns: dict[str, Any] = {"user_id": user_id, "created_at": now, "updated_at": now}
        for key, value in prefill.items():
            columns[key] = json.dumps(value) if key == "guide_answers" else value
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        async with self.db.write() as conn:
            async with conn.execute(f"INSERT INTO applications ({names}) VALUES ({marks})"
                                    " RETURNING *", tuple(columns.values())) as cur:
                return _application(one(await cur.fetchone()))

    async def update_draft(self, application_id: int, changes: dict[str, Any], now: int) -> None:
        unknown = set(changes) - set(FIELDS) - {"path", "guide_answers", "vin_warning"}
        if unknown:
            raise ValueError(f"not a draft field: {sorted(unknown)}")
        values = {k: json.dumps(v) if k == "guide_answers" else v for k, v in changes.items()}
        sets = ", ".join(f"{k} = ?" for k in values)
        await self.db.put(f"UPDATE applications SET {sets}, updated_at = ? WHERE id = ?"
                          " AND status = 'draft'", (*values.values(), now, application_id))

    async def delete_draft(self, application_id: int) -> None:
        await self.db.put("DELETE FROM applications WHERE id = ? AND status = 'draft'",
                          (application_id,))

    async def submit(self, application_id: int, year: int, actor_id: int, now: int,
                     owed: Sequence[Owed] = (), to_follow: Sequence[str] = ()
                     ) -> Application | None:
        """Give the draft its number and status 'submitted', with a history row and the
        notices it owes (one transaction); None if it was no longer a draft (a double tap
        on Submit). `to_follow`: required items the applicant will send later."""
        async with self.db.write() as conn:
            async with conn.execute(
                    "UPDATE applications SET status = 'submitted', submitted_at = ?,"
                    " updated_at = ?, number = ?, documents_to_follow = ?"
                    " WHERE id = ? AND status = 'draft' RETURNING *",
                    (now, now, application_number(application_id, year),
                     json.dumps(list(to_follow)), application_id)) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            await conn.execute(
                "INSERT INTO status_changes (application_id, from_status, to_status, actor_id, at)"
                " VALUES (?, 'draft', 'submitted', ?, ?)", (application_id, actor_id, now))
            await add_owed(conn, owed, now)
            return _application(row)

    async def change_status(self, application_id: int, expected: str, new: str, actor_id: int,
                            comment: str, now: int, owed: Sequence[Owed] = (),
                            **details: Any) -> bool:
        """Compare-and-set: False when someone changed the status first. `details` are the
        decision's data (certificate_number, inspection_at, requested_documents…); the
        status, its history row and the notices it owes (`owed`) commit together."""
        unknown = set(details) - {"certificate_number", "rejection_reason", "inspection_at",
                                  "inspection_place", "requested_documents", "requested_at"}
        if unknown:
            raise ValueError(f"not a decision field: {sorted(unknown)}")
        values = {k: json.dumps(list(v)) if k == "requested_documents" else v
                  for k, v in details.items()}
        sets = "".join(f", {k} = ?" for k in values)
        async with self.db.write() as conn:
            cur = await conn.execute(
                f"UPDATE applications SET status = ?, updated_at = ?{sets}"
                " WHERE id = ? AND status = ?",
                (new, now, *values.values(), application_id, expected))
            if cur.rowcount != 1:
                return False
            await conn.execute(
                "INSERT INTO status_changes (application_id, from_status, to_status, actor_id,"
                " comment, at) VALUES (?, ?, ?, ?, ?, ?)",
                (application_id, expected, new, actor_id, comment, now))
            await add_owed(conn, owed, now)
            return True

    async def reschedule(self, application_id: int, at: int, place: str, actor_id: int,
                         now: int, owed: Sequence[Owed] = ()) -> bool:
        """Move the inspection of an application still in inspection (False otherwise),
        with a history row and the notices it owes, in one transaction."""
        async with self.db.write() as conn:
            cur = await conn.execute(
                "UPDATE applications SET inspection_at = ?, inspection_place = ?,"
                " updated_at = ? WHERE id = ? AND status = 'inspection'",
                (at, place, now, application_id))
            if cur.rowcount != 1:
                return False
            await conn.execute(
                "INSERT INTO status_changes (application_id, from_status, to_status, actor_id,"
                " comment, at, event) VALUES (?, 'inspection', 'inspection', ?, '', ?,"
                " 'rescheduled')",
                (application_id, actor_id, now))
            await add_owed(conn, owed, now)
        return True

    async def of_user(self, user_id: int) -> list[Application]:
        rows = await self.db.fetchall(
            "SELECT * FROM applications WHERE user_id = ? AND status != 'draft'"
            " ORDER BY submitted_at DESC, id DESC", (user_id,))
        return [_application(r) for r in rows]

    async def open_with_vin(self, vin: str, exclude_id: int) -> list[str]:
        marks = ", ".join("?" for _ in OPEN)
        rows = await self.db.fetchall(
            f"SELECT number FROM applications WHERE vin = ? AND id != ? AND status IN ({marks})",
            (vin, exclude_id, *OPEN))
        return [r["number"] for r in rows]

    async def with_vin(self, vin: str, exclude_id: int) -> list[Application]:
        """Every other submitted application with this VIN, whatever its status (an
        approved one too: the same vehicle certified twice is worth a look)."""
        rows = await self.db.fetchall(
            "SELECT * FROM applications WHERE vin = ? AND id != ? AND status != 'draft'"
            " ORDER BY id", (vin, exclude_id))
        return [_application(r) for r in rows]

    async def history(self, application_id: int) -> list[StatusChange]:
        rows = await self.db.fetchall(
            "SELECT * FROM status_changes WHERE application_id = ? ORDER BY at, id",
            (application_id,))
        return [_change(r) for r in rows]

    async def documents_received(self, application_id: int, status: str, kinds: Sequence[str],
                                 actor_id: int, now: int, owed: Sequence[Owed] = ()) -> None:
        """Requested documents arrived: a history event, the mark the queue shows, and the
        notices to staff, in one transaction."""
        async with self.db.write() as conn:
            await conn.execute(
                "INSERT INTO status_changes (application_id, from_status, to_status, actor_id,"
                " at, event, kinds) VALUES (?, ?, ?, ?, ?, 'documents_received', ?)",
                (application_id, status, status, actor_id, now, json.dumps(list(kinds))))
            await conn.execute("UPDATE applications SET documents_received_at = ?,"
                               " updated_at = ? WHERE id = ?", (now, now, application_id))
            await add_owed(conn, owed, now)

    # --- documents -------------------------------------------------------------
    async def documents(self, application_id: int) -> list[Document]:
        rows = await self.db.fetchall(
            "SELECT * FROM documents WHERE application_id = ? ORDER BY id", (application_id,))
        return [_document(r) for r in rows]

    async def document(self, document_id: int) -> Document | None:
        """Any document by id: for staff only (handlers check the role)."""
        row = await self.db.fetchone("SELECT * FROM documents WHERE id = ?", (document_id,))
        return _document(row) if row else None

    async def document_owned(self, document_id: int, user_id: int) -> Document | None:
        row = await self.db.fetchone(
            "SELECT d.* FROM documents d JOIN applications a ON a.id = d.application_id"
            " WHERE d.id = ? AND a.user_id = ?", (document_id, user_id))
        return _document(row) if row else None

    async def add_document(self, application_id: int, kind: str, file_id: str, unique_id: str,
                           name: str | None, mime: str | None, size: int | None,
                           now: int, sent_as: str = "document",
                           owing: Callable[[Document], Sequence[Owed]] | None = None
                           ) -> Document:
        """`sent_as`: photo or document (what Telegram will take it back as); `owing`: the
        notices the new document owes (written in its transaction)."""
        try:
            async with self.db.write() as conn:
                async with conn.execute(
                        "INSERT INTO documents (application_id, kind, file_id, file_unique_id,"
                        " file_name, mime_type, size, uploaded_at, sent_as)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                        (application_id, kind, file_id, unique_id, name, mime, size, now,
                         sent_as)) as cur:
                    document = _document(one(await cur.fetchone()))
                await conn.execute("UPDATE applications SET updated_at = ? WHERE id = ?",
                                   (now, application_id))
                if owing is not None:
                    await add_owed(conn, owing(document), now)
                return document
        except IntegrityError:
            raise DuplicateFile(unique_id) from None

    async def remove_document(self, application_id: int, document_id: int, now: int) -> bool:
        """Remove a file from a draft (the form's own list: the caller owns the draft)."""
        rows = await self.db.run(
            "DELETE FROM documents WHERE id = ? AND application_id = ? AND application_id IN"
            " (SELECT id FROM applications WHERE status = 'draft') RETURNING id",
            (document_id, application_id))
        if rows:
            await self.db.put("UPDATE applications SET updated_at = ? WHERE id = ?",
                              (now, application_id))
        return bool(rows)

    async def move_document(self, application_id: int, document_id: int, kind: str,
                            now: int) -> bool:
        """File a draft's document under another checklist item."""
        rows = await self.db.run(
            "UPDATE documents SET kind = ? WHERE id = ? AND application_id = ? AND"
            " application_id IN (SELECT id FROM applications WHERE status = 'draft')"
            " RETURNING id", (kind, document_id, application_id))
        return bool(rows)

    async def documents_of_user(self, user_id: int) -> list[tuple[str | None, Document]]:
        """Every document of the user's applications, drafts included: (number, document)."""
        rows = await self.db.fetchall(
            "SELECT d.*, a.number AS app_number FROM documents d JOIN applications a"
            " ON a.id = d.application_id WHERE a.user_id = ? ORDER BY d.id", (user_id,))
        return [(r["app_number"], _document(r)) for r in rows]

    # --- the user's own data ------------------------------------------------------
    async def erase_user(self, user_id: int, now: int) -> int:
        """Erase a user; returns how many applications were anonymised.

        Deleted: the profile, with its consents and conversation (they cascade), the
        messages owed to them (the outbox), drafts with their documents, and the user's
        broadcast deliveries. Submitted
        applications are anonymised: the centre keeps the vehicle data, the statuses and the
        issued document number for its records (for an approved application, also the
        holder's name and identity number: the record of an issued document names its
        holder), and loses everything else that can name the applicant: the personal
        fields, every uploaded document (contracts, titles and customs papers carry the
        name too), and the free text staff wrote to the applicant
        (comments and a rejection reason may quote them). The status history stays, its
        comments blanked.

        Then the write-ahead log is truncated: with secure_delete (storage.sqlite) the erased
        bytes are zeroed in the database's pages, but the log would still hold the pages as
        they were before, until overwritten."""
        personal = ", ".join(f"{f} = NULL" for f in PERSONAL_FIELDS)
        # An issued document's record keeps the name and number of its holder (the law makes
        # the centre keep it); everything else personal goes, as for the others.
        contact = ", ".join(f"{f} = NULL" for f in PERSONAL_FIELDS if f not in HOLDER_FIELDS)
        mine = "SELECT id FROM applications WHERE user_id = ?"
        async with self.db.write() as conn:
            await conn.execute("DELETE FROM applications WHERE user_id = ? AND status = 'draft'",
                               (user_id,))
            await conn.execute(f"DELETE FROM documents WHERE application_id IN ({mine})",
                               (user_id,))
            await conn.execute(f"UPDATE status_changes SET comment = '' WHERE comment != ''"
                               f" AND application_id IN ({mine})", (user_id,))
            cur = await conn.execute(
                f"UPDATE applications SET {contact}, user_id = NULL, anonymised = 1,"
                " updated_at = ? WHERE user_id = ? AND status = 'approved'", (now, user_id))
            anonymised = int(cur.rowcount)
            cur = await conn.execute(
                f"UPDATE applications SET {personal}, rejection_reason = NULL, user_id = NULL,"
                " anonymised = 1, updated_at = ? WHERE user_id = ?", (now, user_id))
            anonymised += int(cur.rowcount)
            await conn.execute("UPDATE status_changes SET actor_id = NULL WHERE actor_id = ?",
                               (user_id,))
            # Their conversation with the centre: what they wrote and what they were told
            # (staff's internal notes and desk events stay with the anonymised case).
            await conn.execute(
                "DELETE FROM thread_messages WHERE kind IN ('in', 'out') AND thread_id IN"
                " (SELECT id FROM threads WHERE user_id = ?)", (user_id,))
            await conn.execute("DELETE FROM threads WHERE user_id = ? AND application_id"
                               " IS NULL", (user_id,))
            await conn.execute("UPDATE threads SET user_id = NULL, waiting_since = NULL"
                               " WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM deliveries WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM outbox WHERE chat_id = ?", (user_id,))
            await conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
        await self.db.truncate_wal()
        return anonymised

    async def by_number(self, number: str) -> Application | None:
        row = await self.db.fetchone("SELECT * FROM applications WHERE number = ?", (number,))
        return _application(row) if row else None

    async def search(self, query: str, limit: int = 20) -> list[Application]:
        """Submitted applications matching a number, a VIN (whole or its last 6), an id
        number (IIN, BIN, passport, USCC), a phone (its last 10 digits) or a name (any
        part, any case: compared in Python, as SQLite's lower() knows only ASCII)."""
        text = " ".join(query.split())
        code = "".join(text.split()).upper()
        digits = "".join(c for c in text if c.isdigit())
        clauses, params = ["number = ?", "upper(id_number) = ?", "vin = ?"], [code, code, code]
        if len(code) == 6 and code.isalnum():
            clauses.append("vin LIKE ?")
            params.append("%" + code)
        if len(digits) >= 10 and len(digits) >= len(code) - 2:  # a phone, however written
            clauses.append("phone LIKE ?")
            params.append("%" + digits[-10:])
        rows = await self.db.fetchall(
            f"SELECT * FROM applications WHERE status != 'draft' AND ({' OR '.join(clauses)})"
            " ORDER BY submitted_at DESC, id DESC LIMIT ?", (*params, limit))
        found = [_application(r) for r in rows]
        if len(text) >= 3 and len(found) < limit:
            needle = text.casefold()
            names = await self.db.fetchall(
                "SELECT id, applicant_name FROM applications WHERE status != 'draft'"
                " AND applicant_name IS NOT NULL ORDER BY submitted_at DESC, id DESC")
            seen = {a.id for a in found}
            for row in names:
                if row["id"] not in seen and needle in str(row["applicant_name"]).casefold():
                    app = await self.get(row["id"])
                    if app is not None:
                        found.append(app)
                    if len(found) >= limit:
                        break
        return found

    async def open_with_since(self) -> list[tuple[Application, int]]:
        """Open applications with the time each entered its current status (for deadlines),
        the oldest first; history events (documents received, an inspection moved) do not
        restart the clock."""
        marks = ", ".join("?" for _ in OPEN)
        rows = await self.db.fetchall(
            "SELECT a.*, coalesce((SELECT max(s.at) FROM status_changes s WHERE"
            " s.application_id = a.id AND s.to_status = a.status AND s.event = ''),"
            " a.updated_at) AS since"
            f" FROM applications a WHERE a.status IN ({marks}) ORDER BY since, a.id", OPEN)
        return [(_application(r), int(r["since"])) for r in rows]

    async def escalate(self, application_id: int, status: str, since: int,
                       owed: Sequence[Owed], now: int) -> bool:
        """Record that an overdue stay was told, with the notices telling it; False (and
        nothing owed) if it was told already."""
        async with self.db.write() as conn:
            cur = await conn.execute(
                "INSERT INTO escalations (application_id, status, since, at) VALUES"
                " (?, ?, ?, ?) ON CONFLICT DO NOTHING", (application_id, status, since, now))
            if cur.rowcount != 1:
                return False
            await add_owed(conn, owed, now)
        return True

    async def all_changes(self) -> list[tuple[int, str, int | None, int, int | None]]:
        """Every status change of submitted applications: (application, to status, actor,
        time, the application's applicant), in order (for statistics)."""
        rows = await self.db.fetchall(
            "SELECT s.application_id, s.to_status, s.actor_id, s.at, a.user_id"
            " FROM status_changes s JOIN applications a ON a.id = s.application_id"
            " WHERE s.event = '' ORDER BY s.at, s.id")  # events (documents, moves) are not stays
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def counts(self) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT status, count(*) AS n FROM applications WHERE status != 'draft'"
            " GROUP BY status")
        return {r["status"]: r["n"] for r in rows}

    async def page(self, status: str, offset: int, limit: int) -> list[Application]:
        """Oldest first: the queue is worked in the order applications came in."""
        rows = await self.db.fetchall(
            "SELECT * FROM applications WHERE status = ? ORDER BY updated_at, id"
            " LIMIT ? OFFSET ?", (status, limit, offset))
        return [_application(r) for r in rows]

    async def waiting_since(self, before: int) -> list[Application]:
        """Open applications unchanged since `before` (for the staff digest)."""
        marks = ", ".join("?" for _ in OPEN)
        rows = await self.db.fetchall(
            f"SELECT * FROM applications WHERE status IN ({marks}) AND updated_at < ?"
            " ORDER BY updated_at", (*OPEN, before))
        return [_application(r) for r in rows]

    async def export(self, status: str | None, since: int | None, until: int | None
                     ) -> list[Application]:
        query = "SELECT * FROM applications WHERE status != 'draft'"
        params: list[Any] = []
        if status:
            query += " AND status = ?"
            params.append(status)
        if since is not None:
            query += " AND submitted_at >= ?"
            params.append(since)
        if until is not None:
            query += " AND submitted_at < ?"
            params.append(until)
        rows = await self.db.fetchall(query + " ORDER BY submitted_at, id", tuple(params))
        return [_application(r) for r in rows]


class ConsentRepo:
    def __init__(self, db: Database):
        self.db = db

    async def accepted(self, user_id: int, version: str) -> bool:
        row = await self.db.fetchone("SELECT 1 FROM consents WHERE user_id = ? AND version = ?",
                                     (user_id, version))
        return row is not None

    async def accept(self, user_id: int, version: str, language: str, now: int) -> None:
        await self.db.run("INSERT INTO consents (user_id, version, language, accepted_at)"
                          " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                          (user_id, version, language, now))

    async def of_user(self, user_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall("SELECT * FROM consents WHERE user_id = ?", (user_id,))
        return [dict(r) for r in rows]
