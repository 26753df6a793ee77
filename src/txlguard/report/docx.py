"""Render a :class:`CaseReport` or a :class:`Letter` as a Word document (python-docx).

Lawyers, legal-aid workers and court staff edit in Word, so the report and the filing documents
are also produced as DOCX. The report shows the same sections, in the same order and with the
same content, as the HTML page; a letter is only the document itself (the borrower's guidance
is separate, see :func:`render_letter_guidance_md`).

Word picks a font per script: the East Asian font is set explicitly on every style used (and the
theme-font references python-docx's template puts on headings are removed), so Chinese text
never falls back to a theme font that lacks the glyphs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from PIL import Image

from txlguard.ingest.readers.base import human_size
from txlguard.report.model import CaseReport, EvidenceRef, Letter, QuotedProvision, ReportFinding
from txlguard.report.render import localtime

REPORT_CJK_FONT = "Noto Sans CJK SC"
REPORT_LATIN_FONT = "Noto Sans"
LETTER_CJK_FONT = "Noto Serif CJK SC"
LETTER_LATIN_FONT = "Noto Serif"
MONO_FONT = "DejaVu Sans Mono"

CHART_WIDTH = Cm(16)
CROP_MAX_WIDTH = Cm(9)
CROP_MAX_HEIGHT = Cm(6)

GREY = RGBColor(0x55, 0x55, 0x55)
INK = RGBColor(0x1D, 0x1D, 0x1F)
HEADER_FILL = "E7EBF0"

# Background and left-bar colour of the verdict box, as in the HTML page.
VERDICT_COLOURS: dict[str, tuple[str, str]] = {
    "unlawful": ("FDECEA", "C62828"),
    "likely_unlawful": ("FFF4E5", "EF6C00"),
    "lawful": ("E8F5E9", "2E7D32"),
    "undetermined": ("EEF1F5", "546E7A"),
}
STATUS_FILL = {"established": "FDECEA", "possible": "FFF4E5"}

# Characters XML 1.0 cannot hold; OCR and SMS backups do carry them now and then.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# What may follow w:pBdr / w:shd inside w:pPr (the schema fixes the order; Word rejects others).
_PPR_AFTER_SHD = (
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_TCPR_AFTER_SHD = (
    "w:noWrap",
    "w:tcMar",
    "w:textDirection",
    "w:tcFitText",
    "w:vAlign",
    "w:hideMark",
    "w:headers",
    "w:cellIns",
    "w:cellDel",
    "w:cellMerge",
    "w:tcPrChange",
)


def clean(text: str) -> str:
    """Text Word can store: characters XML forbids are dropped rather than failing the document."""
    return _NOT_XML.sub("", text)


# ---------------------------------------------------------------------------- fonts and page setup


def set_fonts(rpr_owner: BaseOxmlElement, latin: str, east_asia: str) -> None:
    """Name the Latin and East Asian fonts on a style's or run's rPr, dropping theme-font links.

    Theme references (w:asciiTheme, w:eastAsiaTheme…) win over explicit names in Word, so they
    have to go; otherwise headings would render Chinese in the theme's (Latin) heading font.
    """
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def east_asian_font(style: ParagraphStyle) -> str | None:
    """The East Asian font a style names (None when it relies on a theme or its base style)."""
    rpr = style.element.rPr
    if rpr is None or rpr.rFonts is None:
        return None
    value = rpr.rFonts.get(qn("w:eastAsia"))
    return str(value) if value is not None else None


def _chinese_language(style: ParagraphStyle) -> None:
    """Mark East Asian text as zh-CN, so Word applies Chinese line-breaking and proofing."""
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _style(
    doc: DocxDocument,
    name: str,
    latin: str,
    east_asia: str,
    size: float,
    *,
    bold: bool | None = None,
    colour: RGBColor = INK,
    before: float = 0,
    after: float = 4,
) -> ParagraphStyle:
    style = doc.styles[name]
    assert isinstance(style, ParagraphStyle)
    set_fonts(style.element, latin, east_asia)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = colour
    style.paragraph_format.space_before = Pt(before)
    style.paragraph_format.space_after = Pt(after)
    return style


def new_document(latin: str, east_asia: str, *, body_size: float, margins: Sequence[float]) -> DocxDocument:
    """An A4 document whose Normal, Title, heading and list styles all name the CJK font."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    top, right, bottom, left = margins
    section.top_margin, section.right_margin = Cm(top), Cm(right)
    section.bottom_margin, section.left_margin = Cm(bottom), Cm(left)
    section.footer_distance = Cm(1)

    normal = _style(doc, "Normal", latin, east_asia, body_size)
    normal.paragraph_format.line_spacing = 1.35
    _chinese_language(normal)
    title = _style(doc, "Title", latin, east_asia, 20, bold=True, after=6)
    ppr = title.element.pPr
    border = ppr.find(qn("w:pBdr")) if ppr is not None else None
    if border is not None and ppr is not None:
        ppr.remove(border)  # the template's blue rule under the title
    title.font.color.rgb = INK
    for level, size in ((1, body_size + 5), (2, body_size + 2.5), (3, body_size + 1)):
        heading = _style(doc, f"Heading {level}", latin, east_asia, size, bold=True, before=12 - 2 * level)
        heading.paragraph_format.keep_with_next = True
    _style(doc, "List Bullet", latin, east_asia, body_size, after=2)
    return doc


