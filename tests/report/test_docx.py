"""The DOCX skin of the case report and of the filing documents, read back with python-docx."""

from __future__ import annotations

import html as html_lib
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from txlguard.report.build import build_case_report
from txlguard.report.docx import (
    LETTER_CJK_FONT,
    REPORT_CJK_FONT,
    east_asian_font,
    render_letter_docx,
    render_letter_guidance_md,
    render_report_docx,
)
from txlguard.report.letters import blank, build_letters
from txlguard.report.model import Attachment, CaseReport, EvidenceRef, Letter, LetterSection
from txlguard.report.render import render_html

from .conftest import JudgedCase

HEADING_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3")


def a4(section: Section) -> bool:
    """Word stores page sizes in twips, so 21 cm comes back a fraction of a millimetre off."""
    assert section.page_width is not None and section.page_height is not None
    return abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)


@pytest.fixture(scope="module")
def report(judged_case: JudgedCase) -> CaseReport:
    return build_case_report(judged_case.material())


@pytest.fixture(scope="module")
def report_docx(report: CaseReport) -> bytes:
    return render_report_docx(report)


@pytest.fixture(scope="module")
def document(report_docx: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(report_docx))


def blocks(doc: DocxDocument) -> Iterator[Paragraph]:
    """Every paragraph in reading order, table cells included (row by row, cell by cell)."""
    for item in doc.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                for cell in row.cells:
                    yield from cell.paragraphs
        else:
            yield item


def style_name(paragraph: Paragraph) -> str:
    return paragraph.style.name if paragraph.style is not None and paragraph.style.name else ""


def headings(doc: DocxDocument, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if style_name(p) == style]


def full_text(doc: DocxDocument) -> str:
    return "\n".join(p.text for p in blocks(doc))


def section_text(doc: DocxDocument, heading: str) -> tuple[str, str, str]:
    """The text before a Heading 1, under it (up to the next Heading 1), and after that."""
    before: list[str] = []
    inside: list[str] = []
    after: list[str] = []
    target = before
    for paragraph in blocks(doc):
        if style_name(paragraph) == "Heading 1":
            target = inside if paragraph.text == heading else (after if target is not before else before)
        target.append(paragraph.text)
    return "\n".join(before), "\n".join(inside), "\n".join(after)


def html_headings(report: CaseReport, tag: str) -> list[str]:
    page = render_html(report)
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(rf"<{tag}>(.*?)</{tag}>", page)]


def test_the_docx_opens_on_a4_with_the_title_case_id_and_dates(
    document: DocxDocument, report: CaseReport
) -> None:
    section = document.sections[0]
    assert a4(section)
    assert section.left_margin is not None and Cm(1) < section.left_margin < Cm(3)
    assert headings(document, "Title") == [report.title]
    opening = "\n".join(p.text for p in document.paragraphs[:4])
    assert report.case_id in opening
    assert " 至 ".join(report.law_as_of) in opening
    assert document.core_properties.title == report.title


def test_sections_come_in_the_html_order(document: DocxDocument, report: CaseReport) -> None:
    sections = headings(document, "Heading 1")
    assert sections == html_headings(report, "h2")
    assert sections[:3] == ["接下来怎么做", "催收时间线", "法律分析"]
    assert sections.index("认定的事实") < sections.index("证据清单") < sections.index("引用的法律条文")
    # Regimes civil → administrative → criminal, then the evidence-files table.
    assert headings(document, "Heading 2") == html_headings(report, "h3")
    assert headings(document, "Heading 3") == [f.title_zh for _, items in report.by_regime() for f in items]


def test_the_verdict_is_a_highlighted_sentence_followed_by_the_plain_summary(
    document: DocxDocument, report: CaseReport
) -> None:
    verdict = next(p for p in document.paragraphs if p.text == report.verdict_zh)
    assert all(run.bold for run in verdict.runs)
    shading = verdict._p.pPr.find(qn("w:shd")) if verdict._p.pPr is not None else None
    assert shading is not None and shading.get(qn("w:fill")) == "FDECEA"
    bullets = [p.text for p in document.paragraphs if style_name(p) == "List Bullet"]
    assert bullets[: len(report.plain_summary_zh) - 1] == report.plain_summary_zh[1:]


