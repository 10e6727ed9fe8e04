"""An aiohttp transport for python-telegram-bot (a telegram.request.BaseRequest).

Why: PTB's default httpx transport spends most of a request in its own machinery
(see BENCHMARKS.md); aiohttp does the same work in a fraction. Errors map to PTB's
exceptions exactly as HTTPXRequest maps them: a timeout -> TimedOut (a pool
timeout says so), any other client error -> NetworkError("aiohttp.<Class>: …").
Long-polling getUpdates gets its own instance (its own connection), as with httpx.
"""
from __future__ import annotations

import functools
import logging

import aiohttp
import orjson
import yarl
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from config import Settings

# One DEBUG line per request, as httpx writes for PTB's default transport: the method, URL
# (the token in it is redacted by logs.RedactingFormatter) and status, never a body.
log = logging.getLogger(__name__)


class AiohttpRequest(BaseRequest):
    __slots__ = ("_connect_timeout", "_media_write_timeout", "_pool_size", "_pool_timeout",
                 "_read_timeout", "_session", "_write_timeout")

    def __init__(self, connection_pool_size: int = 1, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0):
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector,
                                                  headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict:
        """As PTB's, less the keyboards and formatting of the bot's own messages
        coming back (a sent or edited message, the message a button was pressed on).

        The bot never reads them, and PTB building one object per button and per
        bold word for each was a measurable share of the update rate (BENCHMARKS.md)."""
        try:
            data = orjson.loads(payload)  # a few times faster than json.loads
        except orjson.JSONDecodeError:
            data = BaseRequest.parse_json_payload(payload)  # which logs it and raises
        _drop_unread(data.get("result") if isinstance(data, dict) else None)
        return data

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE,
                         write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) \
            else connect_timeout
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if files else self._write_timeout
        # aiohttp has no write timeout, and its read timer starts while the body is still
        # being written: an upload's read wait must include the write time. A JSON body is a
        # few hundred bytes, written at once: its read timeout is the read timeout, as
        # with PTB's httpx transport.
        sock_read = read
        if files and read is not None:
            sock_read = read + (write_timeout or 0)
        data, headers = _body(request_data)
        try:
            async with self._session.request(method, _url(url), data=data, headers=headers,
                                             timeout=_timeout(pool, connect, sock_read)) as resp:
                log.debug("HTTP Request: %s %s %s", method, url, resp.status)
                return resp.status, await resp.read()
        except aiohttp.ConnectionTimeoutError as err:
            if _waited_for_pool(self._session):
                raise TimedOut(message=(
                    "Pool timeout: All connections in the connection pool are occupied. Request "
                    "was *not* sent to Telegram. Consider adjusting the connection pool size or "
                    "the pool timeout.")) from err
            raise TimedOut from err
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def make_request(settings: Settings, pool_size: int, read_timeout: float | None = 5.0
                 ) -> BaseRequest:
    """The HTTP transport for Bot API calls, as configured."""
    if settings.transport == "httpx":
        return HTTPXRequest(connection_pool_size=pool_size, read_timeout=read_timeout)
    return AiohttpRequest(connection_pool_size=pool_size, read_timeout=read_timeout)


# A bot calls a few dozen URLs with a few timeouts: each is parsed or built once,
# not once per request.
@functools.lru_cache(maxsize=256)
def _url(url: str) -> yarl.URL:
    return yarl.URL(url)


@functools.lru_cache(maxsize=64)
def _timeout(pool, connect, sock_read) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=None, connect=pool, sock_connect=connect,
                                 sock_read=sock_read)


# What the bot never reads back from its own messages: it knows what it sent.
UNREAD = ("reply_markup", "entities", "caption_entities", "link_preview_options")


def _drop_unread(result) -> None:
    """Trim UNREAD from a returned Message, and from the message of each callback
    query in a getUpdates list (the bot's own message a button was pressed on)."""
    if isinstance(result, dict):
        if "message_id" in result:
            _trim(result)
    elif isinstance(result, list):
        for update in result:
            query = update.get("callback_query") if isinstance(update, dict) else None
            if query and isinstance(query.get("message"), dict):
                _trim(query["message"])


def _trim(message: dict) -> None:
    for key in UNREAD:
        message.pop(key, None)


def _waited_for_pool(session: aiohttp.ClientSession) -> bool:
    connector = session.connector
    # every connection busy: a pool wait
    return connector is not None and bool(connector.limit) and \
        len(connector._acquired) >= connector.limit


JSON = {"Content-Type": "application/json"}


def _body(request_data: RequestData | None):
    """A JSON body (the Bot API takes JSON; percent-encoding a form costs far more), or
    multipart when there are files."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        parameters = request_data.parameters
        return (orjson.dumps(parameters), JSON) if parameters else (None, None)
    form = aiohttp.FormData(quote_fields=False)  # UTF-8 file names as httpx sends them
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        if isinstance(part, tuple):
            filename, content, mime = part
            form.add_field(name, content, filename=filename, content_type=mime)
        else:
            form.add_field(name, part)
    return form, None
