"""The /stats chart as a PNG: weekly submitted and decided bars, and the median days of
each stage. Drawn with matplotlib's object API and the Agg backend (no pyplot: no global
state, so it is safe on a worker thread; the caller runs it off the event loop)."""
from __future__ import annotations

import functools
import io

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager, ft2font  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402

# A font with Chinese, Cyrillic and Kazakh letters where one is installed (the Docker image
# installs Noto CJK); otherwise matplotlib's own DejaVu Sans, which has no Chinese.
FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "DejaVu Sans")


@functools.lru_cache(maxsize=1)
def _font() -> str:
    for name in FONTS:
        try:
            font_manager.findfont(name, fallback_to_default=False)
        except ValueError:
            continue
        return name
    return str(matplotlib.rcParams["font.sans-serif"][0])


@functools.lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    path = font_manager.findfont(_font())
    return frozenset(ft2font.FT2Font(path).get_charmap())


def drawable(text: str) -> bool:
    """Whether the chosen font has every character (DejaVu Sans has no Chinese)."""
    glyphs = _glyphs()
    return all(ord(c) in glyphs or c.isspace() for c in text)


def chart_png(titles: tuple[str, str], legend: tuple[str, str], weeks: list[str],
              submitted: list[int], decided: list[int], stages: list[str],
              stage_days: list[float]) -> bytes:
    """Texts the font cannot draw are replaced: titles and legend dropped, stage names
    numbered (the caption then names them)."""
    texts = [*titles, *legend, *stages]
    if not all(drawable(t) for t in texts):
        titles, legend = ("", ""), ("1", "2")
        stages = [str(n) for n in range(1, len(stages) + 1)]
    matplotlib.rcParams["font.sans-serif"] = [_font()]
    figure = Figure(figsize=(8, 7), dpi=100)
    weekly, staged = figure.subplots(2, 1)
    positions = list(range(len(weeks)))
    weekly.bar([p - 0.2 for p in positions], submitted, width=0.4, label=legend[0],
               color="#4C72B0")
    weekly.bar([p + 0.2 for p in positions], decided, width=0.4, label=legend[1],
               color="#55A868")
    weekly.set_xticks(positions, weeks)
    weekly.set_title(titles[0])
    weekly.legend()
    weekly.yaxis.get_major_locator().set_params(integer=True)
    staged.barh(stages, stage_days, color="#C44E52")
    staged.set_title(titles[1])
    staged.invert_yaxis()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
