"""The web pages in a real browser at phone width: self-check with a screenshot, a whole case to a PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

import pytest
from playwright.sync_api import Page, expect

from .conftest import keep_screenshot, sms_backup

CHINA = timezone(timedelta(hours=8))


def collection_sms() -> bytes:
    at = datetime(2025, 6, 11, 23, 40, tzinfo=CHINA)
    return sms_backup(
        [
            ("17103258890", at, "今天不还就给你通讯录所有人发信息，让你亲戚朋友都知道你是老赖"),
            (
                "17103258890",
                at + timedelta(hours=10),
                "我是XX市公安局经侦大队的，你已涉嫌诈骗罪，48小时内将被拘留",
            ),
        ]
    )


@pytest.fixture(scope="module")
def screenshot_png(tmp_path_factory: pytest.TempPathFactory, screens: ModuleType) -> Path:
    image, _ = screens.render_thread(screens.THREADS[1])
    path = tmp_path_factory.mktemp("shots") / "微信截图.png"
    path.write_bytes(screens.png_bytes(image))
    return path


def test_self_check_with_pasted_text_and_a_screenshot(
    server: str, phone: Page, screenshot_png: Path, tmp_path: Path
) -> None:
    phone.goto(server + "/")
    expect(phone.locator("h1")).to_have_text("催收信息违法吗？")
    keep_screenshot(phone, "1-self-check", tmp_path)
    phone.fill("#text", "你再不还钱，我们就给你通讯录所有人发信息，说你是老赖\n您的借款已逾期，请尽快还款。")
    phone.set_input_files("#screenshots", str(screenshot_png))
    phone.click("text=开始检查")
    verdict = phone.locator("#verdict")
    expect(verdict).to_be_visible(timeout=60_000)
    expect(verdict).to_contain_text("违法")
    messages = phone.locator("article.message")
    assert messages.count() >= 4  # two pasted lines and the screenshot's collector messages
    assert phone.locator("article.message", has_text="微信截图.png").count() >= 1
    assert phone.locator("mark").count() >= 2
    expect(phone.locator("article.message").nth(1)).to_contain_text("未发现违法内容")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "nothing overflows a phone screen"
    keep_screenshot(phone, "2-self-check-results", tmp_path)


def test_self_check_rejects_a_zip_disguised_as_a_screenshot(server: str, phone: Page, tmp_path: Path) -> None:
    fake = tmp_path / "截图.png"
    fake.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    phone.goto(server + "/")
    phone.set_input_files("#screenshots", str(fake))
    phone.click("text=开始检查")
    error = phone.locator(".alert.error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("截图.png")


def test_a_whole_case_from_upload_to_a_downloaded_pdf(
    server: str, phone: Page, screenshot_png: Path, tmp_path: Path
) -> None:
    phone.goto(server + "/cases")
    keep_screenshot(phone, "3-cases", tmp_path)
    phone.fill("#title", "速借宝 爆通讯录")
    phone.click("text=新建案件")
    expect(phone.locator("#token-notice")).to_be_visible()
    sms = tmp_path / "sms.xml"
    sms.write_bytes(collection_sms())
    phone.set_input_files("#files", [str(sms), str(screenshot_png)])
    phone.click("#evidence button[type=submit]")
    expect(phone.locator("#evidence h2")).to_have_text("证据（2 份）", timeout=60_000)
    # The interview asks what the evidence does not answer; answer the first question.
    question = phone.locator("#interview form")
    expect(question).to_be_visible()
    before = phone.locator("#interview input[name=key]").get_attribute("value")
    first_button = phone.locator("#interview .choices button").first
    if first_button.count():
        first_button.click()
    else:
        phone.fill("#interview input[name=value]", "不知道")
        phone.click("#interview button[type=submit]")
    expect(phone.locator("#interview details summary")).to_contain_text("已回答（1）")
    assert phone.locator("#interview input[name=key]").get_attribute("value") != before
    phone.click("text=保存研判结果")
    expect(phone.locator("#judgement .verdict")).to_contain_text("违法")
    keep_screenshot(phone, "4-case", tmp_path)
    with phone.expect_download(timeout=120_000) as download_info:
        phone.click("#download-pdf")
    pdf = tmp_path / "report.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
        assert "速借宝 爆通讯录" in text and "法律分析" in text
    with phone.expect_download(timeout=120_000) as letters_info:
        phone.click("#download-letters")
    assert letters_info.value.suggested_filename.endswith(".zip")


def test_a_case_is_private_to_the_browser_that_made_it(server: str, browser: object, phone: Page) -> None:
    phone.goto(server + "/cases")
    phone.fill("#title", "别人的案件")
    phone.click("text=新建案件")
    expect(phone.locator("#token-notice")).to_be_visible()
    url = phone.url.split("?")[0]
    other = browser.new_context()  # type: ignore[attr-defined]
    try:
        stranger = other.new_page()
        response = stranger.goto(url)
        assert response is not None and response.status == 403
        assert stranger.locator("body").inner_text().count("没有打开这个案件的权限") == 1
    finally:
        other.close()


def test_compliance_page_blocks_an_impersonating_template(server: str, phone: Page, tmp_path: Path) -> None:
    phone.goto(server + "/compliance")
    phone.fill("#template", "我是法院的，你已被立案，明天来抓你")
    phone.click("main form button[type=submit]")
    expect(phone.locator("#decision")).to_contain_text("不应发送")
    keep_screenshot(phone, "5-compliance", tmp_path)
    phone.fill("#template", "【某某金融】尊敬的用户，您的借款已逾期3天，请尽快还款。如已还款请忽略。")
    phone.click("main form button[type=submit]")
    expect(phone.locator("#decision")).to_contain_text("可以发送")


def test_law_browser_search_and_provision(server: str, phone: Page, tmp_path: Path) -> None:
    phone.goto(server + "/law")
    phone.fill("input[name=q]", "通讯录")
    phone.click("form.search button")
    results = phone.locator("ul.provisions li a")
    assert results.count() >= 1
    phone.goto(server + "/law/civil-code-1032")
    expect(phone.locator("blockquote.statute")).to_contain_text("自然人享有隐私权")
    keep_screenshot(phone, "6-law", tmp_path)


def test_pages_and_api_share_one_server(server: str) -> None:
    with urllib.request.urlopen(server + "/healthz") as response:
        assert response.status == 200
        json.loads(response.read())
