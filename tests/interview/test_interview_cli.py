"""`case interview` end to end: a real store (SQLite file, and PostgreSQL when configured), real
evidence files, the command on a throwaway Typer app driven with typed input."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy.engine import URL
from typer.testing import CliRunner, Result

from txlguard.ingest.testing import RECEIVED, sms_backup_xml
from txlguard.interview import default_question_book
from txlguard.interview.cli import interview_command
from txlguard.pipeline import judge_case
from txlguard.store import Store

CHINA = timezone(timedelta(hours=8))
COLLECTOR = "17103258890"
Q = default_question_book().questions

app = typer.Typer()
app.command("interview")(interview_command)


@app.command("noop")
def _noop() -> None:
    """A second command, so that `interview` is a sub-command as it is under `case`."""


runner = CliRunner()


def sms_backup(messages: list[tuple[datetime, str]]) -> bytes:
    """The collector's messages to the borrower: (time, body)."""
    return sms_backup_xml([(COLLECTOR, at, RECEIVED, body) for at, body in messages])


SMS = sms_backup(
    [
        (datetime(2025, 6, 10, 10, 0, tzinfo=CHINA), "您在某某贷的借款已逾期，请今天18点前还款。"),
        (datetime(2025, 6, 11, 23, 40, tzinfo=CHINA), "今天不还就给你通讯录所有人发信息"),
        (
            datetime(2025, 6, 12, 9, 0, tzinfo=CHINA),
            "我是XX市公安局经侦大队的，你已涉嫌诈骗罪，48小时内将被拘留",
        ),
    ]
)
NARRATIVE = (
    "我在速达贷借了3000元，到手只有2100元。\n\n"
    "逾期以后，催收给我通讯录里的同事和亲戚打电话，说我欠钱不还是老赖。\n\n"
    "他们还在短信里威胁我说，再不还就把我做成通缉令发到村里的群里。"
)
# A licensed lender, no 砍头息: nothing left to ask about the loan.
LOAN_SETTLED = {
    "lender_name": "某某贷",
    "lender_licensed": "银行",
    "loan_date": "2025-03-01",
    "loan_principal": "3000元",
    "loan_received": 3000,
    "illegal_debt": False,
}


