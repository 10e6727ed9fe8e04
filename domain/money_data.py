"""An estimate as stored (JSON-ready): the figures and the rates as they were on the day it
was made, so history shows what the user was told, whatever money.toml says later."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.money import Estimate, Formula, Inputs, Kind, Line, Rate, Source


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def source_to_data(source: Source) -> dict[str, Any]:
    return {"title": source.title, "url": source.url, "about": dict(source.about)}


def source_from_data(data: dict[str, Any]) -> Source:
    return Source(data["title"], data.get("url"), tuple(sorted(data.get("about", {}).items())))


def rate_to_data(rate: Rate | None) -> dict[str, Any] | None:
    if rate is None:
        return None
    return {"value": _text(rate.value), "year": rate.year, "source": source_to_data(rate.source),
            "settled": rate.settled}


def rate_from_data(data: dict[str, Any] | None) -> Rate | None:
    if data is None:
        return None
    return Rate(value=_decimal(data["value"]), year=data["year"],
                source=source_from_data(data["source"]), settled=data["settled"])


def to_data(estimate: Estimate) -> dict[str, Any]:
    return {
        "inputs": estimate.inputs.to_data(), "exchange": str(estimate.exchange),
        "value": str(estimate.value), "mrp": str(estimate.mrp), "total": str(estimate.total),
        "mrp_source": None if estimate.mrp_source is None else
        source_to_data(estimate.mrp_source),
        "lines": [{"kind": line.kind.value, "formula": line.formula.value,
                   "amount": _text(line.amount), "base": _text(line.base),
                   "rate": rate_to_data(line.rate), "settled": line.settled}
                  for line in estimate.lines]}


def from_data(data: dict[str, Any]) -> Estimate:
    lines = tuple(Line(kind=Kind(line["kind"]), formula=Formula(line["formula"]),
                       amount=_decimal(line["amount"]), base=_decimal(line["base"]),
                       rate=rate_from_data(line["rate"]), settled=line["settled"])
                  for line in data["lines"])
    return Estimate(inputs=Inputs.from_data(data["inputs"]), exchange=Decimal(data["exchange"]),
                    value=Decimal(data["value"]), mrp=Decimal(data["mrp"]), lines=lines,
                    total=Decimal(data["total"]),
                    mrp_source=source_from_data(source)
                    if (source := data.get("mrp_source")) else None)
