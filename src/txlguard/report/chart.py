"""The timeline chart: contacts per day, those outside the allowed hours stacked in red.

Drawn with matplotlib (Agg, no display) in a CJK font from Debian's fonts-noto-cjk, as a PNG that
HTML, PDF and DOCX all embed the same way.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from txlguard.report.model import Timeline

_CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)


@cache
def cjk_font_file() -> str | None:
    """A font with Chinese glyphs, or None (the chart then uses ASCII labels only)."""
    for candidate in _CJK_FONT_FILES:
        if Path(candidate).exists():
            return candidate
    try:
        from matplotlib import font_manager

        for name in ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "SimHei"):
            path = font_manager.findfont(name, fallback_to_default=False)
            if path:
                return str(path)
    except (ValueError, RuntimeError):
        pass
    return None


def timeline_png(line: Timeline, *, width_in: float = 7.0, height_in: float = 2.6, dpi: int = 150) -> bytes:
    """The chart as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import font_manager

    font_file = cjk_font_file()
    families = ["DejaVu Sans"]
    if font_file:
        font_manager.fontManager.addfont(font_file)
        families.insert(0, font_manager.FontProperties(fname=font_file).get_name())
    zh = font_file is not None
    with matplotlib.rc_context({"font.family": families}):
        return _draw(line, zh, width_in, height_in, dpi)


def _draw(line: Timeline, zh: bool, width_in: float, height_in: float, dpi: int) -> bytes:
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    days = mdates.date2num([d.day for d in line.days])  # type: ignore[no-untyped-call]
    within = [d.contacts - d.off_hours for d in line.days]
    off = [d.off_hours for d in line.days]

    figure = Figure(figsize=(width_in, height_in), dpi=dpi)
    axes = figure.add_subplot()
    width = 0.8 if len(days) < 60 else 1.0
    window = f"{line.allowed_hours[0]}–{line.allowed_hours[1]}" if line.allowed_hours else ""
    axes.bar(days, within, width=width, color="#4a78b5", label=f"{window} 内" if zh else "within hours")
    axes.bar(
        days, off, width=width, bottom=within, color="#d04a3a", label=f"{window} 外" if zh else "off hours"
    )
    axes.set_ylabel("次数" if zh else "contacts")
    axes.set_title("每日来电和信息" if zh else "Contacts per day")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    if zh:
        axes.xaxis.set_major_formatter(
            mdates.ConciseDateFormatter(  # type: ignore[no-untyped-call]
                locator,
                formats=["%Y年", "%-m月", "%-d日", "%H:%M", "%H:%M", "%S"],
                zero_formats=["", "%Y年", "%-m月", "%-m月%-d日", "%H:%M", "%H:%M"],
                offset_formats=[
                    "",
                    "%Y年",
                    "%Y年%-m月",
                    "%Y年%-m月%-d日",
                    "%Y年%-m月%-d日",
                    "%Y年%-m月%-d日",
                ],
            )
        )
    else:
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.spines[["top", "right"]].set_visible(False)
    if line.allowed_hours:
        axes.legend(frameon=False, loc="upper left")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
