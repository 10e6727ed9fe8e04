"""The webhook server: Telegram POSTs each update here (webhook mode).

Compared with PTB's own server, this one:
- checks Telegram's secret header before it reads a byte of the body (403 otherwise),
  and refuses a body over MAX_BODY (413) without reading it: an unauthenticated sender
  cannot make the bot buffer hundreds of megabytes;
- answers 400 to a body that is not a JSON object, and 200 to an update it cannot
  parse (logged and skipped, as in polling: Telegram would re-deliver it forever);
- answers only once the update has been handled (in the chat's order, through the
  Application's update processor), so an update whose instance dies half-way is
  re-delivered by Telegram rather than lost (the handled update ids are remembered, so
  a re-delivery of one already handled changes nothing).
"""
from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web

from apibot import App

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; Telegram never sends near this
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookServer:
    def __init__(self, app: App, path: str, secret: str):
        self.app, self.path, self.secret = app, "/" + path.lstrip("/"), secret
        self._runner: web.AppRunner | None = None

    def make_app(self) -> web.Application:
        server = web.Application(client_max_size=MAX_BODY)
        server.router.add_post(self.path, self.receive)
        return server

    async def start(self, host: str, port: int) -> None:
        self._runner = web.AppRunner(self.make_app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.Response(status=403)
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413)
        try:
            data: Any = json.loads(await request.read())  # read() stops at client_max_size
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413)
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400)
        update = self.app.bot.parse_update(data)
        processor = self.app.update_processor
        await processor.process_update(update, self.app.process_update(update))
        return web.Response(status=200)
