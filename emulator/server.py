"""The emulator's HTTP server: Bot API + control API + webhook delivery, on loopback.

Bot API calls and file downloads pass through the fault rules (emulator/faults.py),
which are off until the control API sets some."""
from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from emulator.botapi import BotApi
from emulator.control import Control
from emulator.faults import Faults
from emulator.nbk import Nbk
from emulator.world import World

log = logging.getLogger(__name__)
DEFAULT_TOKEN = "123456789:EMULATOR-local-token_0123456789abcdef"


def make_app(world: World, faults: Faults | None = None, nbk: Nbk | None = None
             ) -> web.Application:
    faults = faults or Faults(world.stats)
    nbk = nbk or Nbk()
    api, control = BotApi(world, faults), Control(world, faults)
    app = web.Application(client_max_size=60 * 1024 * 1024)
    app.add_routes([
        web.post("/bot{token}/{method}", api.handle),
        web.get("/bot{token}/{method}", api.handle),
        web.get("/file/bot{token}/{path:.+}", api.download),
        *control.routes(),
        *nbk.routes(),  # the National Bank's rate feed, for the cost estimate
    ])
    return app


WEBHOOK_ATTEMPTS = 30  # Telegram keeps re-delivering an update the webhook did not take


def _chat_of(update: dict) -> object:
    """The chat an update belongs to (its updates are delivered one after another)."""
    for value in update.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if isinstance(chat, dict):
                return chat.get("id")
            sender = value.get("from")
            if isinstance(sender, dict):
                return sender.get("id")
    return None


async def deliver_webhooks(world: World) -> None:
    """POST each update to the webhook with its secret header, as Telegram does: up to
    `max_connections` at once (setWebhook's, 40 by default), one chat's updates one after
    another in order (the next only once the previous was answered 2xx), an update that
    got an error or no answer re-delivered with backoff."""
    chains: dict[object, asyncio.Task] = {}
    async with aiohttp.ClientSession() as session:
        while True:
            update = await world.webhook_queue.get()
            hook = world.webhook
            if not hook:
                world.updates.append(update)  # webhook gone: back to getUpdates
                continue
            key = _chat_of(update)
            before = chains.get(key)
            task = asyncio.create_task(_deliver(world, session, hook, update, before))
            chains[key] = task
            task.add_done_callback(functools.partial(_forget, chains, key))


def _forget(chains: dict[object, asyncio.Task], key: object, done: asyncio.Task) -> None:
    if chains.get(key) is done:  # the chat's last delivery: nothing waits on it
        del chains[key]


async def _deliver(world: World, session: aiohttp.ClientSession, hook: dict, update: dict,
                   before: asyncio.Task | None) -> None:
    if before is not None:
        with contextlib.suppress(Exception):
            await asyncio.shield(before)
    headers = {"X-Telegram-Bot-Api-Secret-Token": hook["secret"]} if hook["secret"] else {}
    async with world.webhook_slots(hook):
        for attempt in range(WEBHOOK_ATTEMPTS):
            try:
                async with session.post(hook["url"], json=update, headers=headers) as resp:
                    world.stats[f"webhook:{resp.status}"] += 1
                    if resp.status < 500:
                        return  # 2xx taken; 4xx refused for good (Telegram drops it too)
            except aiohttp.ClientError:
                world.stats["webhook:unreachable"] += 1
            await asyncio.sleep(min(0.1 * (attempt + 1), 1.0))


@dataclass
class Running:
    world: World
    runner: web.AppRunner
    url: str
    tasks: list[asyncio.Task]
    faults: Faults
    nbk: Nbk

    @property
    def rates_feed_url(self) -> str:
        return f"{self.url}/nbk/rss/rates_all.xml"

    async def stop(self) -> None:
        self.faults.release()  # a held request must not keep the server from shutting down
        for task in self.tasks:
            task.cancel()
        await self.runner.cleanup()


async def start(token: str = DEFAULT_TOKEN, host: str = "127.0.0.1", port: int = 0) -> Running:
    """Start on loopback (port 0: any free port); returns the running server and its URL."""
    world = World(token=token)
    faults, nbk = Faults(world.stats), Nbk()
    runner = web.AppRunner(make_app(world, faults, nbk), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    actual = runner.addresses[0][1]  # (host, port) of the socket the site listens on
    tasks = [asyncio.create_task(deliver_webhooks(world))]
    return Running(world=world, runner=runner, url=f"http://{host}:{actual}", tasks=tasks,
                   faults=faults, nbk=nbk)
