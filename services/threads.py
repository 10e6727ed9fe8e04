"""Conversations between applicants and the centre, as the application layer runs them:
each message is stored with what it owes (the applicant's copy of a reply, the alert to
staff, the copy in the staff group's forum topic) in one transaction, then the outbox
sender is woken."""
from __future__ import annotations

from domain.applications import Application
from domain.outbox import Owed
from domain.threads import Thread, ThreadMessage, application_key, general_key
from services import outbox
from services.container import Services


async def thread_of(services: Services, app: Application | None, user_id: int) -> Thread:
    """The thread of an application, or the applicant's general-question thread."""
    now = services.clock.timestamp()
    if app is not None:
        return await services.repos.threads.ensure(application_key(app.id), app.id,
                                                   app.user_id, now)
    return await services.repos.threads.ensure(general_key(user_id), None, user_id, now)


def _payload(thread: Thread, message_id: int) -> dict[str, int]:
    return {"thread": thread.id, "message": message_id}


def _topic(services: Services, thread: Thread, message_id: int, now: int) -> list[Owed]:
    group = services.settings.staff_group_id
    return [Owed(group, "topic", str(message_id), now, _payload(thread, message_id))] \
        if group else []


async def ask(services: Services, thread: Thread, author_id: int, text: str,
              file_id: str | None = None, file_type: str | None = None) -> ThreadMessage:
    """The applicant writes: the staff group's topic hears it, or (without a group) the
    case's owner, else every staff member."""
    now = services.clock.timestamp()
    everyone = await services.staff_ids()
    # The case's owner while they are staff (a revoked owner hears nothing), else everyone.
    staff = [thread.assignee_id] if thread.assignee_id in everyone else everyone
    # Only those who have opened the bot can be written to (a configured id may not have).
    staff = [s for s in staff if (user := await services.repos.users.get(s)) is not None
             and not user.blocked]

    def owing(message_id: int) -> list[Owed]:
        if services.settings.staff_group_id:
            return _topic(services, thread, message_id, now)
        return [Owed(s, "question", str(message_id), now, _payload(thread, message_id))
                for s in staff]
    message = await services.repos.threads.add(thread.id, "in", author_id, text, now,
                                               file_id, file_type, owing)
    outbox.wake(services)
    return message


async def reply(services: Services, thread: Thread, staff_id: int, text: str,
                file_id: str | None = None, file_type: str | None = None,
                from_topic: bool = False) -> ThreadMessage:
    """Staff answer: the applicant gets it (in order with any other reply), and the
    topic shows it unless it was written there."""
    now = services.clock.timestamp()

    def owing(message_id: int) -> list[Owed]:
        owed = [] if thread.user_id is None else \
            [Owed(thread.user_id, "reply", str(message_id), now, _payload(thread, message_id))]
        return owed + ([] if from_topic else _topic(services, thread, message_id, now))
    message = await services.repos.threads.add(thread.id, "out", staff_id, text, now,
                                               file_id, file_type, owing)
    outbox.wake(services)
    return message


async def note(services: Services, thread: Thread, staff_id: int, text: str,
               from_topic: bool = False) -> ThreadMessage:
    """An internal note: staff only, never the applicant."""
    now = services.clock.timestamp()
    message = await services.repos.threads.add(
        thread.id, "note", staff_id, text, now,
        owing=None if from_topic else (lambda mid: _topic(services, thread, mid, now)))
    outbox.wake(services)
    return message
