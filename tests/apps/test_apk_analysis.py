"""APK analysis on real APKs: permissions from manifests compiled by aapt, contact-reading code paths
in dex assembled by smali, SDKs by package, and Debian's framework-res.apk."""

from __future__ import annotations

from pathlib import Path

import pytest

from txlguard.apps import ApkLimits, analyse_apk
from txlguard.apps.report import app_facts

from .conftest import FRAMEWORK_RES, Apks


def test_manifest_permissions_tell_the_fixtures_apart(apks: Apks) -> None:
    contacts = analyse_apk(apks.contacts_manifest)
    plain = analyse_apk(apks.plain_manifest)
    assert contacts.package == "com.example.kuaijie"
    assert (contacts.version_name, contacts.version_code) == ("2.3.1", "12")
    names = {p.name for p in contacts.permissions}
    assert {"android.permission.READ_CONTACTS", "android.permission.READ_CALL_LOG"} <= names
    assert contacts.requests("contacts") and contacts.requests("call_log")
    assert not plain.requests("contacts") and not plain.requests("call_log")
    assert {p.name for p in plain.permissions} == {"android.permission.INTERNET", "android.permission.CAMERA"}
    assert not contacts.has_code and not contacts.code_paths
    assert len(contacts.sha256) == 64 and contacts.size == apks.contacts_manifest.stat().st_size


def test_code_querying_contacts_is_found_with_its_endpoint(apks: Apks) -> None:
    facts = analyse_apk(apks.contacts_code)
    assert facts.has_code
    contacts = [c for c in facts.code_paths if c.data == "contacts"]
    assert len(contacts) == 1
    path = contacts[0]
    assert path.method.startswith("Lcom/example/loan/ContactUploader;->upload")
    assert path.queries
    assert any("ContactsContract$CommonDataKinds$Phone;->CONTENT_URI" in e for e in path.evidence)
    assert any("ContentResolver;->query" in e for e in path.evidence)
    assert path.endpoints == ["https://risk.kuaijie.example/api/v2/contacts/upload"]
    assert path.network == ["Ljava/net/URL;->openConnection()Ljava/net/URLConnection;"]
    assert facts.uploads()
    assert path.sdk is None
    assert facts.reads("contacts")


def test_an_sdk_reading_the_call_log_is_identified(apks: Apks) -> None:
    facts = analyse_apk(apks.contacts_code)
    calls = [c for c in facts.code_paths if c.data == "call_log"]
    assert len(calls) == 1 and calls[0].queries and calls[0].sdk == "同盾科技"
    assert calls[0].endpoints == []
    sdk = {s.prefix: s for s in facts.sdks}["cn.tongdun."]
    assert sdk.reads == ["call_log"] and sdk.classes == 1  # the call log, not the contacts


def test_code_without_contacts_has_no_code_path(apks: Apks) -> None:
    facts = analyse_apk(apks.clean_code)
    assert facts.has_code
    assert facts.code_paths == []
    assert [s.name for s in facts.sdks] == ["友盟+ 统计/推送"]
    assert facts.sdks[0].reads == []
    flags = app_facts(facts, [])
    assert not any(flags[k] for k in ("perm_contacts", "perm_call_log", "code_contacts", "code_upload"))


def test_debian_framework_res_is_analysed() -> None:
    if not FRAMEWORK_RES.exists():
        pytest.skip("android-framework-res is not installed")
    facts = analyse_apk(FRAMEWORK_RES, ApkLimits(timeout_seconds=240))
    assert facts.package == "android"
    assert facts.code_paths == []


def test_facts_are_json_round_trippable(apks: Apks, tmp_path: Path) -> None:
    facts = analyse_apk(apks.contacts_code)
    again = type(facts).model_validate_json(facts.model_dump_json())
    assert again == facts


def test_a_url_without_a_network_call_is_no_upload(apks: Apks) -> None:
    facts = analyse_apk(apks.url_only)
    [path] = facts.code_paths
    assert path.data == "contacts" and path.queries
    assert path.endpoints == ["https://www.kuaijie.example/help/privacy.html"]
    assert path.network == [] and not facts.uploads()
    flags = app_facts(facts, [])
    assert flags["code_endpoint"] and not flags["code_upload"]
