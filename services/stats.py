"""/stats as the desk shows it: the figures (domain.stats) with names and labels in the
staff member's language, and the chart's inputs."""
from __future__ import annotations

from domain import stats
from domain.applications import OPEN
from i18n import Translator
from services import application_texts as render
from services import desk_texts, sla
from services.container import Services

WEEKS = 8


async def gather(services: Services) -> tuple[stats.Stats, int]:
    """The figures, and how many cases are overdue now."""
    rows = await services.repos.applications.all_changes()
    changes = [stats.Change(app, to, actor, at) for app, to, actor, at, _ in rows]
    applicants = {app: user for app, _, _, _, user in rows}
    today = services.clock.now().astimezone(services.settings.tz).date()
    figures = stats.compute(changes, applicants, today, services.settings.tz, WEEKS)
    return figures, len(await sla.overdue(services))


async def text(services: Services, tr: Translator, figures: stats.Stats, overdue: int) -> str:
    lines = [tr._("<b>Statistics</b>, the last {n} weeks", n=len(figures.weeks)), "",
             tr._("<b>Per week</b> (week from Monday): submitted / decided")]
    lines += [f"{m.strftime('%d.%m.%Y')}: {s} / {d}"
              for m, s, d in zip(figures.weeks, figures.submitted, figures.decided,
                                 strict=True)]
    lines += ["", tr._("<b>Median days per stage</b> (finished stays)")]
    lines += [f"{render.status_label(tr, s)}: {tr.number(round(figures.stage_days[s], 1))}"
              f" (n={figures.stage_counts[s]})" for s in OPEN if s in figures.stage_days] \
        or [tr._("Not enough data yet.")]
    lines += ["", tr._("⚠️ Overdue now: {n}", n=overdue), "",
              tr._("<b>Per staff member</b>: status changes / decisions")]
    for actor, (changed, decided) in sorted(figures.per_staff.items(),
                                            key=lambda item: -item[1][0]):
        lines.append(f"{await desk_texts.name_of(services, actor)}: {changed} / {decided}")
    return "\n".join(lines)


def chart(tr: Translator, figures: stats.Stats) -> tuple[bytes, list[str]]:
    """The PNG and, when the chart had to number the stages, their names in order."""
    # matplotlib and numpy load on the first /stats, not with every instance (memory).
    from services import charts

    stages = [s for s in OPEN if s in figures.stage_days]
    names = [render.status_label(tr, s) for s in stages]
    png = charts.chart_png(
        (tr._("Submitted and decided per week"), tr._("Median days per stage")),
        (tr._("submitted"), tr._("decided")),
        [m.strftime("%d.%m") for m in figures.weeks], figures.submitted, figures.decided,
        names, [figures.stage_days[s] for s in stages])
    numbered = not all(charts.drawable(n) for n in names)
    return png, names if numbered else []
