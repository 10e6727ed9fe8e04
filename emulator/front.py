"""A round-robin front for several bot instances in webhook mode: what a reverse proxy
(nginx, in compose.yaml) does in production, for the tests and benchmarks.

Telegram (here the emulator) knows one webhook address: this one. Each update is passed
to the next instance in turn; an instance that cannot be reached (stopped, killed) is
skipped for the next one, as nginx's `proxy_next_upstream error` does. One that dies after
taking the request gives no answer: that is a 502, and Telegram delivers the update again.
"""
from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

PASSED_HEADERS = ("X-Telegram-Bot-Api-Secret-Token", "Content-Type")


@dataclass
class Front:
    targets: list[str]  # the instances' webhook URLs
    url: str = ""
    served: Counter[str] = field(default_factory=Counter)  # target -> updates it answered
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None
    _turn: itertools.count = field(default_factory=itertools.count)

    async def start(self, host: str = "127.0.0.1", port: int = 0, path: str = "/hook") -> str:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_post(path, self.forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.url = f"http://{host}:{self._runner.addresses[0][1]}{path}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def forward(self, request: web.Request) -> web.Response:
        if self._session is None:
            return web.Response(status=503)
        body = await request.read()
        headers = {k: request.headers[k] for k in PASSED_HEADERS if k in request.headers}
        first = next(self._turn)
        for offset in range(len(self.targets)):
            target = self.targets[(first + offset) % len(self.targets)]
            try:
                async with self._session.post(target, data=body, headers=headers) as resp:
                    text = await resp.read()
                    self.served[target] += 1
                    return web.Response(status=resp.status, body=text)
            except aiohttp.ClientConnectorError:
                continue  # not listening: the next one takes it
            except (aiohttp.ClientError, TimeoutError):
                return web.Response(status=502)  # taken, then no answer: re-delivered
        return web.Response(status=502)
