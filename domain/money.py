"""What importing an EV costs (2026): the payments DOMAIN.md names, line by line, each with
its formula, its base, the figure, the year and source of its rate, and whether it is
settled. Money is Decimal, rounded to whole tenge (half up) as the tax rules round;
rates come from content/money.toml (domain.money_files), exchange rates from the
National Bank (domain.rates).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from domain.applications import GUIDE_CATEGORIES

CURRENCIES = ("CNY", "USD", "EUR", "RUB", "KRW", "JPY", "KZT")
POWERTRAINS = ("bev", "phev", "hev", "erev", "fcev")  # as the guide asks them
WITH_ENGINE = ("phev", "hev", "erev")   # hybrids pay the recycling fee by engine volume
CATEGORIES = ("m1", "n1", "m2m3", "n2n3", "l")
IMPORTERS = ("person", "company")
ORIGINS = ("outside", "eaeu")           # outside the EAEU (China…), or moved from an EAEU state
WAYS = ("wto", "tariff", "passenger")   # the three 2026 ways for a vehicle from outside
PERSONAL_WAYS = ("passenger",)          # only an individual may use these
PASSENGER_CARS = ("m1",)                # excise is on passenger cars
LARGE = ("m2m3", "n2n3")                # may exceed what an individual may import
YOUNG_YEARS = 3                         # companies: up to this age, through OTTS only
HIGH_VALUE = Decimal(2_000_000_000)     # tenge: above it, a price typed wrong is likelier
TENGE = Decimal("1")


def tenge(amount: Decimal) -> Decimal:
    """Whole tenge, half up."""
    return amount.quantize(TENGE, rounding=ROUND_HALF_UP)


def ways_for(importer: str) -> tuple[str, ...]:
    return WAYS if importer == "person" else tuple(w for w in WAYS if w not in PERSONAL_WAYS)


@dataclass(frozen=True)
class Source:
    title: str                                # as published (titles are not translated)
    url: str | None = None
    about: tuple[tuple[str, str], ...] = ()   # (language, what it says) for the reader

    def described(self, language: str) -> str:
        return dict(self.about).get(language) or self.title


@dataclass(frozen=True)
class Rate:
    """A figure of the rules: its value (None: not known), year, source and status."""
    value: Decimal | None
    year: int
    source: Source
    settled: bool = True


@dataclass(frozen=True)
class EngineRow:
    """Recycling fee of a hybrid, tenge, up to an engine volume (None: any volume)."""
    up_to_cc: int | None
    rate: Rate


@dataclass(frozen=True)
class RegistrationRow:
    """First-registration fee, in MRP, for a category up to an age (None: any age)."""
    category: str
    max_age: int | None
    mrp: Decimal


@dataclass(frozen=True)
class MoneyRules:
    mrp: Rate                   # tenge
    customs_fee_mrp: Rate       # MRP per declaration
    duty_tariff: Rate           # percent, the EAEU common tariff
    duty_wto: Rate              # percent, declared at WTO rates
    passenger: Rate             # the passenger declaration: its payments (not known)
    vat: Rate                   # percent
    vat_eaeu: Rate              # percent, a vehicle moved inside the union
    excise: Rate                # percent
    excise_threshold_mrp: Rate  # MRP: the value from which excise is due
    recycling: dict[str, Rate]  # by powertrain, tenge (None: not known)
    recycling_by_engine: tuple[EngineRow, ...]  # hybrids, by engine volume
    registration: tuple[RegistrationRow, ...]
    registration_rate: Rate     # year, source and status of the registration table
    certification: Rate         # tenge; None until the centre sets a figure
    reviewed: date

    def needs_engine(self, powertrain: str) -> bool:
        """Whether the engine volume changes the result (a hybrid, and a table to use)."""
        return powertrain in WITH_ENGINE and bool(self.recycling_by_engine)


@dataclass(frozen=True)
class Inputs:
    price: Decimal        # in `currency`
    currency: str
    year: int             # of manufacture
    powertrain: str
    category: str
    importer: str
    origin: str
    way: str | None       # for a vehicle from outside the EAEU
    engine_cc: int | None = None

    def to_data(self) -> dict[str, Any]:
        return {"price": str(self.price), "currency": self.currency, "year": self.year,
                "powertrain": self.powertrain, "category": self.category,
                "importer": self.importer, "origin": self.origin, "way": self.way,
                "engine_cc": self.engine_cc}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Inputs:
        return cls(price=Decimal(data["price"]), currency=data["currency"], year=data["year"],
                   powertrain=data["powertrain"], category=data["category"],
                   importer=data["importer"], origin=data["origin"], way=data.get("way"),
                   engine_cc=data.get("engine_cc"))


class Kind(StrEnum):
    CUSTOMS_FEE = "customs_fee"
    DUTY = "duty"
    EXCISE = "excise"
    VAT = "vat"
    RECYCLING = "recycling"
    REGISTRATION = "registration"
    CERTIFICATION = "certification"


class Formula(StrEnum):
    """How a line's figure is made (each has its wording in the user's language)."""
    MRP_TIMES = "mrp_times"                # rate × MRP
    PERCENT_OF_VALUE = "percent_of_value"  # rate % of the customs value
    PERCENT_OF_VALUE_DUTY_EXCISE = "percent_of_value_duty_excise"
    FIXED = "fixed"                        # a figure in tenge
    BY_ENGINE = "by_engine"                # a figure in tenge for the engine volume
    NONE_AT_BORDER = "none_at_border"      # not paid at customs (a vehicle from the EAEU)
    NOT_EXPECTED = "not_expected"          # no new SBKTS for a vehicle already in the EAEU
    BELOW_THRESHOLD = "below_threshold"    # excise: the value is under the threshold
    NOT_KNOWN = "not_known"                # the rule is not known: ask


@dataclass(frozen=True)
class Line:
    kind: Kind
    formula: Formula
    amount: Decimal | None   # whole tenge; None: not known
    base: Decimal | None     # what the rate applies to (tenge, or a count of MRP)
    rate: Rate | None
    settled: bool


@dataclass(frozen=True)
class Estimate:
    inputs: Inputs
    exchange: Decimal         # tenge per unit of the currency
    value: Decimal            # the price in tenge (the customs value, as estimated)
    mrp: Decimal              # tenge, of the rules' year
    lines: tuple[Line, ...]
    total: Decimal            # the lines whose figure is known
    mrp_source: Source | None = None

    @property
    def complete(self) -> bool:
        return all(line.amount is not None for line in self.lines)

    @property
    def unsettled(self) -> bool:
        return any(not line.settled for line in self.lines)

    def line(self, kind: Kind) -> Line | None:
        return next((line for line in self.lines if line.kind is kind), None)


class Caution(StrEnum):
    """What the user should know before relying on the figures, by case."""
    WTO_LIMITS = "wto_limits"              # declared at WTO rates: export and resale limits
    EAEU_QUOTA_CARS = "eaeu_quota_cars"    # quota cars of AM/BY/KG may not come to KZ
    EAEU_RECYCLING_DRAFT = "eaeu_recycling_draft"  # a ×2 draft for cars from RU/BY
    PERSON_LARGE = "person_large"          # no personal route for a big bus or truck
    PERSON_ONE_A_YEAR = "person_one_a_year"  # one EPTS a year for an individual
    COMPANY_YOUNG = "company_young"        # up to 3 years: OTTS holder or named in it
    HIGH_VALUE = "high_value"              # check the price typed


def cautions(inputs: Inputs, value: Decimal, today: date) -> tuple[Caution, ...]:
    found = []
    if inputs.way == "wto":
        found.append(Caution.WTO_LIMITS)
    if inputs.origin == "eaeu":
        found += [Caution.EAEU_QUOTA_CARS, Caution.EAEU_RECYCLING_DRAFT]
    if inputs.importer == "person":
        if inputs.category in LARGE:
            found.append(Caution.PERSON_LARGE)
        found.append(Caution.PERSON_ONE_A_YEAR)
    elif age(inputs.year, today) <= YOUNG_YEARS and inputs.origin == "outside":
        found.append(Caution.COMPANY_YOUNG)
    if value > HIGH_VALUE:
        found.append(Caution.HIGH_VALUE)
    return tuple(found)


def age(year: int, today: date) -> int:
    return max(0, today.year - year)


def _percent(amount: Decimal, rate: Rate) -> Decimal:
    return tenge(amount * (rate.value or Decimal(0)) / 100)


def estimate(rules: MoneyRules, inputs: Inputs, exchange: Decimal, today: date) -> Estimate:
    """Every payment for these inputs, at this exchange rate (tenge per unit)."""
    value = tenge(inputs.price * exchange)
    mrp = rules.mrp.value or Decimal(0)
    outside = inputs.origin == "outside"
    passenger = outside and inputs.way == "passenger"
    declared = outside and not passenger  # ways 1 and 2: the payments are known
    lines: list[Line] = []

    if declared:
        fee = rules.customs_fee_mrp
        amount = tenge(fee.value * mrp) if fee.value is not None else None
        lines.append(Line(Kind.CUSTOMS_FEE, Formula.MRP_TIMES, amount, fee.value, fee,
                          fee.settled and rules.mrp.settled))
    elif passenger:
        lines.append(Line(Kind.CUSTOMS_FEE, Formula.NOT_KNOWN, None, None, rules.passenger,
                          False))

    duty = Decimal(0)
    if declared:
        rate = rules.duty_tariff if inputs.way == "tariff" else rules.duty_wto
        duty = _percent(value, rate)
        lines.append(Line(Kind.DUTY, Formula.PERCENT_OF_VALUE, duty, value, rate, rate.settled))
    elif passenger:
        lines.append(Line(Kind.DUTY, Formula.NOT_KNOWN, None, value, rules.passenger, False))

    excise = Decimal(0)
    if inputs.category in PASSENGER_CARS:
        threshold_rate = rules.excise_threshold_mrp
        threshold = tenge((threshold_rate.value or Decimal(0)) * mrp)
        if value >= threshold:
            excise = _percent(value, rules.excise)
            # A vehicle moved inside the union: whether excise is charged again is not settled.
            lines.append(Line(Kind.EXCISE, Formula.PERCENT_OF_VALUE, excise, value,
                              rules.excise, rules.excise.settled and outside))
        else:
            lines.append(Line(Kind.EXCISE, Formula.BELOW_THRESHOLD, Decimal(0), threshold,
                              threshold_rate, threshold_rate.settled))

    if declared:
        base = value + duty + excise
        lines.append(Line(Kind.VAT, Formula.PERCENT_OF_VALUE_DUTY_EXCISE,
                          _percent(base, rules.vat), base, rules.vat, rules.vat.settled))
    elif passenger:
        lines.append(Line(Kind.VAT, Formula.NOT_KNOWN, None, None, rules.passenger, False))
    else:
        lines.append(Line(Kind.VAT, Formula.NONE_AT_BORDER, Decimal(0), None, rules.vat_eaeu,
                          rules.vat_eaeu.settled))

    lines.append(_recycling(rules, inputs, outside))
    lines.append(_registration(rules, inputs, today, mrp))

    certification = rules.certification
    if not outside:  # already released into circulation in the union (unconfirmed)
        lines.append(Line(Kind.CERTIFICATION, Formula.NOT_EXPECTED, Decimal(0), None, None,
                          False))
    elif certification.value is None:  # "ask the centre" claims nothing to be confirmed
        lines.append(Line(Kind.CERTIFICATION, Formula.NOT_KNOWN, None, None, certification,
                          True))
    else:
        lines.append(Line(Kind.CERTIFICATION, Formula.FIXED, tenge(certification.value), None,
                          certification, certification.settled))

    known = [line.amount for line in lines if line.amount is not None]
    return Estimate(inputs=inputs, exchange=exchange, value=value, mrp=mrp, lines=tuple(lines),
                    total=sum(known, Decimal(0)), mrp_source=rules.mrp.source)


def _recycling(rules: MoneyRules, inputs: Inputs, outside: bool) -> Line:
    # For a vehicle moved from another EAEU state, that the fee is paid here is not settled.
    if rules.needs_engine(inputs.powertrain):
        row = engine_row(rules, inputs.engine_cc)
        if row is not None and row.rate.value is not None:
            return Line(Kind.RECYCLING, Formula.BY_ENGINE, tenge(row.rate.value),
                        Decimal(inputs.engine_cc or 0), row.rate, row.rate.settled and outside)
    rate = rules.recycling.get(inputs.powertrain)
    if rate is None or rate.value is None:
        return Line(Kind.RECYCLING, Formula.NOT_KNOWN, None, None, rate, False)
    return Line(Kind.RECYCLING, Formula.FIXED, tenge(rate.value), None, rate,
                rate.settled and outside)


def _registration(rules: MoneyRules, inputs: Inputs, today: date, mrp: Decimal) -> Line:
    table = rules.registration_rate
    row = registration_row(rules, inputs.category, age(inputs.year, today))
    if row is None:
        return Line(Kind.REGISTRATION, Formula.NOT_KNOWN, None, None, table, False)
    return Line(Kind.REGISTRATION, Formula.MRP_TIMES, tenge(row.mrp * mrp), row.mrp, table,
                table.settled)


def registration_row(rules: MoneyRules, category: str, years: int) -> RegistrationRow | None:
    """The first row for the category whose age limit is above the vehicle's age."""
    for row in rules.registration:
        if row.category == category and (row.max_age is None or years < row.max_age):
            return row
    return None


def prefill_from_guide(answers: dict[str, str]) -> dict[str, str]:
    """The guide's answers that are also the estimate's (who imports, category, powertrain,
    origin); the rest is asked. A vehicle from an EAEU state that is not registered there
    is left to the estimate's own question."""
    values = {}
    if answers.get("who"):
        values["importer"] = "person" if answers["who"] == "person" else "company"
    category = GUIDE_CATEGORIES.get(answers.get("category", ""))
    if category in CATEGORIES:
        values["category"] = category
    if answers.get("powertrain") in POWERTRAINS:
        values["powertrain"] = answers["powertrain"]
    if answers.get("origin") in ("china", "rhd", "other"):
        values["origin"] = "outside"
    elif answers.get("origin") == "eaeu" and answers.get("registered") == "yes":
        values["origin"] = "eaeu"
    return values


def engine_row(rules: MoneyRules, engine_cc: int | None) -> EngineRow | None:
    if engine_cc is None:
        return None
    for row in rules.recycling_by_engine:
        if row.up_to_cc is None or engine_cc <= row.up_to_cc:
            return row
    return None
