"""Integrity tests for the law base data files (src/txlguard/law/data).

These run without the research extracts in ../shared; where shared/law or shared/TAXONOMY.md is
present beside the repository, they are checked against it as well.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from txlguard.law import LawBase, LawBaseError, default_law_base, load_law_base
from txlguard.law.models import PROVISION_ID
from txlguard.taxonomy import ALL_CODES, FactCode, LogLabel, MessageLabel, PolicyLabel

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "txlguard" / "law" / "data"
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "law" / "provisions-reference.yaml"
TAXONOMY_MD = SHARED / "TAXONOMY.md"

# Provisions per instrument. Change together with the data, on purpose.
EXPECTED_COUNTS = {
    "app-pi-identification-2019": 1,
    "cba-collection-guideline-2026": 1,
    "cbirc-consumer-protection-2022": 1,
    "cbirc-credit-card-2022": 1,
    "cbirc-internet-loans-2020": 1,
    "cbrc-credit-card-measures-2011": 1,
    "civil-code": 31,
    "civil-procedure-interp": 1,
    "civil-procedure-law": 1,
    "cpl": 4,
    "criminal-law": 9,
    "csl-2017": 6,
    "csl-2026": 8,
    "gbt-35273-2020": 1,
    "gbt-45251-2025": 1,
    "gbt-45574-2025": 1,
    "general-principles-civil-law": 3,
    "internet-courts-2018": 1,
    "internet-courts-2025": 1,
    "miit-164-2020": 1,
    "necessary-pi-rule-2021": 2,
    "nfra-collection-measures": 1,
    "nfra-consumer-finance-2024": 1,
    "nfra-zhudai-2025": 1,
    "nifa-collection-guideline-2018": 1,
    "npcsc-network-info-decision-2012": 6,
    "pboc-fcp-2020": 1,
    "pipl": 29,
    "psapl-2012": 6,
    "psapl-2026": 7,
    "spc-private-lending": 2,
    "spc-private-lending-reply": 1,
    "spc-spp-illegal-lending-2019": 2,
    "spc-spp-online-defamation-2013": 5,
    "spc-spp-pi-2017": 7,
    "spc-spp-picking-quarrels-2013": 2,
    "spc-spp-soft-violence-2019": 5,
    "tort-liability-law": 7,
}

# Articles named in shared/law/README.md that must be in the base, with their statute text.
REQUIRED_VERBATIM = [
    *(
        f"civil-code-{n}"
        for n in (111, 990, 1019, 1024, 1025, 1165, 1167, 1182, 1183, 496, 497, 498, 506, 680)
    ),
    *(f"civil-code-{n}" for n in range(1032, 1040)),
    *(
        f"pipl-{n}"
        for n in (
            4,
            5,
            6,
            10,
            13,
            14,
            15,
            16,
            17,
            23,
            28,
            29,
            30,
            44,
            45,
            47,
            50,
            51,
            55,
            56,
            64,
            66,
            69,
            70,
            71,
        )
    ),
    *(f"csl-2017-{n}" for n in (22, 41, 42, 43, 44, 64)),
    *(f"criminal-law-{n}" for n in ("253-1", "293-1", "246", "274", "293", "238", "279", "280", "243")),
    *(f"spc-spp-pi-2017-{n}" for n in (1, 3, 4, 5)),
    "psapl-2012-23",
    "psapl-2012-42",
    "psapl-2026-26",
    "psapl-2026-50",
    *(f"cpl-{n}" for n in (14, 29, 50)),
    "spc-private-lending-25",
    "spc-private-lending-26",
    "pipl-65",
    *(f"civil-code-{n}" for n in (109, 110, 179, 1164)),
    *(f"tort-liability-law-{n}" for n in (2, 6, 15, 20, 21, 22, 36)),
    *(f"general-principles-civil-law-{n}" for n in (109, 110, 111)),
    *(f"spc-spp-online-defamation-2013-{n}" for n in (1, 2, 5, 6, 10)),
    *(f"spc-spp-picking-quarrels-2013-{n}" for n in (1, 3)),
    *(f"spc-spp-soft-violence-2019-{n}" for n in (1, 2, 5, 8, 11)),
]

# Repealed with the Civil Code on 2021-01-01: old id → successor(s).
CIVIL_CODE_SUCCESSION = {
    "tort-liability-law-2": ["civil-code-1164"],
    "tort-liability-law-6": ["civil-code-1165"],
    "tort-liability-law-15": ["civil-code-179"],
    "tort-liability-law-20": ["civil-code-1182"],
    "tort-liability-law-21": ["civil-code-1167"],
    "tort-liability-law-22": ["civil-code-1183"],
    "tort-liability-law-36": ["civil-code-1194", "civil-code-1195"],
    "general-principles-civil-law-109": ["civil-code-109"],
    "general-principles-civil-law-110": ["civil-code-110"],
    "general-principles-civil-law-111": ["civil-code-111"],
}

# Renumbered by the 2025 amendments, in force from 2026-01-01: old id → new id.
RENUMBERED = {
    "csl-2017-22": "csl-2026-24",
    "csl-2017-41": "csl-2026-43",
    "csl-2017-42": "csl-2026-44",
    "csl-2017-43": "csl-2026-45",
    "csl-2017-44": "csl-2026-46",
    "csl-2017-64": "csl-2026-71",
    "psapl-2012-23": "psapl-2026-26",
    "psapl-2012-26": "psapl-2026-30",
    "psapl-2012-40": "psapl-2026-47",
    "psapl-2012-42": "psapl-2026-50",
    "psapl-2012-51": "psapl-2026-62",
    "psapl-2012-52": "psapl-2026-63",
}

ALIASES = {
    "csl-22": "csl-2017-22",
    "csl-41": "csl-2017-41",
    "csl-42": "csl-2017-42",
    "csl-43": "csl-2017-43",
    "csl-44": "csl-2017-44",
    "csl-64": "csl-2017-64",
    "psapl-23": "psapl-2012-23",
    "psapl-26": "psapl-2012-26",
    "psapl-40": "psapl-2012-40",
    "psapl-42": "psapl-2012-42",
    "psapl-51": "psapl-2012-51",
    "necessary-pi-rule": "necessary-pi-rule-2021",
    "nifa-collection-guideline": "nifa-collection-guideline-2018",
    "app-pi-identification": "app-pi-identification-2019",
    "gbt-35273": "gbt-35273-2020",
}

CASE_IDS = {f"c{n}" for n in range(1, 13)} | {f"r{n}" for n in range(1, 11)} | {"p1"}

# Channel ids other packages (reason/data/rules.yaml) rely on.
CHANNEL_IDS = {
    "nfra-12378",
    "pboc-12363",
    "nifa-report",
    "police-110",
    "miit-12321",
    "cac-12377",
    "miit-12300",
    "samr-12315",
    "court-civil",
    "court-private-prosecution",
}
LENDER_KINDS = {"bank", "consumer-finance", "microlender", "unlicensed", "collection-agency"}

PARAMETER_IDS = {
    "collection.allowed_hours",
    "collection.max_connected_calls_per_day",
    "collection.max_unanswered_attempts_per_number_per_day",
    "criminal.pi.sensitive_items",
    "criminal.pi.important_items",
    "criminal.pi.other_items",
    "criminal.pi.illegal_gain_yuan",
    "lending.rate_cap_lpr_multiple",
    "lending.lpr_one_year_percent",
    "lending.illegal_lending_criminal_rate_percent",
    "criminal.defamation.views",
    "criminal.defamation.reposts",
    "criminal.picking_quarrels.repeat_count",
}

CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"待写|待译|TODO|TBD|FIXME", re.IGNORECASE)


@pytest.fixture(scope="module")
def law() -> LawBase:
    return default_law_base()


def _yaml_files() -> list[Path]:
    return sorted(DATA.rglob("*.yaml"))


def _reference() -> list[dict[str, Any]]:
    if not REFERENCE.exists():
        pytest.skip("shared/law/provisions-reference.yaml is not beside the repository")
    data: list[dict[str, Any]] = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    return data


# -- files --------------------------------------------------------------------------------------


def test_data_files_are_utf8_yaml() -> None:
    files = _yaml_files()
    assert len(files) >= 5
    for path in files:
        raw = path.read_bytes()
        text = raw.decode("utf-8")  # raises on anything but UTF-8
        assert not text.startswith("\ufeff"), f"{path.name} has a byte-order mark"
        assert "\r" not in text, f"{path.name} has CR line endings"
        assert yaml.safe_load(text) is not None, f"{path.name} is empty"


def test_one_instrument_per_file_named_by_slug() -> None:
    for path in sorted((DATA / "provisions").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert doc["slug"] == path.stem
        assert all(p["instrument"] == path.stem for p in doc["provisions"]), path.name


def test_whole_base_loads(law: LawBase) -> None:
    assert set(law.instruments) == set(EXPECTED_COUNTS)
    assert len(law.provisions) == sum(EXPECTED_COUNTS.values())
    assert law.cases and law.channels and law.parameters and law.codes


def test_provision_counts_per_instrument(law: LawBase) -> None:
    counts = {slug: len(inst.provisions) for slug, inst in law.instruments.items()}
    assert counts == EXPECTED_COUNTS


# -- provisions ---------------------------------------------------------------------------------


def test_provision_ids_unique_and_well_formed() -> None:
    seen: dict[str, str] = {}
    for path in sorted((DATA / "provisions").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for p in doc["provisions"]:
            pid = p["id"]
            assert PROVISION_ID.match(pid), pid
            assert pid not in seen, f"{pid} in {path.name} and {seen.get(pid)}"
            seen[pid] = path.name
            slug = doc["slug"]
            assert pid == slug or pid.startswith(slug + "-"), f"{pid} does not start with {slug}"


def test_every_provision_has_source_and_gist(law: LawBase) -> None:
    for p in law.provisions.values():
        assert p.source.strip(), p.id
        assert CJK.search(p.gist_zh), f"{p.id}: gist_zh is not Chinese"
        assert not PLACEHOLDER.search(p.gist_zh), p.id
        assert 8 <= len(p.gist_zh) <= 200, f"{p.id}: gist_zh length {len(p.gist_zh)}"
        if p.summary_zh:
            assert CJK.search(p.summary_zh) and not PLACEHOLDER.search(p.summary_zh), p.id


def test_non_verbatim_provisions_have_summary(law: LawBase) -> None:
    for p in law.provisions.values():
        if p.text_status not in ("verbatim", "official-reproduction", "secondary-quote"):
            assert p.summary_zh, p.id
            assert p.text is None, f"{p.id}: {p.text_status} must not carry statute text"


def test_verbatim_text_begins_with_article_heading(law: LawBase) -> None:
    verbatim = [p for p in law.provisions.values() if p.text_status == "verbatim"]
    assert len(verbatim) > 100
    for p in verbatim:
        assert p.text is not None
        assert p.text.startswith(p.article), f"{p.id}: text does not begin with {p.article}"
        if p.article.startswith("第"):
            assert re.match(r"^第[零一二三四五六七八九十百千]+条(之[一二三四五六七八九十]+)? ", p.text), p.id
        assert p.text == p.text.strip(), p.id
        assert "\n\n" not in p.text, f"{p.id}: blank line inside statute text"


def test_required_articles_present_with_text(law: LawBase) -> None:
    for pid in REQUIRED_VERBATIM:
        assert pid in law.provisions, pid
        assert law.provisions[pid].text_status == "verbatim", pid


def test_every_reference_id_present_with_same_text() -> None:
    reference = _reference()
    law = load_law_base()
    assert len(reference) == 114
    for entry in reference:
        assert entry["id"] in law.provisions, entry["id"]
        p = law.provisions[entry["id"]]
        assert p.source == entry["source"], entry["id"]
        if entry["text_status"] == "verbatim":
            assert p.text == entry["text"], f"{entry['id']}: statute text differs from the reference"
        if entry["text_status"] == "not-read":
            assert p.text_status == "metadata-only", entry["id"]


def test_text_status_mapping_matches_reference() -> None:
    mapping = {
        "verbatim": "verbatim",
        "secondary-quote": "secondary-quote",
        "secondary-summary": "secondary-summary",
        "metadata-only": "metadata-only",
        "not-found": "not-found",
        "not-read": "metadata-only",
    }
    law = load_law_base()
    for entry in _reference():
        raw = entry["text_status"]
        expected = "official-reproduction" if raw.startswith("official wording") else mapping[raw]
        assert law.provisions[entry["id"]].text_status == expected, entry["id"]


def test_cross_references_resolve(law: LawBase) -> None:
    assert law.dangling_references() == []


def test_renumbered_pairs_link_both_ways_and_hand_over(law: LawBase) -> None:
    for old_id, new_id in RENUMBERED.items():
        old, new = law.provision(old_id), law.provision(new_id)
        assert new_id in old.replaced_by, old_id
        assert old_id in new.replaces, new_id
        assert old.repealed_on == new.effective_from == date(2026, 1, 1), (old_id, new_id)
    for p in law.provisions.values():
        for other in p.replaced_by:
            assert p.id in law.provision(other).replaces, (p.id, other)
        for other in p.replaces:
            assert p.id in law.provision(other).replaced_by, (p.id, other)


def test_civil_code_succession_hands_over_on_2021_01_01(law: LawBase) -> None:
    for old_id, new_ids in CIVIL_CODE_SUCCESSION.items():
        old = law.provision(old_id)
        assert old.replaced_by == new_ids, old_id
        assert old.repealed_on == date(2021, 1, 1), old_id
        assert old.in_force_on(date(2020, 12, 31)) and not old.in_force_on(date(2021, 1, 1)), old_id
        for new_id in new_ids:
            new = law.provision(new_id)
            assert old_id in new.replaces, new_id
            assert new.effective_from == date(2021, 1, 1), new_id
    assert law.provision("tort-liability-law-6").effective_from == date(2010, 7, 1)
    assert law.provision("general-principles-civil-law-111").effective_from == date(2017, 10, 1)
    assert not law.provision("general-principles-civil-law-111").in_force_on(date(2017, 9, 30))


def test_second_hand_instruments_are_marked(law: LawBase) -> None:
    for pid in ("npcsc-network-info-decision-2012-2", "npcsc-network-info-decision-2012-3"):
        assert law.provision(pid).text_status == "official-reproduction", pid
    assert law.provision("spc-spp-illegal-lending-2019-1").text_status == "secondary-summary"
    assert law.provision("spc-spp-illegal-lending-2019-2").reliability == "secondary"


def test_in_force_on(law: LawBase) -> None:
    old, new = law.provision("csl-2017-41"), law.provision("csl-2026-43")
    assert old.in_force_on(date(2025, 6, 1))
    assert not old.in_force_on(date(2026, 2, 1))
    assert old.in_force_on(date(2025, 12, 31))  # last day under the old numbering
    assert not new.in_force_on(date(2025, 6, 1))
    assert new.in_force_on(date(2026, 2, 1))
    assert new.in_force_on(date(2026, 1, 1))
    assert law.provision("psapl-2012-42").in_force_on(date(2025, 12, 31))
    assert not law.provision("psapl-2012-42").in_force_on(date(2026, 1, 1))
    assert not law.provision("pipl-69").in_force_on(date(2021, 10, 31))
    assert law.provision("pipl-69").in_force_on(date(2021, 11, 1))
    assert law.provision("criminal-law-293-1").in_force_on(date(2021, 3, 1))
    assert not law.provision("criminal-law-293-1").in_force_on(date(2021, 2, 28))
    in_force_2026 = {p.id for p in law.in_force(date(2026, 6, 1))}
    assert "csl-2026-43" in in_force_2026 and "csl-2017-41" not in in_force_2026


def test_aliases_resolve(law: LawBase) -> None:
    for alias, target in ALIASES.items():
        assert law.resolve(alias) == target
        assert law.provision(alias).id == target
    with pytest.raises(KeyError):
        law.resolve("csl-999")
    assert not set(law.aliases) & set(law.provisions), "an alias shadows a provision id"


def test_search_finds_contact_list_rules(law: LawBase) -> None:
    hits = [p.id for p in law.search("通讯录")]
    assert hits
    assert "necessary-pi-rule-2021" in hits
    assert "gbt-35273-2020" in hits
    assert law.search("隐私权")[0].instrument == "civil-code"
    assert law.search("完全不存在的词语组合xyz") == []


# -- codes --------------------------------------------------------------------------------------


def _taxonomy_codes_from_md() -> set[str]:
    if not TAXONOMY_MD.exists():
        pytest.skip("shared/TAXONOMY.md is not beside the repository")
    return set(re.findall(r"^\| `([a-z_]+)` \|", TAXONOMY_MD.read_text(encoding="utf-8"), re.MULTILINE))


def test_every_taxonomy_code_maps_to_citable_provisions(law: LawBase) -> None:
    assert set(law.codes) == set(ALL_CODES)
    for code in law.codes.values():
        assert code.provisions, code.code
        assert len(set(code.provisions)) == len(code.provisions), f"{code.code}: duplicate provision"
        for pid in code.provisions:
            assert law.has(pid), f"{code.code} → {pid}"
            assert law.provision(pid).citable, f"{code.code} → {pid} is not citable"
        assert CJK.search(code.name_zh) and CJK.search(code.description_zh), code.code


def test_code_sections(law: LawBase) -> None:
    sections = {
        "message": {c.value for c in MessageLabel},
        "log": {c.value for c in LogLabel},
        "policy": {c.value for c in PolicyLabel},
    }
    for section, codes in sections.items():
        for code in codes:
            assert law.code(code).section == section, code
    facts = {c.value for c in FactCode}
    assert len(facts) == 10
    for code in facts - sections["message"]:  # `impersonation` is both a message label and a fact
        assert law.code(code).section == "fact", code


def test_codes_match_taxonomy_md(law: LawBase) -> None:
    assert _taxonomy_codes_from_md() == set(law.codes)


def test_core_code_mappings(law: LawBase) -> None:
    def ids(code: str) -> set[str]:
        return set(law.code(code).provisions)

    assert {
        "civil-code-1032",
        "civil-code-1033",
        "civil-code-1034",
        "civil-code-1038",
        "pipl-10",
        "pipl-13",
    } <= ids("disclosure_to_third_party")
    assert {"criminal-law-293-1", "psapl-2012-42", "psapl-2026-50"} <= ids("threat_of_violence")
    assert {"criminal-law-279", "psapl-2012-51", "psapl-2026-62"} <= ids("impersonation")
    assert {"spc-private-lending-25", "spc-private-lending-26"} <= ids("illegal_debt")


# -- cases --------------------------------------------------------------------------------------


def test_all_cases_present(law: LawBase) -> None:
    assert set(law.cases) == CASE_IDS


def test_cases_cite_only_known_provisions_and_facts(law: LawBase) -> None:
    facts = {c.value for c in FactCode}
    for case in law.cases.values():
        for pid in case.provisions:
            assert pid in law.provisions, f"case {case.id} → {pid} (use canonical ids)"
        assert set(case.fact_codes) <= facts, case.id
        assert case.sources, case.id
        assert CJK.search(case.facts_zh) and CJK.search(case.holding_zh), case.id
        assert 1990 <= case.year <= date.today().year, case.id
        if case.kind == "pending":
            assert case.status == "pending", case.id


def test_case_numbers_only_where_public(law: LawBase) -> None:
    numbered = {c.id for c in law.cases.values() if c.number}
    assert numbered == {"c5", "c6", "c8", "c11"}
    assert law.cases["c6"].number == "(2019)京0491民初6694号"
    assert law.cases["c8"].number == "(2018)苏0803刑初644号"


def test_cases_citing(law: LawBase) -> None:
    ids = {c.id for c in law.cases_citing(["criminal-law-293"])}
    assert {"c1", "c10"} <= ids
    assert {c.id for c in law.cases_citing(["csl-41"])} >= {"c6", "r1"}


# -- channels -----------------------------------------------------------------------------------


def test_channels(law: LawBase) -> None:
    assert set(law.channels) >= CHANNEL_IDS
    facts = {c.value for c in FactCode}
    for channel in law.channels.values():
        assert set(channel.fact_codes) <= facts, channel.id
        assert set(channel.lender_kinds) <= LENDER_KINDS, channel.id
        assert channel.sources, channel.id
        assert channel.contact.strip() and CJK.search(channel.handles_zh), channel.id
        for pid in channel.provisions:
            assert pid in law.provisions, f"channel {channel.id} → {pid}"


# -- parameters ---------------------------------------------------------------------------------


def test_parameters_have_values_today(law: LawBase) -> None:
    assert set(law.parameters) >= PARAMETER_IDS
    for param in law.parameters.values():
        assert law.parameter(param.id) is not None
        days = [v.effective_from for v in param.values]
        assert len(days) == len(set(days)), f"{param.id}: two values on one day"
        for value in param.values:
            assert value.provisions, param.id
            for pid in value.provisions:
                assert law.provision(pid).citable, f"{param.id} → {pid}"
            if value.reliability == "primary":
                assert all(law.provision(pid).reliability == "primary" for pid in value.provisions), param.id


def test_parameter_values(law: LawBase) -> None:
    assert law.parameter("collection.allowed_hours") == {"start": "08:00", "end": "22:00"}
    assert law.parameter("collection.max_connected_calls_per_day") == 3
    assert law.parameter("collection.max_unanswered_attempts_per_number_per_day") == 6
    with pytest.raises(KeyError):
        law.parameter("collection.max_unanswered_attempts_per_number_per_day", date(2025, 12, 31))
    assert law.parameter("criminal.pi.sensitive_items") == 50
    assert law.parameter("criminal.pi.important_items") == 500
    assert law.parameter("criminal.pi.other_items") == 5000
    assert law.parameter("criminal.pi.illegal_gain_yuan") == 5000
    with pytest.raises(KeyError):
        law.parameter("criminal.pi.other_items", date(2017, 5, 31))
    assert law.parameter("lending.rate_cap_lpr_multiple") == 4
    assert law.parameter("lending.lpr_one_year_percent", date(2019, 8, 20)) == pytest.approx(4.25)
    assert law.parameter("lending.lpr_one_year_percent", date(2023, 1, 1)) == pytest.approx(3.65)
    assert law.parameter("lending.lpr_one_year_percent", date(2025, 6, 1)) == pytest.approx(3.0)
    assert law.parameter("criminal.defamation.views") == 5000
    assert law.parameter("criminal.defamation.reposts") == 500
    with pytest.raises(KeyError):
        law.parameter("criminal.defamation.views", date(2013, 9, 9))
    assert law.parameter("criminal.picking_quarrels.repeat_count") == 3
    assert law.parameter("lending.illegal_lending_criminal_rate_percent") == 36
    with pytest.raises(KeyError):
        law.parameter("lending.illegal_lending_criminal_rate_percent", date(2019, 10, 20))


def test_parameter_thresholds_appear_in_statute(law: LawBase) -> None:
    text = law.provision("spc-spp-pi-2017-5").text or ""
    for words in ("五十条以上", "五百条以上", "五千条以上", "违法所得五千元以上", "十倍以上"):
        assert words in text
    assert "四倍" in (law.provision("spc-private-lending-25").text or "")
    defamation = law.provision("spc-spp-online-defamation-2013-2").text or ""
    assert "点击、浏览次数达到五千次以上" in defamation and "转发次数达到五百次以上" in defamation
    assert "二年内实施寻衅滋事行为三次以上" in (law.provision("spc-spp-soft-violence-2019-5").text or "")
    assert "超过36%的实际年利率" in (law.provision("spc-spp-illegal-lending-2019-2").text or "")


# -- the loader rejects bad data ------------------------------------------------------------------


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def test_loader_rejects_duplicate_provision(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    path = data / "provisions" / "pipl.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["provisions"].append(dict(doc["provisions"][0]))
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LawBaseError, match="defined twice"):
        load_law_base(data)


def test_loader_rejects_verbatim_without_text(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    path = data / "provisions" / "cpl.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    del doc["provisions"][0]["text"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LawBaseError, match=re.escape("cpl.yaml")):
        load_law_base(data)


def test_dangling_reference_is_reported(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    path = data / "cases.yaml"
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases[0]["provisions"].append("civil-code-9999")
    path.write_text(yaml.safe_dump(cases, allow_unicode=True), encoding="utf-8")
    assert load_law_base(data).dangling_references() == ["case c1 → civil-code-9999"]


def test_articles_read_as_printed_in_chinese(law: LawBase) -> None:
    """Reports and letters print ``article`` after the instrument's name: no English notes in it."""
    import re

    for p in law.provisions.values():
        assert not re.search(r"[A-Za-z]{3,}", p.article.replace("GB/T", "")), f"{p.id}: {p.article!r}"
