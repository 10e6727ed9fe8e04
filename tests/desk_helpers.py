"""Shared set-up for staff-desk tests: a submitted application without typing the form."""
from __future__ import annotations

from emulator.client import Person

VEHICLE = {"applicant_type": "person", "residency": "kz", "acting": "self",
           "applicant_name": "Айгерим Нурланова",
           "id_number": "870512300122", "phone": "+77011234567", "vin": "1HGCM82633A004352",
           "make": "BYD", "model": "Han", "year": 2024, "category": "m1", "powertrain": "bev",
           "battery_kwh": 85.4, "chemistry": "lfp", "inlet": "ccs2"}


async def applicant_with_application(person, bot, lang="kk"):
    """A user (who has talked to the bot) with one submitted application."""
    user: Person = await person(lang)
    await user.send("/start")
    repos = bot.runtime.repos
    now = bot.clock.timestamp()
    draft = await repos.applications.create_draft(user.user_id, VEHICLE, now)
    case = await repos.applications.submit(draft.id, 2026, user.user_id, now)
    return user, case


async def staff_member(client, user_id=900002, lang="ru") -> Person:
    staff = await Person(client, user_id=user_id, language_code=lang, first_name="Staff").join()
    await staff.send("/start")
    return staff
