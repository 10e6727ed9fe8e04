"""The emulator's HTTP server: Bot API + control API + webhook delivery, on loopback.

Bot API calls and file downloads pass through the fault rules (emulator/faults.py),
which are off until the control API sets some."""
from __future__ import annotations

import asyncio
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


async def deliver_webhooks(world: World) -> None:
    """POST each update, in order, to the webhook with its secret header (as Telegram does)."""
    async with aiohttp.ClientSession() as session:
        while True:
            update = await world.webhook_queue.get()
            hook = world.webhook
            if not hook:
                world.updates.append(update)  # webhook gone: back to getUpdates
                continue
            headers = {"X-Telegram-Bot-Api-Secret-Token": hook["secret"]} if hook["secret"] else {}
            for attempt in range(5):
                try:
                    async with session.post(hook["url"], json=update, headers=headers) as resp:
                        world.stats[f"webhook:{resp.status}"] += 1
                        break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.2 * (attempt + 1))


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
