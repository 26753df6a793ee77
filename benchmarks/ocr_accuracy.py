"""OCR accuracy and speed on rendered phone screenshots of Chinese collection threads.

Renders realistic 1080×2340 screenshots (status bar, title bar, time labels, left/right bubbles,
input bar) of SMS and WeChat-style threads with Debian's Noto Sans CJK font, reads them back through
``txlguard.ingest.readers.image.read_image`` and prints, per image and overall:

- character accuracy = 1 − edit distance / length (message texts joined, whitespace ignored);
- bubbles found vs. rendered, and the share whose side (incoming / outgoing) is right;
- seconds per image, wall clock and CPU (decode + OCR + grouping; the one-off model load is
  reported apart). Wall time means something only on an otherwise idle machine, so the load
  average is printed with it.

Run: ``python benchmarks/ocr_accuracy.py`` (``--save DIR`` keeps the PNGs). Needs fonts-noto-cjk
(``apt-get install -y fonts-noto-cjk``). The renderer is also used by tests/ingest.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

Side = Literal["incoming", "outgoing"]
Style = Literal["sms", "wechat"]

FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2 = Noto Sans CJK SC
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
)


def find_cjk_font() -> tuple[str, int] | None:
    """Path and face index of a Simplified-Chinese CJK font from Debian's fonts-noto-cjk, if installed."""
    for path, index in FONT_CANDIDATES:
        if os.path.exists(path):
            return path, index
    return None


@dataclass(frozen=True)
class Bubble:
    side: Side
    text: str
    label: str | None = None  # a centred time label drawn above the bubble


@dataclass(frozen=True)
class Thread:
    title: str
    bubbles: tuple[Bubble, ...]
    style: Style = "sms"
    clock: str = "21:16"


@dataclass
class Fonts:
    body: ImageFont.FreeTypeFont
    small: ImageFont.FreeTypeFont
    title: ImageFont.FreeTypeFont
    status: ImageFont.FreeTypeFont

    @classmethod
    def load(cls, scale: float = 1.0) -> Fonts:
        found = find_cjk_font()
        if found is None:
            raise RuntimeError("没有找到中文字体：请安装 fonts-noto-cjk（apt-get install -y fonts-noto-cjk）")
        path, index = found

        def face(size: float) -> ImageFont.FreeTypeFont:
            return ImageFont.truetype(path, round(size * scale), index=index)

        return cls(body=face(46), small=face(34), title=face(50), status=face(38))


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Break text into lines no wider than ``width``: anywhere between CJK characters, between Latin words."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        tokens: list[str] = []
        word = ""
        for ch in paragraph:
            if ch.isascii() and not ch.isspace():
                word += ch
                continue
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        if word:
            tokens.append(word)
        for token in tokens:
            if line and font.getlength(line + token) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        lines.append(line)
    return lines


PALETTES: dict[Style, dict[str, tuple[int, int, int]]] = {
    "sms": {
        "background": (246, 246, 248),
        "bar": (255, 255, 255),
        "incoming": (255, 255, 255),
        "incoming_text": (25, 25, 25),
        "outgoing": (0, 122, 255),
        "outgoing_text": (255, 255, 255),
        "label": (140, 140, 145),
    },
    "wechat": {
        "background": (237, 237, 237),
        "bar": (237, 237, 237),
        "incoming": (255, 255, 255),
        "incoming_text": (25, 25, 25),
        "outgoing": (149, 236, 105),
        "outgoing_text": (25, 25, 25),
        "label": (160, 160, 160),
    },
}