def test_next_steps_are_numbered_with_contact_and_what_to_bring(
    document: DocxDocument, report: CaseReport
) -> None:
    _, steps, _ = section_text(document, "接下来怎么做")
    for i, step in enumerate(report.next_steps, 1):
        assert f"{i}.\t{step.title_zh}" in steps
        assert step.detail_zh in steps
        if step.contact_zh:
            assert f"联系方式：{step.contact_zh}" in steps
        if step.bring_zh:
            assert f"准备：{'；'.join(step.bring_zh)}" in steps


def test_every_finding_with_its_status_evidence_and_cited_provisions(
    document: DocxDocument, report: CaseReport
) -> None:
    _, analysis, _ = section_text(document, "法律分析")
    for _, items in report.by_regime():
        for f in items:
            assert f.title_zh in analysis and f.summary_zh in analysis
            assert f.status_zh in analysis and f"证据强度 {f.strength_zh}（{f.confidence:.2f}）" in analysis
            if f.evidence:
                assert "证据：" + "、".join(f.evidence) in analysis
            if f.remedies_zh:
                assert "可以主张：" + "；".join(f.remedies_zh) in analysis
            for note in f.notes_zh:
                assert f"注：{note}" in analysis
            cites = "、".join(report.provision(pid).citation_zh for pid in f.provisions)
            assert f"法律依据：{cites}" in analysis
    for explained in report.explanatory_notes():
        assert f"说明：{explained.title_zh}" in analysis
    text = full_text(document)
    for finding in report.findings:
        assert finding.title_zh in text


def test_every_provision_is_quoted_with_dates_and_flags(document: DocxDocument, report: CaseReport) -> None:
    _, quoted, _ = section_text(document, "引用的法律条文")
    assert report.provisions
    for p in report.provisions:
        assert p.citation_zh in quoted and p.dates_zh in quoted and f"要点：{p.gist_zh}" in quoted
        for line in p.text.splitlines():
            assert line.strip() in quoted
    summaries = [p for p in report.provisions if p.text_kind == "summary"]
    assert quoted.count("以下为要点摘要，非原文") == len(summaries)
    secondary = [p for p in report.provisions if p.reliability != "primary"]
    assert quoted.count("来源为二手资料，请核对官方文本") == len(secondary)


def test_evidence_files_are_listed_with_the_full_sha256(document: DocxDocument, report: CaseReport) -> None:
    files_table = document.tables[-1]
    assert [c.text for c in files_table.rows[0].cells] == ["文件", "类型", "条目", "SHA-256"]
    listed = {row.cells[3].text for row in files_table.rows[1:]}
    assert listed == {f.sha256 for f in report.evidence_files}
    text = full_text(document)
    for f in report.evidence_files:
        assert f.sha256 in text and f.name in text


def test_the_evidence_table_marks_every_quote_and_traces_it_to_its_file(
    document: DocxDocument, report: CaseReport
) -> None:
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "编号")
    assert table.style is not None and table.style.name == "Table Grid"
    header = table.rows[0].cells[0]._tc.tcPr
    header_fill = header.find(qn("w:shd")) if header is not None else None
    assert header_fill is not None and header_fill.get(qn("w:fill"))
    rows = table.rows[1:]
    assert [row.cells[0].text for row in rows] == [e.ref for e in report.evidence]
    for row, e in zip(rows, report.evidence, strict=True):
        content = row.cells[1]
        marked = [r.text for p in content.paragraphs for r in p.runs if r.bold and r.font.highlight_color]
        assert e.quote in "".join(marked)
        assert all(
            r.font.highlight_color == WD_COLOR_INDEX.YELLOW
            for p in content.paragraphs
            for r in p.runs
            if r.bold
        )
        assert (e.context or e.quote) in content.text
        source = row.cells[2].text
        assert (e.file_name or "—") in source
        if e.sha256:
            assert e.sha256 in source
        if e.counterparty:
            assert e.counterparty in source


