"""One-off converter: shared/law/provisions-reference.yaml → src/txlguard/law/data/provisions/*.yaml.

The data files are the source of truth. This script only refreshes the fields that come from the
research extract (statute text, text status, source, dates, English gist) and keeps everything we
wrote ourselves (gist_zh, summary_zh, title_zh, related, aliases, replaced_by, replaces, note) from the
existing data file. Provisions that exist only in the data files (added from other sources) are kept.

    python scripts/import_law_reference.py [--reference PATH] [--check]

With ``--check`` it writes nothing and exits 1 if a data file would change.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "txlguard" / "law" / "data" / "provisions"
DEFAULT_REFERENCE = ROOT.parent / "shared" / "law" / "provisions-reference.yaml"

STATUS = {
    "verbatim": "verbatim",
    "secondary-quote": "secondary-quote",
    "secondary-summary": "secondary-summary",
    "metadata-only": "metadata-only",
    "not-found": "not-found",
    "not-read": "metadata-only",
}

# Fields we own: never overwritten from the reference once present in a data file.
OWN_FIELDS = ("title_zh", "summary_zh", "gist_zh", "replaced_by", "replaces", "related", "aliases", "note")
FIELD_ORDER = (
    "id",
    "instrument",
    "article",
    "title_zh",
    "text",
    "text_status",
    "summary_zh",
    "gist_zh",
    "gist_en",
    "source",
    "effective_from",
    "repealed_on",
    "effective_note",
    "replaced_by",
    "replaces",
    "related",
    "aliases",
    "note",
)

# Dates read from each entry's free-text `effective` field (checked by hand, entry by entry).
# id or instrument slug → (effective_from, repealed_on); None where the reference gives no verified day.
DATES: dict[str, tuple[date | None, date | None]] = {
    "civil-code": (date(2021, 1, 1), None),
    "pipl": (date(2021, 11, 1), None),
    "csl-2017": (date(2017, 6, 1), date(2026, 1, 1)),
    "csl-2026": (date(2026, 1, 1), None),
    "criminal-law-253-1": (date(2015, 11, 1), None),
    "criminal-law-293-1": (date(2021, 3, 1), None),
    "criminal-law-246": (date(2015, 11, 1), None),
    "criminal-law-274": (date(2011, 5, 1), None),
    "criminal-law-293": (date(2011, 5, 1), None),
    "criminal-law-238": (date(1997, 10, 1), None),
    "criminal-law-279": (date(1997, 10, 1), None),
    "spc-spp-pi-2017": (date(2017, 6, 1), None),
    "psapl-2012": (date(2006, 3, 1), date(2026, 1, 1)),
    "psapl-2026": (date(2026, 1, 1), None),
    "cpl": (date(2014, 3, 15), None),
    "spc-private-lending": (date(2021, 1, 1), None),
    "spc-private-lending-reply": (date(2021, 1, 1), None),
    "civil-procedure-law": (date(2024, 1, 1), None),
    "civil-procedure-interp": (date(2022, 4, 10), None),
    "internet-courts-2018": (date(2018, 9, 7), date(2025, 11, 1)),
    "internet-courts-2025": (date(2025, 11, 1), None),
    "nifa-collection-guideline-2018": (None, None),
    "gbt-45251-2025": (date(2025, 2, 28), None),
    "cba-collection-guideline-2026": (date(2026, 1, 30), None),
    "cbirc-credit-card-2022": (None, None),
    "cbrc-credit-card-measures-2011": (None, None),
    "cbirc-internet-loans-2020": (None, None),
    "nfra-consumer-finance-2024": (date(2024, 4, 18), None),
    "cbirc-consumer-protection-2022": (None, None),
    "pboc-fcp-2020": (date(2020, 11, 1), None),
    "nfra-zhudai-2025": (date(2025, 10, 1), None),
    "nfra-collection-measures": (None, None),
    "necessary-pi-rule-2021": (date(2021, 5, 1), None),
    "app-pi-identification-2019": (date(2019, 11, 28), None),
    "gbt-35273-2020": (date(2020, 10, 1), None),
    "gbt-45574-2025": (date(2025, 11, 1), None),
    "miit-164-2020": (None, None),
}

# Instruments whose slug is not "the id minus its last segment".
SLUG_EXCEPTIONS = {
    "criminal-law-253-1": "criminal-law",
    "criminal-law-293-1": "criminal-law",
    "cbrc-credit-card-measures-2011-68": "cbrc-credit-card-measures-2011",
}
ONE_ENTRY = {
    "nifa-collection-guideline-2018",
    "gbt-45251-2025",
    "cba-collection-guideline-2026",
    "cbirc-credit-card-2022",
    "cbirc-internet-loans-2020",
    "nfra-consumer-finance-2024",
    "cbirc-consumer-protection-2022",
    "pboc-fcp-2020",
    "nfra-zhudai-2025",
    "nfra-collection-measures",
    "necessary-pi-rule-2021",
    "app-pi-identification-2019",
    "gbt-35273-2020",
    "gbt-45574-2025",
    "miit-164-2020",
}


# Articles whose printed heading differs from the reference's description of it.
ARTICLE_OVERRIDES = {"spc-private-lending-reply-1": "一、"}


def instrument_of(provision_id: str) -> str:
    if provision_id in SLUG_EXCEPTIONS:
        return SLUG_EXCEPTIONS[provision_id]
    if provision_id in ONE_ENTRY:
        return provision_id
    return provision_id.rsplit("-", 1)[0]


def text_status(raw: str) -> str:
    if raw in STATUS:
        return STATUS[raw]
    if raw.startswith("official wording"):
        return "official-reproduction"
    raise ValueError(f"unknown text_status {raw!r}")


def dates_for(provision_id: str, slug: str) -> tuple[date | None, date | None]:
    return DATES.get(provision_id) or DATES[slug]


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    """YAML as the data files are written: UTF-8, block style, literal blocks for multi-line text."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100000)


