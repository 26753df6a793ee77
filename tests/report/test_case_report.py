"""The case report model and its HTML, PDF, Markdown and JSON skins, on a real judged case."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from markupsafe import escape
from PIL import Image

from txlguard.detect.logrules import within
from txlguard.law import default_law_base
from txlguard.report.build import allowed_hours, build_case_report, local_time
from txlguard.report.model import CaseReport, EvidenceRef
from txlguard.report.render import render_html, render_json, render_markdown, render_pdf

from .conftest import JudgedCase

SECTION_ORDER = [
    "verdict",
    "next-steps",
    "timeline",
    "findings",
    "facts",
    "evidence",
    "cases",
    "questions",
    "provisions",
]


@pytest.fixture(scope="module")
def report(judged_case: JudgedCase) -> CaseReport:
    return build_case_report(judged_case.material())


def window(report: CaseReport) -> tuple[date, date]:
    start, end = (date.fromisoformat(d) for d in (report.law_as_of[0], report.law_as_of[-1]))
    return start, end


def test_the_verdict_comes_first_in_plain_words(report: CaseReport) -> None:
    assert report.verdict == "unlawful"
    assert report.plain_summary_zh[0] == report.verdict_zh
    assert any("可以确认的违法行为" in s for s in report.plain_summary_zh)
    assert report.disclaimer_zh


def test_every_quoted_provision_is_cited_and_in_force_during_the_conduct(report: CaseReport) -> None:
    law = default_law_base()
    start, end = window(report)
    cited = {p for f in report.findings for p in [*f.provisions, *f.remedy_provisions]}
    assert {p.id for p in report.provisions} == cited
    for quoted in report.provisions:
        stored = law.provision(quoted.id)
        assert not (stored.effective_from and stored.effective_from > end), quoted.id
        assert not (stored.repealed_on and stored.repealed_on <= start), quoted.id
        assert quoted.effective_from == stored.effective_from
        if quoted.text_kind == "verbatim":
            assert quoted.text == stored.text
    for finding in report.findings:
        assert finding.provisions, f"{finding.id} has no citation"


def test_findings_by_regime_hold_only_violations_in_order(report: CaseReport) -> None:
    groups = report.by_regime()
    assert [name for name, _ in groups][:1] == ["民事责任"]
    seen = [f.id for _, items in groups for f in items] + [f.id for f in report.explanatory_notes()]
    assert sorted(seen) == sorted(f.id for f in report.findings)
    criminal = [f for f in report.findings if f.regime == "criminal"]
    # Qualitative thresholds (情节严重) are never established by the tool.
    assert all(f.status == "possible" for f in criminal)


def test_evidence_is_traced_to_files_by_hash_and_screenshots_are_cropped(
    report: CaseReport, judged_case: JudgedCase
) -> None:
    files = {f.sha256: f for f in report.evidence_files}
    assert len(files) == 3
    refs = {r for f in report.findings for r in f.evidence}
    assert refs == {e.ref for e in report.evidence}
    for e in report.evidence:
        assert e.sha256 in files
        assert e.file_name == files[e.sha256].name
        for quote in e.quotes:
            assert quote in (e.context or e.quote)
    narrative = [e for e in report.evidence if e.from_narrative]
    assert narrative and all(e.file_name == "我的陈述.txt" and e.occurred_at is None for e in narrative)
    shots = [e for e in report.evidence if e.sha256 == judged_case.screenshot_sha256]
    assert shots, "the screenshot's disclosure to a contact is evidence"
    original = Image.open(io.BytesIO(judged_case.store.read_original(judged_case.screenshot_sha256)))
    for e in shots:
        assert e.crop_png is not None and e.crop_box is not None
        left, top, right, bottom = e.crop_box
        assert 0 <= left < right <= original.width and 0 <= top < bottom <= original.height
        crop = Image.open(io.BytesIO(e.crop_png))
        assert crop.format == "PNG" and crop.width <= 640
        assert bottom - top < original.height / 2, "a crop is the bubble, not the whole screen"


def test_timeline_counts_contacts_per_day_and_off_hours(report: CaseReport, judged_case: JudgedCase) -> None:
    law = default_law_base()
    incoming = [
        c.communication
        for c in judged_case.store.communications(judged_case.case_id)
        if c.communication.timestamp is not None and c.communication.direction != "outgoing"
    ]
    assert report.timeline.total == len(incoming)
    off = 0
    for c in incoming:
        assert c.timestamp is not None
        moment = local_time(c.timestamp)
        hours = allowed_hours(law, moment.date())
        assert hours is not None
        off += not within(moment.time(), hours)
    assert report.timeline.total_off_hours == off > 0
    assert report.timeline.allowed_hours == ("08:00", "22:00")
    assert report.timeline.chart_png is not None
    chart = Image.open(io.BytesIO(report.timeline.chart_png))
    assert chart.width > 600 and chart.height > 200


def test_similar_cases_share_established_facts(report: CaseReport) -> None:
    law = default_law_base()
    assert report.similar_cases
    true_facts = {f.code for f in report.facts if f.value is True}
    for case in report.similar_cases:
        assert set(law.cases[case.id].fact_codes) & true_facts
        assert case.shared_zh


def test_next_steps_start_with_evidence_and_name_real_channels(report: CaseReport) -> None:
    law = default_law_base()
    assert report.next_steps[0].title_zh == "先保全证据"
    channels = [s.channel for s in report.next_steps if s.channel]
    assert channels and all(c in law.channels for c in channels)
    named = {c for f in report.findings if f.kind == "violation" for c in f.authorities}
    assert set(channels) == named
    assert channels.index("police-110") < channels.index("court-civil")


def test_unknown_facts_become_questions_not_claims(report: CaseReport) -> None:
    unknown = [f for f in report.facts if f.value is None]
    assert unknown, "the fixture leaves harm unknown"
    asked = {q.key for q in report.open_questions}
    assert "harm_suffered" in asked
    html = render_html(report)
    questions = html.split('<section id="questions">', 1)[1]
    before = html.split('<section id="questions">', 1)[0]
    for q in report.open_questions:
        assert escape(q.text_zh) in questions
        assert escape(q.text_zh) not in before


def test_html_has_every_section_in_order_and_all_the_content(report: CaseReport) -> None:
    html = render_html(report)
    positions = [html.index(f'<section id="{name}">') for name in SECTION_ORDER]
    assert positions == sorted(positions)
    assert report.verdict_zh in html
    for finding in report.findings:
        assert escape(finding.title_zh) in html
    for quoted in report.provisions:
        assert f'id="p-{quoted.id}"' in html
        assert escape(quoted.citation_zh) in html
    for f in report.evidence_files:
        assert f.sha256 in html
    crops = sum(1 for e in report.evidence if e.crop_png)
    assert html.count("data:image/png;base64,") == 1 + crops
    assert "<mark>" in html


def test_html_escapes_hostile_message_text(report: CaseReport) -> None:
    hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    evil = EvidenceRef(ref="E99", quote=hostile, quotes=[hostile], label_zh="测试")
    page = render_html(report.model_copy(update={"evidence": [*report.evidence, evil]}))
    assert "<script>" not in page and "onerror=alert(1)>" not in page
    assert "&lt;script&gt;" in page


def test_markdown_and_json_carry_the_same_content(report: CaseReport) -> None:
    md = render_markdown(report)
    assert md.startswith(f"# {report.title}")
    for heading in (
        "## 接下来怎么做",
        "## 法律分析",
        "## 证据清单",
        "## 引用的法律条文",
        "## 还需要弄清的问题",
    ):
        assert heading in md
    for f in report.evidence_files:
        assert f.sha256 in md
    data = json.loads(render_json(report))
    assert data["verdict"] == report.verdict
    assert len(data["findings"]) == len(report.findings)
    assert "chart_png" not in data["timeline"]
    assert all("crop_png" not in e for e in data["evidence"])
    assert CaseReport.model_validate(data).findings == report.findings


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_pdf_has_the_chinese_text_with_cjk_fonts_embedded(report: CaseReport, tmp_path: Path) -> None:
    pdf = render_pdf(report)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout
    plain = re.sub(r"\s+", "", text.decode("utf-8"))
    assert "\ufffd" not in plain
    assert re.sub(r"\s+", "", report.verdict_zh) in plain
    for finding in report.findings:
        assert re.sub(r"\s+", "", finding.title_zh) in plain
    civil_code = report.provision("civil-code-1032")
    assert re.sub(r"\s+", "", civil_code.text)[:30] in plain
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    assert "NotoSansCJK" in re.sub(r"[ -]", "", fonts)
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(path), str(png)], check=True)
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    darkest = page.getextrema()[0]
    assert isinstance(darkest, int) and darkest < 100, "page 1 has dark text on it"


def test_what_keeps_a_finding_open_is_named_in_chinese(report: CaseReport) -> None:
    for finding in report.findings:
        for name in finding.missing_zh:
            assert not re.search(r"[a-z_]{4,}", name), f"{finding.id}: {name}"


def test_open_questions_are_the_interviews_plan_with_hints(
    report: CaseReport, judged_case: JudgedCase
) -> None:
    from txlguard.report.build import planned_keys

    assert [q.key for q in report.open_questions] == planned_keys(judged_case.store, judged_case.case_id)
    with_hint = [q for q in report.open_questions if q.hint_zh]
    assert with_hint
    assert escape("怎样查到：" + with_hint[0].hint_zh) in render_html(report)


def test_rendering_a_pdf_leaves_truncated_images_refused(report: CaseReport) -> None:
    """WeasyPrint's import loosens a Pillow global; after a PDF the evidence readers stay strict."""
    from PIL import ImageFile

    render_pdf(report)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
