"""Findings of the app and privacy-policy audit: boolean facts from an APK and policy labels,
matched against the rules of ``data/app_rules.yaml``, each citing provisions of the law base."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from txlguard.law import LawBase, default_law_base
from txlguard.reason.rules import join_cjk_lines


class When(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    all: list[str] = Field(default_factory=list)
    any: list[str] = Field(default_factory=list)
    none: list[str] = Field(default_factory=list)

    def holds(self, facts: Mapping[str, bool]) -> bool:
        return (
            all(facts.get(f, False) for f in self.all)
            and (not self.any or any(facts.get(f, False) for f in self.any))
            and not any(facts.get(f, False) for f in self.none)
        )


class AppRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: Literal["violation", "note"]
    title_zh: str
    summary_zh: str
    when: When
    provisions: list[str]

    @field_validator("summary_zh")
    @classmethod
    def _join(cls, value: str) -> str:
        return join_cjk_lines(value)


class AppRuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    rules: list[AppRule]


class Citation(BaseModel):
    """A provision as a report shows it."""

    id: str
    name_zh: str
    article: str
    gist_zh: str
    source: str
    effective_from: str | None = None
    reliability: Literal["primary", "secondary", "unverified"] = "primary"
    caveat_zh: str = Field(default="", description="（二手来源，效力待核实） unless read in an official text")


class AppFinding(BaseModel):
    id: str
    kind: Literal["violation", "note"]
    title_zh: str
    summary_zh: str
    provisions: list[str]
    citations: list[Citation] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list, description="the facts the finding rests on")


@cache
def app_rules() -> tuple[AppRule, ...]:
    path = resources.files("txlguard.reason") / "data" / "app_rules.yaml"
    return tuple(AppRuleFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).rules)


def judge_app(facts: Mapping[str, bool], law: LawBase | None = None) -> list[AppFinding]:
    """The findings whose conditions hold, violations first, with the cited provisions resolved."""
    law = law or default_law_base()
    out: list[AppFinding] = []
    for rule in app_rules():
        if not rule.when.holds(facts):
            continue
        citations = []
        for pid in rule.provisions:
            p = law.provision(pid)
            citations.append(
                Citation(
                    id=p.id,
                    name_zh=law.instruments[p.instrument].name_zh,
                    article=p.article,
                    gist_zh=p.gist_zh,
                    source=p.source,
                    effective_from=p.effective_from.isoformat() if p.effective_from else None,
                    reliability=p.reliability,
                    caveat_zh=p.caveat_zh,
                )
            )
        used = [f for f in (*rule.when.all, *rule.when.any) if facts.get(f, False)]
        out.append(AppFinding(**rule.model_dump(exclude={"when"}), citations=citations, facts=used))
    return sorted(out, key=lambda f: f.kind != "violation")