def convert_entry(entry: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    slug = instrument_of(entry["id"])
    start, end = dates_for(entry["id"], slug)
    status = text_status(entry["text_status"])
    fresh: dict[str, Any] = {
        "id": entry["id"],
        "instrument": slug,
        "article": ARTICLE_OVERRIDES.get(entry["id"], entry["article"]),
        "text": entry["text"],
        "text_status": status,
        "gist_en": entry["gist"],
        "source": entry["source"],
        "effective_from": start,
        "repealed_on": end,
        "effective_note": entry["effective"],
    }
    if existing:
        for key in OWN_FIELDS:
            if key in existing:
                fresh[key] = existing[key]
    else:
        if entry.get("summary_own_words"):
            fresh["summary_zh"] = "（待译）" + entry["summary_own_words"]
        fresh["gist_zh"] = "（待写）" + entry["gist"]
        if entry.get("note"):
            fresh["note"] = entry["note"]
    if status not in ("verbatim", "official-reproduction") and not fresh.get("text"):
        fresh.pop("text", None)
    ordered = {k: fresh[k] for k in FIELD_ORDER if fresh.get(k) not in (None, [])}
    return ordered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)

    reference = yaml.safe_load(args.reference.read_text(encoding="utf-8"))
    existing_files = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in DATA.glob("*.yaml")}
    by_slug: dict[str, list[dict[str, Any]]] = {}
    for entry in reference:
        by_slug.setdefault(instrument_of(entry["id"]), []).append(entry)

    changed = []
    for slug, entries in by_slug.items():
        doc = existing_files.get(slug)
        if doc is None:
            raise SystemExit(f"{slug}: no instrument file yet; write its header (name_zh, kind …) first")
        old = {p["id"]: p for p in doc.get("provisions", [])}
        new_provisions = [convert_entry(e, old.get(e["id"])) for e in entries]
        known = {p["id"] for p in new_provisions}
        new_provisions += [p for p in doc.get("provisions", []) if p["id"] not in known]
        order = [p["id"] for p in doc.get("provisions", [])]
        new_provisions.sort(key=lambda p: order.index(p["id"]) if p["id"] in order else len(order))
        doc["provisions"] = new_provisions
        text = dump(doc)
        path = DATA / f"{slug}.yaml"
        if path.read_text(encoding="utf-8") != text:
            changed.append(path.name)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    for name in changed:
        print(("would change " if args.check else "wrote ") + name)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
