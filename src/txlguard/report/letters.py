"""Ready-to-file documents generated from a case report: complaints, reports, a demand letter, a claim.

Each document states only what the case establishes: conduct from facts that are true, legal
grounds from the provisions the findings cite (already limited to those in force during the
conduct), requests from the remedies of established findings. What only *may* have happened is
put as a request to investigate, never as a fact; personal details the case does not hold are
blanks (【请填写：…】) listed for the borrower. Every document lists the evidence by SHA-256.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from txlguard.law import LawBase, default_law_base
from txlguard.report.model import Attachment, CaseReport, Letter, LetterSection, ReportFinding

KIND_ZH = {
    "sms-backup-xml": "短信备份（Android SMS Backup & Restore）",
    "call-log-xml": "通话记录备份",
    "image-ocr": "截图",
    "chat-export": "聊天记录导出",
    "text": "文字材料",
    "csv": "表格记录",
    "jsonl": "记录文件",
    "parquet": "记录文件",
}


def blank(what: str) -> str:
    return f"【请填写：{what}】"


# What each established fact lets a document say, in the document's own voice ("本人" = the borrower).
_CONDUCT_ZH: dict[str, str] = {
    "contacts_harvested": "借款App在本人申请借款时读取、上传了本人手机通讯录（通话记录）中的个人信息。",
    "no_separate_consent": "上述读取未取得本人单独、自愿的同意：授权通讯录被设为借款的前提条件，不授权就不能借款。",
    "contacts_contacted": "本人逾期后，催收方通过电话、短信等方式联系了本人通讯录中与借款无关的亲友、同事等第三人。",
    "debt_disclosed_to_contacts": "催收方向上述第三人透露了本人借款、逾期等情况。",
    "threats": "催收方以曝光、骚扰亲友或其他不利后果相威胁，逼迫本人还款。",
    "insults_or_defamation": "催收方使用侮辱性言辞辱骂、贬损本人（如称本人为“老赖”）。",
    "impersonation": "催收方自称公安机关、法院等国家机关工作人员或律师，声称本人涉嫌犯罪、将被拘留或起诉。",
    "harassment_pattern": "催收方频繁联系，并在夜间等休息时间拨打电话、发送信息，严重干扰本人正常生活。",
    "illegal_debt": "该借款本身存在违法情形（如砍头息、利率超过法律保护上限或放款方无放贷资质）。",
    "harm_suffered": "上述行为给本人及家人造成了严重困扰和损害。",
}


class _Context:
    """What every document draws on: the report, the law base and a few derived strings."""

    def __init__(self, report: CaseReport, law: LawBase, today: date) -> None:
        self.report = report
        self.law = law
        self.today = today
        self.facts = {f.code: f.value for f in report.facts}
        self.violations = [f for f in report.findings if f.kind == "violation"]
        self.established = [f for f in self.violations if f.status == "established"]
        self.possible = [f for f in self.violations if f.status == "possible"]
        lender = report.details.get("lender_name")
        self.lender = str(lender) if lender else blank("放款平台/公司全称")
        self.lender_known = bool(lender)

    def true(self, code: str) -> bool:
        return self.facts.get(code) is True

    def conduct(self, codes: Sequence[str]) -> list[str]:
        """Numbered statements for the established facts among ``codes``, in that order."""
        lines = [_CONDUCT_ZH[c] for c in codes if self.true(c)]
        if "harassment_pattern" in codes and self.true("harassment_pattern") and self.report.timeline.days:
            t = self.report.timeline
            span = f"{t.days[0].day:%Y年%-m月%-d日}至{t.days[-1].day:%Y年%-m月%-d日}"
            text = f"仅本人保存的记录显示，{span}期间对方共来电、来信{t.total}次"
            if t.allowed_hours and t.total_off_hours:
                text += f"，其中{t.total_off_hours}次在{t.allowed_hours[0]}至{t.allowed_hours[1]}以外的时间"
            lines.append(text + "。")
        details = self.report.details
        if "illegal_debt" in codes and self.true("illegal_debt"):
            if details.get("annual_rate") is not None:
                lines.append(f"按本人计算，该借款的年化利率约为{details['annual_rate']}%。")
            if details.get("upfront_deduction") is True:
                lines.append("放款时预先扣除了利息或服务费，实际到手金额少于合同金额。")
        return [f"{i}. {line}" for i, line in enumerate(lines, 1)]

    def quotes(self, limit: int = 8) -> list[str]:
        """The evidence quotes, each with where it is from: what the documents attach, not claims."""
        lines: list[str] = []
        seen: set[tuple[str | None, str]] = set()
        for e in self.report.evidence:
            if len(lines) >= limit or (e.sha256, e.context or e.quote) in seen:
                continue
            seen.add((e.sha256, e.context or e.quote))
            source = e.file_name or "本人陈述"
            when = f"，{e.occurred_at:%Y-%m-%d %H:%M}" if e.occurred_at else ""
            sender = f"，号码/账号 {e.counterparty}" if e.counterparty else ""
            lines.append(f"{e.ref}（{source}{when}{sender}）：「{e.context or e.quote}」")
        return lines

    def provisions(self, findings: Sequence[ReportFinding], *, remedies: bool = False) -> list[str]:
        """The provisions a filed document cites: the findings' leading ones that are binding law.

        Taken in turns from each finding (its rule lists the most direct provision first), at most
        ``_MAX_CITED`` plus the remedies' own. Standards, industry guidelines and texts known only
        second-hand stay in the report; a document sent to an authority cites binding law.
        """
        lists = [[p for p in f.provisions if self._citable(p)] for f in findings]
        ids: list[str] = []
        for depth in range(max((len(x) for x in lists), default=0)):
            for items in lists:
                if depth < len(items) and items[depth] not in ids and len(ids) < _MAX_CITED:
                    ids.append(items[depth])
        if remedies:
            extra = [p for f in findings for p in f.remedy_provisions if self._citable(p) and p not in ids]
            ids += list(dict.fromkeys(extra))[:_MAX_REMEDY_CITED]
        return ids

    def _citable(self, provision_id: str) -> bool:
        p = self.report.provision(provision_id)
        return p.reliability == "primary" and p.instrument_kind in _BINDING_KINDS

    def channel_findings(self, *channels: str, established_only: bool = False) -> list[ReportFinding]:
        """Violations whose rule names one of these channels as an authority that acts on them."""
        pool = self.established if established_only else self.violations
        return [f for f in pool if any(c in f.authorities for c in channels)]

    def citations(self, ids: Sequence[str]) -> str:
        names: dict[str, list[str]] = {}
        for pid in ids:
            p = self.report.provision(pid)
            names.setdefault(p.instrument_zh, []).append(p.article.split(" ")[0])
        return "；".join(f"《{inst}》{'、'.join(dict.fromkeys(arts))}" for inst, arts in names.items())

    def attachments(self) -> list[Attachment]:
        return [
            Attachment(
                name=f.name,
                sha256=f.sha256,
                description_zh=f"{KIND_ZH.get(f.kind, f.kind)}，{f.items}条记录"
                if f.items
                else KIND_ZH.get(f.kind, f.kind),
            )
            for f in self.report.evidence_files
        ]

    def complainant(self, role: str) -> list[str]:
        return [
            f"{role}：{blank('姓名')}，身份证号：{blank('身份证号码')}",
            f"联系电话：{blank('手机号码')}，住址：{blank('住址')}",
        ]

    def signature(self, role: str) -> list[str]:
        return [f"{role}：{blank('签名')}", f"{self.today:%Y年%-m月%-d日}"]

    def counterparties(self) -> str:
        from txlguard.detect.logrules import normalize_counterparty

        numbers = list(
            dict.fromkeys(
                normalize_counterparty(e.counterparty) for e in self.report.evidence if e.counterparty
            )
        )
        return "、".join(numbers[:10]) if numbers else blank("催收电话号码")


_MAX_CITED = 8
_MAX_REMEDY_CITED = 4
_BINDING_KINDS = frozenset(
    {"law", "judicial-interpretation", "administrative-regulation", "departmental-rule"}
)
_FINANCIAL_CHANNELS = ("nfra-12378", "local-financial-regulator", "pboc-12363", "nifa-report")

# The demand letter is about the lender's handling of personal information, nothing else.
_PERSONAL_INFORMATION_RULES = frozenset(
    {"civil-debt-disclosure", "civil-contacts-harvest", "civil-contacts-disturbed", "civil-harassment"}
)
# An interest dispute is its own cause of action (民间借贷纠纷), not part of a privacy claim.
_SEPARATE_CAUSES = frozenset({"civil-illegal-debt"})

_COLLECTION_FACTS = (
    "contacts_contacted",
    "debt_disclosed_to_contacts",
    "threats",
    "insults_or_defamation",
    "impersonation",
    "harassment_pattern",
)
_PI_FACTS = ("contacts_harvested", "no_separate_consent", "contacts_contacted", "debt_disclosed_to_contacts")
_POLICE_FACTS = (
    "threats",
    "insults_or_defamation",
    "impersonation",
    "harassment_pattern",
    "debt_disclosed_to_contacts",
)
_BASE_GUIDANCE = [
    "文中【请填写：…】处是本工具不知道的信息，请补全后再提交；不确定的内容宁可删去，也不要写不准确的事实。",
    "附件按文件名和SHA-256哈希值列出，提交时请附上原件或打印件；哈希值可证明材料未被改动。",
]


def _lender_step(ctx: _Context) -> tuple[str, str, str]:
    """Which regulator: the NFRA line for licensed lenders, the local financial regulator otherwise."""
    licensed = ctx.report.details.get("lender_licensed")
    channel_id = "local-financial-regulator" if licensed is False else "nfra-12378"
    channel = ctx.law.channels[channel_id]
    return channel_id, channel.name_zh, channel.authority_zh


def regulator_complaint(ctx: _Context) -> Letter | None:
    findings = ctx.channel_findings(*_FINANCIAL_CHANNELS)
    if not any(ctx.true(c) for c in _COLLECTION_FACTS) or not findings:
        return None
    channel_id, channel_name, authority = _lender_step(ctx)
    ids = ctx.provisions([f for f in findings if f.status == "established"] or findings)
    requests = [
        "1. 责令被投诉机构及其委托的催收机构立即停止联系本人通讯录中的第三人，停止违规催收；",
        "2. 查明实际实施催收的机构和人员，依法处理；",
        "3. 督促被投诉机构删除违规收集、使用的本人通讯录信息，并书面答复本人。",
    ]
    if ctx.true("illegal_debt"):
        requests.append("4. 核查该借款的利率、费用及放贷资质。")
    sections = [
        LetterSection(
            heading_zh="投诉事项", paragraphs=[f"{ctx.lender}在催收本人借款过程中存在以下违规行为："]
        ),
        LetterSection(heading_zh="事实经过", paragraphs=ctx.conduct((*_COLLECTION_FACTS, "illegal_debt"))),
        LetterSection(heading_zh="证据摘录", paragraphs=ctx.quotes()),
        LetterSection(heading_zh="投诉请求", paragraphs=requests),
    ]
    if ids:
        sections.append(
            LetterSection(heading_zh="依据", paragraphs=[f"上述行为违反{ctx.citations(ids)}等规定。"])
        )
    guidance = [*_BASE_GUIDANCE, f"本投诉书按“{channel_name}”准备（{authority}）。"]
    if ctx.report.details.get("lender_licensed") is None:
        guidance.append(
            "尚不清楚放款方是否持牌：如果放款方不是银行或消费金融公司，请改向当地地方金融管理部门投诉。"
        )
    return Letter(
        kind="regulator-complaint",
        file_stem="1-金融监管投诉书",
        title_zh="金融消费投诉书",
        addressee_zh=authority,
        channel=channel_id,
        header_lines=[*ctx.complainant("投诉人"), f"被投诉机构：{ctx.lender}"],
        sections=sections,
        attachments=ctx.attachments(),
        signature_lines=ctx.signature("投诉人"),
        blanks_zh=_blanks(ctx),
        guidance_zh=guidance,
        provisions=ids,
    )


def cac_report(ctx: _Context) -> Letter | None:
    if not any(ctx.true(c) for c in ("contacts_harvested", "debt_disclosed_to_contacts")):
        return None
    findings = ctx.channel_findings("cac-12377")
    if not findings:
        return None
    ids = ctx.provisions([f for f in findings if f.status == "established"] or findings)
    app = ctx.lender if ctx.lender_known else blank("App名称")
    sections = [
        LetterSection(heading_zh="举报对象", paragraphs=[f"App名称及运营者：{app}"]),
        LetterSection(heading_zh="举报内容", paragraphs=ctx.conduct(_PI_FACTS)),
        LetterSection(heading_zh="证据摘录", paragraphs=ctx.quotes()),
        LetterSection(
            heading_zh="举报请求",
            paragraphs=[
                "请依法调查该App违法收集、使用、向他人提供个人信息的行为，责令其删除违法收集的通讯录信息，并依法处理。",
            ],
        ),
        LetterSection(heading_zh="依据", paragraphs=[f"上述行为涉嫌违反{ctx.citations(ids)}等规定。"]),
    ]
    channel = ctx.law.channels["cac-12377"]
    return Letter(
        kind="cac-report",
        file_stem="2-个人信息违法举报",
        title_zh="关于App违法处理个人信息的举报",
        addressee_zh=channel.authority_zh,
        channel=channel.id,
        header_lines=ctx.complainant("举报人"),
        sections=sections,
        attachments=ctx.attachments(),
        signature_lines=ctx.signature("举报人"),
        blanks_zh=_blanks(ctx),
        guidance_zh=[*_BASE_GUIDANCE, f"提交途径：{channel.contact}"],
        provisions=ids,
    )


def police_report(ctx: _Context) -> Letter | None:
    if not any(ctx.true(c) for c in ("threats", "insults_or_defamation", "impersonation")):
        return None
    findings = [f for f in ctx.channel_findings("police-110") if f.regime in ("administrative", "criminal")]
    established = [f for f in findings if f.status == "established"]
    if not findings:
        return None
    ids = ctx.provisions(established or findings)
    paragraphs = [
        "请依法对上述威胁、侮辱、冒充国家机关工作人员等行为立案调查，查明实施催收的人员和公司，追究其法律责任。",
    ]
    possible = [f for f in findings if f.status == "possible" and f.regime == "criminal"]
    if possible:
        names = "；".join(dict.fromkeys(f.title_zh for f in possible))
        paragraphs.append(f"请一并调查以下可能的犯罪（是否构成，由公安机关依法认定）：{names}。")
    sections = [
        LetterSection(
            heading_zh="被举报人", paragraphs=[f"{ctx.lender}及其催收人员，使用号码：{ctx.counterparties()}"]
        ),
        LetterSection(heading_zh="事实经过", paragraphs=ctx.conduct(_POLICE_FACTS)),
        LetterSection(heading_zh="证据摘录", paragraphs=ctx.quotes()),
        LetterSection(heading_zh="请求", paragraphs=paragraphs),
    ]
    if ids:
        sections.append(
            LetterSection(heading_zh="依据", paragraphs=[f"上述行为涉嫌违反{ctx.citations(ids)}等规定。"])
        )
    channel = ctx.law.channels["police-110"]
    return Letter(
        kind="police-report",
        file_stem="3-报案材料",
        title_zh="报案材料",
        addressee_zh=f"{blank('派出所名称')}",
        channel=channel.id,
        header_lines=ctx.complainant("报案人"),
        sections=sections,
        attachments=ctx.attachments(),
        signature_lines=ctx.signature("报案人"),
        blanks_zh=[*_blanks(ctx), "派出所名称"],
        guidance_zh=[
            *_BASE_GUIDANCE,
            "遇到人身安全威胁请直接拨打110。到派出所报案时带上本材料和证据原件，请民警出具报警回执或受案回执。",
        ],
        provisions=ids,
    )


def demand_letter(ctx: _Context) -> Letter | None:
    if not any(
        ctx.true(c) for c in ("contacts_harvested", "contacts_contacted", "debt_disclosed_to_contacts")
    ):
        return None
    findings = [f for f in ctx.violations if f.rule in _PERSONAL_INFORMATION_RULES]
    ids = ctx.provisions([f for f in findings if f.status == "established"] or findings, remedies=True)
    demands = [
        "1. 自收到本函之日起，立即停止以任何方式联系本人通讯录中的任何人（合同约定的担保人除外），停止向任何第三人透露本人的借款信息；",
        "2. 依照《中华人民共和国个人信息保护法》第四十七条，删除贵司及贵司委托的催收机构收集、保存的本人通讯录、通话记录等个人信息，并书面告知删除结果；",
        "3. 告知本人通讯录信息已被提供给哪些第三方（包括催收机构），并要求其一并删除；",
        "4. 今后如需联系，仅可通过本人手机号码、在合理时间与本人本人联系。",
    ]
    sections = [
        LetterSection(
            paragraphs=[
                f"本人系贵司借款用户（借款合同编号：{blank('合同编号，可在App内查到')}）。现就贵司催收过程中处理本人个人信息的问题，正式函告如下："
            ]
        ),
        LetterSection(heading_zh="一、事实", paragraphs=ctx.conduct(_PI_FACTS)),
        LetterSection(heading_zh="二、要求", paragraphs=demands),
        LetterSection(
            heading_zh="三、说明",
            paragraphs=[
                "本人对借款本身的处理不受本函影响；本函针对的是贵司处理本人及本人亲友个人信息的方式。"
                "即使债务真实存在，向第三人披露本人债务信息也侵害本人的隐私权和个人信息权益。",
                "如贵司在收到本函后十五日内不予答复或继续上述行为，本人将向监管部门投诉并依法提起诉讼。",
            ],
        ),
    ]
    available = [
        p for p in ("pipl-47", "pipl-44", "pipl-45", "pipl-50") if p in {q.id for q in ctx.report.provisions}
    ]
    if ids:
        sections.append(
            LetterSection(
                heading_zh="四、依据",
                paragraphs=[f"{ctx.citations(list(dict.fromkeys([*ids, *available])))}。"],
            )
        )
    return Letter(
        kind="demand-letter",
        file_stem="4-停止侵害及删除个人信息要求函",
        title_zh="停止侵害及删除个人信息要求函",
        addressee_zh=ctx.lender,
        header_lines=[f"致：{ctx.lender}", *ctx.complainant("发函人")],
        sections=sections,
        attachments=ctx.attachments(),
        signature_lines=ctx.signature("发函人"),
        blanks_zh=[*_blanks(ctx), "借款合同编号"],
        guidance_zh=[
            *_BASE_GUIDANCE,
            "通过App内客服留言、官方邮箱或EMS寄送，保存寄送凭证和对方回复；同时在手机设置中关闭该App的通讯录权限。",
        ],
        provisions=list(dict.fromkeys([*ids, *available])),
    )


# Claims by remedy code, in the order a statement of claim lists them.
_CLAIMS = (
    (
        "stop_infringement",
        "判令被告立即停止侵害原告隐私权、个人信息权益的行为，停止向原告通讯录中的第三人发送、拨打催收信息；",
    ),
    ("stop_contacting_third_parties", "判令被告停止联系原告以外的第三人；"),
    ("delete_contacts_data", "判令被告删除其收集、保存的原告通讯录、通话记录等个人信息；"),
    ("apology", "判令被告向原告书面赔礼道歉；"),
    ("restore_reputation", "判令被告在其向第三人披露信息的范围内为原告消除影响、恢复名誉；"),
    ("damages", f"判令被告赔偿原告财产损失（含维权合理开支）人民币{blank('金额')}元；"),
    ("mental_damages", f"判令被告赔偿原告精神损害抚慰金人民币{blank('金额')}元；"),
)


def civil_complaint(ctx: _Context) -> Letter | None:
    civil = [
        f
        for f in ctx.channel_findings("court-civil", established_only=True)
        if f.regime == "civil" and f.rule not in _SEPARATE_CAUSES
    ]
    if not civil:
        return None
    remedy_text = {r for f in civil for r in f.remedies_zh}
    book = _remedy_codes(remedy_text)
    claims = [text for code, text in _CLAIMS if code in book]
    claims.append("本案诉讼费用由被告承担。")
    ids = ctx.provisions(civil, remedies=True)
    sections = [
        LetterSection(heading_zh="诉讼请求", paragraphs=[f"{i}. {c}" for i, c in enumerate(claims, 1)]),
        LetterSection(
            heading_zh="事实与理由",
            paragraphs=[
                f"原告系被告{ctx.lender}的借款用户。",
                *ctx.conduct(
                    (*_PI_FACTS, "threats", "insults_or_defamation", "harassment_pattern", "harm_suffered")
                ),
                "原告认为，被告存在以下侵权行为："
                + "；".join(dict.fromkeys(f.title_zh for f in civil))
                + "。"
                "即使原告对被告负有债务，被告也无权向与借款无关的第三人披露原告的个人信息和债务情况。",
                f"依据{ctx.citations(ids)}之规定，特向贵院提起诉讼，请依法支持原告的诉讼请求。",
            ],
        ),
    ]
    return Letter(
        kind="civil-complaint",
        file_stem="5-民事起诉状",
        title_zh="民事起诉状",
        addressee_zh=blank("有管辖权的人民法院"),
        channel="court-civil",
        header_lines=[
            f"原告：{blank('姓名')}，{blank('性别')}，{blank('出生日期')}，{blank('民族')}，身份证号：{blank('身份证号码')}，"
            f"住址：{blank('住址')}，联系电话：{blank('手机号码')}",
            f"被告：{ctx.lender}，统一社会信用代码：{blank('统一社会信用代码')}，住所地：{blank('住所地')}，"
            f"法定代表人：{blank('法定代表人姓名')}",
            "案由：隐私权、个人信息保护纠纷",
        ],
        sections=sections,
        attachments=ctx.attachments(),
        signature_lines=[f"此致\n{blank('有管辖权的人民法院')}", *ctx.signature("具状人")],
        blanks_zh=[
            *_blanks(ctx),
            "性别、出生日期、民族",
            "被告统一社会信用代码、住所地、法定代表人",
            "请求赔偿的金额",
            "受理法院",
        ],
        guidance_zh=[
            *_BASE_GUIDANCE,
            "这是起诉状草稿：请先咨询律师或法律援助（12348）。被告的工商信息可在国家企业信用信息公示系统查询；"
            "一般向被告住所地或侵权行为地（包括原告住所地）的基层人民法院起诉，按被告人数提交副本。",
            "赔偿金额需要有依据（误工、就医、维权支出的票据）；精神损害抚慰金只有在造成严重精神损害时才会支持。",
        ],
        provisions=ids,
    )


def _remedy_codes(texts: set[str]) -> set[str]:
    """Remedy codes from their Chinese texts (the report keeps the texts; the rule book maps them)."""
    from txlguard.reason.rules import default_rule_book

    return {code for code, spec in default_rule_book().remedies.items() if spec.text_zh in texts}


def _blanks(ctx: _Context) -> list[str]:
    blanks = ["姓名", "身份证号码", "手机号码", "住址", "签名"]
    if not ctx.lender_known:
        blanks.append("放款平台/公司全称")
    return blanks


BUILDERS: tuple[Callable[[_Context], Letter | None], ...] = (
    regulator_complaint,
    cac_report,
    police_report,
    demand_letter,
    civil_complaint,
)


def build_letters(report: CaseReport, law: LawBase | None = None, today: date | None = None) -> list[Letter]:
    """Every document the case supports, in filing order; none when nothing unlawful is established."""
    ctx = _Context(report, law or default_law_base(), today or date.today())
    return [letter for build in BUILDERS if (letter := build(ctx)) is not None]


def render_letter_markdown(letter: Letter) -> str:
    lines = [f"# {letter.title_zh}", ""]
    if letter.addressee_zh and letter.kind != "demand-letter":
        lines += [f"致：{letter.addressee_zh}", ""]
    lines += [*[f"{h}  " for h in letter.header_lines], ""]
    for section in letter.sections:
        if section.heading_zh:
            lines += [f"## {section.heading_zh}", ""]
        lines += [*[p + "  " for p in section.paragraphs], ""]
    if letter.attachments:
        lines += ["## 附件（证据清单）", ""]
        lines += [
            f"{i}. {a.name}（{a.description_zh}）SHA-256：`{a.sha256}`"
            for i, a in enumerate(letter.attachments, 1)
        ]
        lines.append("")
    lines += [*[ln.replace("\n", "  \n") + "  " for ln in letter.signature_lines], ""]
    if letter.guidance_zh:
        lines += [
            "---",
            "",
            "**提交前请注意（不属于文书内容）：**",
            "",
            *[f"- {g}" for g in letter.guidance_zh],
            "",
        ]
    return "\n".join(lines)