def _page_numbers(doc: DocxDocument, font_size: float = 9) -> None:
    """「第 N 页 / 共 M 页」 centred in the footer, as the PDF prints it."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, field in (("第 ", "PAGE"), (" 页 / 共 ", "NUMPAGES"), (" 页", None)):
        run = paragraph.add_run(text)
        run.font.size = Pt(font_size)
        if field:
            simple = OxmlElement("w:fldSimple")
            simple.set(qn("w:instr"), field)
            inner = OxmlElement("w:r")
            inner_rpr = OxmlElement("w:rPr")
            inner_size = OxmlElement("w:sz")
            inner_size.set(qn("w:val"), str(int(font_size * 2)))
            inner_rpr.append(inner_size)
            inner.append(inner_rpr)
            number = OxmlElement("w:t")
            number.text = "1"
            inner.append(number)
            simple.append(inner)
            paragraph._p.append(simple)


def to_bytes(doc: DocxDocument) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------- small building blocks


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    bold: bool = False,
    size: float | None = None,
    colour: RGBColor | None = None,
    highlight: bool = False,
) -> Run:
    run = paragraph.add_run(clean(text))
    run.bold = bold or None
    if size is not None:
        run.font.size = Pt(size)
    if colour is not None:
        run.font.color.rgb = colour
    if highlight:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return run


def _mono(paragraph: Paragraph, text: str, size: float = 7.5) -> Run:
    """A hash in a monospace font (the East Asian slot still named, so the run stays consistent)."""
    run = _run(paragraph, text, size=size)
    set_fonts(run._r, MONO_FONT, REPORT_CJK_FONT)
    return run


def _para(
    container: DocxDocument | _Cell,
    text: str = "",
    *,
    bold: bool = False,
    small: bool = False,
    style: str | None = None,
) -> Paragraph:
    paragraph = container.add_paragraph(style=style)
    if text:
        _run(paragraph, text, bold=bold, size=9 if small else None, colour=GREY if small else None)
    return paragraph


def _numbered(doc: DocxDocument, number: int, text: str, *, bold: bool = False) -> Paragraph:
    """A numbered item with the number written out: Word's shared list numbering would not restart."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.left_indent = Cm(0.75)
    paragraph.paragraph_format.first_line_indent = Cm(-0.75)
    _run(paragraph, f"{number}.\t")
    _run(paragraph, text, bold=bold)
    paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(0.75))
    return paragraph


