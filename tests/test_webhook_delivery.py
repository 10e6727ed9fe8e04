"""The emulator delivers webhooks as Telegram does (several requests at once, one chat's
updates one after another, again after an error), and the round-robin front passes each
update to one instance, skipping one it cannot reach."""
from __future__ import annotations

import asyncio

from aiohttp import web

from bench.cluster import free_port
from emulator.front import Front


class Receiver:
    """A webhook that records what it gets; `hold` keeps chat 1's first update waiting."""

    def __init__(self, fail_first: int | None = None):
        self.got: list[tuple[int, str]] = []   # (chat id, text), in the order received
        self.done: list[tuple[int, str]] = []  # in the order answered
        self.release = asyncio.Event()
        self.fail_first = fail_first
        self.failed = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        message = update["message"]
        key = (message["chat"]["id"], message["text"])
        self.got.append(key)
        if key[1] == str(self.fail_first) and not self.failed:
            self.failed += 1
            return web.Response(status=500)
        if key == (1, "first"):
            await self.release.wait()
        self.done.append(key)
        return web.Response(status=200)

    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self.url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()


async def wait_for(condition, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def test_one_chats_updates_wait_for_each_other_and_others_do_not(emulator, client):
    receiver = Receiver()
    world = emulator.world
    world.webhook = {"url": await receiver.start(), "secret": None, "max_connections": 40}
    try:
        for user in (1, 2):
            world.add_user(user, "U", "ru", started=True)
        await client.send(1, text="first")
        await client.send(1, text="second")
        await client.send(2, text="other chat")
        await wait_for(lambda: (2, "other chat") in receiver.done)
        assert (1, "second") not in receiver.got  # waits for chat 1's first to be answered
        receiver.release.set()
        await wait_for(lambda: len(receiver.done) == 3)
        assert [k for k in receiver.done if k[0] == 1] == [(1, "first"), (1, "second")]
    finally:
        await receiver.stop()


async def test_an_update_answered_with_an_error_is_delivered_again(emulator, client):
    receiver = Receiver(fail_first=7)
    world = emulator.world
    world.webhook = {"url": await receiver.start(), "secret": None}
    try:
        world.add_user(5, "U", "ru", started=True)
        await client.send(5, text="7")
        await wait_for(lambda: (5, "7") in receiver.done)
        assert receiver.got == [(5, "7"), (5, "7")] and receiver.failed == 1
    finally:
        await receiver.stop()


async def test_the_front_takes_turns_and_skips_an_instance_that_is_down(emulator, client):
    up = [Receiver(), Receiver()]
    urls = [await r.start() for r in up]
    for receiver in up:
        receiver.release.set()
    down = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens there
    front = Front([urls[0], down, urls[1]])
    world = emulator.world
    world.webhook = {"url": await front.start(), "secret": None}
    try:
        world.add_user(9, "U", "ru", started=True)
        for n in range(6):
            await client.send(9, text=f"m{n}")
        await wait_for(lambda: sum(len(r.done) for r in up) == 6)
        assert sorted(k[1] for r in up for k in r.done) == [f"m{n}" for n in range(6)]
        assert up[0].done and up[1].done and front.served[down] == 0
    finally:
        await front.stop()
        for receiver in up:
            await receiver.stop()
