"""How a cost estimate reads: the answers it was made from, each payment with its formula in
words, its base, the figure, the year and source of its rate, "to be confirmed" where the
rule is not settled, the total and what it leaves out; and the list of past estimates."""
from __future__ import annotations

import html
from datetime import UTC, datetime
from decimal import Decimal

from babel.lists import format_list

from domain.money import WITH_ENGINE, Caution, Estimate, Formula, Kind, Line, Source, cautions
from i18n import Html, Translator
from services.application_texts import choice_label
from storage.estimates import SavedEstimate

SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "RUB": "₽", "KRW": "₩", "JPY": "¥", "KZT": "₸"}


def unsettled(tr: Translator) -> str:
    return tr._("to be confirmed: not settled in an official text")


def tenge(tr: Translator, amount: Decimal) -> str:
    return tr._("{amount} ₸", amount=tr.number(amount))


def money(tr: Translator, amount: Decimal, currency: str) -> str:
    if currency == "KZT":
        return tenge(tr, amount)
    return f"{tr.number(amount)} {currency}"


def currency_button(currency: str) -> str:
    return f"{currency} {SYMBOLS[currency]}"


def powertrain_label(tr: Translator, powertrain: str) -> str:
    if powertrain == "phev":  # the application form's label covers both kinds of hybrid
        return tr._("Plug-in hybrid (PHEV)")
    if powertrain == "hev":
        return tr._("Hybrid without a plug (HEV)")
    return choice_label(tr, "powertrain", powertrain)


def category_label(tr: Translator, category: str) -> str:
    return choice_label(tr, "category", category)


def importer_label(tr: Translator, importer: str) -> str:
    return {"person": tr._("👤 Individual, for personal use"),
            "company": tr._("🏢 Company or sole trader")}[importer]


def origin_label(tr: Translator, origin: str) -> str:
    return {"outside": tr._("From outside the EAEU (China, Korea, Japan, USA, Europe…)"),
            "eaeu": tr._("Already registered in another EAEU state (Russia, Belarus, "
                         "Kyrgyzstan, Armenia)")}[origin]


def origin_short(tr: Translator, origin: str) -> str:
    return {"outside": tr._("from outside the EAEU"),
            "eaeu": tr._("moved from another EAEU state")}[origin]


def listing(tr: Translator, items: list[str]) -> str:
    """"a, b and c" as the language writes it (zh: 、)."""
    return format_list(items, locale=tr.locale)


def way_label(tr: Translator, way: str, duty: Decimal) -> str:
    """The way to clear customs, as a button (`duty`: the common tariff's percent)."""
    return {"wto": tr._("1 · WTO rates: fee + VAT"),
            "tariff": tr._("2 · EAEU common tariff: fee + {duty} duty + VAT",
                           duty=tr.percent(duty)),
            "passenger": tr._("3 · Passenger customs declaration (individuals)")}[way]


def way_short(tr: Translator, way: str) -> str:
    return {"wto": tr._("at WTO rates"), "tariff": tr._("at the EAEU common tariff"),
            "passenger": tr._("by a passenger customs declaration")}[way]


def kind_label(tr: Translator, kind: Kind) -> str:
    return {Kind.CUSTOMS_FEE: tr._("Customs fee"), Kind.DUTY: tr._("Customs duty"),
            Kind.EXCISE: tr._("Excise"), Kind.VAT: tr._("VAT"),
            Kind.RECYCLING: tr._("Recycling fee"),
            Kind.REGISTRATION: tr._("First-registration fee"),
            Kind.CERTIFICATION: tr._("Certification (SBKTS/OTTS)")}[kind]


def answers_summary(tr: Translator, answers: dict[str, object]) -> list[str]:
    """The answers given so far, each as a short phrase (the flow's header and the result)."""
    parts = []
    if answers.get("price") is not None and answers.get("currency"):
        parts.append(money(tr, Decimal(str(answers["price"])), str(answers["currency"])))
    elif answers.get("price") is not None:
        parts.append(tr.number(Decimal(str(answers["price"]))))
    if answers.get("year"):
        parts.append(tr._("made in {year}", year=str(answers["year"])))
    if answers.get("powertrain"):
        parts.append(powertrain_label(tr, str(answers["powertrain"])))
    if answers.get("engine_cc"):
        parts.append(tr._("engine {cc} cm³", cc=tr.number(int(str(answers["engine_cc"])))))
    if answers.get("category"):
        parts.append(category_label(tr, str(answers["category"])))
    if answers.get("importer"):
        parts.append(importer_label(tr, str(answers["importer"])))
    if answers.get("origin"):
        parts.append(origin_short(tr, str(answers["origin"])))
    if answers.get("way"):
        parts.append(way_short(tr, str(answers["way"])))
    return parts


