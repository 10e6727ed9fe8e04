"""Applications, their documents and status history, and consents."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from domain.applications import (
    FIELDS,
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
    return Application(**data)


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
                     owed: Sequence[Owed] = ()) -> Application | None:
        """Give the draft its number and status 'submitted', with a history row and the
        notices it owes (one transaction); None if it was no longer a draft (a double tap
        on Submit)."""
        async with self.db.write() as conn:
            async with conn.execute(
                    "UPDATE applications SET status = 'submitted', submitted_at = ?,"
                    " updated_at = ?, number = ? WHERE id = ? AND status = 'draft' RETURNING *",
                    (now, now, application_number(application_id, year), application_id)) as cur:
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

    async def history(self, application_id: int) -> list[StatusChange]:
        rows = await self.db.fetchall(
            "SELECT * FROM status_changes WHERE application_id = ? ORDER BY at, id",
            (application_id,))
        return [StatusChange(r["from_status"], r["to_status"], r["actor_id"], r["comment"],
                             r["at"]) for r in rows]

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
                           now: int) -> Document:
        try:
            async with self.db.write() as conn:
                async with conn.execute(
                        "INSERT INTO documents (application_id, kind, file_id, file_unique_id,"
                        " file_name, mime_type, size, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                        " RETURNING *", (application_id, kind, file_id, unique_id, name, mime,
                                         size, now)) as cur:
                    document = _document(one(await cur.fetchone()))
                await conn.execute("UPDATE applications SET updated_at = ? WHERE id = ?",
                                   (now, application_id))
                return document
        except IntegrityError:
            raise DuplicateFile(unique_id) from None

    # --- the user's own data ------------------------------------------------------
    async def erase_user(self, user_id: int, now: int) -> int:
        """Erase a user; returns how many applications were anonymised.

        Deleted: the profile, with its consents and conversation (they cascade), the
        messages owed to them (the outbox), drafts with their documents, and the user's
        broadcast deliveries. Submitted
        applications are anonymised: the centre keeps the vehicle data, the statuses and the
        issued document number for its records, and loses everything else that can name the
        applicant: the personal fields, every uploaded document (contracts, titles and
        customs papers carry the name too), and the free text staff wrote to the applicant
        (comments and a rejection reason may quote them). The status history stays, its
        comments blanked.

        Then the write-ahead log is truncated: with secure_delete (storage.sqlite) the erased
        bytes are zeroed in the database's pages, but the log would still hold the pages as
        they were before, until overwritten."""
        personal = ", ".join(f"{f} = NULL" for f in PERSONAL_FIELDS)
        mine = "SELECT id FROM applications WHERE user_id = ?"
        async with self.db.write() as conn:
            await conn.execute("DELETE FROM applications WHERE user_id = ? AND status = 'draft'",
                               (user_id,))
            await conn.execute(f"DELETE FROM documents WHERE application_id IN ({mine})",
                               (user_id,))
            await conn.execute(f"UPDATE status_changes SET comment = '' WHERE comment != ''"
                               f" AND application_id IN ({mine})", (user_id,))
            cur = await conn.execute(
                f"UPDATE applications SET {personal}, rejection_reason = NULL, user_id = NULL,"
                " anonymised = 1, updated_at = ? WHERE user_id = ?", (now, user_id))
            anonymised = int(cur.rowcount)
            await conn.execute("UPDATE status_changes SET actor_id = NULL WHERE actor_id = ?",
                               (user_id,))
            await conn.execute("DELETE FROM deliveries WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM outbox WHERE chat_id = ?", (user_id,))
            await conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
        await self.db.truncate_wal()
        return anonymised

    async def by_number(self, number: str) -> Application | None:
        row = await self.db.fetchone("SELECT * FROM applications WHERE number = ?", (number,))
        return _application(row) if row else None

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
