"""Real APK fixtures, built once per session: manifests compiled by Debian's aapt against Debian's
framework-res.apk, code assembled from the smali sources beside this file by Debian's smali and
added as classes.dex. Nothing is downloaded."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
FRAMEWORK_RES = Path("/usr/share/android-framework-res/framework-res.apk")


@dataclass(frozen=True)
class Apks:
    contacts_manifest: Path  # READ_CONTACTS + READ_CALL_LOG, no code
    plain_manifest: Path  # INTERNET + CAMERA, no code
    contacts_code: (
        Path  # READ_CONTACTS…, code querying contacts (posting to a URL) and an SDK reading the call log
    )
    clean_code: Path  # INTERNET + CAMERA, code that reads no contacts, an analytics SDK class
    url_only: Path  # READ_CONTACTS…, code counting contacts near a help-page URL, no network call


def _tools() -> tuple[str, str]:
    aapt, smali = shutil.which("aapt"), shutil.which("smali")
    if not (aapt and smali and FRAMEWORK_RES.exists()):
        pytest.skip("aapt, smali or framework-res.apk missing: run scripts/install-system-deps.sh test")
    return aapt, smali


def _package(aapt: str, manifest: Path, out: Path) -> Path:
    named = out.parent / out.stem / "AndroidManifest.xml"  # aapt wants this exact file name
    named.parent.mkdir()
    shutil.copy(manifest, named)
    subprocess.run(
        [aapt, "package", "-f", "-M", str(named), "-I", str(FRAMEWORK_RES), "-F", str(out)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out


def _with_dex(smali: str, base: Path, sources: Path, out: Path) -> Path:
    dex = out.with_suffix(".dex")
    subprocess.run(
        [smali, "assemble", "-o", str(dex), str(sources)], check=True, capture_output=True, timeout=120
    )
    shutil.copy(base, out)
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(dex, "classes.dex")
    return out


@pytest.fixture(scope="session")
def apks(tmp_path_factory: pytest.TempPathFactory) -> Apks:
    aapt, smali = _tools()
    root = tmp_path_factory.mktemp("apks")
    contacts = _package(aapt, FIXTURES / "AndroidManifest-contacts.xml", root / "contacts_manifest.apk")
    plain = _package(aapt, FIXTURES / "AndroidManifest-plain.xml", root / "plain_manifest.apk")
    return Apks(
        contacts_manifest=contacts,
        plain_manifest=plain,
        contacts_code=_with_dex(smali, contacts, FIXTURES / "reader", root / "contacts_code.apk"),
        clean_code=_with_dex(smali, plain, FIXTURES / "clean", root / "clean_code.apk"),
        url_only=_with_dex(smali, contacts, FIXTURES / "picker", root / "url_only.apk"),
    )
