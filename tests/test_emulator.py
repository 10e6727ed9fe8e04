"""The emulator rejects what Telegram rejects, and PTB sees the same exceptions."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from emulator.telegram_html import HtmlError, parse


@pytest.fixture
async def tg(emulator):
    bot = Bot(emulator.world.token, base_url=f"{emulator.url}/bot",
              base_file_url=f"{emulator.url}/file/bot")
    async with bot:
        yield bot


@pytest.fixture
async def chat(client):
    await client.add_users([{"id": 501, "first_name": "A", "started": True}])
    return 501


async def test_get_me(tg):
    me = await tg.get_me()
    assert me.is_bot and me.username == "ev_cert_test_bot"


async def test_wrong_token_is_unauthorized(emulator):
    bot = Bot("999:wrong", base_url=f"{emulator.url}/bot")
    with pytest.raises(InvalidToken):
        await bot.get_me()


@pytest.mark.parametrize("text,error", [
    ("", "Message text is empty"),
    ("x" * 4097, "Message is too long"),
    ("<x>hi</x>", 'Unsupported start tag "x"'),
    ("<b>hi", "Can't find end tag corresponding to start tag \"b\""),
    ("hi</b>", "Unexpected end tag"),
    ("a<br>b", 'Unsupported start tag "br"'),
])
async def test_send_message_rejections(tg, chat, text, error):
    with pytest.raises(BadRequest, match="(?i)" + re.escape(error)):
        await tg.send_message(chat, text, parse_mode="HTML")


async def test_length_counts_text_after_parsing(tg, chat):
    message = await tg.send_message(chat, "<b>" + "я" * 4096 + "</b>", parse_mode="HTML")
    assert len(message.text) == 4096 and message.entities[0].type == "bold"


async def test_unknown_chat_and_blocked_user(tg, client, chat):
    with pytest.raises(BadRequest, match="Chat not found"):
        await tg.send_message(777, "hi")
    await client.block(chat)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await tg.send_message(chat, "hi")


async def test_callback_data_over_64_bytes(tg, chat):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await tg.send_message(chat, "hi", reply_markup=markup)


async def test_rate_limit_gives_retry_after(tg, client, chat):
    await client.set_limits(global_per_second=3)
    for _ in range(3):
        await tg.send_message(chat, "ok")
    with pytest.raises(RetryAfter) as err:
        await tg.send_message(chat, "too fast")
    retry_after = err.value.retry_after  # int, or timedelta once PTB switches (PTB_TIMEDELTA)
    seconds = retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
    assert seconds >= 1


async def test_edit_not_modified_and_not_found(tg, chat):
    message = await tg.send_message(chat, "same")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await tg.edit_message_text("same", chat, message.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await tg.edit_message_text("new", chat, 9999)


async def test_callback_answered_twice(tg, client, chat):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="b")]])
    message = await tg.send_message(chat, "hi", reply_markup=markup)
    pressed = await client.press(chat, message.message_id, "b")
    await tg.answer_callback_query(pressed["callback_query_id"])
    with pytest.raises(BadRequest, match="Query is too old"):
        await tg.answer_callback_query(pressed["callback_query_id"])


async def test_pressing_a_button_that_is_not_there_needs_forge(client, tg, chat):
    message = await tg.send_message(chat, "no buttons")
    with pytest.raises(AssertionError):
        await client.press(chat, message.message_id, "x")
    assert (await client.press(chat, message.message_id, "x", forge=True))["callback_query_id"]


async def test_files_up_and_down(tg, client, chat):
    sent = await tg.send_document(chat, b"%PDF-1.4 hello", filename="a.pdf")
    assert sent.document.file_name == "a.pdf"
    downloaded = await (await tg.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"%PDF-1.4 hello"
    big = await client.send(chat, document={"file_name": "big.pdf", "mime_type": "application/pdf",
                                            "size": 21 * 1024 * 1024})
    with pytest.raises(BadRequest, match="File is too big"):
        await tg.get_file(big["message"]["document"]["file_id"])


async def test_same_file_has_same_unique_id(client, chat):
    import base64
    spec = {"file_name": "a.pdf", "mime_type": "application/pdf",
            "content": base64.b64encode(b"same bytes").decode()}
    first = (await client.send(chat, document=spec))["message"]["document"]
    second = (await client.send(chat, document=spec))["message"]["document"]
    assert first["file_unique_id"] == second["file_unique_id"]
    assert first["file_id"] != second["file_id"]


async def test_get_updates_offset_forgets_and_long_polls(tg, client, chat):
    import asyncio
    import time
    started = time.monotonic()
    assert await tg.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9
    await client.send(chat, text="one")
    await client.send(chat, text="two")
    updates = await tg.get_updates()
    assert [u.message.text for u in updates] == ["one", "two"]
    later = await tg.get_updates(offset=updates[-1].update_id + 1)
    assert later == ()
    waiting = asyncio.create_task(tg.get_updates(offset=updates[-1].update_id + 1, timeout=5))
    await asyncio.sleep(0.2)
    await client.send(chat, text="three")
    assert [u.message.text for u in await waiting] == ["three"]


def test_html_parser_entities_and_escapes():
    text, entities = parse('<b>VIN</b> &lt;17&gt; &amp; <a href="https://x.kz">link</a> 电')
    assert text == "VIN <17> & link 电"
    assert entities[0] == {"type": "bold", "offset": 0, "length": 3}
    assert entities[1]["type"] == "text_link" and entities[1]["url"] == "https://x.kz"
    with pytest.raises(HtmlError):
        parse("a < b")
    with pytest.raises(HtmlError):
        parse("<b><i>x</b></i>")
    with pytest.raises(HtmlError):
        parse('<span class="x">y</span>')


async def test_send_venue_and_its_refusals(tg, client, chat):
    sent = await tg.send_venue(chat, latitude=49.95, longitude=82.62, title="Centre",
                               address="Ust-Kamenogorsk")
    assert sent.venue.title == "Centre" and sent.venue.location.latitude == 49.95
    events = (await client.events(chat))["events"]
    assert events[-1]["kind"] == "venue"
    with pytest.raises(BadRequest, match="(?i)venue_geo_invalid"):
        await tg.send_venue(chat, latitude=91, longitude=82.62, title="C", address="A")
    with pytest.raises(BadRequest, match="(?i)title is empty"):
        await tg.send_venue(chat, latitude=49.9, longitude=82.6, title=" ", address="A")


async def test_a_file_id_works_only_with_the_method_of_its_kind(tg, client, chat):
    """Telegram: "Bad Request: type of file mismatch" for a photo's file_id in sendDocument
    and a document's in sendPhoto (BOTAPI.md); each with its own method is fine."""
    import base64
    content = base64.b64encode(b"\xff\xd8\xff\xe0 jpeg").decode()
    photo = (await client.send(chat, photo={"file_name": "p.jpg", "mime_type": "image/jpeg",
                                            "content": content}))["message"]["photo"][-1]
    document = (await client.send(chat, document={
        "file_name": "d.pdf", "mime_type": "application/pdf",
        "content": base64.b64encode(b"%PDF-1.4").decode()}))["message"]["document"]
    with pytest.raises(BadRequest, match="Type of file mismatch"):
        await tg.send_document(chat, photo["file_id"])
    with pytest.raises(BadRequest, match="Type of file mismatch"):
        await tg.send_photo(chat, document["file_id"])
    assert (await tg.send_photo(chat, photo["file_id"])).photo
    assert (await tg.send_document(chat, document["file_id"])).document
    uploaded = await tg.send_photo(chat, b"\xff\xd8\xff\xe0 another")  # an upload is a photo
    assert (await tg.send_photo(chat, uploaded.photo[-1].file_id)).photo
    with pytest.raises(BadRequest, match="Type of file mismatch"):
        await tg.send_document(chat, uploaded.photo[-1].file_id)


