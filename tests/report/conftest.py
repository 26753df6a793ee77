"""A judged case with real evidence (SMS backup, a rendered screenshot, the borrower's account).

Built once per test session on a SQLite store: the screenshot is rendered with Debian's Noto CJK
font by benchmarks/ocr_accuracy.py and read back by the real OCR engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

import pytest

from txlguard.ingest.testing import sms_backup_xml
from txlguard.pipeline import judge_case
from txlguard.report.build import CaseMaterial, gather
from txlguard.store import Store, open_store

CHINA = timezone(timedelta(hours=8))
COLLECTOR = "17103258890"

ACCOUNT = (
    "我在速借宝借了3000元，到手只有2100元，7天后要还3000元。借款时App要求必须授权通讯录，不授权就不能借款。"
    "逾期以后，他们给我通讯录里的同事、亲戚打电话发短信，说我欠钱不还是老赖，我父亲也接到了电话。"
)


def collection_sms() -> bytes:
    messages = [
        (COLLECTOR, datetime(2025, 6, day, hour, 5, tzinfo=CHINA), 1, "您的借款已逾期，请今天18点前还款。")
        for day in range(10, 16)
        for hour in (9, 14, 23)
    ]
    messages += [
        (
            COLLECTOR,
            datetime(2025, 6, 11, 23, 40, tzinfo=CHINA),
            1,
            "今天不还就给你通讯录所有人发信息，让你亲戚朋友都知道你是老赖",
        ),
        (
            COLLECTOR,
            datetime(2025, 6, 12, 9, 0, tzinfo=CHINA),
            1,
            "我是XX市公安局经侦大队的，你已涉嫌诈骗罪，48小时内将被拘留",
        ),
        (COLLECTOR, datetime(2025, 6, 12, 9, 5, tzinfo=CHINA), 2, "请不要再骚扰我的家人"),
    ]
    return sms_backup_xml(messages)


@dataclass
class JudgedCase:
    store: Store
    case_id: str
    root: Path
    screenshot_sha256: str

    def material(self) -> CaseMaterial:
        return gather(self.store, self.case_id)


@pytest.fixture(scope="session")
def judged_case(tmp_path_factory: pytest.TempPathFactory, screens: ModuleType) -> Iterator[JudgedCase]:
    root = tmp_path_factory.mktemp("judged-case")
    store = open_store(f"sqlite:///{root / 'cases.sqlite'}", blob_dir=root / "blobs")
    case = store.create_case("速借宝 爆通讯录")
    store.add_evidence(case.id, collection_sms(), "sms.xml")
    image, _ = screens.render_thread(screens.THREADS[1])
    shot = store.add_evidence(case.id, screens.png_bytes(image), "微信截图.png")
    store.add_evidence(case.id, ACCOUNT.encode("utf-8"), "我的陈述.txt")
    with store.transaction() as session:
        judge_case(session, case.id)
    try:
        yield JudgedCase(store=store, case_id=case.id, root=root, screenshot_sha256=shot.evidence.sha256)
    finally:
        store.close()