@pytest.fixture
def store(store: Store, db_url: URL, blob_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The root conftest's fresh store, also configured through the environment as the CLI finds it."""
    monkeypatch.setenv("TXLGUARD_DATABASE_URL", db_url.render_as_string(hide_password=False))
    monkeypatch.setenv("TXLGUARD_BLOB_DIR", str(blob_dir))
    return store


def interview(case_id: str, *options: str, typed: str = "") -> Result:
    return runner.invoke(app, ["interview", case_id, *options], input=typed)


def answers_file(tmp_path: Path, answers: dict[str, Any], name: str = "answers.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    return str(path)


def findings(store: Store, case_id: str) -> dict[str, str]:
    with store.transaction() as session:
        return {f.rule: f.status for f in judge_case(session, case_id).findings}


def asked(result: Result) -> list[str]:
    """The keys of the questions shown, in order."""
    text = result.stdout
    shown = [(text.find(q.text_zh), key) for key, q in Q.items() if q.text_zh in text]
    return [key for _, key in sorted(shown)]


def test_answers_settle_what_the_evidence_cannot_and_change_the_judgement(
    store: Store, tmp_path: Path
) -> None:
    case = store.create_case("某某贷 爆通讯录")
    store.add_evidence(case.id, SMS, "sms.xml")
    applied = interview(case.id, "--answers", answers_file(tmp_path, LOAN_SETTLED))
    assert applied.exit_code == 0, applied.output
    assert "已保存 6 个回答" in applied.stdout and f"txlguard case judge {case.id}" in applied.stdout
    assert "civil-contacts-harvest" not in findings(store, case.id)

    result = interview(case.id, typed="是\n是\n")
    assert result.exit_code == 0, result.output
    # the messages already show threats, impersonation and off-hours calls: those are not asked
    assert asked(result) == ["contacts_harvested", "no_separate_consent", "contacts_contacted"]
    assert "已由证据或其他回答说明" in result.stdout
    assert "已停止" in result.stdout and f"运行 txlguard case judge {case.id} 保存研判" in result.stdout
    assert store.answers(case.id) == {
        "lender_name": "某某贷",
        "lender_licensed": True,
        "loan_date": "2025-03-01",
        "loan_principal": 3000.0,
        "loan_received": 3000.0,
        "illegal_debt": False,
        "contacts_harvested": True,
        "no_separate_consent": True,
    }
    assert findings(store, case.id)["civil-contacts-harvest"] == "established"


def test_an_interrupted_interview_resumes_where_it_stopped(store: Store) -> None:
    case = store.create_case("中断")
    first = interview(case.id, typed="某某贷\n")
    assert first.exit_code == 0, first.output
    assert asked(first)[:2] == ["lender_name", "lender_licensed"]
    assert store.answers(case.id) == {"lender_name": "某某贷"}
    total = int(first.stdout.split("还有 ")[1].split(" 个问题")[0])

    second = interview(case.id, typed="不清楚\n")
    assert second.exit_code == 0, second.output
    assert asked(second)[0] == "lender_licensed" and "lender_name" not in asked(second)
    assert f"还有 {total - 1} 个问题" in second.stdout and "之前已回答 1 个" in second.stdout
    assert store.answers(case.id) == {"lender_name": "某某贷", "lender_licensed": None}  # 不清楚 is unknown

    third = interview(case.id, typed="")
    assert not {"lender_name", "lender_licensed"} & set(asked(third))


def test_bad_answers_are_asked_again_with_a_chinese_message(store: Store) -> None:
    case = store.create_case("输错")
    result = interview(case.id, typed="某某贷\n9\n持牌\n1\n")
    assert result.exit_code == 0, result.output
    assert "无法识别：请输入 1 到 5 之间的序号" in result.stdout
    assert "都符合，请输入序号" in result.stdout
    assert store.answers(case.id)["lender_licensed"] is True


def test_skipped_questions_are_not_stored_and_come_back(store: Store) -> None:
    case = store.create_case("跳过")
    result = interview(case.id, typed="跳过\n")
    assert "已跳过" in result.stdout and asked(result)[:2] == ["lender_name", "lender_licensed"]
    assert store.answers(case.id) == {}
    assert asked(interview(case.id))[0] == "lender_name"


def test_a_borrowers_account_answers_questions_before_they_are_asked(store: Store) -> None:
    case = store.create_case("自述")
    store.add_evidence(case.id, NARRATIVE.encode("gb18030"), "我的经历.txt")
    result = interview(case.id, typed="")
    assert result.exit_code == 0, result.output
    shown = asked(result)
    # the account names the platform, the 砍头息 and what the contacts were told and threatened with
    assert not {
        "lender_name",
        "upfront_deduction",
        "contacts_harvested",
        "contacts_contacted",
        "threats",
    } & set(shown)
    assert shown[0] == "lender_licensed"


def test_the_rate_is_computed_from_the_amounts_and_not_asked(store: Store, tmp_path: Path) -> None:
    case = store.create_case("高利")
    unlicensed = {"lender_name": "某某贷", "lender_licensed": False, "loan_date": "2025-03-01"}
    assert interview(case.id, "--answers", answers_file(tmp_path, unlicensed)).exit_code == 0
    result = interview(case.id, typed="2000\n2400元\n一个月\n")
    assert result.exit_code == 0, result.output
    assert asked(result) == ["loan_received", "loan_total_due", "loan_term_days", "contacts_harvested"]
    assert "推算：年化利率按到手金额推算" in result.stdout and "243.33%" in result.stdout
    assert store.answers(case.id)["loan_term_days"] == 30
    with store.transaction() as session:
        judgement = judge_case(session, case.id)
    assert judgement.details["annual_rate"] == pytest.approx(243.33)
    assert "criminal-illegal-lending" in {f.rule for f in judgement.findings}


def test_again_revisits_answers_keeping_them_on_enter(store: Store, tmp_path: Path) -> None:
    case = store.create_case("重答")
    assert interview(case.id, "--answers", answers_file(tmp_path, {"lender_name": "某某贷"})).exit_code == 0
    assert "lender_name" not in asked(interview(case.id))

    kept = interview(case.id, "--again", typed="\n")
    assert asked(kept)[0] == "lender_name"
    assert "当前回答：某某贷（直接回车保留）" in kept.stdout and "已保留：某某贷" in kept.stdout
    assert store.answers(case.id) == {"lender_name": "某某贷"}

    changed = interview(case.id, "--again", typed="某某金融\n")
    assert changed.exit_code == 0, changed.output
    assert store.answers(case.id) == {"lender_name": "某某金融"}


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ({"threats": True, "loan_principal": "很多"}, "loan_principal：请输入一个数字"),
        ({"threats": True, "colour": "红"}, "colour：不是可以回答的问题"),
        ({"threats": "也许", "harm_suffered": True}, "threats：请回答“是”“否”或“不知道”"),
        ({"loan_term_days": 0}, "loan_term_days：应大于 0"),
        (["threats"], "顶层应为 JSON 对象"),
    ],
)
def test_a_bad_answers_file_stores_nothing(store: Store, tmp_path: Path, content: Any, named: str) -> None:
    case = store.create_case("批量")
    result = interview(case.id, "--answers", answers_file(tmp_path, content))
    assert result.exit_code == 2
    assert named in result.stderr
    assert store.answers(case.id) == {}


def test_an_answers_file_that_is_not_json_or_missing(store: Store, tmp_path: Path) -> None:
    case = store.create_case("文件")
    broken = tmp_path / "broken.json"
    broken.write_text("{threats: yes}", encoding="utf-8")
    assert "不是有效的 JSON" in interview(case.id, "--answers", str(broken)).stderr
    missing = interview(case.id, "--answers", str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and "找不到回答文件" in missing.stderr
    assert interview(case.id, "--answers", str(broken), "--again").exit_code == 2


def test_an_unknown_case_is_bad_input(store: Store) -> None:
    result = interview("nosuchcase99")
    assert result.exit_code == 2 and "nosuchcase99" in result.stderr


def test_ctrl_c_keeps_what_was_answered(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from txlguard.interview import cli

    case = store.create_case("中止")
    typed = iter(["某某贷"])

    def keyboard(prompt: str = "", **_: Any) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(cli.out, "input", keyboard)
    result = interview(case.id)
    assert result.exit_code == 130
    assert "已中断" in result.stdout and f"txlguard case interview {case.id}" in result.stdout
    assert store.answers(case.id) == {"lender_name": "某某贷"}


def test_assess_case_judges_like_judge_case_without_storing(store: Store) -> None:
    from txlguard.pipeline import assess_case

    case = store.create_case("只看不存")
    store.add_evidence(case.id, SMS, "sms.xml")
    store.set_answer(case.id, "contacts_harvested", True)
    with store.reading() as session:
        facts, judgement = assess_case(session, case.id)
        _, hypothetical = assess_case(session, case.id, answers={"contacts_harvested": False})
    assert store.latest_judgement(case.id) is None
    assert facts.value("contacts_harvested") is True and hypothetical.facts["contacts_harvested"] is False
    with store.transaction() as session:
        stored = judge_case(session, case.id)
    assert stored.public() == judgement.public()
