"""The control API, at /control/…: act as users, read what the bot did, inject faults.

Used by the test suite, the benchmarks and the terminal chat. JSON in, JSON out.
Fault injection (emulator/faults.py): POST /control/faults sets rules, GET reads the
counters, DELETE clears them. POST /control/raw_update pushes any update as given, or a
poison one (emulator/poison.py) that python-telegram-bot cannot parse.
"""
from __future__ import annotations

import asyncio
import base64
import time

from aiohttp import web

from emulator import poison
from emulator.faults import Faults, FaultSpecError
from emulator.world import Limits, World


class Control:
    def __init__(self, world: World, faults: Faults):
        self.world = world
        self.faults = faults

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/control/users", self.add_users),
            web.post("/control/group", self.add_group),
            web.post("/control/message", self.message),
            web.post("/control/press", self.press),
            web.post("/control/edit", self.edit),
            web.post("/control/block", self.block),
            web.post("/control/limits", self.set_limits),
            web.get("/control/events", self.events),
            web.get("/control/callbacks/{id}", self.callback),
            web.get("/control/commands", self.commands),
            web.get("/control/files/{file_id}", self.file),
            web.get("/control/stats", self.stats),
            web.get("/control/webhook", self.webhook_info),
            web.post("/control/faults", self.set_faults),
            web.get("/control/faults", self.get_faults),
            web.delete("/control/faults", self.clear_faults),
            web.post("/control/raw_update", self.raw_update),
        ]

    async def add_users(self, request: web.Request) -> web.Response:
        """{"users": [{id, first_name, language_code, username, started}]} (bulk for benchmarks)."""
        body = await request.json()
        for user in body.get("users", [body]):
            self.world.add_user(int(user["id"]), user.get("first_name", "User"),
                                user.get("language_code"), user.get("username"),
                                bool(user.get("started", False)))
        return web.json_response({"ok": True})

    async def add_group(self, request: web.Request) -> web.Response:
        """{id, title, is_forum, manage_topics}: a supergroup with the bot as an admin."""
        body = await request.json()
        chat = self.world.add_group(int(body["id"]), body.get("title", "Group"),
                                    bool(body.get("is_forum", True)),
                                    bool(body.get("manage_topics", True)))
        return web.json_response({"chat": chat})

    async def message(self, request: web.Request) -> web.Response:
        """A user sends something: text/command, contact, document, photo, sticker, voice,
        location. "chat" overrides the private chat (for groups)."""
        body = await request.json()
        content = self._content(body)
        if body.get("forward_from") is not None:  # a forwarded message, as Telegram marks it
            origin = self.world.users.get(int(body["forward_from"]))
            content["forward_origin"] = {"type": "user", "sender_user": origin,
                                         "date": int(time.time())} if origin else \
                {"type": "hidden_user", "sender_user_name": "Hidden",
                 "date": int(time.time())}
        if body.get("message_thread_id") is not None:
            content["message_thread_id"] = int(body["message_thread_id"])
        chat = body.get("chat")
        if isinstance(chat, int):  # a chat the emulator knows (a group added before)
            chat = self.world.chats.get(chat)
            if chat is None:
                raise web.HTTPBadRequest(text="no such chat")
        try:
            update, message = await self.world.user_message(int(body["user_id"]), content,
                                                            chat)
        except LookupError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
        return web.json_response({"update_id": update["update_id"],
                                  "message_id": message["message_id"], "message": message})

    def _content(self, body: dict) -> dict:
        world = self.world
        if "text" in body:
            text = body["text"]
            content: dict = {"text": text}
            if text.startswith("/"):
                command = text.split()[0]
                content["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(command.encode("utf-16-le")) // 2}]
            return content
        if "contact" in body:
            return {"contact": body["contact"]}
        if "location" in body:
            return {"location": body["location"]}
        if "sticker" in body:
            stored = world.store_file(b"sticker", "sticker.webp", "image/webp", kind="sticker")
            return {"sticker": {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                                "type": "regular", "width": 512, "height": 512,
                                "is_animated": False, "is_video": False,
                                "emoji": body["sticker"] or "🙂"}}
        if "voice" in body:
            stored = world.store_file(b"OggS voice", "voice.ogg", "audio/ogg", kind="voice")
            return {"voice": {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                              "duration": 2, "mime_type": "audio/ogg"},
                    **({"caption": body["caption"]} if body.get("caption") else {})}
        for kind in ("document", "photo"):
            if kind in body:
                spec = body[kind]
                content_bytes = base64.b64decode(spec["content"]) if "content" in spec else None
                stored = world.store_file(content_bytes, spec.get("file_name"),
                                          spec.get("mime_type"), spec.get("size"), kind)
                extra = {"caption": body["caption"]} if body.get("caption") else {}
                if body.get("media_group_id"):  # one of an album: each its own update
                    extra["media_group_id"] = str(body["media_group_id"])
                if kind == "document":
                    return {"document": {"file_id": stored.file_id,
                                         "file_unique_id": stored.unique_id,
                                         "file_name": stored.name, "mime_type": stored.mime_type,
                                         "file_size": stored.size}, **extra}
                small = world.store_file(content_bytes[:64] if content_bytes else None,
                                         "thumb.jpg", "image/jpeg", min(stored.size, 64), "photo")
                return {"photo": [
                    {"file_id": small.file_id, "file_unique_id": small.unique_id,
                     "width": 90, "height": 67, "file_size": small.size},
                    {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                     "width": 1280, "height": 960, "file_size": stored.size}], **extra}
        raise web.HTTPBadRequest(text="nothing to send")

    async def edit(self, request: web.Request) -> web.Response:
        """A user edits a text message they sent: {user_id, message_id, text, chat_id?}."""
        body = await request.json()
        try:
            update = await self.world.user_edit(int(body["user_id"]), int(body["message_id"]),
                                                body["text"], body.get("chat_id"))
        except LookupError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from exc
        return web.json_response({"update_id": update["update_id"]})

    async def press(self, request: web.Request) -> web.Response:
        """A user presses an inline button. Only buttons present on the message can be
        pressed, unless "forge" is set (a modified client sending any callback_data)."""
        body = await request.json()
        try:
            update = await self.world.press(int(body["user_id"]), int(body["message_id"]),
                                            body["data"], bool(body.get("forge")),
                                            body.get("chat_id"))
        except LookupError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
        return web.json_response({"update_id": update["update_id"],
                                  "callback_query_id": update["callback_query"]["id"]})

    async def block(self, request: web.Request) -> web.Response:
        """{user_id, blocked, deactivated, notify}: a user blocks (or unblocks) the bot, or
        their account is deleted. notify=false: the bot never hears of the block."""
        body = await request.json()
        user_id = int(body["user_id"])
        blocked = body.get("blocked", True)
        if body.get("deactivated"):
            (self.world.deactivated.add if blocked else self.world.deactivated.discard)(user_id)
        else:
            await self.world.set_blocked(user_id, blocked, body.get("notify", True))
        return web.json_response({"ok": True})

    async def set_limits(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.world.set_limits(Limits(global_per_second=body.get("global_per_second"),
                                     per_chat_per_second=body.get("per_chat_per_second"),
                                     per_group_per_minute=body.get("per_group_per_minute", 20)))
        return web.json_response({"ok": True})

    async def events(self, request: web.Request) -> web.Response:
        """Events after seq `after` (for one chat if given); waits up to `wait` seconds
        for at least one."""
        chat_id = request.query.get("chat_id")
        after = int(request.query.get("after", 0))
        wait = float(request.query.get("wait", 0))
        deadline = time.monotonic() + wait
        world = self.world
        while True:
            found = [e for e in world.events[after:]
                     if chat_id is None or e.get("chat_id") == int(chat_id)]
            remaining = deadline - time.monotonic()
            if found or remaining <= 0:
                return web.json_response({"events": found, "last": len(world.events)})
            async with world.changed:
                try:
                    await asyncio.wait_for(world.changed.wait(), remaining)
                except TimeoutError:
                    pass

    async def callback(self, request: web.Request) -> web.Response:
        query = self.world.callbacks.get(request.match_info["id"])
        if query is None:
            raise web.HTTPNotFound()
        return web.json_response({k: v for k, v in query.items() if k != "created"})

    async def commands(self, request: web.Request) -> web.Response:
        return web.json_response({f"{scope}|{lang}": cmds
                                  for (scope, lang), cmds in self.world.commands.items()})

    async def file(self, request: web.Request) -> web.Response:
        stored = self.world.files.get(request.match_info["file_id"])
        if stored is None or stored.content is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.content, headers={"X-File-Name": stored.name or ""})

    async def stats(self, request: web.Request) -> web.Response:
        unanswered = [q for q, v in self.world.callbacks.items() if not v["answered"]]
        twice = [q for q, v in self.world.callbacks.items() if v["late_answers"]]
        return web.json_response({**self.world.stats, "unanswered_callbacks": unanswered,
                                  "callbacks_answered_twice": twice,
                                  "pending_updates": len(self.world.updates)})

    async def webhook_info(self, request: web.Request) -> web.Response:
        return web.json_response(self.world.webhook or {})

    async def set_faults(self, request: web.Request) -> web.Response:
        """{"seed", "rules": [...], "append"} (see emulator/faults.py); {} turns faults off.
        Answers the counters, which keep counting until DELETE."""
        try:
            self.faults.configure(await request.json())
        except FaultSpecError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
        return web.json_response(self.faults.snapshot())

    async def get_faults(self, request: web.Request) -> web.Response:
        return web.json_response(self.faults.snapshot())

    async def clear_faults(self, request: web.Request) -> web.Response:
        """Faults off, held requests answered now, counters reset; answers them as they were."""
        return web.json_response(self.faults.clear())

    async def raw_update(self, request: web.Request) -> web.Response:
        """{"update": {...}}: pushed as given (update_id assigned when missing), unchecked.
        {"poison": KIND, "user_id": N}: a shape PTB cannot parse, from user N."""
        body = await request.json()
        if "poison" in body:
            user_id = int(body.get("user_id", 1_000_000))
            user = self.world.users.get(user_id) or self.world.add_user(user_id)
            try:
                update = poison.build(body["poison"], user, self.world.bot_user())
            except KeyError:
                raise web.HTTPBadRequest(text=f"poison is one of {sorted(poison.KINDS)}") from None
            if "message" in update:  # an id the bot's own messages in that chat will not reuse
                update["message"].update(message_id=self.world.next_message_id(user["id"]),
                                         date=int(time.time()))
        else:
            update = body.get("update")
            if not isinstance(update, dict) or not set(update) - {"update_id"}:
                raise web.HTTPBadRequest(text='{"update": {...}} with one update field')
        pushed = await self.world.push_update(update)
        return web.json_response({"update_id": pushed["update_id"], "update": pushed})
