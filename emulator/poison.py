"""Poison updates: shapes Telegram (or an older Bot API server) sends that python-telegram-bot
22.8 cannot parse. Push one with POST /control/raw_update {"poison": KIND, "user_id": N}
(EmulatorClient.poison_update) and getUpdates returns it like any other update.

PTB 22.8 (Bot API 10.0) made required some fields that servers before Bot API 9.6 / 10.0
do not send; its constructors raise TypeError when they are missing, so `Update.de_json`
raises, and with it `Bot.get_updates` (after logging "Error while parsing updates!"): one
such update in a batch hides the whole batch from a bot that does not handle it.
Found by experiment, each with `Update.de_json(update, bot)`; tests/test_emulator_faults.py
checks each still raises, so a PTB upgrade that accepts them shows up there:

  forwarded_poll       a user forwards a channel's poll, pre-9.6 shape (options without
                       persistent_id, no allows_revoting / members_only): TypeError
                       "`persistent_id` is a required argument since Bot API 9.6"
  poll                 a poll's new state (Update.poll), Bot API 9.6 shape (no members_only):
                       TypeError "`members_only` is a required argument since Bot API 10.0"
  poll_answer          a vote, pre-9.6 shape (no option_persistent_ids): TypeError
                       "`option_persistent_ids` is a required argument since Bot API 9.6"
  restricted_member    my_chat_member: the bot restricted in a supergroup, pre-9.5 shape
                       (can_send_media_messages, no can_edit_tag, no can_react_to_messages):
                       TypeError "ChatMemberRestricted.__init__() missing 1 required
                       positional argument: 'can_edit_tag'"
  restricted_chat_member  chat_member: a user restricted by an admin, Bot API 9.5 shape
                       (can_edit_tag, no can_react_to_messages): TypeError
                       "`can_react_to_messages` is required and cannot be None"
"""
from __future__ import annotations

from collections.abc import Callable

GROUP = {"id": -1001987654321, "type": "supergroup", "title": "EV dealers Almaty"}
CHANNEL = {"id": -1001234509876, "type": "channel", "title": "EV news KZ",
           "username": "ev_news_kz"}
DATE = 1_767_225_600  # a fixed date keeps the shapes byte-for-byte reproducible

# The permissions of a restricted member as servers before Bot API 9.5 list them.
_RESTRICTED_OLD = {
    "status": "restricted", "is_member": True, "until_date": 0,
    "can_send_messages": True, "can_send_media_messages": False, "can_send_audios": False,
    "can_send_documents": False, "can_send_photos": False, "can_send_videos": False,
    "can_send_video_notes": False, "can_send_voice_notes": False, "can_send_polls": False,
    "can_send_other_messages": False, "can_add_web_page_previews": False,
    "can_change_info": False, "can_invite_users": False, "can_pin_messages": False,
    "can_manage_topics": False}


def _old_poll() -> dict:
    """A poll as servers before Bot API 9.6 send it."""
    return {"id": "5412987012345678901", "question": "Which connector does your car have?",
            "options": [{"text": "Type 2", "voter_count": 41}, {"text": "CCS2", "voter_count": 57},
                        {"text": "GB/T", "voter_count": 88}],
            "total_voter_count": 186, "is_closed": False, "is_anonymous": True,
            "type": "regular", "allows_multiple_answers": False}


def forwarded_poll(user: dict, bot: dict) -> dict:
    chat = {"id": user["id"], "type": "private", "first_name": user.get("first_name", "User")}
    return {"message": {"message_id": 900_001, "date": DATE, "chat": chat, "from": user,
                        "forward_origin": {"type": "channel", "chat": CHANNEL,
                                           "message_id": 314, "date": DATE - 86_400},
                        "poll": _old_poll()}}


def poll(user: dict, bot: dict) -> dict:
    state = _old_poll()
    state["options"] = [{**option, "persistent_id": f"opt{i}"}
                        for i, option in enumerate(state["options"])]
    state["allows_revoting"] = True  # 9.6 has it; members_only came with 10.0
    return {"poll": state}


def poll_answer(user: dict, bot: dict) -> dict:
    return {"poll_answer": {"poll_id": "5412987012345678901", "user": user, "option_ids": [1]}}


def restricted_member(user: dict, bot: dict) -> dict:
    return {"my_chat_member": {
        "chat": GROUP, "from": user, "date": DATE,
        "old_chat_member": {"status": "member", "user": bot},
        "new_chat_member": {**_RESTRICTED_OLD, "user": bot}}}


def restricted_chat_member(user: dict, bot: dict) -> dict:
    member = {**_RESTRICTED_OLD, "user": user, "can_edit_tag": False}
    del member["can_send_media_messages"]  # gone from 9.5 shapes
    admin = {"id": 900_001, "is_bot": False, "first_name": "Admin"}
    return {"chat_member": {"chat": GROUP, "from": admin, "date": DATE,
                            "old_chat_member": {"status": "member", "user": user},
                            "new_chat_member": member}}


KINDS: dict[str, Callable[[dict, dict], dict]] = {
    "forwarded_poll": forwarded_poll, "poll": poll, "poll_answer": poll_answer,
    "restricted_member": restricted_member, "restricted_chat_member": restricted_chat_member}


def build(kind: str, user: dict, bot: dict) -> dict:
    """The update (without update_id) of poison `kind`, from `user`, about `bot` where it
    names the bot. KeyError for an unknown kind."""
    return KINDS[kind](user, bot)
