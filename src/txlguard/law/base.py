"""Load the law base from its data files and answer look-ups: by id, by date, by words."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from txlguard.law.models import (
    Channel,
    CodeMeaning,
    Instrument,
    LegalCase,
    Parameter,
    Provision,
)

T = TypeVar("T", bound=BaseModel)
V = TypeVar("V")


class LawBaseError(ValueError):
    """The law base data is inconsistent; the message names the file and record."""


def _data_dir() -> Path:
    return Path(str(resources.files("txlguard.law") / "data"))


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _parse(model: type[T], raw: Any, where: str) -> T:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise LawBaseError(f"{where}: {exc}") from exc


class LawBase:
    """The whole law base in memory, loaded once; every look-up is a dict access or a scan."""

    def __init__(
        self,
        instruments: Iterable[Instrument],
        cases: Iterable[LegalCase],
        channels: Iterable[Channel],
        parameters: Iterable[Parameter],
        codes: Iterable[CodeMeaning],
    ) -> None:
        self.instruments: dict[str, Instrument] = {}
        self.provisions: dict[str, Provision] = {}
        self.aliases: dict[str, str] = {}
        for instrument in instruments:
            if instrument.slug in self.instruments:
                raise LawBaseError(f"instrument {instrument.slug} defined twice")
            self.instruments[instrument.slug] = instrument
            for provision in instrument.provisions:
                if provision.id in self.provisions:
                    raise LawBaseError(f"provision {provision.id} defined twice")
                if provision.instrument != instrument.slug:
                    raise LawBaseError(
                        f"provision {provision.id} says instrument {provision.instrument}, "
                        f"but sits in {instrument.slug}"
                    )
                self.provisions[provision.id] = provision
                for alias in provision.aliases:
                    if alias in self.aliases:
                        raise LawBaseError(f"alias {alias} used twice")
                    self.aliases[alias] = provision.id
        self.cases = _index(cases, lambda c: c.id, "case")
        self.channels = _index(channels, lambda c: c.id, "channel")
        self.parameters = _index(parameters, lambda p: p.id, "parameter")
        self.codes = _index(codes, lambda c: c.code, "code")

    # -- look-ups ---------------------------------------------------------------------------
    def resolve(self, provision_id: str) -> str:
        """The canonical id for an id or alias (``csl-41`` → ``csl-2017-41``)."""
        if provision_id in self.provisions:
            return provision_id
        if provision_id in self.aliases:
            return self.aliases[provision_id]
        raise KeyError(provision_id)

    def provision(self, provision_id: str) -> Provision:
        return self.provisions[self.resolve(provision_id)]

    def has(self, provision_id: str) -> bool:
        return provision_id in self.provisions or provision_id in self.aliases

    def in_force(self, day: date) -> list[Provision]:
        return [p for p in self.provisions.values() if p.in_force_on(day)]

    def parameter(self, parameter_id: str, day: date | None = None) -> Any:
        """The value of a numeric rule on ``day`` (today by default)."""
        param = self.parameters[parameter_id]
        value = param.value_on(day or date.today())
        if value is None:
            raise KeyError(f"{parameter_id} has no value on {day}")
        return value.value

    def search(self, words: str, limit: int = 20) -> list[Provision]:
        """Provisions whose id, article, text, gist or summary contain every word."""
        terms = [w.lower() for w in words.split() if w]
        scored: list[tuple[int, Provision]] = []
        for provision in self.provisions.values():
            haystack = " ".join(
                filter(
                    None,
                    [
                        provision.id,
                        self.instruments[provision.instrument].name_zh,
                        provision.article,
                        provision.title_zh,
                        provision.text,
                        provision.summary_zh,
                        provision.gist_zh,
                        provision.gist_en,
                    ],
                )
            ).lower()
            if all(t in haystack for t in terms):
                score = sum(haystack.count(t) for t in terms)
                scored.append((score, provision))
        scored.sort(key=lambda item: -item[0])
        return [p for _, p in scored[:limit]]

    def cases_citing(self, provision_ids: Iterable[str]) -> list[LegalCase]:
        wanted = {self.resolve(p) for p in provision_ids if self.has(p)}
        return [c for c in self.cases.values() if wanted.intersection(c.provisions)]

    def code(self, code: str) -> CodeMeaning:
        return self.codes[code]

    # -- integrity ---------------------------------------------------------------------------
    def dangling_references(self) -> list[str]:
        """Every cross-reference that does not resolve, as readable strings (empty when sound)."""
        problems: list[str] = []

        def check(owner: str, ids: Iterable[str]) -> None:
            for ref in ids:
                if not self.has(ref):
                    problems.append(f"{owner} → {ref}")

        for p in self.provisions.values():
            check(f"provision {p.id}", [*p.replaced_by, *p.replaces, *p.related])
        for c in self.cases.values():
            check(f"case {c.id}", c.provisions)
        for ch in self.channels.values():
            check(f"channel {ch.id}", ch.provisions)
        for param in self.parameters.values():
            for v in param.values:
                check(f"parameter {param.id}", v.provisions)
        for code in self.codes.values():
            check(f"code {code.code}", code.provisions)
        return problems


def _index(items: Iterable[V], key: Callable[[V], str], kind: str) -> dict[str, V]:
    index: dict[str, V] = {}
    for item in items:
        name = key(item)
        if name in index:
            raise LawBaseError(f"{kind} {name} defined twice")
        index[name] = item
    return index


def load_law_base(data_dir: Path | None = None) -> LawBase:
    """Read every data file; raise LawBaseError naming the file on any inconsistency."""
    root = data_dir or _data_dir()
    instruments = [
        _parse(Instrument, _read_yaml(path), str(path.name))
        for path in sorted((root / "provisions").glob("*.yaml"))
    ]
    cases = [
        _parse(LegalCase, raw, f"cases.yaml[{i}]") for i, raw in enumerate(_read_yaml(root / "cases.yaml"))
    ]
    channels = [
        _parse(Channel, raw, f"channels.yaml[{i}]")
        for i, raw in enumerate(_read_yaml(root / "channels.yaml"))
    ]
    parameters = [
        _parse(Parameter, raw, f"parameters.yaml[{i}]")
        for i, raw in enumerate(_read_yaml(root / "parameters.yaml"))
    ]
    codes = [
        _parse(CodeMeaning, raw, f"codes.yaml[{i}]") for i, raw in enumerate(_read_yaml(root / "codes.yaml"))
    ]
    return LawBase(instruments, cases, channels, parameters, codes)


@lru_cache(maxsize=1)
def default_law_base() -> LawBase:
    """The packaged law base, loaded once per process."""
    return load_law_base()