def test_pictures_are_the_chart_and_one_crop_per_screenshot_quote(
    document: DocxDocument, report: CaseReport
) -> None:
    crops = [e for e in report.evidence if e.crop_png]
    assert crops and report.timeline.chart_png
    shapes = list(document.inline_shapes)
    assert len(shapes) == 1 + len(crops)
    chart = shapes[0]
    assert abs(chart.width - Cm(16)) < Cm(0.01)
    for crop in shapes[1:]:
        assert crop.width <= Cm(9) and crop.height <= Cm(6)
    # The crops sit in the evidence table, under their quote.
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "编号")
    for row, e in zip(table.rows[1:], report.evidence, strict=True):
        drawings = row.cells[1]._tc.xpath(".//w:drawing")
        assert len(drawings) == (1 if e.crop_png else 0), e.ref


def test_chinese_fonts_are_named_on_normal_headings_and_runs(document: DocxDocument) -> None:
    for name in ("Normal", *HEADING_STYLES, "List Bullet"):
        style = document.styles[name]
        assert isinstance(style, ParagraphStyle)
        assert east_asian_font(style) == REPORT_CJK_FONT, name
        fonts = style.element.rPr.rFonts
        assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None, name
    normal = document.styles["Normal"].element.rPr
    assert normal.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    body = document.element.body
    for fonts in body.iter(qn("w:rFonts")):
        assert fonts.get(qn("w:eastAsia")), "a run names fonts without the East Asian one"


def test_unknown_facts_are_asked_only_as_questions(document: DocxDocument, report: CaseReport) -> None:
    assert report.open_questions
    before, questions, after = section_text(document, "还需要弄清的问题")
    for i, q in enumerate(report.open_questions, 1):
        assert f"{i}.\t{q.text_zh}" in questions and q.why_zh in questions
        assert q.text_zh not in before and q.text_zh not in after


def test_the_chinese_text_reads_back_unmangled(document: DocxDocument, report: CaseReport) -> None:
    text = full_text(document)
    assert "\ufffd" not in text and "?" * 3 not in text
    for line in [*report.plain_summary_zh, report.disclaimer_zh, *[fact.value_zh for fact in report.facts]]:
        assert line in text
    for e in report.evidence:
        assert (e.context or e.quote) in text
    assert re.search(r"[\u4e00-\u9fff]{20}", text)


def test_hostile_and_xml_illegal_message_text_does_not_break_the_file(report: CaseReport) -> None:
    hostile = "<script>alert('x')</script>\x07还钱\x00"
    evil = EvidenceRef(ref="E99", quote=hostile, quotes=[hostile], label_zh="测试")
    data = render_report_docx(report.model_copy(update={"evidence": [*report.evidence, evil]}))
    text = full_text(docx.Document(io.BytesIO(data)))
    assert "<script>alert('x')</script>还钱" in text
    assert "\x07" not in text and "\x00" not in text


def test_a_report_without_findings_timeline_or_questions_still_renders(report: CaseReport) -> None:
    bare = report.model_copy(
        update={
            "findings": [],
            "provisions": [],
            "evidence": [],
            "similar_cases": [],
            "open_questions": [],
            "notes_zh": [],
            "timeline": report.timeline.model_copy(update={"days": [], "chart_png": None}),
        }
    )
    doc = docx.Document(io.BytesIO(render_report_docx(bare)))
    assert headings(doc, "Heading 1") == html_headings(bare, "h2")
    text = full_text(doc)
    assert "根据已知事实，没有认定违法行为。" in text and "没有引用的证据片段。" in text
    assert len(doc.inline_shapes) == 0


# ---------------------------------------------------------------------------- letters

SHA = ("a" * 64, "b" * 64, "0123456789abcdef" * 4)