async def test_media_groups_two_to_ten_of_one_kind(tg, client, chat):
    from telegram import InputMediaDocument, InputMediaPhoto
    photos = [(await tg.send_photo(chat, bytes([0xff, 0xd8, 0xff, i]))).photo[-1].file_id
              for i in range(11)]
    document = (await tg.send_document(chat, b"%PDF-1.4 x", filename="x.pdf")).document.file_id
    sent = await tg.send_media_group(chat, [InputMediaPhoto(p) for p in photos[:10]])
    assert len(sent) == 10 and len({m.media_group_id for m in sent}) == 1
    with pytest.raises(BadRequest, match="Wrong number of media"):
        await tg.send_media_group(chat, [InputMediaPhoto(p) for p in photos])
    with pytest.raises(BadRequest, match="Type of file mismatch"):
        await tg.send_media_group(chat, [InputMediaDocument(photos[0]),
                                         InputMediaDocument(document)])
    with pytest.raises(BadRequest, match="can't be mixed"):
        await tg.send_media_group(chat, [InputMediaPhoto(photos[0]),
                                         InputMediaDocument(document)])


async def test_an_album_arrives_as_one_update_per_file_with_one_group_id(client, chat):
    import base64
    ids = set()
    for i in range(3):
        result = await client.send(chat, media_group_id="g1", photo={
            "file_name": f"{i}.jpg", "mime_type": "image/jpeg",
            "content": base64.b64encode(bytes([0xff, 0xd8, i])).decode()})
        ids.add(result["message"]["media_group_id"])
    assert ids == {"g1"}
