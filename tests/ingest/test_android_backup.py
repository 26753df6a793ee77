"""SMS Backup & Restore files (sms.xml, calls.xml), and the XML attacks and breakage they must survive."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

import pytest

from txlguard.ingest.models import IngestError
from txlguard.ingest.readers.android import read_android_backup

CN = ZoneInfo("Asia/Shanghai")


def ms(year: int, month: int, day: int, hour: int, minute: int) -> int:
    """Milliseconds since 1970, as SMS Backup & Restore writes ``date``."""
    return int(datetime(year, month, day, hour, minute, tzinfo=CN).timestamp() * 1000)


def sms(address: str, when: int, kind: int, body: str, name: str = "(Unknown)", *, raw: bool = False) -> str:
    """One <sms> line; ``raw`` keeps character references in the body as the app writes them."""
    body_attr = f'"{body}"' if raw else quoteattr(body)
    return (
        f'  <sms protocol="0" address={quoteattr(address)} date="{when}" type="{kind}" subject="null" '
        f'body={body_attr} toa="null" sc_toa="null" service_center="null" read="1" status="-1" '
        f'locked="0" date_sent="{when - 1000}" sub_id="1" readable_date="x" contact_name={quoteattr(name)} />'
    )


SMS_XML = "\n".join(
    [
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>",
        "<!--File Created By SMS Backup & Restore v10.20.002 on 05/03/2024 23:59:01-->",
        '<?xml-stylesheet type="text/xsl" href="sms.xsl"?>',
        '<smses count="5" backup_set="8a9c" backup_date="1709654341000" type="full">',
        sms("10690571234567", ms(2024, 3, 1, 9, 12), 1, "【速借宝】您的借款3500元已逾期7天，请今日还款。"),
        sms(
            "10690571234567",
            ms(2024, 3, 2, 22, 31),
            1,
            "不还就发给你通讯录所有人 &#55357;&#56865;",
            "速借宝",
            raw=True,
        ),
        sms("+86 138 0013 8000", ms(2024, 3, 2, 22, 40), 2, "请不要再骚扰我的家人", "null"),
        f'  <mms date="{ms(2024, 3, 3, 6, 41)}" msg_box="1" address="16500112233" contact_name="(Unknown)" '
        'ct_t="application/vnd.wap.multipart.related" read="1">',
        "    <parts>",
        '      <part seq="-1" ct="application/smil" text="&lt;smil&gt;&lt;/smil&gt;" />',
        '      <part seq="0" ct="text/plain" chset="106" text="你的照片已经做成海报" />',
        '      <part seq="1" ct="image/jpeg" name="poster.jpg" data="/9j/4AAQSkZJRg==" />',
        '      <part seq="2" ct="text/plain" chset="106" text="今天发到你们村群里" />',
        "    </parts>",
        "    <addrs>",
        '      <addr address="16500112233" type="137" charset="106" />',
        '      <addr address="13800138000" type="151" charset="106" />',
        "    </addrs>",
        "  </mms>",
        "</smses>",
    ]
).encode()


def test_sms_backup() -> None:
    evidence, items = read_android_backup(SMS_XML, "sms-20240305.xml")
    assert evidence.kind == "sms-backup-xml"
    assert evidence.media_type == "application/xml"
    assert len(items) == 4
    first, second, sent, mms = items
    assert first.channel == "sms"
    assert first.direction == "incoming"
    assert first.counterparty == "10690571234567"
    assert first.timestamp == datetime(2024, 3, 1, 9, 12, tzinfo=CN)
    assert first.text == "【速借宝】您的借款3500元已逾期7天，请今日还款。"
    assert second.text == "不还就发给你通讯录所有人 😡"  # emoji written as a surrogate pair, as the app does
    assert sent.direction == "outgoing"
    assert sent.counterparty == "+86 138 0013 8000"
    assert mms.text == "你的照片已经做成海报\n今天发到你们村群里"
    assert mms.counterparty == "16500112233"
    assert mms.direction == "incoming"
    assert mms.timestamp == datetime(2024, 3, 3, 6, 41, tzinfo=CN)
    assert [c.index for c in items] == [0, 1, 2, 3]


def call(number: str, when: int, kind: int, duration: int) -> str:
    return (
        f'  <call number={quoteattr(number)} duration="{duration}" date="{when}" type="{kind}" '
        f'presentation="1" subscription_id="1" post_dial_digits="" readable_date="x" contact_name="(Unknown)" />'
    )


CALLS_XML = "\n".join(
    [
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>",
        '<calls count="5" backup_set="77" backup_date="1709654341000" type="full">',
        call("17103258890", ms(2024, 3, 5, 9, 0), 1, 125),
        call("17103258890", ms(2024, 3, 5, 9, 5), 3, 0),
        call("17103258890", ms(2024, 3, 5, 23, 30), 5, 0),
        call("95188", ms(2024, 3, 5, 10, 0), 2, 70),
        call("17103258890", ms(2024, 3, 5, 9, 10), 3, 12),  # missed calls never connected
        "</calls>",
    ]
).encode()


def test_call_log_backup() -> None:
    evidence, items = read_android_backup(CALLS_XML, "calls.xml")
    assert evidence.kind == "call-log-xml"
    assert [c.channel for c in items] == ["call"] * 5
    assert [c.direction for c in items] == ["incoming", "incoming", "incoming", "outgoing", "incoming"]
    assert [c.duration_seconds for c in items] == [125, 0, 0, 70, 0]
    assert items[1].text == "未接来电"
    assert items[2].text == "已拒接来电"
    assert items[0].text == "来电（通话 125 秒）"
    assert items[2].timestamp == datetime(2024, 3, 5, 23, 30, tzinfo=CN)


def test_same_bytes_same_hash_and_items() -> None:
    first = read_android_backup(CALLS_XML, "calls.xml")
    again = read_android_backup(CALLS_XML, "renamed.xml")
    assert first[0].sha256 == again[0].sha256
    assert [c.id for c in first[1]] == [c.id for c in again[1]]


def test_truncated_xml() -> None:
    with pytest.raises(IngestError, match=r"不是完整有效的 XML（第\d+行第\d+列出错）.*截断"):
        read_android_backup(SMS_XML[: len(SMS_XML) // 2], "sms.xml")


def test_billion_laughs_refused_quickly() -> None:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    ]
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE smses [\n' + "\n".join(entities) + "\n]>\n"
        '<smses><sms address="1" date="1709298903000" type="1" body="&lol9;" /></smses>'
    ).encode()
    started = time.perf_counter()
    with pytest.raises(IngestError, match=r"亿笑|XML 炸弹"):
        read_android_backup(bomb, "bomb.xml")
    assert time.perf_counter() - started < 1.0


def test_external_entity_refused_and_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN", encoding="utf-8")
    attack = (
        f'<?xml version="1.0"?>\n<!DOCTYPE smses [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
        '<smses><sms address="1" date="1709298903000" type="1" body="&xxe;" /></smses>'
    ).encode()
    with pytest.raises(IngestError, match="外部") as caught:
        read_android_backup(attack, "xxe.xml")
    assert "TOP-SECRET-TOKEN" not in str(caught.value)


def test_parameter_entity_and_plain_dtd_refused() -> None:
    parameter = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "http://example.invalid/x.dtd"> %p;]><smses/>'
    )
    with pytest.raises(IngestError, match="外部"):
        read_android_backup(parameter, "p.xml")
    with pytest.raises(IngestError, match="DTD"):
        read_android_backup(b'<?xml version="1.0"?><!DOCTYPE smses SYSTEM "sms.dtd"><smses/>', "d.xml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>hi</body></html>", "不是“SMS Backup & Restore”.*<html>"),
        (b"<smses count='0'></smses>", "没有读到任何消息"),
        (b"", "空文件"),
        (b"<smses><sms date='yesterday' type='1' body='x' /></smses>", "不是毫秒时间戳"),
        (b"<calls><call date='1709298903000' type='1' duration='long' /></calls>", "通话时长.*不是整数"),
    ],
)
def test_broken_backups(data: bytes, message: str) -> None:
    with pytest.raises(IngestError, match=message):
        read_android_backup(data, "backup.xml")
