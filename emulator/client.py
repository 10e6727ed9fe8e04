"""A client of the emulator's control API, and `Person`: a user chatting with the bot.

Person keeps the chat as the user sees it (messages as last edited), so tests and
the terminal chat can press buttons by their label, as a person would.

Faults (emulator/faults.py): set_faults(rule, …, seed=7), outage(seconds),
flood(seconds, chat_ids), faults() for the counters, clear_faults(); raw_update(update)
and poison_update(kind, user_id) push updates as given (emulator/poison.py).
"""
from __future__ import annotations

import asyncio
import base64
import itertools
from dataclasses import dataclass, field

import aiohttp

_ids = itertools.count(1_000_001)


class EmulatorClient:
    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session:
            await self._session.close()

    async def _post(self, path: str, body: dict) -> dict:
        async with self.session.post(f"{self.url}/control/{path}", json=body) as resp:
            if resp.status != 200:
                raise AssertionError(f"control {path}: {resp.status} {await resp.text()}")
            return await resp.json()

    async def _get(self, path: str, **params) -> dict:
        async with self.session.get(f"{self.url}/control/{path}", params=params) as resp:
            if resp.status != 200:
                raise AssertionError(f"control {path}: {resp.status} {await resp.text()}")
            return await resp.json()

    async def _delete(self, path: str) -> dict:
        async with self.session.delete(f"{self.url}/control/{path}") as resp:
            if resp.status != 200:
                raise AssertionError(f"control {path}: {resp.status} {await resp.text()}")
            return await resp.json()

    async def add_users(self, users: list[dict]) -> None:
        await self._post("users", {"users": users})

    async def add_group(self, chat_id: int, title: str = "Group", is_forum: bool = True,
                        manage_topics: bool = True) -> dict:
        """A supergroup with the bot in it (a forum unless is_forum=False)."""
        return await self._post("group", {"id": chat_id, "title": title, "is_forum": is_forum,
                                          "manage_topics": manage_topics})

    async def send(self, user_id: int, **content) -> dict:
        return await self._post("message", {"user_id": user_id, **content})

    async def press(self, user_id: int, message_id: int, data: str, forge: bool = False,
                    chat_id: int | None = None) -> dict:
        body = {"user_id": user_id, "message_id": message_id, "data": data, "forge": forge}
        if chat_id is not None:
            body["chat_id"] = chat_id
        return await self._post("press", body)

    async def edit(self, user_id: int, message_id: int, text: str,
                   chat_id: int | None = None) -> dict:
        body = {"user_id": user_id, "message_id": message_id, "text": text}
        if chat_id is not None:
            body["chat_id"] = chat_id
        return await self._post("edit", body)

    async def block(self, user_id: int, blocked: bool = True, deactivated: bool = False,
                    notify: bool = True) -> None:
        await self._post("block", {"user_id": user_id, "blocked": blocked,
                                   "deactivated": deactivated, "notify": notify})

    async def set_limits(self, **limits) -> None:
        await self._post("limits", limits)

    async def events(self, chat_id: int | None = None, after: int = 0, wait: float = 0) -> dict:
        params = {"after": after, "wait": wait}
        if chat_id is not None:
            params["chat_id"] = chat_id
        return await self._get("events", **params)

    async def callback(self, query_id: str) -> dict:
        return await self._get(f"callbacks/{query_id}")

    async def commands(self) -> dict:
        return await self._get("commands")

    async def stats(self) -> dict:
        return await self._get("stats")

    # --- faults and raw updates (emulator/faults.py, emulator/poison.py) -------------
    async def set_faults(self, *rules: dict, seed: int | None = None,
                         append: bool = False) -> dict:
        """Replace the fault rules (or add to them), e.g.
        set_faults({"fault": "error", "methods": ["sendMessage"], "next": 2}, seed=7).
        No rules: faults off. Returns the counters."""
        body: dict = {"rules": list(rules), "append": append}
        if seed is not None:
            body["seed"] = seed
        return await self._post("faults", body)

    async def faults(self) -> dict:
        """Counters: injected per fault and per method, failed calls, the log, the rules."""
        return await self._get("faults")

    async def clear_faults(self) -> dict:
        """Faults off and counters reset; returns the counters as they were."""
        return await self._delete("faults")

    async def outage(self, seconds: float, status: int = 502, **rule) -> dict:
        """Every Bot API call fails for `seconds` from now (added to the rules in force)."""
        return await self.set_faults({"fault": "outage", "duration": seconds, "status": status,
                                      **rule}, append=True)

    async def flood(self, seconds: float, chat_ids: list[int] | None = None,
                    retry_after: int | None = None, **rule) -> dict:
        """Every send and edit (to `chat_ids`, if given) answers 429 for `seconds`."""
        spec: dict = {"fault": "flood", "duration": seconds, **rule}
        if chat_ids is not None:
            spec["chat_ids"] = chat_ids
        if retry_after is not None:
            spec["retry_after"] = retry_after
        return await self.set_faults(spec, append=True)

    async def raw_update(self, update: dict) -> dict:
        """Push `update` as given (update_id assigned when missing); {"update_id", "update"}."""
        return await self._post("raw_update", {"update": update})

    async def poison_update(self, kind: str, user_id: int = 1_000_000) -> dict:
        """Push an update PTB 22.8 cannot parse (kinds: emulator.poison.KINDS)."""
        return await self._post("raw_update", {"poison": kind, "user_id": user_id})

    async def nbk(self, **settings) -> dict:
        """What the emulated National Bank's rate feed answers (emulator/nbk.py)."""
        return await self._post("nbk", settings)

    async def file(self, file_id: str) -> bytes:
        async with self.session.get(f"{self.url}/control/files/{file_id}") as resp:
            resp.raise_for_status()
            return await resp.read()