def render_thread(
    thread: Thread, *, width: int = 1080, height: int = 2340, fonts: Fonts | None = None
) -> tuple[Image.Image, list[Bubble]]:
    """A phone screenshot of ``thread`` and the bubbles on it (those that do not fit are left out)."""
    fonts = fonts or Fonts.load(width / 1080)
    s = width / 1080
    colours = PALETTES[thread.style]
    image = Image.new("RGB", (width, height), colours["background"])
    draw = ImageDraw.Draw(image)
    # status bar: clock on the left, signal bars and battery on the right
    draw.rectangle((0, 0, width, round(100 * s)), fill=colours["bar"])
    draw.text((round(48 * s), round(50 * s)), thread.clock, font=fonts.status, fill=(0, 0, 0), anchor="lm")
    for i in range(4):
        x = width - round((250 - i * 22) * s)
        draw.rectangle((x, round((62 - i * 8) * s), x + round(14 * s), round(66 * s)), fill=(0, 0, 0))
    draw.rounded_rectangle(
        (width - round(130 * s), round(36 * s), width - round(60 * s), round(66 * s)),
        radius=round(6 * s),
        outline=(0, 0, 0),
        width=max(1, round(3 * s)),
    )
    draw.rectangle(
        (width - round(126 * s), round(40 * s), width - round(80 * s), round(62 * s)), fill=(0, 0, 0)
    )
    # title bar: back chevron, centred title, hairline
    bar_bottom = round(260 * s)
    draw.rectangle((0, round(100 * s), width, bar_bottom), fill=colours["bar"])
    draw.line(
        [(round(70 * s), round(150 * s)), (round(45 * s), round(180 * s)), (round(70 * s), round(210 * s))],
        fill=(0, 0, 0),
        width=max(1, round(5 * s)),
    )
    draw.text((width // 2, round(180 * s)), thread.title, font=fonts.title, fill=(0, 0, 0), anchor="mm")
    draw.line([(0, bar_bottom), (width, bar_bottom)], fill=(215, 215, 215), width=max(1, round(2 * s)))
    # input bar at the bottom: icons only, no text (an empty draft)
    input_top = height - round(170 * s)
    draw.rectangle((0, input_top, width, height), fill=colours["bar"])
    draw.rounded_rectangle(
        (round(150 * s), input_top + round(35 * s), width - round(150 * s), input_top + round(125 * s)),
        radius=round(20 * s),
        fill=(255, 255, 255),
        outline=(220, 220, 220),
    )
    draw.ellipse(
        (round(40 * s), input_top + round(45 * s), round(110 * s), input_top + round(115 * s)),
        outline=(90, 90, 90),
        width=max(1, round(4 * s)),
    )
    draw.ellipse(
        (
            width - round(110 * s),
            input_top + round(45 * s),
            width - round(40 * s),
            input_top + round(115 * s),
        ),
        outline=(90, 90, 90),
        width=max(1, round(4 * s)),
    )

    avatar = thread.style == "wechat"
    y = bar_bottom + round(40 * s)
    body_height = round(46 * s * 1.45)
    pad_x, pad_y = round(34 * s), round(26 * s)
    max_text = round((640 if avatar else 700) * s)
    shown: list[Bubble] = []
    for bubble in thread.bubbles:
        lines = wrap(bubble.text, fonts.body, max_text)
        needed = (round(70 * s) if bubble.label else 0) + len(lines) * body_height + 2 * pad_y
        if y + needed > input_top - round(20 * s):
            break
        if bubble.label:
            draw.text(
                (width // 2, y + round(25 * s)),
                bubble.label,
                font=fonts.small,
                fill=colours["label"],
                anchor="mm",
            )
            y += round(70 * s)
        text_width = max(fonts.body.getlength(line) for line in lines)
        box_w = round(text_width) + 2 * pad_x
        box_h = len(lines) * body_height + 2 * pad_y
        margin = round((170 if avatar else 40) * s)
        if bubble.side == "incoming":
            x0 = margin
            if avatar:
                draw.rounded_rectangle(
                    (round(30 * s), y, round(130 * s), y + round(100 * s)),
                    radius=round(10 * s),
                    fill=(120, 144, 180),
                )
        else:
            x0 = width - margin - box_w
            if avatar:
                draw.rounded_rectangle(
                    (width - round(130 * s), y, width - round(30 * s), y + round(100 * s)),
                    radius=round(10 * s),
                    fill=(200, 160, 120),
                )
        draw.rounded_rectangle(
            (x0, y, x0 + box_w, y + box_h), radius=round(28 * s), fill=colours[bubble.side]
        )
        colour = colours[f"{bubble.side}_text"]
        for i, line in enumerate(lines):
            draw.text(
                (x0 + pad_x, y + pad_y + i * body_height + body_height // 2),
                line,
                font=fonts.body,
                fill=colour,
                anchor="lm",
            )
        y += box_h + round(36 * s)
        shown.append(bubble)
    return image, shown


def png_bytes(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


# -- the corpus ---------------------------------------------------------------------------------

IN: Side = "incoming"
OUT: Side = "outgoing"

THREADS: tuple[Thread, ...] = (
    Thread(
        "10690571234567",
        (
            Bubble(
                IN,
                "【速借宝】尊敬的王先生，您的借款3500.00元已逾期7天，请于今日18:00前还清，以免影响您的信用记录。",
                "2024年3月1日 09:12",
            ),
            Bubble(
                IN,
                "【速借宝】您已严重逾期，我司将依法委托第三方进行催收，相关费用由您承担。",
                "2024年3月2日 21:47",
            ),
            Bubble(OUT, "我这个月工资还没发，能不能宽限几天？"),
            Bubble(
                IN,
                "不还钱就把你的欠款信息发给你通讯录里的所有联系人，让你亲戚朋友都知道你是老赖！",
                "2024年3月2日 22:31",
            ),
        ),
    ),
    Thread(
        "+86 171 0325 8890",
        (
            Bubble(
                IN,
                "王小明你好，你是李建国的紧急联系人，他在我平台借款逾期未还，请转告他尽快处理。",
                "2024年3月5日 08:03",
            ),
            Bubble(OUT, "我跟他不熟，请不要再给我打电话发短信了。"),
            Bubble(
                IN, "你不转告也行，明天我们会把他的照片和身份证号发到你们公司群里。", "2024年3月5日 23:15"
            ),
        ),
    ),
    Thread(
        "95188",
        (
            Bubble(
                IN,
                "【XX金融】您好，您在我司的借款本期应还1286.40元，还款日为2024-03-10，请按时还款。回T退订",
                "2024年3月8日 10:00",
            ),
            Bubble(
                IN,
                "【XX金融】您的借款已逾期，逾期将按合同约定收取罚息并上报征信，如有疑问请致电95188。",
                "2024年3月11日 10:00",
            ),
        ),
    ),
    Thread(
        "16500112233",
        (
            Bubble(
                IN,
                "我是市公安局经侦大队的，你涉嫌恶意透支诈骗，已经对你立案调查，48小时内不处理将上门拘留。",
                "2024年3月12日 22:58",
            ),
            Bubble(OUT, "你们到底是哪个公司的？"),
            Bubble(IN, "少废话，今天下午五点前必须全额还款，否则后果自负。"),
            Bubble(IN, "你这种骗子不要脸，等着全村人都知道吧。", "2024年3月13日 06:41"),
        ),
        clock="06:45",
    ),
    Thread(
        "催收-张经理",
        (
            Bubble(IN, "王先生，你的账单已经逾期45天了，今天是最后期限。", "2024年3月15日 20:20"),
            Bubble(OUT, "我下周一发工资就还，先还一半可以吗？"),
            Bubble(IN, "不行，必须今天全部结清，共计4820元，不然就联系你单位领导和同事。"),
            Bubble(IN, "已经给你老婆和你妈打过电话了，你自己看着办。", "2024年3月15日 23:02"),
        ),
        style="wechat",
        clock="23:05",
    ),
    Thread(
        "小额贷-客服",
        (
            Bubble(
                IN, "亲，您的还款日是明天哦，记得提前存好钱，避免逾期产生额外费用。", "2024年3月20日 14:30"
            ),
            Bubble(OUT, "好的，明天一早就还。"),
            Bubble(IN, "收到，祝您生活愉快！"),
        ),
        style="wechat",
        clock="14:32",
    ),
    Thread(
        "10692200456",
        (
            Bubble(
                IN,
                "【闪电花】您已逾期3天，欠款2,150元。本平台已将您的资料提交法务部门，将向法院提起诉讼。",
                "2024年3月22日 07:26",
            ),
            Bubble(
                IN,
                "最后通知：今晚12点前不还款，你的通讯录和照片将被制作成催收海报发送给所有人。",
                "2024年3月22日 23:48",
            ),
        ),
    ),
    Thread(
        "13912345678",
        (
            Bubble(IN, "你欠的钱什么时候还？再拖下去我们就派人去你家里找你父母谈谈。", "2024年3月25日 21:05"),
            Bubble(OUT, "我已经在想办法了，请不要骚扰我的家人。"),
            Bubble(IN, "想办法？你都拖了两个月了，这是第18次打你电话不接。", "2024年3月25日 22:10"),
        ),
    ),
)


# -- measuring ----------------------------------------------------------------------------------


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def char_accuracy(expected: str, got: str) -> float:
    expected = "".join(expected.split())
    got = "".join(got.split())
    if not expected:
        return 1.0 if not got else 0.0
    return max(0.0, 1 - edit_distance(expected, got) / len(expected))


@dataclass
class Measure:
    name: str
    accuracy: float
    seconds: float
    cpu_seconds: float
    bubbles: int
    found: int
    sides_right: int
    times_right: int
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Variant:
    """How a screenshot reaches the borrower's case: as taken, or shrunk and recompressed by a chat app."""

    name: str
    width: int
    jpeg_quality: int | None


VARIANTS = (
    Variant("png", 1080, None),  # the screenshot as the phone saved it
    Variant("jpg720q60", 720, 60),  # shrunk and recompressed
    Variant("wx591q70", 591, 70),  # as WeChat sends a 1080×2340 picture without 原图: long side 1280
)


def expected_times(bubbles: Sequence[Bubble]) -> list[datetime | None]:
    """The time each bubble sits under: its own label, else the last label above it."""
    times: list[datetime | None] = []
    current: datetime | None = None
    for bubble in bubbles:
        if bubble.label:
            current = datetime.strptime(
                bubble.label.replace("年", "-").replace("月", "-").replace("日", ""), "%Y-%m-%d %H:%M"
            )
        times.append(current)
    return times


def measure(
    threads: Sequence[Thread], *, variants: Sequence[Variant] = VARIANTS, save: Path | None = None
) -> tuple[float, list[Measure]]:
    from txlguard.ingest.ocr import default_engine
    from txlguard.ingest.readers.image import read_image

    started = time.perf_counter()
    engine = default_engine()
    load_seconds = time.perf_counter() - started
    results: list[Measure] = []
    for variant in variants:
        fonts = Fonts.load(variant.width / 1080)
        for n, thread in enumerate(threads, 1):
            height = round(2340 * variant.width / 1080)
            image, shown = render_thread(thread, width=variant.width, height=height, fonts=fonts)
            if variant.jpeg_quality:
                name = f"thread{n:02d}-{variant.name}.jpg"
                data = png_bytes(image, "JPEG", quality=variant.jpeg_quality)
            else:
                name = f"thread{n:02d}-{variant.name}.png"
                data = png_bytes(image)
            if save:
                save.mkdir(parents=True, exist_ok=True)
                (save / name).write_bytes(data)
            started, cpu_started = time.perf_counter(), time.process_time()
            _, items = read_image(data, name, engine=engine)
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
            expected = "".join(b.text for b in shown)
            got = "".join(c.text for c in items)
            pairs = list(zip(shown, items, strict=False))
            sides = sum(1 for b, c in pairs if b.side == c.direction)
            times = sum(
                1 for t, (_, c) in zip(expected_times(shown), pairs, strict=False) if t == c.timestamp
            )
            errors = [(b.text, c.text) for b, c in pairs if char_accuracy(b.text, c.text) < 1]
            results.append(
                Measure(
                    name,
                    char_accuracy(expected, got),
                    seconds,
                    cpu_seconds,
                    len(shown),
                    len(items),
                    sides,
                    times,
                    errors,
                )
            )
    return load_seconds, results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--save", type=Path, help="keep the rendered screenshots in this folder")
    parser.add_argument("--show-errors", action="store_true", help="print each misread bubble")
    args = parser.parse_args(argv)
    if find_cjk_font() is None:
        print(
            "没有找到中文字体：请先安装 fonts-noto-cjk（apt-get install -y fonts-noto-cjk）", file=sys.stderr
        )
        return 2
    load_seconds, results = measure(THREADS, save=args.save)
    print(f"model load: {load_seconds:.2f} s (once per process); cores: {os.cpu_count()}")
    columns = ("char acc", "s/image", "cpu s", "bubbles", "found", "side ok", "time ok")
    print(f"{'image':<24}" + "".join(f"{c:>9}" for c in columns))

    def row(label: str, group: Sequence[Measure]) -> str:
        cells = (
            f"{statistics.mean(r.accuracy for r in group):>9.4f}",
            f"{statistics.mean(r.seconds for r in group):>9.2f}",
            f"{statistics.mean(r.cpu_seconds for r in group):>9.2f}",
            *(
                f"{sum(getattr(r, k) for r in group):>9}"
                for k in ("bubbles", "found", "sides_right", "times_right")
            ),
        )
        return f"{label:<24}" + "".join(cells)

    for r in results:
        print(row(r.name, [r]))
        if args.show_errors:
            for want, got in r.errors:
                print(f"    want: {want}\n    got:  {got}")
    for variant in VARIANTS:
        print(row(f"mean {variant.name}", [r for r in results if f"-{variant.name}." in r.name]))
    print(row("mean all", results))
    warm = results[1:] or results
    print(
        "after the first (warm-up) call: wall seconds per image median "
        f"{statistics.median(r.seconds for r in warm):.2f}, max {max(r.seconds for r in warm):.2f}; "
        f"CPU seconds (all threads) median {statistics.median(r.cpu_seconds for r in warm):.2f}; "
        f"load average now {os.getloadavg()[0]:.1f} (wall time means little on a busy machine)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