class Citations:
    """Sources numbered in order of first citation: [1], [2]…"""

    def __init__(self) -> None:
        self.order: list[Source] = []

    def cite(self, source: Source) -> str:
        if source not in self.order:
            self.order.append(source)
        return f"[{self.order.index(source) + 1}]"

    def listing(self, language: str) -> list[str]:
        """Each source as what it says, linked to its address; one without an address
        keeps its exact title beside it."""
        lines = []
        for n, source in enumerate(self.order, 1):
            about = html.escape(source.described(language))
            if source.url:
                lines.append(f'[{n}] <a href="{html.escape(source.url)}">{about}</a>')
            elif about != html.escape(source.title):
                lines.append(f"[{n}] {about} ({html.escape(source.title)})")
            else:
                lines.append(f"[{n}] {about}")
        return lines


def formula(tr: Translator, line: Line, est: Estimate) -> str:
    """The line's formula in words, with its base and the year of its rate."""
    rate = line.rate
    year = str(rate.year) if rate else ""
    value = rate.value if rate and rate.value is not None else Decimal(0)
    if line.formula is Formula.MRP_TIMES:
        return tr._("{count} MRP × {mrp} (MRP {year})", count=tr.number(line.base or 0),
                    mrp=tenge(tr, est.mrp), year=year)
    if line.formula is Formula.PERCENT_OF_VALUE:
        return tr._("{rate} of the customs value {base} ({year})", rate=tr.percent(value),
                    base=tenge(tr, line.base or Decimal(0)), year=year)
    if line.formula is Formula.PERCENT_OF_VALUE_DUTY_EXCISE:
        base = tenge(tr, line.base or Decimal(0))
        if est.line(Kind.EXCISE) is None:
            return tr._("{rate} of {base}: the customs value plus duty ({year})",
                        rate=tr.percent(value), base=base, year=year)
        return tr._("{rate} of {base}: the customs value plus duty and excise ({year})",
                    rate=tr.percent(value), base=base, year=year)
    if line.formula is Formula.BELOW_THRESHOLD:
        return tr._("not due: the value is under {count} MRP ({threshold}, {year})",
                    count=tr.number(value), threshold=tenge(tr, line.base or Decimal(0)),
                    year=year)
    if line.formula is Formula.NOT_EXPECTED:
        return tr._("not expected: the vehicle was already released into circulation in the "
                    "EAEU; it is deregistered there and registered here")
    if line.formula is Formula.NONE_AT_BORDER:
        return tr._("not paid at customs for a vehicle moved inside the EAEU ({year})",
                    year=year)
    if line.formula is Formula.BY_ENGINE:
        return tr._("for an engine of {cc} cm³ ({year})", cc=tr.number(line.base or 0),
                    year=year)
    if line.formula is Formula.FIXED:
        if line.kind is Kind.RECYCLING:
            return tr._("{powertrain}: {amount} ({year})",
                        powertrain=powertrain_label(tr, est.inputs.powertrain),
                        amount=tenge(tr, line.amount or Decimal(0)), year=year)
        return tr._("the centre's price ({year})", year=year)
    return not_known(tr, line, est)


def not_known(tr: Translator, line: Line, est: Estimate) -> str:
    if line.kind is Kind.CERTIFICATION:
        return tr._("ask the centre: its price is not set yet")
    if line.kind in (Kind.CUSTOMS_FEE, Kind.DUTY, Kind.VAT):
        return tr._("the payments of a passenger declaration are not confirmed: ask customs "
                    "or the centre")
    if line.kind is Kind.RECYCLING and est.inputs.powertrain in WITH_ENGINE:
        return tr._("hybrids pay by engine volume; the table is not confirmed")
    if line.kind is Kind.RECYCLING:
        return tr._("not confirmed for this powertrain")
    return tr._("not confirmed for this category and age")


def line_text(tr: Translator, n: int, line: Line, est: Estimate, cite: Citations) -> str:
    amount = tenge(tr, line.amount) if line.amount is not None else "—"
    label = Html("<b>" + html.escape(kind_label(tr, line.kind)) + "</b>")
    head = f"{n}. " + tr._("{label}: {amount}", label=label, amount=amount)
    if not line.settled:
        head += f" ⚠️ <i>{unsettled(tr)}</i>"
    sources = [line.rate.source] if line.rate is not None else []
    if line.formula in (Formula.MRP_TIMES, Formula.BELOW_THRESHOLD) and est.mrp_source:
        sources.append(est.mrp_source)  # the MRP's own figure has its own source
    body = html.escape(formula(tr, line, est))
    if sources:
        body += " " + "".join(cite.cite(source) for source in sources)
    return f"{head}\n    {body}"


