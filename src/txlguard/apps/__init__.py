"""App and privacy-policy audit: what a lending app can read, what its code does with the contact
list, and what its policy and agreement claim — against the law base.

The APK is checked cheaply first (:mod:`.limits`), then analysed by androguard in a child process
with a timeout and a memory limit (:mod:`.analyze`, :mod:`.worker`); policy and agreement text is
labelled by :mod:`txlguard.detect.policy`; :mod:`txlguard.reason.app_rules` turns both into findings.
"""

from txlguard.apps.analyze import analyse_apk
from txlguard.apps.limits import ApkError, ApkLimits, check_apk
from txlguard.apps.models import ApkFacts, CodePath, Permission, Sdk
from txlguard.apps.report import (
    AppAudit,
    DocumentAudit,
    audit_document,
    build_audit,
    render_html,
    render_text,
)

__all__ = [
    "ApkError",
    "ApkFacts",
    "ApkLimits",
    "AppAudit",
    "CodePath",
    "DocumentAudit",
    "Permission",
    "Sdk",
    "analyse_apk",
    "audit_document",
    "build_audit",
    "check_apk",
    "render_html",
    "render_text",
]
