"""The dispatcher: the content decides which reader runs, not the file name."""

from __future__ import annotations

import gzip
import io
import json
import time
import zipfile

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from txlguard.ingest.models import IngestError
from txlguard.ingest.readers.base import MAX_FILE_BYTES
from txlguard.ingest.sources import read_evidence, sniff

from .test_android_backup import CALLS_XML, SMS_XML
from .test_chat_export import QQ_STYLE, SENDER_FIRST
from .test_tabular import GBK_CSV


def _parquet() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(
        pa.table({"time": ["2024-03-01 21:15"], "number": ["10086"], "text": ["逾期提醒"]}), buffer
    )
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (GBK_CSV.encode("gbk"), "导出.txt", "csv"),
        (SMS_XML, "sms.txt", "sms-backup-xml"),
        (CALLS_XML, "calls", "call-log-xml"),
        (b'{"text": "\xe4\xbd\xa0\xe5\xa5\xbd", "sent_at": "2024-03-01T21:15:00"}\n', "m.dat", "jsonl"),
        (json.dumps([{"text": "hi"}]).encode(), "m.json", "jsonl"),
        (_parquet(), "table.csv", "parquet"),
        (QQ_STYLE.encode("gb18030"), "qq.txt", "chat-export"),
        (SENDER_FIRST.encode(), "wechat", "chat-export"),
        ("[2024-03-01 21:15] 张三: 还钱\n[2024-03-01 21:16] 我: 好\n".encode(), "c.json", "chat-export"),
        ("您已逾期，请还款\n今天不还就上门\n".encode("gb18030"), "sms.csv.txt", "text"),
    ],
)
def test_dispatch_by_content(data: bytes, name: str, kind: str) -> None:
    evidence, items = read_evidence(data, name)
    assert evidence.kind == kind
    assert evidence.source_name == name
    assert items


def test_ambiguous_text_table_needs_the_extension() -> None:
    data = b"a,b\n1,2\n"
    assert sniff(data, "x.csv") == "csv"
    assert sniff(data, "x.txt") == "text"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空文件"),
        (b" \n\t\r\n ", "只有空白"),
        (gzip.compress(b"hello"), "gzip 压缩文件.*请先解压"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "PDF 文档"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "不是“SMS Backup & Restore”"),
    ],
)
def test_refusals(data: bytes, message: str) -> None:
    with pytest.raises(IngestError, match=message):
        read_evidence(data, "upload")


def test_zip_archive_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sms.xml", SMS_XML)
    with pytest.raises(IngestError, match=r"ZIP 压缩包.*请先解压"):
        read_evidence(buffer.getvalue(), "backup.zip")


def test_oversized_file_refused_quickly() -> None:
    data = b"x" * (MAX_FILE_BYTES + 1)
    started = time.perf_counter()
    with pytest.raises(IngestError, match=r"太大.*最多 50\.0 MB"):
        read_evidence(data, "big.txt")
    assert time.perf_counter() - started < 0.5


def test_mapping_passes_through() -> None:
    data = "when,who,what\n2024-03-01 21:15,催收,还钱\n".encode()
    _, items = read_evidence(data, "x.csv", mapping={"time": "when", "counterparty": "who", "text": "what"})
    assert items[0].counterparty == "催收"