@pytest.fixture(scope="module")
def letter() -> Letter:
    return Letter(
        kind="regulator-complaint",
        file_stem="1-金融监管投诉书",
        title_zh="金融消费投诉书",
        addressee_zh="国家金融监督管理总局",
        channel="nfra-12378",
        header_lines=[f"投诉人：{blank('姓名')}，身份证号：{blank('身份证号码')}", "被投诉机构：速借宝"],
        sections=[
            LetterSection(heading_zh="投诉事项", paragraphs=["速借宝在催收过程中联系本人通讯录中的第三人。"]),
            LetterSection(
                heading_zh="事实经过",
                paragraphs=["2025年6月11日23时40分，催收方发送短信威胁。", "本人父亲接到催收电话。"],
            ),
        ],
        attachments=[
            Attachment(name="sms.xml", sha256=SHA[0], description_zh="短信备份，21条记录"),
            Attachment(name="微信截图.png", sha256=SHA[1], description_zh="截图"),
            Attachment(name="我的陈述.txt", sha256=SHA[2], description_zh="本人陈述"),
        ],
        signature_lines=[f"投诉人：{blank('签名')}", "2026年11月29日"],
        blanks_zh=["姓名", "身份证号码", "签名"],
        guidance_zh=["提交前请核对附件哈希。"],
        provisions=["pipl-10"],
    )


def test_a_letter_is_the_document_only_laid_out_for_filing(letter: Letter) -> None:
    doc = docx.Document(io.BytesIO(render_letter_docx(letter)))
    section = doc.sections[0]
    assert a4(section)
    title = doc.paragraphs[0]
    assert title.text == "金融消费投诉书" and style_name(title) == "Title"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    texts = [p.text for p in doc.paragraphs]
    assert texts[1] == "致：国家金融监督管理总局"
    assert texts[2:4] == letter.header_lines
    assert headings(doc, "Heading 1") == ["投诉事项", "事实经过", "附件（证据清单）"]
    for paragraph in (p for s in letter.sections for p in s.paragraphs):
        assert paragraph in texts
    attachments = [t for t in texts if t.startswith("附件") and "SHA-256" in t]
    assert attachments == [
        "附件1：sms.xml（SHA-256：" + SHA[0] + "）— 短信备份，21条记录",
        "附件2：微信截图.png（SHA-256：" + SHA[1] + "）— 截图",
        "附件3：我的陈述.txt（SHA-256：" + SHA[2] + "）— 本人陈述",
    ]
    signatures = [p for p in doc.paragraphs if p.text in letter.signature_lines]
    assert [p.text for p in signatures] == letter.signature_lines
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in signatures)
    text = "\n".join(texts)
    assert text.count("【请填写：") == 3
    assert "提交前请核对附件哈希" not in text
    for name in ("Normal", "Title", "Heading 1"):
        style = doc.styles[name]
        assert isinstance(style, ParagraphStyle) and east_asian_font(style) == LETTER_CJK_FONT


def test_a_letter_keeps_line_breaks_and_skips_a_duplicate_addressee(letter: Letter) -> None:
    demand = letter.model_copy(
        update={
            "kind": "demand-letter",
            "header_lines": ["致：速借宝", *letter.header_lines],
            "sections": [LetterSection(paragraphs=["本人系贵司借款用户。"]), *letter.sections],
            "signature_lines": ["发函人：\n（签名）", "2026年11月29日"],
        }
    )
    doc = docx.Document(io.BytesIO(render_letter_docx(demand)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[1] == "致：速借宝" and "致：国家金融监督管理总局" not in texts
    assert "本人系贵司借款用户。" in texts
    assert "发函人：\n（签名）" in texts


def test_the_guidance_goes_to_the_borrower_separately(letter: Letter) -> None:
    guidance = render_letter_guidance_md(letter)
    assert "提交前请核对附件哈希。" in guidance and "姓名" in guidance
    assert render_letter_guidance_md(letter.model_copy(update={"guidance_zh": []})) == ""


def test_every_built_document_renders_with_all_evidence_by_hash(report: CaseReport) -> None:
    letters = build_letters(report)
    assert letters
    hashes = {f.sha256 for f in report.evidence_files}
    for built in letters:
        doc = docx.Document(io.BytesIO(render_letter_docx(built)))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert built.title_zh in text
        for sha in hashes:
            assert sha in text
        assert not any(g in text for g in built.guidance_zh)


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice is not installed (not required)",
)
def test_libreoffice_prints_the_chinese_text(report_docx: bytes, report: CaseReport, tmp_path: Path) -> None:
    source = tmp_path / "report.docx"
    source.write_bytes(report_docx)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(tmp_path / "report.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    plain = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", report.verdict_zh) in plain
    for finding in report.findings:
        assert re.sub(r"\s+", "", finding.title_zh) in plain
