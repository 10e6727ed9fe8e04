"""Reading content/money.toml into domain.money's rules, refusing anything a user could be
misled by: a rate without a year or a source, a source without a title, a value that is
not a number, a category or powertrain the estimate does not know. A problem raises
ContentError naming the file, the key and the reason."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from domain.content import CONTENT_DIR, LANGUAGES, STATUSES, ContentError, Raw
from domain.content_files import read_toml
from domain.money import (
    CATEGORIES,
    POWERTRAINS,
    EngineRow,
    MoneyRules,
    Rate,
    RegistrationRow,
    Source,
)

FILE = "money.toml"
YEARS = range(2000, 2101)
RATES = ("mrp", "customs_fee_mrp", "duty_tariff", "duty_wto", "passenger", "vat", "vat_eaeu",
         "excise", "excise_threshold_mrp", "certification")
REQUIRED_VALUES = ("mrp", "customs_fee_mrp", "duty_tariff", "duty_wto", "vat", "vat_eaeu",
                   "excise", "excise_threshold_mrp")


def fail(key: str, problem: str) -> ContentError:
    return ContentError(f"{FILE}: key '{key}': {problem}")


def number(raw: object, key: str) -> Decimal:
    """A figure written as a string ("4325", "0.25") or a number; never negative."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise fail(key, "expected a number, such as \"16\" or \"0.25\"")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise fail(key, f"'{raw}' is not a number") from None
    if not value.is_finite() or value < 0:
        raise fail(key, f"'{raw}' is not a number of zero or more")
    return value


def load_sources(raw: Raw) -> dict[str, Source]:
    table = raw.get("sources")
    if not isinstance(table, dict) or not table:
        raise fail("sources", "missing: every rate names a source from this table")
    sources = {}
    for sid, source in table.items():
        if not isinstance(source, dict):
            raise fail(f"sources.{sid}", "expected a table with title and url")
        title, url = source.get("title"), source.get("url")
        if not isinstance(title, str) or not title.strip():
            raise fail(f"sources.{sid}.title", "missing")
        if url is not None and (not isinstance(url, str) or not url.startswith("https://")):
            raise fail(f"sources.{sid}.url", "expected an https:// address")
        about = source.get("about")
        if not isinstance(about, dict) or any(
                not isinstance(about.get(lang), str) or not about[lang].strip()
                for lang in LANGUAGES):
            raise fail(f"sources.{sid}.about", "missing: what the source says, in kk, ru and zh")
        sources[sid] = Source(title=title.strip(), url=url,
                              about=tuple((lang, about[lang].strip()) for lang in LANGUAGES))
    return sources


def load_rate(raw: object, key: str, sources: dict[str, Source], required: bool = False
              ) -> Rate:
    if not isinstance(raw, dict):
        raise fail(key, "missing (a table with value, year, source and status)")
    year = raw.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or year not in YEARS:
        raise fail(f"{key}.year", "missing or not a year: every figure needs its year")
    source = raw.get("source")
    if not isinstance(source, str) or not source:
        raise fail(f"{key}.source", "missing: every figure needs its source")
    if source not in sources:
        raise fail(f"{key}.source", f"unknown source '{source}'")
    status = raw.get("status")
    if status not in STATUSES:
        raise fail(f"{key}.status", f"expected one of {', '.join(STATUSES)}")
    value = number(raw["value"], f"{key}.value") if "value" in raw else None
    if required and value is None:
        raise fail(f"{key}.value", "missing: the estimate cannot be made without it")
    return Rate(value=value, year=year, source=sources[source], settled=status == "confirmed")


def load_registration(raw: object, sources: dict[str, Source]
                      ) -> tuple[Rate, tuple[RegistrationRow, ...]]:
    rate = load_rate(raw, "registration", sources)
    rows = []
    listed = raw.get("rows", []) if isinstance(raw, dict) else []  # (load_rate checked raw)
    if not isinstance(listed, list):
        raise fail("registration.rows", "expected [[registration.rows]] tables")
    for n, row in enumerate(listed, 1):
        key = f"registration.rows[{n}]"
        if not isinstance(row, dict):
            raise fail(key, "expected a table with category, max_age and mrp")
        category = row.get("category")
        if category not in CATEGORIES:
            raise fail(f"{key}.category", f"expected one of {', '.join(CATEGORIES)}")
        max_age = row.get("max_age")
        if max_age is not None and (not isinstance(max_age, int) or isinstance(max_age, bool)
                                    or max_age < 1):
            raise fail(f"{key}.max_age", "expected whole years, 1 or more (or leave it out)")
        if "mrp" not in row:
            raise fail(f"{key}.mrp", "missing")
        rows.append(RegistrationRow(category=category, max_age=max_age,
                                    mrp=number(row["mrp"], f"{key}.mrp")))
    return rate, tuple(rows)


def load_engine_rows(raw: object, sources: dict[str, Source]) -> tuple[EngineRow, ...]:
    if not isinstance(raw, list):
        raise fail("recycling_by_engine", "expected a list of [[recycling_by_engine]] rows")
    rows = []
    for n, row in enumerate(raw, 1):
        key = f"recycling_by_engine[{n}]"
        rate = load_rate(row, key, sources, required=True)
        up_to = row.get("up_to_cc")
        if up_to is not None and (not isinstance(up_to, int) or isinstance(up_to, bool)
                                  or up_to < 1):
            raise fail(f"{key}.up_to_cc", "expected cm³, 1 or more (or leave it out)")
        rows.append(EngineRow(up_to_cc=up_to, rate=rate))
    limits = [row.up_to_cc for row in rows]
    if None in limits[:-1] or limits[:-1] != sorted(limits[:-1]):  # type: ignore[type-var]
        raise fail("recycling_by_engine", "rows must go up by up_to_cc, the open one last")
    return tuple(rows)


def load_money(directory: Path = CONTENT_DIR) -> MoneyRules:
    raw = read_toml(directory / FILE)
    sources = load_sources(raw)
    rates = {key: load_rate(raw.get(key), key, sources, required=key in REQUIRED_VALUES)
             for key in RATES}
    recycling_raw = raw.get("recycling")
    if not isinstance(recycling_raw, dict):
        raise fail("recycling", "missing (a table per powertrain)")
    recycling = {}
    for powertrain in POWERTRAINS:
        if powertrain not in recycling_raw:
            raise fail(f"recycling.{powertrain}", "missing (leave out only its value if the "
                                                  "figure is not known)")
        recycling[powertrain] = load_rate(recycling_raw[powertrain], f"recycling.{powertrain}",
                                          sources)
    unknown = set(recycling_raw) - set(POWERTRAINS)
    if unknown:
        raise fail("recycling", f"unknown powertrain {sorted(unknown)}")
    registration_rate, registration = load_registration(raw.get("registration"), sources)
    reviewed = raw.get("reviewed")
    if not isinstance(reviewed, date):
        raise fail("reviewed", "missing or not a date YYYY-MM-DD")
    return MoneyRules(
        mrp=rates["mrp"], customs_fee_mrp=rates["customs_fee_mrp"],
        duty_tariff=rates["duty_tariff"], duty_wto=rates["duty_wto"],
        passenger=rates["passenger"], vat=rates["vat"], vat_eaeu=rates["vat_eaeu"],
        excise=rates["excise"], excise_threshold_mrp=rates["excise_threshold_mrp"],
        recycling=recycling,
        recycling_by_engine=load_engine_rows(raw.get("recycling_by_engine", []), sources),
        registration=registration, registration_rate=registration_rate,
        certification=rates["certification"], reviewed=reviewed)