def rate_text(tr: Translator, saved: SavedEstimate, stale: bool) -> str:
    est = saved.estimate
    inputs = est.inputs
    if inputs.currency == "KZT":
        return tr._("Price: {value}", value=tenge(tr, est.value))
    price = tr._("Price: {price} × {rate} = {value}", price=money(tr, inputs.price,
                                                                 inputs.currency),
                 rate=tenge(tr, est.exchange), value=tenge(tr, est.value))
    if saved.rate_source == "typed":
        return price + "\n<i>" + tr._("at the rate you typed") + "</i>"
    day = tr.date(saved.rate_day) if saved.rate_day else ""
    note = tr._("rate of the National Bank of Kazakhstan for {date}", date=day)
    if stale:
        note += "; " + tr._("a newer rate could not be fetched")
    return price + "\n<i>" + note + "</i>"


def caution_text(tr: Translator, caution: Caution, est: Estimate) -> str:
    if caution is Caution.WTO_LIMITS:
        return tr._("Declared at WTO rates, the vehicle may not be exported or resold abroad "
                    "freely.")
    if caution is Caution.EAEU_QUOTA_CARS:
        return tr._("EVs imported duty-free under the 2026 quotas of Armenia, Belarus or "
                    "Kyrgyzstan may not be transferred to residents of Kazakhstan; cars "
                    "assessed under Kyrgyzstan's national procedure can be registered only in "
                    "Kyrgyzstan.")
    if caution is Caution.EAEU_RECYCLING_DRAFT:
        return tr._("A 2026 draft would double the recycling fee for cars from Russia and "
                    "Belarus; its status is not known.")
    if caution is Caution.PERSON_LARGE:
        return tr._("An individual has no single-vehicle route for a bus with more than 12 "
                    "seats or a truck over 5 t: such a vehicle is imported through a company.")
    if caution is Caution.PERSON_ONE_A_YEAR:
        return tr._("An individual gets one electronic vehicle passport (EPTS) a year: "
                    "several vehicles are imported through a company.")
    if caution is Caution.COMPANY_YOUNG:
        return tr._("A company may import a vehicle up to 3 years old only if it holds the "
                    "type approval (OTTS) or is named in it as an official representative "
                    "(reported December 2025).")
    return tr._("Please check the price: {value} is unusually high for one vehicle.",
                value=tenge(tr, est.value))


def total_text(tr: Translator, est: Estimate) -> str:
    if est.complete:
        return tr._("Total: {amount}", amount=tenge(tr, est.total))
    return tr._("Total of the known payments: {amount}", amount=tenge(tr, est.total))


def result_text(tr: Translator, saved: SavedEstimate, stale: bool) -> str:
    est = saved.estimate
    made = datetime.fromtimestamp(saved.created_at, tz=UTC)
    when = tr.date(made)
    cite = Citations()
    parts = [tr._("💰 <b>Estimate of payments</b> · {date}", date=when),
             html.escape(" · ".join(answers_summary(tr, est.inputs.to_data()))), "",
             rate_text(tr, saved, stale), ""]
    parts += [line_text(tr, n, line, est, cite) for n, line in enumerate(est.lines, 1)]
    missing = [kind_label(tr, line.kind) for line in est.lines if line.amount is None]
    parts += ["", f"<b>{html.escape(total_text(tr, est))}</b>"]
    if missing:
        parts.append(html.escape(tr._("Not included, not known yet: {what}.",
                                      what=listing(tr, missing))))
    parts += ["⚠️ " + html.escape(caution_text(tr, caution, est))
              for caution in cautions(est.inputs, est.value, tr.local(made).date())]
    parts += ["", "<i>" + html.escape(tr._(
        "This is an estimate, not a customs decision. It leaves out transport, temporary "
        "storage, a customs broker and insurance.")) + "</i>",
        "", "<b>" + html.escape(tr._("Sources")) + "</b>", *cite.listing(tr.language)]
    return "\n".join(parts)


def short_total(tr: Translator, est: Estimate) -> str:
    if est.complete:
        return tenge(tr, est.total)
    return tr._("from {amount} (incomplete)", amount=tenge(tr, est.total))


def history_line(tr: Translator, saved: SavedEstimate) -> str:
    est = saved.estimate
    when = tr.short_datetime(datetime.fromtimestamp(saved.created_at, tz=UTC))
    summary = " · ".join(answers_summary(tr, est.inputs.to_data()))
    return tr._("{when}: {summary} — {total}", when=when, summary=summary,
                total=short_total(tr, est))


def share_text(tr: Translator, saved: SavedEstimate) -> str:
    """What goes with a shared link (plain text: Telegram's share dialog shows it as is)."""
    est = saved.estimate
    return tr._("Estimate of import payments: {summary} — {total}",
                summary=" · ".join(answers_summary(tr, est.inputs.to_data())[:3]),
                total=short_total(tr, est))