def _shade_paragraph(paragraph: Paragraph, fill: str, bar: str) -> None:
    """A tinted box with a thick coloured bar on the left, like the HTML verdict box."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for key, value in (("w:val", "single"), ("w:sz", "36"), ("w:space", "8"), ("w:color", bar)):
        left.set(qn(key), value)
    borders.append(left)
    ppr.insert_element_before(borders, "w:shd", *_PPR_AFTER_SHD)
    shading = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        shading.set(qn(key), value)
    ppr.insert_element_before(shading, *_PPR_AFTER_SHD)


def _rule_above(paragraph: Paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "6"), ("w:color", "D9DDE3")):
        top.set(qn(key), value)
    borders.append(top)
    ppr.insert_element_before(borders, "w:shd", *_PPR_AFTER_SHD)


def _shade_cell(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        shading.set(qn(key), value)
    tcpr.insert_element_before(shading, *_TCPR_AFTER_SHD)


def _table(doc: DocxDocument, headers: Sequence[str], widths_cm: Sequence[float]) -> Table:
    """A 'Table Grid' table with a shaded header row that repeats on every page."""
    table: Table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    trpr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    trpr.append(repeat)
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)  # w:gridCol, which a fixed-layout table is laid out by
    for cell, text, width in zip(header.cells, headers, widths_cm, strict=True):
        cell.width = Cm(width)
        _run(cell.paragraphs[0], text, bold=True, size=9)
        _shade_cell(cell, HEADER_FILL)
    return table


def _row(table: Table, widths_cm: Sequence[float]) -> list[_Cell]:
    cells = list(table.add_row().cells)  # type: ignore[no-untyped-call]
    for cell, width in zip(cells, widths_cm, strict=True):
        cell.width = Cm(width)
    return cells


def _picture_size(png: bytes, max_width: int, max_height: int | None = None) -> tuple[Emu, Emu]:
    """Natural size at 96 dpi, scaled down to fit the box, aspect ratio kept."""
    with Image.open(io.BytesIO(png)) as image:
        width_px, height_px = image.size
    width = Emu(int(width_px * 914400 / 96))
    height = Emu(int(height_px * 914400 / 96))
    scale = min(1.0, max_width / width, (max_height / height) if max_height else 1.0)
    return Emu(int(width * scale)), Emu(int(height * scale))


def _picture(paragraph: Paragraph, png: bytes, max_width: int, max_height: int | None = None) -> None:
    width, height = _picture_size(png, max_width, max_height)
    paragraph.add_run().add_picture(io.BytesIO(png), width=width, height=height)


# ---------------------------------------------------------------------------- the case report


def _header(doc: DocxDocument, r: CaseReport) -> None:
    _para(doc, f"通讯录卫士 · 案件报告 · 案件编号 {r.case_id}", small=True)
    doc.add_heading(clean(r.title), level=0)
    meta = f"生成时间 {localtime(r.generated_at)}"
    if r.judged_at:
        meta += f" · 研判时间 {localtime(r.judged_at)}"
    meta += f" · 适用法律的日期 {' 至 '.join(r.law_as_of)}"
    _para(doc, meta, small=True)


def _verdict(doc: DocxDocument, r: CaseReport) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(8)
    paragraph.paragraph_format.space_after = Pt(8)
    _run(paragraph, r.verdict_zh, bold=True, size=13)
    fill, bar = VERDICT_COLOURS.get(r.verdict, VERDICT_COLOURS["undetermined"])
    _shade_paragraph(paragraph, fill, bar)
    for line in r.plain_summary_zh[1:]:
        _para(doc, line, style="List Bullet")


def _next_steps(doc: DocxDocument, r: CaseReport) -> None:
    doc.add_heading("接下来怎么做", level=1)
    for i, step in enumerate(r.next_steps, 1):
        last = _numbered(doc, i, step.title_zh, bold=True)
        last.paragraph_format.space_after = Pt(1)
        for text, small in (
            (step.detail_zh, False),
            (f"联系方式：{step.contact_zh}" if step.contact_zh else "", True),
            (f"准备：{'；'.join(step.bring_zh)}" if step.bring_zh else "", True),
        ):
            if text:
                last = _para(doc, text, small=small)
                last.paragraph_format.left_indent = Cm(0.75)
                last.paragraph_format.space_after = Pt(1)
        last.paragraph_format.space_after = Pt(6)


def _timeline(doc: DocxDocument, r: CaseReport) -> None:
    line = r.timeline
    if not line.days:
        return
    doc.add_heading("催收时间线", level=1)
    text = f"共 {line.total} 次来自对方的来电或信息，涉及 {line.counterparties} 个号码或账号"
    if line.allowed_hours:
        start, end = line.allowed_hours
        text += f"，其中 {line.total_off_hours} 次在 {start}—{end} 之外（红色）"
    _para(doc, text + "。")
    if line.chart_png:
        holder = doc.add_paragraph()
        holder.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _picture(holder, line.chart_png, CHART_WIDTH)


def _status_line(paragraph: Paragraph, f: ReportFinding) -> None:
    status = _run(paragraph, f" {f.status_zh} ", bold=True, size=9)
    _shade_run(status, STATUS_FILL.get(f.status, "EEF1F5"))
    _run(paragraph, "  ")
    strength = _run(paragraph, f" 证据强度 {f.strength_zh}（{f.confidence:.2f}） ", size=9)
    _shade_run(strength, "EEF1F5")


def _shade_run(run: Run, fill: str) -> None:
    rpr = run._r.get_or_add_rPr()
    shading = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        shading.set(qn(key), value)
    # w:shd sits after w:highlight/w:u/w:effect… and before w:fitText, w:vertAlign, w:lang….
    rpr.insert_element_before(
        shading, "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout"
    )


def _finding(doc: DocxDocument, r: CaseReport, f: ReportFinding) -> None:
    doc.add_heading(clean(f.title_zh), level=3)
    _status_line(doc.add_paragraph(), f)
    _para(doc, f.summary_zh)
    for label, items, sep in (
        ("证据", f.evidence, "、"),
        ("可以主张", f.remedies_zh, "；"),
        ("可以找", f.authorities_zh, "、"),
        ("尚待证实", f.missing_zh, "、"),
    ):
        if items:
            _para(doc, f"{label}：{sep.join(items)}", small=True)
    for note in f.notes_zh:
        _para(doc, f"注：{note}", small=True)
    cites = "、".join(r.provision(pid).citation_zh for pid in f.provisions)
    _para(doc, f"法律依据：{cites}", small=True)


def _findings(doc: DocxDocument, r: CaseReport) -> None:
    doc.add_heading("法律分析", level=1)
    groups = r.by_regime()
    if not groups:
        _para(doc, "根据已知事实，没有认定违法行为。")
    for name, items in groups:
        doc.add_heading(name, level=2)
        for f in items:
            _finding(doc, r, f)
    for f in r.explanatory_notes():
        paragraph = doc.add_paragraph()
        _run(paragraph, f"说明：{f.title_zh}", bold=True)
        _para(doc, f.summary_zh)


def _facts(doc: DocxDocument, r: CaseReport) -> None:
    doc.add_heading("认定的事实", level=1)
    widths = (10.4, 7.0)
    table = _table(doc, ("事实", "结论"), widths)
    for fact in r.facts:
        name, value = _row(table, widths)
        _run(name.paragraphs[0], fact.name_zh, size=9.5)
        _run(value.paragraphs[0], fact.value_zh, size=9.5)


def _evidence_content(cell: _Cell, e: EvidenceRef) -> None:
    """The message with every quote bold and highlighted, its label, then the screenshot crop."""
    text = cell.paragraphs[0]
    for piece, quoted in e.segments():
        _run(text, piece, bold=quoted, highlight=quoted, size=9.5)
    if e.label_zh:
        _run(cell.add_paragraph(), e.label_zh, size=8.5, colour=GREY)
    if e.crop_png:
        _picture(cell.add_paragraph(), e.crop_png, CROP_MAX_WIDTH, CROP_MAX_HEIGHT)


def _evidence(doc: DocxDocument, r: CaseReport) -> None:
    doc.add_heading("证据清单", level=1)
    if r.evidence:
        widths = (1.3, 10.0, 6.1)
        table = _table(doc, ("编号", "内容", "来源"), widths)
        for e in r.evidence:
            ref, content, source = _row(table, widths)
            _run(ref.paragraphs[0], e.ref, bold=True, size=9.5)
            _evidence_content(content, e)
            _run(source.paragraphs[0], e.file_name or "—", size=9)
            for extra in (localtime(e.occurred_at) if e.occurred_at else None, e.counterparty):
                if extra:
                    _run(source.add_paragraph(), extra, size=9)
            if e.sha256:
                line = source.add_paragraph()
                _run(line, "SHA-256 ", size=8, colour=GREY)
                _mono(line, e.sha256, size=7)
    else:
        _para(doc, "没有引用的证据片段。")
    doc.add_heading("证据原件及哈希", level=2)
    file_widths = (5.0, 2.2, 1.4, 8.8)
    table = _table(doc, ("文件", "类型", "条目", "SHA-256"), file_widths)
    for f in r.evidence_files:
        name, kind, items, digest = _row(table, file_widths)
        _run(name.paragraphs[0], f.name, size=9.5)
        _run(
            name.add_paragraph(),
            f"{human_size(f.size)} · 添加于 {localtime(f.added_at)}",
            size=8,
            colour=GREY,
        )
        _run(kind.paragraphs[0], f.kind, size=9.5)
        _run(items.paragraphs[0], str(f.items), size=9.5)
        _mono(digest.paragraphs[0], f.sha256, size=7.5)


def _similar_cases(doc: DocxDocument, r: CaseReport) -> None:
    if not r.similar_cases:
        return
    doc.add_heading("类似案例", level=1)
    for c in r.similar_cases:
        _para(doc, c.title_zh, bold=True).paragraph_format.space_after = Pt(0)
        number = f"，{c.number}" if c.number else ""
        _para(doc, f"{c.forum_zh}，{c.year}年{number} · 可靠性 {c.reliability}", small=True)
        _para(doc, c.holding_zh)
        _para(doc, f"结果：{c.outcome_zh}", small=True)
        _para(doc, f"相同之处：{'；'.join(c.shared_zh)}", small=True).paragraph_format.space_after = Pt(8)


def _open_questions(doc: DocxDocument, r: CaseReport) -> None:
    if not r.open_questions:
        return
    doc.add_heading("还需要弄清的问题", level=1)
    for i, q in enumerate(r.open_questions, 1):
        _numbered(doc, i, q.text_zh).paragraph_format.space_after = Pt(0)
        hint = f" 怎样查到：{q.hint_zh}" if q.hint_zh else ""
        why = _para(doc, q.why_zh + hint, small=True)
        why.paragraph_format.left_indent = Cm(0.75)


def _provision(doc: DocxDocument, p: QuotedProvision) -> None:
    head = doc.add_paragraph()
    head.paragraph_format.keep_with_next = True
    head.paragraph_format.space_before = Pt(6)
    _run(head, p.citation_zh, bold=True)
    if p.title_zh:
        _run(head, f"（{p.title_zh}）")
    flags = [p.dates_zh]
    if p.text_kind == "summary":
        flags.append("以下为要点摘要，非原文")
    if p.reliability != "primary":
        flags.append("来源为二手资料，请核对官方文本")
    _run(head, "  " + " · ".join(flags), size=8.5, colour=GREY)
    gist = _para(doc, f"要点：{p.gist_zh}", small=True)
    gist.paragraph_format.keep_with_next = True
    for line in p.text.splitlines() or [p.text]:
        if not line.strip():
            continue
        quote = _para(doc, line)
        quote.paragraph_format.left_indent = Cm(0.5)
        quote.paragraph_format.space_after = Pt(2)
        _shade_paragraph(quote, "FAFBFC", "B0BEC5")


def _provisions(doc: DocxDocument, r: CaseReport) -> None:
    if not r.provisions:
        return
    doc.add_heading("引用的法律条文", level=1)
    _para(doc, f"以下条文均为案件行为发生期间（{' 至 '.join(r.law_as_of)}）有效的规定。", small=True)
    for p in r.provisions:
        _provision(doc, p)


def _notes(doc: DocxDocument, r: CaseReport) -> None:
    if r.notes_zh:
        doc.add_heading("说明", level=1)
        for note in r.notes_zh:
            _para(doc, note, style="List Bullet")
    disclaimer = _para(doc, r.disclaimer_zh, small=True)
    disclaimer.paragraph_format.space_before = Pt(18)
    _rule_above(disclaimer)


def render_report_docx(report: CaseReport) -> bytes:
    """The case report as an editable Word file: same sections and content as the HTML page."""
    doc = new_document(REPORT_LATIN_FONT, REPORT_CJK_FONT, body_size=10.5, margins=(1.8, 1.6, 2.0, 1.6))
    doc.core_properties.title = clean(report.title)
    doc.core_properties.subject = "通讯录卫士案件报告"
    doc.core_properties.author = "通讯录卫士"
    doc.core_properties.language = "zh-CN"
    _page_numbers(doc)
    _header(doc, report)
    _verdict(doc, report)
    _next_steps(doc, report)
    _timeline(doc, report)
    _findings(doc, report)
    _facts(doc, report)
    _evidence(doc, report)
    _similar_cases(doc, report)
    _open_questions(doc, report)
    _provisions(doc, report)
    _notes(doc, report)
    return to_bytes(doc)


# ---------------------------------------------------------------------------- letters


def _plain(
    doc: DocxDocument, lines: Iterable[str], *, indent: bool, align: WD_ALIGN_PARAGRAPH | None = None
) -> None:
    for text in lines:
        paragraph = doc.add_paragraph()
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(24)  # two characters at 12 pt
        if align is not None:
            paragraph.alignment = align
        _run(paragraph, text)  # a newline in the text becomes a w:br


def render_letter_docx(letter: Letter) -> bytes:
    """A filing document ready to print and sign: A4, serif, title centred, evidence listed by hash.

    The borrower's guidance is not part of the document and is left out.
    """
    doc = new_document(LETTER_LATIN_FONT, LETTER_CJK_FONT, body_size=12, margins=(2.5, 2.5, 2.5, 2.8))
    doc.styles["Normal"].paragraph_format.line_spacing = 1.5
    for level in (1, 2, 3):
        doc.styles[f"Heading {level}"].font.size = Pt(12)
    doc.styles["Title"].font.size = Pt(18)
    doc.core_properties.title = clean(letter.title_zh)
    doc.core_properties.language = "zh-CN"
    _page_numbers(doc)

    title = doc.add_heading(clean(letter.title_zh), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(12)
    header = list(letter.header_lines)
    if letter.addressee_zh and not any(line.startswith("致") for line in header):
        header.insert(0, f"致：{letter.addressee_zh}")
    _plain(doc, header, indent=False)
    for section in letter.sections:
        if section.heading_zh:
            doc.add_heading(clean(section.heading_zh), level=1)
        _plain(doc, section.paragraphs, indent=True)
    if letter.attachments:
        doc.add_heading("附件（证据清单）", level=1)
        for i, a in enumerate(letter.attachments, 1):
            item = doc.add_paragraph()
            item.paragraph_format.left_indent = Pt(24)
            _run(item, f"附件{i}：{a.name}（SHA-256：")
            _mono(item, a.sha256, size=8)
            _run(item, f"）— {a.description_zh}")
    if letter.signature_lines:
        gap = doc.add_paragraph()
        gap.paragraph_format.space_before = Pt(12)
        _plain(doc, letter.signature_lines, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    return to_bytes(doc)


def render_letter_guidance_md(letter: Letter) -> str:
    """The advice that goes to the borrower with a document, kept out of the document itself."""
    if not letter.guidance_zh:
        return ""
    lines = [f"# {letter.title_zh}：提交前请注意", "", *[f"- {g}" for g in letter.guidance_zh], ""]
    if letter.blanks_zh:
        lines += ["需要填写的空白：" + "、".join(letter.blanks_zh), ""]
    return "\n".join(lines)
