"""Named legal concepts computed from details and the law base's numeric rules (OpenFisca-style formulas).

Each returns (value, reason in Chinese); None means the details do not settle it.
"""

from __future__ import annotations

from datetime import date

from txlguard.facts.models import CaseDetails
from txlguard.law import LawBase

Truth = bool | None


def _reference_day(details: CaseDetails, as_of: date) -> date:
    return details.loan_date or details.start or as_of


def judicial_rate_cap(law: LawBase, day: date) -> float:
    """4 × the one-year LPR in force on the day the contract was made (spc-private-lending-25)."""
    multiple = float(law.parameter("lending.rate_cap_lpr_multiple", day))
    lpr = float(law.parameter("lending.lpr_one_year_percent", day))
    return round(multiple * lpr, 4)


def rate_above_judicial_cap(details: CaseDetails, law: LawBase, as_of: date) -> tuple[Truth, str]:
    """Interest above the cap courts protect; the cap binds private lenders, not licensed institutions."""
    if details.annual_rate is None:
        return None, "年化利率未知"
    day = _reference_day(details, as_of)
    try:
        cap = judicial_rate_cap(law, day)
    except KeyError:
        return None, f"法律库中没有 {day} 的LPR数据"
    above = details.annual_rate > cap
    if not above:
        return False, f"年化{details.annual_rate:g}% 未超过司法保护上限{cap:g}%"
    if details.lender_licensed is True:
        return False, (
            f"年化{details.annual_rate:g}% 超过{cap:g}%，但出借人为持牌金融机构，"
            "民间借贷司法解释的上限不直接适用"
        )
    if details.lender_licensed is None:
        return None, f"年化{details.annual_rate:g}% 超过{cap:g}%；出借人是否持牌未知"
    return True, f"年化{details.annual_rate:g}% 超过司法保护上限{cap:g}%（4倍LPR）"


def pi_volume_over_criminal_threshold(details: CaseDetails, law: LawBase, as_of: date) -> tuple[Truth, str]:
    """Items of personal information provided to others reach the 'serious' count of the 2017 interpretation."""
    counts = [n for n in (details.pi_items_disclosed, details.contacts_reached) if n is not None]
    day = details.end or as_of
    threshold = int(law.parameter("criminal.pi.other_items", day))
    if not counts:
        return None, "提供给他人的个人信息条数未知"
    volume = max(counts)
    if volume >= threshold:
        return True, f"涉及个人信息约{volume}条，达到{threshold}条的入罪标准"
    return False, f"涉及个人信息约{volume}条，未达到{threshold}条（一般个人信息）的入罪标准"