@dataclass
class Replies:
    """What the bot did in answer to one action: new messages and edits, in order."""
    events: list[dict]
    callback: dict | None = None

    @property
    def texts(self) -> list[str]:
        return [e["text"] or "" for e in self.events if e["type"] in ("send", "edit")]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def last(self) -> dict:
        return self.events[-1]

    def buttons(self) -> list[str]:
        for event in reversed(self.events):
            if event.get("reply_markup"):
                return button_labels(event["reply_markup"])
        return []


def button_labels(markup: dict | None) -> list[str]:
    return [b["text"] for row in (markup or {}).get("inline_keyboard", []) for b in row]


@dataclass
class Person:
    client: EmulatorClient
    user_id: int = field(default_factory=lambda: next(_ids))
    language_code: str | None = "ru"
    first_name: str = "Aigerim"
    seq: int = 0
    messages: dict[int, dict] = field(default_factory=dict)  # as the user sees them now
    last_sent: int | None = None  # the id of the user's own latest message

    async def join(self) -> Person:
        await self.client.add_users([{"id": self.user_id, "first_name": self.first_name,
                                      "language_code": self.language_code}])
        return self

    async def send(self, text: str, **kw) -> Replies:
        return await self._act(self.client.send(self.user_id, text=text), **kw)

    async def edit(self, message_id: int, text: str, **kw) -> Replies:
        """Edit a text message this user sent (Telegram's edited_message)."""
        return await self._act(self.client.edit(self.user_id, message_id, text), **kw)

    async def send_content(self, **content) -> Replies:
        return await self._act(self.client.send(self.user_id, **content))

    async def send_file(self, name: str, data: bytes, mime: str, kind: str = "document",
                        size: int | None = None) -> Replies:
        spec: dict[str, str | int] = {"file_name": name, "mime_type": mime,
                                      "content": base64.b64encode(data).decode()}
        if size is not None:
            spec["size"] = size
        return await self._act(self.client.send(self.user_id, **{kind: spec}))

    async def send_album(self, files: list[tuple[str, bytes, str]], kind: str = "photo",
                         **kw) -> Replies:
        """Several files at once, as Telegram delivers an album: one update each, sharing
        a media_group_id, nothing marking the last."""
        group = f"album{self.user_id}{self.seq}{len(files)}"
        for name, data, mime in files:
            spec = {"file_name": name, "mime_type": mime,
                    "content": base64.b64encode(data).decode()}
            result = await self.client.send(self.user_id, **{kind: spec},
                                            media_group_id=group)
            self.last_sent = result["message_id"]
        return await self._collect(**kw)

    async def press(self, label: str, message_id: int | None = None, **kw) -> Replies:
        """Press the button whose label contains `label` on the newest message having one."""
        message_id, data = self.find_button(label, message_id)
        return await self.press_data(data, message_id, **kw)

    async def press_data(self, data: str, message_id: int | None = None, forge: bool = False,
                         **kw) -> Replies:
        if message_id is None:
            message_id = max(self.messages)
        result = await self.client.press(self.user_id, message_id, data, forge=forge)
        replies = await self._collect(callback_id=result["callback_query_id"], **kw)
        return replies

    def find_button(self, label: str, message_id: int | None = None) -> tuple[int, str]:
        ids = [message_id] if message_id else sorted(self.messages, reverse=True)
        for mid in ids:
            for row in (self.messages[mid].get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label.lower() in button["text"].lower() and "callback_data" in button:
                        return mid, button["callback_data"]
        raise AssertionError(f"no button {label!r}; buttons: {self.all_buttons()}")

    def all_buttons(self) -> list[str]:
        return [b for m in self.messages.values() for b in button_labels(m.get("reply_markup"))]

    @property
    def last_message(self) -> dict:
        return self.messages[max(self.messages)]

    async def _act(self, action, **kw) -> Replies:
        result = await action
        if "message_id" in result:  # a message the user sent (not a press or an edit)
            self.last_sent = result["message_id"]
        return await self._collect(**kw)

    async def _collect(self, callback_id: str | None = None, expect: int = 1,
                       timeout: float = 5.0, settle: float = 0.1) -> Replies:
        """Wait for at least `expect` events (and the callback's answer), then for quiet."""
        events: list[dict] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        answer = None
        while True:
            remaining = deadline - loop.time()
            need_more = len(events) < expect or (callback_id and answer is None)
            if remaining <= 0:
                if need_more and expect:
                    raise AssertionError(f"bot answered with {len(events)} events, expected "
                                         f"{expect}: {[e.get('text') for e in events]}")
                break
            wait = min(remaining, 0.5) if need_more else settle
            found = await self.client.events(self.user_id, after=self.seq, wait=wait)
            for event in found["events"]:
                self.apply(event)
                events.append(event)
            if callback_id and answer is None:
                state = await self.client.callback(callback_id)
                answer = state if state["answered"] else None
            if not found["events"] and not need_more:
                break
        return Replies(events=events, callback=answer)

    def apply(self, event: dict) -> None:
        """Take in an event of this chat: the messages as the user sees them now."""
        self.seq = max(self.seq, event["seq"])
        if event["type"] == "send":
            self.messages[event["message_id"]] = dict(event)
        elif event["type"] == "edit" and event["message_id"] in self.messages:
            self.messages[event["message_id"]].update(text=event["text"],
                                                      reply_markup=event["reply_markup"])
        elif event["type"] == "delete":
            self.messages.pop(event["message_id"], None)
