"""An upload (photo or PDF) from a user's message, validated and stored for one
checklist item of an application: used by the form and by My applications."""
from __future__ import annotations

from telegram import Message, Update

from domain import validators
from handlers.base import BotContext, message_of
from storage.applications import DuplicateFile


def upload_of(message: Message) -> validators.Upload | None:
    if message.photo:
        photo = message.photo[-1]  # the largest size
        return validators.Upload(photo.file_id, photo.file_unique_id, None, "image/jpeg",
                                 photo.file_size, True)
    if message.document:
        doc = message.document
        return validators.Upload(doc.file_id, doc.file_unique_id, doc.file_name, doc.mime_type,
                                 doc.file_size, False)
    return None


async def attach(update: Update, ctx: BotContext, application_id: int, kind: str
                 ) -> validators.Check:
    """Validate and store an upload for one checklist item."""
    upload = upload_of(message_of(update))
    if upload is None:
        return validators.Check(error="file_type")
    docs = await ctx.repos.applications.documents(application_id)
    check = validators.check_upload(upload, {d.file_unique_id: d.kind for d in docs})
    if not check.ok:
        return check
    try:
        await ctx.repos.applications.add_document(
            application_id, kind, upload.file_id, upload.unique_id, upload.name,
            upload.mime_type, upload.size, ctx.now())
    except DuplicateFile:
        return validators.Check(error="file_duplicate", value=kind)
    return check
