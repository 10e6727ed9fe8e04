"""The Bot API methods the bot uses, at /bot<token>/<method>, answering as Telegram does.

Parameters are read and checked by emulator.params; the state lives in emulator.world.
Every call and download goes through emulator.faults (a no-op unless faults are set).
A file_id is tied to the kind of file it names (BOTAPI.md): a photo's id in sendDocument,
or a document's in sendPhoto or an album of the other kind, is refused with "type of file
mismatch", as Telegram does; sendMediaGroup takes 2-10 items of one kind.
"""
from __future__ import annotations

import asyncio
import itertools
import time

from aiohttp import web

from emulator.faults import Faults
from emulator.params import MAX_CAPTION, MAX_TEXT, Params, check_markup, render_text
from emulator.world import ApiError, World, bad_request

MAX_DOWNLOAD = 20 * 1024 * 1024


class BotApi:
    def __init__(self, world: World, faults: Faults):
        self.world = world
        self.faults = faults
        self._poller: object | None = None
        self._groups = itertools.count(10_000_000)

    async def handle(self, request: web.Request) -> web.Response:
        world = self.world
        if request.match_info["token"] != world.token:
            return _error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        handler = getattr(self, "m_" + method.lower(), None)
        world.stats["requests"] += 1
        world.stats[f"method:{method}"] += 1
        if handler is None:
            return _error(ApiError(404, "Not Found"))
        try:
            params = await Params.read(request)
            result = await self.faults.around(method, params.get("chat_id"),
                                              lambda: handler(params))
        except ApiError as exc:
            world.stats[f"error:{exc.code}"] += 1
            # Which refusals, by what they said (digits out: "retry after 7" is one kind).
            kind = "".join(c for c in exc.description if not c.isdigit())[:80]
            world.refusals[f"{method} {exc.code} {kind}"] += 1
            return _error(exc)
        return web.json_response({"ok": True, "result": result})

    async def download(self, request: web.Request) -> web.StreamResponse:
        # Downloads meet only the fault rules that name "download".
        return await self.faults.around("download", None, lambda: self._download(request))

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.world.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        stored = self.world.file_by_path(request.match_info["path"])
        if stored is None or stored.content is None:
            return web.json_response({"ok": False, "error_code": 404,
                                      "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or
                            "application/octet-stream")

    # --- identity and setup -------------------------------------------------
    async def m_getme(self, p: Params) -> dict:
        return self.world.bot_user()

    async def m_setmycommands(self, p: Params) -> bool:
        commands = p.get("commands") or []
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            name, desc = command.get("command", ""), command.get("description", "")
            if not (1 <= len(name) <= 32) or not all(c.isascii() and (c.islower() or c.isdigit()
                                                                   or c == "_") for c in name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not (1 <= len(desc) <= 256):
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.world.commands[(_scope_key(p.get("scope")), p.str("language_code") or "")] = commands
        return True

    async def m_getmycommands(self, p: Params) -> list:
        return self.world.commands.get((_scope_key(p.get("scope")),
                                        p.str("language_code") or ""), [])

    async def m_deletemycommands(self, p: Params) -> bool:
        self.world.commands.pop((_scope_key(p.get("scope")), p.str("language_code") or ""), None)
        return True

    async def m_setmydescription(self, p: Params) -> bool:
        return self._describe(p, "description", 512)

    async def m_setmyshortdescription(self, p: Params) -> bool:
        return self._describe(p, "short_description", 120)

    def _describe(self, p: Params, key: str, limit: int) -> bool:
        text = p.str(key) or ""
        if len(text) > limit:
            raise bad_request(f"{key.upper()}_INVALID")
        self.world.descriptions[(key, p.str("language_code") or "")] = text
        return True

    # --- receiving updates --------------------------------------------------
    async def m_setwebhook(self, p: Params) -> bool:
        url = p.str("url") or ""
        self.world.webhook = {"url": url, "secret": p.str("secret_token"),
                              "max_connections": p.int("max_connections") or 40} if url else None
        if url:
            for update in self.world.updates:  # pending updates go to the new webhook
                self.world.webhook_queue.put_nowait(update)
            self.world.updates.clear()
        await self.world.notify()
        return True

    async def m_deletewebhook(self, p: Params) -> bool:
        self.world.webhook = None
        if p.bool("drop_pending_updates"):
            self.world.updates.clear()
        await self.world.notify()
        return True

    async def m_getwebhookinfo(self, p: Params) -> dict:
        hook = self.world.webhook or {}
        return {"url": hook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self.world.updates)}

    async def m_getupdates(self, p: Params) -> list:
        world = self.world
        if world.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset, limit = p.int("offset", 0), max(1, min(p.int("limit", 100), 100))
        timeout = max(0, p.int("timeout", 0))
        if offset > 0:
            world.updates = [u for u in world.updates if u["update_id"] >= offset]
        elif offset < 0:
            world.updates = world.updates[offset:]
        allowed = p.get("allowed_updates") or None
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        me = object()
        self._poller = me  # a newer request terminates an older one, as on Telegram
        await world.notify()
        deadline = time.monotonic() + timeout
        while True:
            if self._poller is not me:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure "
                                    "that only one bot instance is running")
            pending = [u for u in world.updates
                       if not allowed or any(k in u for k in allowed)][:limit]
            remaining = deadline - time.monotonic()
            if pending or remaining <= 0:
                if self._poller is me:
                    self._poller = None
                return pending
            async with world.changed:
                try:
                    await asyncio.wait_for(world.changed.wait(), remaining)
                except TimeoutError:
                    pass

    # --- sending ------------------------------------------------------------
    async def m_sendmessage(self, p: Params) -> dict:
        chat = self.world.chat_for_send(p.require_int("chat_id"))
        plain, entities, raw = render_text(p, "text", MAX_TEXT, "message text is empty")
        markup = check_markup(p.get("reply_markup"))
        self.world.check_thread(chat, _thread(p))
        self.world.check_rate(chat)
        return await self._deliver(chat, {"text": plain, "entities": entities}, markup, raw, p)

    async def m_senddocument(self, p: Params) -> dict:
        return await self._send_media(p, "document")

    async def m_sendphoto(self, p: Params) -> dict:
        return await self._send_media(p, "photo")

    async def _send_media(self, p: Params, kind: str) -> dict:
        chat = self.world.chat_for_send(p.require_int("chat_id"))
        caption, entities, raw = render_text(p, "caption", MAX_CAPTION, None)
        markup = check_markup(p.get("reply_markup"))
        stored = self._input_file(p, kind)
        self.world.check_thread(chat, _thread(p))
        self.world.check_rate(chat)
        body: dict = {}
        if kind == "document":
            body["document"] = {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                                "file_name": stored.name, "mime_type": stored.mime_type,
                                "file_size": stored.size}
        else:
            body["photo"] = [{"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                              "width": 800, "height": 600, "file_size": stored.size}]
        if caption:
            body.update(caption=caption, caption_entities=entities)
        return await self._deliver(chat, body, markup, raw, p)

    async def m_sendvenue(self, p: Params) -> dict:
        """A map point with a title and address; Telegram refuses a missing or out-of-range
        coordinate and an empty title or address."""
        chat = self.world.chat_for_send(p.require_int("chat_id"))
        venue = {}
        for key, limit in (("latitude", 90.0), ("longitude", 180.0)):
            raw = p.get(key)
            try:
                value = float(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise bad_request(f"parameter \"{key}\" is required") from None
            if not -limit <= value <= limit:
                raise bad_request("VENUE_GEO_INVALID")
            venue[key] = value
        title, address = p.str("title") or "", p.str("address") or ""
        if not title.strip():
            raise bad_request("title is empty")
        if not address.strip():
            raise bad_request("address is empty")
        markup = check_markup(p.get("reply_markup"))
        self.world.check_thread(chat, _thread(p))
        self.world.check_rate(chat)
        body = {"venue": {"location": {"latitude": venue["latitude"],
                                       "longitude": venue["longitude"]},
                          "title": title, "address": address},
                "location": {"latitude": venue["latitude"], "longitude": venue["longitude"]}}
        return await self._deliver(chat, body, markup, "", p)

    async def m_sendmediagroup(self, p: Params) -> list:
        """An album: 2-10 photos (or 2-10 documents; the two do not mix), each a file_id
        of its kind or an attach:// upload; one message per item, sharing media_group_id."""
        chat = self.world.chat_for_send(p.require_int("chat_id"))
        media = p.get("media")
        if not isinstance(media, list) or not media:
            raise bad_request("can't parse media JSON object")
        if not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media items specified")
        kinds = {item.get("type") for item in media if isinstance(item, dict)}
        if not kinds <= {"photo", "document"} or len(kinds) != 1:
            raise bad_request("document can't be mixed with other media types"
                              if "document" in kinds else "unsupported media type")
        self.world.check_thread(chat, _thread(p))
        group = f"{next(self._groups)}"
        sent = []
        for item in media:
            kind = item["type"]
            stored = self._input_file(Params({kind: item.get("media")}, p.files), kind)
            body: dict = {"media_group_id": group}
            body.update(self._media_body(kind, stored))
            caption = item.get("caption")
            if caption:
                if len(caption) > MAX_CAPTION:
                    raise bad_request("message caption is too long")
                body["caption"] = caption
            self.world.check_rate(chat)
            sent.append(await self._deliver(chat, body, None, caption or "", p))
        return sent

    def _media_body(self, kind: str, stored) -> dict:
        if kind == "document":
            return {"document": {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                                 "file_name": stored.name, "mime_type": stored.mime_type,
                                 "file_size": stored.size}}
        return {"photo": [{"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                           "width": 800, "height": 600, "file_size": stored.size}]}

    def _input_file(self, p: Params, kind: str):
        value = p.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = p.files.get(value.removeprefix("attach://"))
        else:
            upload = p.files.get(kind)
        if upload is not None:
            name, mime, data = upload
            if len(data) > 50 * 1024 * 1024:
                raise ApiError(413, "Request Entity Too Large")
            return self.world.store_file(data, name, mime or None, kind=kind)
        if isinstance(value, str) and value in self.world.files:
            stored = self.world.files[value]
            if stored.kind != kind:  # a file_id is tied to its kind, as on Telegram
                raise bad_request("type of file mismatch")
            return stored
        raise bad_request("wrong file identifier/HTTP URL specified" if value
                          else f"there is no {kind} in the request")

    async def _deliver(self, chat: dict, body: dict, markup: dict | None, raw: str,
                       p: Params) -> dict:
        world = self.world
        message = {"message_id": world.next_message_id(chat["id"]), "date": int(time.time()),
                   "chat": chat, "from": world.bot_user(), **body}
        thread_id = _thread(p)
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
        if markup and "inline_keyboard" in markup:  # Telegram echoes only inline keyboards
            message["reply_markup"] = markup
        world.messages[(chat["id"], message["message_id"])] = message
        world.stats["sent"] += 1
        kind = "document" if "document" in body else "photo" if "photo" in body else \
            "venue" if "venue" in body else "text"
        text = body.get("text") or body.get("caption", "")
        if kind == "venue":
            text = f"{body['venue']['title']}\n{body['venue']['address']}"
        await world.record({"type": "send", "kind": kind, "chat_id": chat["id"],
                            "message_id": message["message_id"], "text": text,
                            "html": raw, "reply_markup": markup, "venue": body.get("venue"),
                            "file_id": _file_id(body), "paid": p.bool("allow_paid_broadcast"),
                            "message_thread_id": thread_id})
        return message

    # --- forum topics ---------------------------------------------------------
    async def m_createforumtopic(self, p: Params) -> dict:
        world = self.world
        chat = world.forum_for_topics(p.require_int("chat_id"))
        name = p.str("name") or ""
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_NAME_EMPTY" if not name else "TOPIC_NAME_INVALID")
        # A topic's id is the id of the service message that opens it, as on Telegram.
        thread_id = world.next_message_id(chat["id"])
        topic = {"message_thread_id": thread_id, "name": name,
                 "icon_color": p.int("icon_color", 7322096), "closed": False}
        world.topics.setdefault(chat["id"], {})[thread_id] = topic
        world.messages[(chat["id"], thread_id)] = {
            "message_id": thread_id, "date": int(time.time()), "chat": chat,
            "from": world.bot_user(), "message_thread_id": thread_id, "is_topic_message": True,
            "forum_topic_created": {"name": name, "icon_color": topic["icon_color"]}}
        await world.record({"type": "topic", "action": "create", "chat_id": chat["id"],
                            "message_thread_id": thread_id, "text": name})
        return {k: v for k, v in topic.items() if k != "closed"}

    def _topic(self, p: Params) -> tuple[dict, dict]:
        chat = self.world.forum_for_topics(p.require_int("chat_id"))
        topic = self.world.topics[chat["id"]].get(p.require_int("message_thread_id"))
        if topic is None:
            raise bad_request("message thread not found")
        return chat, topic

    async def m_editforumtopic(self, p: Params) -> bool:
        chat, topic = self._topic(p)
        name = p.str("name")
        if name is not None:
            if not 1 <= len(name) <= 128:
                raise bad_request("TOPIC_NAME_INVALID")
            if name == topic["name"]:
                raise bad_request("TOPIC_NOT_MODIFIED")
            topic["name"] = name
        await self.world.record({"type": "topic", "action": "edit", "chat_id": chat["id"],
                                 "message_thread_id": topic["message_thread_id"],
                                 "text": topic["name"]})
        return True

    async def m_closeforumtopic(self, p: Params) -> bool:
        return await self._open_close(p, True)

    async def m_reopenforumtopic(self, p: Params) -> bool:
        return await self._open_close(p, False)

    async def _open_close(self, p: Params, closed: bool) -> bool:
        chat, topic = self._topic(p)
        if topic["closed"] == closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic["closed"] = closed
        await self.world.record({"type": "topic", "action": "close" if closed else "reopen",
                                 "chat_id": chat["id"],
                                 "message_thread_id": topic["message_thread_id"],
                                 "text": topic["name"]})
        return True

    async def m_deleteforumtopic(self, p: Params) -> bool:
        chat, topic = self._topic(p)
        del self.world.topics[chat["id"]][topic["message_thread_id"]]
        await self.world.record({"type": "topic", "action": "delete", "chat_id": chat["id"],
                                 "message_thread_id": topic["message_thread_id"],
                                 "text": topic["name"]})
        return True

    # --- editing ------------------------------------------------------------
    def _bot_message(self, p: Params, not_found: str) -> dict:
        chat_id, message_id = p.require_int("chat_id"), p.require_int("message_id")
        chat = self.world.chat_for_send(chat_id)
        message = self.world.messages.get((chat["id"], message_id))
        if message is None or message.get("from", {}).get("id") != self.world.bot_id:
            raise bad_request(not_found)
        return message

    async def m_editmessagetext(self, p: Params) -> dict:
        message = self._bot_message(p, "message to edit not found")
        plain, entities, raw = render_text(p, "text", MAX_TEXT, "message text is empty")
        markup = check_markup(p.get("reply_markup"))
        if plain == message.get("text") and entities == message.get("entities", []) \
                and markup == message.get("reply_markup"):
            raise bad_request("message is not modified: specified new message content and reply "
                              "markup are exactly the same as a current content and reply markup "
                              "of the message")
        message.update(text=plain, entities=entities, edit_date=int(time.time()))
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        await self.world.record({"type": "edit", "kind": "text", "chat_id": message["chat"]["id"],
                                 "message_id": message["message_id"], "text": plain, "html": raw,
                                 "reply_markup": markup})
        return message

    async def m_editmessagereplymarkup(self, p: Params) -> dict:
        message = self._bot_message(p, "message to edit not found")
        markup = check_markup(p.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise bad_request("message is not modified: specified new message content and reply "
                              "markup are exactly the same as a current content and reply markup "
                              "of the message")
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        await self.world.record({"type": "edit", "kind": "markup", "chat_id": message["chat"]["id"],
                                 "message_id": message["message_id"], "text": message.get("text"),
                                 "reply_markup": markup})
        return message

    async def m_deletemessage(self, p: Params) -> bool:
        message = self._bot_message(p, "message to delete not found")
        del self.world.messages[(message["chat"]["id"], message["message_id"])]
        await self.world.record({"type": "delete", "chat_id": message["chat"]["id"],
                                 "message_id": message["message_id"]})
        return True

    async def m_answercallbackquery(self, p: Params) -> bool:
        query = self.world.callbacks.get(p.str("callback_query_id") or "")
        if query is None or query["answered"] or time.monotonic() - query["created"] > 900:
            if query is not None:
                query["late_answers"] += 1
            raise bad_request("query is too old and response timeout expired or query ID is "
                              "invalid")
        text = p.str("text") or ""
        if len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.update(answered=True, text=text, show_alert=p.bool("show_alert"))
        await self.world.notify()
        return True

    async def m_sendchataction(self, p: Params) -> bool:
        self.world.chat_for_send(p.require_int("chat_id"))
        return True

    async def m_getfile(self, p: Params) -> dict:
        stored = self.world.files.get(p.str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                "file_size": stored.size, "file_path": stored.path}

    async def m_close(self, p: Params) -> bool:
        return True


def _scope_key(scope: object) -> str:
    if not isinstance(scope, dict):
        return "default"
    if scope.get("type") == "chat":
        return f"chat:{scope.get('chat_id')}"
    return str(scope.get("type", "default"))


def _thread(p: Params) -> int | None:
    value = p.get("message_thread_id")
    return None if value in (None, "") else p.require_int("message_thread_id")


def _file_id(body: dict) -> str | None:
    if "document" in body:
        return body["document"]["file_id"]
    if "photo" in body:
        return body["photo"][-1]["file_id"]
    return None


def _error(exc: ApiError) -> web.Response:
    body: dict = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.retry_after is not None:
        body["parameters"] = {"retry_after": exc.retry_after}
    return web.json_response(body, status=exc.code)
