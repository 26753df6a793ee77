"""Evidence files for tests and examples: an Android "SMS Backup & Restore" ``sms.xml``.

The format the SMS reader takes from real phones (``<smses>`` of ``<sms>`` elements with the
address, a millisecond timestamp, the type — 1 received, 2 sent — and the body); the tests of
several packages build their case material with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import quoteattr

SmsRow = tuple[str, datetime, int, str]
"""(address, time, type 1=received/2=sent, body)."""

RECEIVED = 1


def sms_backup_xml(messages: Sequence[SmsRow]) -> bytes:
    """The backup of ``messages``, as the app writes it (UTF-8, attribute values escaped)."""
    rows = "\n".join(
        f'  <sms protocol="0" address={quoteattr(address)} date="{int(at.timestamp() * 1000)}" '
        f'type="{kind}" subject="null" body={quoteattr(body)} read="1" status="-1" '
        f'contact_name="(Unknown)" readable_date="{at:%Y年%m月%d日 %H:%M:%S}" />'
        for address, at, kind, body in messages
    )
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        f'<smses count="{len(messages)}">\n{rows}\n</smses>\n'
    ).encode()
