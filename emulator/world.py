"""The emulator's state: users, chats, messages, updates, files, limits, and the log
of everything the bot did. Pure data and rules; HTTP lives in botapi.py / control.py."""
from __future__ import annotations

import asyncio
import hashlib
import itertools
import math
import secrets
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field


class ApiError(Exception):
    """A Bot API error reply: {"ok": false, "error_code": code, "description": ...}."""

    def __init__(self, code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


class SlidingWindow:
    """At most `limit` events in any `period` seconds (None: unlimited)."""

    def __init__(self, limit: float | None, period: float = 1.0):
        self.limit = limit
        self.period = period
        self.times: deque[float] = deque()

    def retry_after(self, now: float) -> int | None:
        """None if an event may happen now (and records it), else seconds to wait."""
        if self.limit is None:
            return None
        while self.times and now - self.times[0] >= self.period:
            self.times.popleft()
        if len(self.times) >= self.limit:
            return max(1, math.ceil(self.period - (now - self.times[0])))
        self.times.append(now)
        return None


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    content: bytes | None
    size: int
    name: str | None = None
    mime_type: str | None = None
    kind: str = "document"  # photo, document, sticker, voice: the method that may send it

    @property
    def path(self) -> str:
        return f"files/{self.unique_id}/{self.name or 'file'}"


@dataclass
class Limits:
    global_per_second: float | None = None
    per_chat_per_second: float | None = None
    per_group_per_minute: float | None = 20


@dataclass
class World:
    token: str
    bot_username: str = "ev_cert_test_bot"
    users: dict[int, dict] = field(default_factory=dict)
    chats: dict[int, dict] = field(default_factory=dict)
    started: set[int] = field(default_factory=set)      # chats the bot may write to
    blocked: set[int] = field(default_factory=set)
    deactivated: set[int] = field(default_factory=set)
    updates: list[dict] = field(default_factory=list)
    messages: dict[tuple[int, int], dict] = field(default_factory=dict)
    callbacks: dict[str, dict] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    commands: dict[tuple[str, str], list] = field(default_factory=dict)
    descriptions: dict[tuple[str, str], str] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    webhook: dict | None = None
    limits: Limits = field(default_factory=Limits)
    stats: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refusals: Counter[str] = field(default_factory=Counter)  # "method code description"
    # Forum topics by supergroup: chat id -> message_thread_id -> the topic (name, closed).
    topics: dict[int, dict[int, dict]] = field(default_factory=dict)
    # Supergroups where the bot is an admin with the "manage topics" right.
    manages_topics: set[int] = field(default_factory=set)

    def __post_init__(self):
        self.bot_id = int(self.token.split(":")[0])
        # Telegram's update ids keep increasing for a bot; a restarted emulator must not
        # reuse ids a bot has already handled (local mode keeps its database), so they
        # start from the clock, in milliseconds.
        self._update_ids = itertools.count(int(time.time() * 1000))
        self._message_ids: dict[int, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._instance = secrets.token_hex(6)
        self.changed = asyncio.Condition()  # new update or new event
        self._global = SlidingWindow(None)
        self._per_chat: dict[int, SlidingWindow] = {}
        self.webhook_queue: asyncio.Queue[dict] = asyncio.Queue()
        self._webhook_slots: tuple[int, asyncio.Semaphore] | None = None
        self.listeners: list = []

    def webhook_slots(self, hook: dict) -> asyncio.Semaphore:
        """Webhook requests in flight at once: setWebhook's max_connections."""
        size = hook.get("max_connections") or 40
        if self._webhook_slots is None or self._webhook_slots[0] != size:
            self._webhook_slots = (size, asyncio.Semaphore(size))
        return self._webhook_slots[1]

    # --- people -------------------------------------------------------------
    def bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "EV Cert Bot",
                "username": self.bot_username, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": False}

    def add_user(self, user_id: int, first_name: str = "User", language_code: str | None = None,
                 username: str | None = None, started: bool = False) -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        self.chats.setdefault(user_id, {"id": user_id, "type": "private", "first_name": first_name})
        if started:
            self.started.add(user_id)
        return user

    async def set_blocked(self, user_id: int, blocked: bool, notify: bool = True) -> None:
        """A user blocks or unblocks the bot. Telegram tells the bot with a my_chat_member
        update (status "kicked", or "member" again); notify=False is that update lost,
        e.g. the bot was away longer than Telegram keeps updates."""
        if (user_id in self.blocked) == blocked:
            return
        if blocked:
            self.blocked.add(user_id)
        else:
            self.blocked.discard(user_id)
        if notify:
            member = {"status": "member", "user": self.bot_user()}
            kicked = {"status": "kicked", "user": self.bot_user(), "until_date": 0}  # 0: for good
            user = self.users.get(user_id) or self.add_user(user_id)
            await self.push_update({"my_chat_member": {
                "chat": self.chats[user_id], "from": user, "date": int(time.time()),
                "old_chat_member": member if blocked else kicked,
                "new_chat_member": kicked if blocked else member}})

    def add_group(self, chat_id: int, title: str = "Group", is_forum: bool = True,
                  manage_topics: bool = True) -> dict:
        """A supergroup the bot is a member of (an admin, able to manage topics unless
        told otherwise); `is_forum`: topics are on."""
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        if is_forum:
            chat["is_forum"] = True
        self.chats[chat_id] = chat
        self.started.add(chat_id)
        self.topics.setdefault(chat_id, {})
        (self.manages_topics.add if manage_topics else self.manages_topics.discard)(chat_id)
        return chat

    def forum_for_topics(self, chat_id: int) -> dict:
        """The forum a topic method acts on, or the error Telegram gives."""
        chat = self.chat_for_send(chat_id)
        if chat.get("type") != "supergroup" or not chat.get("is_forum"):
            raise bad_request("the chat is not a forum")
        if chat_id not in self.manages_topics:
            raise bad_request("not enough rights to create a topic")
        return chat

    def check_thread(self, chat: dict, thread_id: int | None) -> None:
        """A message into a topic: the topic must exist (a deleted one is "not found")."""
        if thread_id is None:
            return
        if thread_id not in self.topics.get(chat["id"], {}):
            raise bad_request("message thread not found")

    def chat_for_send(self, chat_id: int) -> dict:
        """The chat the bot wants to write to, or the error Telegram would give."""
        if chat_id not in self.chats or chat_id not in self.started:
            raise bad_request("chat not found")
        if chat_id in self.deactivated:
            raise ApiError(403, "Forbidden: user is deactivated")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return self.chats[chat_id]

    # --- limits -------------------------------------------------------------
    def set_limits(self, limits: Limits) -> None:
        self.limits = limits
        self._global = SlidingWindow(limits.global_per_second)
        self._per_chat.clear()

    def check_rate(self, chat: dict) -> None:
        now = time.monotonic()
        if chat["type"] == "private":
            window = self._per_chat.setdefault(
                chat["id"], SlidingWindow(self.limits.per_chat_per_second))
        else:
            window = self._per_chat.setdefault(
                chat["id"], SlidingWindow(self.limits.per_group_per_minute, 60.0))
        wait = window.retry_after(now) or self._global.retry_after(now)
        if wait:
            self.stats["429"] += 1
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)

    # --- messages and updates ----------------------------------------------
    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids[chat_id])

    async def push_update(self, payload: dict) -> dict:
        update = {"update_id": next(self._update_ids), **payload}
        if self.webhook:  # delivered once, to the webhook (not kept for getUpdates too)
            self.webhook_queue.put_nowait(update)
        else:
            self.updates.append(update)
        await self.notify()
        return update

    async def record(self, event: dict) -> dict:
        event["seq"] = len(self.events) + 1
        event["time"] = time.time()
        self.events.append(event)
        for listener in self.listeners:  # in-process observers (the load generator)
            listener(event)
        await self.notify()
        return event

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def user_message(self, user_id: int, content: dict, chat: dict | None = None
                           ) -> tuple[dict, dict]:
        """A user writes (text, contact, file…) in their private chat or in `chat`."""
        user = self.users.get(user_id) or self.add_user(user_id)
        chat = chat or self.chats[user_id]
        self.chats.setdefault(chat["id"], chat)
        self.started.add(chat["id"])
        if chat["id"] == user_id:
            self.blocked.discard(user_id)  # writing to the bot means it is unblocked
        message = {"message_id": self.next_message_id(chat["id"]), "date": int(time.time()),
                   "chat": self.chats[chat["id"]], "from": user, **content}
        thread_id = content.get("message_thread_id")
        if thread_id is not None:  # written in a forum topic
            if thread_id not in self.topics.get(chat["id"], {}):
                raise LookupError("no such topic in that chat")
            message["is_topic_message"] = True
        self.messages[(chat["id"], message["message_id"])] = message
        return await self.push_update({"message": message}), message

    async def user_edit(self, user_id: int, message_id: int, text: str,
                        chat_id: int | None = None) -> dict:
        """A user edits a text message of theirs: Telegram sends it as edited_message."""
        chat_id = int(chat_id or user_id)
        message = self.messages.get((chat_id, message_id))
        if message is None or message["from"]["id"] != user_id or "text" not in message:
            raise LookupError("no text message of this user with that id")
        message = {**message, "text": text, "edit_date": int(time.time())}
        message.pop("entities", None)
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0].encode("utf-16-le")) // 2}]
        self.messages[(chat_id, message_id)] = message
        return await self.push_update({"edited_message": message})

    async def press(self, user_id: int, message_id: int, data: str, forge: bool = False,
                    chat_id: int | None = None) -> dict:
        """A user presses an inline button; only buttons on the message, unless forged."""
        user = self.users[user_id]
        chat_id = int(chat_id or user_id)
        message = self.messages.get((chat_id, message_id))
        if message is None:
            raise LookupError("no such message")
        buttons = [b.get("callback_data") for row in
                   (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        if data not in buttons and not forge:
            raise LookupError(f"no button with data {data!r} on that message")
        query_id = self.new_callback_id()
        self.callbacks[query_id] = {"answered": False, "late_answers": 0,
                                    "created": time.monotonic(), "text": None}
        return await self.push_update({"callback_query": {
            "id": query_id, "from": user, "chat_instance": f"ci{chat_id}", "data": data,
            "message": message}})

    def new_callback_id(self) -> str:
        # Globally unique, as Telegram's are (a restarted emulator must not reuse them).
        return f"{self._instance}{next(self._callback_ids)}"

    # --- files ----------------------------------------------------------------
    def store_file(self, content: bytes | None, name: str | None, mime_type: str | None,
                   size: int | None = None, kind: str = "document") -> StoredFile:
        digest = hashlib.sha256(content or f"{name}:{size}".encode()).hexdigest()[:16]
        stored = StoredFile(file_id=f"F{next(self._file_ids)}x{digest}", unique_id=f"U{digest}",
                            content=content, size=size if size is not None else len(content or b""),
                            name=name, mime_type=mime_type, kind=kind)
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.path == path), None)
