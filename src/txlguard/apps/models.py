"""What the APK analysis finds: the JSON shapes of `txlguard app --format json` (Pydantic)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DataKind = Literal["contacts", "call_log", "sms"]
DATA_ZH: dict[str, str] = {"contacts": "通讯录", "call_log": "通话记录", "sms": "短信"}


class Permission(BaseModel):
    """A permission the manifest requests, with what it exposes."""

    name: str
    group: str = "other"
    zh: str = ""
    necessary: bool = True


class CodePath(BaseModel):
    """A method of the app's code that reads a provider of contacts, call log or SMS."""

    data: DataKind
    method: str = Field(description="Dalvik signature, Lpkg/Class;->name(args)ret")
    evidence: list[str] = Field(description="the instructions that show it (provider reference, query call)")
    queries: bool = Field(description="the method calls ContentResolver.query (or a loader) itself")
    endpoints: list[str] = Field(
        default_factory=list, description="URLs in the method, its callees and callers"
    )
    network: list[str] = Field(
        default_factory=list,
        description="network calls (URL.openConnection, OkHttp, Retrofit, Volley…) in the same methods",
    )
    sdk: str | None = Field(default=None, description="the third-party SDK whose package holds the method")


class Sdk(BaseModel):
    """A third-party SDK identified by the package of its classes."""

    prefix: str
    name: str
    kind: str
    classes: int
    reads: list[DataKind] = Field(
        default_factory=list, description="what its code queries: contacts, call_log, sms (in that order)"
    )


class ApkFacts(BaseModel):
    """Everything read from one APK."""

    file: str
    sha256: str
    size: int
    package: str
    version_name: str | None = None
    version_code: str | None = None
    app_name: str | None = None
    permissions: list[Permission] = Field(default_factory=list)
    has_code: bool = False
    code_paths: list[CodePath] = Field(default_factory=list)
    sdks: list[Sdk] = Field(default_factory=list)
    seconds: float = 0.0

    def requests(self, group: str) -> bool:
        return any(p.group == group for p in self.permissions)

    def uploads(self) -> bool:
        """A reading method reaches both a URL and a network call: the data is likely sent out."""
        return any(c.queries and c.endpoints and c.network for c in self.code_paths)

    def reads(self, data: DataKind) -> bool:
        return any(c.data == data and c.queries for c in self.code_paths)
