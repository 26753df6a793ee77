"""The part of the APK analysis that runs androguard, in a child process (see :mod:`.analyze`).

``python -m txlguard.apps.worker APK`` prints one JSON object (:class:`ApkFacts` less the file
facts the parent adds) on stdout. It runs apart from the parent so that a hostile or huge APK
that makes androguard hang or swell is ended by the parent's timeout and memory limit.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import deque
from functools import cache
from importlib import resources
from typing import Any

import yaml

#: Provider references that read personal data: (data kind, pattern on an instruction's output).
_PROVIDERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("contacts", re.compile(r"Landroid/provider/ContactsContract[;$]|content://(com\.android\.)?contacts")),
    ("call_log", re.compile(r"Landroid/provider/CallLog[;$]|content://call_log")),
    ("sms", re.compile(r"Landroid/provider/Telephony\$(Sms|Mms|MmsSms)|content://(sms|mms)")),
)
_QUERY = re.compile(
    r"Landroid/content/(ContentResolver|ContentProviderClient);->query\(|Landroid/app/Activity;->managedQuery\(|"
    r"Landroid/(content|support/v4/content|x/loader/content)/CursorLoader;-><init>"
)
_URL = re.compile(r"https?://[^\s\"'<>]+")
#: Calls that send data over the network: java.net, OkHttp, Retrofit, Volley, Apache HttpClient,
#: AsyncHttpClient, Ktor, Cronet. A URL string alone (a help page, an image) is no upload.
_NETWORK = re.compile(
    r"Ljava/net/URL;->open(Connection|Stream)\(|Ljava/net/(HttpURLConnection|URLConnection);->"
    r"(connect|getOutputStream|getInputStream|getResponseCode)\(|Ljavax/net/ssl/HttpsURLConnection;->|"
    r"Ljava/net/Socket;-><init>|Lokhttp3/(OkHttpClient|Call|WebSocket)[;$]|Lcom/squareup/okhttp/|"
    r"Lretrofit2?/|Lcom/android/volley/|Lorg/apache/http/(client|impl/client)/|Lcom/loopj/android/http/|"
    r"Lio/ktor/client/|Lorg/chromium/net/"
)
#: What the worker writes to stderr once its dependencies are imported: a failure before it is a
#: failure to start (a memory limit too small), not a corrupt APK.
READY = "txlguard-apk-worker-ready"
#: How far along calls (either way) endpoints are looked for from a reading method.
_CALL_DEPTH = 2


@cache
def _permission_table() -> dict[str, dict[str, Any]]:
    path = resources.files("txlguard.apps") / "data" / "permissions.yaml"
    table: dict[str, dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["permissions"]
    return table


@cache
def _sdk_table() -> list[dict[str, str]]:
    path = resources.files("txlguard.apps") / "data" / "sdks.yaml"
    sdks: list[dict[str, str]] = yaml.safe_load(path.read_text(encoding="utf-8"))["sdks"]
    return sdks


def _java_name(dalvik_class: str) -> str:
    return dalvik_class[1:-1].replace("/", ".") if dalvik_class.startswith("L") else dalvik_class


def _sdk_of(java_class: str) -> dict[str, str] | None:
    return next((s for s in _sdk_table() if java_class.startswith(s["prefix"])), None)


def analyse(path: str) -> dict[str, Any]:
    """Manifest, permissions, contact/call-log/SMS reading code paths, their endpoints and SDKs."""
    from loguru import logger

    logger.remove()  # androguard logs every step at DEBUG to stderr
    from androguard.misc import AnalyzeAPK  # type: ignore[import-untyped]

    sys.stderr.write(READY + "\n")
    sys.stderr.flush()

    started = time.monotonic()
    apk, _dex, dx = AnalyzeAPK(path)
    table = _permission_table()
    permissions = []
    for name in sorted(set(apk.get_permissions())):
        known = table.get(name, {})
        permissions.append(
            {
                "name": name,
                "group": known.get("group", "other"),
                "zh": known.get("zh", ""),
                "necessary": bool(known.get("necessary", True)),
            }
        )
    methods = [m for m in dx.get_methods() if not m.is_external()]
    strings: dict[Any, list[str]] = {}
    calls: dict[Any, list[str]] = {}
    readers: list[tuple[Any, str, list[str], bool]] = []
    for ma in methods:
        found: dict[str, list[str]] = {}
        queries = False
        urls: list[str] = []
        network: list[str] = []
        for ins in ma.get_method().get_instructions():
            out = ins.get_output()
            name = ins.get_name()
            if name.startswith("const-string"):
                urls += _URL.findall(out)
            if name.startswith(("sget", "const-string")):
                for kind, pattern in _PROVIDERS:
                    if pattern.search(out):
                        found.setdefault(kind, []).append(f"{name} {out.split(',', 1)[-1].strip()}")
            elif name.startswith("invoke") and _QUERY.search(out):
                queries = True
                for evidence in found.values():
                    evidence.append(f"{name} {out.rsplit(',', 1)[-1].strip()}")
            elif name.startswith("invoke") and _NETWORK.search(out):
                network.append(out.rsplit(",", 1)[-1].strip())
        strings[ma] = urls
        calls[ma] = network
        for kind, evidence in found.items():
            readers.append((ma, kind, evidence, queries))
    code_paths = []
    for ma, kind, evidence, queries in readers:
        endpoints, network = _reach(ma, strings, calls)
        java_class = _java_name(ma.get_method().get_class_name())
        sdk = _sdk_of(java_class)
        code_paths.append(
            {
                "data": kind,
                "method": f"{ma.get_method().get_class_name()}->{ma.name}{ma.descriptor}",
                "evidence": evidence,
                "queries": queries,
                "endpoints": endpoints,
                "network": network,
                "sdk": sdk["name"] if sdk else None,
            }
        )
    counts: dict[str, int] = {}
    for cls in dx.get_classes():
        if cls.is_external():
            continue
        sdk = _sdk_of(_java_name(cls.name))
        if sdk:
            counts[sdk["prefix"]] = counts.get(sdk["prefix"], 0) + 1
    reading = {(c["sdk"], c["data"]) for c in code_paths if c["sdk"] and c["queries"]}
    sdks = [
        {
            "prefix": s["prefix"],
            "name": s["name"],
            "kind": s["kind"],
            "classes": counts[s["prefix"]],
            "reads": [kind for kind, _ in _PROVIDERS if (s["name"], kind) in reading],
        }
        for s in _sdk_table()
        if s["prefix"] in counts
    ]
    return {
        "package": apk.get_package() or "",
        "version_name": apk.get_androidversion_name(),
        "version_code": apk.get_androidversion_code(),
        "app_name": _app_name(apk),
        "permissions": permissions,
        "has_code": bool(methods),
        "code_paths": code_paths,
        "sdks": sdks,
        "seconds": round(time.monotonic() - started, 3),
    }


def _app_name(apk: Any) -> str | None:
    try:
        name = apk.get_app_name()
    except Exception:  # a label in resources androguard cannot resolve
        return None
    return str(name) if name else None


def _reach(
    start: Any, strings: dict[Any, list[str]], calls: dict[Any, list[str]]
) -> tuple[list[str], list[str]]:
    """URLs and network calls in ``start`` and in the app methods within ``_CALL_DEPTH`` calls of
    it, either way."""
    seen = {start}
    queue = deque([(start, 0)])
    urls: list[str] = []
    network: list[str] = []
    while queue:
        ma, depth = queue.popleft()
        urls += strings.get(ma, [])
        network += calls.get(ma, [])
        if depth == _CALL_DEPTH:
            continue
        neighbours = [m for _, m, _ in ma.get_xref_to()] + [m for _, m, _ in ma.get_xref_from()]
        for other in neighbours:
            if other not in seen and other in strings:
                seen.add(other)
                queue.append((other, depth + 1))
    return list(dict.fromkeys(urls)), list(dict.fromkeys(network))


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: python -m txlguard.apps.worker APK", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(analyse(sys.argv[1]), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
