"""What the desk's conversations look like: staff members named, the applicant's language
shown, a thread's messages (notes marked internal), and the messages the outbox delivers."""
from __future__ import annotations

from html import escape

from domain.applications import Application
from domain.threads import Thread, ThreadMessage
from domain.users import User
from i18n import Html, Translator
from services import application_texts as render
from services.container import Services
from services.texts import clip

SHOWN = 12          # thread messages on one screen (the card stays one message)
CLIP = 280          # characters of each message shown in a list


def person_name(user: User | None, user_id: int | None = None) -> Html:
    """A staff member or applicant as colleagues know them: first name and @username, as
    HTML (escaped here, so tr._ takes it as is)."""
    if user is None:
        return Html(f"#{user_id}" if user_id else "—")
    name = escape(user.first_name or f"#{user.id}")
    return Html(f"{name} (@{escape(user.username)})" if user.username else name)


async def name_of(services: Services, user_id: int | None) -> Html:
    user = await services.repos.users.get(user_id) if user_id else None
    return person_name(user, user_id)


def language_label(services: Services, language: str | None) -> str:
    """A language by its own name (中文, Қазақша, Русский), whatever the reader's."""
    if language is None:
        return "?"
    # TRANSLATORS: the name of your language, written in it (Қазақша, Русский, 中文).
    return services.translator(language)._("English")


async def who_line(services: Services, tr: Translator, thread: Thread,
                   app: Application | None) -> str:
    """The applicant and the language replies reach them in; the case's owner."""
    applicant = await services.repos.users.get(thread.user_id) if thread.user_id else None
    name = Html(escape(app.applicant_name)) if app and app.applicant_name else \
        person_name(applicant, thread.user_id)
    lines = [tr._("Applicant: {name}, writes in {language}", name=name,
                  language=language_label(services, applicant.language if applicant else None))]
    owner = await name_of(services, thread.assignee_id) if thread.assignee_id else \
        tr._("nobody yet")
    lines.append(tr._("Owner: {name}", name=owner))
    return "\n".join(lines)


async def message_line(services: Services, tr: Translator, message: ThreadMessage) -> str:
    when = render.local_time(tr, message.at)
    author = await name_of(services, message.author_id)
    body = Html(escape(clip(message.text, CLIP)) if message.text else "")
    if message.file_id:
        body = Html(("📎 " + body).strip())
    if message.kind == "in":
        return tr._("{when} 👤 applicant: {text}", when=when, text=body)
    if message.kind == "out":
        return tr._("{when} 💬 {staff}: {text}", when=when, staff=author, text=body)
    if message.kind == "note":
        return tr._("{when} 🔒 note by {staff}: {text}", when=when, staff=author, text=body)
    owner = int(message.text) if message.text.isdigit() else None
    if owner is None:
        return tr._("{when} ↩️ {staff} released the case", when=when, staff=author)
    if owner == message.author_id:
        return tr._("{when} 🙋 {staff} took the case", when=when, staff=author)
    return tr._("{when} 👥 {staff} assigned the case to {owner}", when=when, staff=author,
                owner=await name_of(services, owner))


async def thread_text(services: Services, tr: Translator, thread: Thread,
                      app: Application | None, messages: list[ThreadMessage], total: int
                      ) -> str:
    head = tr._("💬 <b>Conversation on {number}</b>", number=app.number) if app and \
        app.number else tr._("💬 <b>General question</b>")
    lines = [head, await who_line(services, tr, thread, app)]
    if thread.waiting_since is not None:
        lines.append(tr._("⏳ Waiting for an answer since {when}",
                          when=render.local_time(tr, thread.waiting_since)))
    lines.append("")
    if total > len(messages):
        lines.append(tr.ngettext("… {n} earlier message", "… {n} earlier messages",
                                 total - len(messages)))
    lines += [await message_line(services, tr, m) for m in messages]
    if not messages:
        lines.append(tr._("No messages yet."))
    return "\n".join(lines)


# --- what the outbox delivers --------------------------------------------------------------

def reply_to_applicant(tr: Translator, app: Application | None, text: str) -> str:
    """A staff member's reply as the applicant reads it: the header in their language,
    the words as written."""
    head = tr._("💬 The certification centre about application {number}:",
                number=app.number) if app and app.number else \
        tr._("💬 The certification centre:")
    return head + ("\n\n" + escape(text) if text else "")


async def question_to_staff(services: Services, tr: Translator, thread: Thread,
                            app: Application | None, message: ThreadMessage) -> str:
    applicant = await services.repos.users.get(thread.user_id) if thread.user_id else None
    language = language_label(services, applicant.language if applicant else None)
    name = person_name(applicant, thread.user_id)
    head = tr._("✉️ {name} ({language}) about {number}:", name=name, language=language,
                number=app.number) if app and app.number else \
        tr._("✉️ {name} ({language}), a general question:", name=name, language=language)
    return head + ("\n\n" + escape(text) if (text := message.text) else "")


async def topic_line(services: Services, tr: Translator, message: ThreadMessage) -> str:
    """A message as the staff group's topic shows it."""
    text = Html(escape(message.text))
    if message.kind == "in":
        return tr._("👤 Applicant: {text}", text=text)
    author = await name_of(services, message.author_id)
    if message.kind == "note":
        return tr._("🔒 Note by {staff}: {text}", staff=author, text=text)
    return tr._("💬 {staff} to the applicant: {text}", staff=author, text=text)


def topic_name(app: Application | None, applicant: User | None, user_id: int | None) -> str:
    """A topic's title: the application's number and vehicle, or who asks (≤ 128)."""
    if app is not None and app.number:
        name = f"{app.number} · {app.make or ''} {app.model or ''}".strip()
    else:
        name = f"? {applicant.first_name if applicant else ''} #{user_id or ''}"
    return name[:128]
